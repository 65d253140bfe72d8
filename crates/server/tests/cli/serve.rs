//! `feather serve` as a user meets it: demo data and a printed curl command that
//! works, the single development key, the body size limit (413), a locked SQLite
//! file (503 until the lock is released, without a restart), and other processes
//! writing the SQLite file it reads.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;
use uuid::Uuid;

use crate::{
    BIN, Serve, create_key, draft_session, feather, get_session, put_session, session_body,
};

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `feather serve` on an empty database with `args` and reads its output up
/// to the printed curl command: (the server, every line printed, the command).
fn serve_until_curl(args: &[&str]) -> (Server, tempfile::TempDir, Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server(
        Command::new(BIN)
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--log-level",
                "warn",
                "--database-url",
            ])
            .arg(dir.path().join("serve.db"))
            .args(args)
            .env_remove("FEATHER_API_KEY")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stderr = BufReader::new(server.0.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = Vec::new();
    let mut curl = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        printed.push(line.clone());
        if line.trim_start().starts_with("curl ") {
            curl = Some(line.trim().to_owned());
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no curl command was printed:\n{}",
            printed.join("\n")
        );
    }
    let curl =
        curl.unwrap_or_else(|| panic!("no curl command was printed:\n{}", printed.join("\n")));
    (server, dir, printed, curl)
}

