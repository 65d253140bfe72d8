//! The front on real sockets: every limit of the README's "Limits" section, and
//! every answer that is not an operation's still one of the contract's bodies.
//!
//! Requests are written by hand on a `TcpStream`, so a test controls exactly what
//! is sent and when: a head without its body, a body that stalls, a connection that
//! sends nothing. A read that never ends would hang a test, so every read has a
//! generous bound (`WAIT`) that only a broken limit reaches; nothing here asserts
//! how fast anything happened.

use std::time::Duration;

use feather_server::config::{FrontOptions, Limits, TlsFiles};
use feather_server::front::SMALL_BODY_BYTES;
use feather_server::{RunningServer, ServerConfig};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) const KEY: &str = "front-test-key";

/// The server's own gate, with the development key `KEY`, on a store in `dir`.
pub(crate) async fn key_gate(
    dir: &std::path::Path,
) -> std::sync::Arc<feather_server::ServerContext> {
    let url = dir.join("gate.db").display().to_string();
    let store = feather_store::Store::connect(&url).await.unwrap();
    let config = ServerConfig {
        api_key: Some(KEY.to_owned()),
        ..ServerConfig::default()
    };
    std::sync::Arc::new(feather_server::ServerContext::new(&config, store))
}

/// The front alone, on a port of its own, before the test's API server at
/// `upstream`.
pub(crate) fn front_before(
    upstream: std::net::SocketAddr,
    gate: std::sync::Arc<feather_server::ServerContext>,
    options: &FrontOptions,
) -> feather_server::front::Front {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let log = feather_server::config::logger("warn").unwrap();
    feather_server::front::Front::start(
        listener,
        upstream,
        feather_server::routes(),
        gate,
        options,
        log,
    )
    .unwrap()
}
/// The bound on any read: far beyond every limit the tests configure.
const WAIT: Duration = Duration::from_secs(60);
pub(crate) const DRAFT: &str = "/v1/scenarios/draft-from-session";

struct Front {
    server: Option<RunningServer>,
    address: std::net::SocketAddr,
    _dir: tempfile::TempDir,
}

impl Front {
    async fn start(adjust: impl FnOnce(&mut Limits)) -> Front {
        Front::start_with(|options| adjust(&mut options.limits)).await
    }

    async fn start_with(adjust: impl FnOnce(&mut FrontOptions)) -> Front {
        let dir = tempfile::tempdir().unwrap();
        let mut front = FrontOptions::default();
        adjust(&mut front);
        let config = ServerConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            database_url: dir.path().join("front.db").display().to_string(),
            api_key: Some(KEY.to_owned()),
            log_level: "warn".to_owned(),
            front,
            ..ServerConfig::default()
        };
        let server = feather_server::start(&config).await.unwrap();
        Front {
            address: server.local_addr(),
            server: Some(server),
            _dir: dir,
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.address).await.unwrap()
    }

    async fn close(mut self) {
        self.server.take().unwrap().close().await.unwrap();
    }
}

/// A request head; `extra` holds more header lines, each ending in `\r\n`.
pub(crate) fn head(method: &str, path: &str, key: Option<&str>, extra: &str) -> String {
    let key = key
        .map(|k| format!("x-api-key: {k}\r\n"))
        .unwrap_or_default();
    format!("{method} {path} HTTP/1.1\r\nhost: test\r\n{key}{extra}\r\n")
}

/// One answer read from the socket: status, headers (lower-case names), JSON body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `error` code of an `ErrorResponse` body, which must have a message too.
    pub(crate) fn code(&self) -> &str {
        assert!(self.body["message"].is_string(), "{self:?}");
        self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{self:?}"))
    }
}

/// Reads one answer (with a `content-length`), or `None` if the connection closes
/// first.
pub(crate) async fn read_answer<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Answer> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("the server neither answered nor closed the connection")
            .unwrap_or(0);
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("the body did not arrive")
            .unwrap();
        assert!(n > 0, "the connection closed inside a body");
        body.extend_from_slice(&chunk[..n]);
    }
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}: {body:?}"))
    };
    Some(Answer {
        status,
        headers,
        body,
    })
}

/// Sends `request` on a new connection and reads the answer.
async fn ask(front: &Front, request: &[u8]) -> Answer {
    let mut stream = front.connect().await;
    stream.write_all(request).await.unwrap();
    read_answer(&mut stream).await.expect("an answer")
}

