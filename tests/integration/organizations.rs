//! Organizations over real HTTP: the in-process server on an ephemeral port over a
//! temporary SQLite file, with keys made in the store as `feather keys create`
//! makes them. A key sees its own organization's sessions only; another
//! organization's session is answered exactly as a session that does not exist;
//! a capture is stored under the key's organization and one naming another
//! organization is refused; a revoked key is refused; and the development key of
//! `serve` still sees every organization.

use feather_server::{RunningServer, ServerConfig};
use feather_store::{OrgScope, Store};
use serde_json::Value;
use uuid::Uuid;

use crate::support::examples;

/// A server whose store holds keys of two organizations.
struct OrgServer {
    server: RunningServer,
    store: Store,
    base_url: String,
    org_a: Uuid,
    key_a: String,
    key_a_id: Uuid,
    org_b: Uuid,
    key_b: String,
    _dir: tempfile::TempDir,
}

const DEVELOPMENT_KEY: &str = "dev-organizations-test";

impl OrgServer {
    async fn start(development_key: Option<&str>) -> OrgServer {
        let dir = tempfile::tempdir().unwrap();
        let database_url = dir.path().join("orgs.db").display().to_string();
        let store = Store::connect(&database_url).await.unwrap();
        let (org_a, org_b) = (Uuid::new_v4(), Uuid::new_v4());
        let (info_a, key_a) = store.create_api_key(org_a, Some("a")).await.unwrap();
        let (_, key_b) = store.create_api_key(org_b, Some("b")).await.unwrap();
        let config = ServerConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            database_url,
            api_key: development_key.map(str::to_owned),
            log_level: "warn".to_owned(),
            ..ServerConfig::default()
        };
        let server = feather_server::start_with_store(&config, store.clone()).unwrap();
        let base_url = format!("http://{}", server.local_addr());
        OrgServer {
            server,
            store,
            base_url,
            org_a,
            key_a,
            key_a_id: info_a.id,
            org_b,
            key_b,
            _dir: dir,
        }
    }

    /// Sends a request and returns the status and the body's exact bytes.
    async fn send(&self, request: reqwest::RequestBuilder, key: &str) -> (u16, String) {
        let response = request.header("x-api-key", key).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    async fn put(&self, key: &str, session_id: Uuid, body: &Value) -> (u16, String) {
        let request = reqwest::Client::new()
            .put(format!(
                "{}/v1/sessions/{session_id}/analysis-input",
                self.base_url
            ))
            .header("content-type", "application/json")
            .body(body.to_string());
        self.send(request, key).await
    }

    async fn get(&self, key: &str, session_id: Uuid) -> (u16, String) {
        let request = reqwest::Client::new().get(format!(
            "{}/v1/sessions/{session_id}/analysis-input",
            self.base_url
        ));
        self.send(request, key).await
    }

    async fn draft(&self, key: &str, session_id: Uuid) -> (u16, String) {
        let request = reqwest::Client::new()
            .post(format!("{}/v1/scenarios/draft-from-session", self.base_url))
            .header("content-type", "application/json")
            .body(serde_json::json!({ "session_id": session_id }).to_string());
        self.send(request, key).await
    }
}

/// The first example session as a capture body of `organization_id`.
fn session_body(organization_id: Uuid) -> (Uuid, Value) {
    let (name, value) = examples().remove(0);
    let captured =
        feather_drafter::capture::parse_value(value).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut body = serde_json::to_value(&captured.input).unwrap();
    let session_id = Uuid::new_v4();
    body["session_id"] = Value::String(session_id.to_string());
    body["organization_id"] = Value::String(organization_id.to_string());
    (session_id, body)
}

