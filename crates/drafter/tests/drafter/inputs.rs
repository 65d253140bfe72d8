//! Awkward inputs: sessions that cannot be drafted, partial tool records, odd roles,
//! non-Latin text, extreme latencies, handoffs and very long sessions.

use feather_drafter::{DraftError, DraftOptions, SessionAttribution, draft};
use feather_types::session::{HandoffEvent, ToolResult};
use serde_json::json;
use uuid::Uuid;

use crate::support::{
    assert_within_limits, call_entry, drafted, inline_call, message, session, tool_calls_of,
};

#[test]
fn a_session_without_messages_cannot_be_drafted() {
    let error =
        draft(&session(vec![], vec![]), &DraftOptions::default()).expect_err("nothing to draft");
    assert_eq!(error, DraftError::NoMessages);
    assert!(
        error.to_string().starts_with("The session has no messages"),
        "{error}"
    );
}

#[test]
fn a_session_without_customer_text_cannot_be_drafted() {
    let messages = vec![
        message(0, "assistant", "Hello, how can I help?"),
        message(1, "user", "  \n "),
        message(2, "system", "x"),
    ];
    let error =
        draft(&session(messages, vec![]), &DraftOptions::default()).expect_err("no customer");
    assert_eq!(error, DraftError::NoCustomerTurn);
    assert!(error.to_string().contains("no customer turn"), "{error}");
    assert!(error.to_string().ends_with('.'));
}

#[test]
fn greetings_and_openers_never_become_the_intent() {
    let messages = vec![
        message(
            0,
            "assistant",
            "Hi! Welcome to Acme support, how can I help?",
        ),
        message(1, "user", "hello?"),
        message(2, "user", "ok"),
    ];
    let draft = drafted(&session(messages, vec![]), true);
    assert_within_limits(&draft);
    assert!(
        !draft.intent.to_lowercase().contains("hello"),
        "{}",
        draft.intent
    );
    assert!(!draft.intent.contains("Welcome"), "{}", draft.intent);
    assert!(
        !draft.name.to_lowercase().starts_with("hello"),
        "{}",
        draft.name
    );
    assert!(
        draft.journey.contains("Customer: \"hello?\""),
        "the journey still shows it: {}",
        draft.journey
    );
}

#[test]
fn partial_tool_records_all_reach_the_mock_world() {
    let mut ask = message(1, "assistant", "");
    ask.tool_calls = Some(vec![
        inline_call("c-inline", "check_stock", "{\"sku\": \"VX-5200\"}"),
        inline_call("c-both", "get_order", "{\"order_id\": \"88412\"}"),
        inline_call("c-pending", "notify_warehouse", "ship it now"),
    ]);
    let mut stock = message(2, "tool", "");
    stock.tool_results = Some(ToolResult {
        tool_call_id: "c-inline".into(),
        output: "{\"in_stock\": 3}".into(),
        error: None,
    });
    let mut orphan = message(3, "tool", "");
    orphan.tool_results = Some(ToolResult {
        tool_call_id: "c-ghost".into(),
        output: "orphan output".into(),
        error: None,
    });
    let bare = message(4, "tool", "{\"error\": \"rate_limited\"}");
    let messages = vec![
        message(0, "user", "Is my blender in stock?"),
        ask,
        stock,
        orphan,
        bare,
    ];
    let calls = vec![call_entry(
        "c-both",
        1,
        "get_order",
        "{\"order_id\": \"88412\"}",
        Some("{\"status\": \"shipped\"}"),
        None,
        Some(80),
    )];
    let draft = drafted(&session(messages, calls), true);
    assert_within_limits(&draft);

    assert_eq!(
        tool_calls_of(&draft, "get_order").len(),
        1,
        "a call recorded twice appears once"
    );
    assert_eq!(tool_calls_of(&draft, "get_order")[0]["delay_ms"], 80);
    assert_eq!(
        tool_calls_of(&draft, "check_stock")[0]["output"],
        json!({"in_stock": 3})
    );
    let pending = &tool_calls_of(&draft, "notify_warehouse")[0];
    assert_eq!(
        pending["arguments"], "ship it now",
        "arguments that are not JSON stay text"
    );
    assert!(
        pending.get("output").is_some_and(|o| o.is_null()),
        "no result: output null"
    );
    let unknown = tool_calls_of(&draft, "unknown_tool");
    assert_eq!(
        unknown.len(),
        2,
        "results without calls appear: {unknown:?}"
    );
    assert_eq!(unknown[0]["output"], "orphan output");
    assert_eq!(unknown[1]["error"], "rate_limited");
    assert!(
        draft.journey.contains("no result was recorded"),
        "{}",
        draft.journey
    );
    assert!(
        draft.journey.contains("call not recorded"),
        "{}",
        draft.journey
    );
}

