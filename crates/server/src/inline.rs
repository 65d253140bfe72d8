//! The draft and capture endpoints answered on the front's own connection, without
//! dropshot.
//!
//! Why: the front (see [`crate::front`]) forwarded every request to dropshot over
//! a second loopback connection, and that hop was most of the draft endpoint's
//! cost (issue 24, `docs/performance.md`): four more system calls per request, the
//! kernel's TCP work twice, a second HTTP parse and encode, more task wake-ups.
//! Dropshot 0.18 offers no public way to hand it a request or a connection (its
//! request handler and `DropshotState` are private, and it serves only a socket
//! it binds itself), so the hop cannot be removed by calling dropshot in-process.
//! Instead the front answers the two hot operations itself, after its own checks,
//! with the very functions the dropshot handlers call: the key was checked by the
//! gate (whose admission header [`ServerContext::authenticate`] reads), the body
//! was read within the front's limits and reservation, the body is validated by
//! [`feather_api::JsonBody::parse`] as in the handlers, and the work is
//! [`drafts::draft_json`] or `handlers::store_capture`.
//!
//! The draft runs on the connection's task, not detached as dropshot's handlers:
//! it only reads (a stale draft remade and kept is an optimisation), so a client
//! that leaves may cancel it. A capture writes, so it runs as a task of its own
//! holding the body's reservation, as dropshot's detached handlers run: once
//! admitted it is stored or refused whether its client waits or not, and its bytes
//! stay counted in the front's budget until then. The dropshot handlers stay: they
//! document the operations, and they answer a request whose body the front streams
//! (over [`crate::front::SMALL_BODY_BYTES`] or of unknown length) or whose session
//! id is percent-encoded. Both answer alike, an `x-request-id` and a `request
//! completed` log record included.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use feather_api::{
    ApiError, JsonBody, QueryParams, ScenarioDraftFromSessionRequest, SessionAnalysisInput,
    SessionAttribution, SessionCaptured, SessionPath,
};
use http::header::{self, HeaderValue};
use http::{Method, Response};
use http_body_util::{Either, Full};
use slog::{Logger, info};
use tokio::sync::OwnedSemaphorePermit;

use crate::context::ServerContext;
use crate::drafts;
use crate::front::{self, FrontBody};

/// The draft endpoint's path, as routed and published.
pub const DRAFT_PATH: &str = "/v1/scenarios/draft-from-session";

/// The capture endpoint's path is [`SESSIONS_PATH`], the session id, then
/// [`CAPTURE_SUFFIX`].
const SESSIONS_PATH: &str = "/v1/sessions/";
const CAPTURE_SUFFIX: &str = "/analysis-input";

/// The operations answered in-process: `POST` [`DRAFT_PATH`] and the capture,
/// `PUT /v1/sessions/{session_id}/analysis-input`.
pub struct InlineOperations {
    inner: Arc<Inner>,
}

struct Inner {
    context: ServerContext,
    log: Logger,
    /// Request ids: random per process, then counted, as UUIDs (version 4 bits).
    ids: RequestIds,
}

impl InlineOperations {
    pub fn new(context: ServerContext, log: Logger) -> Self {
        InlineOperations {
            inner: Arc::new(Inner {
                context,
                log,
                ids: RequestIds::new(),
            }),
        }
    }
}

impl front::Inline for InlineOperations {
    fn serves(&self, method: &Method, path: &str) -> bool {
        (method == Method::POST && path == DRAFT_PATH)
            || (method == Method::PUT && captured_session(path).is_some())
    }

