//! `cargo xtask openapi diff [--base <git-ref>]`: what changed in `openapi.json`
//! since a git revision, and whether each change breaks clients written against
//! that revision.
//!
//! Oxide's `drift` crate walks both documents: operations, parameters, request
//! bodies and responses, following `$ref`s, and it knows whether it reached a schema
//! from a request (input) or a response (output). Its classes map to ours as:
//! `BackwardIncompatible` and `Incompatible` (a new server breaks old clients) are
//! breaking; `ForwardIncompatible` (an old server would break new clients) and
//! `Trivial` are not, for existing clients. `drift` 0.2 reports several schema
//! changes as `Unhandled` (object properties and `required`, string, number and array
//! constraints) and does not report `nullable` at all, so this module finishes the
//! job with the usual rules, by direction:
//! - a request may not demand more: a new required property, a property becoming
//!   required, or a narrower value (lower maximum, higher minimum, fewer enum values,
//!   a new pattern or format) is breaking;
//! - a response may not promise less: a removed property, a property no longer
//!   required, a wider value (more enum values, a higher maximum) or a newly
//!   nullable field is breaking;
//! - a removed property is breaking in both directions;
//! - anything neither `drift` nor these rules classify is reported as breaking,
//!   to be reviewed by a person.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use drift::{ChangeClass, ChangeComparison};
use serde_json::Value;

/// Where a schema is used: what a client sends, or what it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    Request,
    Response,
}

/// One change between two documents.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Whether clients written against the old document may break.
    pub breaking: bool,
    /// A JSON pointer into the new document (the old one for removals).
    pub location: String,
    /// What changed, as a sentence fragment.
    pub message: String,
}

/// Compares two OpenAPI 3.0 documents.
pub fn compare(old: &Value, new: &Value) -> Result<Vec<Finding>, String> {
    let changes = drift::compare(old, new).map_err(|e| format!("drift: {e:#}"))?;
    let mut findings = BTreeSet::new();
    for change in &changes {
        let directions: BTreeSet<Direction> = change
            .paths
            .iter()
            .filter_map(|path| match path.comparison {
                ChangeComparison::Input => Some(Direction::Request),
                ChangeComparison::Output => Some(Direction::Response),
                ChangeComparison::Structural => None,
            })
            .collect();
        let Some(path) = change.paths.first() else {
            continue;
        };
        let old_base = path.old.base_and_subpath().0;
        let new_base = path.new.base_and_subpath().0;
        for info in &change.changes {
            let old_at = join(old_base, &info.old_subpath);
            let new_at = join(new_base, &info.new_subpath);
            let location = if new_at == "#/paths" {
                &old_at
            } else {
                &new_at
            };
            let mut finding = |breaking: bool, message: String| {
                findings.insert(Finding {
                    breaking,
                    location: location.clone(),
                    message: format!("{message}{}", describe(&directions)),
                });
            };
            match info.class {
                ChangeClass::BackwardIncompatible | ChangeClass::Incompatible => {
                    finding(true, info.message.clone());
                }
                ChangeClass::ForwardIncompatible | ChangeClass::Trivial => {
                    finding(false, info.message.clone());
                }
                ChangeClass::Unhandled => {
                    let refined = match (lookup(old, &old_at), lookup(new, &new_at)) {
                        (Some(old_schema), Some(new_schema)) => {
                            refine(&info.message, old_schema, new_schema, &directions)
                        }
                        _ => Vec::new(),
                    };
                    if refined.is_empty() {
                        finding(
                            true,
                            format!("{} (not classified: review it by hand)", info.message),
                        );
                    }
                    for (breaking, message) in refined {
                        finding(breaking, message);
                    }
                }
            }
        }
    }
    findings.extend(nullable_changes(old, new));
    Ok(findings.into_iter().collect())
}

fn join(base: &str, subpath: &str) -> String {
    if subpath.is_empty() {
        base.to_owned()
    } else {
        format!("{base}/{subpath}")
    }
}

