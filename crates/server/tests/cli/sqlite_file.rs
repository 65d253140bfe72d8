//! The SQLite file under a running `feather serve`: started on a file it may not
//! write, the server answers 503 to writes and takes them once the file is
//! writable, without a restart; the same when its files may not grow (a file size
//! limit, the full disk that can be made without privileges); a file removed or
//! replaced while it runs is noticed, writes answer 503 `service_unavailable` and
//! the log says why.

use uuid::Uuid;

use crate::{Answer, Serve, create_key, get_session, put_session, session_body};

fn is_unavailable(answer: &Answer) -> bool {
    answer.status == 503 && answer.body["error"] == "service_unavailable"
}

#[tokio::test(flavor = "multi_thread")]
async fn started_on_a_read_only_file_the_server_takes_writes_once_it_is_writable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feather.db");
    let url = file.display().to_string();
    let organization = Uuid::new_v4();
    let (_, key) = create_key(&url, organization, "read-only start");
    feather_test_support::set_writable(&file, false);
    let server = Serve::start(&url, &[]);

    let (session_id, body) = session_body("dispute-sms.analysis-input.json", organization);
    for _ in 0..2 {
        let refused = put_session(&server, &key, session_id, &body).await;
        assert!(is_unavailable(&refused), "{refused:?}\n{}", server.log());
    }
    assert!(server.log().contains("readonly"), "{}", server.log());

    feather_test_support::set_writable(&file, true);
    let stored = put_session(&server, &key, session_id, &body).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());
    let read = get_session(&server, &key, session_id).await;
    assert_eq!(read.status, 200, "{read:?}");
}

/// A server on a database file that `change` does something to after a first
/// capture: the next captures answer 503 `service_unavailable`, and the log says
/// `reason`. Returns the file's folder.
async fn captures_refused_after(
    change: impl FnOnce(&std::path::Path),
    reason: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feather.db");
    let url = file.display().to_string();
    let organization = Uuid::new_v4();
    let (_, key) = create_key(&url, organization, "changed file");
    let server = Serve::start(&url, &[]);
    let (first_id, first) = session_body("dispute-sms.analysis-input.json", organization);
    assert_eq!(
        put_session(&server, &key, first_id, &first).await.status,
        200
    );

    change(&file);
    let (second_id, second) = session_body("refund-voice.analysis-input.json", organization);
    for _ in 0..2 {
        let refused = put_session(&server, &key, second_id, &second).await;
        assert!(is_unavailable(&refused), "{refused:?}\n{}", server.log());
    }
    assert!(server.log().contains(reason), "{}", server.log());
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_database_file_is_noticed_and_nothing_more_is_acknowledged() {
    let remove = |file: &std::path::Path| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    };
    let dir = captures_refused_after(remove, "was removed while the server had it open").await;
    assert!(
        !dir.path().join("feather.db").exists(),
        "no new, empty database appeared"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replaced_database_file_is_noticed_and_nothing_more_is_acknowledged() {
    // A copy of the database as it is now, moved over it: the same content in
    // another file.
    let replace = |file: &std::path::Path| {
        let copy = file.with_file_name("copy.db");
        std::fs::copy(file, &copy).unwrap();
        std::fs::rename(&copy, file).unwrap();
    };
    captures_refused_after(replace, "was replaced by another file").await;
}

// `--sqlite-synchronous full` syncs the WAL at every commit (README "Durability");
// a capture is stored and read back as with the default, and a setting SQLite
// does not have is refused before the server starts.
#[tokio::test(flavor = "multi_thread")]
async fn serve_takes_the_durability_setting() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();
    let server = Serve::start(
        &url,
        &["--api-key", "dev-full", "--sqlite-synchronous", "full"],
    );
    let (session_id, body) = session_body("dispute-sms.analysis-input.json", Uuid::new_v4());
    let stored = put_session(&server, "dev-full", session_id, &body).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());
    let read = get_session(&server, "dev-full", session_id).await;
    assert_eq!(read.status, 200, "{read:?}");

    let refused = crate::feather(&[
        "serve",
        "--database-url",
        &url,
        "--sqlite-synchronous",
        "off",
    ]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("is not normal or full"), "{stderr}");
}

/// Sets the soft file size limit (`RLIMIT_FSIZE`) of process `pid` with `prlimit`.
fn limit_file_size(pid: u32, soft: &str) {
    let status = std::process::Command::new("prlimit")
        .arg(format!("--pid={pid}"))
        .arg(format!("--fsize={soft}:unlimited"))
        .status()
        .expect("prlimit runs");
    assert!(status.success(), "prlimit --fsize={soft} failed");
}

// A full disk, as far as a test can make one: the server's files may not grow (a
// file size limit of 0), so a capture cannot be written. Captures answer 503, the
// server keeps running, and once the files may grow again it stores them, without
// a restart.
#[tokio::test(flavor = "multi_thread")]
async fn files_that_cannot_grow_answer_503_and_the_server_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();
    let organization = Uuid::new_v4();
    let (_, key) = create_key(&url, organization, "full disk");
    let server = Serve::start(&url, &[]);
    let (first_id, first) = session_body("dispute-sms.analysis-input.json", organization);
    assert_eq!(
        put_session(&server, &key, first_id, &first).await.status,
        200
    );

    limit_file_size(server.pid(), "0");
    let (second_id, second) = session_body("refund-voice.analysis-input.json", organization);
    for _ in 0..2 {
        let refused = put_session(&server, &key, second_id, &second).await;
        assert!(is_unavailable(&refused), "{refused:?}\n{}", server.log());
    }
    let log = server.log();
    assert!(
        log.contains("disk I/O error") || log.contains("database or disk is full"),
        "{log}"
    );
    let read = get_session(&server, &key, first_id).await;
    assert_eq!(read.status, 200, "reads go on: {read:?}");

    limit_file_size(server.pid(), "unlimited");
    let stored = put_session(&server, &key, second_id, &second).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());
    assert_eq!(get_session(&server, &key, second_id).await.status, 200);
}
