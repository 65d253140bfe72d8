//! Saved scenarios and the lists of the review flow: upstream's `ScenarioCreate`,
//! `ScenarioResponse` and `SuccessCriterion`, and the additions this service makes
//! beside them (the lists of scenarios and sessions, their queries).
//!
//! Why here, beside the draft: a scenario is what a reviewed draft becomes, so
//! its schemas are compared with upstream's excerpt like the draft's are. The
//! fields that are additions to upstream carry a description saying so, and the
//! conformance test lists each of them as a tolerated difference with its reason.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::models::ScenarioSource;
use crate::schema::{datetime, nullable_datetime};
use crate::session::KnowledgeGapAnalysisOutcome;

/// The limits of scenarios and of the list operations.
pub mod scenario_limits {
    /// Upstream's limit on a success criterion's description.
    pub const CRITERION_DESCRIPTION_MAX: usize = 500;
    /// The most characters of a `drafter_version`.
    pub const DRAFTER_VERSION_MAX: usize = 200;
    /// The most items one page of a list holds.
    pub const PAGE_LIMIT_MAX: u32 = 100;
    /// The items of a page when `limit` is not given.
    pub const PAGE_LIMIT_DEFAULT: u32 = 50;
}

// How a judge answers a success criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "SuccessCriterionOutputType")]
pub enum SuccessCriterionOutputType {
    #[serde(rename = "boolean")]
    Boolean,
    #[serde(rename = "score_5")]
    Score5,
}

// One check of a simulated run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "SuccessCriterion")]
pub struct SuccessCriterion {
    #[schemars(title = "Description", length(min = 1, max = 500))]
    pub description: String,
    pub output_type: SuccessCriterionOutputType,
}

// The body of `createScenario`: upstream's fields, then two additions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ScenarioCreate")]
pub struct ScenarioCreate {
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Success Criteria")]
    pub success_criteria: Vec<SuccessCriterion>,
    /// Addition to upstream Feather 1.21.0: the captured session this scenario was
    /// drafted from. It must be a session the key's organization sees (404
    /// otherwise); `GET /v1/scenarios?session_id=` finds the scenarios of a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Source Session Id")]
    pub source_session_id: Option<Uuid>,
    /// Addition to upstream Feather 1.21.0: the version of the drafter that drafted
    /// this scenario, as `proposeScenarioFromSession` gives it. When it is absent
    /// and `source_session_id` is given, the server's current drafter version is
    /// kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Drafter Version", length(min = 1, max = 200))]
    pub drafter_version: Option<String>,
}

// An agent a scenario runs against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ScenarioAgentRef")]
pub struct ScenarioAgentRef {
    #[schemars(title = "Id")]
    pub id: Uuid,
    #[schemars(title = "Name")]
    pub name: String,
}

// A saved scenario: upstream's fields, then two additions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ScenarioResponse")]
pub struct ScenarioResponse {
    #[schemars(title = "Id")]
    pub id: Uuid,
    #[schemars(title = "Organization Id")]
    pub organization_id: Uuid,
    #[schemars(title = "Name")]
    pub name: String,
    #[schemars(title = "Intent")]
    pub intent: String,
    #[schemars(title = "Journey")]
    pub journey: String,
    #[schemars(title = "Success Criteria")]
    pub success_criteria: Vec<SuccessCriterion>,
    #[schemars(title = "Mock World")]
    pub mock_world: serde_json::Map<String, serde_json::Value>,
    pub source: ScenarioSource,
    #[schemars(title = "Source Brief")]
    pub source_brief: Option<String>,
    #[schemars(title = "Source Agent Id")]
    pub source_agent_id: Option<Uuid>,
    #[schemars(title = "Source Agent Name")]
    pub source_agent_name: Option<String>,
    #[schemars(title = "Source Persona Id")]
    pub source_persona_id: Option<Uuid>,
    #[schemars(title = "Source Persona Name")]
    pub source_persona_name: Option<String>,
    #[schemars(title = "Tags")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Agents")]
    pub agents: Vec<ScenarioAgentRef>,
    #[schemars(title = "Created By")]
    pub created_by: Option<String>,
    #[schemars(title = "Created At", schema_with = "datetime")]
    pub created_at: String,
    #[schemars(title = "Updated At", schema_with = "datetime")]
    pub updated_at: String,
    /// Addition to upstream Feather 1.21.0: the captured session this scenario was
    /// drafted from, if any.
    #[schemars(title = "Source Session Id")]
    pub source_session_id: Option<Uuid>,
    /// Addition to upstream Feather 1.21.0: the version of the drafter that drafted
    /// it, if it was drafted from a session. A reviewer compares it with the
    /// `drafter_version` of a fresh proposal to see whether the drafter has moved on.
    #[schemars(title = "Drafter Version")]
    pub drafter_version: Option<String>,
}

/// One page of saved scenarios, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioList {
    /// The scenarios of this page, newest first.
    pub items: Vec<ScenarioResponse>,
    /// The `cursor` that asks for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A captured session as the session list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionSummary {
    pub session_id: Uuid,
    pub organization_id: Uuid,
    /// The `name` of the draft made when the session was captured; `null` when the
    /// session cannot be drafted.
    pub name: Option<String>,
    /// The session's `agent_id`.
    pub agent_id: Option<Uuid>,
    /// The session's `channel`.
    pub channel: Option<String>,
    /// The session's `knowledge_gap_analysis_outcome`.
    pub outcome: Option<KnowledgeGapAnalysisOutcome>,
    /// The session's `completion_reason`.
    pub completion_reason: Option<String>,
    /// The session's `ended_at`.
    #[schemars(schema_with = "nullable_datetime")]
    pub ended_at: Option<String>,
    /// When the session was first captured.
    #[schemars(schema_with = "datetime")]
    pub captured_at: String,
    /// When it was last captured.
    #[schemars(schema_with = "datetime")]
    pub updated_at: String,
}

/// One page of captured sessions, newest capture first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionList {
    /// The sessions of this page, newest first.
    pub items: Vec<SessionSummary>,
    /// The `cursor` that asks for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The query of `listSessions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PageQuery {
    /// The most items of the page, 1 to 100 (50 when absent).
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: u32,
    /// The `next_cursor` of the previous page; absent for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// The query of `listScenarios`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioListQuery {
    /// The most items of the page, 1 to 100 (50 when absent).
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: u32,
    /// The `next_cursor` of the previous page; absent for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Only the scenarios that have this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Only the scenarios drafted from this session (`source_session_id`).
    #[serde(default)]
    pub session_id: Option<Uuid>,
}

fn default_limit() -> u32 {
    scenario_limits::PAGE_LIMIT_DEFAULT
}
