//! Triage's storage: signatures kept beside drafts at capture, grouped by their
//! key in the database per organization, with the members of a key, the keys
//! saved scenarios cover, and sessions stored without a signature found and
//! signed later, on every backend.

use feather_store::{NewScenario, OrgScope, StoredSignature};
use uuid::Uuid;

use crate::{TestDb, on_every_backend, session};

fn signature(key: &str, signals: i64, severity: i64) -> StoredSignature {
    StoredSignature {
        key: key.to_owned(),
        json: format!(r#"{{"goals": ["{key}"], "tools": []}}"#),
        signals,
        severity,
    }
}

#[tokio::test]
async fn sessions_are_grouped_by_signature_key_per_organization() {
    on_every_backend(sessions_are_grouped_by_signature_key_per_organization_on).await;
}

async fn sessions_are_grouped_by_signature_key_per_organization_on(db: &TestDb) {
    let (org, stranger) = (Uuid::new_v4(), Uuid::new_v4());
    let mut ids = Vec::new();
    for (index, (key, signals, severity)) in [
        ("goals:refund|tools:refund", 0b10, 5),
        ("goals:refund|tools:refund", 0b11, 8),
        ("goals:refund|tools:refund", 0, 0),
        ("goals:exchange|tools:exchange", 1 << 8, 1),
    ]
    .into_iter()
    .enumerate()
    {
        let id = Uuid::new_v4();
        let mut captured = session(org, id, &format!("s{index}"));
        captured.signature = Some(signature(key, signals, severity));
        db.store.put_session(&captured).await.unwrap();
        ids.push(id);
    }
    let mut other = session(stranger, Uuid::new_v4(), "other");
    other.signature = Some(signature("goals:refund|tools:refund", 0b10, 5));
    db.store.put_session(&other).await.unwrap();

    let mut groups = db
        .store
        .triage_groups(OrgScope::Organization(org), None)
        .await
        .unwrap();
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[1].key, "goals:refund|tools:refund");
    assert_eq!(
        groups[1].sessions, 3,
        "the stranger's session is not counted"
    );
    assert_eq!(groups[1].max_severity, 8);
    assert_eq!(groups[1].flag_counts[0], 1, "tool errors");
    assert_eq!(groups[1].flag_counts[1], 2, "failed");
    assert_eq!(groups[0].flag_counts[8], 1, "long");
    let all = db.store.triage_groups(OrgScope::Any, None).await.unwrap();
    let refunds = all.iter().find(|g| g.key == "goals:refund|tools:refund");
    assert_eq!(refunds.unwrap().sessions, 4);

    // A time after every capture leaves nothing; one before leaves everything.
    let later = db
        .store
        .triage_groups(
            OrgScope::Organization(org),
            Some("2999-01-01T00:00:00.000Z"),
        )
        .await
        .unwrap();
    assert!(later.is_empty(), "{later:?}");
    let earlier = db
        .store
        .triage_groups(
            OrgScope::Organization(org),
            Some("2000-01-01T00:00:00.000Z"),
        )
        .await
        .unwrap();
    assert_eq!(earlier.len(), 2);

    // Members: the most severe first, capped.
    let members = db
        .store
        .triage_members(
            OrgScope::Organization(org),
            "goals:refund|tools:refund",
            None,
            2,
        )
        .await
        .unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].session_id, ids[1]);
    assert_eq!(members[0].severity, 8);
    assert_eq!(members[1].session_id, ids[0]);
    let (stored, _draft) = db.store.triage_session(org, ids[1]).await.unwrap().unwrap();
    assert!(stored.unwrap().contains("refund"));

    // A scenario drafted from a refund session covers the refund key.
    assert!(
        db.store
            .covered_signature_keys(OrgScope::Organization(org))
            .await
            .unwrap()
            .is_empty()
    );
    db.store
        .create_scenario(&NewScenario {
            id: Uuid::new_v4(),
            organization_id: org,
            source_session_id: Some(ids[2]),
            tags: Vec::new(),
            document: "{}".to_owned(),
        })
        .await
        .unwrap();
    let covered = db
        .store
        .covered_signature_keys(OrgScope::Organization(org))
        .await
        .unwrap();
    assert_eq!(covered, vec!["goals:refund|tools:refund".to_owned()]);
    assert!(
        db.store
            .covered_signature_keys(OrgScope::Organization(stranger))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn sessions_without_a_signature_are_found_and_signed() {
    on_every_backend(sessions_without_a_signature_are_found_and_signed_on).await;
}

async fn sessions_without_a_signature_are_found_and_signed_on(db: &TestDb) {
    let org = Uuid::new_v4();
    let (unsigned, signed) = (Uuid::new_v4(), Uuid::new_v4());
    db.store
        .put_session(&session(org, unsigned, "before signatures"))
        .await
        .unwrap();
    let mut captured = session(org, signed, "after");
    captured.signature = Some(signature("goals:a|tools:a", 0, 0));
    db.store.put_session(&captured).await.unwrap();

    let found = db.store.unsigned_sessions(10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].session_id, unsigned);
    assert!(found[0].analysis_input.contains("before signatures"));
    let groups = db.store.triage_groups(OrgScope::Any, None).await.unwrap();
    assert_eq!(groups.len(), 1, "an unsigned session is not grouped");

    db.store
        .put_signatures(&[(org, unsigned, signature("goals:a|tools:a", 1, 3))])
        .await
        .unwrap();
    assert!(db.store.unsigned_sessions(10).await.unwrap().is_empty());
    let groups = db.store.triage_groups(OrgScope::Any, None).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].sessions, 2);
    assert_eq!(groups[0].max_severity, 3);
}