/// Whether the server closes the connection without answering.
async fn closed_unanswered(stream: &mut TcpStream) -> bool {
    read_answer(stream).await.is_none()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_and_methods_get_error_responses() {
    let front = Front::start(|_| {}).await;
    let root = ask(&front, head("GET", "/", None, "").as_bytes()).await;
    assert_eq!(root.status, 404);
    assert_eq!(root.code(), "not_found");
    assert!(
        root.body["message"].as_str().unwrap().contains("/docs"),
        "{root:?}"
    );

    let unknown = ask(&front, head("GET", "/v2/nothing", Some(KEY), "").as_bytes()).await;
    assert_eq!((unknown.status, unknown.code()), (404, "not_found"));

    for method in ["DELETE", "PATCH", "TRACE", "BREW"] {
        let path = "/v1/sessions/4e2c2f6e-3c1f-4d52-9d61-1b2f6d0f7a10/analysis-input";
        let answer = ask(&front, head(method, path, Some(KEY), "").as_bytes()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (405, "method_not_allowed"),
            "{method}"
        );
        assert_eq!(answer.header("allow"), Some("GET, PUT"));
    }
    let get_draft = ask(&front, head("GET", DRAFT, Some(KEY), "").as_bytes()).await;
    assert_eq!(
        (get_draft.status, get_draft.header("allow")),
        (405, Some("POST"))
    );

    // The documentation is still served, without a key.
    let docs = ask(&front, head("GET", "/openapi.json", None, "").as_bytes()).await;
    assert_eq!(docs.status, 200);
    assert_eq!(docs.body["openapi"], "3.0.3");
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_valid_key_is_answered_before_its_body_is_sent() {
    let front = Front::start(|_| {}).await;
    for key in [None, Some("wrong")] {
        // The head declares 8 MiB; not a byte of the body is ever sent.
        let request = head(
            "POST",
            DRAFT,
            key,
            "content-type: application/json\r\ncontent-length: 8388608\r\n",
        );
        let answer = ask(&front, request.as_bytes()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "unauthorized"),
            "{key:?}"
        );
        assert_eq!(answer.header("connection"), Some("close"));
    }
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_length_over_the_limit_is_413_at_once() {
    let front = Front::start(|_| {}).await;
    let request = head(
        "POST",
        DRAFT,
        Some(KEY),
        "content-type: application/json\r\ncontent-length: 100000000000\r\n",
    );
    let answer = ask(&front, request.as_bytes()).await;
    assert_eq!((answer.status, answer.code()), (413, "payload_too_large"));
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_over_the_limit_is_413() {
    let front = Front::start(|limits| limits.max_body_bytes = 1000).await;
    let mut stream = front.connect().await;
    let request = head(
        "POST",
        DRAFT,
        Some(KEY),
        "content-type: application/json\r\ntransfer-encoding: chunked\r\n",
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let chunk = format!("258\r\n{}\r\n", " ".repeat(600));
    stream.write_all(chunk.as_bytes()).await.unwrap();
    stream.write_all(chunk.as_bytes()).await.unwrap();
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert_eq!((answer.status, answer.code()), (413, "payload_too_large"));
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_arriving_closes_its_connection() {
    let front = Front::start(|limits| {
        limits.body_idle_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = front.connect().await;
    let request = head(
        "POST",
        DRAFT,
        Some(KEY),
        "content-type: application/json\r\ncontent-length: 1000\r\n",
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(b"{").await.unwrap();
    assert!(closed_unanswered(&mut stream).await);
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_below_the_minimum_rate_closes_its_connection() {
    // No gap reaches the idle timeout; the average rate (2 bytes a second) is
    // below the minimum (100) once the first second has passed.
    let front = Front::start(|limits| {
        limits.body_idle_timeout = Duration::from_secs(1);
        limits.body_min_rate = 100;
    })
    .await;
    let mut stream = front.connect().await;
    let request = head(
        "POST",
        DRAFT,
        Some(KEY),
        "content-type: application/json\r\ncontent-length: 1000\r\n",
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let trickle = async {
        for _ in 0..1000 {
            if stream.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    let _ = tokio::time::timeout(WAIT, trickle).await;
    assert!(closed_unanswered(&mut stream).await);
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_beyond_the_in_flight_budget_get_503() {
    // Large bodies (over the small bodies' own allowance); the budget holds one.
    const LARGE: usize = 2 * SMALL_BODY_BYTES;
    let front = Front::start(|limits| {
        limits.max_body_bytes = LARGE;
        limits.max_body_bytes_in_flight = LARGE;
        limits.body_idle_timeout = Duration::from_secs(120);
    })
    .await;
    let large_head = head(
        "POST",
        DRAFT,
        Some(KEY),
        &format!("content-type: application/json\r\ncontent-length: {LARGE}\r\n"),
    );
    // The first body reserves the whole budget and stays unfinished.
    let mut holder = front.connect().await;
    holder.write_all(large_head.as_bytes()).await.unwrap();
    holder.write_all(b"{").await.unwrap();
    // Give the front time to reserve it; a second large body then finds no room.
    // (One admitted before the holder's is answered 422 at once and frees its
    // room; the holder, queued, then takes it.) A refused body is not read, so it
    // is written by a task of its own, which may fail.
    let mut second = None;
    for _ in 0..50 {
        let (mut reader, mut writer) = front.connect().await.into_split();
        let mut request = large_head.clone().into_bytes();
        request.extend(std::iter::repeat_n(b' ', LARGE));
        let writing = tokio::spawn(async move {
            let _ = writer.write_all(&request).await;
            writer
        });
        let answer = read_answer(&mut reader).await.expect("an answer");
        writing.abort();
        if answer.status == 503 {
            second = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = second.expect("a body beyond the budget was never refused");
    assert_eq!(second.code(), "service_unavailable");
    // A small body is not refused: it has an allowance of its own.
    let small = format!(
        "{}{{}}",
        head(
            "POST",
            DRAFT,
            Some(KEY),
            "content-type: application/json\r\ncontent-length: 2\r\n"
        )
    );
    let answer = ask(&front, small.as_bytes()).await;
    assert_eq!(answer.status, 422, "{answer:?}");
    // Once the first body is whole and answered, its bytes are free again.
    holder.write_all(&vec![b' '; LARGE - 1]).await.unwrap();
    let first = read_answer(&mut holder).await.expect("an answer");
    assert_eq!(first.status, 422, "{first:?}");
    let mut after = front.connect().await;
    after.write_all(large_head.as_bytes()).await.unwrap();
    after.write_all(&vec![b' '; LARGE]).await.unwrap();
    let after = read_answer(&mut after).await.expect("an answer");
    assert_eq!(after.status, 422, "{after:?}");
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_get_503_and_a_freed_slot_is_reused() {
    let front = Front::start(|limits| limits.max_connections = 2).await;
    let first = front.connect().await;
    let second = front.connect().await;
    let mut third = front.connect().await;
    third
        .write_all(head("GET", "/openapi.json", None, "").as_bytes())
        .await
        .unwrap();
    let refused = read_answer(&mut third).await.expect("an answer");
    assert_eq!(
        (refused.status, refused.code()),
        (503, "service_unavailable")
    );
    drop(first);
    drop(second);
    // The front notices the closed connections as it reads them; retry briefly.
    let mut status = 0;
    for _ in 0..100 {
        status = ask(&front, head("GET", "/openapi.json", None, "").as_bytes())
            .await
            .status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200);
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_no_request_is_closed() {
    let front = Front::start(|limits| limits.header_timeout = Duration::from_secs(1)).await;
    let mut silent = front.connect().await;
    assert!(closed_unanswered(&mut silent).await);
    // So is one left idle after a request.
    let mut idle = front.connect().await;
    idle.write_all(head("GET", "/openapi.json", None, "").as_bytes())
        .await
        .unwrap();
    assert_eq!(read_answer(&mut idle).await.unwrap().status, 200);
    assert!(closed_unanswered(&mut idle).await);
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_requests_pass_through_to_the_api() {
    let front = Front::start(|_| {}).await;
    let mut stream = front.connect().await;
    for _ in 0..3 {
        let request = format!(
            "{}{{}}",
            head(
                "POST",
                DRAFT,
                Some(KEY),
                "content-type: application/json\r\ncontent-length: 2\r\n"
            )
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let answer = read_answer(&mut stream).await.expect("an answer");
        // The handler's 422: the body reached dropshot and our validation.
        assert_eq!(answer.status, 422, "{answer:?}");
        assert_eq!(answer.body["detail"][0]["type"], "missing");
        assert!(answer.header("x-request-id").is_some());
    }
    front.close().await;
}

/// Sends a JSON body with the key, its length declared or chunked (which the front
/// streams to dropshot), and reads the answer: a JSON one with a request id.
async fn json_exchange(
    stream: &mut TcpStream,
    method: &str,
    path: &str,
    body: &str,
    chunked: bool,
) -> Answer {
    let (framing, sent) = if chunked {
        let sent = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
        ("transfer-encoding: chunked\r\n".to_owned(), sent)
    } else {
        (
            format!("content-length: {}\r\n", body.len()),
            body.to_owned(),
        )
    };
    let extra = format!("content-type: application/json\r\n{framing}");
    let request = format!("{}{sent}", head(method, path, Some(KEY), &extra));
    stream.write_all(request.as_bytes()).await.unwrap();
    let answer = read_answer(stream).await.expect("an answer");
    assert!(answer.header("x-request-id").is_some(), "{answer:?}");
    assert_eq!(answer.header("content-type"), Some("application/json"));
    answer
}

/// The draft endpoint is answered by the front itself when its body is read whole
/// (issue 24), and by dropshot's handler when the front streams it (no length):
/// both answer alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_answered_in_process_answers_as_dropshot_does() {
    let front = Front::start(|_| {}).await;
    let mut stream = front.connect().await;
    let mut answers = Vec::new();
    let unknown = r#"{"session_id": "00000000-0000-4000-8000-000000000000"}"#;
    for (body, chunked) in [
        ("{}", false),
        ("{}", true),
        (unknown, false),
        (unknown, true),
    ] {
        answers.push(json_exchange(&mut stream, "POST", DRAFT, body, chunked).await);
    }
    assert_eq!(answers[0].status, 422);
    assert_eq!(answers[0].status, answers[1].status);
    assert_eq!(answers[0].body, answers[1].body);
    assert_eq!(answers[2].status, 404, "{:?}", answers[2]);
    assert_eq!(answers[2].status, answers[3].status);
    assert_eq!(answers[2].body, answers[3].body);
    front.close().await;
}

/// A capture is answered by the front itself too when its body is read whole, and
/// by dropshot's handler when the front streams it: both validate, refuse and store
/// alike, and a capture stored in-process is there for the draft endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_answered_in_process_answers_as_dropshot_does() {
    let front = Front::start(|_| {}).await;
    let mut stream = front.connect().await;
    let (session_id, session) =
        crate::session_body("refund-voice.analysis-input.json", uuid::Uuid::new_v4());
    let session = session.to_string();
    let path = format!("/v1/sessions/{session_id}/analysis-input");
    let other = format!("/v1/sessions/{}/analysis-input", uuid::Uuid::new_v4());
    let mut answers = Vec::new();
    for (path, body, chunked) in [
        (&path, "{}", false),
        (&path, "{}", true),
        (&other, session.as_str(), false),
        (&other, session.as_str(), true),
        (&path, session.as_str(), false),
        (&path, session.as_str(), true),
    ] {
        answers.push(json_exchange(&mut stream, "PUT", path, body, chunked).await);
    }
    // A body that is no session: the same 422 list.
    assert_eq!(answers[0].status, 422, "{:?}", answers[0]);
    assert_eq!(answers[0].body, answers[1].body);
    // The body's id is not the path's: the same 400.
    assert_eq!(answers[2].status, 400, "{:?}", answers[2]);
    assert_eq!(answers[2].body, answers[3].body);
    // Stored in-process, then replaced through dropshot.
    assert_eq!(answers[4].status, 200, "{:?}", answers[4]);
    assert_eq!(
        answers[4].body,
        serde_json::json!({"session_id": session_id.to_string(), "created": true})
    );
    assert_eq!(answers[5].status, 200, "{:?}", answers[5]);
    assert_eq!(answers[5].body["created"], false);
    let body = format!(r#"{{"session_id": "{session_id}"}}"#);
    let extra = format!(
        "content-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    let request = format!("{}{body}", head("POST", DRAFT, Some(KEY), &extra));
    stream.write_all(request.as_bytes()).await.unwrap();
    let drafted = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(drafted.status, 200, "{drafted:?}");
    assert!(drafted.body["journey"].is_string(), "{drafted:?}");
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_lets_an_allowed_origin_read_answers_errors_included() {
    let origin = "https://app.example.com";
    let front = Front::start_with(|options| {
        options.cors_allow_origins = vec![origin.to_owned()];
    })
    .await;
    let preflight = ask(
        &front,
        head(
            "OPTIONS",
            DRAFT,
            None,
            &format!(
                "origin: {origin}\r\naccess-control-request-method: POST\r\naccess-control-request-headers: x-api-key, content-type\r\n"
            ),
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(preflight.status, 204, "{preflight:?}");
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(origin)
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("POST")
    );
    let allowed_headers = preflight.header("access-control-allow-headers").unwrap();
    assert!(allowed_headers.contains("x-api-key") && allowed_headers.contains("content-type"));

    // A 401 and a 422 carry the header too, so the browser application reads them.
    let keyless = ask(
        &front,
        head(
            "POST",
            DRAFT,
            None,
            &format!("origin: {origin}\r\ncontent-length: 0\r\n"),
        )
        .as_bytes(),
    )
    .await;
    assert_eq!((keyless.status, keyless.code()), (401, "unauthorized"));
    assert_eq!(keyless.header("access-control-allow-origin"), Some(origin));
    let invalid = format!(
        "{}{{}}",
        head(
            "POST",
            DRAFT,
            Some(KEY),
            &format!("origin: {origin}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n")
        )
    );
    let invalid = ask(&front, invalid.as_bytes()).await;
    assert_eq!(invalid.status, 422, "{invalid:?}");
    assert_eq!(invalid.header("access-control-allow-origin"), Some(origin));

    // Another origin gets no CORS headers: its browser refuses the answer.
    let other = ask(
        &front,
        head(
            "POST",
            DRAFT,
            None,
            "origin: https://elsewhere.example\r\ncontent-length: 0\r\n",
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(other.status, 401);
    assert_eq!(other.header("access-control-allow-origin"), None);
    front.close().await;

    // Off by default: a preflight is just another method the path does not serve.
    let plain = Front::start(|_| {}).await;
    let preflight = ask(
        &plain,
        head(
            "OPTIONS",
            DRAFT,
            None,
            &format!("origin: {origin}\r\naccess-control-request-method: POST\r\n"),
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(
        (preflight.status, preflight.code()),
        (405, "method_not_allowed")
    );
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    plain.close().await;
}

/// A self-signed certificate for `localhost` and 127.0.0.1, made now.
fn test_certificate(dir: &std::path::Path) -> TlsFiles {
    let (cert, key) = feather_test_support::test_certificate(dir);
    TlsFiles { cert, key }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_the_api_and_its_errors() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};

    let certificates = tempfile::tempdir().unwrap();
    let files = test_certificate(certificates.path());
    let cert = CertificateDer::from_pem_file(&files.cert).unwrap();
    let front = Front::start_with(|options| options.tls = Some(files)).await;

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let client = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(client));
    let connect = || async {
        connector
            .connect(
                ServerName::try_from("localhost").unwrap(),
                front.connect().await,
            )
            .await
            .unwrap()
    };

    let mut stream = connect().await;
    stream
        .write_all(head("GET", "/openapi.json", None, "").as_bytes())
        .await
        .unwrap();
    let contract = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(
        (contract.status, contract.body["openapi"].as_str()),
        (200, Some("3.0.3"))
    );
    // The same connection carries the next request: a keyless draft, 401.
    stream
        .write_all(head("POST", DRAFT, None, "content-length: 0\r\n").as_bytes())
        .await
        .unwrap();
    let keyless = read_answer(&mut stream).await.expect("an answer");
    assert_eq!((keyless.status, keyless.code()), (401, "unauthorized"));

    // Plain HTTP on the TLS port gets no answer.
    let mut plain = front.connect().await;
    plain
        .write_all(head("GET", "/openapi.json", None, "").as_bytes())
        .await
        .unwrap();
    assert!(closed_unanswered(&mut plain).await);
    front.close().await;
}
