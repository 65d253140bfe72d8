//! The front before an API server the test plays itself, on a real loopback socket,
//! so the test decides when each forwarded request is answered. That is what shows
//! the in-flight budget bounds a body while the API handles it (validation,
//! drafting and storage cost about ten times the body) and not only while it
//! arrives; and it shows what the front forwards: the gate's admission, never a
//! client's. The gate is the server's own (`ServerContext`, on a real SQLite file).
//! No read waits longer than `WAIT`, and nothing asserts how long anything took.

use std::net::SocketAddr;

use feather_server::config::FrontOptions;
use feather_server::front::{ADMISSION_HEADER, Front, SMALL_BODY_BYTES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

use crate::front::{DRAFT, KEY, front_before, head, key_gate, read_answer};

/// The bound on any wait, far beyond every limit involved.
const WAIT: std::time::Duration = std::time::Duration::from_secs(60);
/// A large body: over the small bodies' size, and two do not fit the budget.
const LARGE: usize = 3 * SMALL_BODY_BYTES;

/// One request as the API server behind the front received it; it is answered
/// (200, `{}`) when `answer` is sent.
struct Forwarded {
    path: String,
    admission: Option<String>,
    body_bytes: usize,
    answer: oneshot::Sender<()>,
}

/// The stand-in for dropshot: each request it receives goes to the test, which
/// says when to answer it.
async fn api_server(listener: TcpListener, seen: mpsc::UnboundedSender<Forwarded>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let seen = seen.clone();
        tokio::spawn(async move {
            let mut buffer = Vec::new();
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                let end = loop {
                    if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        break end;
                    }
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
                let header = |name: &str| {
                    head.split("\r\n")
                        .filter_map(|line| line.split_once(':'))
                        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.trim().to_owned())
                };
                let length: usize = header("content-length").map_or(0, |v| v.parse().unwrap());
                let path = head.split(' ').nth(1).unwrap().to_owned();
                let admission = header(ADMISSION_HEADER.as_str());
                while buffer.len() < end + 4 + length {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                }
                buffer.drain(..end + 4 + length);
                let (answer, answered) = oneshot::channel();
                let forwarded = Forwarded {
                    path,
                    admission,
                    body_bytes: length,
                    answer,
                };
                if seen.send(forwarded).is_err() || answered.await.is_err() {
                    return;
                }
                let reply = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                if stream.write_all(reply).await.is_err() {
                    return;
                }
            }
        });
    }
}

struct Setup {
    front: Front,
    seen: mpsc::UnboundedReceiver<Forwarded>,
    _dir: tempfile::TempDir,
}

impl Setup {
    /// The front with the server's gate (the development key `KEY`) before the
    /// test's API server, with room in the budget for one `LARGE` body.
    async fn start() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let gate = key_gate(dir.path()).await;
        let api = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = api.local_addr().unwrap();
        let (sender, seen) = mpsc::unbounded_channel();
        tokio::spawn(api_server(api, sender));
        let mut options = FrontOptions::default();
        options.limits.max_body_bytes = LARGE;
        options.limits.max_body_bytes_in_flight = LARGE + LARGE / 2;
        let front = front_before(upstream, gate, &options);
        Setup {
            front,
            seen,
            _dir: dir,
        }
    }

    fn address(&self) -> SocketAddr {
        self.front.local_addr()
    }

    /// The next request the API server received.
    async fn next(&mut self) -> Forwarded {
        tokio::time::timeout(WAIT, self.seen.recv())
            .await
            .expect("nothing reached the API server")
            .expect("the API server stopped")
    }
}

/// Sends a draft request with a body of `bytes` bytes (and `extra` header lines)
/// on a new connection, and returns the connection's side to read the answer from.
/// The request is written by a task of its own (a body the front refuses to read
/// may not fit the socket's buffers), which keeps the writing side open.
async fn send_draft(address: SocketAddr, bytes: usize, extra: &str) -> OwnedReadHalf {
    send_draft_leaving(address, bytes, extra).await.0
}

