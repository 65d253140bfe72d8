//! The front: the server's listener, a small hyper service in front of dropshot's.
//!
//! Why it exists: dropshot 0.18 reads a request's body before any handler runs (so
//! a client without a key could make the server hold every byte it sent), puts no
//! limit on how long a body may take or how many connections may be open, and
//! answers unknown paths and unroutable methods with its own `{request_id,
//! message}` body, which the generated clients cannot decode. Its router cannot hold
//! a catch-all beside literal segments, its request handler is private, and it can
//! only serve on a socket it binds itself. So the front owns the public listener and
//! dropshot listens on an ephemeral loopback port behind it. For each request, in
//! this order, the front:
//! 0. answers 431 to a head over [`MAX_HEAD_BYTES`] and 501 to a transfer coding
//!    other than `chunked` (hyper would decode `gzip, chunked` as plain chunked);
//! 1. looks the path and method up in the contract's table ([`routes`]): anything
//!    else is answered here, 404 or 405, with an `ErrorResponse`;
//! 2. answers 429 to an address that sent too many wrong keys, else checks the API
//!    key through the [`Gate`] (401 here, before any body byte); what the front
//!    answers by itself is counted and logged in aggregate ([`refusals`]);
//! 3. answers 413 at once for a declared `Content-Length` over the limit;
//! 4. reserves the body's bytes in the budget shared by all connections (waiting
//!    briefly, else 503) and reads the body under the pace limits of [`body`]; a
//!    body too slow is not answered: the connection is closed. A body of at most
//!    [`SMALL_BODY_BYTES`] reserves from an allowance of its own instead, so small
//!    requests are not queued behind large bodies (the tokio semaphore is fair: a
//!    small reservation would otherwise wait behind every large one before it);
//! 5. answers the operations an [`Inline`] serves itself, in-process, with the
//!    body read whole in step 4 (the server's: the draft and capture endpoints,
//!    see [`crate::inline`]); otherwise
//! 6. sends the request to dropshot over a loopback connection of its own (one
//!    per client connection, opened on the first request that passes 1–4), with
//!    the gate's finding in [`ADMISSION_HEADER`] (see [`crate::context`]) and a
//!    large body streamed as step 4 reads it ([`body::pump`]; a body that fails a
//!    limit midway fails at dropshot too, and is answered as in step 4), and passes
//!    the answer back. The body's reservation is held until dropshot has
//!    answered, even if the client has left (dropshot's handlers run detached),
//!    so the budget bounds what a body costs while it is validated, drafted and
//!    stored (about ten times its size), not only while it arrives. An
//!    error answer that is not one of the contract's two bodies (dropshot's own,
//!    should any still escape) is replaced by an `ErrorResponse` of the same status.
//!
//! Connections beyond the limit are answered 503 and closed (a few at a time; past
//! that they are closed unanswered), so descriptors cannot run out: each admitted
//! connection holds at most three (its socket and both ends of its loopback one).
//! The request head must arrive within the header timeout, which also closes idle
//! keep-alive connections. Only HTTP/1.1 is served. With `--tls-cert/--tls-key` the
//! front does the TLS handshake (within the header timeout) and everything above is
//! unchanged; CORS ([`cors`]) is applied here too, so error answers carry it.
//!
//! Why the draft endpoint skips dropshot (issue 24): the loopback hop of step 6
//! was most of what a cheap request costs. Measured with `bench/front-cost.sh`, a
//! handler sending a 4.3 KB draft cost about 10 µs of server CPU on dropshot alone
//! and about 28 behind the front: four more system calls per request, the
//! kernel's TCP work twice, a second HTTP parse and encode, more task wake-ups;
//! the front's own checks were about 1 µs. The hop cannot be removed by giving
//! dropshot the request or the connection: dropshot 0.18 serves only a socket it
//! binds itself (`HttpServerStarter::new_internal` binds `bind_address`), and its
//! per-request entry points (`ServerConnectionHandler`, `ServerRequestHandler`,
//! `http_request_handle`) live in its private `server` module, whose hyper
//! service takes a `Request<Incoming>` that only hyper can make; a handler
//! (`ApiEndpoint::handler`) needs a `RequestContext` holding dropshot's private
//! `DropshotState`. Nor can the front's duties move into dropshot: its router
//! cannot hold a catch-all beside literal segments (`router.rs`, the
//! `VariableRest` / `Literals` panics), so unknown paths and wrong methods would
//! get dropshot's own body, the alias `/v1/scenarios/{scenario_id}` cannot be
//! routed beside `/v1/scenarios/draft-from-session`, and the connection limit,
//! the head limits, the header timeout and HTTP/1.1-only cannot be set. So the
//! front answers the hot operations itself, after its checks, with the same
//! functions the dropshot handlers call; the draft went from about 0.3 of bare
//! dropshot to about 0.65 (`docs/performance.md`, "Where the front's time goes"),
//! and the capture lost the hop too. The other operations still take it; each
//! one moved to [`Inline`] would lose it too, at the cost of answering outside
//! dropshot (its request log, its `x-request-id`, its panic handling), which
//! [`crate::inline`] reproduces.