fn describe(directions: &BTreeSet<Direction>) -> &'static str {
    let request = directions.contains(&Direction::Request);
    let response = directions.contains(&Direction::Response);
    match (request, response) {
        (true, true) => " (in requests and responses)",
        (true, false) => " (in a request)",
        (false, true) => " (in a response)",
        (false, false) => "",
    }
}

/// The value at a `#/...` pointer as `drift` writes it; it names the request body
/// after the `openapiv3` field, `request_body`.
fn lookup<'a>(document: &'a Value, location: &str) -> Option<&'a Value> {
    let pointer = location
        .strip_prefix('#')?
        .replace("/request_body/", "/requestBody/");
    document.pointer(&pointer)
}

/// Classifies a change that `drift` left unhandled, or returns nothing.
fn refine(
    message: &str,
    old: &Value,
    new: &Value,
    directions: &BTreeSet<Direction>,
) -> Vec<(bool, String)> {
    let request = directions.contains(&Direction::Request);
    let response = directions.contains(&Direction::Response);
    match message {
        "object properties changed" | "object required properties changed" => {
            object_changes(old, new, request, response)
        }
        "string schema changed"
        | "number schema changed"
        | "integer schema changed"
        | "array minItems changed"
        | "array maxItems changed"
        | "array uniqueItems changed"
        | "object minProperties changed"
        | "object maxProperties changed" => constraint_changes(old, new, request, response),
        _ => Vec::new(),
    }
}

