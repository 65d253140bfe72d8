//! `GET /review` on the real server: the page and its two assets answer 200 with
//! their content types and the headers a page that holds an API key needs, the page
//! loads nothing from elsewhere and runs no inline script, and the limits the
//! script checks as a person types are the contract's. Driving the page in a
//! browser is `.ci/ecosystem-checks` (`clients/typescript/test/review-page.test.ts`).

use serde_json::Value;

use crate::support::{TestServer, openapi_json};

/// The files of the page: path, content type, a marker of its content, and its
/// `Cache-Control`.
const FILES: [(&str, &str, &str, &str); 3] = [
    (
        "/review",
        "text/html",
        "<h1>Review scenarios</h1>",
        "no-store",
    ),
    (
        "/review/app.js",
        "text/javascript",
        "/v1/scenarios/proposal-from-session",
        "no-cache",
    ),
    (
        "/review/style.css",
        "text/css",
        "@media (max-width",
        "no-cache",
    ),
];

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_the_headers_of_a_page_holding_a_key() {
    let server = TestServer::start().await;
    for (path, kind, marker, cache) in FILES {
        // No API key: the page holds no data until a person gives it their key.
        let response = reqwest::get(server.url(path)).await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        assert!(
            header(&response, "content-type").starts_with(kind),
            "{path}"
        );
        assert_eq!(header(&response, "cache-control"), cache, "{path}");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "referrer-policy"), "no-referrer");
        assert_eq!(header(&response, "x-frame-options"), "DENY");
        let policy = header(&response, "content-security-policy").to_owned();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");
        let body = response.text().await.unwrap();
        assert!(body.contains(marker), "{path} contains {marker:?}");
    }
}

#[tokio::test]
async fn the_page_loads_only_its_own_assets_and_has_no_inline_script_or_style() {
    let server = TestServer::start().await;
    let page = reqwest::get(server.url("/review"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"<script type="module" src="/review/app.js"></script>"#));
    assert!(page.contains(r#"href="/review/style.css""#));
    // The policy would refuse these; the page must not need them.
    assert_eq!(page.matches("<script").count(), 1, "one external script");
    assert!(!page.contains("<style"), "no inline stylesheet");
    assert!(!page.contains(" style=\""), "no inline style attribute");
    assert!(
        !has_event_attribute(&page),
        "no inline event handler attribute"
    );
    for text in [page, feather_server::review::APP_JS.to_owned()] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "everything is loaded from this server"
        );
    }
    // Data reaches the page as text only.
    assert!(!feather_server::review::APP_JS.contains("innerHTML"));
    assert!(!feather_server::review::APP_JS.contains("insertAdjacentHTML"));
}

/// Whether `html` has an attribute such as `onclick=` or `onerror=`.
fn has_event_attribute(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let name: String = html[at + 3..]
            .chars()
            .take_while(char::is_ascii_lowercase)
            .collect();
        !name.is_empty() && html[at + 3 + name.len()..].starts_with('=')
    })
}

#[test]
fn an_event_attribute_is_found() {
    assert!(has_event_attribute(r#"<img src=x onerror="alert(1)">"#));
    assert!(!has_event_attribute("<p>Open one to review it.</p>"));
}

#[tokio::test]
async fn another_method_on_the_page_is_405_and_a_path_beside_it_404() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let post = client.post(server.url("/review")).send().await.unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(header(&post, "allow"), "GET");
    let other = client
        .get(server.url("/review/other.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

/// Every `<label for>` names a control, and every control has one.
#[test]
fn every_control_of_the_page_has_a_label() {
    let page = feather_server::review::INDEX_HTML;
    let ids_of = |prefix: &str| -> Vec<String> {
        page.split(prefix)
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .collect()
    };
    let labelled = ids_of("<label for=\"");
    for tag in ["<input ", "<textarea ", "<select "] {
        for control in page.split(tag).skip(1) {
            let element = control.split('>').next().unwrap();
            // The criterion template's controls get their ids and labels from the
            // script (`addCriterion`), one per criterion.
            if element.contains("class=\"criterion-") {
                continue;
            }
            let id = element
                .split("id=\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{tag}{element} has no id"))
                .split('"')
                .next()
                .unwrap();
            assert!(
                labelled.iter().any(|l| l == id),
                "{tag}{element} has no label"
            );
        }
    }
    assert!(feather_server::review::APP_JS.contains(".criterion-label\").htmlFor"));
    assert!(feather_server::review::APP_JS.contains(".criterion-type-label\").htmlFor"));
}

/// The JSON block between the script's `contract-limits` markers.
fn limits_in_script() -> Value {
    let script = feather_server::review::APP_JS;
    let start = script
        .find("/* contract-limits */")
        .expect("the start marker");
    let end = script
        .find("/* end contract-limits */")
        .expect("the end marker");
    let block = &script[start + "/* contract-limits */".len()..end];
    let object = block
        .trim()
        .strip_prefix("const LIMITS =")
        .expect("`const LIMITS =` opens the block")
        .trim()
        .trim_end_matches(';');
    serde_json::from_str(object).expect("the limits are JSON")
}

#[test]
fn the_limits_the_page_checks_are_the_contracts() {
    let contract = openapi_json();
    let schemas = &contract["components"]["schemas"];
    let scenario = &schemas["ScenarioCreate"]["properties"];
    let criterion = &schemas["SuccessCriterion"]["properties"];
    let limits = limits_in_script();
    let pairs = [
        ("name", &scenario["name"]),
        ("intent", &scenario["intent"]),
        ("journey", &scenario["journey"]),
        ("criterion_description", &criterion["description"]),
    ];
    for (field, schema) in pairs {
        for bound in ["minLength", "maxLength"] {
            assert_eq!(
                limits[field][bound], schema[bound],
                "{field}.{bound}: the page says {}, openapi.json {}",
                limits[field][bound], schema[bound]
            );
        }
        assert!(limits[field]["maxLength"].is_u64(), "{field} has a maximum");
    }
    assert_eq!(
        limits["output_types"], schemas["SuccessCriterionOutputType"]["enum"],
        "the output types the page offers"
    );
    assert_eq!(
        limits.as_object().unwrap().len(),
        pairs.len() + 1,
        "every limit in the page is checked here"
    );
}