pub mod body;
pub mod cors;
pub mod refusals;
pub mod routes;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dropshot::{ClientErrorStatusCode, ErrorStatusCode};
use feather_api::ApiError;
use feather_api::error::codes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use slog::{Logger, debug, info, warn};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore, oneshot};

use self::body::{BodyError, BodyLimits};
use self::cors::Cors;
use self::refusals::{Refusal, RefusalCounts, Refusals, Throttle};
use self::routes::{Lookup, Routes};

/// The limits the front enforces; `feather serve` has a flag for each.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// The body bytes all requests together may hold at once (503 beyond).
    pub max_body_bytes_in_flight: usize,
    /// Open client connections at once (503 and closed beyond).
    pub max_connections: usize,
    /// The longest wait for a request head, idle keep-alive included.
    pub header_timeout: Duration,
    /// The longest wait for a body's first chunk and between two chunks.
    pub body_idle_timeout: Duration,
    /// The lowest average body rate after the first `body_idle_timeout`, bytes/s.
    pub body_min_rate: u64,
    /// Wrong keys an address may send at once before it is answered 429 for a
    /// while ([`refusals::Throttle`]); 0: never.
    pub wrong_key_burst: u32,
}

/// How long a body waits for room in the in-flight budget before 503.
pub const BODY_QUEUE_TIMEOUT: Duration = Duration::from_secs(2);
/// A body declaring at most this length is *small*: it draws on an allowance of its
/// own ([`SMALL_BODIES_IN_FLIGHT`] of them at once) instead of the in-flight budget,
/// so requests such as a draft (`{"session_id": ...}`) or a short capture are not
/// queued behind large bodies, whoever sends those.
pub const SMALL_BODY_BYTES: usize = 64 * 1024;
/// How many small bodies of the largest small size fit in their allowance (1 MiB).
pub const SMALL_BODIES_IN_FLIGHT: usize = 16;
/// Connections past the limit that are still answered 503 at once; beyond these a
/// new connection is closed unanswered.
const OVERFLOW_CONNECTIONS: usize = 64;
/// The longest error body read back from dropshot to check its shape.
const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// The largest request head: the request line and every header line, as sent
/// (431 beyond). hyper's read buffer is bounded too ([`http1_builder`]), but a
/// head that arrives in one read with what follows can pass that bound by up to
/// a buffer's worth, so the front also measures each head it is given.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The `error` code of the 431 answer to a head over [`MAX_HEAD_BYTES`].
pub const HEAD_TOO_LARGE: &str = "request_head_too_large";
/// The `error` code of the 501 answer to a transfer coding other than chunked.
pub const NOT_IMPLEMENTED: &str = "not_implemented";

/// Descriptors kept free of connections: the database, the log, the listeners.
const RESERVED_DESCRIPTORS: u64 = 128;

/// Makes room for `max_connections` in the process's descriptor limit: each admitted
/// connection may hold three (its socket and both ends of its loopback connection
/// to dropshot), plus the 503 answers past the limit and a reserve. The soft limit is
/// raised towards the hard one if needed; if that is not enough, the connection limit
/// is lowered to what fits, and the returned sentence says so.
pub fn fit_descriptors(limits: &mut Limits) -> Option<String> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let needed =
        3 * limits.max_connections as u64 + OVERFLOW_CONNECTIONS as u64 + RESERVED_DESCRIPTORS;
    let mut rlimit = getrlimit(Resource::Nofile);
    let soft = rlimit.current.unwrap_or(u64::MAX);
    if soft >= needed {
        return None;
    }
    let raised = rlimit.maximum.map_or(needed, |hard| hard.min(needed));
    rlimit.current = Some(raised);
    let available = match setrlimit(Resource::Nofile, rlimit) {
        Ok(()) => raised,
        Err(_) => soft,
    };
    if available >= needed {
        return None;
    }
    let fits = available.saturating_sub(OVERFLOW_CONNECTIONS as u64 + RESERVED_DESCRIPTORS) / 3;
    let fits = usize::try_from(fits).unwrap_or(usize::MAX).max(1);
    let message = format!(
        "the descriptor limit ({available}) holds {fits} connections, not {}; serving at most {fits} (raise `ulimit -n` to {needed} for more)",
        limits.max_connections
    );
    limits.max_connections = fits;
    Some(message)
}

/// Everything about the front an operator chooses.
#[derive(Debug, Clone, Default)]
pub struct FrontOptions {
    pub limits: Limits,
    /// Origins a browser application may call the API from (`*`: any); none: CORS off.
    pub cors_allow_origins: Vec<String>,
    /// Serve HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
}

/// The PEM files of `serve --tls-cert FILE --tls-key FILE`.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

