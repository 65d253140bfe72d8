//! Reading a captured session in either accepted format.
//!
//! [`parse_value`] accepts a Feather `SessionAnalysisInput` (with optional attribution
//! keys) or the chat-transcript envelope described in the crate documentation, and
//! returns the internal model, a [`CapturedSession`]. Both formats are validated with
//! the API crate's pydantic-style validator, so a bad capture is explained with the
//! same `loc` / `msg` / `type` errors the HTTP API answers with.

use std::fmt;

use feather_types::schema::nullable_datetime;
use feather_types::session::{
    CSATEntry, HandoffEvent, KnowledgeGapAnalysisOutcome, MessageEntry, MissingEvidenceReason,
    Nullable, ToolCall, ToolCallEntry, ToolCallFunction, ToolResult,
};
use feather_types::{LocItem, SessionAnalysisInput, SessionAttribution, ValidationError};
use feather_validation::value_as;
use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{Schema, SchemaObject};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::CapturedSession;
use crate::time::{format_millis, parse_millis};

/// The top-level keys of a Feather capture that carry its [`SessionAttribution`].
pub const ATTRIBUTION_KEYS: [&str; 3] = ["agent_name", "persona_id", "persona_name"];

/// Why a capture was refused: which format it was read as, and every problem found.
#[derive(Debug, Clone)]
pub struct CaptureError {
    format: CaptureFormat,
    details: Vec<ValidationError>,
}

/// The two formats a capture may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    /// A Feather `SessionAnalysisInput`, optionally with attribution keys.
    SessionAnalysisInput,
    /// The chat-transcript envelope for stacks other than Feather.
    ChatTranscript,
}

impl CaptureError {
    /// Every problem, as pydantic reports them (`loc` relative to the capture).
    pub fn details(&self) -> &[ValidationError] {
        &self.details
    }

    /// The format the capture was read as.
    pub fn format(&self) -> CaptureFormat {
        self.format
    }
}

/// Where the README explains both formats; every refusal points there.
pub const FORMATS_HELP: &str =
    "See \"Session file formats\" in the README (README.md#session-file-formats).";

/// The session time recorded when a chat log has no times at all (no `started_at`
/// and no message `timestamp`): the Unix epoch. A draft of such a session shows no
/// durations and says that the log records no times.
pub const UNKNOWN_TIME: &str = "1970-01-01T00:00:00Z";

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.format {
            CaptureFormat::SessionAnalysisInput => "a Feather SessionAnalysisInput",
            CaptureFormat::ChatTranscript => {
                "a chat log (chat-completions messages, bare or in an envelope)"
            }
        };
        let count = self.details.len();
        write!(
            f,
            "The input is not a session in either accepted format; it looks closest to {format}, \
             with {count} problem{}:",
            if count == 1 { "" } else { "s" }
        )?;
        for detail in &self.details {
            let loc: Vec<String> = detail
                .loc
                .iter()
                .map(|item| match item {
                    LocItem::Key(key) => key.clone(),
                    LocItem::Index(index) => index.to_string(),
                })
                .collect();
            if loc.is_empty() {
                write!(f, "\n  - {}", detail.msg)?;
            } else {
                write!(f, "\n  - {}: {}", loc.join("."), detail.msg)?;
            }
        }
        write!(f, "\n{FORMATS_HELP}")
    }
}

impl std::error::Error for CaptureError {}

/// Whether `value` is one chat-completions message (an object with a `role`), as
/// opposed to a session: how a bare array of messages is told from an array of
/// sessions.
pub fn is_chat_message(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        map.get("role").is_some_and(Value::is_string)
            && !map.contains_key("messages")
            && !map.contains_key("session_id")
    })
}

