//! A NUL character in the attribution query parameters (issue 14: PostgreSQL's
//! TEXT cannot hold one, and answered 500 where SQLite answered 200): stored on
//! both backends, and drafted alike from each.

use uuid::Uuid;

use crate::{Answer, Serve, draft_session, pg_schema, session_body};

const KEY: &str = "dev-nul";

/// Captures `body` with NUL characters in the agent and persona names through a
/// server on `database_url`, then asks for its draft.
async fn capture_with_nul_then_draft(database_url: &str, session_id: Uuid, body: &str) -> Answer {
    let server = Serve::start(database_url, &["--api-key", KEY]);
    let path = format!(
        "/v1/sessions/{session_id}/analysis-input\
         ?agent_name=Agent%00Smith&persona_name=Pat%00Q"
    );
    let response = reqwest::Client::new()
        .put(server.url(&path))
        .header("x-api-key", KEY)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}\n{}", server.log());
    draft_session(&server, KEY, session_id).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nul_in_the_attribution_is_stored_and_drafted_alike_on_both_backends() {
    let (session_id, body) = session_body("dispute-sms.analysis-input.json", Uuid::new_v4());
    let body = body.to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feather.db").display().to_string();
    let on_sqlite = capture_with_nul_then_draft(&file, session_id, &body).await;
    assert_eq!(on_sqlite.status, 200, "{on_sqlite:?}");
    assert!(
        on_sqlite.body.to_string().contains("Agent\\u0000Smith"),
        "the draft names the agent as captured: {on_sqlite:?}"
    );

    let Some(schema) = pg_schema().await else {
        return;
    };
    let on_postgres = capture_with_nul_then_draft(&schema.url, session_id, &body).await;
    assert_eq!(on_postgres, on_sqlite);
}