#[test]
fn latencies_are_clamped_to_what_a_canned_response_accepts() {
    let calls = vec![
        call_entry("a", 0, "slow_tool", "{}", Some("1"), None, Some(125_000)),
        call_entry("b", 0, "slow_tool", "{}", Some("2"), None, Some(-40)),
        call_entry("c", 0, "slow_tool", "{}", Some("3"), Some(""), None),
    ];
    let draft = drafted(
        &session(vec![message(0, "user", "status please")], calls),
        true,
    );
    let delays: Vec<_> = tool_calls_of(&draft, "slow_tool")
        .iter()
        .map(|c| c["delay_ms"].clone())
        .collect();
    assert_eq!(delays, [json!(60_000), json!(0), json!(0)]);
    assert_eq!(
        tool_calls_of(&draft, "slow_tool")[2]["output"],
        3,
        "an empty error is no error"
    );
}

#[test]
fn odd_roles_and_scripts_survive() {
    let messages = vec![
        message(0, "system_event", "call_transferred_from_ivr"),
        message(1, "user", "مرحبا، أريد استرداد ثمن الطلب 88412 🙏"),
        message(2, "user", "我想退货，订单号是 88412。"),
        message(3, "user", "👩‍👩‍👧 family plan, please 🎉"),
    ];
    let draft = drafted(&session(messages, vec![]), true);
    assert_within_limits(&draft);
    assert!(
        draft
            .journey
            .contains("Event (system_event): call_transferred_from_ivr"),
        "{}",
        draft.journey
    );
    assert!(
        draft
            .intent
            .contains("مرحبا، أريد استرداد ثمن الطلب 88412 🙏"),
        "{}",
        draft.intent
    );
    assert!(draft.intent.contains("我想退货"), "{}", draft.intent);
    assert!(
        draft.journey.contains("👩‍👩‍👧 family plan"),
        "{}",
        draft.journey
    );
}

#[test]
fn long_texts_are_shortened_by_characters_not_bytes() {
    let long = "退款".repeat(400);
    let draft = drafted(&session(vec![message(0, "user", &long)], vec![]), true);
    assert_within_limits(&draft);
    assert!(draft.intent.ends_with("…\"."), "{}", draft.intent);
    assert_eq!(draft.intent.chars().count(), 500);
    assert!(draft.name.chars().count() <= 80, "{}", draft.name);
}

#[test]
fn handoffs_add_agents_and_markers() {
    let other = Uuid::from_u128(0xb0b);
    let mut session = session(
        vec![
            message(0, "user", "I need a human"),
            message(5, "assistant", "Transferring you."),
        ],
        vec![],
    );
    let handoff = |t: &str, to| HandoffEvent {
        timestamp: t.into(),
        transferred_to_agent_id: to,
        reason: Some("customer_request".into()),
    };
    session.input.handoff_events = vec![
        handoff("2026-11-20T15:00:02Z", Some(other)),
        handoff("2026-11-20T15:00:09Z", Some(other)),
        handoff("garbage", None),
    ];
    session.input.agent_id = feather_types::session::Nullable(Some(Uuid::from_u128(0xa6e)));
    let draft = drafted(&session, true);
    assert_eq!(draft.agent_ids, [Uuid::from_u128(0xa6e), other]);
    assert!(draft.tags.contains(&"handoff".to_owned()));
    let lines: Vec<&str> = draft.journey.lines().collect();
    assert!(
        lines[1].contains(&format!("Handoff to agent {other}")),
        "placed by time: {lines:?}"
    );
    assert!(lines[3].contains("Handoff to agent"), "{lines:?}");
    assert!(
        lines[4].contains("Handoff to a human agent"),
        "unparsable time goes last: {lines:?}"
    );
}

#[test]
fn attribution_fills_the_source_fields() {
    let mut session = session(vec![message(0, "user", "where is my parcel")], vec![]);
    session.attribution = SessionAttribution {
        agent_name: Some("Courier bot".into()),
        persona_id: Some("not-a-uuid".into()),
        persona_name: Some("Worried shopper".into()),
    };
    let draft = drafted(&session, true);
    assert_eq!(draft.source_agent_name.as_deref(), Some("Courier bot"));
    assert_eq!(
        draft.source_persona_id, None,
        "an invalid persona id becomes null"
    );
    assert_eq!(
        draft.source_persona_name.as_deref(),
        Some("Worried shopper")
    );
    assert_eq!(draft.source_agent_id, Some(Uuid::from_u128(0xa6e)));
    assert!(draft.tags.contains(&"simulation".to_owned()));
}