/// As [`send_draft`], with the handle that closes the connection: abort the
/// writing task and drop the reading side.
async fn send_draft_leaving(
    address: SocketAddr,
    bytes: usize,
    extra: &str,
) -> (OwnedReadHalf, tokio::task::AbortHandle) {
    let stream = TcpStream::connect(address).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    let headers = format!("content-type: application/json\r\ncontent-length: {bytes}\r\n{extra}");
    let mut request = head("POST", DRAFT, Some(KEY), &headers).into_bytes();
    request.extend(std::iter::repeat_n(b' ', bytes));
    let writing = tokio::spawn(async move {
        // A refused body is not read; the write then fails, which is expected.
        let _ = writer.write_all(&request).await;
        std::future::pending::<()>().await;
        drop(writer);
    });
    (reader, writing.abort_handle())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_holds_the_budget_until_the_api_answers_and_small_bodies_pass() {
    let mut setup = Setup::start().await;
    let address = setup.address();

    // The first large body arrives whole and is forwarded; the API has not answered.
    let mut first = send_draft(address, LARGE, "").await;
    let held = setup.next().await;
    assert_eq!(held.body_bytes, LARGE);

    // A second large body finds the budget still taken by the first, which was
    // received long ago but is not answered yet: it waits, then gets 503, and never
    // reaches the API.
    let mut second = send_draft(address, LARGE, "").await;
    let refused = read_answer(&mut second).await.expect("an answer");
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(refused.code(), "service_unavailable");
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("request bodies"),
        "{refused:?}"
    );

    // A small body meanwhile has an allowance of its own: it is forwarded and
    // answered while the large one still holds the budget.
    let mut small = send_draft(address, 2, "").await;
    let forwarded = setup.next().await;
    assert_eq!(
        forwarded.body_bytes, 2,
        "the refused large body reached the API"
    );
    forwarded.answer.send(()).unwrap();
    let answered = read_answer(&mut small).await.expect("an answer");
    assert_eq!(answered.status, 200, "{answered:?}");

    // Once the API answers the first, its bytes are free: the next large body is
    // forwarded.
    held.answer.send(()).unwrap();
    let answered = read_answer(&mut first).await.expect("an answer");
    assert_eq!(answered.status, 200, "{answered:?}");
    let mut third = send_draft(address, LARGE, "").await;
    let forwarded = setup.next().await;
    assert_eq!(forwarded.body_bytes, LARGE);
    forwarded.answer.send(()).unwrap();
    assert_eq!(
        read_answer(&mut third).await.expect("an answer").status,
        200
    );
    setup.front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_gets_the_gates_admission_never_the_clients() {
    let mut setup = Setup::start().await;
    let address = setup.address();
    let forged = format!("{} any", "0".repeat(64));
    let forged_line = format!("{}: {forged}\r\n", ADMISSION_HEADER.as_str());

    // With a good key the API receives the gate's admission in place of the forgery.
    let mut stream = send_draft(address, 2, &forged_line).await;
    let forwarded = setup.next().await;
    let admission = forwarded.admission.clone().expect("an admission");
    assert_ne!(admission, forged);
    let (secret, scope) = admission.split_once(' ').unwrap();
    assert_eq!(scope, "any");
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    forwarded.answer.send(()).unwrap();
    assert_eq!(read_answer(&mut stream).await.unwrap().status, 200);

    // Without a key the forgery gets a 401 from the front and goes no further.
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = head(
        "POST",
        DRAFT,
        None,
        &format!("{forged_line}content-type: application/json\r\ncontent-length: 2\r\n"),
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(b"{}").await.unwrap();
    let refused = read_answer(&mut stream).await.unwrap();
    assert_eq!(refused.status, 401, "{refused:?}");

    // On a path that needs no key the forgery is removed and nothing put instead.
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = head("GET", "/openapi.json", None, &forged_line);
    stream.write_all(request.as_bytes()).await.unwrap();
    let forwarded = setup.next().await;
    assert_eq!(forwarded.path, "/openapi.json");
    assert_eq!(forwarded.admission, None);
    forwarded.answer.send(()).unwrap();
    assert_eq!(read_answer(&mut stream).await.unwrap().status, 200);
    setup.front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_does_not_free_the_budget_before_the_api_answers() {
    let mut setup = Setup::start().await;
    let address = setup.address();

    // A large body is forwarded, and its client leaves before the API answers; the
    // API (dropshot runs handlers detached) is still handling it.
    let (reader, writing) = send_draft_leaving(address, LARGE, "").await;
    let held = setup.next().await;
    assert_eq!(held.body_bytes, LARGE);
    writing.abort();
    drop(reader);

    // Its bytes are still counted: the next large body waits, then gets 503.
    let mut second = send_draft(address, LARGE, "").await;
    let refused = read_answer(&mut second).await.expect("an answer");
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(refused.code(), "service_unavailable");

    // Once the API has answered the departed client's request, they are free.
    held.answer.send(()).unwrap();
    let mut third = None;
    for _ in 0..50 {
        let mut stream = send_draft(address, LARGE, "").await;
        let forwarded = tokio::select! {
            forwarded = setup.next() => forwarded,
            answer = read_answer(&mut stream) => {
                let answer = answer.expect("an answer");
                assert_eq!(answer.status, 503, "{answer:?}");
                continue;
            }
        };
        assert_eq!(forwarded.body_bytes, LARGE);
        forwarded.answer.send(()).unwrap();
        third = read_answer(&mut stream).await;
        break;
    }
    assert_eq!(third.expect("a large body was admitted again").status, 200);
    setup.front.close().await;
}
