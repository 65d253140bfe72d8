//! The front streams a request body to the API server as it arrives, instead of
//! holding it whole first (which held every body twice: the front's copy and
//! dropshot's). The API server is played by the test on a real loopback socket,
//! so the test sees what reaches it and when; the gate is the server's own. A body
//! the front stops reading (too large, cut short) never reaches the API whole: a
//! chunked one is never ended as if it were complete.

use std::net::SocketAddr;
use std::time::Duration;

use feather_server::config::FrontOptions;
use feather_server::front::Front;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::front::{DRAFT, KEY, front_before, head, key_gate, read_answer};

/// The bound on any wait, far beyond what any step takes.
const WAIT: Duration = Duration::from_secs(30);
/// The largest body the front takes in these tests.
const LIMIT: usize = 256 * 1024;

/// What the API server received on one connection: each read as it came, then
/// `None` when the connection ended.
type Received = mpsc::UnboundedReceiver<Option<Vec<u8>>>;

/// Starts the front (development key `KEY`, bodies up to `LIMIT`) before an API
/// server that reports every read of its first connection and answers once it
/// holds `answer_after` bytes of body.
async fn start(dir: &tempfile::TempDir, answer_after: Option<usize>) -> (Front, Received) {
    let gate = key_gate(dir.path()).await;
    let api = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = api.local_addr().unwrap();
    let (reads, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (mut stream, _) = api.accept().await.unwrap();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut all = Vec::new();
        let mut answered = false;
        loop {
            let n = stream.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                let _ = reads.send(None);
                return;
            }
            all.extend_from_slice(&chunk[..n]);
            let _ = reads.send(Some(chunk[..n].to_vec()));
            if !answered && answer_after.is_some_and(|bytes| body_of(&all).len() >= bytes) {
                answered = true;
                let reply = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                stream.write_all(reply).await.unwrap();
            }
        }
    });
    let mut options = FrontOptions::default();
    options.limits.max_body_bytes = LIMIT;
    let front = front_before(upstream, gate, &options);
    (front, received)
}

/// The next read of the API server; `None` when its connection ended.
async fn next(received: &mut Received) -> Option<Vec<u8>> {
    tokio::time::timeout(WAIT, received.recv())
        .await
        .expect("the API server received nothing")
        .expect("the API server stopped")
}

async fn connect(address: SocketAddr) -> TcpStream {
    TcpStream::connect(address).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_reaches_the_api_while_it_is_still_arriving() {
    let dir = tempfile::tempdir().unwrap();
    let total = 200_000;
    let request_head = head(
        "POST",
        DRAFT,
        Some(KEY),
        &format!("content-type: application/json\r\ncontent-length: {total}\r\n"),
    );
    let (front, mut received) = start(&dir, Some(total)).await;
    let mut client = connect(front.local_addr()).await;
    client.write_all(request_head.as_bytes()).await.unwrap();
    client.write_all(&vec![b' '; total / 2]).await.unwrap();

    // Half the body is sent and the client waits: the API has the head and bytes
    // of the body already (a front that held the body whole would send nothing).
    let mut forwarded = Vec::new();
    while !forwarded.windows(4).any(|w| w == b"\r\n\r\n") || body_of(&forwarded).is_empty() {
        forwarded.extend(
            next(&mut received)
                .await
                .expect("the API's connection ended"),
        );
    }
    assert!(body_of(&forwarded).len() <= total / 2);
    let forwarded_head = String::from_utf8_lossy(&forwarded).to_ascii_lowercase();
    assert!(
        forwarded_head.contains(&format!("content-length: {total}")),
        "{forwarded_head}"
    );

    client.write_all(&vec![b' '; total / 2]).await.unwrap();
    while body_of(&forwarded).len() < total {
        forwarded.extend(
            next(&mut received)
                .await
                .expect("the API's connection ended"),
        );
    }
    assert_eq!(body_of(&forwarded).len(), total);
    let answer = read_answer(&mut client).await.expect("an answer");
    assert_eq!(answer.status, 200, "{answer:?}");
    front.close().await;
}

/// The body bytes after the head in what the API server received.
fn body_of(bytes: &[u8]) -> &[u8] {
    match bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => &bytes[end + 4..],
        None => &[],
    }
}

