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

/// A database of its own on the test PostgreSQL server, dropped when the test
/// ends: this test drops and makes it again, which a schema cannot stand for.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create() -> Option<PgDatabase> {
        let admin_url =
            feather_test_support::postgres_url("the CLI tests (cargo test -p feather-server)")?;
        let name = format!("feather_recreated_{}", Uuid::new_v4().simple());
        let (before_query, query) = admin_url.split_once('?').unwrap_or((&admin_url, ""));
        let (server, _) = before_query
            .rsplit_once('/')
            .expect("a database in the URL");
        let url = if query.is_empty() {
            format!("{server}/{name}")
        } else {
            format!("{server}/{name}?{query}")
        };
        let database = PgDatabase {
            admin_url,
            name,
            url,
        };
        database
            .admin(&format!("CREATE DATABASE {}", database.name))
            .await;
        Some(database)
    }

    async fn admin(&self, statement: &str) {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.admin_url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
        admin.close().await.unwrap();
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                use sqlx::Connection;
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(sqlx::AssertSqlSafe(statement))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
    }
}

// The case: the database is dropped and made again, empty, under a
// running server. Every request used to answer 500 (`relation "sessions" does not
// exist`) until a restart; now the request that meets the missing tables answers
// 503 saying so, the server runs its migrations again, and captures are stored.
#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_database_made_again_empty_is_503_then_migrated_again() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let key = "dev-recreated";
    let server = Serve::start(&database.url, &["--api-key", key]);
    let organization = Uuid::new_v4();
    let (first_id, first) = session_body("dispute-sms.analysis-input.json", organization);
    let stored = put_session(&server, key, first_id, &first).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());

    database
        .admin(&format!("DROP DATABASE {} WITH (FORCE)", database.name))
        .await;
    database
        .admin(&format!("CREATE DATABASE {}", database.name))
        .await;

    let (second_id, second) = session_body("refund-voice.analysis-input.json", organization);
    let mut said_why = false;
    let mut stored = None;
    for _ in 0..20 {
        let answer = put_session(&server, key, second_id, &second).await;
        if answer.status == 200 {
            stored = Some(answer);
            break;
        }
        assert!(is_unavailable(&answer), "{answer:?}\n{}", server.log());
        said_why |= answer.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("lost its tables"));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(stored.is_some(), "never stored again:\n{}", server.log());
    assert!(said_why, "no 503 said why:\n{}", server.log());
    let read = get_session(&server, key, second_id).await;
    assert_eq!(read.status, 200, "{read:?}");
    // What was stored before is gone with the database: 404, not 500.
    let gone = get_session(&server, key, first_id).await;
    assert_eq!(gone.status, 404, "{gone:?}");
}
