//! The clients as the READMEs show them: `crates/client/examples/draft.rs` run
//! against a live server, and the READMEs quoting the Rust, Python and TypeScript
//! examples that CI runs (the latter two in `.ci/ecosystem-checks`) as they are.

use feather_client::types;
use uuid::Uuid;

use crate::support::{API_KEY, TestServer, examples, workspace_root};

#[path = "../../crates/client/examples/draft.rs"]
#[allow(dead_code)] // Its `main` is for `cargo run --example`; the test calls `draft`.
mod example;

/// Captures an example session with the client's own types and builders; its id.
async fn capture_an_example(client: &feather_client::Client) -> Uuid {
    let (name, session) = examples()
        .into_iter()
        .find(|(name, _)| name.ends_with(".analysis-input.json"))
        .expect("an example in the SessionAnalysisInput format");
    let body: types::SessionAnalysisInput =
        serde_json::from_value(session).unwrap_or_else(|e| panic!("{name}: {e}"));
    let session_id = body.session_id;
    client
        .put_session_analysis_input()
        .session_id(session_id)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("capturing {name}: {e}"));
    session_id
}

#[tokio::test]
async fn the_readme_example_drafts_a_captured_session_and_reads_error_codes() {
    let server = TestServer::start().await;
    let client = feather_client::with_api_key(&server.base_url, API_KEY).unwrap();
    let session_id = capture_an_example(&client).await;

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

/// The first code block of `language` in `readme`.
fn first_block<'a>(readme: &'a str, language: &str) -> &'a str {
    readme
        .split(&format!("```{language}\n"))
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("no {language} block"))
        .trim_end()
}

/// The Rust client over HTTPS: `feather serve --tls-cert/--tls-key` with a
/// certificate made now, trusted through `http_client_builder` as the client's
/// README shows; the README example's call and a documented error come back.
#[tokio::test]
async fn the_rust_client_speaks_https_to_a_tls_server() {
    let certificates = tempfile::tempdir().unwrap();
    let (cert, key) = feather_test_support::test_certificate(certificates.path());
    let server = TestServer::start_with(|config| {
        config.front.tls = Some(feather_server::config::TlsFiles {
            cert: cert.clone(),
            key,
        });
    })
    .await;
    let port = server.server.local_addr().port();
    let base_url = format!("https://localhost:{port}");

    let authority = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let http = feather_client::http_client_builder(API_KEY)
        .unwrap()
        .tls_certs_merge([authority])
        .build()
        .unwrap();
    let client = feather_client::Client::new_with_client(&base_url, http);
    let session_id = capture_an_example(&client).await;
    let draft = client
        .draft_scenario_from_session()
        .body_map(|body| body.session_id(session_id))
        .send()
        .await
        .expect("a draft over HTTPS");
    assert!(!draft.name.is_empty());

    // Without the authority, the platform's store does not trust the certificate.
    let untrusting = feather_client::with_api_key(&base_url, API_KEY).unwrap();
    let refused = untrusting
        .draft_scenario_from_session()
        .body_map(|body| body.session_id(session_id))
        .send()
        .await
        .unwrap_err();
    assert!(
        refused.status().is_none(),
        "no HTTP answer without trust: {refused}"
    );
}

#[test]
fn the_readmes_quote_the_examples_that_ci_runs_as_they_are() {
    let read = |path: &str| std::fs::read_to_string(workspace_root().join(path)).unwrap();
    // The Rust client's README: the example without its module doc and `main`.
    let rust = read("crates/client/examples/draft.rs");
    let rust =
        &rust[rust.find("use feather_client").unwrap()..rust.find("#[tokio::main]").unwrap()];
    assert_eq!(
        first_block(&read("crates/client/README.md"), "rust"),
        rust.trim_end(),
        "crates/client/README.md quotes crates/client/examples/draft.rs"
    );
    // The workspace README: the Python example after its docstring, the TypeScript
    // one after its opening comment.
    let readme = read("README.md");
    let python = read("clients/python/example.py");
    let python = &python[python.find("import json").unwrap()..];
    assert_eq!(
        first_block(&readme, "python"),
        python.trim_end(),
        "README.md quotes clients/python/example.py"
    );
    let typescript = read("clients/typescript/src/example.ts");
    let typescript = &typescript[typescript.find("import").unwrap()..];
    assert_eq!(
        first_block(&readme, "ts"),
        typescript.trim_end(),
        "README.md quotes clients/typescript/src/example.ts"
    );
}