#[test]
// Speed is the criterion benchmark's to measure (`benches/draft.rs`, linear in
// session length); this test checks what a very long session's draft holds.
fn a_ten_thousand_turn_session_is_compacted() {
    let mut messages = Vec::new();
    let mut calls = Vec::new();
    for i in 0..10_000u128 {
        match i % 4 {
            0 => messages.push(message(
                i,
                "user",
                &format!("question {i} about order {}", 10_000 + i),
            )),
            1 => {
                let mut m = message(i, "assistant", "");
                m.tool_calls = Some(vec![inline_call(
                    &format!("c{i}"),
                    "get_order",
                    &format!("{{\"order_id\": {i}}}"),
                )]);
                messages.push(m);
                calls.push(call_entry(
                    &format!("c{i}"),
                    i,
                    "get_order",
                    &format!("{{\"order_id\": {i}}}"),
                    Some("{\"ok\": true}"),
                    None,
                    Some(5),
                ));
            }
            2 => messages.push(message(i, "assistant", "Let me check that for you.")),
            _ => messages.push(message(i, "user", "ok")),
        }
    }
    let session = session(messages, calls);
    let draft = drafted(&session, true);
    assert_within_limits(&draft);
    assert_eq!(tool_calls_of(&draft, "get_order").len(), 2500);
    assert!(draft.journey.contains("left out"), "compacted");
    assert!(
        draft
            .journey
            .lines()
            .last()
            .is_some_and(|l| l.contains("Outcome: resolved"))
    );
    assert!(draft.journey.starts_with("1. Customer: \"question 0"));
}

#[test]
fn repeated_steps_are_merged() {
    let messages: Vec<_> = (0..6)
        .map(|i| message(i, "user", "hello??"))
        .chain([message(6, "user", "refund please")])
        .collect();
    let draft = drafted(&session(messages, vec![]), true);
    assert!(
        draft.journey.starts_with(
            "1. Customer: \"hello??\" (repeated 6 times)\n2. Customer: \"refund please\""
        ),
        "{}",
        draft.journey
    );
}

#[test]
fn the_same_session_gives_the_same_bytes() {
    let session = crate::support::example("refund-voice.analysis-input.json");
    let first = serde_json::to_string(&drafted(&session, true)).expect("serialises");
    let second = serde_json::to_string(&drafted(&session.clone(), true)).expect("serialises");
    assert_eq!(first, second);
}

#[test]
fn redaction_can_be_turned_off() {
    let session = crate::support::example("refund-voice.analysis-input.json");
    let draft = drafted(&session, false);
    assert!(draft.journey.contains("415-555-0134"));
    assert_eq!(
        tool_calls_of(&draft, "lookup_customer")[0]["arguments"]["phone"],
        "+14155550134"
    );
    assert!(
        draft
            .source_brief
            .as_deref()
            .is_some_and(|b| b.contains("PII redaction was off"))
    );
}

#[test]
fn generated_sessions_of_every_size_draft_within_limits() {
    for turns in [1, 20, 200, 2000] {
        let session = crate::sessions::realistic(turns);
        let draft = drafted(&session, true);
        assert_within_limits(&draft);
        let calls: usize = draft.mock_world["tools"]
            .as_object()
            .expect("tools")
            .values()
            .map(|c| c.as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(calls, session.input.tool_calls.len(), "{turns} turns");
        assert!(
            !draft.journey.contains("415-555-"),
            "phone numbers are redacted"
        );
    }
}

#[test]
fn a_call_filed_under_an_unknown_turn_is_placed_where_the_transcript_shows_it() {
    let mut ask = message(1, "assistant", "");
    ask.tool_calls = Some(vec![inline_call(
        "c9",
        "get_order",
        "{\"order_id\": \"88412\"}",
    )]);
    let messages = vec![
        message(0, "user", "where is order 88412?"),
        ask,
        message(2, "assistant", "It shipped."),
    ];
    let calls = vec![call_entry(
        "c9",
        999,
        "get_order",
        "{\"order_id\": \"88412\"}",
        Some("{\"status\": \"shipped\"}"),
        None,
        None,
    )];
    let draft = drafted(&session(messages, calls), true);
    let lines: Vec<&str> = draft.journey.lines().collect();
    assert!(
        lines[1].starts_with("2. Agent calls get_order(order_id=\"88412\")"),
        "{lines:?}"
    );
    assert_eq!(
        draft.journey.matches("get_order").count(),
        1,
        "{}",
        draft.journey
    );
}

#[test]
fn a_huge_tool_output_full_of_personal_data_is_redacted_quickly() {
    let output: Vec<String> = (0..20_000)
        .map(|i| format!("+1 415 555 {:04} ", i % 10_000))
        .collect();
    let mut ask = message(1, "assistant", "");
    ask.tool_calls = Some(vec![inline_call("c1", "export_contacts", "{}")]);
    let mut result = message(2, "tool", "");
    result.tool_results = Some(ToolResult {
        tool_call_id: "c1".into(),
        output: output.concat(),
        error: None,
    });
    let session = session(
        vec![message(0, "user", "export my contacts"), ask, result],
        vec![],
    );
    let draft = drafted(&session, true);
    let exported = tool_calls_of(&draft, "export_contacts")[0]["output"]
        .as_str()
        .expect("text output")
        .to_owned();
    assert!(
        exported.starts_with("<PHONE_1> <PHONE_2> "),
        "{}",
        &exported[..40]
    );
    assert!(
        exported.contains("<PHONE_10000>") && !exported.contains("<PHONE_10001>"),
        "one placeholder per number"
    );
}
