//! Properties over generated sessions: drafting never panics, every draft keeps the
//! contract's limits, the same input gives the same bytes, and every recorded tool
//! call reaches the mock world. Case counts stay modest so the suite runs in seconds.

use feather_drafter::pii::{Redactor, find};
use feather_drafter::{CapturedSession, DraftError, DraftOptions, Pii, SessionAttribution, draft};
use feather_types::SessionAnalysisInput;
use feather_types::session::{
    HandoffEvent, KnowledgeGapAnalysisOutcome, MessageEntry, Nullable, ToolCall, ToolCallEntry,
    ToolCallFunction, ToolResult,
};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::assert_within_limits;

#[derive(Debug, Clone)]
struct GenMessage {
    role: String,
    content: String,
    calls: Vec<(u8, String, String)>,
    result: Option<(u8, String, Option<String>)>,
    timestamp: String,
}

#[derive(Debug, Clone)]
struct GenEntry {
    id: u8,
    turn: usize,
    name: String,
    arguments: String,
    result: Option<String>,
    error: Option<String>,
    latency: Option<i64>,
}

fn role() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("user".to_owned()),
        4 => Just("assistant".to_owned()),
        2 => Just("tool".to_owned()),
        1 => Just("system".to_owned()),
        1 => Just("system_event".to_owned()),
        1 => "[a-zA-Z_]{0,10}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        3 => "[a-zA-Z0-9 ,.?!'@+()-]{0,80}",
        2 => "\\PC{0,60}",
        2 => prop::sample::select(vec![
            "hi", "ok", "hello?", "Yes please.", "  \n ", "مرحبا، أريد استرداد المبلغ 🙏", "我想退货，订单号 88412",
            "call me at 415-555-0134 or dana@example.com", "👩\u{200D}👩\u{200D}👧 family plan",
            "card 4111 1111 1111 1111, iban GB82 WEST 1234 5698 7654 32, ip 2001:db8::8a2e:370:7334",
            "{\"error\": \"slot_taken\"}", "{\"status\": \"ok\", \"items\": [1, 2, 3]}", "[1, 2",
        ])
        .prop_map(str::to_owned),
        1 => ("\\PC{1,12}", 20..150usize).prop_map(|(s, n)| s.repeat(n)),
    ]
}

fn tool_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["get_order", "create_refund", "reschedule", "bookTable", "cancel_plan", "lookup"])
            .prop_map(str::to_owned),
        1 => "\\PC{0,12}",
    ]
}

fn arguments() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{}".to_owned()),
        (0u32..99_999)
            .prop_map(|n| format!("{{\"order_id\": \"{n}\", \"reason\": \"damaged_on_arrival\"}}")),
        text(),
    ]
}

fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u32..24, 0u32..60).prop_map(|(h, m)| format!("2026-11-20T{h:02}:{m:02}:00Z")),
        1 => Just("not a time".to_owned()),
    ]
}

fn message() -> impl Strategy<Value = GenMessage> {
    (
        role(),
        text(),
        prop::collection::vec((0u8..10, tool_name(), arguments()), 0..3),
        prop::option::weighted(0.3, (0u8..12, text(), prop::option::weighted(0.3, text()))),
        timestamp(),
    )
        .prop_map(|(role, content, calls, result, timestamp)| GenMessage {
            role,
            content,
            calls,
            result,
            timestamp,
        })
}

fn entry() -> impl Strategy<Value = GenEntry> {
    (
        0u8..12,
        0usize..40,
        tool_name(),
        arguments(),
        prop::option::weighted(0.6, text()),
        prop::option::weighted(0.3, text()),
        prop::option::of(any::<i64>()),
    )
        .prop_map(
            |(id, turn, name, arguments, result, error, latency)| GenEntry {
                id,
                turn,
                name,
                arguments,
                result,
                error,
                latency,
            },
        )
}

#[derive(Debug, Clone)]
struct GenSession {
    messages: Vec<GenMessage>,
    entries: Vec<GenEntry>,
    handoffs: Vec<(String, bool, String)>,
    repeat: usize,
    outcome: Option<KnowledgeGapAnalysisOutcome>,
    persona: Option<String>,
}

fn session() -> impl Strategy<Value = GenSession> {
    (
        prop::collection::vec(message(), 0..24),
        prop::collection::vec(entry(), 0..8),
        prop::collection::vec((timestamp(), any::<bool>(), text()), 0..3),
        // Now and then a huge session: the same messages many times over.
        prop_oneof![12 => Just(1usize), 1 => 40..250usize],
        prop::option::of(prop::sample::select(vec![
            KnowledgeGapAnalysisOutcome::Resolved,
            KnowledgeGapAnalysisOutcome::Escalated,
            KnowledgeGapAnalysisOutcome::CallFailed,
            KnowledgeGapAnalysisOutcome::Transferred,
        ])),
        prop::option::of("[0-9a-fA-F-]{0,36}"),
    )
        .prop_map(
            |(messages, entries, handoffs, repeat, outcome, persona)| GenSession {
                messages,
                entries,
                handoffs,
                repeat,
                outcome,
                persona,
            },
        )
}