/// A chunk of `size` spaces, chunked-encoded.
fn chunk(size: usize) -> Vec<u8> {
    let mut chunk = format!("{size:x}\r\n").into_bytes();
    chunk.extend(std::iter::repeat_n(b' ', size));
    chunk.extend(b"\r\n");
    chunk
}

/// What the API server received until its connection ended.
async fn all_received(received: &mut Received) -> Vec<u8> {
    let mut all = Vec::new();
    while let Some(read) = next(received).await {
        all.extend(read);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_over_the_limit_is_413_and_never_ends_at_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (front, mut received) = start(&dir, None).await;
    let mut client = connect(front.local_addr()).await;
    let request_head = head(
        "POST",
        DRAFT,
        Some(KEY),
        "content-type: application/json\r\ntransfer-encoding: chunked\r\n",
    );
    client.write_all(request_head.as_bytes()).await.unwrap();
    // Chunks of 32 KiB until past the limit, then the end of the body.
    for _ in 0..LIMIT / (32 * 1024) + 1 {
        if client.write_all(&chunk(32 * 1024)).await.is_err() {
            break;
        }
    }
    let _ = client.write_all(b"0\r\n\r\n").await;
    let answer = read_answer(&mut client).await.expect("an answer");
    assert_eq!((answer.status, answer.code()), (413, "payload_too_large"));

    // What reached the API is not a complete chunked body: its connection was
    // broken off before the last chunk.
    let forwarded = all_received(&mut received).await;
    assert!(!body_of(&forwarded).ends_with(b"0\r\n\r\n"));
    assert!(body_of(&forwarded).len() <= LIMIT + 64 * 1024);
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_cut_short_never_ends_at_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (front, mut received) = start(&dir, None).await;
    let mut client = connect(front.local_addr()).await;
    let request_head = head(
        "POST",
        DRAFT,
        Some(KEY),
        "content-type: application/json\r\ntransfer-encoding: chunked\r\n",
    );
    client.write_all(request_head.as_bytes()).await.unwrap();
    client.write_all(&chunk(1000)).await.unwrap();
    // Some of the body reaches the API; then the client leaves mid-body.
    let mut forwarded = Vec::new();
    while body_of(&forwarded).is_empty() {
        forwarded.extend(
            next(&mut received)
                .await
                .expect("the API's connection ended"),
        );
    }
    drop(client);
    forwarded.extend(all_received(&mut received).await);
    assert!(
        !body_of(&forwarded).ends_with(b"0\r\n\r\n"),
        "the body was ended as if whole"
    );
    front.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_is_forwarded_whole_and_answered() {
    let dir = tempfile::tempdir().unwrap();
    let body = br#"{"session_id": "4e2c2f6e-3c1f-4d52-9d61-1b2f6d0f7a10"}"#;
    let (front, mut received) = start(&dir, Some(1)).await;
    let mut client = connect(front.local_addr()).await;
    let mut request = head(
        "POST",
        DRAFT,
        Some(KEY),
        "content-type: application/json\r\ntransfer-encoding: chunked\r\n",
    )
    .into_bytes();
    request.extend(format!("{:x}\r\n", body.len()).as_bytes());
    request.extend(body);
    request.extend(b"\r\n0\r\n\r\n");
    client.write_all(&request).await.unwrap();
    let mut forwarded = Vec::new();
    while !body_of(&forwarded).ends_with(b"0\r\n\r\n") {
        forwarded.extend(
            next(&mut received)
                .await
                .expect("the API's connection ended"),
        );
    }
    let text = String::from_utf8_lossy(&forwarded).into_owned();
    assert!(text.contains(std::str::from_utf8(body).unwrap()), "{text}");
    let answer = read_answer(&mut client).await.expect("an answer");
    assert_eq!(answer.status, 200, "{answer:?}");
    front.close().await;
}
