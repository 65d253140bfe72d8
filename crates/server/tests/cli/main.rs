//! The `feather` binary as a user and an operator run it, one test binary with a
//! module per area (dropshot's habit, so it links once):
//! - [`crash`]: a real `kill -9` of `feather serve` during a burst of concurrent
//!   captures, after which every acknowledged capture is found whole;
//! - [`disk_full`]: a real full disk (a tmpfs the test mounts, as root): 503, then
//!   200 once there is room, without a restart;
//! - [`draft`]: `feather draft` on session files;
//! - [`first_run`]: what a new user meets first: the HTTPS start-up hint, swapped
//!   TLS files, the address in the log, a database folder made;
//! - [`front`]: the front on real sockets: the key before the body, 413 at once,
//!   slow bodies, the in-flight budget, the connection limit, idle connections, the
//!   contract's bodies for unknown paths and methods, CORS and TLS;
//! - [`front_refusals`]: what the front answers by itself under abuse: wrong keys,
//!   unknown paths and methods counted and logged, an address braked with 429, a
//!   head over 64 KiB (431) and a transfer coding other than chunked (501);
//! - [`front_streaming`]: a body reaches the API server while it still arrives
//!   (the front holds a few chunks, not the body), and one the front stops reading
//!   is never ended at the API as if it were whole;
//! - [`front_upstream`]: the front before an API server the test plays on a real
//!   socket: a body's budget is held until its answer, small bodies pass large ones,
//!   and the handlers get the front's admission, never a client's;
//! - [`keys`]: `feather keys` arguments and messages for a new user;
//! - [`import`]: `feather import`, its summary, streamed arrays, and a real `kill -9`
//!   midway that must leave every committed session whole;
//! - [`serve`]: `feather serve` with its printed curl command, the body size limit,
//!   and a locked SQLite file answering 503 until it is released;
//! - [`nul`]: a NUL character in the attribution, stored and drafted alike on SQLite
//!   and PostgreSQL;
//! - [`recovery`]: started on a read-only SQLite file (whose journals it made
//!   read-only itself), 503 and then 200 once the file is writable; a PostgreSQL
//!   database dropped and made again, empty: 503, then migrated again;
//! - [`replicas`]: two `feather serve` processes on one PostgreSQL database, with
//!   organizations and a key revoked through the CLI;
//! - [`sqlite_file`]: the SQLite file made read-only, kept from growing, removed or
//!   replaced under a running server (503; then 200 once it is writable again,
//!   without a restart), and `--sqlite-synchronous`;
//! - [`unavailable`]: PostgreSQL cut off behind a TCP forwarder (503) and back (200)
//!   without restarting the server.
//!
//! The PostgreSQL tests need `FEATHER_TEST_DATABASE_URL` (CI sets it); without it
//! they print a loud banner and pass without testing anything, except with `CI`
//! set, where they fail ([`pg_schema`]).

mod crash;
mod disk_full;
mod draft;
mod first_run;
mod front;
mod front_refusals;
mod front_streaming;
mod front_upstream;
mod import;
mod keys;
mod nul;
mod recovery;
mod replicas;
mod serve;
mod sqlite_file;
mod triage;
mod unavailable;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use feather_test_support::PgSchema;
use serde_json::Value;
use uuid::Uuid;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_feather");

/// An example session file (the top-level `examples/` folder).
pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// A `SessionAnalysisInput` body for organization `organization_id`: an example
/// session (`refund-voice` or `dispute-sms`) under a new session id.
pub fn session_body(example_name: &str, organization_id: Uuid) -> (Uuid, Value) {
    let text = std::fs::read_to_string(example(example_name)).unwrap();
    let captured = feather_drafter::capture::parse_value(serde_json::from_str(&text).unwrap())
        .unwrap_or_else(|e| panic!("{example_name}: {e}"));
    let mut body = serde_json::to_value(&captured.input).unwrap();
    let session_id = Uuid::new_v4();
    body["session_id"] = Value::String(session_id.to_string());
    body["organization_id"] = Value::String(organization_id.to_string());
    (session_id, body)
}

