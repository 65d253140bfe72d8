//! Sessions: upsert, organization isolation, batches, counts and ids.

use feather_store::{OrgScope, PutOutcome};
use feather_types::SessionAttribution;
use uuid::Uuid;

use crate::{TestDb, on_every_backend, session};

#[tokio::test]
async fn a_put_creates_then_replaces() {
    on_every_backend(a_put_creates_then_replaces_on).await;
}

async fn a_put_creates_then_replaces_on(db: &TestDb) {
    let store = &db.store;
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let first = session(organization, id, "first");
    assert_eq!(
        store.put_session(&first).await.unwrap(),
        PutOutcome { created: true }
    );
    let stored = store
        .get_session(OrgScope::Organization(organization), id)
        .await
        .unwrap()
        .expect("the session is stored");
    assert_eq!(stored.analysis_input, json(&first.analysis_input));
    assert_eq!(stored.attribution, first.attribution);
    assert_eq!(stored.created_at, stored.updated_at);

    // The same session again is a replacement, and changes nothing else.
    assert_eq!(
        store.put_session(&first).await.unwrap(),
        PutOutcome { created: false }
    );
    let mut second = session(organization, id, "second");
    second.attribution = SessionAttribution {
        agent_name: None,
        persona_id: Some(Uuid::new_v4().to_string()),
        persona_name: None,
    };
    assert_eq!(
        store.put_session(&second).await.unwrap(),
        PutOutcome { created: false }
    );
    let replaced = store
        .get_session(OrgScope::Organization(organization), id)
        .await
        .unwrap()
        .expect("the session is still stored");
    assert_eq!(replaced.analysis_input, json(&second.analysis_input));
    assert_eq!(
        replaced.attribution, second.attribution,
        "attribution is replaced too"
    );
    assert_eq!(
        replaced.created_at, stored.created_at,
        "created_at survives a replacement"
    );
    assert!(replaced.updated_at >= stored.updated_at);
    assert_eq!(store.count_sessions().await.unwrap(), 1);
}

#[tokio::test]
async fn timestamps_are_rfc3339_utc() {
    on_every_backend(timestamps_are_rfc3339_utc_on).await;
}

async fn timestamps_are_rfc3339_utc_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    db.store
        .put_session(&session(organization, id, "a"))
        .await
        .unwrap();
    let stored = db
        .store
        .get_session(OrgScope::Any, id)
        .await
        .unwrap()
        .unwrap();
    // For example 2025-01-31T12:00:00.123Z: the same form on both backends.
    for stamp in [&stored.created_at, &stored.updated_at] {
        let bytes = stamp.as_bytes();
        assert_eq!(bytes.len(), 24, "{stamp}");
        assert_eq!(
            (
                bytes[4], bytes[7], bytes[10], bytes[13], bytes[16], bytes[19], bytes[23]
            ),
            (b'-', b'-', b'T', b':', b':', b'.', b'Z'),
            "{stamp}"
        );
        assert!(stamp.starts_with("20"), "{stamp}");
    }
}

#[tokio::test]
async fn organizations_do_not_see_each_others_sessions() {
    on_every_backend(organizations_do_not_see_each_others_sessions_on).await;
}

