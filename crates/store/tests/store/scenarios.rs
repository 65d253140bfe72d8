//! Scenarios and the session list: stored per organization, read and deleted
//! only by their organization (or the development scope), listed newest first a
//! page at a time, filtered by tag and source session, on every backend.

use feather_store::{NewScenario, OrgScope, PageAfter, ScenarioFilter, StoredDraft};
use uuid::Uuid;

use crate::{TestDb, on_every_backend, session};

/// The `index`th of a series of ids that sort in the order made, as the server's
/// time-ordered ids do.
fn ordered_id(series: Uuid, index: u16) -> Uuid {
    Uuid::from_u128((series.as_u128() >> 16 << 16) | u128::from(index))
}

fn scenario(id: Uuid, organization_id: Uuid, tags: &[&str], source: Option<Uuid>) -> NewScenario {
    NewScenario {
        id,
        organization_id,
        source_session_id: source,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        document: serde_json::json!({"name": "n", "tags": tags}).to_string(),
    }
}

#[tokio::test]
async fn scenarios_are_kept_per_organization() {
    on_every_backend(scenarios_are_kept_per_organization_on).await;
}

async fn scenarios_are_kept_per_organization_on(db: &TestDb) {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let new = scenario(Uuid::new_v4(), a, &["x"], None);
    let stored = db.store.create_scenario(&new).await.unwrap();
    assert_eq!(stored.document, new.document);
    assert_eq!(stored.created_at.len(), 24, "{}", stored.created_at);

    let own = OrgScope::Organization(a);
    let other = OrgScope::Organization(b);
    assert_eq!(
        db.store.get_scenario(own, new.id).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        db.store.get_scenario(OrgScope::Any, new.id).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(db.store.get_scenario(other, new.id).await.unwrap(), None);
    let everything = ScenarioFilter::default();
    assert!(
        db.store
            .list_scenarios(other, &everything, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!db.store.delete_scenario(other, new.id).await.unwrap());
    assert_eq!(
        db.store.list_scenarios(own, &everything, 10).await.unwrap(),
        vec![stored]
    );
    assert!(db.store.delete_scenario(own, new.id).await.unwrap());
    assert!(!db.store.delete_scenario(own, new.id).await.unwrap());
    assert_eq!(db.store.get_scenario(own, new.id).await.unwrap(), None);
}

#[tokio::test]
async fn scenario_pages_are_newest_first_and_filtered() {
    on_every_backend(scenario_pages_are_newest_first_and_filtered_on).await;
}

async fn scenario_pages_are_newest_first_and_filtered_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let scope = OrgScope::Organization(organization);
    let source = Uuid::new_v4();
    let mut made = Vec::new();
    let series = Uuid::new_v4();
    for index in 0..7 {
        let tags: &[&str] = if index % 3 == 0 {
            &["even", "third"]
        } else {
            &["even"]
        };
        let from = (index == 5).then_some(source);
        let new = scenario(ordered_id(series, index), organization, tags, from);
        made.push(db.store.create_scenario(&new).await.unwrap());
    }
    // Pages of 3 after each page's last item: every scenario once, newest first.
    let mut seen = Vec::new();
    let mut filter = ScenarioFilter::default();
    loop {
        let page = db.store.list_scenarios(scope, &filter, 3).await.unwrap();
        let Some(last) = page.last() else { break };
        filter.after = Some(PageAfter {
            created_at: last.created_at.clone(),
            id: last.id,
        });
        seen.extend(page.iter().map(|s| s.id));
    }
    let newest_first: Vec<Uuid> = made.iter().rev().map(|s| s.id).collect();
    assert_eq!(seen, newest_first);

    let third = ScenarioFilter {
        tag: Some("third".to_owned()),
        ..ScenarioFilter::default()
    };
    let found: Vec<Uuid> = db
        .store
        .list_scenarios(scope, &third, 10)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(found, [made[6].id, made[3].id, made[0].id]);
    // A tag is matched whole, not as a part of another.
    let part = ScenarioFilter {
        tag: Some("thir".to_owned()),
        ..ScenarioFilter::default()
    };
    assert!(
        db.store
            .list_scenarios(scope, &part, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let from_source = ScenarioFilter {
        source_session_id: Some(source),
        ..ScenarioFilter::default()
    };
    let found = db
        .store
        .list_scenarios(scope, &from_source, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].source_session_id, Some(source));
}

#[tokio::test]
async fn the_session_list_pages_every_session_once_with_its_drafts_name() {
    on_every_backend(the_session_list_pages_every_session_once_with_its_drafts_name_on).await;
}

async fn the_session_list_pages_every_session_once_with_its_drafts_name_on(db: &TestDb) {
    let (organization, stranger) = (Uuid::new_v4(), Uuid::new_v4());
    let mut ids = Vec::new();
    // Captured together, so several share a millisecond (PostgreSQL keeps
    // microseconds, which the list's order and cursor leave out).
    let sessions: Vec<_> = (0..6)
        .map(|index| {
            let id = Uuid::new_v4();
            ids.push(id);
            let mut new = session(organization, id, &format!("s{index}"));
            new.draft = (index % 2 == 0).then(|| StoredDraft {
                version: "v".to_owned(),
                json: serde_json::json!({"name": format!("draft {index}")}).to_string(),
            });
            new
        })
        .collect();
    db.store.put_sessions(&sessions).await.unwrap();
    db.store
        .put_session(&session(stranger, Uuid::new_v4(), "other"))
        .await
        .unwrap();

    let scope = OrgScope::Organization(organization);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = db
            .store
            .list_sessions(scope, after.as_ref(), 4)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(PageAfter {
            created_at: last.created_at.clone(),
            id: last.session_id,
        });
        seen.extend(page);
    }
    let mut seen_ids: Vec<Uuid> = seen.iter().map(|s| s.session_id).collect();
    seen_ids.sort();
    ids.sort();
    assert_eq!(seen_ids, ids, "every session of the organization once");
    for pair in seen.windows(2) {
        assert!(pair[0].created_at >= pair[1].created_at, "newest first");
    }
    for summary in &seen {
        let index = sessions
            .iter()
            .position(|s| s.session_id == summary.session_id)
            .unwrap();
        let expected = (index % 2 == 0).then(|| format!("draft {index}"));
        assert_eq!(summary.draft_name, expected);
        assert_eq!(summary.organization_id, organization);
    }
    assert_eq!(
        db.store
            .list_sessions(OrgScope::Any, None, 100)
            .await
            .unwrap()
            .len(),
        7
    );
}

#[tokio::test]
async fn nul_characters_in_tags_and_listed_sessions_are_kept() {
    on_every_backend(nul_characters_in_tags_and_listed_sessions_are_kept_on).await;
}

async fn nul_characters_in_tags_and_listed_sessions_are_kept_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let scope = OrgScope::Organization(organization);
    let new = scenario(Uuid::new_v4(), organization, &["a\0b"], None);
    db.store.create_scenario(&new).await.unwrap();
    let filter = |tag: &str| ScenarioFilter {
        tag: Some(tag.to_owned()),
        ..ScenarioFilter::default()
    };
    let found = db
        .store
        .list_scenarios(scope, &filter("a\0b"), 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(
        db.store
            .list_scenarios(scope, &filter("a"), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let id = Uuid::new_v4();
    let mut captured = session(organization, id, "nul");
    captured.analysis_input =
        serde_json::json!({"channel": "vo\0ice", "ended_at": null}).to_string();
    captured.draft = Some(StoredDraft {
        version: "v".to_owned(),
        json: serde_json::json!({"name": "N\0ame"}).to_string(),
    });
    db.store.put_session(&captured).await.unwrap();
    let listed = db.store.list_sessions(scope, None, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].channel.as_deref(), Some("vo\0ice"));
    assert_eq!(listed[0].draft_name.as_deref(), Some("N\0ame"));
    assert_eq!(listed[0].ended_at, None);
    assert_eq!(listed[0].agent_id, None);
}
