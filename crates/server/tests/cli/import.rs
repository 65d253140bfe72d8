//! `feather import`: the summary with a reason per rejected record, JSON arrays
//! streamed element by element, and a real `kill -9` midway through a large JSONL
//! file that must leave every committed session whole and nothing partial.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use feather_store::{OrgScope, Store};
use serde_json::Value;
use uuid::Uuid;

use crate::{BIN, example, feather, pg_schema};

#[test]
fn import_reports_imported_updated_and_rejected_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sessions");
    std::fs::create_dir(&data).unwrap();
    for name in [
        "refund-voice.analysis-input.json",
        "dispute-sms.analysis-input.json",
    ] {
        std::fs::copy(example(name), data.join(name)).unwrap();
    }
    // One JSONL file: a good session, a line that is not JSON, a session that is not valid.
    let chat: Value = serde_json::from_str(
        &std::fs::read_to_string(example("reschedule-chat.openai.json")).unwrap(),
    )
    .unwrap();
    let jsonl = format!(
        "{}\nnot json\n{{\"session_id\": \"abc\"}}\n",
        serde_json::to_string(&chat).unwrap()
    );
    std::fs::write(data.join("more.jsonl"), jsonl).unwrap();
    let database = dir.path().join("import.db");

    let run = || {
        Command::new(BIN)
            .args(["import", "--database-url"])
            .arg(&database)
            .arg(&data)
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stdout.contains("imported 3, updated 0, rejected 2"),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("more.jsonl:2"), "{stderr}");
    assert!(stderr.contains("more.jsonl:3"), "{stderr}");
    assert_eq!(first.status.code(), Some(2), "rejections give exit code 2");

    let second = run();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        stdout.contains("imported 0, updated 3, rejected 2"),
        "{stdout}"
    );
}