fn names(schema: &Value, key: &str) -> BTreeSet<String> {
    match &schema[key] {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Properties added, removed, or changed between optional and required.
fn object_changes(old: &Value, new: &Value, request: bool, response: bool) -> Vec<(bool, String)> {
    let (old_properties, new_properties) = (names(old, "properties"), names(new, "properties"));
    let (old_required, new_required) = (names(old, "required"), names(new, "required"));
    let mut out = Vec::new();
    for name in old_properties.difference(&new_properties) {
        out.push((true, format!("property `{name}` was removed")));
    }
    for name in new_properties.difference(&old_properties) {
        if new_required.contains(name) {
            out.push((request, format!("required property `{name}` was added")));
        } else {
            out.push((false, format!("optional property `{name}` was added")));
        }
    }
    for name in old_properties.intersection(&new_properties) {
        match (old_required.contains(name), new_required.contains(name)) {
            (false, true) => out.push((request, format!("property `{name}` became required"))),
            (true, false) => out.push((response, format!("property `{name}` became optional"))),
            _ => {}
        }
    }
    out
}

/// How a value constraint moved: it accepts fewer values (`narrower`), more
/// (`wider`), or different ones (both).
#[derive(Default)]
struct Movement {
    narrower: bool,
    wider: bool,
    notes: Vec<String>,
}

impl Movement {
    fn note(&mut self, key: &str, old: &Value, new: &Value, narrower: bool, wider: bool) {
        self.narrower |= narrower;
        self.wider |= wider;
        let show = |value: &Value| match value {
            Value::Null => "none".to_owned(),
            other => other.to_string(),
        };
        self.notes
            .push(format!("`{key}` {} -> {}", show(old), show(new)));
    }
}

/// Upper bounds narrow when they fall or appear; lower bounds when they rise or
/// appear. Enumerations narrow when values go. Other keywords (`pattern`,
/// `format`, `multipleOf`, `uniqueItems`, `exclusive*`) narrow when they appear,
/// widen when they go, and do both when they change.
fn constraint_changes(
    old: &Value,
    new: &Value,
    request: bool,
    response: bool,
) -> Vec<(bool, String)> {
    const UPPER: &[&str] = &["maxLength", "maxItems", "maxProperties", "maximum"];
    const LOWER: &[&str] = &["minLength", "minItems", "minProperties", "minimum"];
    const OTHER: &[&str] = &[
        "pattern",
        "format",
        "multipleOf",
        "uniqueItems",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ];
    let mut movement = Movement::default();
    for key in UPPER.iter().chain(LOWER) {
        let (before, after) = (&old[*key], &new[*key]);
        if before == after {
            continue;
        }
        let upper = UPPER.contains(key);
        let (narrower, wider) = match (before.as_f64(), after.as_f64()) {
            (None, Some(_)) => (true, false),
            (Some(_), None) => (false, true),
            (Some(b), Some(a)) => ((a < b) == upper, (a > b) == upper),
            (None, None) => (true, true),
        };
        movement.note(key, before, after, narrower, wider);
    }
    if old["enum"] != new["enum"] {
        let contains = |list: &Value, value: &Value| {
            list.as_array().is_some_and(|values| values.contains(value))
        };
        let values = |list: &Value| list.as_array().cloned().unwrap_or_default();
        let (narrower, wider) = match (old["enum"].is_array(), new["enum"].is_array()) {
            (false, true) => (true, false),
            (true, false) => (false, true),
            _ => (
                values(&old["enum"])
                    .iter()
                    .any(|v| !contains(&new["enum"], v)),
                values(&new["enum"])
                    .iter()
                    .any(|v| !contains(&old["enum"], v)),
            ),
        };
        movement.note("enum", &old["enum"], &new["enum"], narrower, wider);
    }
    for key in OTHER {
        let (before, after) = (&old[*key], &new[*key]);
        if before != after {
            movement.note(key, before, after, !after.is_null(), !before.is_null());
        }
    }
    if movement.notes.is_empty() {
        return Vec::new();
    }
    let mut shape = match (movement.narrower, movement.wider) {
        (true, true) => "accepts different values",
        (true, false) => "accepts fewer values",
        (false, true) => "accepts more values",
        (false, false) => "accepts the same values",
    }
    .to_owned();
    shape.push_str(&format!(": {}", movement.notes.join(", ")));
    let breaking = (request && movement.narrower) || (response && movement.wider);
    vec![(breaking, shape)]
}

/// `drift` ignores `nullable`. A response field that may now be null breaks
/// clients; a request field that may no longer be null breaks them too.
fn nullable_changes(old: &Value, new: &Value) -> Vec<Finding> {
    let mut usage = schema_usage(old);
    for (name, directions) in schema_usage(new) {
        usage.entry(name).or_default().extend(directions);
    }
    let mut out = Vec::new();
    let (Some(old_schemas), Some(new_schemas)) = (
        old.pointer("/components/schemas")
            .and_then(Value::as_object),
        new.pointer("/components/schemas")
            .and_then(Value::as_object),
    ) else {
        return out;
    };
    for (name, old_schema) in old_schemas {
        let (Some(new_schema), Some(directions)) = (new_schemas.get(name), usage.get(name)) else {
            continue;
        };
        let at = format!("#/components/schemas/{name}");
        walk_nullable(old_schema, new_schema, &at, directions, &mut out);
    }
    out
}

fn walk_nullable(
    old: &Value,
    new: &Value,
    at: &str,
    directions: &BTreeSet<Direction>,
    out: &mut Vec<Finding>,
) {
    let nullable = |schema: &Value| schema["nullable"] == Value::Bool(true);
    if nullable(old) != nullable(new) {
        let (breaking, message) = if nullable(new) {
            (directions.contains(&Direction::Response), "may now be null")
        } else {
            (
                directions.contains(&Direction::Request),
                "may no longer be null",
            )
        };
        out.push(Finding {
            breaking,
            location: at.to_owned(),
            message: format!("{message}{}", describe(directions)),
        });
    }
    if let (Some(old_properties), Some(new_properties)) =
        (old["properties"].as_object(), new["properties"].as_object())
    {
        for (name, old_property) in old_properties {
            if let Some(new_property) = new_properties.get(name) {
                let at = format!(
                    "{at}/properties/{}",
                    name.replace('~', "~0").replace('/', "~1")
                );
                walk_nullable(old_property, new_property, &at, directions, out);
            }
        }
    }
    if old["items"].is_object() && new["items"].is_object() {
        walk_nullable(
            &old["items"],
            &new["items"],
            &format!("{at}/items"),
            directions,
            out,
        );
    }
}

/// For each component schema, whether requests or responses use it, following
/// `$ref`s from every operation's parameters, request body and responses.
fn schema_usage(document: &Value) -> BTreeMap<String, BTreeSet<Direction>> {
    let mut usage: BTreeMap<String, BTreeSet<Direction>> = BTreeMap::new();
    let operations = document["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values());
    for operation in operations {
        let roots = [
            (&operation["parameters"], Direction::Request),
            (&operation["requestBody"], Direction::Request),
            (&operation["responses"], Direction::Response),
        ];
        for (root, direction) in roots {
            let mut pending = Vec::new();
            collect_refs(root, &mut pending);
            while let Some(name) = pending.pop() {
                if usage.entry(name.clone()).or_default().insert(direction) {
                    collect_refs(&document["components"]["schemas"][&name], &mut pending);
                }
            }
        }
    }
    usage
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `openapi.json` as it was at a git revision of the repository at `root`.
pub fn document_at(root: &Path, base: &str, file: &str) -> Result<Value, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("{base}:{file}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git show {base}:{file} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{file} at {base}: {e}"))
}

/// The report for `file` in the working tree against `base`; `Err` (with the
/// report) when a change is breaking.
pub fn run(root: &Path, base: &str, file: &str) -> Result<String, String> {
    let old = document_at(root, base, file)?;
    let text = std::fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let new: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    let findings = compare(&old, &new)?;
    let breaking = findings.iter().filter(|f| f.breaking).count();
    let mut report = format!(
        "{file} against {base}: {} change(s), {breaking} breaking for existing clients\n",
        findings.len()
    );
    for finding in &findings {
        let class = if finding.breaking { "BREAKING" } else { "ok" };
        report.push_str(&format!(
            "  {class:<8}  {}: {}\n",
            finding.location, finding.message
        ));
    }
    if breaking > 0 {
        Err(report)
    } else {
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn contract() -> Value {
        feather_api::openapi::document()
    }

    fn schema<'a>(document: &'a mut Value, name: &str) -> &'a mut Value {
        &mut document["components"]["schemas"][name]
    }

    /// The findings for a change made to the contract.
    fn findings_after(change: impl FnOnce(&mut Value)) -> Vec<Finding> {
        let old = contract();
        let mut new = old.clone();
        change(&mut new);
        let findings = compare(&old, &new).unwrap();
        assert!(!findings.is_empty(), "the change was not detected");
        findings
    }

    fn assert_breaking(findings: &[Finding], fragment: &str) {
        assert!(
            findings
                .iter()
                .any(|f| f.breaking && f.message.contains(fragment)),
            "no breaking finding mentions {fragment:?}: {findings:#?}"
        );
    }

    fn assert_compatible(findings: &[Finding]) {
        assert!(
            findings.iter().all(|f| !f.breaking),
            "expected no breaking finding: {findings:#?}"
        );
    }

    #[test]
    fn an_unchanged_document_has_no_findings() {
        assert_eq!(compare(&contract(), &contract()).unwrap(), Vec::new());
    }

    #[test]
    fn a_new_optional_response_field_is_compatible() {
        let findings = findings_after(|d| {
            schema(d, "ScenarioDraft")["properties"]["difficulty"] = json!({"type": "string"});
        });
        assert_compatible(&findings);
        assert!(
            findings[0].message.contains("`difficulty` was added"),
            "{findings:#?}"
        );
        assert_eq!(findings[0].location, "#/components/schemas/ScenarioDraft");
    }

    #[test]
    fn a_new_optional_request_field_is_compatible() {
        assert_compatible(&findings_after(|d| {
            schema(d, "ScenarioDraftFromSessionRequest")["properties"]["note"] =
                json!({"type": "string"});
        }));
    }

    #[test]
    fn a_removed_response_field_is_breaking() {
        let findings = findings_after(|d| {
            let draft = schema(d, "ScenarioDraft");
            draft["properties"]
                .as_object_mut()
                .unwrap()
                .remove("intent");
            draft["required"] = json!(["name"]);
        });
        assert_breaking(&findings, "property `intent` was removed (in a response)");
    }

    #[test]
    fn a_new_required_request_field_is_breaking() {
        let findings = findings_after(|d| {
            let request = schema(d, "ScenarioDraftFromSessionRequest");
            request["properties"]["note"] = json!({"type": "string"});
            request["required"] = json!(["session_id", "note"]);
        });
        assert_breaking(
            &findings,
            "required property `note` was added (in a request)",
        );
    }

    #[test]
    fn a_narrowed_request_type_is_breaking() {
        // A new type altogether: drift's own classification.
        assert_breaking(
            &findings_after(|d| {
                schema(d, "ScenarioDraftFromSessionRequest")["properties"]["session_id"] =
                    json!({"type": "integer"});
            }),
            "types changed",
        );
        // The same type with fewer accepted values.
        assert_breaking(
            &findings_after(|d| {
                schema(d, "ScenarioDraftFromSessionRequest")["properties"]["session_id"]["maxLength"] =
                    json!(8);
            }),
            "accepts fewer values: `maxLength` none -> 8",
        );
    }

    #[test]
    fn a_narrowed_response_type_is_compatible_and_a_wider_one_is_breaking() {
        assert_compatible(&findings_after(|d| {
            schema(d, "ScenarioDraft")["properties"]["name"]["maxLength"] = json!(100);
        }));
        assert_breaking(
            &findings_after(|d| {
                schema(d, "ScenarioSource")["enum"] = json!(["manual", "drafted", "imported"]);
            }),
            "accepts more values",
        );
    }

    #[test]
    fn a_response_field_that_may_now_be_null_is_breaking() {
        let findings = findings_after(|d| {
            schema(d, "ScenarioDraft")["properties"]["intent"]["nullable"] = json!(true);
        });
        assert_breaking(&findings, "may now be null (in a response)");
        assert_eq!(
            findings[0].location,
            "#/components/schemas/ScenarioDraft/properties/intent"
        );
    }

    #[test]
    fn a_removed_operation_is_breaking_and_a_new_one_is_not() {
        let removed = findings_after(|d| {
            d["paths"]["/v1/sessions/{session_id}/analysis-input"]
                .as_object_mut()
                .unwrap()
                .remove("get");
        });
        assert_breaking(&removed, "getSessionAnalysisInput was removed");
        let added = findings_after(|d| {
            d["paths"]["/v1/other"] = d["paths"]["/v1/scenarios/draft-from-session"].clone();
            d["paths"]["/v1/other"]["post"]["operationId"] = json!("other");
        });
        assert_compatible(&added);
    }

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// The command end to end in a scratch repository: a compatible change passes
    /// with its report, a breaking one fails, and an unknown revision is an error.
    #[test]
    fn run_compares_the_working_tree_with_a_git_revision() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |document: &Value| {
            let text = serde_json::to_string_pretty(document).unwrap();
            std::fs::write(root.join("openapi.json"), text).unwrap();
        };
        let mut document = contract();
        write(&document);
        git(root, &["init", "-q"]);
        git(root, &["add", "openapi.json"]);
        git(root, &["commit", "-q", "-m", "base"]);

        let report = run(root, "HEAD", "openapi.json").unwrap();
        assert!(report.contains("0 change(s), 0 breaking"), "{report}");

        schema(&mut document, "ScenarioDraft")["properties"]["difficulty"] =
            json!({"type": "string"});
        write(&document);
        let report = run(root, "HEAD", "openapi.json").unwrap();
        assert!(report.contains("1 change(s), 0 breaking"), "{report}");

        schema(&mut document, "ScenarioDraft")["required"] = json!(["name"]);
        write(&document);
        let report = run(root, "HEAD", "openapi.json").unwrap_err();
        assert!(report.contains("BREAKING"), "{report}");
        assert!(report.contains("`intent` became optional"), "{report}");

        let error = run(root, "no-such-ref", "openapi.json").unwrap_err();
        assert!(
            error.contains("git show no-such-ref:openapi.json failed"),
            "{error}"
        );
    }
}
