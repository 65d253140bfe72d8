//! The clients as the READMEs show them: `crates/client/examples/draft.rs` and
//! `https.rs` run against a live server, and the client's README and
//! `docs/clients.md` quoting the Rust, Python and TypeScript examples that CI runs
//! (the latter two in `.ci/ecosystem-checks`) as they are.

use feather_client::types;
use uuid::Uuid;

use crate::support::{API_KEY, TestServer, examples, workspace_root};

#[path = "../../crates/client/examples/draft.rs"]
#[allow(dead_code)] // Its `main` is for `cargo run --example`; the test calls `draft`.
mod example;

#[path = "../../crates/client/examples/scenarios.rs"]
#[allow(dead_code)] // Its `main` is for `cargo run --example`; the test calls `save_proposal`.
mod scenarios_example;

#[path = "../../crates/client/examples/https.rs"]
#[allow(dead_code)] // Its `main` is for `cargo run --example`; the tests call `client_trusting`.
mod https_example;

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

    // A base URL with a trailing slash names the same server, not a 404 for every call.
    let with_slash = format!("{}/", server.base_url);
    let again = example::draft(&with_slash, API_KEY, session_id).await;
    assert!(
        matches!(&again, Ok(Some(d)) if d.name == draft.name),
        "{again:?}"
    );
}

/// The README's scenario example: a proposal saved as it is, found by its session,
/// and the session list's newest entry named by its draft; then read and deleted
/// with the client's other two scenario calls.
#[tokio::test]
async fn the_readme_scenario_example_saves_a_proposal_and_lists_it() {
    let server = TestServer::start().await;
    let client = feather_client::with_api_key(&server.base_url, API_KEY).unwrap();
    let session_id = capture_an_example(&client).await;

    let (saved, newest) = scenarios_example::save_proposal(&server.base_url, API_KEY, session_id)
        .await
        .unwrap();
    assert_eq!(saved.source_session_id, Some(session_id));
    assert!(!saved.success_criteria.is_empty());
    assert!(saved.drafter_version.is_some());
    let draft = example::draft(&server.base_url, API_KEY, session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(newest.as_deref(), Some(draft.name.as_str()));

    let read = client
        .get_scenario()
        .scenario_id(saved.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        serde_json::to_value(&saved).unwrap()
    );
    client
        .delete_scenario()
        .scenario_id(saved.id)
        .send()
        .await
        .unwrap();
    let gone = client.get_scenario().scenario_id(saved.id).send().await;
    assert!(
        matches!(&gone, Err(feather_client::Error::ErrorResponse(e)) if e.status().as_u16() == 404),
        "{gone:?}"
    );
    // An unknown session cannot be proposed from, and the example says so.
    let refused = scenarios_example::save_proposal(&server.base_url, API_KEY, Uuid::new_v4()).await;
    assert!(refused.is_err(), "{refused:?}");
}

/// The `n`th (0-based) code block of `language` in `readme`.
fn nth_block<'a>(readme: &'a str, language: &str, n: usize) -> &'a str {
    readme
        .split(&format!("```{language}\n"))
        .nth(n + 1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("no {language} block {n}"))
        .trim_end()
}

