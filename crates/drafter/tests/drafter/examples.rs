//! The example sessions: golden drafts compared byte for byte, and a replay of every
//! recorded tool call against the draft's mock world, with and without redaction.

use std::collections::HashMap;
use std::sync::LazyLock;

use feather_drafter::world::{self, Replay};
use feather_drafter::{DraftOptions, Pii, draft};
use feather_types::ScenarioDraft;
use regex::Regex;
use serde_json::Value;

use crate::support::{EXAMPLES, assert_within_limits, crate_dir, drafted, example};

fn golden_name(example: &str) -> String {
    format!("{}.draft.json", example.trim_end_matches(".json"))
}

/// Compared byte for byte with `expectorate`; after an intended change, run
/// `EXPECTORATE=overwrite cargo test -p feather-drafter --test drafter` and review
/// the diff.
#[test]
fn drafts_match_the_golden_files() {
    for name in EXAMPLES {
        let draft = drafted(&example(name), true);
        assert_within_limits(&draft);
        let mut text = serde_json::to_string_pretty(&draft).expect("a draft serialises");
        text.push('\n');
        let path = crate_dir().join("tests/golden").join(golden_name(name));
        expectorate::assert_contents(&path, &text);
    }
}

/// What a recorded call answered.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Output(Value),
    Error(String),
}

/// One recorded call: tool name, arguments, answer.
type Recorded = (String, Value, Answer);

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

// The calls as the session records them (the top-level list, which is complete in
// every example).
fn recorded_calls(name: &str) -> Vec<Recorded> {
    example(name)
        .input
        .tool_calls
        .iter()
        .map(|call| {
            let answer = match (&call.error, &call.result) {
                (Some(error), _) => Answer::Error(error.clone()),
                (None, Some(result)) => Answer::Output(parse(result)),
                (None, None) => Answer::Output(Value::Null),
            };
            (call.name.clone(), parse(&call.arguments), answer)
        })
        .collect()
}

// What a canned call of a mock world answers.
fn canned(call: &Value) -> Answer {
    match call.get("error") {
        Some(error) => Answer::Error(error.as_str().expect("a string error").to_owned()),
        None => Answer::Output(call["output"].clone()),
    }
}

#[test]
fn every_recorded_call_is_answered_from_the_mock_world() {
    for name in EXAMPLES {
        let draft = drafted(&example(name), false);
        let recorded = recorded_calls(name);
        assert!(!recorded.is_empty(), "{name} records tool calls");
        // A simulation answers as the mock world's `replay` rule says.
        let mut replay = Replay::new(&draft.mock_world);
        for (tool, arguments, expected) in &recorded {
            let world::Answer::Exact(call) = replay.answer(tool, arguments) else {
                panic!("{name}: {tool}({arguments}) has no exact recording");
            };
            assert_eq!(canned(call), *expected, "{name}: {tool}({arguments})");
        }
        assert_eq!(
            replay.unused(),
            0,
            "{name}: the mock world holds only recorded calls"
        );
    }
}

/// Each recorded call of example `name`, made with the arguments `draft`'s mock world
/// holds for it (its placeholders or surrogates put in), has an exact recording that
/// answers as the session did (an output or an error).
fn assert_replays_with_its_own_arguments(name: &str, draft: &ScenarioDraft) {
    let mut replay = Replay::new(&draft.mock_world);
    let mut position: HashMap<String, usize> = HashMap::new();
    for (tool, _, expected) in recorded_calls(name) {
        let at = position.entry(tool.clone()).or_insert(0);
        let arguments = &draft.mock_world["tools"][&tool][*at]["arguments"];
        *at += 1;
        let world::Answer::Exact(call) = replay.answer(&tool, arguments) else {
            panic!("{name}: {tool} has no exact recording");
        };
        assert_eq!(
            std::mem::discriminant(&canned(call)),
            std::mem::discriminant(&expected),
            "{name}: {tool}"
        );
    }
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<[A-Z]+(?:_[A-Z]+)*_\d+(?:_(?:GIVEN|MIDDLE|FAMILY))?>").expect("a valid regex")
});

/// The pairs (placeholder, original text) that turn `redacted` into `original`, or
/// `None` when `redacted` is not `original` with placeholders put in.
fn alignment(redacted: &str, original: &str) -> Option<Vec<(String, String)>> {
    let mut pattern = String::from("^");
    let mut names = Vec::new();
    let mut at = 0;
    for m in PLACEHOLDER.find_iter(redacted) {
        pattern.push_str(&regex::escape(&redacted[at..m.start()]));
        pattern.push_str("(.+?)");
        names.push(m.as_str().to_owned());
        at = m.end();
    }
    pattern.push_str(&regex::escape(&redacted[at..]));
    pattern.push('$');
    let captures = Regex::new(&pattern)
        .expect("an escaped pattern")
        .captures(original)?;
    Some(
        names
            .into_iter()
            .zip(
                captures
                    .iter()
                    .skip(1)
                    .map(|c| c.expect("a capture").as_str().to_owned()),
            )
            .collect(),
    )
}

