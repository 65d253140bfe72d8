//! The contract: `openapi.json` is what the server emits, and it means the same as
//! the upstream documents in `tests/upstream/`.

use feather_tests::upstream::{self, CONTRACT_TOLERATED, EXCERPT_TOLERATED, Scope};
use feather_tests::{json_differences, report};
use serde_json::{Value, json};

use crate::support::{openapi_json, upstream_file};

const FIX: &str = "run `cargo xtask openapi` and commit openapi.json (then `cargo xtask codegen`)";

#[test]
fn server_document_equals_openapi_json() {
    let differences = json_differences(&openapi_json(), &feather_server::openapi_document());
    assert!(
        differences.is_empty(),
        "the server's OpenAPI document differs from openapi.json; {FIX}:\n{}",
        report(&differences)
    );
}

#[test]
fn api_trait_document_equals_openapi_json() {
    let differences = json_differences(&openapi_json(), &feather_api::openapi::document());
    assert!(
        differences.is_empty(),
        "the API trait's OpenAPI document differs from openapi.json; {FIX}:\n{}",
        report(&differences)
    );
}

#[test]
fn openapi_json_is_openapi_3_0() {
    assert_eq!(openapi_json()["openapi"], "3.0.3");
}

fn contract() -> Value {
    upstream::from_yaml(&upstream_file("feather-upstream-1.21.0.openapi.yaml"))
}

fn contract_differences(ours: &Value) -> Vec<feather_tests::Difference> {
    let scope = Scope {
        top_level: true,
        operations: &[],
        schemas: &[],
        tolerated: CONTRACT_TOLERATED,
    };
    upstream::compare(&contract(), ours, &scope)
}

#[test]
fn openapi_json_means_the_same_as_the_upstream_contract() {
    let differences = contract_differences(&openapi_json());
    assert!(
        differences.is_empty(),
        "openapi.json departs from feather-upstream-1.21.0.openapi.yaml:\n{}",
        report(&differences)
    );
}

const SESSION_SCHEMAS: &[&str] = &[
    "SessionAnalysisInput",
    "MessageEntry",
    "ToolCall",
    "ToolCallFunction",
    "ToolResult",
    "ToolCallEntry",
    "RagTraceEntry",
    "RetrievedChunk",
    "RagTraceAnswerability",
    "CitedChunk",
    "HandoffEvent",
    "KbSnapshotEntry",
    "FeedbackEntry",
    "CSATEntry",
    "ReopenEntry",
    "KnowledgeGapAnalysisOutcome",
    "MissingEvidenceReason",
    "ScenarioDraft",
    "ScenarioDraftFromSessionRequest",
    "ScenarioSource",
    "ScenarioCreate",
    "ScenarioResponse",
    "ScenarioAgentRef",
    "SuccessCriterion",
    "SuccessCriterionOutputType",
    "ErrorResponse",
    "HTTPValidationError",
    "ValidationError",
];

#[test]
fn session_operations_mean_the_same_as_the_upstream_excerpt() {
    let excerpt: Value =
        serde_json::from_str(&upstream_file("feather-1.21.0-excerpt.openapi.json")).unwrap();
    let scope = Scope {
        top_level: false,
        operations: &[
            ("/v1/sessions/{session_id}/analysis-input", "get"),
            ("/v1/scenarios", "post"),
        ],
        schemas: SESSION_SCHEMAS,
        tolerated: EXCERPT_TOLERATED,
    };
    let differences = upstream::compare(&excerpt, &openapi_json(), &scope);
    assert!(
        differences.is_empty(),
        "openapi.json departs from feather-1.21.0-excerpt.openapi.json:\n{}",
        report(&differences)
    );
}

// The mutation tests prove that the upstream check catches drift: each mutant of
// openapi.json must be reported at the pointer that was changed.

fn assert_caught(mutate: impl FnOnce(&mut Value), pointer: &str) {
    let mut mutant = openapi_json();
    mutate(&mut mutant);
    let differences = contract_differences(&mutant);
    assert!(
        differences.iter().any(|d| d.pointer == pointer),
        "the mutant at {pointer} was not reported; reported:\n{}",
        report(&differences)
    );
}

#[test]
fn a_dropped_property_is_caught() {
    assert_caught(
        |doc| {
            doc["components"]["schemas"]["ScenarioDraft"]["properties"]
                .as_object_mut()
                .unwrap()
                .remove("intent");
        },
        "/components/schemas/ScenarioDraft/properties/intent",
    );
}

#[test]
fn a_loosened_max_length_is_caught() {
    assert_caught(
        |doc| {
            doc["components"]["schemas"]["ScenarioDraft"]["properties"]["name"]["maxLength"] =
                json!(1000)
        },
        "/components/schemas/ScenarioDraft/properties/name/maxLength",
    );
}

#[test]
fn a_renamed_operation_id_is_caught() {
    assert_caught(
        |doc| {
            doc["paths"]["/v1/scenarios/draft-from-session"]["post"]["operationId"] =
                json!("draftFromSession")
        },
        "/paths/~1v1~1scenarios~1draft-from-session/post/operationId",
    );
}