/// Runs `feather` with `args` to completion.
pub fn feather(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("FEATHER_DATABASE_URL")
        .env_remove("FEATHER_API_KEY")
        .output()
        .unwrap()
}

/// `feather keys create`: returns (key id, key).
pub fn create_key(database_url: &str, organization_id: Uuid, name: &str) -> (Uuid, String) {
    let org = organization_id.to_string();
    let output = feather(&[
        "keys",
        "create",
        "--database-url",
        database_url,
        "--org",
        &org,
        "--name",
        name,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "keys create: {stderr}");
    let key = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("fk_") && key.len() > 60, "{key:?}");
    let id = stderr
        .split_whitespace()
        .find_map(|word| word.parse::<Uuid>().ok())
        .unwrap_or_else(|| panic!("no key id in {stderr:?}"));
    (id, key)
}

/// A `feather serve` process, killed when dropped, with its stderr collected.
pub struct Serve {
    child: Child,
    pub base_url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    /// Starts `feather serve` on an ephemeral port over `database_url`, with
    /// `extra` arguments, and waits until it listens.
    pub fn start(database_url: &str, extra: &[&str]) -> Serve {
        Serve::start_as(None, database_url, extra)
    }

    /// As [`Serve::start`], as the user (and group) of id `uid` when one is
    /// given, through `setpriv` (which takes root).
    pub fn start_as(uid: Option<u32>, database_url: &str, extra: &[&str]) -> Serve {
        let mut command = match uid {
            None => Command::new(BIN),
            Some(uid) => {
                let mut command = Command::new("setpriv");
                command.args([
                    format!("--reuid={uid}"),
                    format!("--regid={uid}"),
                    "--clear-groups".to_owned(),
                    BIN.to_owned(),
                ]);
                command
            }
        };
        let mut child = command
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--log-level",
                "warn",
                "--no-demo",
                "--database-url",
                database_url,
            ])
            .args(extra)
            .env_remove("FEATHER_API_KEY")
            .env_remove("FEATHER_MAX_BODY_BYTES")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let (address_sender, address) = std::sync::mpsc::channel();
        {
            // The server's log is drained for as long as it runs: a full pipe would
            // block the server.
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in stderr.lines().map_while(Result::ok) {
                    if let Some(url) = line.strip_prefix("Feather API listening on ") {
                        let _ = address_sender.send(url.trim().to_owned());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let mut serve = Serve {
            child,
            base_url: String::new(),
            log,
        };
        match address.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => serve.base_url = url,
            Err(_) => panic!("feather serve did not start:\n{}", serve.log()),
        }
        serve
    }

    /// Kills the server with SIGKILL and waits for it to end.
    pub fn kill(&mut self) {
        use std::os::unix::process::ExitStatusExt;
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "the server ended by itself: {status}"
        );
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status and body as JSON (or `Null` when it is not JSON).
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    Answer {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// `PUT /v1/sessions/{id}/analysis-input`.
pub async fn put_session(base: &Serve, key: &str, session_id: Uuid, body: &Value) -> Answer {
    let response = reqwest::Client::new()
        .put(base.url(&format!("/v1/sessions/{session_id}/analysis-input")))
        .header("x-api-key", key)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// `GET /v1/sessions/{id}/analysis-input`.
pub async fn get_session(base: &Serve, key: &str, session_id: Uuid) -> Answer {
    let response = reqwest::Client::new()
        .get(base.url(&format!("/v1/sessions/{session_id}/analysis-input")))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// `POST /v1/scenarios/draft-from-session`.
pub async fn draft_session(base: &Serve, key: &str, session_id: Uuid) -> Answer {
    let response = reqwest::Client::new()
        .post(base.url("/v1/scenarios/draft-from-session"))
        .header("x-api-key", key)
        .header("content-type", "application/json")
        .body(serde_json::json!({ "session_id": session_id }).to_string())
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// A schema of its own on the test PostgreSQL database, dropped when the test
/// ends; `None` when no PostgreSQL is configured outside CI (`feather_test_support`
/// says so loudly, and fails the test in CI).
pub async fn pg_schema() -> Option<PgSchema> {
    PgSchema::create(
        "the CLI tests (cargo test -p feather-server)",
        "feather_cli",
    )
    .await
}
