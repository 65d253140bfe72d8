//! Drafts made at capture: the endpoint sends the stored draft, which is the
//! drafter's draft byte for byte; a draft that is missing, or stored under another
//! drafter version or redaction switch, is made again, answered and kept.

use feather_drafter::{CapturedSession, DraftOptions, Pii, capture};
use feather_store::{DraftSource, OrgScope, Store, StoredDraft};
use serde_json::Value;
use uuid::Uuid;

use crate::support::{API_KEY, TestServer, examples};

/// The example sessions as the drafter reads them.
fn captured_examples() -> Vec<CapturedSession> {
    examples()
        .into_iter()
        .map(|(name, value)| capture::parse_value(value).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// What the drafter itself makes of `session`, as the bytes the server should send.
fn drafted(session: &CapturedSession, redact_pii: bool) -> Vec<u8> {
    let pii = if redact_pii {
        Pii::Placeholders
    } else {
        Pii::Keep
    };
    let draft = feather_drafter::draft(session, &DraftOptions { pii }).unwrap();
    serde_json::to_vec(&draft).unwrap()
}

/// `POST /v1/scenarios/draft-from-session` over plain HTTP: (status, body bytes).
async fn draft_bytes(server: &TestServer, session_id: Uuid) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .post(server.url("/v1/scenarios/draft-from-session"))
        .header("x-api-key", API_KEY)
        .header("content-type", "application/json")
        .body(format!(r#"{{"session_id": "{session_id}"}}"#))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Captures `session` through the HTTP API (as the generated client would).
async fn capture_over_http(server: &TestServer, session: &CapturedSession) {
    let mut query = Vec::new();
    if let Some(name) = &session.attribution.agent_name {
        query.push(("agent_name", name.clone()));
    }
    if let Some(id) = &session.attribution.persona_id {
        query.push(("persona_id", id.clone()));
    }
    if let Some(name) = &session.attribution.persona_name {
        query.push(("persona_name", name.clone()));
    }
    let response = reqwest::Client::new()
        .put(server.url(&format!(
            "/v1/sessions/{}/analysis-input",
            session.input.session_id
        )))
        .query(&query)
        .header("x-api-key", API_KEY)
        .json(&session.input)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn the_draft_stored_at_capture_is_the_drafters_draft() {
    let server = TestServer::start().await;
    let store = Store::connect(&server.database_url).await.unwrap();
    let version = DraftOptions::default().version();
    for session in captured_examples() {
        capture_over_http(&server, &session).await;
        let id = session.input.session_id;
        let expected = drafted(&session, true);

        // The capture stored the draft under the server's version...
        let Some(DraftSource::Current(stored)) = store
            .get_draft_source(OrgScope::Any, id, &version)
            .await
            .unwrap()
        else {
            panic!("no current draft was stored for {id}");
        };
        assert_eq!(stored.as_bytes(), expected, "stored draft of {id}");

        // ...and the endpoint sends exactly that.
        let (status, body) = draft_bytes(&server, id).await;
        assert_eq!(status, 200);
        assert_eq!(body, expected, "draft of {id}");
    }
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn an_outdated_or_missing_draft_is_made_again_and_kept() {
    let server = TestServer::start().await;
    let store = Store::connect(&server.database_url).await.unwrap();
    let version = DraftOptions::default().version();
    let sessions = captured_examples();

    // Stored behind the server's back: one with a draft from another drafter
    // version, one with no draft (as an older server stored them).
    let outdated = StoredDraft {
        version: "0.0.1+0000000000000000/redacted".to_owned(),
        json: r#"{"name": "an outdated draft"}"#.to_owned(),
    };
    for (session, draft) in sessions.iter().zip([Some(outdated), None]) {
        let mut stored =
            feather_server::drafts::new_session(session.clone(), &DraftOptions::default());
        stored.draft = draft;
        store.put_session(&stored).await.unwrap();
        let id = session.input.session_id;
        let expected = drafted(session, true);

        let (status, body) = draft_bytes(&server, id).await;
        assert_eq!(status, 200);
        assert_eq!(body, expected, "the answer is a fresh draft of {id}");
        assert_eq!(
            store
                .get_draft_source(OrgScope::Any, id, &version)
                .await
                .unwrap(),
            Some(DraftSource::Current(String::from_utf8(expected).unwrap())),
            "the fresh draft of {id} is kept"
        );
    }
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn a_server_without_redaction_does_not_send_redacted_drafts() {
    let server = TestServer::start_with(|config| {
        config.pii = Pii::Keep;
    })
    .await;
    let store = Store::connect(&server.database_url).await.unwrap();
    // Imported sessions carry drafts made with redaction on.
    let sessions = captured_examples();
    let imported: Vec<_> = sessions
        .iter()
        .cloned()
        .map(|session| feather_server::drafts::new_session(session, &DraftOptions::default()))
        .collect();
    store.put_sessions(&imported).await.unwrap();

    let mut differed = false;
    for session in &sessions {
        let (status, body) = draft_bytes(&server, session.input.session_id).await;
        assert_eq!(status, 200);
        assert_eq!(body, drafted(session, false));
        differed |= body != drafted(session, true);
    }
    assert!(
        differed,
        "redaction changes no example, so this test shows nothing"
    );
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn a_session_that_cannot_be_drafted_is_stored_and_refused_each_time() {
    let server = TestServer::start().await;
    let mut session = captured_examples().remove(0);
    session.input.session_id = Uuid::new_v4();
    // Only the agent speaks: there is no customer request to draft from.
    session.input.messages.retain(|message| {
        !["user", "customer", "human", "caller", "end_user"]
            .contains(&message.role.trim().to_ascii_lowercase().as_str())
    });
    assert!(!session.input.messages.is_empty());
    capture_over_http(&server, &session).await;
    for _ in 0..2 {
        let (status, body) = draft_bytes(&server, session.input.session_id).await;
        assert_eq!(status, 400);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "session_not_draftable", "{body}");
    }
    server.server.close().await.unwrap();
}
