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

#[test]
fn draft_reads_bare_chat_logs_and_refuses_files_without_sessions() {
    let output = Command::new(BIN)
        .arg("draft")
        .arg(example("order-return.chat.json"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let draft: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = draft.to_string();
    assert!(
        !text.contains("Olivia") && !text.contains("Laurel"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    for (name, content) in [
        ("empty.json", "[]"),
        ("blank.jsonl", "\n\n"),
        ("nothing.json", ""),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let output = Command::new(BIN).arg("draft").arg(&file).output().unwrap();
        assert!(!output.status.success(), "{name}");
        assert!(output.stdout.is_empty(), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(name), "{name}: {stderr}");
    }

    let file = dir.path().join("bad.json");
    std::fs::write(&file, r#"{"messages": [{"content": 1}, {"role": 2}]}"#).unwrap();
    let output = Command::new(BIN).arg("draft").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("messages.0.role") && stderr.contains("messages.1.role"),
        "{stderr}"
    );
    assert!(
        stderr.contains("README.md#session-file-formats"),
        "{stderr}"
    );
}

/// `feather draft` prints the bytes the server stores and sends for the same session
/// (compact, in the contract's field order); `--pretty` indents the same draft.
#[test]
fn draft_prints_the_servers_bytes_and_pretty_on_request() {
    let file = example("refund-voice.analysis-input.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let captured =
        feather_drafter::capture::parse_value(serde_json::from_str(&text).unwrap()).unwrap();
    let expected =
        serde_json::to_string(&feather_drafter::draft(&captured, &Default::default()).unwrap())
            .unwrap();

    let output = Command::new(BIN).arg("draft").arg(&file).output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("{expected}\n")
    );

    let output = Command::new(BIN)
        .args(["draft", "--pretty"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let pretty = String::from_utf8(output.stdout).unwrap();
    assert!(pretty.lines().count() > 5, "{pretty}");
    let same: Value = serde_json::from_str(&pretty).unwrap();
    assert_eq!(same, serde_json::from_str::<Value>(&expected).unwrap());
}

#[test]
fn draft_with_surrogates_puts_realistic_values_where_placeholders_would_be() {
    let file = example("refund-voice.analysis-input.json");
    let run = |mode: &str| {
        let output = Command::new(BIN)
            .args(["draft", "--pii", mode])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let surrogates = run("surrogates");
    assert_eq!(
        surrogates,
        run("surrogates"),
        "the same surrogates every time"
    );
    assert!(!surrogates.contains("<NAME_"), "{surrogates}");
    assert!(
        !surrogates.contains("dana.whitfield@example.com"),
        "{surrogates}"
    );
    assert!(
        surrogates.contains("555-01"),
        "a fictional phone: {surrogates}"
    );
    let draft: Value = serde_json::from_str(&surrogates).unwrap();
    assert!(
        draft["source_brief"]
            .as_str()
            .unwrap()
            .contains("replaced by realistic surrogates"),
        "{draft}"
    );
    assert!(run("placeholders").contains("<NAME_"));
    assert!(run("off").contains("dana.whitfield@example.com"));

    let output = Command::new(BIN)
        .args(["draft", "--pii", "fake"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("placeholders, surrogates or off"),
        "{stderr}"
    );
}
