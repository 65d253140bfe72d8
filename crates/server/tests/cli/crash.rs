//! `kill -9` of `feather serve` in the middle of a burst of concurrent captures:
//! after a restart, every capture that was answered 200 is there, whole, with its
//! draft, on SQLite (where captures are committed in groups by one writer thread)
//! and on PostgreSQL alike. A 2xx means committed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

use crate::{Serve, draft_session, get_session, pg_schema, session_body};

const KEY: &str = "crash-test-key";

/// Concurrent clients, each sending captures one after another.
const WRITERS: usize = 32;

/// Captures acknowledged before the kill.
const ACKNOWLEDGED_BEFORE_KILL: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_captures_survive_a_kill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    captures_survive_a_kill(&dir.path().join("crash.db").display().to_string()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_captures_survive_a_kill_on_postgres() {
    let Some(schema) = pg_schema().await else {
        return;
    };
    captures_survive_a_kill(&schema.url).await;
}

async fn captures_survive_a_kill(database_url: &str) {
    let mut server = Serve::start(database_url, &["--api-key", KEY]);
    let url = server.url("");
    let organization = Uuid::new_v4();
    let acknowledged: Arc<Mutex<Vec<(Uuid, Value)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..WRITERS {
        let (url, acknowledged, stop) = (url.clone(), acknowledged.clone(), stop.clone());
        writers.spawn(async move {
            let client = reqwest::Client::new();
            let example = match writer % 2 {
                0 => "refund-voice.analysis-input.json",
                _ => "dispute-sms.analysis-input.json",
            };
            while !stop.load(Ordering::Relaxed) {
                let (session_id, body) = session_body(example, organization);
                let sent = client
                    .put(format!("{url}/v1/sessions/{session_id}/analysis-input"))
                    .header("x-api-key", KEY)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await;
                // Refused connections and resets after the kill are captures that
                // were never acknowledged.
                match sent {
                    Ok(response) if response.status() == 200 => {
                        acknowledged.lock().unwrap().push((session_id, body));
                    }
                    Ok(response) => panic!("a capture was answered {}", response.status()),
                    Err(_) => break,
                }
            }
        });
    }

    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < ACKNOWLEDGED_BEFORE_KILL {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "too few captures acknowledged: {}",
            acknowledged.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Killed while the writers are still sending: some captures are in flight.
    server.kill();
    let survivors = acknowledged.lock().unwrap().clone();
    stop.store(true, Ordering::Relaxed);
    while let Some(writer) = writers.join_next().await {
        writer.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= survivors.len(),
        "acknowledgements cannot disappear"
    );

    let restarted = Serve::start(database_url, &["--api-key", KEY]);
    for (session_id, body) in &acknowledged {
        let stored = get_session(&restarted, KEY, *session_id).await;
        assert_eq!(
            stored.status, 200,
            "acknowledged capture {session_id} is lost"
        );
        assert_eq!(&stored.body, body, "capture {session_id} is not whole");
        let draft = draft_session(&restarted, KEY, *session_id).await;
        assert_eq!(
            draft.status, 200,
            "capture {session_id} has no draft: {draft:?}"
        );
        assert!(
            draft.body["name"]
                .as_str()
                .is_some_and(|name| !name.is_empty()),
            "capture {session_id} has a draft without a name: {draft:?}"
        );
    }
}