/// Reads one captured session, in whichever format it came.
///
/// - An object with a `session_id` key is a Feather `SessionAnalysisInput`; the
///   optional top-level keys `agent_name`, `persona_id` and `persona_name` give its
///   attribution.
/// - An object with `messages` (and no `session_id`) is a chat log in the envelope,
///   and a bare array of chat-completions messages is a chat log without one.
/// - Anything else is read both ways, and the refusal names the closer format and
///   lists every problem.
pub fn parse_value(value: Value) -> Result<CapturedSession, CaptureError> {
    match &value {
        Value::Array(items) if items.iter().all(is_chat_message) => {
            let id = content_id(&value);
            let mut envelope = Map::new();
            envelope.insert("id".to_owned(), Value::String(id.to_string()));
            envelope.insert("messages".to_owned(), value);
            parse_envelope(Value::Object(envelope))
        }
        Value::Object(map) if map.contains_key("session_id") => parse_feather(value),
        Value::Object(map) if map.contains_key("messages") => parse_envelope(value),
        _ => {
            let feather = parse_feather(value.clone());
            let Err(feather) = feather else {
                return feather;
            };
            let chat = parse_envelope(value);
            let Err(chat) = chat else { return chat };
            if chat.details.len() <= feather.details.len() {
                Err(chat)
            } else {
                Err(feather)
            }
        }
    }
}

fn parse_feather(mut value: Value) -> Result<CapturedSession, CaptureError> {
    let mut attribution = Map::new();
    if let Value::Object(map) = &mut value {
        for key in ATTRIBUTION_KEYS {
            if let Some(item) = map.remove(key) {
                attribution.insert(key.to_owned(), item);
            }
        }
    }
    let mut attribution = Value::Object(attribution);
    let attribution = value_as::<SessionAttribution>(&mut attribution, vec![]);
    let input = value_as::<SessionAnalysisInput>(&mut value, vec![]);
    match (input, attribution) {
        (Ok(input), Ok(attribution)) => Ok(CapturedSession { input, attribution }),
        (input, attribution) => {
            let mut details = attribution.err().unwrap_or_default();
            details.extend(input.err().unwrap_or_default());
            Err(CaptureError {
                format: CaptureFormat::SessionAnalysisInput,
                details,
            })
        }
    }
}

fn parse_envelope(mut value: Value) -> Result<CapturedSession, CaptureError> {
    // A log without an id is named by its content: the same log, the same id.
    let derived_id = match &value {
        Value::Object(map) if map.get("id").is_none_or(Value::is_null) => Some(content_id(&value)),
        _ => None,
    };
    let envelope = value_as::<Envelope>(&mut value, vec![]).map_err(|details| CaptureError {
        format: CaptureFormat::ChatTranscript,
        details,
    })?;
    Ok(envelope.into_session(derived_id))
}

// A UUID v5 of the log's JSON as serde_json writes it (keys sorted): stable for
// the same content however it was formatted.
fn content_id(value: &Value) -> Uuid {
    let namespace = Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        b"https://featherhq.com/chat-transcript",
    );
    Uuid::new_v5(&namespace, value.to_string().as_bytes())
}

/// The chat-transcript envelope (see the crate documentation).
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(title = "ChatTranscriptEnvelope")]
struct Envelope {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    organization_id: Option<Uuid>,
    #[serde(default)]
    agent: Option<Party>,
    #[serde(default)]
    persona: Option<Party>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    session_type: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "nullable_datetime")]
    started_at: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "nullable_datetime")]
    ended_at: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    completion_reason: Option<String>,
    messages: Vec<ChatMessage>,
    #[serde(default)]
    handoff_events: Vec<HandoffEvent>,
    #[serde(default)]
    csat: Option<CSATEntry>,
    #[serde(default)]
    customer_metadata: Option<Map<String, Value>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Party {
    #[serde(default)]
    id: Option<Uuid>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ChatMessage {
    role: String,
    #[serde(default)]
    #[schemars(schema_with = "any")]
    content: Value,
    #[serde(default)]
    tool_calls: Option<Vec<ChatToolCall>>,
    #[serde(default)]
    tool_call_id: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "nullable_datetime")]
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ChatToolCall {
    id: String,
    function: ChatFunction,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ChatFunction {
    name: String,
    #[serde(default)]
    #[schemars(schema_with = "any")]
    arguments: Value,
}

fn any(_: &mut SchemaGenerator) -> Schema {
    Schema::Object(SchemaObject::default())
}

// Transcripts whose `id` is not a UUID get a stable one derived from it.
fn session_id(id: &str) -> Uuid {
    Uuid::parse_str(id).unwrap_or_else(|_| {
        let namespace = Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            b"https://featherhq.com/chat-transcript",
        );
        Uuid::new_v5(&namespace, id.as_bytes())
    })
}

