//! Helpers shared by the test modules: loading the example sessions and drafting them.

use std::path::PathBuf;

use feather_drafter::{CapturedSession, DraftOptions, Pii, capture, draft};
use feather_types::ScenarioDraft;

/// The example sessions, by file name (they live in the top-level `examples/`).
pub const EXAMPLES: [&str; 4] = [
    "refund-voice.analysis-input.json",
    "dispute-sms.analysis-input.json",
    "reschedule-chat.openai.json",
    "order-return.chat.json",
];

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example's JSON.
pub fn example_value(name: &str) -> serde_json::Value {
    let path = crate_dir().join("../../examples").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{name} is JSON: {err}"))
}

/// The example, captured.
pub fn example(name: &str) -> CapturedSession {
    capture::parse_value(example_value(name))
        .unwrap_or_else(|err| panic!("{name} is a valid capture: {err}"))
}

/// Drafts with or without redaction, failing the test when the session is refused.
pub fn drafted(session: &CapturedSession, redact_pii: bool) -> ScenarioDraft {
    let pii = if redact_pii {
        Pii::Placeholders
    } else {
        Pii::Keep
    };
    draft(session, &DraftOptions { pii }).expect("the session is draftable")
}

/// Checks the contract's limits on a draft, in characters, with the API crate's own
/// validator as a second opinion.
pub fn assert_within_limits(draft: &ScenarioDraft) {
    use feather_types::limits::*;
    let count = |s: &str| s.chars().count();
    assert!(
        (1..=NAME_MAX).contains(&count(&draft.name)),
        "name length {}",
        count(&draft.name)
    );
    assert!(
        (1..=INTENT_MAX).contains(&count(&draft.intent)),
        "intent length {}",
        count(&draft.intent)
    );
    assert!(
        count(&draft.journey) <= JOURNEY_MAX,
        "journey length {}",
        count(&draft.journey)
    );
    let brief = draft.source_brief.as_deref().unwrap_or("");
    assert!(
        count(brief) <= SOURCE_BRIEF_MAX,
        "brief length {}",
        count(brief)
    );
    assert!(
        draft.tags.len() <= feather_drafter::MAX_TAGS,
        "{} tags",
        draft.tags.len()
    );
    let mut sorted = draft.tags.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, draft.tags, "tags are sorted and unique");
    assert!(
        draft
            .tags
            .iter()
            .all(|t| !t.is_empty() && t.to_lowercase() == *t),
        "tags are lower case: {:?}",
        draft.tags
    );
    let mut value = serde_json::to_value(draft).expect("a draft serialises");
    feather_validation::value_as::<ScenarioDraft>(&mut value, vec![])
        .unwrap_or_else(|errors| panic!("the draft breaks the contract: {errors:?}"));
    assert_canned_responses(draft);
}

/// Checks that every mock-world call, minus its arguments, is a valid upstream
/// `CannedToolResponse`: exactly one of `output` / `error` (a non-empty string),
/// `delay_ms` in 0..=60000, nothing else.
pub fn assert_canned_responses(draft: &ScenarioDraft) {
    let tools = draft
        .mock_world
        .get("tools")
        .and_then(|t| t.as_object())
        .expect("mock_world.tools is an object");
    for (name, calls) in tools {
        for call in calls.as_array().expect("a tool's calls are a list") {
            let call = call.as_object().expect("a call is an object");
            assert!(
                call.contains_key("arguments"),
                "{name}: arguments are recorded"
            );
            let keys: Vec<&str> = call
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "arguments")
                .collect();
            assert!(
                keys.iter()
                    .all(|k| ["output", "error", "delay_ms"].contains(k)),
                "{name}: unexpected keys {keys:?}"
            );
            assert!(
                call.contains_key("output") ^ call.contains_key("error"),
                "{name}: exactly one of output / error"
            );
            if let Some(error) = call.get("error") {
                assert!(
                    error.as_str().is_some_and(|e| !e.is_empty()),
                    "{name}: an error is a non-empty string"
                );
            }
            let delay = call
                .get("delay_ms")
                .and_then(|d| d.as_i64())
                .expect("delay_ms is an integer");
            assert!((0..=60_000).contains(&delay), "{name}: delay_ms {delay}");
        }
    }
}

/// A session with the given messages and tool calls and nothing else recorded.
pub fn session(
    messages: Vec<feather_types::session::MessageEntry>,
    tool_calls: Vec<feather_types::session::ToolCallEntry>,
) -> CapturedSession {
    use feather_types::session::{KnowledgeGapAnalysisOutcome, Nullable};
    CapturedSession {
        input: feather_types::SessionAnalysisInput {
            analyzer_input_schema_version: 2,
            session_id: uuid::Uuid::from_u128(0x5e55),
            organization_id: uuid::Uuid::from_u128(0x0e6),
            agent_id: Nullable(Some(uuid::Uuid::from_u128(0xa6e))),
            channel: "chat".to_owned(),
            started_at: "2026-11-20T15:00:00Z".to_owned(),
            ended_at: Nullable(Some("2026-11-20T15:05:00Z".to_owned())),
            completion_reason: Nullable(None),
            knowledge_gap_analysis_outcome: Nullable(Some(KnowledgeGapAnalysisOutcome::Resolved)),
            messages,
            rag_traces: Vec::new(),
            citations: Vec::new(),
            tool_calls,
            handoff_events: Vec::new(),
            kb_snapshot: None,
            user_feedback: None,
            csat: None,
            reopen: None,
            customer_metadata: None,
            missing_evidence_reasons: Vec::new(),
        },
        attribution: Default::default(),
    }
}

/// Message number `index` (its turn id is derived from the index).
pub fn message(index: u128, role: &str, content: &str) -> feather_types::session::MessageEntry {
    feather_types::session::MessageEntry {
        turn_id: uuid::Uuid::from_u128(0x7000_0000 + index),
        role: role.to_owned(),
        timestamp: format!("2026-11-20T15:{:02}:{:02}Z", (index / 60) % 60, index % 60),
        content: content.to_owned(),
        tool_calls: None,
        tool_results: None,
        model_used: None,
        latency_ms: None,
        truncated: false,
        original_char_count: None,
    }
}

/// An inline tool call, as an assistant message carries it.
pub fn inline_call(id: &str, name: &str, arguments: &str) -> feather_types::session::ToolCall {
    feather_types::session::ToolCall {
        id: id.to_owned(),
        kind: "function".to_owned(),
        function: feather_types::session::ToolCallFunction {
            name: name.to_owned(),
            arguments: arguments.to_owned(),
        },
    }
}

/// A top-level tool call entry.
pub fn call_entry(
    id: &str,
    turn: u128,
    name: &str,
    arguments: &str,
    result: Option<&str>,
    error: Option<&str>,
    latency_ms: Option<i64>,
) -> feather_types::session::ToolCallEntry {
    feather_types::session::ToolCallEntry {
        tool_call_id: id.to_owned(),
        assistant_turn_id: uuid::Uuid::from_u128(0x7000_0000 + turn),
        name: name.to_owned(),
        arguments: arguments.to_owned(),
        arguments_parsed: serde_json::from_str(arguments).ok(),
        result: result.map(str::to_owned),
        error: error.map(str::to_owned),
        latency_ms,
    }
}

/// The calls of one tool in a draft's mock world.
pub fn tool_calls_of<'a>(draft: &'a ScenarioDraft, tool: &str) -> &'a [serde_json::Value] {
    draft.mock_world["tools"][tool]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}
