//! Scenarios over real HTTP: the in-process server on an ephemeral port with a
//! temporary SQLite file. `createScenario` answers as upstream's contract says
//! (201 `ScenarioResponse`, 401 before the body, 422 lists), the additions read,
//! list, page and delete what was saved, a proposal is the draft the draft
//! endpoint answers plus success criteria (in every PII mode), and the session
//! list shows each captured session with its draft's name.

use feather_drafter::Pii;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{API_KEY, TestServer, examples};

/// Sends a request with the test key (or `key`), returns the status and body.
async fn send(request: reqwest::RequestBuilder, key: Option<&str>) -> (u16, Value) {
    let response = request
        .header("x-api-key", key.unwrap_or(API_KEY))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text:?}: {e}"))
    };
    (status, body)
}

fn post(server: &TestServer, path: &str, body: &Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(server.url(path))
        .header("content-type", "application/json")
        .body(body.to_string())
}

fn get(server: &TestServer, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().get(server.url(path))
}

/// Captures every example session in the SessionAnalysisInput format; their ids
/// in the order captured.
async fn capture_examples(server: &TestServer) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for (_, session) in examples()
        .into_iter()
        .filter(|(name, _)| name.ends_with(".analysis-input.json"))
    {
        let id: Uuid = session["session_id"].as_str().unwrap().parse().unwrap();
        let request = reqwest::Client::new()
            .put(server.url(&format!("/v1/sessions/{id}/analysis-input")))
            .header("content-type", "application/json")
            .body(session.to_string());
        let (status, body) = send(request, None).await;
        assert_eq!(status, 200, "{body}");
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn a_created_scenario_is_answered_201_with_upstreams_fields_and_read_back() {
    let server = TestServer::start().await;
    let (status, created) = send(
        post(
            &server,
            "/v1/scenarios",
            &json!({"name": "Refund", "intent": "Get a refund"}),
        ),
        None,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    for field in ["id", "organization_id", "created_at", "updated_at"] {
        assert!(created[field].is_string(), "{field}: {created}");
    }
    // Upstream's defaults, and the required fields present even when empty.
    assert_eq!(created["journey"], "");
    assert_eq!(created["source"], "manual");
    assert_eq!(created["tags"], json!([]));
    assert_eq!(created["success_criteria"], json!([]));
    assert_eq!(created["mock_world"], json!({}));
    assert_eq!(created["source_session_id"], Value::Null);
    assert_eq!(created["drafter_version"], Value::Null);
    let created_at = created["created_at"].as_str().unwrap();
    // RFC 3339 UTC with milliseconds, as every timestamp of the store.
    assert!(
        created_at.len() == 24 && created_at.ends_with('Z') && created_at.as_bytes()[10] == b'T',
        "{created_at}"
    );

    let id = created["id"].as_str().unwrap();
    let (status, read) = send(get(&server, &format!("/v1/scenarios/{id}")), None).await;
    assert_eq!((status, &read), (200, &created));

    let delete = || reqwest::Client::new().delete(server.url(&format!("/v1/scenarios/{id}")));
    assert_eq!(send(delete(), None).await, (204, Value::Null));
    let (status, gone) = send(get(&server, &format!("/v1/scenarios/{id}")), None).await;
    assert_eq!((status, gone["error"].as_str()), (404, Some("not_found")));
    let (status, again) = send(delete(), None).await;
    assert_eq!((status, again["error"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn bad_scenarios_get_401_before_422_and_pydantics_lists() {
    let server = TestServer::start().await;
    let bad = json!({
        "intent": "",
        "success_criteria": [{"description": "x".repeat(501), "output_type": "score_10"}],
    });
    // The key is checked before the body.
    let (status, body) = send(post(&server, "/v1/scenarios", &bad), Some("wrong")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );

    let (status, body) = send(post(&server, "/v1/scenarios", &bad), None).await;
    assert_eq!(status, 422, "{body}");
    let found: Vec<(String, String)> = body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_owned(), e["loc"].to_string()))
        .collect();
    for expected in [
        ("missing", r#"["body","name"]"#),
        ("string_too_short", r#"["body","intent"]"#),
        (
            "string_too_long",
            r#"["body","success_criteria",0,"description"]"#,
        ),
        ("enum", r#"["body","success_criteria",0,"output_type"]"#),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {found:?}"
        );
    }

    // A path id that is no UUID is FastAPI's 422; an unknown source session is 404.
    let (status, body) = send(get(&server, "/v1/scenarios/not-a-uuid"), None).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["path", "scenario_id"]));
    let unknown = json!({"name": "n", "intent": "i", "source_session_id": Uuid::new_v4()});
    let (status, body) = send(post(&server, "/v1/scenarios", &unknown), None).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    // The published path serves GET and DELETE; the literal paths beside it keep
    // their own methods.
    let patch = reqwest::Client::new()
        .patch(server.url(&format!("/v1/scenarios/{}", Uuid::new_v4())))
        .header("x-api-key", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status().as_u16(), 405);
    assert_eq!(patch.headers()["allow"], "DELETE, GET");
    let (status, _) = send(get(&server, "/v1/scenarios/draft-from-session"), None).await;
    assert_eq!(status, 405);
    // The path dropshot routes them at is not published, so it is not served.
    let (status, _) = send(
        get(&server, &format!("/v1/scenarios/by-id/{}", Uuid::new_v4())),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn lists_are_newest_first_paged_by_cursor_and_filtered() {
    let server = TestServer::start().await;
    let sessions = capture_examples(&server).await;
    let mut ids = Vec::new();
    for index in 0..5 {
        let mut body = json!({"name": format!("s{index}"), "intent": "i", "tags": [format!("t{}", index % 2)]});
        if index == 4 {
            body["source_session_id"] = json!(sessions[0]);
        }
        let (status, created) = send(post(&server, "/v1/scenarios", &body), None).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["id"].as_str().unwrap().to_owned());
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("?limit=2&cursor={cursor}"),
            None => "?limit=2".to_owned(),
        };
        let (status, page) = send(get(&server, &format!("/v1/scenarios{query}")), None).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|s| s["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    let (_, tagged) = send(get(&server, "/v1/scenarios?tag=t1"), None).await;
    let tagged: Vec<&str> = tagged["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(tagged, [ids[3].as_str(), ids[1].as_str()]);
    let (_, from_session) = send(
        get(
            &server,
            &format!("/v1/scenarios?session_id={}", sessions[0]),
        ),
        None,
    )
    .await;
    assert_eq!(from_session["items"].as_array().unwrap().len(), 1);
    assert_eq!(from_session["items"][0]["id"], ids[4].as_str());
    assert!(from_session["items"][0]["drafter_version"].is_string());

    // The session list: each captured session, newest capture first, with its
    // draft's name.
    let (status, listed) = send(get(&server, "/v1/sessions?limit=1"), None).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        listed["items"][0]["session_id"],
        json!(sessions.last().unwrap())
    );
    let cursor = listed["next_cursor"].as_str().expect("a second page");
    let (_, rest) = send(get(&server, &format!("/v1/sessions?cursor={cursor}")), None).await;
    let mut all: Vec<Value> = listed["items"].as_array().unwrap().clone();
    all.extend(rest["items"].as_array().unwrap().iter().cloned());
    assert_eq!(all.len(), sessions.len());
    for item in &all {
        let draft_request = json!({"session_id": item["session_id"]});
        let (_, draft) = send(
            post(&server, "/v1/scenarios/draft-from-session", &draft_request),
            None,
        )
        .await;
        assert_eq!(item["name"], draft["name"], "{item}");
        assert!(
            item["captured_at"].is_string() && item["outcome"].is_string(),
            "{item}"
        );
    }

    // Bad cursors are 400 invalid_cursor; bad limits are FastAPI's 422.
    for path in ["/v1/scenarios?cursor=nope", "/v1/sessions?cursor=bm9wZQ"] {
        let (status, body) = send(get(&server, path), None).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_cursor")),
            "{path}"
        );
    }
    for (query, kind) in [
        ("limit=0", "greater_than_equal"),
        ("limit=101", "less_than_equal"),
        ("limit=x", "int_parsing"),
    ] {
        for list in ["/v1/scenarios", "/v1/sessions"] {
            let (status, body) = send(get(&server, &format!("{list}?{query}")), None).await;
            assert_eq!(status, 422, "{list}?{query}: {body}");
            assert_eq!(body["detail"][0]["type"], kind, "{body}");
            assert_eq!(body["detail"][0]["loc"], json!(["query", "limit"]));
        }
    }
    let (status, body) = send(get(&server, "/v1/scenarios?session_id=abc"), None).await;
    assert_eq!(
        (status, &body["detail"][0]["type"]),
        (422, &json!("uuid_parsing"))
    );
}

/// A proposal is the draft the draft endpoint answers, with success criteria, in
/// every PII mode, and it saves as it is, remembering its session and drafter.
#[tokio::test]
async fn a_proposal_is_the_draft_plus_criteria_and_saves_as_it_is() {
    for pii in [Pii::Placeholders, Pii::Surrogates, Pii::Keep] {
        let server = TestServer::start_with(|config| config.pii = pii).await;
        for session_id in capture_examples(&server).await {
            let request = json!({"session_id": session_id});
            let (status, draft) = send(
                post(&server, "/v1/scenarios/draft-from-session", &request),
                None,
            )
            .await;
            assert_eq!(status, 200, "{draft}");
            let (status, proposal) = send(
                post(&server, "/v1/scenarios/proposal-from-session", &request),
                None,
            )
            .await;
            assert_eq!(status, 200, "{proposal}");
            for (field, value) in draft.as_object().unwrap() {
                if !["source_agent_name", "source_persona_name"].contains(&field.as_str()) {
                    assert_eq!(&proposal[field], value, "{pii:?} {field}");
                }
            }
            let criteria = proposal["success_criteria"].as_array().unwrap();
            assert!(!criteria.is_empty(), "{pii:?}: {proposal}");
            assert_eq!(proposal["source_session_id"], json!(session_id));
            let version = proposal["drafter_version"].as_str().unwrap();
            assert!(
                version.starts_with(feather_drafter::DRAFTS_VERSION),
                "{version}"
            );

            let (status, saved) = send(post(&server, "/v1/scenarios", &proposal), None).await;
            assert_eq!(status, 201, "{saved}");
            assert_eq!(saved["success_criteria"], proposal["success_criteria"]);
            assert_eq!(saved["drafter_version"], version);
            assert_eq!(saved["source_session_id"], json!(session_id));
            assert_eq!(saved["source_agent_name"], draft["source_agent_name"]);
        }
        let (status, missing) = send(
            post(
                &server,
                "/v1/scenarios/proposal-from-session",
                &json!({"session_id": Uuid::new_v4()}),
            ),
            None,
        )
        .await;
        assert_eq!(
            (status, missing["error"].as_str()),
            (404, Some("not_found"))
        );
        server.server.close().await.unwrap();
    }
}
