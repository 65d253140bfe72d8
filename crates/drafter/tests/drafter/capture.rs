//! Reading captures: both formats, the attribution keys, the envelope's conversion and
//! the pydantic-style errors.

use feather_drafter::capture::{CaptureFormat, parse_value};
use feather_types::LocItem;
use feather_types::session::{KnowledgeGapAnalysisOutcome, MissingEvidenceReason};
use serde_json::{Value, json};

use crate::support::example_value;

fn loc(items: &[LocItem]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item {
            LocItem::Key(key) => key.clone(),
            LocItem::Index(index) => index.to_string(),
        })
        .collect()
}

#[test]
fn a_feather_capture_takes_its_attribution_from_extra_keys() {
    let mut value = example_value("refund-voice.analysis-input.json");
    value["agent_name"] = json!("Ava (returns)");
    value["persona_id"] = json!("BBD1D87CF3B05683836B8876A3A99E17");
    value["persona_name"] = json!("Impatient caller");
    let captured = parse_value(value).expect("a valid capture");
    assert_eq!(
        captured.attribution.agent_name.as_deref(),
        Some("Ava (returns)")
    );
    assert_eq!(
        captured.attribution.persona_id.as_deref(),
        Some("bbd1d87c-f3b0-5683-836b-8876a3a99e17")
    );
    assert_eq!(
        captured.attribution.persona_name.as_deref(),
        Some("Impatient caller")
    );
    assert_eq!(captured.input.messages.len(), 16);
}

#[test]
fn a_bad_feather_capture_is_explained_like_pydantic() {
    let mut value = example_value("dispute-sms.analysis-input.json");
    value
        .as_object_mut()
        .expect("an object")
        .remove("organization_id");
    value["messages"][0]["turn_id"] = json!("not-a-uuid");
    value["persona_id"] = json!("abc");
    let error = parse_value(value).expect_err("an invalid capture");
    assert_eq!(error.format(), CaptureFormat::SessionAnalysisInput);
    let details: Vec<(Vec<String>, &str)> = error
        .details()
        .iter()
        .map(|d| (loc(&d.loc), d.error_type.as_str()))
        .collect();
    assert!(
        details.contains(&(vec!["persona_id".to_owned()], "uuid_parsing")),
        "{details:?}"
    );
    assert!(
        details.contains(&(vec!["organization_id".to_owned()], "missing")),
        "{details:?}"
    );
    assert!(
        details.contains(&(
            vec!["messages".to_owned(), "0".to_owned(), "turn_id".to_owned()],
            "uuid_parsing"
        )),
        "{details:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("it looks closest to a Feather SessionAnalysisInput, with 3 problems:"),
        "{message}"
    );
    assert_eq!(message.lines().filter(|l| l.starts_with("  - ")).count(), 3);
}

#[test]
fn something_that_is_not_an_object_is_refused() {
    let error = parse_value(json!([1, 2, 3])).expect_err("a list is not a capture");
    assert_eq!(error.details().len(), 1);
    assert_eq!(error.details()[0].error_type, "model_attributes_type");
}

