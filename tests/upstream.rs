//! Whether our `openapi.json` means the same as an upstream document.
//!
//! Upstream is OpenAPI 3.1 written by FastAPI; ours is 3.0.3 written by dropshot and
//! schemars. [`normalize`] brings both to one form, then [`compare`] requires every
//! path, method, operationId, tag, summary, request body, parameter, upstream
//! response (code, description, schema), security requirement and every schema
//! (properties, types, formats, constraints, defaults, enums, required lists,
//! descriptions) that upstream has to be present and equal in ours. Ours may add
//! operations, response codes and schemas; it may not change what upstream says.
//! Differences that are tolerated are listed in [`CONTRACT_TOLERATED`] and
//! [`EXCERPT_TOLERATED`], each with its reason.

use serde_json::{Map, Value};

use crate::{Difference, json_differences};

/// A difference from upstream that is accepted, and why.
#[derive(Debug, Clone, Copy)]
pub struct Tolerated {
    /// Differences at this pointer or below it are accepted.
    pub pointer: &'static str,
    pub reason: &'static str,
}

/// Tolerated differences from `feather-upstream-1.21.0.openapi.yaml`.
pub const CONTRACT_TOLERATED: &[Tolerated] = &[ERROR_CODES];

/// The `error` codes documented on `ErrorResponse.error`, which upstream leaves a
/// free string: a description adds what the codes mean, and says the set is open,
/// without changing the type a client decodes.
const ERROR_CODES: Tolerated = Tolerated {
    pointer: "/components/schemas/ErrorResponse/properties/error/description",
    reason: "upstream documents no error codes; ours lists them as an open set",
};

/// Tolerated differences from `feather-1.21.0-excerpt.openapi.json`, where we
/// implement `getSessionAnalysisInput` and `createScenario` and reuse
/// `SessionAnalysisInput` and the scenario schemas.
pub const EXCERPT_TOLERATED: &[Tolerated] = &[
    ERROR_CODES,
    Tolerated {
        pointer: "/paths/~1v1~1sessions~1{session_id}~1analysis-input/get/security",
        reason: "the excerpt also accepts HTTPBearer; the contract we implement \
                 (feather-upstream-1.21.0) defines only APIKeyHeader",
    },
    Tolerated {
        pointer: "/paths/~1v1~1sessions~1{session_id}~1analysis-input/get/description",
        reason: "upstream's description points at its own source files and its 409 \
                 for live sessions; we only store completed sessions",
    },
    Tolerated {
        pointer: "/paths/~1v1~1sessions~1{session_id}~1analysis-input/get/parameters/0/schema/title",
        reason: "dropshot does not emit titles on parameter schemas",
    },
    Tolerated {
        pointer: "/paths/~1v1~1scenarios/post/security",
        reason: "the excerpt also accepts HTTPBearer; the contract we implement \
                 (feather-upstream-1.21.0) defines only APIKeyHeader",
    },
    Tolerated {
        pointer: "/components/schemas/ScenarioCreate/properties/source_session_id",
        reason: "an addition, described as one: the session a scenario was drafted from",
    },
    Tolerated {
        pointer: "/components/schemas/ScenarioCreate/properties/drafter_version",
        reason: "an addition, described as one: the drafter version that drafted it",
    },
    Tolerated {
        pointer: "/components/schemas/ScenarioResponse/properties/source_session_id",
        reason: "an addition, described as one: the session a scenario was drafted from",
    },
    Tolerated {
        pointer: "/components/schemas/ScenarioResponse/properties/drafter_version",
        reason: "an addition, described as one: the drafter version that drafted it",
    },
    Tolerated {
        pointer: "/components/schemas/KbSnapshotEntry/properties/kb_versions/propertyNames",
        reason: "propertyNames does not exist in OpenAPI 3.0; the keys are still \
                 documented as KB ids",
    },
];

/// What of upstream to compare.
pub struct Scope<'a> {
    /// Compare `info`, `servers`, top-level `security` and the security schemes.
    pub top_level: bool,
    /// The operations to compare, as (path, method); empty: every upstream operation.
    pub operations: &'a [(&'a str, &'a str)],
    /// The schemas to compare; empty: every upstream schema.
    pub schemas: &'a [&'a str],
    pub tolerated: &'a [Tolerated],
}

/// Parses a YAML document (upstream's format) into JSON.
pub fn from_yaml(text: &str) -> Value {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).expect("upstream YAML parses");
    serde_json::to_value(yaml).expect("upstream YAML is JSON-compatible")
}

