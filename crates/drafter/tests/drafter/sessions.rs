//! A deterministic generator of realistic sessions of any length, shared by the tests
//! and the benchmark (which includes this file with `#[path]`).

use feather_drafter::{CapturedSession, SessionAttribution};
use feather_types::SessionAnalysisInput;
use feather_types::session::{
    KnowledgeGapAnalysisOutcome, MessageEntry, Nullable, ToolCall, ToolCallEntry, ToolCallFunction,
    ToolResult,
};
use uuid::Uuid;

const REQUESTS: &[&str] = &[
    "Hi, my blender arrived with a cracked jar, order {n}. Call me on 415-555-{p} if needed.",
    "I was charged twice for invoice INV-{n}, my email is dana{p}@example.com",
    "can I move my appointment A-{n} to next tuesday morning?",
    "ok",
    "Yes please.",
    "我想退货，订单号 {n}。",
    "مرحبا، أريد استرداد ثمن الطلب {n} 🙏",
];

const REPLIES: &[&str] = &[
    "Let me look that up for you.",
    "I found order {n}. It was delivered on 2026-11-14. Shall I refund $449.95?",
    "Done. Your confirmation code is R-{n}.",
];

const TOOLS: &[(&str, &str, &str)] = &[
    (
        "get_order",
        "{\"order_id\": \"{n}\"}",
        "{\"order_id\": \"{n}\", \"status\": \"delivered\", \"price\": 449.95}",
    ),
    (
        "create_refund",
        "{\"order_id\": \"{n}\", \"reason\": \"damaged_on_arrival\"}",
        "{\"refund_id\": \"R-{n}\", \"status\": \"approved\"}",
    ),
    (
        "lookup_customer",
        "{\"phone\": \"+1415555{p}\"}",
        "{\"customer_id\": \"C-{n}\", \"email\": \"dana{p}@example.com\"}",
    ),
    (
        "reschedule",
        "{\"appointment_id\": \"A-{n}\", \"slot\": \"2026-12-03T10:30:00\"}",
        "{\"error\": \"slot_taken\"}",
    ),
];

fn fill(template: &str, i: usize) -> String {
    template
        .replace("{n}", &(10_000 + i * 7 % 90_000).to_string())
        .replace("{p}", &format!("{:04}", i % 10_000))
}

/// A session of `turns` messages: customer requests, agent replies, tool calls with
/// their results (some of them errors), with PII sprinkled in.
pub fn realistic(turns: usize) -> CapturedSession {
    let session_id = Uuid::from_u128(0x5e55_0000 + turns as u128);
    let mut messages = Vec::with_capacity(turns);
    let mut tool_calls = Vec::new();
    let mut i: usize = 0;
    while messages.len() < turns {
        let turn_id = Uuid::new_v5(&session_id, &i.to_le_bytes());
        let timestamp = format!(
            "2026-11-20T{:02}:{:02}:{:02}Z",
            10 + i / 3600 % 12,
            i / 60 % 60,
            i % 60
        );
        let mut message = MessageEntry {
            turn_id,
            role: String::new(),
            timestamp,
            content: String::new(),
            tool_calls: None,
            tool_results: None,
            model_used: None,
            latency_ms: Some(400),
            truncated: false,
            original_char_count: None,
        };
        match i % 5 {
            0 => {
                message.role = "user".into();
                message.content = fill(REQUESTS[i / 5 % REQUESTS.len()], i);
            }
            1 => {
                let (name, arguments, result) = TOOLS[i / 5 % TOOLS.len()];
                let id = format!("call_{i}");
                let arguments = fill(arguments, i);
                message.role = "assistant".into();
                message.tool_calls = Some(vec![ToolCall {
                    id: id.clone(),
                    kind: "function".into(),
                    function: ToolCallFunction {
                        name: name.into(),
                        arguments: arguments.clone(),
                    },
                }]);
                let result = fill(result, i);
                let error = result
                    .contains("\"error\"")
                    .then(|| "slot_taken".to_owned());
                tool_calls.push(ToolCallEntry {
                    tool_call_id: id,
                    assistant_turn_id: turn_id,
                    name: name.into(),
                    arguments_parsed: serde_json::from_str(&arguments).ok(),
                    arguments,
                    result: error.is_none().then_some(result),
                    error,
                    latency_ms: Some((i as i64 * 37) % 900),
                });
            }
            2 => {
                message.role = "tool".into();
                let entry = tool_calls.last().expect("a call was made");
                message.content = entry.result.clone().unwrap_or_default();
                message.tool_results = Some(ToolResult {
                    tool_call_id: entry.tool_call_id.clone(),
                    output: message.content.clone(),
                    error: entry.error.clone(),
                });
            }
            _ => {
                message.role = "assistant".into();
                message.content = fill(REPLIES[i / 5 % REPLIES.len()], i);
            }
        }
        messages.push(message);
        i += 1;
    }
    CapturedSession {
        input: SessionAnalysisInput {
            analyzer_input_schema_version: 2,
            session_id,
            organization_id: Uuid::from_u128(0x0e6),
            agent_id: Nullable(Some(Uuid::from_u128(0xa6e))),
            channel: "voice".into(),
            started_at: "2026-11-20T10:00:00Z".into(),
            ended_at: Nullable(Some("2026-11-20T22:00:00Z".into())),
            completion_reason: Nullable(Some("customer_ended_call".into())),
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
        attribution: SessionAttribution::default(),
    }
}
