//! SQLite's readers share snapshots between reads (`sqlite_readers.rs`): what a
//! store writes it reads back at once, another store's (another process's) writes
//! on the same file are found at once when new and seen within
//! `SQLITE_SNAPSHOT_REUSE` when they change a row, and idle snapshots do not hold
//! the WAL.

use std::time::Duration;

use feather_store::{
    DraftSource, OrgScope, SQLITE_SNAPSHOT_REUSE, SQLITE_SNAPSHOT_SWEEP, Store, StoredDraft,
};
use uuid::Uuid;

use crate::{TestDb, session};

const VERSION: &str = "0.1.0+0123456789abcdef/redacted";

fn captured(organization: Uuid, id: Uuid, label: &str) -> feather_store::NewSession {
    let mut captured = session(organization, id, label);
    captured.draft = Some(StoredDraft {
        version: VERSION.to_owned(),
        json: format!(r#"{{"name": "draft of {label}"}}"#),
    });
    captured
}

async fn draft_text(store: &Store, id: Uuid) -> String {
    match store.get_draft_source(OrgScope::Any, id, VERSION).await {
        Ok(Some(DraftSource::Current(text))) => text,
        other => panic!("no current draft: {other:?}"),
    }
}

// Captures and reads alternate faster than a snapshot ages out, so only renewing
// the snapshot on each write makes every read see the capture before it.
#[tokio::test]
async fn a_store_reads_its_own_writes_at_once() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    for round in 0..30 {
        let label = format!("capture {round}");
        store
            .put_session(&captured(organization, id, &label))
            .await
            .unwrap();
        assert_eq!(
            draft_text(store, id).await,
            format!(r#"{{"name": "draft of {label}"}}"#)
        );
        let session = store.get_session(OrgScope::Any, id).await.unwrap().unwrap();
        assert_eq!(
            session.attribution.agent_name,
            Some(format!("agent of {label}"))
        );
    }

    // A revoked key stops working with the very next request.
    let (info, key) = store.create_api_key(organization, None).await.unwrap();
    assert_eq!(
        store.resolve_api_key(&key).await.unwrap(),
        Some(organization)
    );
    assert!(store.revoke_api_key(info.id).await.unwrap());
    assert_eq!(store.resolve_api_key(&key).await.unwrap(), None);
}

// What another store (another process) adds is found at once: a miss is looked
// for again in a fresh snapshot. What it changes is seen within the reuse window.
#[tokio::test]
async fn another_stores_writes_are_seen_at_once_or_within_the_reuse_window() {
    let db = TestDb::sqlite().await;
    let other = Store::connect(&db.url).await.unwrap();
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    // The store's reader opens a snapshot, taken before the other store writes.
    assert_eq!(
        db.store
            .get_draft_source(OrgScope::Any, id, VERSION)
            .await
            .unwrap(),
        None
    );
    other
        .put_session(&captured(organization, id, "first"))
        .await
        .unwrap();
    assert!(draft_text(&db.store, id).await.contains("first"));
    let (_, key) = other.create_api_key(organization, None).await.unwrap();
    assert_eq!(
        db.store.resolve_api_key(&key).await.unwrap(),
        Some(organization)
    );

    other
        .put_session(&captured(organization, id, "second"))
        .await
        .unwrap();
    tokio::time::sleep(SQLITE_SNAPSHOT_REUSE).await;
    assert!(draft_text(&db.store, id).await.contains("second"));
}

// A snapshot left open keeps a TRUNCATE checkpoint from emptying the WAL; the
// store's sweeper ends it soon after its reader goes idle.
#[tokio::test]
async fn idle_snapshots_do_not_hold_the_wal() {
    let db = TestDb::sqlite().await;
    let other = Store::connect(&db.url).await.unwrap();
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    other
        .put_session(&captured(organization, id, "first"))
        .await
        .unwrap();
    // This read leaves a snapshot open in the store's idle reader.
    assert!(draft_text(&db.store, id).await.contains("first"));
    for round in 0..20 {
        other
            .put_session(&captured(organization, id, &format!("capture {round}")))
            .await
            .unwrap();
    }

    let file = db.sqlite_file().unwrap();
    let checkpoint = tokio::task::spawn_blocking(move || {
        let connection = rusqlite::Connection::open(&file).unwrap();
        connection.busy_timeout(SQLITE_SNAPSHOT_SWEEP * 20).unwrap();
        // Tried again while busy, for long enough that a loaded machine (the whole
        // suite on two cores) or a checkpoint of the stores' own running at the same
        // moment cannot fail it, and short enough to fail rather than hang: a
        // snapshot that is never swept keeps it busy to the end.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let result: (i64, i64, i64) = connection
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .unwrap();
            let wal = std::fs::metadata(file.with_extension("db-wal"))
                .unwrap()
                .len();
            if result.0 == 0 || std::time::Instant::now() > deadline {
                break (result, wal);
            }
            std::thread::sleep(SQLITE_SNAPSHOT_SWEEP);
        }
    })
    .await
    .unwrap();
    assert_eq!(
        checkpoint,
        ((0, 0, 0), 0),
        "(busy, log, checkpointed), WAL bytes"
    );
    assert!(SQLITE_SNAPSHOT_SWEEP < Duration::from_secs(1));
}
