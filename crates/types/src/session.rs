//! The captured session: upstream's `SessionAnalysisInput` and the types it holds.
//!
//! These mirror `tests/upstream/feather-1.21.0-excerpt.openapi.json` field by field, with the
//! same titles and descriptions, so that `PUT` and `GET
//! /v1/sessions/{session_id}/analysis-input` carry the upstream shape verbatim. The
//! conformance tests compare each schema with the excerpt.
//!
//! Two details keep the emitted schemas equal to upstream's:
//! - integers and numbers carry no `format` upstream, so they use the `integer` and
//!   `number` schema functions below instead of schemars' `int64` / `double`;
//! - a field that is required *and* nullable (`agent_id`, `ended_at`, ...) is a
//!   [`Nullable`], because schemars treats every `Option` as optional.
//!
//! Timestamps stay strings (validated as date-times on the way in) so that a stored
//! session is returned exactly as it was captured.

use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::schema::{datetime, nullable_datetime, typed};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "SessionAnalysisInput",
    description = "Canonical analyzer input built from one completed session.\n\nRequired fields are populated for every analysed completed session.\nConditionally-required fields populate when the corresponding capture\nsucceeded (e.g., ``rag_traces`` when retrieval ran). Nullable enrichment\nfields are best-effort.\n\nConsumers should consult ``missing_evidence_reasons`` before attempting\nevidence-backed classifications."
)]
pub struct SessionAnalysisInput {
    #[serde(default = "default_sessionanalysisinput_analyzer_input_schema_version")]
    #[schemars(title = "Analyzer Input Schema Version", schema_with = "integer")]
    pub analyzer_input_schema_version: i64,
    #[schemars(title = "Session Id")]
    pub session_id: Uuid,
    #[schemars(title = "Organization Id")]
    pub organization_id: Uuid,
    #[schemars(title = "Agent Id")]
    pub agent_id: Nullable<Uuid>,
    #[schemars(title = "Channel")]
    pub channel: String,
    #[schemars(title = "Started At", schema_with = "datetime")]
    pub started_at: String,
    #[schemars(title = "Ended At", schema_with = "nullable_datetime")]
    pub ended_at: Nullable<String>,
    #[schemars(title = "Completion Reason")]
    pub completion_reason: Nullable<String>,
    pub knowledge_gap_analysis_outcome: Nullable<KnowledgeGapAnalysisOutcome>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Messages")]
    pub messages: Vec<MessageEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Rag Traces")]
    pub rag_traces: Vec<RagTraceEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Citations")]
    pub citations: Vec<CitedChunk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Tool Calls")]
    pub tool_calls: Vec<ToolCallEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Handoff Events")]
    pub handoff_events: Vec<HandoffEvent>,
    pub kb_snapshot: Option<KbSnapshotEntry>,
    pub user_feedback: Option<FeedbackEntry>,
    pub csat: Option<CSATEntry>,
    pub reopen: Option<ReopenEntry>,
    #[schemars(title = "Customer Metadata")]
    pub customer_metadata: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Missing Evidence Reasons")]
    pub missing_evidence_reasons: Vec<MissingEvidenceReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "MessageEntry",
    description = "One redacted message in the transcript view of a session."
)]
pub struct MessageEntry {
    #[schemars(title = "Turn Id")]
    pub turn_id: Uuid,
    #[schemars(title = "Role")]
    pub role: String,
    #[schemars(title = "Timestamp", schema_with = "datetime")]
    pub timestamp: String,
    #[schemars(title = "Content")]
    pub content: String,
    #[schemars(title = "Tool Calls")]
    pub tool_calls: Option<Vec<ToolCall>>,
    pub tool_results: Option<ToolResult>,
    #[schemars(title = "Model Used")]
    pub model_used: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Latency Ms", schema_with = "nullable_integer")]
    pub latency_ms: Option<i64>,
    #[serde(default)]
    #[schemars(title = "Truncated")]
    pub truncated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Original Char Count", schema_with = "nullable_integer")]
    pub original_char_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ToolCall")]
pub struct ToolCall {
    #[schemars(title = "Id")]
    pub id: String,
    #[serde(rename = "type", default = "default_toolcall_type")]
    #[schemars(title = "Type")]
    pub kind: String,
    pub function: ToolCallFunction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ToolCallFunction")]
pub struct ToolCallFunction {
    #[schemars(title = "Name")]
    pub name: String,
    #[schemars(title = "Arguments")]
    pub arguments: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ToolResult")]
pub struct ToolResult {
    #[schemars(title = "Tool Call Id")]
    pub tool_call_id: String,
    #[schemars(title = "Output")]
    pub output: String,
    #[schemars(title = "Error")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "ToolCallEntry",
    description = "One tool invocation in the session."
)]
pub struct ToolCallEntry {
    #[schemars(title = "Tool Call Id")]
    pub tool_call_id: String,
    #[schemars(title = "Assistant Turn Id")]
    pub assistant_turn_id: Uuid,
    #[schemars(title = "Name")]
    pub name: String,
    #[schemars(title = "Arguments")]
    pub arguments: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Arguments Parsed", schema_with = "nullable_any")]
    pub arguments_parsed: Option<serde_json::Value>,
    #[schemars(title = "Result")]
    pub result: Option<String>,
    #[schemars(title = "Error")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Latency Ms", schema_with = "nullable_integer")]
    pub latency_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "RagTraceEntry",
    description = "One retrieval that fed a specific assistant turn."
)]
pub struct RagTraceEntry {
    #[schemars(title = "Rag Query Id")]
    pub rag_query_id: Uuid,
    #[schemars(title = "Assistant Turn Id")]
    pub assistant_turn_id: Uuid,
    #[schemars(title = "Query Hash")]
    pub query_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Kb Ids")]
    pub kb_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Retrieved")]
    pub retrieved: Vec<RetrievedChunk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Top Score", schema_with = "nullable_number")]
    pub top_score: Option<f64>,
    #[schemars(title = "Hit")]
    pub hit: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Latency Ms", schema_with = "nullable_integer")]
    pub latency_ms: Option<i64>,
    pub answerability: Option<RagTraceAnswerability>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "RetrievedChunk",
    description = "One chunk returned by a retrieval call."
)]
pub struct RetrievedChunk {
    #[schemars(title = "Chunk Id")]
    pub chunk_id: String,
    #[schemars(title = "Doc Id")]
    pub doc_id: String,
    #[schemars(title = "Version Id")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Score", schema_with = "nullable_number")]
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "RagTraceAnswerability",
    description = "Answerability verdict subset persisted on a RAG trace (ENG-671/672).\n\nPresent only when the gate ran (mode shadow/enforce); legacy / off-mode\ntraces leave :attr:`RagTraceEntry.answerability` ``None``. Every field is\noptional so a partial or older JSONB payload coerces rather than raising.\n``raw_top_score`` is the pre-normalization top score the retro retrieval-\nfailure detector prefers over the display ``top_score``."
)]
pub struct RagTraceAnswerability {
    #[schemars(title = "Label")]
    pub label: Option<String>,
    #[schemars(title = "Reason Code")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Raw Top Score", schema_with = "nullable_number")]
    pub raw_top_score: Option<f64>,
    #[schemars(title = "Score Basis")]
    pub score_basis: Option<String>,
    #[schemars(title = "Mode")]
    pub mode: Option<String>,
    #[schemars(title = "Action")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Threshold Low", schema_with = "nullable_number")]
    pub threshold_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Threshold High", schema_with = "nullable_number")]
    pub threshold_high: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "CitedChunk",
    description = "One chunk that the runtime exposed to the LLM (subset of retrieved).\n\n``assistant_turn_id`` ties each citation back to the assistant turn that\ncited it. Required: the producer always has the turn in scope when\nbuilding citations, and downstream stages (ENG-491 retrieval validation,\nENG-490 ``ClaimEvidenceRef`` widening) need the per-turn linkage to scope\ndoc-id subset constraints to a candidate's evidence_turn_ids."
)]
pub struct CitedChunk {
    #[schemars(title = "Assistant Turn Id")]
    pub assistant_turn_id: Uuid,
    #[schemars(title = "Kb Id")]
    pub kb_id: Uuid,
    #[schemars(title = "Doc Id")]
    pub doc_id: String,
    #[schemars(title = "Chunk Id")]
    pub chunk_id: String,
    #[schemars(title = "Version Id")]
    pub version_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "HandoffEvent",
    description = "Human handoff transition recorded against the session."
)]
pub struct HandoffEvent {
    #[schemars(title = "Timestamp", schema_with = "datetime")]
    pub timestamp: String,
    #[schemars(title = "Transferred To Agent Id")]
    pub transferred_to_agent_id: Option<Uuid>,
    #[schemars(title = "Reason")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "KbSnapshotEntry",
    description = "KB state captured at the moment of the session's first retrieval.\n\nMaps each KB used in the session to the active document-version count\n(as a coarse fingerprint of \"what was the KB at the time\"). The\nfine-grained per-doc version of a retrieved chunk is on\n``RetrievedChunk.version_id``."
)]
pub struct KbSnapshotEntry {
    #[schemars(title = "Captured At", schema_with = "datetime")]
    pub captured_at: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    #[schemars(title = "Kb Versions", schema_with = "kb_versions")]
    pub kb_versions: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "FeedbackEntry",
    description = "Free-form user feedback against a session.\n\nNullable in v1 — no capture surface yet. Shape is reserved so downstream\nconsumers can plan against it."
)]
pub struct FeedbackEntry {
    #[schemars(title = "Timestamp", schema_with = "datetime")]
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Rating", schema_with = "nullable_integer")]
    pub rating: Option<i64>,
    #[schemars(title = "Comment")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "CSATEntry",
    description = "CSAT score against a session. Nullable in v1 (no capture surface)."
)]
pub struct CSATEntry {
    #[schemars(title = "Timestamp", schema_with = "datetime")]
    pub timestamp: String,
    #[schemars(title = "Score", schema_with = "integer")]
    pub score: i64,
    #[serde(default = "default_csatentry_scale_max")]
    #[schemars(title = "Scale Max", schema_with = "integer")]
    pub scale_max: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "ReopenEntry",
    description = "Ticket reopen event. Nullable in v1 (no capture surface)."
)]
pub struct ReopenEntry {
    #[schemars(title = "Timestamp", schema_with = "datetime")]
    pub timestamp: String,
    #[schemars(title = "Reason")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    title = "KnowledgeGapAnalysisOutcome",
    description = "Canonical, analyzer-friendly outcome of a completed session.\n\nDerived from ``(SessionStatus, SessionTerminationReason)`` at close time\nand persisted on ``ConvSessionMeta.knowledge_gap_analysis_outcome``.\nFree-form ``termination_reason`` is preserved alongside for forensic\ndetail."
)]
pub enum KnowledgeGapAnalysisOutcome {
    Resolved,
    Unresolved,
    Transferred,
    Expired,
    Error,
    Abandoned,
    Voicemail,
    Escalated,
    CallFailed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    title = "MissingEvidenceReason",
    description = "Why a downstream classification may need to lower confidence or skip.\n\nRecorded on ``SessionAnalysisInput.missing_evidence_reasons`` by the\nassembler when expected traces are unavailable. Analyzer code consults\nthis list to decide whether to attempt evidence-backed classifications."
)]
pub enum MissingEvidenceReason {
    NoRagTrace,
    NoKbSnapshot,
    NoCitations,
    NoToolTrace,
    NoCsat,
    NoUserFeedback,
    TranscriptRedactionSkipped,
    LegacySession,
}