fn build(generated: &GenSession) -> CapturedSession {
    let turn = |rep: usize, i: usize| Uuid::from_u128(((rep as u128) << 32) | i as u128);
    let call_id = |rep: usize, id: u8| {
        if id == 0 {
            String::new()
        } else {
            format!("call_{rep}_{id}")
        }
    };
    let mut messages = Vec::new();
    let mut tool_calls = Vec::new();
    for rep in 0..generated.repeat {
        for (i, m) in generated.messages.iter().enumerate() {
            let calls: Vec<ToolCall> = m
                .calls
                .iter()
                .map(|(id, name, arguments)| ToolCall {
                    id: call_id(rep, *id),
                    kind: "function".into(),
                    function: ToolCallFunction {
                        name: name.clone(),
                        arguments: arguments.clone(),
                    },
                })
                .collect();
            messages.push(MessageEntry {
                turn_id: turn(rep, i),
                role: m.role.clone(),
                timestamp: m.timestamp.clone(),
                content: m.content.clone(),
                tool_calls: (!calls.is_empty()).then_some(calls),
                tool_results: m.result.as_ref().map(|(id, output, error)| ToolResult {
                    tool_call_id: call_id(rep, *id),
                    output: output.clone(),
                    error: error.clone(),
                }),
                model_used: None,
                latency_ms: None,
                truncated: false,
                original_char_count: None,
            });
        }
        for e in &generated.entries {
            tool_calls.push(ToolCallEntry {
                tool_call_id: call_id(rep, e.id),
                assistant_turn_id: turn(rep, e.turn),
                name: e.name.clone(),
                arguments: e.arguments.clone(),
                arguments_parsed: serde_json::from_str(&e.arguments).ok(),
                result: e.result.clone(),
                error: e.error.clone(),
                latency_ms: e.latency,
            });
        }
    }
    let handoff_events = generated
        .handoffs
        .iter()
        .enumerate()
        .map(|(i, (timestamp, to, reason))| HandoffEvent {
            timestamp: timestamp.clone(),
            transferred_to_agent_id: to.then(|| Uuid::from_u128(0xb0b + i as u128)),
            reason: Some(reason.clone()),
        })
        .collect();
    CapturedSession {
        input: SessionAnalysisInput {
            analyzer_input_schema_version: 2,
            session_id: Uuid::from_u128(1),
            organization_id: Uuid::from_u128(2),
            agent_id: Nullable(Some(Uuid::from_u128(3))),
            channel: "voice".into(),
            started_at: "2026-11-20T00:00:00Z".into(),
            ended_at: Nullable(Some("2026-11-20T23:59:00Z".into())),
            completion_reason: Nullable(None),
            knowledge_gap_analysis_outcome: Nullable(generated.outcome),
            messages,
            rag_traces: Vec::new(),
            citations: Vec::new(),
            tool_calls,
            handoff_events,
            kb_snapshot: None,
            user_feedback: None,
            csat: None,
            reopen: None,
            customer_metadata: None,
            missing_evidence_reasons: Vec::new(),
        },
        attribution: SessionAttribution {
            agent_name: None,
            persona_id: generated.persona.clone(),
            persona_name: None,
        },
    }
}

fn is_customer(role: &str) -> bool {
    matches!(
        role.trim().to_ascii_lowercase().as_str(),
        "user" | "customer" | "human" | "caller" | "end_user"
    )
}

proptest! {
    // 96 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(96)
    ))]

    #[test]
    fn drafts_keep_the_limits_and_are_deterministic(generated in session(), pii in prop_oneof![Just(Pii::Placeholders), Just(Pii::Surrogates), Just(Pii::Keep)]) {
        let captured = build(&generated);
        let options = DraftOptions { pii };
        let result = draft(&captured, &options);
        let messages = &captured.input.messages;
        if messages.is_empty() {
            prop_assert_eq!(result, Err(DraftError::NoMessages));
            return Ok(());
        }
        if !messages.iter().any(|m| is_customer(&m.role) && !m.content.trim().is_empty()) {
            prop_assert_eq!(result, Err(DraftError::NoCustomerTurn));
            return Ok(());
        }
        let drafted = result.expect("a session with a customer turn is draftable");
        assert_within_limits(&drafted);
        let again = draft(&captured.clone(), &options).expect("draftable again");
        prop_assert_eq!(
            serde_json::to_string(&drafted).expect("serialises"),
            serde_json::to_string(&again).expect("serialises")
        );
        // Every recorded call reaches the mock world under its name.
        let tools = drafted.mock_world["tools"].as_object().expect("tools");
        for entry in &captured.input.tool_calls {
            let name = if entry.name.trim().is_empty() { "unknown_tool" } else { entry.name.as_str() };
            prop_assert!(tools.contains_key(name), "{} missing from {:?}", name, tools.keys().collect::<Vec<_>>());
        }
        let recorded: usize = tools.values().map(|calls| calls.as_array().map_or(0, Vec::len)).sum();
        let mut ids: Vec<&str> =
            captured.input.tool_calls.iter().map(|e| e.tool_call_id.as_str()).filter(|id| !id.is_empty()).collect();
        ids.sort_unstable();
        ids.dedup();
        prop_assert!(recorded >= ids.len(), "{} calls in the mock world, {} distinct ids recorded", recorded, ids.len());
    }

    #[test]
    fn redacted_text_holds_nothing_left_to_find(parts in prop::collection::vec(text(), 0..8)) {
        let input = parts.join(" ");
        let mut redactor = Redactor::new();
        let redacted = redactor.text(&input);
        prop_assert_eq!(find(&redacted), vec![]);
        prop_assert_eq!(redactor.text(&redacted), redacted.clone(), "redaction is idempotent");
    }
}