async fn organizations_do_not_see_each_others_sessions_on(db: &TestDb) {
    let store = &db.store;
    let (acme, globex) = (Uuid::new_v4(), Uuid::new_v4());
    let shared_id = Uuid::new_v4();
    let acme_only = Uuid::new_v4();
    assert!(
        store
            .put_session(&session(acme, shared_id, "acme"))
            .await
            .unwrap()
            .created
    );
    // The same id in another organization is a new session, not a replacement.
    assert!(
        store
            .put_session(&session(globex, shared_id, "globex"))
            .await
            .unwrap()
            .created
    );
    assert!(
        store
            .put_session(&session(acme, acme_only, "acme only"))
            .await
            .unwrap()
            .created
    );
    assert_eq!(store.count_sessions().await.unwrap(), 3);

    let seen_by_acme = store
        .get_session(OrgScope::Organization(acme), shared_id)
        .await
        .unwrap()
        .unwrap();
    let seen_by_globex = store
        .get_session(OrgScope::Organization(globex), shared_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen_by_acme.organization_id, acme);
    assert_eq!(seen_by_acme.analysis_input["label"], "acme");
    assert_eq!(seen_by_globex.organization_id, globex);
    assert_eq!(seen_by_globex.analysis_input["label"], "globex");
    assert_eq!(
        store
            .get_session(OrgScope::Organization(globex), acme_only)
            .await
            .unwrap(),
        None,
        "another organization's session is invisible"
    );
    assert_eq!(
        store
            .get_session(OrgScope::Organization(Uuid::new_v4()), shared_id)
            .await
            .unwrap(),
        None
    );

    // The development scope sees everything, and picks the smaller organization id
    // when an id is in several.
    let any = store
        .get_session(OrgScope::Any, shared_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(any.organization_id, acme.min(globex));
    assert_eq!(
        store
            .get_session(OrgScope::Any, acme_only)
            .await
            .unwrap()
            .unwrap()
            .organization_id,
        acme
    );
    assert_eq!(
        store
            .get_session(OrgScope::Any, Uuid::new_v4())
            .await
            .unwrap(),
        None
    );

    // Replacing one organization's session leaves the other's alone.
    assert!(
        !store
            .put_session(&session(globex, shared_id, "globex again"))
            .await
            .unwrap()
            .created
    );
    let acme_after = store
        .get_session(OrgScope::Organization(acme), shared_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acme_after, seen_by_acme);

    let mut acme_ids = vec![shared_id, acme_only];
    acme_ids.sort();
    assert_eq!(
        store
            .session_ids(OrgScope::Organization(acme), 10)
            .await
            .unwrap(),
        acme_ids
    );
    assert_eq!(
        store
            .session_ids(OrgScope::Organization(globex), 10)
            .await
            .unwrap(),
        vec![shared_id]
    );
}

#[tokio::test]
async fn session_ids_are_ordered_distinct_and_limited() {
    on_every_backend(session_ids_are_ordered_distinct_and_limited_on).await;
}

async fn session_ids_are_ordered_distinct_and_limited_on(db: &TestDb) {
    let store = &db.store;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let mut ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let batch: Vec<_> = ids
        .iter()
        .map(|id| session(a, *id, "a"))
        .chain([session(b, ids[0], "b")])
        .collect();
    store.put_sessions(&batch).await.unwrap();
    ids.sort();
    assert_eq!(store.count_sessions().await.unwrap(), 6);
    assert_eq!(
        store.session_ids(OrgScope::Any, 100).await.unwrap(),
        ids,
        "each id once, in order"
    );
    assert_eq!(store.session_ids(OrgScope::Any, 2).await.unwrap(), ids[..2]);
    assert_eq!(
        store
            .session_ids(OrgScope::Organization(a), 3)
            .await
            .unwrap(),
        ids[..3]
    );
    assert_eq!(
        store.session_ids(OrgScope::Any, 0).await.unwrap(),
        Vec::<Uuid>::new()
    );
    assert_eq!(
        store
            .session_ids(OrgScope::Organization(Uuid::new_v4()), 10)
            .await
            .unwrap(),
        Vec::<Uuid>::new()
    );
}

#[tokio::test]
async fn a_batch_reports_each_outcome_in_order() {
    on_every_backend(a_batch_reports_each_outcome_in_order_on).await;
}

async fn a_batch_reports_each_outcome_in_order_on(db: &TestDb) {
    let store = &db.store;
    let organization = Uuid::new_v4();
    let (old, new) = (Uuid::new_v4(), Uuid::new_v4());
    store
        .put_session(&session(organization, old, "old"))
        .await
        .unwrap();
    let batch = [
        session(organization, new, "new"),
        session(organization, old, "old, replaced"),
        // The same id twice in one batch: the second replaces the first.
        session(organization, new, "new, replaced"),
    ];
    let outcomes = store.put_sessions(&batch).await.unwrap();
    let created: Vec<bool> = outcomes.iter().map(|o| o.created).collect();
    assert_eq!(created, [true, false, false]);
    let stored = store
        .get_session(OrgScope::Organization(organization), new)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.analysis_input["label"], "new, replaced");
    assert_eq!(store.count_sessions().await.unwrap(), 2);
    assert_eq!(store.put_sessions(&[]).await.unwrap(), Vec::new());
}

#[tokio::test]
async fn a_batch_that_fails_midway_stores_nothing() {
    on_every_backend(a_batch_that_fails_midway_stores_nothing_on).await;
}

async fn a_batch_that_fails_midway_stores_nothing_on(db: &TestDb) {
    let store = &db.store;
    let organization = Uuid::new_v4();
    let (existing, fresh, after) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let original = session(organization, existing, "original");
    store.put_session(&original).await.unwrap();

    // The third row is refused by the database itself (its CHECK constraint: an
    // analysis input must be a JSON object) after the first two were written in the
    // same transaction, so the failure really happens midway.
    let mut not_an_object = session(organization, Uuid::new_v4(), "array");
    not_an_object.analysis_input = serde_json::json!(["not", "an", "object"]).to_string();
    let batch = [
        session(organization, fresh, "fresh"),
        session(organization, existing, "replacement"),
        not_an_object,
        session(organization, after, "after"),
    ];
    let err = store
        .put_sessions(&batch)
        .await
        .expect_err("the batch is refused");
    assert!(
        !err.is_unavailable(),
        "a refused row is not an unavailable store: {err}"
    );

    assert_eq!(
        store.count_sessions().await.unwrap(),
        1,
        "nothing of the batch is stored"
    );
    assert_eq!(store.get_session(OrgScope::Any, fresh).await.unwrap(), None);
    assert_eq!(store.get_session(OrgScope::Any, after).await.unwrap(), None);
    let kept = store
        .get_session(OrgScope::Any, existing)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.analysis_input,
        json(&original.analysis_input),
        "the replacement was rolled back"
    );

    // The store is still usable after the rollback.
    assert!(
        store
            .put_session(&session(organization, fresh, "fresh"))
            .await
            .unwrap()
            .created
    );
}

