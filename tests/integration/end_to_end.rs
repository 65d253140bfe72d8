//! The whole chain: the real server on an ephemeral port over a temporary SQLite
//! file, driven by the generated client. Sessions are captured through the API,
//! drafted, and the errors the contract documents are provoked one by one.

use feather_client::types;
use feather_drafter::capture;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{API_KEY, TestServer, examples};

/// Captures every example session through the client; returns (id, captured).
async fn capture_examples(server: &TestServer) -> Vec<(Uuid, feather_drafter::CapturedSession)> {
    let client = server.client();
    let mut out = Vec::new();
    for (name, value) in examples() {
        let captured = capture::parse_value(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        let body: types::SessionAnalysisInput =
            serde_json::from_value(serde_json::to_value(&captured.input).unwrap()).unwrap();
        let id = captured.input.session_id;
        let mut request = client
            .put_session_analysis_input()
            .session_id(id)
            .body(body);
        if let Some(agent_name) = &captured.attribution.agent_name {
            request = request.agent_name(agent_name.clone());
        }
        if let Some(persona_id) = &captured.attribution.persona_id {
            request = request.persona_id(persona_id.parse::<Uuid>().unwrap());
        }
        if let Some(persona_name) = &captured.attribution.persona_name {
            request = request.persona_name(persona_name.clone());
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("capturing {name}: {e}"));
        assert_eq!(response.session_id, id);
        assert!(response.created, "{name} was new");
        out.push((id, captured));
    }
    out
}

#[tokio::test]
async fn captured_sessions_are_drafted_with_every_tool_call() {
    let server = TestServer::start().await;
    let client = server.client();
    for (id, captured) in capture_examples(&server).await {
        let draft = client
            .draft_scenario_from_session()
            .body(types::ScenarioDraftFromSessionRequest { session_id: id })
            .send()
            .await
            .unwrap()
            .into_inner();
        let chars = |s: &str| s.chars().count();
        assert!(
            (1..=255).contains(&chars(&draft.name)),
            "name {:?}",
            draft.name
        );
        assert!(
            (1..=500).contains(&chars(&draft.intent)),
            "intent {:?}",
            draft.intent
        );
        assert!(chars(&draft.journey) <= 20000);
        assert!(draft.source_brief.as_deref().map_or(0, |b| chars(b)) <= 2000);
        assert_eq!(draft.source, types::ScenarioSource::Drafted);
        assert_eq!(draft.source_agent_id, captured.input.agent_id.0);
        if let Some(agent) = captured.input.agent_id.0 {
            assert!(draft.agent_ids.contains(&agent));
        }
        assert_eq!(draft.source_agent_name, captured.attribution.agent_name);
        assert_eq!(draft.source_persona_name, captured.attribution.persona_name);

        // Every recorded tool call is in the mock world, under its name, in order.
        let tools = draft
            .mock_world
            .get("tools")
            .and_then(Value::as_object)
            .expect("mock_world.tools");
        for name in captured.input.tool_calls.iter().map(|c| &c.name) {
            let recorded = captured
                .input
                .tool_calls
                .iter()
                .filter(|c| &c.name == name)
                .count();
            let mocked = tools
                .get(name)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            assert_eq!(mocked, recorded, "calls of {name} in mock_world");
        }
        for call in tools.values().flat_map(|calls| calls.as_array().unwrap()) {
            let has_output = call.get("output").is_some();
            let has_error = call.get("error").is_some_and(|e| !e.is_null());
            assert!(
                has_output != has_error,
                "exactly one of output / error: {call}"
            );
        }
    }
    server.server.close().await.unwrap();
}

#[tokio::test]
async fn a_captured_session_reads_back_and_recapture_replaces_it() {
    let server = TestServer::start().await;
    let client = server.client();
    let captured = capture_examples(&server).await;
    let (id, session) = &captured[0];
    let read = client
        .get_session_analysis_input()
        .session_id(*id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.session_id, *id);
    assert_eq!(read.messages.len(), session.input.messages.len());
    assert_eq!(read.tool_calls.len(), session.input.tool_calls.len());

    let body: types::SessionAnalysisInput =
        serde_json::from_value(serde_json::to_value(&session.input).unwrap()).unwrap();
    let again = client
        .put_session_analysis_input()
        .session_id(*id)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(!again.created, "a second capture replaces the first");
}

#[tokio::test]
async fn requests_without_a_valid_key_get_401_before_validation() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let url = server.url("/v1/scenarios/draft-from-session");
    for key in [None, Some("wrong-key"), Some("")] {
        let mut request = http
            .post(&url)
            .header("content-type", "application/json")
            .body(r#"{"session_id":"abc"}"#);
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "key {key:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized", "key {key:?}");
        assert!(body["message"].as_str().unwrap().contains("x-api-key"));
    }

    // The generated client decodes the same body as an ErrorResponse.
    let anonymous = feather_client::Client::new(&server.base_url);
    let err = anonymous
        .draft_scenario_from_session()
        .body(types::ScenarioDraftFromSessionRequest {
            session_id: Uuid::new_v4(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    match err {
        feather_client::Error::ErrorResponse(body) => match body.into_inner() {
            types::ErrorBody::ErrorResponse(e) => assert_eq!(e.error, "unauthorized"),
            other => panic!("401 decoded as {other:?}"),
        },
        other => panic!("401 was not a documented error: {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_session_is_404() {
    let server = TestServer::start().await;
    let client = server.client();
    let unknown = Uuid::new_v4();
    let err = client
        .draft_scenario_from_session()
        .body(types::ScenarioDraftFromSessionRequest {
            session_id: unknown,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let feather_client::Error::ErrorResponse(body) = err else {
        panic!("404 was not documented")
    };
    let types::ErrorBody::ErrorResponse(body) = body.into_inner() else {
        panic!("404 was not an ErrorResponse")
    };
    assert_eq!(body.error, "not_found");
    assert!(body.message.contains(&unknown.to_string()));

    let err = client
        .get_session_analysis_input()
        .session_id(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_bad_session_id_is_422_as_upstream() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/v1/scenarios/draft-from-session"))
        .header("x-api-key", API_KEY)
        .header("content-type", "application/json")
        .body(r#"{"session_id":"abc"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"detail": [{
            "type": "uuid_parsing",
            "loc": ["body", "session_id"],
            "msg": "Input should be a valid UUID, invalid length: found 3",
            "input": "abc",
            "ctx": {"error": "invalid length: found 3"}
        }]})
    );
    // The generated client's error type decodes it as an HTTPValidationError.
    let decoded: types::ErrorBody = serde_json::from_value(body).unwrap();
    let types::ErrorBody::HttpValidationError(decoded) = decoded else {
        panic!("422 decoded as ErrorResponse")
    };
    assert_eq!(decoded.detail[0].type_, "uuid_parsing");
}

#[tokio::test]
async fn a_capture_whose_body_names_another_session_is_400() {
    let server = TestServer::start().await;
    let (name, value) = examples().remove(0);
    let other = Uuid::new_v4();
    let response = reqwest::Client::new()
        .put(server.url(&format!("/v1/sessions/{other}/analysis-input")))
        .header("x-api-key", API_KEY)
        .json(&value)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "{name}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "session_id_mismatch");
}
