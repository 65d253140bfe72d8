//! Failure modes: an unreachable, locked or read-only database is `Unavailable`
//! (and the store recovers when it is back, without a new `Store`), an SQLite file
//! removed or replaced under the store refuses writes with the reason, damaged
//! data is `Corrupt`, and nothing panics.

use std::time::{Duration, Instant};

use feather_store::{OrgScope, Store, StoreError};
use sqlx::Connection;
use uuid::Uuid;

use crate::{TestDb, session};

#[tokio::test]
async fn postgres_on_a_closed_port_is_unavailable_quickly() {
    let started = Instant::now();
    let err = Store::connect("postgres://postgres@127.0.0.1:1/test")
        .await
        .expect_err("nothing listens on port 1");
    assert!(err.is_unavailable(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_bad_postgres_url_is_not_unavailable() {
    let err = Store::connect("postgres://postgres@127.0.0.1:notaport/test")
        .await
        .expect_err("a bad URL");
    assert!(matches!(err, StoreError::Other(_)), "{err:?}");
}

#[tokio::test]
async fn sqlite_under_a_regular_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let err = Store::connect(&file.join("sub/feather.db").display().to_string())
        .await
        .expect_err("a database cannot live under a regular file");
    assert!(err.is_unavailable(), "{err:?}");
}

#[tokio::test]
async fn sqlite_on_a_file_that_is_not_a_database_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feather.db");
    std::fs::write(&file, "this is not an SQLite database\n".repeat(200)).unwrap();
    let err = Store::connect(&file.display().to_string())
        .await
        .expect_err("not a database");
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
}

#[tokio::test]
async fn sqlite_rows_that_cannot_be_decoded_are_corrupt() {
    let db = TestDb::sqlite().await;
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    db.store
        .put_session(&session(organization, id, "to damage"))
        .await
        .unwrap();

    // Damage the row behind the store's back, past the CHECK constraint and the
    // draft row's foreign key that would otherwise refuse it.
    let url = format!("sqlite:{}", db.sqlite_file().unwrap().display());
    let mut raw = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for pragma in [
        "PRAGMA ignore_check_constraints = ON",
        "PRAGMA foreign_keys = OFF",
    ] {
        sqlx::query(pragma).execute(&mut raw).await.unwrap();
    }
    sqlx::query("UPDATE sessions SET analysis_input = '{not json'")
        .execute(&mut raw)
        .await
        .unwrap();
    let err = db
        .store
        .get_session(OrgScope::Organization(organization), id)
        .await
        .expect_err("damaged JSON");
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");

    sqlx::query("UPDATE sessions SET session_id = 'not-a-uuid'")
        .execute(&mut raw)
        .await
        .unwrap();
    let err = db
        .store
        .session_ids(OrgScope::Any, 10)
        .await
        .expect_err("damaged id");
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    raw.close().await.unwrap();
}

#[tokio::test]
async fn a_locked_sqlite_database_is_unavailable_until_released() {
    let db = TestDb::sqlite().await;
    let organization = Uuid::new_v4();
    let (before, during) = (Uuid::new_v4(), Uuid::new_v4());
    db.store
        .put_session(&session(organization, before, "before"))
        .await
        .unwrap();

    // Another connection takes the write lock and holds it.
    let url = format!("sqlite:{}", db.sqlite_file().unwrap().display());
    let mut holder = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();

    // Reads go on (WAL); a write waits for the busy timeout, then is unavailable.
    assert!(
        db.store
            .get_session(OrgScope::Any, before)
            .await
            .unwrap()
            .is_some()
    );
    let started = Instant::now();
    let err = db
        .store
        .put_session(&session(organization, during, "during"))
        .await
        .expect_err("the database is locked");
    assert!(err.is_unavailable(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );

    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    assert!(
        db.store
            .put_session(&session(organization, during, "during"))
            .await
            .unwrap()
            .created
    );
    assert_eq!(db.store.count_sessions().await.unwrap(), 2);
}

#[tokio::test]
async fn the_postgres_pool_recovers_when_its_connections_are_killed() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    // A store whose connections can be told apart from every other test's.
    let application = format!("feather_test_{}", Uuid::new_v4().simple());
    let store = Store::connect(&format!("{}&application_name={application}", db.url))
        .await
        .unwrap();
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    assert!(
        store
            .put_session(&session(organization, id, "before"))
            .await
            .unwrap()
            .created
    );

    let mut admin = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = $1) AS t",
    )
    .bind(&application)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    assert!(killed >= 1, "the store had a connection to kill");

    // The pool notices the dead connections and opens new ones; at worst the first
    // call after the outage reports it as unavailable.
    let mut last = None;
    for _ in 0..3 {
        match store
            .get_session(OrgScope::Organization(organization), id)
            .await
        {
            Ok(found) => {
                assert!(found.is_some());
                return;
            }
            Err(err) => {
                assert!(err.is_unavailable(), "{err:?}");
                last = Some(err);
            }
        }
    }
    panic!("the pool did not recover: {last:?}");
}