#[tokio::test]
async fn analysis_input_comes_back_exactly() {
    on_every_backend(analysis_input_comes_back_exactly_on).await;
}

async fn analysis_input_comes_back_exactly_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let mut new = session(organization, id, "exact");
    // Key order that no sorting would produce, nesting, Unicode, escapes, a NUL
    // character and numbers of several kinds.
    new.analysis_input = serde_json::json!({
        "zeta": 1,
        "alpha": {"yy": [1, 2.5, -3, 1e300, u64::MAX], "b": null, "a": true},
        "mid": "naïve café \u{1F600} \"quoted\" \\ back\nslash",
        // PostgreSQL's JSONB would refuse this character; its JSON type keeps it.
        "nul": "before\u{0}after",
        "empty": {},
        "list": [],
    })
    .to_string();
    db.store.put_session(&new).await.unwrap();
    let stored = db
        .store
        .get_session(OrgScope::Organization(organization), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::to_string(&stored.analysis_input).unwrap(),
        new.analysis_input,
        "the document keeps its key order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_puts_all_land() {
    on_every_backend(concurrent_puts_all_land_on).await;
}

async fn concurrent_puts_all_land_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let mut tasks = tokio::task::JoinSet::new();
    // More writers than pooled connections, single puts and batches mixed, so
    // writers queue for connections and (on SQLite) for the write lock.
    for task in 0..24 {
        let store = db.store.clone();
        tasks.spawn(async move {
            let batch: Vec<_> = (0..task % 3 + 1)
                .map(|_| session(organization, Uuid::new_v4(), "concurrent"))
                .collect();
            store
                .put_sessions(&batch)
                .await
                .map(|outcomes| outcomes.len())
        });
    }
    let mut stored = 0;
    while let Some(joined) = tasks.join_next().await {
        stored += joined.expect("the task ran").expect("the put succeeded");
    }
    assert_eq!(stored, 48);
    assert_eq!(db.store.count_sessions().await.unwrap(), 48);
}

// PostgreSQL's TEXT cannot hold a NUL character; the attribution columns are bytes
// there (migration 0004) and the JSON columns keep `\u0000` escaped, so every
// backend gives back exactly what was stored.
#[tokio::test]
async fn nul_characters_are_kept_on_every_backend() {
    on_every_backend(nul_characters_are_kept_on).await;
}

async fn nul_characters_are_kept_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let mut stored = session(organization, id, "nul \u{0} inside");
    let mut input: serde_json::Value = serde_json::from_str(&stored.analysis_input).unwrap();
    input["with\u{0}key"] = serde_json::json!("a\u{0}b");
    stored.analysis_input = input.to_string();
    stored.attribution = SessionAttribution {
        agent_name: Some("a\u{0}b".to_owned()),
        persona_id: Some("\u{0}".to_owned()),
        persona_name: Some("Pat\u{0}\u{0} ü".to_owned()),
    };
    stored.draft = Some(feather_store::StoredDraft {
        version: "v1".to_owned(),
        json: r#"{"name": "a\u0000b"}"#.to_owned(),
    });
    assert!(db.store.put_session(&stored).await.unwrap().created);
    for scope in [OrgScope::Any, OrgScope::Organization(organization)] {
        let read = db.store.get_session(scope, id).await.unwrap().unwrap();
        assert_eq!(read.attribution, stored.attribution, "{:?}", db.backend());
        assert_eq!(read.analysis_input, json(&stored.analysis_input));
        assert_eq!(
            db.store.get_draft_source(scope, id, "v1").await.unwrap(),
            Some(feather_store::DraftSource::Current(
                r#"{"name": "a\u0000b"}"#.to_owned()
            ))
        );
    }
}

/// A stored session's analysis input as the JSON value it reads back as.
fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the analysis input is JSON")
}

/// Captures written together (a group on the SQLite writer thread or a PostgreSQL
/// committing task) stay each other's strangers: one that the database refuses
/// fails alone, and the others are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_capture_fails_alone_among_concurrent_ones() {
    on_every_backend(a_refused_capture_fails_alone_among_concurrent_ones_on).await;
}

async fn a_refused_capture_fails_alone_among_concurrent_ones_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    for round in 0..5 {
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..16 {
            let store = db.store.clone();
            tasks.spawn(async move {
                let mut capture = session(organization, Uuid::new_v4(), "concurrent");
                let refused = task == 7;
                if refused {
                    capture.analysis_input = "[\"not an object\"]".to_owned();
                }
                (
                    refused,
                    capture.session_id,
                    store.put_session(&capture).await,
                )
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (refused, id, outcome) = joined.unwrap();
            if refused {
                let err = outcome.expect_err("the refused capture fails");
                assert!(!err.is_unavailable(), "round {round}: {err}");
            } else {
                assert_eq!(outcome.unwrap(), PutOutcome { created: true });
                let stored = db.store.get_session(OrgScope::Any, id).await.unwrap();
                assert!(stored.is_some(), "round {round}: capture {id} is lost");
            }
        }
    }
    assert_eq!(db.store.count_sessions().await.unwrap(), 5 * 15);
}