fn error_code(body: &str) -> String {
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{body:?}: {e}"));
    body["error"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn another_organizations_session_is_answered_exactly_as_an_unknown_one() {
    let server = OrgServer::start(None).await;
    let (session_id, body) = session_body(server.org_b);

    // Before organization B captures it, the id is unknown to everyone.
    let unknown_get = server.get(&server.key_a, session_id).await;
    let unknown_draft = server.draft(&server.key_a, session_id).await;
    assert_eq!(unknown_get.0, 404, "{unknown_get:?}");
    assert_eq!(unknown_draft.0, 404, "{unknown_draft:?}");
    assert_eq!(error_code(&unknown_get.1), "not_found");

    let captured = server.put(&server.key_b, session_id, &body).await;
    assert_eq!(captured.0, 200, "{captured:?}");
    assert_eq!(server.get(&server.key_b, session_id).await.0, 200);
    assert_eq!(server.draft(&server.key_b, session_id).await.0, 200);

    // Afterwards organization A gets the very same status and bytes as before.
    assert_eq!(server.get(&server.key_a, session_id).await, unknown_get);
    assert_eq!(server.draft(&server.key_a, session_id).await, unknown_draft);
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn a_capture_is_stored_under_the_keys_organization_only() {
    let server = OrgServer::start(None).await;
    let (session_id, body) = session_body(server.org_a);
    let captured = server.put(&server.key_a, session_id, &body).await;
    assert_eq!(captured.0, 200, "{captured:?}");
    let stored = server
        .store
        .get_session(OrgScope::Organization(server.org_a), session_id)
        .await
        .unwrap()
        .expect("stored under organization A");
    assert_eq!(stored.organization_id, server.org_a);
    assert_eq!(stored.analysis_input, body);
    let seen_by_b = server
        .store
        .get_session(OrgScope::Organization(server.org_b), session_id)
        .await
        .unwrap();
    assert_eq!(seen_by_b, None);
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn a_capture_naming_another_organization_is_refused_and_not_stored() {
    let server = OrgServer::start(None).await;
    let (session_id, body) = session_body(server.org_b);
    let (status, answer) = server.put(&server.key_a, session_id, &body).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(error_code(&answer), "organization_mismatch");
    let message: Value = serde_json::from_str(&answer).unwrap();
    assert!(
        message["message"]
            .as_str()
            .is_some_and(|m| m.contains("organization_id")),
        "{answer}"
    );
    assert_eq!(server.store.count_sessions().await.unwrap(), 0);
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn a_revoked_key_is_refused_and_other_keys_keep_working() {
    let server = OrgServer::start(None).await;
    let (session_id, body) = session_body(server.org_a);
    assert_eq!(server.put(&server.key_a, session_id, &body).await.0, 200);
    assert!(server.store.revoke_api_key(server.key_a_id).await.unwrap());
    let (status, answer) = server.get(&server.key_a, session_id).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(error_code(&answer), "unauthorized");
    let (status, answer) = server.put(&server.key_a, session_id, &body).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(server.get(&server.key_b, session_id).await.0, 404);
    // A key that was never made is refused the same way.
    let (status, answer) = server.get("fk_not-a-key", session_id).await;
    assert_eq!(
        (status, error_code(&answer)),
        (401, "unauthorized".to_owned())
    );
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn the_development_key_sees_every_organization_beside_store_keys() {
    let server = OrgServer::start(Some(DEVELOPMENT_KEY)).await;
    let (id_a, body_a) = session_body(server.org_a);
    let (id_b, body_b) = session_body(server.org_b);
    assert_eq!(server.put(&server.key_a, id_a, &body_a).await.0, 200);
    // The development key captures for any organization the body names.
    assert_eq!(server.put(DEVELOPMENT_KEY, id_b, &body_b).await.0, 200);
    for id in [id_a, id_b] {
        assert_eq!(server.get(DEVELOPMENT_KEY, id).await.0, 200);
        assert_eq!(server.draft(DEVELOPMENT_KEY, id).await.0, 200);
    }
    assert_eq!(server.get(&server.key_a, id_b).await.0, 404);
    assert_eq!(server.get(&server.key_b, id_b).await.0, 200);
    server.server.close().await.unwrap();
}

/// Scenarios and the session list are an organization's own: another
/// organization's scenario is answered exactly as one that does not exist (read,
/// delete, or named as a source session), and neither list shows the other's.
#[tokio::test]
async fn another_organizations_scenarios_and_sessions_are_not_seen() {
    let server = OrgServer::start(None).await;
    let (session_id, body) = session_body(server.org_b);
    assert_eq!(server.put(&server.key_b, session_id, &body).await.0, 200);
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base_url);
    let create = |session: Option<Uuid>| {
        let mut body =
            serde_json::json!({"name": "B's scenario", "intent": "check", "tags": ["b"]});
        if let Some(session) = session {
            body["source_session_id"] = Value::String(session.to_string());
        }
        client
            .post(url("/v1/scenarios"))
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    // Organization A naming B's session as the source gets what an unknown one gets.
    let unknown_session = Uuid::new_v4();
    let unknown_source = server
        .send(create(Some(unknown_session)), &server.key_a)
        .await;
    let foreign_source = server.send(create(Some(session_id)), &server.key_a).await;
    assert_eq!(unknown_source.0, 404, "{unknown_source:?}");
    assert_eq!(error_code(&foreign_source.1), "not_found");
    assert_eq!(
        foreign_source.1.replace(&session_id.to_string(), "ID"),
        unknown_source.1.replace(&unknown_session.to_string(), "ID"),
    );

    let (status, created) = server.send(create(Some(session_id)), &server.key_b).await;
    assert_eq!(status, 201, "{created}");
    let created: Value = serde_json::from_str(&created).unwrap();
    assert_eq!(created["organization_id"], server.org_b.to_string());
    let scenario_id = created["id"].as_str().unwrap().to_owned();

    let unknown = Uuid::new_v4();
    let missing_get = server
        .send(
            client.get(url(&format!("/v1/scenarios/{unknown}"))),
            &server.key_a,
        )
        .await;
    let foreign_get = server
        .send(
            client.get(url(&format!("/v1/scenarios/{scenario_id}"))),
            &server.key_a,
        )
        .await;
    assert_eq!(missing_get.0, 404);
    assert_eq!(
        foreign_get.1.replace(&scenario_id, "ID"),
        missing_get.1.replace(&unknown.to_string(), "ID")
    );
    let foreign_delete = server
        .send(
            client.delete(url(&format!("/v1/scenarios/{scenario_id}"))),
            &server.key_a,
        )
        .await;
    assert_eq!(foreign_delete.0, 404, "{foreign_delete:?}");

    let (_, listed_a) = server
        .send(client.get(url("/v1/scenarios")), &server.key_a)
        .await;
    let (_, sessions_a) = server
        .send(client.get(url("/v1/sessions")), &server.key_a)
        .await;
    assert_eq!(listed_a, r#"{"items":[],"next_cursor":null}"#);
    assert_eq!(sessions_a, r#"{"items":[],"next_cursor":null}"#);
    let (_, listed_b) = server
        .send(client.get(url("/v1/scenarios")), &server.key_b)
        .await;
    let (_, sessions_b) = server
        .send(client.get(url("/v1/sessions")), &server.key_b)
        .await;
    let listed_b: Value = serde_json::from_str(&listed_b).unwrap();
    let sessions_b: Value = serde_json::from_str(&sessions_b).unwrap();
    assert_eq!(listed_b["items"][0]["id"], scenario_id.as_str());
    assert_eq!(sessions_b["items"][0]["session_id"], session_id.to_string());

    // B's scenario survived A's attempt, and B deletes it.
    let deleted = server
        .send(
            client.delete(url(&format!("/v1/scenarios/{scenario_id}"))),
            &server.key_b,
        )
        .await;
    assert_eq!(deleted, (204, String::new()));
    server.server.close().await.unwrap();
}