#[test]
fn the_chat_envelope_converts_to_a_session() {
    let captured =
        parse_value(example_value("reschedule-chat.openai.json")).expect("a valid envelope");
    let input = &captured.input;
    assert_eq!(
        input.session_id.to_string(),
        "a8e84864-6367-51dc-b8a2-1d304abae51f"
    );
    assert_eq!(
        input.agent_id.as_ref().map(|id| id.to_string()).as_deref(),
        Some("8802d27f-bc21-51b7-be61-fbf6bf8bbaa3")
    );
    assert_eq!(
        input.knowledge_gap_analysis_outcome.as_ref(),
        Some(&KnowledgeGapAnalysisOutcome::Resolved)
    );
    assert_eq!(input.messages.len(), 15);
    assert_eq!(input.messages[0].timestamp, "2026-11-21T09:00:00Z");
    assert_eq!(input.messages[14].timestamp, "2026-11-21T09:03:10Z");
    let times: Vec<&str> = input
        .messages
        .iter()
        .map(|m| m.timestamp.as_str())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "timestamps increase: {times:?}"
    );
    let mut ids: Vec<_> = input.messages.iter().map(|m| m.turn_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 15, "turn ids are unique");

    assert_eq!(input.tool_calls.len(), 4);
    let taken = &input.tool_calls[2];
    assert_eq!(
        (
            taken.name.as_str(),
            taken.error.as_deref(),
            taken.result.as_deref()
        ),
        ("reschedule", Some("slot_taken"), None)
    );
    assert_eq!(
        input.tool_calls[3].result.as_deref(),
        Some("{\"status\":\"rescheduled\",\"when\":\"2026-12-03T10:30:00\"}")
    );
    assert_eq!(
        input.tool_calls[0].assistant_turn_id,
        input.messages[2].turn_id
    );
    assert_eq!(
        input.tool_calls[0].arguments_parsed,
        Some(json!({"patient_name": "Leo Park"}))
    );
    let result = input.messages[9]
        .tool_results
        .as_ref()
        .expect("the tool message carries its result");
    assert_eq!(
        (result.tool_call_id.as_str(), result.error.as_deref()),
        ("call_3", Some("slot_taken"))
    );
    for reason in [
        MissingEvidenceReason::NoCsat,
        MissingEvidenceReason::TranscriptRedactionSkipped,
    ] {
        assert!(
            input.missing_evidence_reasons.contains(&reason),
            "{reason:?}"
        );
    }
    assert!(
        !input
            .missing_evidence_reasons
            .contains(&MissingEvidenceReason::NoToolTrace)
    );
    assert_eq!(
        captured.attribution.persona_name.as_deref(),
        Some("Busy parent, short answers")
    );
    assert_eq!(
        captured.attribution.persona_id.as_deref(),
        Some("bbd1d87c-f3b0-5683-836b-8876a3a99e17")
    );
}

#[test]
fn the_conversion_is_deterministic_and_a_valid_feather_capture() {
    let first =
        parse_value(example_value("reschedule-chat.openai.json")).expect("a valid envelope");
    let second =
        parse_value(example_value("reschedule-chat.openai.json")).expect("a valid envelope");
    assert_eq!(first, second);
    // The converted session, stored and read back as a Feather capture, is the same.
    let stored = serde_json::to_value(&first.input).expect("serialises");
    let reread =
        parse_value(stored).expect("the converted session validates as SessionAnalysisInput");
    assert_eq!(reread.input, first.input);
}

fn envelope(messages: Value) -> Value {
    json!({
        "id": "chatcmpl-9xYz",
        "organization_id": "5089f4bc-8601-5899-8283-2b9a5d462041",
        "started_at": "2026-11-21T09:00:00Z",
        "outcome": "success",
        "messages": messages,
    })
}

#[test]
fn the_envelope_accepts_common_variations() {
    let value = envelope(json!([
        {"role": "user", "content": [{"type": "text", "text": "cancel my plan"}, {"type": "text", "text": "today"}]},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "cancel_plan", "arguments": {"plan_id": "P-7"}}}
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": "{\"error\": {\"code\": 409, \"message\": \"already cancelled\"}}"},
        {"role": "tool", "content": "stray output"},
    ]));
    let captured = parse_value(value.clone()).expect("a valid envelope");
    let input = &captured.input;
    assert_eq!(input.channel, "chat");
    assert_eq!(
        parse_value(value).expect("valid").input.session_id,
        input.session_id,
        "a stable id from a non-UUID id"
    );
    assert_eq!(input.session_id.get_version_num(), 5);
    assert_eq!(input.messages[0].content, "cancel my plan\ntoday");
    assert_eq!(
        input.messages[0].timestamp, "2026-11-21T09:00:00Z",
        "no ended_at: every message at started_at"
    );
    assert_eq!(input.tool_calls[0].arguments, "{\"plan_id\":\"P-7\"}");
    assert_eq!(
        input.tool_calls[0].error.as_deref(),
        Some("{\"code\":409,\"message\":\"already cancelled\"}")
    );
    assert_eq!(
        input.knowledge_gap_analysis_outcome.as_ref(),
        Some(&KnowledgeGapAnalysisOutcome::Resolved)
    );
    assert!(input.messages[3].tool_results.is_none());
}

