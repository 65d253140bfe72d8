//! The finished OpenAPI document: what `openapi.json` holds.
//!
//! Dropshot writes the paths and schemas from the trait. It cannot write what the
//! upstream contract also says, so [`document`] finishes its output, the same way
//! every time:
//! - `info` and `servers` as upstream, and top-level `security: []`;
//! - the `APIKeyHeader` security scheme (apiKey in header `x-api-key`), required by
//!   every operation;
//! - per-status responses instead of dropshot's `4XX`/`5XX` pair: upstream's 400,
//!   401 and 422 with their descriptions and schemas, then the statuses this server
//!   also answers (404, 413, 500, 503, and 429 on every operation) as `ErrorResponse`;
//! - `getScenario` and `deleteScenario` at the path they are published at
//!   ([`PATH_ALIASES`]), and the operations upstream does not have marked with
//!   `x-feather-addition: true` ([`ADDITIONS`]);
//! - "Successful Response" as the description of every 2xx, as FastAPI writes it;
//! - the `error` codes of `ErrorResponse`, an open set, in its description
//!   ([`feather_types::codes::ALL`]).

use serde_json::{Value, json};

use crate::feather_api_mod;

/// Title, version and description of the upstream API.
pub const TITLE: &str = "Feather API";
pub const VERSION: &str = "1.21.0";
pub const DESCRIPTION: &str = "Unified customer experience platform API. Manages identity, \
conversations, memory, agents, procedures, policies, model routing, knowledge bases, \
integrations, and runtime execution.";

/// The security scheme every operation requires.
pub const SECURITY_SCHEME: &str = "APIKeyHeader";

/// The error statuses each operation documents beyond upstream's 400, 401 and 422,
/// with the description of each. Every one is a status the server really answers.
const EXTRA_ERRORS: &[(&str, &[(&str, &str)])] = &[
    (
        "draftScenarioFromSession",
        &[
            ("404", "Session not found"),
            ("413", "Request body too large"),
            ("500", "Internal server error"),
            ("503", "Session store unavailable"),
        ],
    ),
    (
        "createScenario",
        &[
            ("404", "Source session not found"),
            ("413", "Request body too large"),
            ("500", "Internal server error"),
            ("503", "Scenario store unavailable"),
        ],
    ),
    (
        "listScenarios",
        &[
            ("500", "Internal server error"),
            ("503", "Scenario store unavailable"),
        ],
    ),
    (
        "getScenario",
        &[
            ("404", "Scenario not found"),
            ("500", "Internal server error"),
            ("503", "Scenario store unavailable"),
        ],
    ),
    (
        "deleteScenario",
        &[
            ("404", "Scenario not found"),
            ("500", "Internal server error"),
            ("503", "Scenario store unavailable"),
        ],
    ),
    (
        "proposeScenarioFromSession",
        &[
            ("404", "Session not found"),
            ("413", "Request body too large"),
            ("500", "Internal server error"),
            ("503", "Session store unavailable"),
        ],
    ),
    (
        "listSessionCandidates",
        &[
            ("500", "Internal server error"),
            ("503", "Session store unavailable"),
        ],
    ),
    (
        "listSessions",
        &[
            ("500", "Internal server error"),
            ("503", "Session store unavailable"),
        ],
    ),
    (
        "getSessionAnalysisInput",
        &[
            ("404", "Session not found"),
            ("500", "Internal server error"),
            ("503", "Session store unavailable"),
        ],
    ),
    (
        "putSessionAnalysisInput",
        &[
            ("413", "Request body too large"),
            ("500", "Internal server error"),
            ("503", "Session store unavailable"),
        ],
    ),
];

/// Operations routed at another path than the one they are published at, as
/// (routed, published): dropshot cannot route `/v1/scenarios/{scenario_id}` beside
/// `/v1/scenarios/draft-from-session` (a literal and a variable segment at the same
/// place), so the front forwards the published path to the routed one.
/// Likewise `/v1/sessions/candidates` beside `/v1/sessions/{session_id}/analysis-input`.
pub const PATH_ALIASES: &[(&str, &str)] = &[
    (
        "/v1/scenarios/by-id/{scenario_id}",
        "/v1/scenarios/{scenario_id}",
    ),
    ("/v1/triage/candidates", "/v1/sessions/candidates"),
];