#[test]
fn a_json_array_is_imported_element_by_element_with_plain_progress_lines() {
    let dir = tempfile::tempdir().unwrap();
    let organization = Uuid::new_v4();
    let records: Vec<Value> = (0..25)
        .map(|i| {
            if i == 7 {
                // Valid JSON, not a session: rejected on its own.
                serde_json::json!({"session_id": "not a uuid"})
            } else {
                generated_session(organization, i)
            }
        })
        .collect();
    let file = dir.path().join("array.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&records).unwrap()).unwrap();
    let database = dir.path().join("array.db").display().to_string();
    let output = feather(&[
        "import",
        "--batch-size",
        "10",
        "--database-url",
        &database,
        file.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("imported 24, updated 0, rejected 1"),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("array.json[7]"), "{stderr}");
    // Not a terminal: plain progress lines, one a full batch of 10; the totals at
    // the end are the summary's, printed once.
    let progress_lines = stderr
        .lines()
        .filter(|line| line.starts_with("imported ") && line.contains("bytes read"))
        .count();
    assert_eq!(progress_lines, 2, "{stderr}");
    assert_eq!(
        format!("{stdout}{stderr}")
            .matches("imported 24, updated 0, rejected 1")
            .count(),
        1,
        "{stdout}{stderr}"
    );
    assert_eq!(output.status.code(), Some(2));
}

/// A generated session: the refund example under a new id, with `index` in its
/// customer metadata so every record differs.
fn generated_session(organization_id: Uuid, index: usize) -> Value {
    let text = std::fs::read_to_string(example("refund-voice.analysis-input.json")).unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["session_id"] = Value::String(Uuid::new_v4().to_string());
    value["organization_id"] = Value::String(organization_id.to_string());
    value["customer_metadata"]["import_index"] = Value::from(index);
    value
}

/// Writes `count` generated sessions, one a line, and returns what each should be
/// stored as, by session id.
fn large_jsonl(path: &std::path::Path, count: usize) -> HashMap<Uuid, feather_store::NewSession> {
    let organizations = [Uuid::new_v4(), Uuid::new_v4()];
    let mut text = String::new();
    let mut expected = HashMap::new();
    for index in 0..count {
        let value = generated_session(organizations[index % 2], index);
        text.push_str(&serde_json::to_string(&value).unwrap());
        text.push('\n');
        let captured = feather_drafter::capture::parse_value(value).unwrap();
        let session = feather_server::drafts::new_session(captured, &Default::default());
        expected.insert(session.session_id, session);
    }
    std::fs::write(path, text).unwrap();
    expected
}

const KILL_SESSIONS: usize = 3000;
const KILL_BATCH: usize = 100;

/// Starts an import of a large file, kills it with SIGKILL once a few batches are
/// committed, then checks the store: only whole batches, every session exactly as
/// in the file. A second import then completes the rest.
async fn import_killed_midway(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("large.jsonl");
    let expected = large_jsonl(&file, KILL_SESSIONS);

    let mut child = Command::new(BIN)
        .args(["import", "--batch-size", &KILL_BATCH.to_string()])
        .args(["--database-url", database_url])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    // Each plain progress line is printed after its batch committed.
    while seen.len() < 3 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if line.starts_with("imported ") {
            seen.push(line);
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the import was to be killed midway but ended by itself ({status}); progress: {seen:?}"
    );

    let store = Store::connect(database_url).await.unwrap();
    let stored = store.count_sessions().await.unwrap() as usize;
    assert!(
        (3 * KILL_BATCH..KILL_SESSIONS).contains(&stored),
        "{stored} sessions stored after the kill"
    );
    assert_eq!(
        stored % KILL_BATCH,
        0,
        "a batch was stored in part: {stored}"
    );
    let ids = store
        .session_ids(OrgScope::Any, KILL_SESSIONS as u32)
        .await
        .unwrap();
    assert_eq!(ids.len(), stored);
    for id in ids {
        let want = &expected[&id];
        let got = store
            .get_session(OrgScope::Organization(want.organization_id), id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("session {id} is stored under another organization"));
        let want_input: serde_json::Value = serde_json::from_str(&want.analysis_input).unwrap();
        assert_eq!(got.analysis_input, want_input, "session {id}");
        assert_eq!(got.attribution, want.attribution, "session {id}");
    }

    // Importing the file again stores the rest and replaces what was there.
    let output = feather(&[
        "import",
        "--batch-size",
        "500",
        "--database-url",
        database_url,
        file.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "imported {}, updated {stored}, rejected 0",
            KILL_SESSIONS - stored
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        store.count_sessions().await.unwrap() as usize,
        KILL_SESSIONS
    );
}

#[tokio::test]
async fn an_import_killed_midway_leaves_whole_sessions_only_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    import_killed_midway(&dir.path().join("killed.db").display().to_string()).await;
}

#[tokio::test]
async fn an_import_killed_midway_leaves_whole_sessions_only_on_postgres() {
    let Some(schema) = pg_schema().await else {
        return;
    };
    import_killed_midway(&schema.url).await;
}

#[tokio::test]
async fn chat_logs_are_imported_with_org_and_their_ids_printed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("logs");
    std::fs::create_dir_all(data.join("nested")).unwrap();
    // A bare array of messages is one chat log; an NDJSON file in a subfolder holds
    // two `{"messages": [...]}` logs and one with no messages.
    std::fs::copy(
        example("order-return.chat.json"),
        data.join("order-return.chat.json"),
    )
    .unwrap();
    std::fs::write(
        data.join("nested/more.ndjson"),
        "{\"messages\": [{\"role\": \"user\", \"content\": \"where is order 88412?\"}]}\n\
         {\"messages\": [{\"role\": \"user\", \"content\": \"cancel order 88413\"}]}\n\
         {\"messages\": []}\n",
    )
    .unwrap();
    let database = dir.path().join("chat.db");
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .args(["import", "--database-url"])
            .arg(&database)
            .args(extra)
            .arg(&data)
            .output()
            .unwrap()
    };
    let without_org = run(&[]);
    let stderr = String::from_utf8_lossy(&without_org.stderr);
    assert!(
        String::from_utf8_lossy(&without_org.stdout).contains("imported 0, updated 0, rejected 4"),
        "{stderr}"
    );
    assert!(stderr.contains("--org"), "{stderr}");
    assert!(
        stderr.contains("more.ndjson:3: the session has no messages"),
        "{stderr}"
    );

    let org = "5089f4bc-8601-5899-8283-2b9a5d462041";
    let with_org = run(&["--org", org, "--ids"]);
    let stdout = String::from_utf8_lossy(&with_org.stdout);
    assert!(
        stdout.contains("imported 3, updated 0, rejected 1"),
        "{stdout}"
    );
    let ids: Vec<Uuid> = stdout
        .lines()
        .filter_map(|line| line.split('\t').next())
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect();
    assert_eq!(ids.len(), 3, "{stdout}");
    // Each printed id is stored under the --org organization.
    let store = Store::connect(&database.display().to_string())
        .await
        .unwrap();
    for id in &ids {
        let stored = store
            .get_session(OrgScope::Organization(Uuid::parse_str(org).unwrap()), *id)
            .await
            .unwrap();
        assert!(
            stored.is_some(),
            "{id} is stored under the --org organization"
        );
    }
}
