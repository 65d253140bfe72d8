//! The `feather` binary as a user runs it: `draft`, `import`, and `serve` with the
//! curl command it prints, executed as printed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_feather");

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../drafter/tests/data")
        .join(name)
}

#[test]
fn draft_prints_the_draft_of_a_session_file() {
    for name in [
        "refund-voice.analysis-input.json",
        "reschedule-chat.openai.json",
    ] {
        let output = Command::new(BIN)
            .arg("draft")
            .arg(example(name))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let draft: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(draft["source"], "drafted", "{name}");
        assert!(!draft["intent"].as_str().unwrap().is_empty(), "{name}");
        assert!(draft["mock_world"]["tools"].is_object(), "{name}");
    }
}

#[test]
fn draft_of_a_file_that_is_not_a_session_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, r#"{"hello": "world"}"#).unwrap();
    let output = Command::new(BIN).arg("draft").arg(&file).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.json"), "{stderr}");
}

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

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_offers_demo_data_and_prints_a_curl_command_that_works() {
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