impl TlsFiles {
    /// The acceptor: dropshot's own reading of the PEM files (its `ConfigTls`), with
    /// ALPN offering only HTTP/1.1, which is what the front serves.
    fn acceptor(&self) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
        let files = dropshot::ConfigTls::AsFile {
            cert_file: self.cert.clone(),
            key_file: self.key.clone(),
        };
        let mut config = rustls::ServerConfig::try_from(&files)
            .map_err(|e| anyhow::anyhow!("cannot use the TLS certificate or key: {e}"))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }
}

/// The header in which the front passes the [`Gate`]'s finding to the handlers, so
/// they need not check the key again. The front removes it from every request
/// before anything else; what the gate puts in it is its own to prove (the server's
/// gate signs it with a secret of the process, because any local process can reach
/// dropshot's loopback port without the front).
pub const ADMISSION_HEADER: HeaderName = HeaderName::from_static("x-feather-admission");

/// Decides whether a request may proceed before its body is read: the API key.
pub trait Gate: Send + Sync + 'static {
    /// `Ok` admits the request, with the value (if any) the front puts in
    /// [`ADMISSION_HEADER`] of the request it forwards.
    fn admit<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> Pin<Box<dyn Future<Output = Result<Option<HeaderValue>, ApiError>> + Send + 'a>>;
}

/// Operations the server answers in-process, on the client's connection, once the
/// front's checks (route, key, body limits) have passed: no loopback hop to
/// dropshot, one HTTP parse per request (issue 24). A request it does not
/// [`serve`](Inline::serves) goes to dropshot as before.
pub trait Inline: Send + Sync + 'static {
    /// Whether `method` on `path` is answered here rather than by dropshot.
    fn serves(&self, method: &http::Method, path: &str) -> bool;

    /// The answer to an admitted request (its [`ADMISSION_HEADER`] is the gate's)
    /// with its body read whole, and the body's `reservation` in the front's
    /// budget (none for an empty body). It runs on the connection's own task, not
    /// detached: a client that leaves cancels it, and with it frees the body and
    /// its reservation. An operation that may stop at any await without harm (a
    /// read) can run there; one that must finish once admitted (a write, as
    /// dropshot's detached handlers finish) runs its work as a task of its own and
    /// moves the body and its reservation into it, so the bytes stay counted until
    /// the work ends.
    fn answer(
        &self,
        parts: http::request::Parts,
        body: Bytes,
        reservation: Option<OwnedSemaphorePermit>,
        remote: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = Response<FrontBody>> + Send + 'static>>;
}

/// A running front.
pub struct Front {
    local_addr: SocketAddr,
    refusals: Arc<Refusals>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Front {
    /// Starts serving `listener`, passing admitted requests to `upstream`.
    pub fn start(
        listener: std::net::TcpListener,
        upstream: SocketAddr,
        routes: Routes,
        gate: Arc<dyn Gate>,
        options: &FrontOptions,
        log: Logger,
    ) -> anyhow::Result<Front> {
        Front::start_with_inline(listener, upstream, routes, gate, None, options, log)
    }

    /// As [`Front::start`], answering what `inline` serves in-process.
    pub fn start_with_inline(
        listener: std::net::TcpListener,
        upstream: SocketAddr,
        routes: Routes,
        gate: Arc<dyn Gate>,
        inline: Option<Arc<dyn Inline>>,
        options: &FrontOptions,
        log: Logger,
    ) -> anyhow::Result<Front> {
        let limits = options.limits;
        let cors = Cors::new(&options.cors_allow_origins)?;
        let tls = options.tls.as_ref().map(TlsFiles::acceptor).transpose()?;
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener)?;
        let local_addr = listener.local_addr()?;
        let refusals = Arc::new(Refusals::new(log.clone()));
        let throttle = Arc::new(Throttle::new(limits.wrong_key_burst));
        let shared = Arc::new(Shared {
            upstream,
            routes,
            gate,
            inline,
            body_limits: BodyLimits {
                max_bytes: limits.max_body_bytes,
                idle_timeout: limits.body_idle_timeout,
                min_rate: limits.body_min_rate,
                queue_timeout: BODY_QUEUE_TIMEOUT,
            },
            budget: Arc::new(Semaphore::new(limits.max_body_bytes_in_flight)),
            small_budget: Arc::new(Semaphore::new(SMALL_BODIES_IN_FLIGHT * SMALL_BODY_BYTES)),
            limits,
            cors,
            tls,
            log,
            refusals: Arc::clone(&refusals),
            throttle: Arc::clone(&throttle),
        });
        // The refusals are reported, and the drained buckets of the brake
        // removed, every second while the front runs.
        let reported = Arc::downgrade(&refusals);
        let pruned = Arc::downgrade(&throttle);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(refusals::REPORT_EVERY).await;
                match (reported.upgrade(), pruned.upgrade()) {
                    (Some(refusals), Some(throttle)) => {
                        refusals.report();
                        throttle.prune();
                    }
                    _ => return,
                }
            }
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, shared, stopped));
        Ok(Front {
            local_addr,
            refusals,
            stop,
            task,
        })
    }

    /// What the front has refused by itself since it started.
    pub fn refusals(&self) -> RefusalCounts {
        self.refusals.counts()
    }

    /// The address clients connect to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets open requests finish (up to 5 s), and returns.
    pub async fn close(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }

    /// Waits until the accept loop ends (it only ends when closed).
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

