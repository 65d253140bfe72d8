//! The scenario and error types of the upstream contract.
//!
//! Every type here mirrors one schema of `tests/upstream/feather-upstream-1.21.0.openapi.yaml`:
//! the same name, property titles, constraints, defaults and required lists. The
//! conformance tests compare the emitted schemas with upstream, so a change here that
//! changes the contract fails `cargo test`. Rust comments use `//` on purpose where
//! upstream has no description: a `///` doc comment would become one.

use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject, SubschemaValidation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// The body of `draftScenarioFromSession`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ScenarioDraftFromSessionRequest")]
pub struct ScenarioDraftFromSessionRequest {
    #[schemars(title = "Session Id")]
    pub session_id: Uuid,
}

// An unsaved scenario drafted from a captured session.
//
// `mock_world`, `tags` and `agent_ids` are optional without a default upstream
// (pydantic's `default_factory`); serde's `skip_serializing_if` is what keeps
// schemars from writing a `default` for them, so an empty one is left out of the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ScenarioDraft")]
pub struct ScenarioDraft {
    #[schemars(title = "Name", length(min = 1, max = 255))]
    pub name: String,
    #[schemars(title = "Intent", length(min = 1, max = 500))]
    pub intent: String,
    #[serde(default)]
    #[schemars(title = "Journey", length(max = 20000))]
    pub journey: String,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schemars(title = "Mock World")]
    pub mock_world: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub source: ScenarioSource,
    #[schemars(title = "Source Brief", length(max = 2000))]
    pub source_brief: Option<String>,
    #[schemars(title = "Source Agent Id")]
    pub source_agent_id: Option<Uuid>,
    #[schemars(title = "Source Persona Id")]
    pub source_persona_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Tags")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Agent Ids")]
    pub agent_ids: Vec<Uuid>,
    #[schemars(title = "Source Agent Name")]
    pub source_agent_name: Option<String>,
    #[schemars(title = "Source Persona Name")]
    pub source_persona_name: Option<String>,
}

/// The limits of [`ScenarioDraft`], counted in characters as pydantic counts them.
pub mod limits {
    pub const NAME_MAX: usize = 255;
    pub const INTENT_MAX: usize = 500;
    pub const JOURNEY_MAX: usize = 20000;
    pub const SOURCE_BRIEF_MAX: usize = 2000;
}

// Where a scenario came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(title = "ScenarioSource")]
pub enum ScenarioSource {
    #[default]
    Manual,
    Drafted,
}

/// Standard error response returned by all API error handlers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ErrorResponse")]
pub struct ErrorResponse {
    #[schemars(title = "Error")]
    pub error: String,
    #[schemars(title = "Message")]
    pub message: String,
}

// FastAPI's body for a request that failed validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "HTTPValidationError")]
#[allow(clippy::upper_case_acronyms)]
pub struct HTTPValidationError {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Detail")]
    pub detail: Vec<ValidationError>,
}

// One pydantic validation error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ValidationError")]
pub struct ValidationError {
    #[schemars(title = "Location", schema_with = "loc_schema")]
    pub loc: Vec<LocItem>,
    #[schemars(title = "Message")]
    pub msg: String,
    #[serde(rename = "type")]
    #[schemars(title = "Error Type")]
    pub error_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Input", schema_with = "any_schema")]
    pub input: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Context", schema_with = "plain_object_schema")]
    pub ctx: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One step of a [`ValidationError::loc`]: a field name or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LocItem {
    Key(String),
    Index(u64),
}

impl From<&str> for LocItem {
    fn from(key: &str) -> Self {
        LocItem::Key(key.to_owned())
    }
}

impl From<usize> for LocItem {
    fn from(index: usize) -> Self {
        LocItem::Index(index as u64)
    }
}

// `loc` items are `anyOf [string, integer]` upstream, with no integer format.
fn loc_schema(_: &mut SchemaGenerator) -> Schema {
    let item = SchemaObject {
        subschemas: Some(Box::new(SubschemaValidation {
            any_of: Some(vec![
                typed(InstanceType::String),
                typed(InstanceType::Integer),
            ]),
            ..Default::default()
        })),
        ..Default::default()
    };
    let mut array = SchemaObject {
        instance_type: Some(InstanceType::Array.into()),
        ..Default::default()
    };
    array.array().items = Some(Schema::Object(item).into());
    Schema::Object(array)
}

// `input` accepts any JSON value: an empty schema object, not schemars' `true`.
fn any_schema(_: &mut SchemaGenerator) -> Schema {
    Schema::Object(SchemaObject::default())
}

// `ctx` is `{type: object}` upstream, without an `additionalProperties` key.
fn plain_object_schema(_: &mut SchemaGenerator) -> Schema {
    typed(InstanceType::Object)
}

fn typed(instance_type: InstanceType) -> Schema {
    Schema::Object(SchemaObject {
        instance_type: Some(instance_type.into()),
        ..Default::default()
    })
}

/// Who took part in a captured session, beyond the ids the session itself holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionAttribution {
    /// Display name of the session's agent (`agent_id`), copied into
    /// `source_agent_name` of drafts.
    #[serde(default)]
    pub agent_name: Option<String>,
    /// The simulated persona that played the customer, for simulation sessions.
    #[serde(default)]
    #[schemars(with = "Option<Uuid>")]
    pub persona_id: Option<String>,
    /// Display name of that persona.
    #[serde(default)]
    pub persona_name: Option<String>,
}

/// The answer to a capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionCaptured {
    /// The captured session's id.
    pub session_id: Uuid,
    /// `true` when the session was new, `false` when it replaced a stored one.
    pub created: bool,
}