/// The outcome a transcript's free-form `outcome` names, if it names one.
pub(crate) fn outcome_from_text(text: &str) -> Option<KnowledgeGapAnalysisOutcome> {
    use KnowledgeGapAnalysisOutcome as O;
    let normal: String = text
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    Some(match normal.as_str() {
        "resolved" | "success" | "succeeded" | "successful" | "solved" | "completed"
        | "complete" => O::Resolved,
        "unresolved" | "not_resolved" | "failed" | "failure" => O::Unresolved,
        "transferred" | "transfer" | "handoff" | "handed_off" => O::Transferred,
        "expired" | "timeout" | "timed_out" => O::Expired,
        "error" | "errored" => O::Error,
        "abandoned" | "dropped" => O::Abandoned,
        "voicemail" => O::Voicemail,
        "escalated" | "escalation" => O::Escalated,
        "call_failed" => O::CallFailed,
        _ => return None,
    })
}

// The text of a chat message's `content`: a string, null, or a list of parts.
fn content_text(content: &Value) -> String {
    match content {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(parts) => {
            let texts: Vec<String> = parts
                .iter()
                .filter_map(|part| match part {
                    Value::String(text) => Some(text.clone()),
                    Value::Object(map) => {
                        map.get("text").and_then(Value::as_str).map(str::to_owned)
                    }
                    _ => None,
                })
                .collect();
            texts.join("\n")
        }
        other => other.to_string(),
    }
}