// A file the server may not write at start is unavailable for writes, and takes
// them as soon as it is writable again, with the same store.
#[tokio::test]
async fn a_sqlite_file_read_only_at_start_takes_writes_once_writable() {
    let db = TestDb::sqlite().await;
    let file = db.sqlite_file().unwrap();
    let organization = Uuid::new_v4();
    let (before, during, after) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    db.store
        .put_session(&session(organization, before, "before"))
        .await
        .unwrap();
    feather_test_support::set_writable(&file, false);
    let store = Store::connect(&db.url)
        .await
        .expect("a read-only file opens");
    assert!(
        store
            .get_session(OrgScope::Any, before)
            .await
            .unwrap()
            .is_some()
    );
    for _ in 0..3 {
        let err = store
            .put_session(&session(organization, during, "during"))
            .await
            .expect_err("the file is read-only");
        assert!(err.is_unavailable(), "{err:?}");
    }

    feather_test_support::set_writable(&file, true);
    assert!(
        store
            .put_session(&session(organization, after, "after"))
            .await
            .expect("writable again, without a new store")
            .created
    );
    assert_eq!(store.count_sessions().await.unwrap(), 2);
    assert!(
        store
            .get_session(OrgScope::Any, after)
            .await
            .unwrap()
            .is_some()
    );
}

/// A store on a file that `change` does something to after a first capture:
/// every write after it is refused as unavailable, with `reason` in the error.
async fn writes_refused_after(change: impl FnOnce(&std::path::Path), reason: &str) -> TestDb {
    let db = TestDb::sqlite().await;
    let organization = Uuid::new_v4();
    db.store
        .put_session(&session(organization, Uuid::new_v4(), "kept"))
        .await
        .unwrap();
    change(&db.sqlite_file().unwrap());
    let refused = db
        .store
        .put_session(&session(organization, Uuid::new_v4(), "refused"))
        .await
        .expect_err("a capture after the change");
    assert!(refused.is_unavailable(), "{refused:?}");
    assert!(refused.to_string().contains(reason), "{refused}");
    let refused = db
        .store
        .create_api_key(organization, None)
        .await
        .expect_err("a key after the change");
    assert!(refused.is_unavailable(), "{refused:?}");
    assert!(refused.to_string().contains(reason), "{refused}");
    db
}

// A database file removed under a running store: writes are refused with the
// reason, not acknowledged into a file that a restart would not find.
#[tokio::test]
async fn a_removed_sqlite_file_refuses_writes_and_says_why() {
    let remove = |file: &std::path::Path| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    };
    let db = writes_refused_after(remove, "was removed").await;
    let file = db.sqlite_file().unwrap();
    assert!(
        !file.exists(),
        "no new, empty database was made in its place"
    );
}

// A database file replaced by another under a running store: writes are refused
// with the reason, and the new file is left alone.
#[tokio::test]
async fn a_replaced_sqlite_file_refuses_writes_and_says_why() {
    let mut replacement = Vec::new();
    let replace = |file: &std::path::Path| {
        let other = file.with_file_name("other.db");
        rusqlite::Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE sessions (x); INSERT INTO sessions VALUES (1);")
            .unwrap();
        replacement = std::fs::read(&other).unwrap();
        std::fs::rename(&other, file).unwrap();
    };
    let db = writes_refused_after(replace, "was replaced").await;
    assert_eq!(
        std::fs::read(db.sqlite_file().unwrap()).unwrap(),
        replacement,
        "the file put in its place is left as it was"
    );
}