/// The operations that upstream Feather 1.21.0 does not have. Each is marked in
/// the contract with `x-feather-addition: true`, and its description says so.
pub const ADDITIONS: &[&str] = &[
    "putSessionAnalysisInput",
    "listSessions",
    "listScenarios",
    "getScenario",
    "deleteScenario",
    "proposeScenarioFromSession",
    "listSessionCandidates",
];

/// The extension that marks an operation as an addition to upstream.
pub const ADDITION_EXTENSION: &str = "x-feather-addition";

/// The document dropshot emits for an API description, before finishing.
pub fn emitted<C: dropshot::ServerContext>(api: &dropshot::ApiDescription<C>) -> Value {
    let version = semver::Version::parse(VERSION).expect("VERSION is semver");
    let mut definition = api.openapi(TITLE, version);
    definition.description(DESCRIPTION);
    definition
        .json()
        .expect("an OpenAPI document always serialises")
}

/// The finished document for an API description: the stub's here, the server's
/// implementation in the conformance test.
pub fn document_for<C: dropshot::ServerContext>(api: &dropshot::ApiDescription<C>) -> Value {
    finish(emitted(api))
}

/// The finished contract, from the trait alone: the value of `openapi.json`.
pub fn document() -> Value {
    let stub =
        feather_api_mod::stub_api_description().expect("the API trait describes a valid API");
    document_for(&stub)
}

/// The finished contract as the text of `openapi.json`.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).expect("JSON serialises");
    text.push('\n');
    text
}

/// Adds to an emitted document what dropshot cannot express. Pure and idempotent.
pub fn finish(mut doc: Value) -> Value {
    doc["servers"] = json!([
        { "url": "https://api-sandbox.featherhq.com", "description": "Sandbox" },
        { "url": "http://localhost:8000", "description": "Local dev" },
    ]);
    doc["security"] = json!([]);
    doc["components"]["securitySchemes"] = json!({
        SECURITY_SCHEME: { "type": "apiKey", "in": "header", "name": crate::API_KEY_HEADER }
    });
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.remove("ApiError");
    }
    // JSON Schema's `propertyNames` (the UUID keys of `kb_versions`), which validation
    // reads, does not exist in OpenAPI 3.0.
    remove_key(&mut doc["components"]["schemas"], "propertyNames");
    doc["components"]["schemas"]["ErrorResponse"]["properties"]["error"]["description"] =
        json!(feather_types::codes::description());
    if let Some(components) = doc["components"].as_object_mut() {
        components.remove("responses");
    }
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (routed, published) in PATH_ALIASES {
            if let Some(item) = paths.remove(*routed) {
                paths.insert((*published).to_owned(), item);
            }
        }
        paths.sort_keys();
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for operation in item.values_mut() {
                finish_operation(operation);
            }
        }
    }
    doc
}

/// Removes `key` from every object inside `value`.
fn remove_key(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|v| remove_key(v, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| remove_key(v, key)),
        _ => {}
    }
}

fn finish_operation(operation: &mut Value) {
    let operation_id = operation["operationId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    operation["security"] = json!([{ SECURITY_SCHEME: [] }]);
    if ADDITIONS.contains(&operation_id.as_str()) {
        operation[ADDITION_EXTENSION] = json!(true);
    }
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    responses.remove("4XX");
    responses.remove("5XX");
    for (status, response) in responses.iter_mut() {
        if status.starts_with('2') {
            response["description"] = json!("Successful Response");
        }
    }
    responses.insert("400".into(), error_response("Bad request", "ErrorResponse"));
    responses.insert(
        "401".into(),
        error_response("Authentication required", "ErrorResponse"),
    );
    responses.insert(
        "422".into(),
        error_response("Validation Error", "HTTPValidationError"),
    );
    let extras = EXTRA_ERRORS
        .iter()
        .find(|(id, _)| *id == operation_id)
        .map(|(_, extras)| *extras)
        .unwrap_or_default();
    for (status, description) in extras.iter().chain([&THROTTLED]) {
        responses.insert(
            (*status).into(),
            error_response(description, "ErrorResponse"),
        );
    }
}

/// What every operation may answer, since every one needs a key: an address that
/// sent too many requests with a missing or wrong key is refused for a while
/// (`too_many_requests`, the server's front; docs/operations.md).
const THROTTLED: (&str, &str) = (
    "429",
    "Too many requests with a missing or wrong API key from this address",
);

fn error_response(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": {
            "application/json": {
                "schema": { "$ref": format!("#/components/schemas/{schema}") }
            }
        }
    })
}
