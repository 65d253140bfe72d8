//! What the front answers by itself under abuse, on a real `feather serve`: wrong
//! keys, unknown paths and methods are counted and logged in aggregate (never the
//! key), an address that keeps sending wrong keys gets 429 with `Retry-After`
//! until it slows down, a request head over 64 KiB gets 431 however it arrives
//! (counted too, as are heads hyper cannot parse), and a transfer coding other
//! than chunked gets 501.

use std::time::{Duration, Instant};

use feather_server::front::refusals::WRONG_KEYS_BURST;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::Serve;
use crate::front::{Answer, DRAFT, head, read_answer};

const KEY: &str = "refusals-test-key";

async fn connect(server: &Serve) -> TcpStream {
    let address = server.base_url.trim_start_matches("http://");
    TcpStream::connect(address).await.unwrap()
}

/// Sends `request` on a new connection (a refused body closes its connection)
/// and reads the answer.
async fn ask(server: &Serve, request: &str) -> Answer {
    let mut stream = connect(server).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    read_answer(&mut stream).await.expect("an answer")
}

/// Waits up to 10 s for a log line that contains every one of `parts`.
async fn logged(server: &Serve, parts: &[&str]) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let log = server.log();
        if log
            .lines()
            .any(|line| parts.iter().all(|p| line.contains(p)))
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_keys_are_counted_logged_and_braked_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("refusals.db").display().to_string();
    let server = Serve::start(&url, &["--api-key", KEY]);
    let body = r#"{"session_id": "4e2c2f6e-3c1f-4d52-9d61-1b2f6d0f7a10"}"#;
    let draft = |key: &str| {
        let extra = format!(
            "content-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        );
        format!("{}{body}", head("POST", DRAFT, Some(key), &extra))
    };

    for i in 0..WRONG_KEYS_BURST {
        let guess = format!("fk_guess_{i:04}_secret");
        let answer = ask(&server, &draft(&guess)).await;
        assert_eq!((answer.status, answer.code()), (401, "unauthorized"), "{i}");
    }
    // The address is now braked: a further guess, and even the right key, get
    // 429 without the key being checked.
    for key in ["fk_guess_more_secret", KEY] {
        let answer = ask(&server, &draft(key)).await;
        assert_eq!(
            (answer.status, answer.code()),
            (429, "too_many_requests"),
            "{answer:?}"
        );
        let retry_after: u64 = answer.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=2).contains(&retry_after), "{answer:?}");
    }
    // Unknown paths and methods are counted too.
    let unknown = ask(&server, &head("GET", "/v2/nothing", None, "")).await;
    assert_eq!(unknown.status, 404);
    let wrong_method = ask(&server, &head("DELETE", DRAFT, Some(KEY), "")).await;
    assert_eq!(wrong_method.status, 405);

    // After the wait it asked for, the address is let in again.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let answer = ask(&server, &draft(KEY)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (404, "not_found"),
        "{answer:?}"
    );

    let totals = format!(
        "unauthorized={WRONG_KEYS_BURST} unknown_path=1 method_not_allowed=1 too_many_requests=2"
    );
    assert!(
        logged(
            &server,
            &["the front refused requests", &totals, "127.0.0.1"]
        )
        .await,
        "{}",
        server.log()
    );
    assert!(
        !server.log().contains("_secret"),
        "a key was logged: {}",
        server.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_over_64_kib_is_refused_however_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("head.db").display().to_string();
    let server = Serve::start(&url, &["--api-key", KEY]);
    let padding = |bytes: usize| {
        // Header lines of 1,000 bytes each, as a browser's cookies might come.
        let line = format!("x-padding: {}\r\n", "p".repeat(1_000 - 14));
        line.repeat(bytes / 1_000)
    };
    // The issue's 114 KB head, sent in one write.
    let mut stream = connect(&server).await;
    let large = head(
        "GET",
        "/v1/sessions/4e2c2f6e-3c1f-4d52-9d61-1b2f6d0f7a10/analysis-input",
        Some(KEY),
        &padding(114_000),
    );
    stream.write_all(large.as_bytes()).await.unwrap();
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(answer.status, 431, "{answer:?}");

    // A head just over the limit, which hyper's buffer alone lets through when it
    // arrives with the rest in one read, and one well under it.
    for (bytes, refused) in [(66_000, true), (60_000, false)] {
        let mut stream = connect(&server).await;
        let request = head(
            "GET",
            "/v1/sessions/4e2c2f6e-3c1f-4d52-9d61-1b2f6d0f7a10/analysis-input",
            Some(KEY),
            &padding(bytes),
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let answer = read_answer(&mut stream).await.expect("an answer");
        if refused {
            assert_eq!(answer.status, 431, "{bytes}: {answer:?}");
        } else {
            assert_eq!(
                (answer.status, answer.code()),
                (404, "not_found"),
                "{bytes}"
            );
        }
    }
    // A head hyper cannot parse is answered by hyper (400, empty); both kinds are
    // counted with the front's own refusals, whichever answered.
    let mut stream = connect(&server).await;
    stream.write_all(b"NOT A REQUEST\r\n\r\n").await.unwrap();
    assert_eq!(
        read_answer(&mut stream).await.expect("an answer").status,
        400
    );
    assert!(
        logged(
            &server,
            &[
                "the front refused requests",
                "head_too_large=2",
                "malformed_head=1"
            ]
        )
        .await,
        "{}",
        server.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_coding_other_than_chunked_is_501() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("coding.db").display().to_string();
    let server = Serve::start(&url, &["--api-key", KEY]);
    let body = r#"{"session_id": "4e2c2f6e-3c1f-4d52-9d61-1b2f6d0f7a10"}"#;
    for coding in ["gzip, chunked", "GZIP,chunked"] {
        let mut stream = connect(&server).await;
        let extra = format!("content-type: application/json\r\ntransfer-encoding: {coding}\r\n");
        let request = format!(
            "{}{:x}\r\n{body}\r\n0\r\n\r\n",
            head("POST", DRAFT, Some(KEY), &extra),
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let answer = read_answer(&mut stream).await.expect("an answer");
        assert_eq!(
            (answer.status, answer.code()),
            (501, "not_implemented"),
            "{coding}"
        );
        assert_eq!(answer.header("connection"), Some("close"));
        assert!(
            read_answer(&mut stream).await.is_none(),
            "the connection is closed"
        );
    }
    // Plain chunked is still read.
    let mut stream = connect(&server).await;
    let extra = "content-type: application/json\r\ntransfer-encoding: chunked\r\n";
    let request = format!(
        "{}{:x}\r\n{body}\r\n0\r\n\r\n",
        head("POST", DRAFT, Some(KEY), extra),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert_eq!((answer.status, answer.code()), (404, "not_found"));
}