#[test]
fn serve_offers_demo_data_and_prints_a_curl_command_that_works() {
    let (_server, _dir, printed, curl) = serve_until_curl(&[]);
    assert!(
        printed.iter().any(|l| l.contains("example sessions")),
        "{}",
        printed.join("\n")
    );

    let output = Command::new("sh").arg("-c").arg(&curl).output().unwrap();
    assert!(
        output.status.success(),
        "{curl}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let draft: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{curl} answered {:?}: {e}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(draft["source"], "drafted", "{draft}");
    assert!(
        draft["name"].as_str().is_some_and(|n| !n.is_empty()),
        "{draft}"
    );
}

#[test]
fn a_key_given_to_serve_is_never_printed() {
    let given = "operator-secret-3f9a";
    let (_server, _dir, printed, curl) = serve_until_curl(&["--api-key", given]);
    assert!(curl.contains("x-api-key: <your API key>"), "{curl}");
    assert!(
        printed.iter().all(|line| !line.contains(given)),
        "{}",
        printed.join("\n")
    );
}

#[tokio::test]
async fn a_capture_over_the_body_limit_is_413_and_one_under_it_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("limit.db").display().to_string();
    let organization = Uuid::new_v4();
    let (small_id, small) = session_body("dispute-sms.analysis-input.json", organization);
    let (big_id, big) = session_body("refund-voice.analysis-input.json", organization);
    let small_len = serde_json::to_vec(&small).unwrap().len();
    let big_len = serde_json::to_vec(&big).unwrap().len();
    // The limit falls between the two bodies.
    let limit = (small_len + big_len) / 2;
    assert!(
        small_len < limit && limit < big_len,
        "{small_len} {big_len}"
    );
    let server = Serve::start(
        &database,
        &[
            "--api-key",
            "dev-limit",
            "--max-body-bytes",
            &limit.to_string(),
        ],
    );

    let refused = put_session(&server, "dev-limit", big_id, &big).await;
    assert_eq!(refused.status, 413, "{refused:?}");
    assert_eq!(refused.body["error"], "payload_too_large", "{refused:?}");
    assert!(
        refused.body["message"]
            .as_str()
            .is_some_and(|m| m.contains(&limit.to_string())),
        "{refused:?}"
    );
    assert_eq!(get_session(&server, "dev-limit", big_id).await.status, 404);

    let stored = put_session(&server, "dev-limit", small_id, &small).await;
    assert_eq!(stored.status, 200, "{stored:?}");
    assert_eq!(stored.body["created"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_sqlite_file_answers_503_and_the_server_recovers_when_it_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("locked.db");
    let database = file.display().to_string();
    let server = Serve::start(&database, &["--api-key", "dev-lock"]);
    let organization = Uuid::new_v4();
    let (first_id, first) = session_body("dispute-sms.analysis-input.json", organization);
    assert_eq!(
        put_session(&server, "dev-lock", first_id, &first)
            .await
            .status,
        200
    );

    // Another process's writer holds the database's write lock, as a long
    // migration or a stuck backup tool would.
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite:{database}"))
        .await
        .unwrap();
    sqlx::raw_sql("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .unwrap();
    sqlx::raw_sql("UPDATE sessions SET agent_name = 'held'")
        .execute(&mut holder)
        .await
        .unwrap();

    let (second_id, second) = session_body("refund-voice.analysis-input.json", organization);
    let started = Instant::now();
    let refused = put_session(&server, "dev-lock", second_id, &second).await;
    assert_eq!(refused.status, 503, "{refused:?}\n{}", server.log());
    assert_eq!(refused.body["error"], "service_unavailable", "{refused:?}");
    assert!(refused.body["message"].is_string(), "{refused:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the 503 took {:?}",
        started.elapsed()
    );

    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap();
    holder.close().await.unwrap();

    // The same server, not restarted, stores and reads again.
    let stored = put_session(&server, "dev-lock", second_id, &second).await;
    assert_eq!(stored.status, 200, "{stored:?}");
    let read = get_session(&server, "dev-lock", second_id).await;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(read.body["session_id"], second_id.to_string());
}

// On SQLite the server's reads share snapshots for up to `SQLITE_SNAPSHOT_REUSE`.
// What other processes add (a key, an imported session) is still served by the
// very next request, and a key they revoke is refused once that window has passed.
#[tokio::test]
async fn what_other_processes_write_to_the_sqlite_file_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();
    let organization = Uuid::new_v4();
    let (_, first_key) = create_key(&url, organization, "first");
    let serve = Serve::start(&url, &[]);
    let (session_id, body) = session_body("refund-voice.analysis-input.json", organization);
    assert_eq!(
        draft_session(&serve, &first_key, session_id).await.status,
        404
    );

    let (second_id, second_key) = create_key(&url, organization, "second");
    assert_eq!(
        get_session(&serve, &second_key, session_id).await.status,
        404
    );

    let file = dir.path().join("session.json");
    std::fs::write(&file, body.to_string()).unwrap();
    let imported = feather(&["import", "--database-url", &url, file.to_str().unwrap()]);
    assert!(imported.status.success(), "{imported:?}");
    let answer = draft_session(&serve, &second_key, session_id).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);

    let second_id = second_id.to_string();
    let revoked = feather(&["keys", "revoke", "--database-url", &url, &second_id]);
    assert!(revoked.status.success(), "{revoked:?}");
    tokio::time::sleep(feather_store::SQLITE_SNAPSHOT_REUSE).await;
    assert_eq!(
        get_session(&serve, &second_key, session_id).await.status,
        401
    );
    assert_eq!(
        get_session(&serve, &first_key, session_id).await.status,
        200
    );
}

#[tokio::test]
async fn serve_with_surrogates_drafts_realistic_values() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();
    let organization = Uuid::new_v4();
    let (_, key) = create_key(&url, organization, "surrogates");
    let serve = Serve::start(&url, &["--pii", "surrogates"]);
    let (session_id, body) = session_body("refund-voice.analysis-input.json", organization);
    assert_eq!(
        put_session(&serve, &key, session_id, &body).await.status,
        200
    );
    let answer = draft_session(&serve, &key, session_id).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let text = answer.body.to_string();
    assert!(
        !text.contains("<NAME_") && !text.contains("<EMAIL_"),
        "{text}"
    );
    assert!(!text.contains("dana.whitfield@example.com"), "{text}");
    assert!(
        answer.body["source_brief"]
            .as_str()
            .unwrap()
            .contains("replaced by realistic surrogates"),
        "{text}"
    );
}