struct Shared {
    upstream: SocketAddr,
    routes: Routes,
    gate: Arc<dyn Gate>,
    /// What is answered in-process instead of by dropshot.
    inline: Option<Arc<dyn Inline>>,
    limits: Limits,
    body_limits: BodyLimits,
    /// The body bytes in flight, from the first byte read until dropshot answers.
    budget: Arc<Semaphore>,
    /// The same for bodies of at most [`SMALL_BODY_BYTES`], apart from `budget`.
    small_budget: Arc<Semaphore>,
    cors: Option<Cors>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    log: Logger,
    /// What the front answered by itself, counted and logged.
    refusals: Arc<Refusals>,
    /// The brake on addresses that keep sending wrong keys.
    throttle: Arc<Throttle>,
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(shared.limits.max_connections));
    let overflow = Arc::new(Semaphore::new(OVERFLOW_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    if !matches!(
                        err.kind(),
                        std::io::ErrorKind::ConnectionAborted
                            | std::io::ErrorKind::ConnectionReset
                            | std::io::ErrorKind::ConnectionRefused
                    ) {
                        // Out of descriptors (EMFILE) or memory: wait, then retry.
                        warn!(shared.log, "accept failed; retrying in 100 ms"; "error" => %err);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        let _ = stream.set_nodelay(true);
        let (slot, admitted) = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => (slot, true),
            Err(_) => match Arc::clone(&overflow).try_acquire_owned() {
                Ok(slot) => {
                    debug!(shared.log, "connection limit reached; answering 503";
                        "remote_addr" => %remote);
                    (slot, false)
                }
                Err(_) => continue,
            },
        };
        let shared = Arc::clone(&shared);
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            match &shared.tls {
                None => serve_client(&shared, stream, remote, admitted, watcher).await,
                Some(tls) => {
                    let wait = shared.limits.header_timeout;
                    match tokio::time::timeout(wait, tls.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            serve_client(&shared, stream, remote, admitted, watcher).await;
                        }
                        Ok(Err(err)) => {
                            debug!(shared.log, "TLS handshake failed";
                                "remote_addr" => %remote, "error" => %err);
                        }
                        Err(_) => {
                            debug!(shared.log, "TLS handshake too slow"; "remote_addr" => %remote);
                        }
                    }
                }
            }
            drop(slot);
        });
    }
    info!(
        shared.log,
        "front: no longer accepting; finishing open requests"
    );
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

/// Serves one client connection (plain or TLS): the front's service if `admitted`,
/// else one 503 answer.
async fn serve_client<S>(
    shared: &Arc<Shared>,
    stream: S,
    remote: SocketAddr,
    admitted: bool,
    watcher: hyper_util::server::graceful::Watcher,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    if !admitted {
        let service = service_fn(|_request| async {
            Ok::<_, Infallible>(error_response(&at_capacity(), true))
        });
        let _ = http1_builder(Duration::from_secs(2))
            .serve_connection(TokioIo::new(stream), service)
            .await;
        return;
    }
    let connection = Arc::new(Connection {
        shared: Arc::clone(shared),
        remote,
        forwarded_for: HeaderValue::from_str(&remote.ip().to_string())
            .expect("an IP address is a header value"),
        upstream: Arc::new(Mutex::new(None)),
    });
    let service = service_fn(move |request| {
        let connection = Arc::clone(&connection);
        async move { connection.handle(request).await }
    });
    let serving =
        http1_builder(shared.limits.header_timeout).serve_connection(TokioIo::new(stream), service);
    // hyper answers a head it cannot parse (400) or buffer (431) itself, before
    // any request exists; it is counted here, from how the connection ended.
    if let Err(err) = watcher.watch(serving).await {
        let refusal = if err.is_parse_too_large() {
            Some(Refusal::HeadTooLarge)
        } else if err.is_parse() {
            Some(Refusal::MalformedHead)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            shared
                .refusals
                .refused(refusal, remote.ip(), "(a request head", "hyper refused)");
        }
    }
}

fn http1_builder(header_timeout: Duration) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        // The request head must fit in 64 KiB (hyper's default is about 400 KiB),
        // which bounds what each connection can make the server buffer; a head that
        // passes this bound in one read is measured again ([`MAX_HEAD_BYTES`]).
        .max_buf_size(MAX_HEAD_BYTES);
    builder
}