#[test]
fn an_added_constraint_is_caught() {
    assert_caught(
        |doc| {
            doc["components"]["schemas"]["ScenarioDraft"]["properties"]["tags"]["maxItems"] =
                json!(5)
        },
        "/components/schemas/ScenarioDraft/properties/tags/maxItems",
    );
}

#[test]
fn a_changed_response_description_is_caught() {
    assert_caught(
        |doc| {
            doc["paths"]["/v1/scenarios/draft-from-session"]["post"]["responses"]["401"]["description"] =
                json!("Unauthorized")
        },
        "/paths/~1v1~1scenarios~1draft-from-session/post/responses/401/description",
    );
}

#[test]
fn a_dropped_security_requirement_is_caught() {
    assert_caught(
        |doc| {
            doc["paths"]["/v1/scenarios/draft-from-session"]["post"]
                .as_object_mut()
                .unwrap()
                .remove("security");
        },
        "/paths/~1v1~1scenarios~1draft-from-session/post/security",
    );
}

/// The excerpt's check catches drift of `createScenario` too: a mutant of a
/// scenario schema or of the operation is reported at the pointer changed.
fn assert_caught_by_excerpt(mutate: impl FnOnce(&mut Value), pointer: &str) {
    let excerpt: Value =
        serde_json::from_str(&upstream_file("feather-1.21.0-excerpt.openapi.json")).unwrap();
    let scope = Scope {
        top_level: false,
        operations: &[("/v1/scenarios", "post")],
        schemas: SESSION_SCHEMAS,
        tolerated: EXCERPT_TOLERATED,
    };
    let mut mutant = openapi_json();
    mutate(&mut mutant);
    let differences = upstream::compare(&excerpt, &mutant, &scope);
    assert!(
        differences.iter().any(|d| d.pointer == pointer),
        "the mutant at {pointer} was not reported; reported:\n{}",
        report(&differences)
    );
}

#[test]
fn create_scenario_drift_is_caught() {
    assert_caught_by_excerpt(
        |doc| {
            doc["components"]["schemas"]["SuccessCriterion"]["properties"]["description"]["maxLength"] =
                json!(1000)
        },
        "/components/schemas/SuccessCriterion/properties/description/maxLength",
    );
    assert_caught_by_excerpt(
        |doc| {
            doc["paths"]["/v1/scenarios"]["post"]["responses"]
                .as_object_mut()
                .unwrap()
                .remove("201");
        },
        "/paths/~1v1~1scenarios/post/responses/201",
    );
    assert_caught_by_excerpt(
        |doc| {
            doc["components"]["schemas"]["ScenarioResponse"]["required"]
                .as_array_mut()
                .unwrap()
                .retain(|name| name != "tags");
        },
        "/components/schemas/ScenarioResponse/required",
    );
}

/// Every operation upstream does not have is marked as an addition, and no
/// upstream operation is.
#[test]
fn additions_are_marked_and_upstream_operations_are_not() {
    let excerpt: Value =
        serde_json::from_str(&upstream_file("feather-1.21.0-excerpt.openapi.json")).unwrap();
    let contract = contract();
    let upstream_ids: Vec<&str> = [&excerpt, &contract]
        .into_iter()
        .flat_map(|doc| doc["paths"].as_object().unwrap().values())
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let ours = openapi_json();
    for item in ours["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().unwrap();
            let marked = operation[feather_api::openapi::ADDITION_EXTENSION] == json!(true);
            assert_eq!(
                marked,
                !upstream_ids.contains(&id),
                "{id}: marked as an addition: {marked}"
            );
        }
    }
}

#[test]
fn nullable_forms_of_3_0_and_3_1_compare_equal() {
    let mut upstream = json!({ "anyOf": [{ "type": "string", "maxLength": 3 }, { "type": "null" }], "title": "T" });
    let mut ours = json!({ "type": "string", "maxLength": 3, "nullable": true, "title": "T" });
    upstream::normalize(&mut upstream);
    upstream::normalize(&mut ours);
    assert_eq!(upstream, ours);
}

/// The `error` codes: one table in the code (`feather_types::codes::ALL`), listed in
/// the contract's `ErrorResponse.error` description and in the README's error table.
#[test]
fn error_codes_are_documented_in_the_contract_and_the_readme() {
    use feather_api::codes;
    let described = openapi_json()["components"]["schemas"]["ErrorResponse"]["properties"]["error"]
        ["description"]
        .as_str()
        .expect("ErrorResponse.error has a description")
        .to_owned();
    let readme =
        std::fs::read_to_string(crate::support::workspace_root().join("README.md")).unwrap();
    let mut in_readme: Vec<(String, u16)> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status = cells.get(1)?.parse::<u16>().ok()?;
            let code = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((code.to_owned(), status))
        })
        .collect();
    let mut in_code: Vec<(String, u16)> = codes::ALL
        .iter()
        .map(|(code, status, _)| ((*code).to_owned(), *status))
        .collect();
    in_readme.sort();
    in_code.sort();
    assert_eq!(in_readme, in_code, "README's error table and codes::ALL");
    for (code, status, _) in codes::ALL {
        assert!(
            described.contains(&format!("`{code}` ({status})")),
            "the contract does not list {code}"
        );
    }
    assert!(described.contains("The set is open"));
}
