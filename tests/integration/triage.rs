//! `GET /v1/sessions/candidates` over real HTTP: captured sessions grouped by
//! signature, ranked with the escalated group first, paged by cursor, covered once
//! a scenario is saved from one of a group's sessions; and its errors as contract
//! bodies (401 first, FastAPI's 422 for bad query types, 400 for a forged cursor).

use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{API_KEY, TestServer, workspace_root};

async fn send(request: reqwest::RequestBuilder, key: Option<&str>) -> (u16, Value) {
    let response = request
        .header("x-api-key", key.unwrap_or(API_KEY))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn example(name: &str) -> Value {
    let path = workspace_root().join("examples").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Captures `session` under a new id, with `outcome` when given; the id.
async fn capture(server: &TestServer, session: &Value, outcome: Option<&str>) -> Uuid {
    let id = Uuid::new_v4();
    let mut session = session.clone();
    session["session_id"] = json!(id);
    if let Some(outcome) = outcome {
        session["knowledge_gap_analysis_outcome"] = json!(outcome);
    }
    let request = reqwest::Client::new()
        .put(server.url(&format!("/v1/sessions/{id}/analysis-input")))
        .header("content-type", "application/json")
        .body(session.to_string());
    let (status, body) = send(request, None).await;
    assert_eq!(status, 200, "{body}");
    id
}

async fn candidates(server: &TestServer, query: &str) -> (u16, Value) {
    let url = server.url(&format!("/v1/sessions/candidates{query}"));
    send(reqwest::Client::new().get(url), None).await
}

#[tokio::test]
async fn captured_sessions_are_grouped_ranked_paged_and_covered() {
    let server = TestServer::start().await;
    let (status, empty) = candidates(&server, "").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["coverage"]["sessions"], 0);

    let refund = example("refund-voice.analysis-input.json");
    let dispute = example("dispute-sms.analysis-input.json");
    let mut refunds = Vec::new();
    for _ in 0..3 {
        refunds.push(capture(&server, &refund, None).await);
    }
    let escalated = capture(&server, &dispute, Some("escalated")).await;

    let (status, page) = candidates(&server, "?limit=1").await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    // One escalated session outranks three smooth ones.
    assert_eq!(items[0]["size"], 1, "{page}");
    assert_eq!(items[0]["signals"]["escalated"], 1);
    assert_eq!(items[0]["representative_session_id"], json!(escalated));
    assert!(items[0]["name"].is_string(), "{page}");
    assert_eq!(page["coverage"]["sessions"], 4);
    assert_eq!(page["coverage"]["groups"], 2);
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();

    let (status, second) = candidates(&server, &format!("?limit=1&cursor={cursor}")).await;
    assert_eq!(status, 200, "{second}");
    let group = &second["items"][0];
    assert_eq!(group["size"], 3);
    assert_eq!(group["member_session_ids"].as_array().unwrap().len(), 3);
    assert!(
        group["tools"]
            .as_array()
            .unwrap()
            .contains(&json!("create_refund"))
    );
    assert_eq!(group["covered"], false);
    assert_eq!(second["next_cursor"], Value::Null);

    // A scenario saved from one refund session covers the refund group.
    let request = reqwest::Client::new()
        .post(server.url("/v1/scenarios"))
        .header("content-type", "application/json")
        .body(
            json!({"name": "Refund", "intent": "Get a refund", "source_session_id": refunds[0]})
                .to_string(),
        );
    let (status, body) = send(request, None).await;
    assert_eq!(status, 201, "{body}");
    let (_, all) = candidates(&server, "").await;
    let refund_group = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["size"] == 3)
        .unwrap();
    assert_eq!(refund_group["covered"], true);
    assert_eq!(refund_group["signals"]["novel_tools"], false);
    assert_eq!(all["coverage"]["sessions_covered"], 3);
    assert_eq!(all["coverage"]["group_share"], 0.5);

    // Nothing was captured after the year 2999.
    let (status, later) = candidates(&server, "?since=2999-01-01T00:00:00Z").await;
    assert_eq!(status, 200, "{later}");
    assert_eq!(later["items"], json!([]));
}

#[tokio::test]
async fn bad_requests_get_contract_bodies() {
    let server = TestServer::start().await;
    let url = server.url("/v1/sessions/candidates?limit=0");
    let (status, body) = send(reqwest::Client::new().get(&url), Some("wrong")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized");

    let (status, body) = candidates(&server, "?limit=abc&since=yesterday").await;
    assert_eq!(status, 422, "{body}");
    let locs: Vec<&Value> = body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert!(locs.contains(&&json!(["query", "limit"])), "{body}");
    assert!(locs.contains(&&json!(["query", "since"])), "{body}");

    let (status, body) = candidates(&server, "?limit=101").await;
    assert_eq!(status, 422, "{body}");

    let (status, body) = candidates(&server, "?cursor=forged").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_cursor");

    // The routed path is not served; only the published one is.
    let (status, body) = send(
        reqwest::Client::new().get(server.url("/v1/triage/candidates")),
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
}