fn leaves(redacted: &Value, original: &Value, out: &mut Vec<(String, String)>) {
    match (redacted, original) {
        (Value::String(r), Value::String(o)) => {
            out.extend(alignment(r, o).unwrap_or_else(|| panic!("{r:?} vs {o:?}")))
        }
        (Value::String(r), other) => {
            out.extend(alignment(r, &other.to_string()).expect("a redacted number"))
        }
        (Value::Array(r), Value::Array(o)) => {
            assert_eq!(r.len(), o.len(), "redaction keeps list lengths");
            r.iter().zip(o).for_each(|(r, o)| leaves(r, o, out));
        }
        (Value::Object(r), Value::Object(o)) => {
            assert_eq!(r.len(), o.len(), "redaction keeps object sizes");
            r.values()
                .zip(o.values())
                .for_each(|(r, o)| leaves(r, o, out));
        }
        (r, o) => assert_eq!(r, o, "redaction only touches strings"),
    }
}

fn normal(placeholder: &str, value: &str) -> String {
    if placeholder.starts_with("<PHONE") {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 10 {
            format!("1{digits}")
        } else {
            digits
        }
    } else {
        value
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '@' || *c == '.' || *c == ':')
            .collect()
    }
}

#[test]
fn redacted_mock_worlds_stay_consistent_with_the_journey() {
    for name in EXAMPLES {
        let session = example(name);
        let plain = drafted(&session, false);
        let redacted = drafted(&session, true);
        let mut pairs = Vec::new();
        leaves(
            &Value::Object(redacted.mock_world.clone()),
            &Value::Object(plain.mock_world.clone()),
            &mut pairs,
        );
        for (r, o) in redacted
            .journey
            .lines()
            .zip(plain.journey.lines())
            .filter(|(r, _)| !r.contains('…'))
        {
            pairs.extend(
                alignment(r, o).unwrap_or_else(|| panic!("{name}: journey line {r:?} vs {o:?}")),
            );
        }
        let mut by_placeholder: HashMap<&str, String> = HashMap::new();
        let mut by_value: HashMap<String, &str> = HashMap::new();
        for (placeholder, value) in &pairs {
            let value = normal(placeholder, value);
            let known = by_placeholder
                .entry(placeholder)
                .or_insert_with(|| value.clone());
            // A written address and its street line share one placeholder; a
            // person's full name and each of its parts have one each.
            let same_address = placeholder.starts_with("<ADDRESS_");
            assert!(
                *known == value || same_address,
                "{name}: {placeholder} stands for one value ({known} and {value})"
            );
            let known = by_value.entry(value.clone()).or_insert(placeholder);
            assert_eq!(
                *known,
                placeholder.as_str(),
                "{name}: {value} has one placeholder"
            );
        }
        // The redacted draft answers the same calls, in the same order, as the plain
        // one.
        assert_replays_with_its_own_arguments(name, &redacted);
        if name.starts_with("refund") {
            // The caller says 415-555-0134; the tool is called with +14155550134.
            assert!(
                pairs
                    .iter()
                    .any(|(p, v)| p == "<PHONE_1>" && v == "415-555-0134"),
                "{pairs:?}"
            );
            assert!(
                pairs
                    .iter()
                    .any(|(p, v)| p == "<PHONE_1>" && v == "+14155550134"),
                "{pairs:?}"
            );
            assert!(redacted.intent.contains("<PHONE_1>"));
            assert!(
                !serde_json::to_string(&redacted)
                    .expect("serialises")
                    .contains("dana.whitfield@example.com")
            );
        }
    }
}

#[test]
fn example_drafts_read_well() {
    let refund = drafted(&example(EXAMPLES[0]), true);
    assert_eq!(
        refund.name,
        "Refund for order 88412, damaged on arrival (resolved)"
    );
    assert!(refund.intent.contains("cracked jar"), "{}", refund.intent);
    assert!(
        !refund.intent.contains("Yes please"),
        "filler is not quoted: {}",
        refund.intent
    );
    assert!(
        refund
            .journey
            .lines()
            .last()
            .is_some_and(|l| l.contains("Outcome: resolved"))
    );
    assert_eq!(
        refund.tags,
        [
            "create_refund",
            "get_order",
            "lookup_customer",
            "resolved",
            "voice"
        ]
    );

    let dispute = drafted(&example(EXAMPLES[1]), true);
    assert!(dispute.name.ends_with("(escalated)"), "{}", dispute.name);
    assert!(
        dispute.journey.contains("Handoff to a human agent"),
        "{}",
        dispute.journey
    );
    for marker in ["escalated", "handoff", "tool-error", "sms"] {
        assert!(
            dispute.tags.iter().any(|t| t == marker),
            "{marker} in {:?}",
            dispute.tags
        );
    }
    assert!(
        dispute
            .source_brief
            .as_deref()
            .is_some_and(|b| b.contains("CSAT: 2/5"))
    );

    let reschedule = drafted(&example(EXAMPLES[2]), true);
    assert_eq!(
        reschedule.source_agent_name.as_deref(),
        Some("Clinic scheduler")
    );
    assert!(reschedule.tags.iter().any(|t| t == "simulation"));
    assert!(
        reschedule.journey.contains("fails with error: slot_taken"),
        "{}",
        reschedule.journey
    );
}

