//! `GET /openapi.json` and `GET /docs` on the real server: the contract byte for
//! byte, a reference page whose assets are all served by the binary, and neither
//! route among the contract's operations. Loading the page in a browser and using
//! "Try it out" is `.ci/ecosystem-checks` (`clients/typescript/test/docs-page.test.ts`).

use crate::support::{TestServer, workspace_root};

async fn get(server: &TestServer, path: &str) -> reqwest::Response {
    let response = reqwest::get(server.url(path)).await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response
}

fn content_type(response: &reqwest::Response) -> String {
    response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn openapi_json_is_the_checked_in_file_byte_for_byte() {
    let server = TestServer::start().await;
    // No API key: the contract is public, as upstream's is.
    let response = get(&server, "/openapi.json").await;
    assert_eq!(content_type(&response), "application/json");
    let served = response.bytes().await.unwrap();
    let checked_in = std::fs::read(workspace_root().join("openapi.json")).unwrap();
    assert!(
        served[..] == checked_in[..],
        "GET /openapi.json differs from openapi.json ({} bytes served, {} checked in)",
        served.len(),
        checked_in.len()
    );
}

#[tokio::test]
async fn docs_page_and_every_asset_it_loads_are_served_by_the_binary() {
    let server = TestServer::start().await;
    let response = get(&server, "/docs").await;
    assert!(content_type(&response).starts_with("text/html"));
    let page = response.text().await.unwrap();
    let assets = [
        ("/docs/swagger-ui.css", "text/css", ".swagger-ui"),
        (
            "/docs/swagger-ui-bundle.js",
            "text/javascript",
            "SwaggerUIBundle",
        ),
        (
            "/docs/swagger-initializer.js",
            "text/javascript",
            "/openapi.json",
        ),
        (
            "/docs/swagger-ui-license.txt",
            "text/plain",
            "Apache License",
        ),
    ];
    for (path, kind, marker) in assets {
        assert!(
            page.contains(&format!("\"{path}\"")),
            "/docs refers to {path}"
        );
        let response = get(&server, path).await;
        assert!(
            content_type(&response).starts_with(kind),
            "{path} is {kind}"
        );
        let body = response.text().await.unwrap();
        assert!(body.contains(marker), "{path} contains {marker:?}");
    }
    // Everything the page loads is on this server: no scheme-qualified URL.
    let initializer = get(&server, "/docs/swagger-initializer.js").await;
    for text in [page, initializer.text().await.unwrap()] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{text}"
        );
    }
}

#[test]
fn documentation_routes_are_not_operations_of_the_contract() {
    let document = feather_server::openapi_document();
    let paths = document["paths"].as_object().unwrap();
    for path in paths.keys() {
        assert!(
            path.starts_with("/v1/"),
            "{path} is in the server's document"
        );
    }
    let mut listed: Vec<&str> = paths.keys().map(String::as_str).collect();
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            "/v1/scenarios",
            "/v1/scenarios/draft-from-session",
            "/v1/scenarios/proposal-from-session",
            "/v1/scenarios/{scenario_id}",
            "/v1/sessions",
            "/v1/sessions/candidates",
            "/v1/sessions/{session_id}/analysis-input",
        ]
    );
}