#[test]
fn an_unknown_outcome_is_kept_as_the_completion_reason() {
    let mut value = envelope(json!([{"role": "user", "content": "hello?"}]));
    value["outcome"] = json!("customer_went_quiet");
    let input = parse_value(value).expect("a valid envelope").input;
    assert_eq!(input.knowledge_gap_analysis_outcome.as_ref(), None);
    assert_eq!(
        input.completion_reason.as_ref().map(String::as_str),
        Some("customer_went_quiet")
    );
    assert!(
        input
            .missing_evidence_reasons
            .contains(&MissingEvidenceReason::NoToolTrace)
    );
}

#[test]
fn a_bad_envelope_is_explained_like_pydantic() {
    let mut value = envelope(json!([{"role": "user"}, {"content": "no role"}]));
    value
        .as_object_mut()
        .expect("an object")
        .remove("organization_id");
    value["started_at"] = json!("yesterday");
    let error = parse_value(value).expect_err("an invalid envelope");
    assert_eq!(error.format(), CaptureFormat::ChatTranscript);
    let details: Vec<(Vec<String>, &str)> = error
        .details()
        .iter()
        .map(|d| (loc(&d.loc), d.error_type.as_str()))
        .collect();
    assert!(
        !details.iter().any(|(loc, _)| loc == &["organization_id"]),
        "organization_id is optional: {details:?}"
    );
    assert!(
        details.contains(&(vec!["started_at".to_owned()], "datetime_from_date_parsing")),
        "{details:?}"
    );
    assert!(
        details.contains(&(
            vec!["messages".to_owned(), "1".to_owned(), "role".to_owned()],
            "missing"
        )),
        "{details:?}"
    );
    assert!(
        error.to_string().contains("it looks closest to a chat log"),
        "{error}"
    );
}

#[test]
fn a_bare_array_of_chat_messages_is_a_chat_log_with_a_stable_derived_id() {
    let messages = json!([
        {"role": "user", "content": "Where is order 88412?"},
        {"role": "assistant", "content": "It ships today."}
    ]);
    let first = parse_value(messages.clone()).expect("a bare chat log");
    let again = parse_value(messages).expect("a bare chat log");
    assert_eq!(first.input.session_id, again.input.session_id);
    assert_eq!(first.input.session_id.get_version_num(), 5);
    assert!(first.input.organization_id.is_nil());
    assert_eq!(
        first.input.started_at,
        feather_drafter::capture::UNKNOWN_TIME
    );
    let draft = crate::support::drafted(&first, true);
    let brief = draft.source_brief.unwrap_or_default();
    assert!(brief.contains("The log records no times."), "{brief}");
    assert!(!brief.contains(" over "), "{brief}");
}

#[test]
fn a_messages_object_without_id_organization_or_times_is_accepted() {
    let log = json!({"messages": [{"role": "user", "content": "hi, refund order 88412"}], "persona": null, "started_at": null, "metadata": {"source": "x"}});
    let captured = parse_value(log.clone()).expect("a chat log");
    let other = parse_value(json!({"messages": [{"role": "user", "content": "something else"}]}))
        .expect("a chat log");
    assert_ne!(captured.input.session_id, other.input.session_id);
    assert_eq!(captured.input.messages.len(), 1);
    // Message times stand in for a missing `started_at`.
    let timed = parse_value(json!({"messages": [
        {"role": "user", "content": "hi", "timestamp": "2026-01-02T03:04:05Z"}]}))
    .expect("a chat log");
    assert_eq!(timed.input.started_at, "2026-01-02T03:04:05Z");
}

#[test]
fn input_in_neither_format_lists_every_problem_and_the_closest_format() {
    let error = parse_value(
        json!({"messages": [{"content": 1}, {"role": 5}, {}], "started_at": "not a time"}),
    )
    .expect_err("not a session");
    assert_eq!(error.format(), CaptureFormat::ChatTranscript);
    let message = error.to_string();
    assert!(message.contains("looks closest to a chat log"), "{message}");
    assert!(message.contains("messages.0.role"), "{message}");
    assert!(message.contains("messages.1.role"), "{message}");
    assert!(message.contains("messages.2.role"), "{message}");
    assert!(message.contains("started_at"), "{message}");
    assert!(!message.contains("more problem"), "{message}");
    assert!(
        message.contains("README.md#session-file-formats"),
        "{message}"
    );
    let count = message.lines().filter(|l| l.starts_with("  - ")).count();
    assert_eq!(count, error.details().len());
}