#[test]
fn surrogate_drafts_replay_and_never_show_the_originals() {
    let mut replaced = 0;
    for name in EXAMPLES {
        let session = example(name);
        let plain = drafted(&session, false);
        let redacted = drafted(&session, true);
        let options = DraftOptions {
            pii: Pii::Surrogates,
        };
        let surrogate = draft(&session, &options).expect("draftable");
        assert_eq!(
            surrogate,
            draft(&session, &options).expect("draftable"),
            "{name}: the same surrogates every time"
        );
        assert_within_limits(&surrogate);
        // What each placeholder stands for in the session, and in the surrogate draft.
        let mut originals = Vec::new();
        leaves(
            &Value::Object(redacted.mock_world.clone()),
            &Value::Object(plain.mock_world.clone()),
            &mut originals,
        );
        let mut stand_ins = Vec::new();
        leaves(
            &Value::Object(redacted.mock_world.clone()),
            &Value::Object(surrogate.mock_world.clone()),
            &mut stand_ins,
        );
        for (r, s) in redacted
            .journey
            .lines()
            .zip(surrogate.journey.lines())
            .filter(|(r, s)| !r.contains('…') && !s.contains('…'))
        {
            stand_ins.extend(
                alignment(r, s).unwrap_or_else(|| panic!("{name}: journey line {r:?} vs {s:?}")),
            );
        }
        for (r, o) in redacted
            .journey
            .lines()
            .zip(plain.journey.lines())
            .filter(|(r, _)| !r.contains('…'))
        {
            originals.extend(
                alignment(r, o).unwrap_or_else(|| panic!("{name}: journey line {r:?} vs {o:?}")),
            );
        }
        replaced += originals.len();
        // One stand-in for one placeholder, everywhere.
        let mut by_placeholder: HashMap<&str, &str> = HashMap::new();
        for (placeholder, value) in &stand_ins {
            let known = by_placeholder.entry(placeholder).or_insert(value);
            assert_eq!(*known, value, "{name}: {placeholder} has one surrogate");
        }
        // Never an original, and no placeholder left.
        let text = serde_json::to_string(&surrogate).expect("serialises");
        for (placeholder, original) in &originals {
            let original = original.trim_matches('"');
            if original.chars().count() >= 3 {
                assert!(
                    !text.contains(original),
                    "{name}: {original} ({placeholder}) is in the surrogate draft"
                );
            }
        }
        assert!(
            !PLACEHOLDER.is_match(&text),
            "{name}: a placeholder is left"
        );
        assert!(
            surrogate
                .source_brief
                .as_deref()
                .is_some_and(|brief| brief.contains("surrogates")),
            "{name}: the brief says which mode ran"
        );
        // Every recorded call, with its substituted arguments, has an exact recording.
        assert_replays_with_its_own_arguments(name, &surrogate);
    }
    assert!(replaced > 0, "the examples hold personal data");
}

#[test]
fn proposals_hold_the_draft_and_criteria_that_never_reward_a_failure() {
    for name in EXAMPLES {
        let session = example(name);
        let options = DraftOptions::default();
        let proposal = feather_drafter::propose(&session, &options).expect("draftable");
        assert_eq!(
            proposal.draft,
            draft(&session, &options).expect("draftable"),
            "{name}: the proposal's draft is the draft"
        );
        let criteria = &proposal.success_criteria;
        assert!(criteria.len() >= 2, "{name}: {criteria:?}");
        for criterion in criteria {
            let chars = criterion.description.chars().count();
            assert!((1..=500).contains(&chars), "{name}: {criterion:?}");
        }
        // A call that failed for good and an escalation are the reviewer's to decide,
        // never a check that the run fails the same way (a call that failed and was
        // then retried with success, as in the rescheduling, is a done goal).
        if name.starts_with("dispute") {
            assert!(
                criteria
                    .iter()
                    .any(|c| c.description.contains("the reviewer must decide")),
                "{name}: {criteria:?}"
            );
        }
        assert!(
            !criteria
                .iter()
                .any(|c| c.description.contains("fails") || c.description.contains("escalates")),
            "{name}: {criteria:?}"
        );
    }
}