/// The client README's recipe for a certificate that fits: its `openssl` command,
/// run in `dir`; the paths of `cert.pem` and `key.pem`.
fn readme_certificate(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let readme = std::fs::read_to_string(workspace_root().join("crates/client/README.md")).unwrap();
    let recipe = readme
        .split("```sh\n")
        .filter_map(|block| block.split("```").next())
        .find(|block| block.starts_with("openssl req"))
        .expect("crates/client/README.md shows how to make a certificate");
    // The command, without the `feather serve` line after it.
    let command = recipe.split("\nfeather ").next().unwrap();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .output()
        .expect("the TLS tests need the openssl command");
    assert!(
        output.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (dir.join("cert.pem"), dir.join("key.pem"))
}

/// A server on `cert` and `key` over HTTPS; its `https://localhost:PORT` URL.
async fn tls_server(cert: &std::path::Path, key: &std::path::Path) -> (TestServer, String) {
    let (cert, key) = (cert.to_owned(), key.to_owned());
    let server = TestServer::start_with(|config| {
        config.front.tls = Some(feather_server::config::TlsFiles { cert, key });
    })
    .await;
    let port = server.server.local_addr().port();
    (server, format!("https://localhost:{port}"))
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

/// The Rust client over HTTPS: `feather serve --tls-cert/--tls-key` with the
/// certificate the client's README tells how to make, trusted through
/// `examples/https.rs` as that README shows; the call and a documented error come
/// back, and without the authority the error says why in its causes.
#[tokio::test]
async fn the_rust_client_speaks_https_to_a_tls_server() {
    let certificates = tempfile::tempdir().unwrap();
    let (cert, key) = readme_certificate(certificates.path());
    let (server, base_url) = tls_server(&cert, &key).await;

    let client =
        https_example::client_trusting(&format!("{base_url}/"), API_KEY, cert.to_str().unwrap())
            .unwrap();
    let session_id = capture_an_example(&client).await;
    let draft = client
        .draft_scenario_from_session()
        .body_map(|body| body.session_id(session_id))
        .send()
        .await
        .expect("a draft over HTTPS");
    assert!(!draft.name.is_empty());

    // Without the authority, the platform's store does not trust the certificate,
    // and the example's error names the reason, not only "error sending request".
    let refused = example::draft(&base_url, API_KEY, session_id)
        .await
        .unwrap_err();
    assert!(
        refused.contains("error sending request") && refused.contains("invalid peer certificate"),
        "{refused}"
    );
    drop(server);
}

/// A certificate marked `CA:TRUE` (what `openssl req -x509` makes by default) is
/// refused by rustls even when trusted; the error's causes say so.
#[tokio::test]
async fn a_ca_certificate_on_the_server_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .arg("ec_paramgen_curve:prime256v1")
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-keyout", "key.pem", "-out", "cert.pem"])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the TLS tests need the openssl command");
    assert!(status.success());
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let (_server, base_url) = tls_server(&cert, &key).await;
    let client =
        https_example::client_trusting(&base_url, API_KEY, cert.to_str().unwrap()).unwrap();
    let refused = client
        .draft_scenario_from_session()
        .body_map(|body| body.session_id(Uuid::new_v4()))
        .send()
        .await
        .unwrap_err();
    let said = example::with_causes(&refused);
    assert!(said.contains("CaUsedAsEndEntity"), "{said}");
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
    let https = read("crates/client/examples/https.rs");
    let https =
        &https[https.find("use feather_client").unwrap()..https.find("#[tokio::main]").unwrap()];
    assert_eq!(
        nth_block(&read("crates/client/README.md"), "rust", 1),
        https.trim_end(),
        "crates/client/README.md quotes crates/client/examples/https.rs"
    );
    let scenarios = read("crates/client/examples/scenarios.rs");
    let scenarios = &scenarios
        [scenarios.find("use feather_client").unwrap()..scenarios.find("#[tokio::main]").unwrap()];
    assert_eq!(
        nth_block(&read("crates/client/README.md"), "rust", 2),
        scenarios.trim_end(),
        "crates/client/README.md quotes crates/client/examples/scenarios.rs"
    );
    // The clients' page (docs/clients.md, which the README's client steps link):
    // the Python example after its docstring, the TypeScript one after its opening
    // comment.
    let page = read("docs/clients.md");
    let python = read("clients/python/example.py");
    let python = &python[python.find("import json").unwrap()..];
    assert_eq!(
        first_block(&page, "python"),
        python.trim_end(),
        "docs/clients.md quotes clients/python/example.py"
    );
    let typescript = read("clients/typescript/src/example.ts");
    let typescript = &typescript[typescript.find("import").unwrap()..];
    assert_eq!(
        first_block(&page, "ts"),
        typescript.trim_end(),
        "docs/clients.md quotes clients/typescript/src/example.ts"
    );
}
