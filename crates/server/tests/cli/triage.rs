//! `feather triage` as a user meets it: a database's sessions grouped and ranked
//! (JSON and table), the same for files read in memory, and each bad input with
//! its message and exit code: an unknown `--since` (clap's 2), an empty database
//! (3), a file with rejected records (2, the others still grouped), a missing
//! database file (1).

use serde_json::Value;

use crate::{example, feather};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn imported_sessions_are_grouped_and_ranked() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();
    let examples = example("refund-voice.analysis-input.json");
    let examples = examples.parent().unwrap().display().to_string();
    let output = feather(&[
        "import",
        "--database-url",
        &url,
        "--org",
        "5089f4bc-8601-5899-8283-2b9a5d462041",
        &examples,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let output = feather(&["triage", "--database-url", &url, "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{list}");
    let sizes: u64 = items.iter().map(|g| g["size"].as_u64().unwrap()).sum();
    assert_eq!(list["coverage"]["sessions"].as_u64().unwrap(), sizes);
    let scores: Vec<f64> = items.iter().map(|g| g["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    let output = feather(&["triage", "--database-url", &url, "--top", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.starts_with("rank"), "{table}");
    assert_eq!(
        table.lines().count(),
        3,
        "a header, one group, the coverage: {table}"
    );
    assert!(table.contains("coverage: 0 of"), "{table}");

    // The same files triaged in memory give the same number of sessions.
    let output = feather(&["triage", "--json", &examples]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(files["coverage"]["sessions"], list["coverage"]["sessions"]);
}

#[test]
fn bad_input_gets_a_clear_message_and_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();

    let output = feather(&["triage", "--database-url", &url, "--since", "last tuesday"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not a time"),
        "{}",
        stderr(&output)
    );

    let output = feather(&["triage", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("there is no SQLite database at"),
        "{}",
        stderr(&output)
    );

    let output = feather(&["keys", "list", "--database-url", &url]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the file is not made by keys list"
    );
    let output = feather(&[
        "import",
        "--database-url",
        &url,
        "--org",
        "5089f4bc-8601-5899-8283-2b9a5d462041",
        dir.path().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = feather(&["triage", "--database-url", &url, "--since", "2025-01-31"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("No session to triage"),
        "{}",
        stderr(&output)
    );

    let bad = dir.path().join("mixed.jsonl");
    let good = std::fs::read_to_string(example("refund-voice.analysis-input.json")).unwrap();
    let good: Value = serde_json::from_str(&good).unwrap();
    std::fs::write(&bad, format!("{good}\n{{\"not\": \"a session\"}}\n")).unwrap();
    let output = feather(&["triage", "--json", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("rejected"), "{}", stderr(&output));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["coverage"]["sessions"], 1);
}
