//! What a new user meets before the first draft: the HTTPS start-up hint (with
//! `--cacert`, and it works), swapped `--tls-cert`/`--tls-key` refused before
//! anything is stored or printed, dropshot's log naming the address the user bound,
//! a database folder that had to be made, said so, and a session without messages
//! (stored by the API, refused by the tools and the draft endpoint).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{BIN, feather};

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `feather serve` with `args` and reads what it prints until `done` says
/// enough was seen (or 60 s passed); returns the server and every line.
fn serve_until(args: &[&str], done: impl Fn(&[String]) -> bool) -> (Server, Vec<String>) {
    let mut server = Server(
        Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .env_remove("FEATHER_API_KEY")
            .env_remove("FEATHER_DATABASE_URL")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stderr = BufReader::new(server.0.stderr.take().unwrap());
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = Vec::new();
    while !done(&printed) {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => printed.push(line),
            Err(_) => panic!("feather serve printed only:\n{}", printed.join("\n")),
        }
    }
    (server, printed)
}

#[test]
fn the_https_hint_trusts_the_certificate_with_cacert_and_works() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = feather_test_support::test_certificate(dir.path());
    let database = dir.path().join("tls.db");
    let (_server, printed) = serve_until(
        &[
            "--log-level",
            "warn",
            "--database-url",
            database.to_str().unwrap(),
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        |lines| lines.iter().any(|l| l.trim_start().starts_with("curl ")),
    );
    let curl = printed
        .iter()
        .find(|l| l.trim_start().starts_with("curl "))
        .unwrap()
        .trim();
    assert!(
        curl.contains(&format!("--cacert {}", cert.display())) && curl.contains("https://"),
        "{curl}"
    );
    let output = Command::new("sh").arg("-c").arg(curl).output().unwrap();
    assert!(
        output.status.success(),
        "{curl}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let draft: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(draft["source"], "drafted", "{draft}");
}

#[test]
fn swapped_tls_files_are_refused_before_anything_is_stored_or_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = feather_test_support::test_certificate(dir.path());
    let database = dir.path().join("never.db");
    let output = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url"])
        .arg(&database)
        .arg("--tls-cert")
        .arg(&key)
        .arg("--tls-key")
        .arg(&cert)
        .env_remove("FEATHER_API_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("--tls-cert and --tls-key are swapped"),
        "{stderr}"
    );
    for early in ["development key", "listening", "example sessions"] {
        assert!(!stderr.contains(early), "{early:?} was printed: {stderr}");
    }
    assert!(!database.exists(), "the database was made: {stderr}");

    // A key file that is no key at all names both files and what they must hold.
    let output = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url"])
        .arg(&database)
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&cert)
        .env_remove("FEATHER_API_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("cannot serve HTTPS with --tls-cert") && !stderr.contains("listening"),
        "{stderr}"
    );
    assert!(!database.exists(), "the database was made: {stderr}");
}

#[test]
fn the_log_names_the_address_the_user_bound() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("log.db");
    let seen = |lines: &[String]| {
        lines
            .iter()
            .any(|l| l.starts_with("Feather API listening on "))
            && lines.iter().any(|l| l.contains("listening, local_addr: "))
    };
    let (_server, printed) = serve_until(
        &[
            "--log-level",
            "info",
            "--no-demo",
            "--database-url",
            database.to_str().unwrap(),
        ],
        seen,
    );
    let bound = printed
        .iter()
        .find_map(|l| l.strip_prefix("Feather API listening on http://"))
        .unwrap()
        .trim()
        .to_owned();
    let logged = printed
        .iter()
        .find_map(|l| l.split("listening, local_addr: ").nth(1))
        .unwrap()
        .trim();
    assert_eq!(logged, bound, "{}", printed.join("\n"));
}

#[test]
fn a_database_folder_that_is_made_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("new/folder/keys.db");
    let output = feather(&[
        "keys",
        "create",
        "--org",
        "5089f4bc-8601-5899-8283-2b9a5d462041",
        "--database-url",
        database.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "The folder {} did not exist",
            dir.path().join("new/folder").display()
        )),
        "{stderr}"
    );
    // The next run finds the folder and says nothing about it.
    let output = feather(&[
        "keys",
        "create",
        "--org",
        "5089f4bc-8601-5899-8283-2b9a5d462041",
        "--database-url",
        database.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("did not exist"),
        "{stderr}"
    );
}

/// A session without messages: `import` and `draft` refuse it (they exist to draft),
/// while the API's capture stores it, as upstream's contract allows, and drafting it
/// answers 400 `session_not_draftable`: what the README says of such a session.
#[tokio::test]
async fn a_session_without_messages_is_refused_by_the_tools_and_by_the_draft_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let organization = uuid::Uuid::new_v4();
    let (session_id, mut body) =
        crate::session_body("refund-voice.analysis-input.json", organization);
    body["messages"] = serde_json::json!([]);
    let file = dir.path().join("empty.json");
    std::fs::write(&file, body.to_string()).unwrap();

    let database = dir.path().join("import.db");
    let output = feather(&[
        "import",
        "--database-url",
        database.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the session has no messages"), "{stderr}");
    let output = feather(&["draft", file.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());

    let server = crate::Serve::start(
        dir.path().join("serve.db").to_str().unwrap(),
        &["--api-key", "first-run-key"],
    );
    let captured = crate::put_session(&server, "first-run-key", session_id, &body).await;
    assert_eq!(captured.status, 200, "{captured:?}");
    let drafted = crate::draft_session(&server, "first-run-key", session_id).await;
    assert_eq!(drafted.status, 400, "{drafted:?}");
    assert_eq!(
        drafted.body["error"], "session_not_draftable",
        "{drafted:?}"
    );
}
