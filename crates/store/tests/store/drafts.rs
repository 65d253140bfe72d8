//! Drafts kept beside sessions: read back only under their version, verbatim,
//! replaced by a new capture, and kept later only for the revision they were made
//! from.

use feather_store::{DraftSource, OrgScope, StoredDraft};
use uuid::Uuid;

use crate::{TestDb, on_every_backend, session};

const VERSION: &str = "0.1.0+0123456789abcdef/redacted";

/// A draft's text with spacing and key order that no serialiser would make, so a
/// store that re-encodes it is caught.
fn draft_text(label: &str) -> String {
    format!(r#"{{ "name":  "draft of {label}", "a": [1, 2.50, {{}}] }}"#)
}

fn draft(label: &str, version: &str) -> StoredDraft {
    StoredDraft {
        version: version.to_owned(),
        json: draft_text(label),
    }
}

#[tokio::test]
async fn a_draft_is_read_back_verbatim_under_its_version_only() {
    on_every_backend(a_draft_is_read_back_verbatim_under_its_version_only_on).await;
}

async fn a_draft_is_read_back_verbatim_under_its_version_only_on(db: &TestDb) {
    let store = &db.store;
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let mut captured = session(organization, id, "first");
    captured.draft = Some(draft("first", VERSION));
    store.put_session(&captured).await.unwrap();

    for scope in [OrgScope::Organization(organization), OrgScope::Any] {
        assert_eq!(
            store.get_draft_source(scope, id, VERSION).await.unwrap(),
            Some(DraftSource::Current(draft_text("first"))),
            "{scope:?}"
        );
    }

    // Another version gets the session to draft from, as `get_session_text` has it.
    let Some(DraftSource::Stale { session, revision }) = store
        .get_draft_source(OrgScope::Any, id, "0.1.0+ffffffffffffffff/redacted")
        .await
        .unwrap()
    else {
        panic!("a draft of another version was served");
    };
    assert_eq!(revision, 1);
    assert_eq!(
        Some(session),
        store.get_session_text(OrgScope::Any, id).await.unwrap()
    );

    // Another organization, or no such session: nothing.
    assert_eq!(
        store
            .get_draft_source(OrgScope::Organization(Uuid::new_v4()), id, VERSION)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .get_draft_source(OrgScope::Any, Uuid::new_v4(), VERSION)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_capture_replaces_the_draft_and_a_late_draft_is_not_kept() {
    on_every_backend(a_capture_replaces_the_draft_and_a_late_draft_is_not_kept_on).await;
}

async fn a_capture_replaces_the_draft_and_a_late_draft_is_not_kept_on(db: &TestDb) {
    let store = &db.store;
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let scope = OrgScope::Organization(organization);
    let mut first = session(organization, id, "first");
    first.draft = Some(draft("first", VERSION));
    store.put_session(&first).await.unwrap();

    // A capture without a draft (one that cannot be drafted) retires the old draft.
    store
        .put_session(&session(organization, id, "second"))
        .await
        .unwrap();
    let Some(DraftSource::Stale {
        session: stored,
        revision,
    }) = store.get_draft_source(scope, id, VERSION).await.unwrap()
    else {
        panic!("the first capture's draft outlived the second capture");
    };
    assert_eq!(revision, 2);
    assert!(stored.analysis_input.contains("second"));

    // A draft made from revision 2 is kept, and the session's capture time stays.
    let before = store.get_session(scope, id).await.unwrap().unwrap();
    assert!(
        store
            .put_draft(organization, id, 2, &draft("second", VERSION))
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_draft_source(scope, id, VERSION).await.unwrap(),
        Some(DraftSource::Current(draft_text("second")))
    );
    assert_eq!(store.get_session(scope, id).await.unwrap().unwrap(), before);

    // A third capture arrives with its own draft; a draft made from revision 2
    // after that is refused and the third's stands.
    let mut third = session(organization, id, "third");
    third.draft = Some(draft("third", VERSION));
    store.put_session(&third).await.unwrap();
    assert!(
        !store
            .put_draft(organization, id, 2, &draft("second", VERSION))
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_draft_source(scope, id, VERSION).await.unwrap(),
        Some(DraftSource::Current(draft_text("third")))
    );

    // No such session, or another organization's: nothing is written.
    assert!(
        !store
            .put_draft(Uuid::new_v4(), id, 3, &draft("other", VERSION))
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_draft_source(scope, id, VERSION).await.unwrap(),
        Some(DraftSource::Current(draft_text("third")))
    );
}

#[tokio::test]
async fn a_draft_that_is_not_json_is_refused() {
    on_every_backend(a_draft_that_is_not_json_is_refused_on).await;
}

async fn a_draft_that_is_not_json_is_refused_on(db: &TestDb) {
    let store = &db.store;
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let mut broken = session(organization, id, "broken");
    broken.draft = Some(StoredDraft {
        version: VERSION.to_owned(),
        json: "{\"name\": ".to_owned(),
    });
    assert!(store.put_session(&broken).await.is_err());
    assert_eq!(store.count_sessions().await.unwrap(), 0);

    store
        .put_session(&session(organization, id, "whole"))
        .await
        .unwrap();
    let refused = StoredDraft {
        version: VERSION.to_owned(),
        json: "not json".to_owned(),
    };
    assert!(
        store
            .put_draft(organization, id, 1, &refused)
            .await
            .is_err()
    );
    assert!(matches!(
        store
            .get_draft_source(OrgScope::Any, id, VERSION)
            .await
            .unwrap(),
        Some(DraftSource::Stale { .. })
    ));
}

// Reads run on the callers' threads (SQLite's readers) while captures commit on
// the pool: every read sees either the whole old capture or the whole new one, and
// none fails for a busy database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_captures_run_side_by_side() {
    on_every_backend(reads_and_captures_run_side_by_side_on).await;
}

async fn reads_and_captures_run_side_by_side_on(db: &TestDb) {
    const SESSIONS: usize = 8;
    const CAPTURES: usize = 20;
    const READS: usize = 200;
    let organization = Uuid::new_v4();
    let ids: Vec<Uuid> = (0..SESSIONS).map(|_| Uuid::new_v4()).collect();
    let captured = move |id: Uuid, round: usize| {
        let mut stored = session(organization, id, &format!("round {round}"));
        stored.draft = Some(draft(&format!("round {round}"), VERSION));
        stored
    };
    for &id in &ids {
        db.store.put_session(&captured(id, 0)).await.unwrap();
    }

    let writer = {
        let (store, ids) = (db.store.clone(), ids.clone());
        tokio::spawn(async move {
            for round in 1..=CAPTURES {
                for &id in &ids {
                    store.put_session(&captured(id, round)).await.unwrap();
                }
            }
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|reader| {
            let (store, ids) = (db.store.clone(), ids.clone());
            tokio::spawn(async move {
                for read in 0..READS {
                    let id = ids[(reader + read) % ids.len()];
                    let source = store
                        .get_draft_source(OrgScope::Organization(organization), id, VERSION)
                        .await
                        .unwrap();
                    let Some(DraftSource::Current(text)) = source else {
                        panic!("session {id} lost its draft: {source:?}");
                    };
                    assert!(
                        (0..=CAPTURES).any(|round| text == draft_text(&format!("round {round}"))),
                        "a torn draft: {text}"
                    );
                }
            })
        })
        .collect();
    for reader in readers {
        reader.await.unwrap();
    }
    writer.await.unwrap();
    for &id in &ids {
        assert_eq!(
            db.store
                .get_draft_source(OrgScope::Any, id, VERSION)
                .await
                .unwrap(),
            Some(DraftSource::Current(draft_text(&format!(
                "round {CAPTURES}"
            ))))
        );
    }
}

// The development key's pick among organizations that hold the same session id is
// the smallest organization id, for the draft as for the session itself, even
// when only a larger organization's copy has a current draft.
#[tokio::test]
async fn the_development_keys_pick_does_not_depend_on_drafts() {
    on_every_backend(the_development_keys_pick_does_not_depend_on_drafts_on).await;
}

async fn the_development_keys_pick_does_not_depend_on_drafts_on(db: &TestDb) {
    let store = &db.store;
    let smaller = Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0001);
    let larger = Uuid::from_u128(0xf000_0000_0000_4000_8000_0000_0000_0001);
    let id = Uuid::new_v4();
    let mut drafted = session(larger, id, "larger");
    drafted.draft = Some(draft("larger", VERSION));
    store.put_session(&drafted).await.unwrap();
    assert_eq!(
        store
            .get_draft_source(OrgScope::Any, id, VERSION)
            .await
            .unwrap(),
        Some(DraftSource::Current(draft_text("larger")))
    );

    // The smaller organization's copy could not be drafted: it is still the pick.
    store
        .put_session(&session(smaller, id, "smaller"))
        .await
        .unwrap();
    let Some(DraftSource::Stale { session, .. }) = store
        .get_draft_source(OrgScope::Any, id, VERSION)
        .await
        .unwrap()
    else {
        panic!("the larger organization's draft was served to the development key");
    };
    assert_eq!(session.organization_id, smaller);
    assert_eq!(
        store
            .get_session(OrgScope::Any, id)
            .await
            .unwrap()
            .unwrap()
            .organization_id,
        smaller
    );
    assert_eq!(
        store
            .get_draft_source(OrgScope::Organization(larger), id, VERSION)
            .await
            .unwrap(),
        Some(DraftSource::Current(draft_text("larger")))
    );
}

// Every session has its row in `session_drafts` (migration 0003); should one be
// lost behind the store's back, the session is still found and drafted again.
#[tokio::test]
async fn a_session_whose_draft_row_is_gone_is_still_found() {
    let db = TestDb::sqlite().await;
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let mut captured = session(organization, id, "first");
    captured.draft = Some(draft("first", VERSION));
    db.store.put_session(&captured).await.unwrap();
    let file = db.sqlite_file().unwrap();
    let deleted = rusqlite::Connection::open(file)
        .unwrap()
        .execute("DELETE FROM session_drafts", [])
        .unwrap();
    assert_eq!(deleted, 1);
    for scope in [OrgScope::Any, OrgScope::Organization(organization)] {
        let found = db.store.get_draft_source(scope, id, VERSION).await.unwrap();
        assert!(
            matches!(&found, Some(DraftSource::Stale { revision: 1, .. })),
            "{scope:?}: {found:?}"
        );
    }
}