    fn answer(
        &self,
        parts: http::request::Parts,
        body: Bytes,
        reservation: Option<OwnedSemaphorePermit>,
        remote: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = Response<FrontBody>> + Send + 'static>> {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            let start = Instant::now();
            let answer = if parts.method == Method::PUT {
                let captured = capture(&inner, &parts, body, reservation).await;
                // As dropshot's `HttpResponseOk` writes it.
                captured.and_then(|captured| {
                    serde_json::to_string(&captured).map_err(|_| ApiError::internal())
                })
            } else {
                let drafted = draft(&inner.context, &inner.log, &parts.headers, body).await;
                drop(reservation);
                drafted
            };
            let mut response = match &answer {
                Ok(_) => Response::new(Either::Left(Full::new(Bytes::new()))),
                Err(err) => front::error_response(err, false),
            };
            let request_id = inner.ids.next();
            // One record, as dropshot writes, whose values are only formatted when
            // the level lets it through.
            match &answer {
                Ok(_) => info!(inner.log, "request completed";
                    "remote_addr" => remote, "req_id" => &request_id,
                    "method" => %parts.method, "uri" => %parts.uri,
                    "response_code" => response.status().as_u16(),
                    "latency_us" => start.elapsed().as_micros(),
                ),
                Err(err) => info!(inner.log, "request completed";
                    "remote_addr" => remote, "req_id" => &request_id,
                    "method" => %parts.method, "uri" => %parts.uri,
                    "response_code" => response.status().as_u16(),
                    "latency_us" => start.elapsed().as_micros(),
                    "error_message_external" => %err,
                ),
            }
            if let Ok(json) = answer {
                *response.body_mut() = Either::Left(Full::new(Bytes::from(json)));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(dropshot::CONTENT_TYPE_JSON),
                );
            }
            if let Ok(value) = HeaderValue::try_from(request_id) {
                response
                    .headers_mut()
                    .insert(dropshot::HEADER_REQUEST_ID, value);
            }
            response
        })
    }
}

/// The session id segment of a capture's path, `/v1/sessions/{session_id}/analysis-input`,
/// when it is one plain segment. One that is percent-encoded goes to dropshot, which
/// decodes it.
fn captured_session(path: &str) -> Option<&str> {
    let segment = path
        .strip_prefix(SESSIONS_PATH)?
        .strip_suffix(CAPTURE_SUFFIX)?;
    (!segment.is_empty() && !segment.contains(['/', '%'])).then_some(segment)
}

/// The request's `content-type`, as dropshot's [`JsonBody`] extractor reads it, for
/// a body read whole that [`JsonBody::parse`] then validates FastAPI-style.
fn content_type(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// The draft handler's steps ([`crate::handlers`]): authenticate (the front's
/// admission), validate the body FastAPI-style, then the stored draft.
async fn draft(
    context: &ServerContext,
    log: &Logger,
    headers: &http::HeaderMap,
    body: Bytes,
) -> Result<String, ApiError> {
    let scope = context.authenticate(headers).await?;
    let body = JsonBody::<ScenarioDraftFromSessionRequest>::from_bytes(body, content_type(headers));
    let request = body.parse()?;
    drafts::draft_json(context, log, scope, request.session_id).await
}

/// The capture handler's steps: authenticate, then
/// [`handlers::store_capture`](crate::handlers::store_capture), as a task of its own
/// that holds the body's reservation: a capture admitted is stored (or refused)
/// whether or not its client waits for the answer, as dropshot's detached handlers
/// do, and its bytes stay counted in the front's budget until then. A panic in it
/// is a 500.
async fn capture(
    inner: &Arc<Inner>,
    parts: &http::request::Parts,
    body: Bytes,
    reservation: Option<OwnedSemaphorePermit>,
) -> Result<SessionCaptured, ApiError> {
    let scope = inner.context.authenticate(&parts.headers).await?;
    let session_id = captured_session(parts.uri.path()).unwrap_or_default();
    let path = SessionPath {
        session_id: session_id.to_owned(),
    };
    let query = QueryParams::<SessionAttribution>::from_raw(parts.uri.query().unwrap_or(""));
    let body = JsonBody::<SessionAnalysisInput>::from_bytes(body, content_type(&parts.headers));
    let inner = Arc::clone(inner);
    let work = tokio::spawn(async move {
        let _reservation = reservation;
        crate::handlers::store_capture(&inner.context, &inner.log, scope, path, query, body).await
    });
    work.await.unwrap_or_else(|_| Err(ApiError::internal()))
}

/// UUID-shaped request ids without a system call each: 128 random bits drawn
/// once, plus a counter.
struct RequestIds {
    base: u128,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
        RequestIds {
            base: u128::from_le_bytes(bytes),
            next: AtomicU64::new(0),
        }
    }

    fn next(&self) -> String {
        let count = self.next.fetch_add(1, Ordering::Relaxed);
        let bits = self.base.wrapping_add(u128::from(count));
        uuid::Builder::from_random_bytes(bits.to_le_bytes())
            .into_uuid()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let ids = RequestIds::new();
        let first = uuid::Uuid::parse_str(&ids.next()).unwrap();
        let second = uuid::Uuid::parse_str(&ids.next()).unwrap();
        assert_ne!(first, second);
        assert_eq!(first.get_version_num(), 4);
    }
}
