//! The store going away and coming back while the server runs: PostgreSQL reached
//! through a small TCP forwarder that the test cuts (every connection dropped, new
//! ones refused) and restores. The server answers 503 `service_unavailable` while
//! the database is out of reach and 200 again once it is back, without a restart.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;
use uuid::Uuid;

use crate::{Serve, create_key, get_session, pg_schema, put_session, session_body};

/// Forwards TCP connections to `upstream` until cut.
struct Forwarder {
    address: SocketAddr,
    cut: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
}

impl Forwarder {
    async fn start(upstream: String) -> Forwarder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let cut = Arc::clone(&cut);
            let connections = Arc::clone(&connections);
            tokio::spawn(async move {
                loop {
                    let Ok((mut inbound, _)) = listener.accept().await else {
                        continue;
                    };
                    if cut.load(Ordering::SeqCst) {
                        // Cut: the connection is closed at once, as by a dead network.
                        drop(inbound);
                        continue;
                    }
                    let upstream = upstream.clone();
                    let task = tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    connections.lock().unwrap().push(task.abort_handle());
                }
            })
            .abort_handle()
        };
        Forwarder {
            address,
            cut,
            connections,
            accept,
        }
    }

    /// Drops every open connection and refuses new ones.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

/// `host:port` of a `postgres://user@host:port/db` URL.
fn host_and_port(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['/', '?']).next().unwrap();
    rest.rsplit_once('@').map_or(rest, |(_, host)| host)
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_out_of_reach_answers_503_and_the_server_recovers_by_itself() {
    let Some(schema) = pg_schema().await else {
        return;
    };
    let upstream = host_and_port(&schema.url).to_owned();
    let upstream = if upstream.contains(':') {
        upstream
    } else {
        format!("{upstream}:5432")
    };
    let forwarder = Forwarder::start(upstream.clone()).await;
    let through_forwarder = schema.url.replacen(
        host_and_port(&schema.url),
        &forwarder.address.to_string(),
        1,
    );
    assert!(through_forwarder.contains(&forwarder.address.to_string()));

    let organization = Uuid::new_v4();
    let (_, key) = create_key(&schema.url, organization, "outage test");
    let server = Serve::start(&through_forwarder, &[]);
    let (session_id, body) = session_body("dispute-sms.analysis-input.json", organization);
    let stored = put_session(&server, &key, session_id, &body).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());

    forwarder.cut();
    let started = Instant::now();
    let read = get_session(&server, &key, session_id).await;
    assert_eq!(read.status, 503, "{read:?}\n{}", server.log());
    assert_eq!(read.body["error"], "service_unavailable", "{read:?}");
    assert!(read.body["message"].is_string(), "{read:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the 503 took {:?}",
        started.elapsed()
    );
    let (other_id, other) = session_body("refund-voice.analysis-input.json", organization);
    let refused = put_session(&server, &key, other_id, &other).await;
    assert_eq!(refused.status, 503, "{refused:?}");

    forwarder.restore();
    let deadline = Instant::now() + Duration::from_secs(30);
    let read = loop {
        let read = get_session(&server, &key, session_id).await;
        if read.status == 200 || Instant::now() > deadline {
            break read;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(read.status, 200, "{read:?}\n{}", server.log());
    assert_eq!(read.body["session_id"], session_id.to_string());
    let stored = put_session(&server, &key, other_id, &other).await;
    assert_eq!(stored.status, 200, "{stored:?}");
}