/// Rewrites a document into the form both versions share:
/// - `anyOf: [X, {type: "null"}]` (3.1) becomes X with `nullable: true` (3.0);
/// - `allOf: [X]` (how schemars wraps a `$ref` with siblings) becomes X;
/// - a `required` list is sorted (its order means nothing);
/// - a whole number written as a float (`60000.0`) becomes an integer.
pub fn normalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                normalize(child);
            }
            collapse_nullable_any_of(map);
            collapse_single_all_of(map);
            if let Some(Value::Array(required)) = map.get_mut("required") {
                required.sort_by_key(|a| a.to_string());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Number(n) => {
            if let Some(f) = n
                .as_f64()
                .filter(|f| !n.is_i64() && !n.is_u64() && f.fract() == 0.0)
            {
                *value = Value::from(f as i64);
            }
        }
        _ => {}
    }
}

fn collapse_nullable_any_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(alternatives)) = map.get("anyOf") else {
        return;
    };
    let null = serde_json::json!({ "type": "null" });
    if alternatives.len() != 2 || !alternatives.contains(&null) {
        return;
    }
    let other = alternatives.iter().find(|a| **a != null).cloned();
    map.remove("anyOf");
    if let Some(Value::Object(other)) = other {
        for (key, value) in other {
            map.entry(key).or_insert(value);
        }
    }
    map.insert("nullable".to_owned(), Value::Bool(true));
}

fn collapse_single_all_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(parts)) = map.get("allOf") else {
        return;
    };
    if parts.len() != 1 {
        return;
    }
    let Some(Value::Object(part)) = parts.first().cloned() else {
        return;
    };
    map.remove("allOf");
    for (key, value) in part {
        map.entry(key).or_insert(value);
    }
}

/// Every way in which `ours` does not mean what `upstream` means, within `scope`.
/// Both documents are normalised first.
pub fn compare(upstream: &Value, ours: &Value, scope: &Scope) -> Vec<Difference> {
    let mut upstream = upstream.clone();
    let mut ours = ours.clone();
    normalize(&mut upstream);
    normalize(&mut ours);
    let mut out = Vec::new();
    let mut check = |pointer: String| {
        let expected = upstream.pointer(&pointer);
        let actual = ours.pointer(&pointer);
        match (expected, actual) {
            (None, None) => {}
            (Some(e), Some(a)) => {
                out.extend(json_differences(e, a).into_iter().map(|d| Difference {
                    pointer: format!("{pointer}{}", d.pointer),
                    ..d
                }))
            }
            (e, a) => out.push(Difference {
                pointer,
                expected: e.cloned(),
                actual: a.cloned(),
            }),
        }
    };
    if scope.top_level {
        for pointer in [
            "/info/title",
            "/info/version",
            "/info/description",
            "/servers",
            "/security",
        ] {
            check(pointer.to_owned());
        }
        for name in keys(&upstream, "/components/securitySchemes") {
            check(format!(
                "/components/securitySchemes/{}",
                crate::escape(&name)
            ));
        }
    }
    for (path, method) in operations(&upstream, scope.operations) {
        let base = format!("/paths/{}/{method}", crate::escape(&path));
        for field in [
            "operationId",
            "tags",
            "summary",
            "description",
            "requestBody",
            "parameters",
            "security",
        ] {
            check(format!("{base}/{field}"));
        }
        for code in keys(&upstream, &format!("{base}/responses")) {
            check(format!("{base}/responses/{code}"));
        }
    }
    let schemas: Vec<String> = if scope.schemas.is_empty() {
        keys(&upstream, "/components/schemas")
    } else {
        scope.schemas.iter().map(|s| s.to_string()).collect()
    };
    for name in schemas {
        check(format!("/components/schemas/{}", crate::escape(&name)));
    }
    out.retain(|d| {
        !scope
            .tolerated
            .iter()
            .any(|t| d.pointer == t.pointer || d.pointer.starts_with(&format!("{}/", t.pointer)))
    });
    out
}

fn keys(doc: &Value, pointer: &str) -> Vec<String> {
    doc.pointer(pointer)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn operations(upstream: &Value, wanted: &[(&str, &str)]) -> Vec<(String, String)> {
    if !wanted.is_empty() {
        return wanted
            .iter()
            .map(|(p, m)| (p.to_string(), m.to_string()))
            .collect();
    }
    let mut out = Vec::new();
    for path in keys(upstream, "/paths") {
        for method in keys(upstream, &format!("/paths/{}", crate::escape(&path))) {
            out.push((path.clone(), method));
        }
    }
    out
}