/// The error a tool result reports in its JSON (`{"error": "slot_taken"}`), if any.
pub(crate) fn error_in_result(output: &str) -> Option<String> {
    let trimmed = output.trim_start();
    if !trimmed.starts_with('{') {
        return None;
    }
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(trimmed) else {
        return None;
    };
    match map.get("error")? {
        Value::Null | Value::Bool(false) => None,
        Value::String(text) if text.trim().is_empty() => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

impl Envelope {
    fn into_session(self, derived_id: Option<Uuid>) -> CapturedSession {
        let session_id = match (&self.id, derived_id) {
            (Some(id), _) => session_id(id),
            (None, Some(id)) => id,
            (None, None) => Uuid::nil(),
        };
        // Without `started_at`, the first message time stands in; without any
        // time, the session records that its times are unknown.
        let started_at = self
            .started_at
            .clone()
            .or_else(|| self.messages.iter().find_map(|m| m.timestamp.clone()))
            .unwrap_or_else(|| UNKNOWN_TIME.to_owned());
        let start = parse_millis(&started_at);
        let end = self.ended_at.as_deref().and_then(parse_millis);
        let count = self.messages.len();
        let mut messages = Vec::with_capacity(count);
        let mut tool_calls: Vec<ToolCallEntry> = Vec::new();
        let mut call_index = std::collections::HashMap::new();
        for (index, message) in self.messages.into_iter().enumerate() {
            let turn_id = Uuid::new_v5(&session_id, format!("turn-{index}").as_bytes());
            let timestamp = message
                .timestamp
                .clone()
                .unwrap_or_else(|| match (start, end) {
                    (Some(start), Some(end)) if end > start && count > 1 => {
                        let offset = i128::from(end - start) * index as i128 / (count as i128 - 1);
                        format_millis(start + offset as i64)
                    }
                    _ => started_at.clone(),
                });
            let content = content_text(&message.content);
            let calls = message.tool_calls.map(|calls| {
                calls
                    .into_iter()
                    .map(|call| {
                        let arguments = match call.function.arguments {
                            Value::Null => String::new(),
                            Value::String(text) => text,
                            other => other.to_string(),
                        };
                        if !call_index.contains_key(&call.id) {
                            call_index.insert(call.id.clone(), tool_calls.len());
                            tool_calls.push(ToolCallEntry {
                                tool_call_id: call.id.clone(),
                                assistant_turn_id: turn_id,
                                name: call.function.name.clone(),
                                arguments: arguments.clone(),
                                arguments_parsed: serde_json::from_str(&arguments).ok(),
                                result: None,
                                error: None,
                                latency_ms: None,
                            });
                        }
                        ToolCall {
                            id: call.id,
                            kind: "function".to_owned(),
                            function: ToolCallFunction {
                                name: call.function.name,
                                arguments,
                            },
                        }
                    })
                    .collect()
            });
            let tool_results = match (message.role.as_str(), message.tool_call_id) {
                ("tool", Some(tool_call_id)) => {
                    let error = error_in_result(&content);
                    if let Some(entry) = call_index.get(&tool_call_id).map(|&i| &mut tool_calls[i])
                    {
                        match &error {
                            Some(error) => entry.error = Some(error.clone()),
                            None => entry.result = Some(content.clone()),
                        }
                    }
                    Some(ToolResult {
                        tool_call_id,
                        output: content.clone(),
                        error,
                    })
                }
                _ => None,
            };
            messages.push(MessageEntry {
                turn_id,
                role: message.role,
                timestamp,
                content,
                tool_calls: calls,
                tool_results,
                model_used: None,
                latency_ms: None,
                truncated: false,
                original_char_count: None,
            });
        }
        let outcome = self.outcome.as_deref().and_then(outcome_from_text);
        let completion_reason = self
            .completion_reason
            .or_else(|| self.outcome.filter(|_| outcome.is_none()));
        let mut missing = vec![
            MissingEvidenceReason::NoRagTrace,
            MissingEvidenceReason::NoKbSnapshot,
            MissingEvidenceReason::NoCitations,
        ];
        if tool_calls.is_empty() {
            missing.push(MissingEvidenceReason::NoToolTrace);
        }
        if self.csat.is_none() {
            missing.push(MissingEvidenceReason::NoCsat);
        }
        missing.push(MissingEvidenceReason::NoUserFeedback);
        missing.push(MissingEvidenceReason::TranscriptRedactionSkipped);
        let (agent_id, agent_name) = self
            .agent
            .map_or((None, None), |agent| (agent.id, agent.name));
        let (persona_id, persona_name) = self
            .persona
            .map_or((None, None), |persona| (persona.id, persona.name));
        let input = SessionAnalysisInput {
            analyzer_input_schema_version: 2,
            session_id,
            organization_id: self.organization_id.unwrap_or_else(Uuid::nil),
            agent_id: Nullable(agent_id),
            channel: self.channel.unwrap_or_else(|| "chat".to_owned()),
            started_at,
            ended_at: Nullable(self.ended_at),
            completion_reason: Nullable(completion_reason),
            knowledge_gap_analysis_outcome: Nullable(outcome),
            messages,
            rag_traces: Vec::new(),
            citations: Vec::new(),
            tool_calls,
            handoff_events: self.handoff_events,
            kb_snapshot: None,
            user_feedback: None,
            csat: self.csat,
            reopen: None,
            customer_metadata: self.customer_metadata,
            missing_evidence_reasons: missing,
        };
        let attribution = SessionAttribution {
            agent_name,
            persona_id: persona_id.map(|id| id.to_string()),
            persona_name,
        };
        CapturedSession { input, attribution }
    }
}