/// The 503 for a connection past the limit.
fn at_capacity() -> ApiError {
    ApiError::new(
        ErrorStatusCode::SERVICE_UNAVAILABLE,
        codes::SERVICE_UNAVAILABLE,
        "The server has as many connections open as it allows; try again shortly.",
    )
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of an answer: the front's own, or dropshot's passed through.
pub type FrontBody = Either<Full<Bytes>, Incoming>;

/// Why a request gets no answer: its connection is closed instead.
#[derive(Debug)]
struct Hangup(&'static str);

impl std::fmt::Display for Hangup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Hangup {}

/// One client connection and its own loopback connection to dropshot.
struct Connection {
    shared: Arc<Shared>,
    remote: SocketAddr,
    /// The client's address, for dropshot's request log.
    forwarded_for: HeaderValue,
    /// Shared with the exchange in flight, which may outlive the client's request.
    upstream: Arc<Mutex<Upstream>>,
}

impl Connection {
    /// Answers one request: CORS first (a preflight, and the headers that let a
    /// browser read any answer, errors included), then [`Connection::answer`].
    async fn handle(&self, request: Request<Incoming>) -> Result<Response<FrontBody>, Hangup> {
        let Some(cors) = &self.shared.cors else {
            return self.answer(request).await;
        };
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .filter(|origin| cors.allows(origin))
            .cloned();
        let preflight = request.method() == http::Method::OPTIONS
            && request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let mut response = if preflight {
            match self
                .shared
                .routes
                .lookup(request.method(), request.uri().path())
            {
                Lookup::NoSuchPath => self.answer(request).await?,
                Lookup::Found(_) | Lookup::WrongMethod(_) if origin.is_none() => {
                    // Not an origin this server lets in: no CORS headers, so the
                    // browser refuses the call.
                    let mut response = Response::new(Either::Left(Full::new(Bytes::new())));
                    *response.status_mut() = StatusCode::NO_CONTENT;
                    response
                }
                Lookup::Found(_) | Lookup::WrongMethod(_) => {
                    cors.preflight(self.shared.routes.allow(request.uri().path()).unwrap_or(""))
                }
            }
        } else {
            self.answer(request).await?
        };
        if let Some(origin) = origin {
            cors.decorate(response.headers_mut(), origin);
        }
        Ok(response)
    }

    async fn answer(&self, mut request: Request<Incoming>) -> Result<Response<FrontBody>, Hangup> {
        let shared = &*self.shared;
        // Only the gate's finding may reach the handlers, never a client's claim.
        request.headers_mut().remove(ADMISSION_HEADER);
        if head_bytes(&request) > MAX_HEAD_BYTES {
            self.refused(Refusal::HeadTooLarge, &request);
            let error = ApiError::new(
                ErrorStatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                HEAD_TOO_LARGE,
                format!("The request head is larger than the limit of {MAX_HEAD_BYTES} bytes."),
            );
            return Ok(error_response(&error, true));
        }
        if let Some(coding) = unknown_transfer_coding(request.headers()) {
            // The body's framing is not known, so the connection cannot carry
            // another request.
            self.refused(Refusal::UnknownTransferCoding, &request);
            let error = ApiError::new(
                ErrorStatusCode::NOT_IMPLEMENTED,
                NOT_IMPLEMENTED,
                format!(
                    "The transfer coding {coding:?} is not implemented; send the body with a \
                     Content-Length or chunked alone."
                ),
            );
            return Ok(error_response(&error, true));
        }
        let endpoint = match shared.routes.lookup(request.method(), request.uri().path()) {
            Lookup::Found(endpoint) => endpoint,
            Lookup::NoSuchPath => {
                self.refused(Refusal::UnknownPath, &request);
                let message = if request.uri().path() == "/" {
                    "This is the Feather API; its reference is at /docs, its contract at /openapi.json and its review page at /review."
                } else {
                    "No operation has this path; the API reference is at /docs."
                };
                let close = has_body(&request);
                return Ok(error_response(&ApiError::not_found(message), close));
            }
            Lookup::WrongMethod(allow) => {
                self.refused(Refusal::WrongMethod, &request);
                let mut response = error_response(
                    &ApiError::new(
                        ErrorStatusCode::METHOD_NOT_ALLOWED,
                        codes::METHOD_NOT_ALLOWED,
                        format!("This path does not serve that method; it serves {allow}."),
                    ),
                    has_body(&request),
                );
                if let Ok(allow) = HeaderValue::from_str(allow) {
                    response.headers_mut().insert(header::ALLOW, allow);
                }
                return Ok(response);
            }
        };
        if endpoint.needs_key {
            // An address that sent too many wrong keys is refused before its key
            // is checked, so it cannot go on guessing at full speed.
            if let Some(wait) = shared.throttle.refused(self.remote.ip()) {
                self.refused(Refusal::Throttled, &request);
                return Ok(throttled(wait, has_body(&request)));
            }
            match shared.gate.admit(request.headers()).await {
                Ok(Some(admission)) => {
                    request.headers_mut().insert(ADMISSION_HEADER, admission);
                }
                Ok(None) => {}
                Err(err) => {
                    if err.status() == ErrorStatusCode::UNAUTHORIZED {
                        shared.throttle.wrong_key(self.remote.ip());
                        self.refused(Refusal::Unauthorized, &request);
                    }
                    return Ok(error_response(&err, has_body(&request)));
                }
            }
        }
        if let Some(routed) = shared.routes.routed_path(request.uri().path()) {
            // Published at another path than dropshot routes it (`routes.rs`).
            let path_and_query = match request.uri().query() {
                Some(query) => format!("{routed}?{query}"),
                None => routed,
            };
            match http::Uri::try_from(path_and_query) {
                Ok(uri) => *request.uri_mut() = uri,
                Err(_) => {
                    let close = has_body(&request);
                    return Ok(error_response(&ApiError::internal(), close));
                }
            }
        }
        let (parts, incoming) = request.into_parts();
        let inline = shared
            .inline
            .as_ref()
            .filter(|inline| inline.serves(&parts.method, parts.uri.path()));
        // A body on an operation that takes none is not read; hyper closes the
        // connection after the answer instead.
        let unread = !endpoint.takes_body && !incoming.is_end_stream();
        if let Some(inline) = inline
            && incoming.is_end_stream()
        {
            return Ok(self.inline(inline, parts, Bytes::new(), None).await);
        }
        if !endpoint.takes_body || incoming.is_end_stream() {
            return match self.forward(parts, Outgoing::Empty).await.1 {
                Ok(response) => Ok(self.checked(response).await),
                Err(err) => {
                    warn!(shared.log, "the API server behind the front did not answer"; "error" => %err);
                    Ok(error_response(&ApiError::internal(), unread))
                }
            };
        }
        let limit = shared.body_limits.max_bytes;
        let declared = match incoming.size_hint().exact().map(usize::try_from) {
            Some(Ok(n)) if n <= limit => Some(n),
            Some(_) => return Ok(error_response(&ApiError::payload_too_large(limit), true)),
            None => None,
        };
        // A small declared body draws on an allowance of its own, so it never
        // queues behind large ones that fill the budget.
        let pool = match declared {
            Some(n) if n <= SMALL_BODY_BYTES => &shared.small_budget,
            _ => &shared.budget,
        };
        let reserved = body::reserve(
            pool,
            declared.unwrap_or(0),
            shared.body_limits.queue_timeout,
        )
        .await;
        let uri = parts.uri.clone();
        let permit = match reserved {
            Ok(permit) => permit,
            Err(err) => return self.body_failed(err, &uri),
        };
        let outgoing = match declared {
            Some(length) if length <= SMALL_BODY_BYTES => {
                match body::read(incoming, length, &shared.body_limits).await {
                    Ok(bytes) => match inline {
                        Some(inline) => {
                            return Ok(self.inline(inline, parts, bytes, Some(permit)).await);
                        }
                        None => Outgoing::Whole(bytes, permit),
                    },
                    Err(err) => return self.body_failed(err, &uri),
                }
            }
            _ => Outgoing::Streamed(Streamed {
                incoming,
                declared,
                permit,
            }),
        };
        let (pumped, response) = self.forward(parts, outgoing).await;
        if let Err(err) = pumped {
            return self.body_failed(err, &uri);
        }
        let response = match response {
            Ok(response) => response,
            Err(err) => {
                warn!(shared.log, "the API server behind the front did not answer"; "error" => %err);
                return Ok(error_response(&ApiError::internal(), false));
            }
        };
        Ok(self.checked(response).await)
    }

    /// The answer to a body that was not read whole: 413 or 503 with the
    /// connection closed, or no answer at all (too slow, or broken off).
    fn body_failed(&self, err: BodyError, uri: &http::Uri) -> Result<Response<FrontBody>, Hangup> {
        let shared = &*self.shared;
        match err {
            BodyError::TooLarge => Ok(error_response(
                &ApiError::payload_too_large(shared.body_limits.max_bytes),
                true,
            )),
            BodyError::Busy => Ok(error_response(&busy(), true)),
            BodyError::TooSlow => {
                info!(shared.log, "request body too slow; closing the connection";
                    "remote_addr" => %self.remote, "uri" => %uri);
                Err(Hangup("the request body was too slow"))
            }
            BodyError::Broken(err) => {
                debug!(shared.log, "request body not received whole";
                    "remote_addr" => %self.remote, "error" => %err);
                Err(Hangup("the request body was not received whole"))
            }
        }
    }

    /// Answers an admitted request in-process ([`Inline`]), which holds the body's
    /// reservation until its work is done.
    async fn inline(
        &self,
        inline: &Arc<dyn Inline>,
        mut parts: http::request::Parts,
        body: Bytes,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Response<FrontBody> {
        parts.headers.remove(header::EXPECT);
        inline.answer(parts, body, permit, self.remote).await
    }

    /// Counts (and in time logs) a request the front answers by itself.
    fn refused(&self, refusal: Refusal, request: &Request<Incoming>) {
        self.shared.refusals.refused(
            refusal,
            self.remote.ip(),
            request.method().as_str(),
            request.uri().path(),
        );
    }

    /// Sends the request to dropshot on this connection's loopback connection,
    /// opening it (again) if needed, with its body: a small one as read whole, a
    /// large one streamed as it arrives ([`body::pump`]). Returns how reading the
    /// body went and dropshot's answer.
    ///
    /// The body's reservation is released when dropshot has answered, by a task of
    /// its own that sends the body and waits for the answer: a client that leaves
    /// first drops this future, but dropshot (whose handlers run detached) may
    /// still handle what it received, so its bytes must stay counted until then.
    async fn forward(
        &self,
        parts: http::request::Parts,
        outgoing: Outgoing,
    ) -> (Result<(), BodyError>, Result<Response<Incoming>, BoxError>) {
        let streamed = match outgoing {
            Outgoing::Empty => {
                let empty = Either::Left(Full::new(Bytes::new()));
                return (Ok(()), self.exchange(parts, empty).await);
            }
            Outgoing::Whole(bytes, permit) => {
                let exchange = self.exchange(parts, Either::Left(Full::new(bytes)));
                let answered = tokio::spawn(async move {
                    let answer = exchange.await;
                    drop(permit);
                    answer
                });
                let answer = answered.await.unwrap_or_else(|err| Err(err.into()));
                return (Ok(()), answer);
            }
            Outgoing::Streamed(streamed) => streamed,
        };
        let Streamed {
            incoming,
            declared,
            mut permit,
        } = streamed;
        let (feed, forwarded) = body::channel(declared);
        let exchange = self.exchange(parts, Either::Right(forwarded));
        let shared = Arc::clone(&self.shared);
        let answered = tokio::spawn(async move {
            let pump = body::pump(
                incoming,
                declared,
                &shared.body_limits,
                &shared.budget,
                &mut permit,
                feed,
            );
            let (pumped, answer) = tokio::join!(pump, exchange);
            drop(permit);
            (pumped, answer)
        });
        answered
            .await
            .unwrap_or_else(|err| (Ok(()), Err(BoxError::from(err))))
    }

    /// The exchange with dropshot, owning all it needs, so that it can outlive
    /// the client's request. A body of unknown length goes chunked.
    fn exchange(
        &self,
        mut parts: http::request::Parts,
        body: UpstreamBody,
    ) -> impl Future<Output = Result<Response<Incoming>, BoxError>> + Send + 'static {
        strip_hop_by_hop(&mut parts.headers);
        parts.headers.remove(header::EXPECT);
        match body.size_hint().exact() {
            Some(length) => {
                parts
                    .headers
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            }
            None => {
                parts.headers.remove(header::CONTENT_LENGTH);
            }
        }
        parts.headers.insert(
            HeaderName::from_static("x-forwarded-for"),
            self.forwarded_for.clone(),
        );
        parts.version = http::Version::HTTP_11;
        let request = Request::from_parts(parts, body);
        let upstream = Arc::clone(&self.upstream);
        let address = self.shared.upstream;
        async move {
            let mut upstream = upstream.lock_owned().await;
            send(&mut upstream, address, request).await
        }
    }

    /// Dropshot's answer, with any error body that is not one of the contract's
    /// replaced by an `ErrorResponse` of the same status.
    async fn checked(&self, response: Response<Incoming>) -> Response<FrontBody> {
        let status = response.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return response.map(Either::Right);
        }
        let (mut parts, incoming) = response.into_parts();
        let bytes = match Limited::new(incoming, ERROR_BODY_LIMIT).collect().await {
            Ok(collected) => Some(collected.to_bytes()),
            Err(_) => None,
        };
        if let Some(bytes) = bytes.filter(|b| is_contract_error(b)) {
            return Response::from_parts(parts, Either::Left(Full::new(bytes)));
        }
        warn!(self.shared.log, "an error answer was not the contract's; replaced";
            "status" => status.as_u16());
        let replacement = match ClientErrorStatusCode::from_status(status) {
            Ok(client) => ApiError::from(client),
            Err(_) if status == StatusCode::SERVICE_UNAVAILABLE => ApiError::unavailable(),
            Err(_) => ApiError::internal(),
        };
        let (_, body) = error_response(&replacement, false).into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Response::from_parts(parts, body)
    }
}

/// The body of a request to dropshot: read whole (or none), or streamed.
type UpstreamBody = Either<Full<Bytes>, body::Forwarded>;

/// What a request sends dropshot as its body, with the body's reservation.
enum Outgoing {
    Empty,
    /// A small body, read whole ([`body::read`]).
    Whole(Bytes, OwnedSemaphorePermit),
    Streamed(Streamed),
}

/// The loopback connection to dropshot a client connection uses.
type Upstream = Option<SendRequest<UpstreamBody>>;

/// A request body to stream to dropshot, with its reservation in the budget.
struct Streamed {
    incoming: Incoming,
    /// Its `Content-Length`, if it declared one (within the limit).
    declared: Option<usize>,
    permit: OwnedSemaphorePermit,
}

/// Sends `request` on `upstream` (opened, or opened again, as needed) and waits
/// for the answer's head.
async fn send(
    upstream: &mut Upstream,
    address: SocketAddr,
    mut request: Request<UpstreamBody>,
) -> Result<Response<Incoming>, BoxError> {
    // A kept connection may have closed meanwhile; then one retry on a new one.
    for attempt in 0..2 {
        let sender = match upstream.as_mut() {
            Some(sender) if !sender.is_closed() => sender,
            _ => upstream.insert(connect(address).await?),
        };
        if let Err(err) = sender.ready().await {
            *upstream = None;
            if attempt == 1 {
                return Err(err.into());
            }
            continue;
        }
        match sender.try_send_request(request).await {
            Ok(response) => return Ok(response),
            Err(mut err) => {
                *upstream = None;
                match err.take_message() {
                    Some(unsent) if attempt == 0 => request = unsent,
                    _ => return Err(err.into_error().into()),
                }
            }
        }
    }
    unreachable!("the second attempt returns")
}

async fn connect(address: SocketAddr) -> Result<SendRequest<UpstreamBody>, BoxError> {
    let stream = TcpStream::connect(address).await?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

fn has_body(request: &Request<Incoming>) -> bool {
    !request.body().is_end_stream()
}

/// The 503 for a body that found no room in the in-flight budget.
fn busy() -> ApiError {
    ApiError::new(
        ErrorStatusCode::SERVICE_UNAVAILABLE,
        codes::SERVICE_UNAVAILABLE,
        "The server is receiving as many request bodies as it allows; try again shortly.",
    )
}

/// The 429 for an address that sent too many wrong keys, with `Retry-After` in
/// whole seconds.
fn throttled(wait: Duration, close: bool) -> Response<FrontBody> {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let error = ApiError::new(
        ErrorStatusCode::TOO_MANY_REQUESTS,
        refusals::TOO_MANY_REQUESTS,
        format!(
            "Too many requests from this address had a missing or wrong API key; \
             try again in {seconds} s."
        ),
    );
    let mut response = error_response(&error, close);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The size of a request's head as sent: the request line and the header lines
/// with their line ends.
fn head_bytes(request: &Request<Incoming>) -> usize {
    let line = request.method().as_str().len()
        + request
            .uri()
            .path_and_query()
            .map_or(1, |p| p.as_str().len())
        + " HTTP/1.1\r\n".len();
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + ": ".len() + value.len() + "\r\n".len())
        .sum();
    line + headers + "\r\n".len()
}

/// The first transfer coding of a request other than `chunked`, if any: hyper
/// decodes `chunked` and ignores what precedes it, so `gzip, chunked` would be
/// taken for a plain chunked body (RFC 9112 §6.1: a server answers 501 to a
/// transfer coding it does not understand).
fn unknown_transfer_coding(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::TRANSFER_ENCODING)
        .iter()
        .flat_map(|value| {
            String::from_utf8_lossy(value.as_bytes())
                .split(',')
                .map(|coding| coding.trim().to_ascii_lowercase())
                .filter(|coding| !coding.is_empty())
                .collect::<Vec<_>>()
        })
        .find(|coding| coding != "chunked")
        .map(|coding| coding.chars().take(40).collect())
}

/// Whether an error body is an `ErrorResponse` or an `HTTPValidationError`.
fn is_contract_error(bytes: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(bytes) else {
        return false;
    };
    let error_response = object.get("error").is_some_and(|v| v.is_string())
        && object.get("message").is_some_and(|v| v.is_string());
    let validation = object.get("detail").is_some_and(|v| v.is_array());
    error_response || validation
}

/// An `ErrorResponse` (or 422) answer; `close` when the request's body was left
/// unread, so the connection cannot carry another request.
pub fn error_response(error: &ApiError, close: bool) -> Response<FrontBody> {
    let json = serde_json::to_vec(error).expect("an ApiError always serialises");
    let mut response = Response::new(Either::Left(Full::new(Bytes::from(json))));
    *response.status_mut() = error.status().as_status();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if close {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Removes the headers that belong to one hop (RFC 9110 §7.6.1).
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::TE,
        header::TRAILER,
        header::UPGRADE,
        header::PROXY_AUTHORIZATION,
        HeaderName::from_static("keep-alive"),
        HeaderName::from_static("proxy-connection"),
    ] {
        headers.remove(name);
    }
}
