//! `feather draft`: a session file in, its scenario draft out; no server, no database.

use std::process::Command;

use serde_json::Value;

use crate::{BIN, example};

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
