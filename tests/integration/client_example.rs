//! The Rust client as its README shows it: `crates/client/examples/draft.rs` run
//! against a live server, and the README quoting that example as it is.

use feather_client::types;
use uuid::Uuid;

use crate::support::{API_KEY, TestServer, examples, workspace_root};

#[path = "../../crates/client/examples/draft.rs"]
#[allow(dead_code)] // Its `main` is for `cargo run --example`; the test calls `draft`.
mod example;

#[tokio::test]
async fn the_readme_example_drafts_a_captured_session_and_reads_error_codes() {
    let server = TestServer::start().await;
    // Captured with the client's own types and builders, from an example file.
    let (name, session) = examples()
        .into_iter()
        .find(|(name, _)| name.ends_with(".analysis-input.json"))
        .expect("an example in the SessionAnalysisInput format");
    let body: types::SessionAnalysisInput =
        serde_json::from_value(session).unwrap_or_else(|e| panic!("{name}: {e}"));
    let session_id = body.session_id;
    let client = feather_client::with_api_key(&server.base_url, API_KEY).unwrap();
    client
        .put_session_analysis_input()
        .session_id(session_id)
        .body(body)
        .send()
        .await
        .unwrap();

    let draft = example::draft(&server.base_url, API_KEY, session_id)
        .await
        .unwrap()
        .expect("the captured session has a draft");
    assert!(!draft.name.is_empty() && !draft.intent.is_empty());
    assert!(
        !draft.mock_world.is_empty(),
        "the session's tool calls replay"
    );

    let unknown = Uuid::new_v4();
    let missing = example::draft(&server.base_url, API_KEY, unknown).await;
    assert!(
        matches!(missing, Ok(None)),
        "not_found is matched by its code: {missing:?}"
    );
    let refused = example::draft(&server.base_url, "not-a-key", session_id)
        .await
        .unwrap_err();
    assert!(refused.starts_with("unauthorized: "), "{refused}");
}

#[test]
fn the_client_readme_quotes_the_example_as_it_is() {
    let read = |path: &str| std::fs::read_to_string(workspace_root().join(path)).unwrap();
    let example = read("crates/client/examples/draft.rs");
    let readme = read("crates/client/README.md");
    // The README's first Rust block is the example without its module doc and `main`.
    let start = example.find("use feather_client").unwrap();
    let end = example.find("#[tokio::main]").unwrap();
    let quoted = example[start..end].trim_end();
    let block = readme
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a Rust block");
    assert_eq!(
        block.trim_end(),
        quoted,
        "crates/client/README.md quotes examples/draft.rs"
    );
}
