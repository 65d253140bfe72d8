//! The store's recovery, on a real `feather serve`: started on an SQLite file it
//! may not write, the server takes captures once the file is writable again,
//! although it made the file's `-wal` and `-shm` read-only itself; and a
//! PostgreSQL database dropped and made again, empty, answers 503 (not 500) and is
//! migrated again without a restart.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use uuid::Uuid;

use crate::{Answer, Serve, create_key, get_session, put_session, session_body};

fn is_unavailable(answer: &Answer) -> bool {
    answer.status == 503 && answer.body["error"] == "service_unavailable"
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Opens and closes the database: the last connection to close checkpoints the
/// WAL and removes it with the shared-memory file, as after a clean shutdown.
async fn close_cleanly(file: &Path) {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(file);
    let mut connection = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    sqlx::query("SELECT COUNT(*) FROM sessions")
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
    let wal = file.with_file_name("feather.db-wal");
    assert!(!wal.exists(), "no WAL is left to the server");
}

// The case: a server started on a read-only file (`chmod 444`, as an
// ordinary user) makes the `-wal` and `-shm` files itself, and SQLite gives them
// the database file's mode. Restoring the database's mode left them read-only,
// and every capture answered 503 until a restart. Root may write any file, so
// under root the server runs as `nobody` (a file made immutable instead, as the
// other read-only tests do, would not show it: its journals are made writable).
#[tokio::test(flavor = "multi_thread")]
async fn started_on_a_read_only_file_the_server_recovers_with_the_journals_it_made() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let (user, writable) = if root {
        // `nobody` makes its journals in the folder and writes the file by its mode.
        set_mode(dir.path(), 0o777);
        (Some(65_534), 0o666)
    } else {
        (None, 0o644)
    };
    let file = dir.path().join("feather.db");
    let url = file.display().to_string();
    let organization = Uuid::new_v4();
    let (_, key) = create_key(&url, organization, "read-only start");
    close_cleanly(&file).await;
    set_mode(&file, 0o444);
    let server = Serve::start_as(user, &url, &[]);

    let (session_id, body) = session_body("dispute-sms.analysis-input.json", organization);
    for _ in 0..2 {
        let refused = put_session(&server, &key, session_id, &body).await;
        assert!(is_unavailable(&refused), "{refused:?}\n{}", server.log());
    }
    let wal = dir.path().join("feather.db-wal");
    let wal_mode = std::fs::metadata(&wal).unwrap().mode() & 0o777;
    assert_eq!(wal_mode, 0o444, "the server made a read-only WAL file");

    set_mode(&file, writable);
    let stored = put_session(&server, &key, session_id, &body).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());
    let read = get_session(&server, &key, session_id).await;
    assert_eq!(read.status, 200, "{read:?}");
    let wal_mode = std::fs::metadata(&wal).unwrap().mode() & 0o777;
    assert_eq!(
        wal_mode, writable,
        "the WAL file has the database's mode again"
    );
}