/// A value that must be present but may be `null` (pydantic's `X | None` without a
/// default). Serialises exactly as the `Option` it wraps.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Nullable<T>(pub Option<T>);

impl<T> Nullable<T> {
    pub fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        Nullable(value)
    }
}

impl<T: JsonSchema> JsonSchema for Nullable<T> {
    fn is_referenceable() -> bool {
        false
    }

    fn schema_name() -> String {
        format!("Nullable_{}", T::schema_name())
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <Option<T>>::json_schema(generator)
    }
}

fn default_sessionanalysisinput_analyzer_input_schema_version() -> i64 {
    2
}

fn default_toolcall_type() -> String {
    "function".to_owned()
}

fn default_csatentry_scale_max() -> i64 {
    5
}

fn integer(_: &mut SchemaGenerator) -> Schema {
    typed(InstanceType::Integer, None, false)
}

fn nullable_integer(_: &mut SchemaGenerator) -> Schema {
    typed(InstanceType::Integer, None, true)
}

fn nullable_number(_: &mut SchemaGenerator) -> Schema {
    typed(InstanceType::Number, None, true)
}

fn nullable_any(_: &mut SchemaGenerator) -> Schema {
    let mut schema = SchemaObject::default();
    schema
        .extensions
        .insert("nullable".to_owned(), serde_json::Value::Bool(true));
    Schema::Object(schema)
}

// `kb_versions` maps KB ids to counts, and its keys are UUIDs (upstream's
// `propertyNames: {format: uuid}`), which validation checks as pydantic does. OpenAPI
// 3.0 cannot express `propertyNames`, so the API's finishing step leaves it out of the
// document; the conformance test tolerates its absence.
fn kb_versions(_: &mut SchemaGenerator) -> Schema {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::Object.into()),
        ..Default::default()
    };
    schema.object().additional_properties =
        Some(Box::new(typed(InstanceType::Integer, None, false)));
    schema.object().property_names =
        Some(Box::new(typed(InstanceType::String, Some("uuid"), false)));
    Schema::Object(schema)
}
