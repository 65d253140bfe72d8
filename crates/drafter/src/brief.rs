//! The draft's `source_brief` and `tags`: where the draft came from, in a paragraph a
//! reviewer reads first, and a few labels to find it by.

use std::collections::{BTreeMap, BTreeSet};

use feather_types::session::KnowledgeGapAnalysisOutcome;

use crate::model::{CallResult, Speaker, Step, Timeline, UNKNOWN_TOOL};
use crate::pii::PiiKind;
use crate::text::{collapse_whitespace, shorten, tag};

/// The facts the brief and the tags are made of.
pub(crate) struct Facts<'a> {
    pub session_id: String,
    pub channel: &'a str,
    pub agent_name: Option<&'a str>,
    pub persona_name: Option<&'a str>,
    pub is_simulation: bool,
    pub outcome: Option<KnowledgeGapAnalysisOutcome>,
    pub outcome_words: Option<String>,
    pub completion_reason: Option<String>,
    pub roles: Vec<&'a str>,
    pub duration: Option<String>,
    pub csat: Option<(i64, i64)>,
    /// `None` when redaction was off.
    pub redacted: Option<BTreeSet<PiiKind>>,
    /// Whether realistic surrogates replaced personal data instead of placeholders.
    pub surrogates: bool,
    /// The capture says its transcript skipped upstream redaction.
    pub unredacted_upstream: bool,
    /// The chat log recorded no times ([`crate::capture::UNKNOWN_TIME`]).
    pub times_unknown: bool,
}

fn list(items: Vec<String>, max_items: usize) -> String {
    let total = items.len();
    let mut shown: Vec<String> = items.into_iter().take(max_items).collect();
    if total > max_items {
        shown.push(format!("and {} more", total - max_items));
    }
    shown.join(", ")
}

/// The brief, within `max` characters.
pub(crate) fn brief(timeline: &Timeline, facts: &Facts<'_>, max: usize) -> String {
    let mut sentences = Vec::new();
    let mut origin = format!(
        "Drafted from {} {} session {}",
        if facts.is_simulation {
            "simulated"
        } else {
            "captured"
        },
        shorten(&collapse_whitespace(facts.channel), 40),
        facts.session_id
    );
    if let Some(agent) = facts.agent_name {
        origin.push_str(&format!(
            " with agent \"{}\"",
            shorten(&collapse_whitespace(agent), 80)
        ));
    }
    if let Some(persona) = facts.persona_name {
        origin.push_str(&format!(
            ", customer played by persona \"{}\"",
            shorten(&collapse_whitespace(persona), 80)
        ));
    }
    sentences.push(format!("{origin}."));

    let outcome = facts
        .outcome_words
        .clone()
        .unwrap_or_else(|| "not recorded".to_owned());
    match &facts.completion_reason {
        Some(reason) => sentences.push(format!("Outcome: {outcome} ({}).", shorten(reason, 80))),
        None => sentences.push(format!("Outcome: {outcome}.")),
    }

    let mut by_speaker: BTreeMap<&str, usize> = BTreeMap::new();
    for role in &facts.roles {
        let label = match Speaker::of(role) {
            Speaker::Customer => "customer",
            Speaker::Agent => "agent",
            Speaker::System => "system",
            Speaker::Other if role.eq_ignore_ascii_case("tool") => "tool",
            Speaker::Other => "other",
        };
        *by_speaker.entry(label).or_default() += 1;
    }
    let order = ["customer", "agent", "tool", "system", "other"];
    let counts: Vec<String> = order
        .iter()
        .filter_map(|label| by_speaker.get(label).map(|n| format!("{n} {label}")))
        .collect();
    let mut turns = format!("{} turns ({})", facts.roles.len(), counts.join(", "));
    if let Some(duration) = &facts.duration {
        turns.push_str(&format!(" over {duration}"));
    }
    sentences.push(format!("{turns}."));
    if facts.times_unknown {
        sentences.push("The log records no times.".to_owned());
    }

    let mut tool_counts: Vec<(String, usize)> = Vec::new();
    let mut errors = Vec::new();
    let mut missing = 0;
    for step in &timeline.steps {
        let Step::Tool(index) = step else { continue };
        let call = &timeline.calls[*index];
        let name = shorten(&collapse_whitespace(call.name()), 60);
        match tool_counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => tool_counts.push((name.clone(), 1)),
        }
        match &call.result {
            CallResult::Error(error) => errors.push(format!(
                "{name} ({})",
                shorten(&collapse_whitespace(error), 100)
            )),
            CallResult::Missing => missing += 1,
            CallResult::Output(_) => {}
        }
    }
    if tool_counts.is_empty() {
        sentences.push("No tools were used.".to_owned());
    } else {
        let used: Vec<String> = tool_counts
            .iter()
            .map(|(name, count)| format!("{name} ×{count}"))
            .collect();
        sentences.push(format!("Tools used: {}.", list(used, 12)));
    }
    if errors.is_empty() {
        sentences.push("No tool errors.".to_owned());
    } else {
        sentences.push(format!("Tool errors: {}.", list(errors, 3)));
    }
    if missing > 0 {
        sentences.push(format!("{missing} tool call(s) have no recorded result."));
    }
    if timeline.handoffs.is_empty() {
        sentences.push("No handoffs.".to_owned());
    } else {
        let handoffs: Vec<String> = timeline
            .handoffs
            .iter()
            .map(|h| {
                let to = h
                    .to_agent
                    .map_or("a human".to_owned(), |a| format!("agent {a}"));
                match &h.reason {
                    Some(reason) => {
                        format!("to {to} ({})", shorten(&collapse_whitespace(reason), 80))
                    }
                    None => format!("to {to}"),
                }
            })
            .collect();
        sentences.push(format!("Handoffs: {}.", list(handoffs, 3)));
    }
    match facts.csat {
        Some((score, scale)) => sentences.push(format!("CSAT: {score}/{scale}.")),
        None => sentences.push("CSAT: not recorded.".to_owned()),
    }
    if facts.unredacted_upstream {
        sentences.push("The capture skipped Feather's transcript redaction.".to_owned());
    }
    match &facts.redacted {
        None => sentences.push("PII redaction was off.".to_owned()),
        Some(kinds) if kinds.is_empty() && facts.surrogates => {
            sentences.push("PII redaction with surrogates found nothing to replace.".to_owned())
        }
        Some(kinds) if kinds.is_empty() => {
            sentences.push("PII redaction found nothing to redact.".to_owned())
        }
        Some(kinds) => {
            let kinds: Vec<&str> = kinds.iter().map(|k| k.describe()).collect();
            let how = if facts.surrogates {
                "replaced by realistic surrogates"
            } else {
                "redacted"
            };
            sentences.push(format!("PII {how}: {}.", kinds.join(", ")));
        }
    }
    shorten(&sentences.join(" "), max)
}

/// The most tags a draft carries.
pub const MAX_TAGS: usize = 20;

/// The tags: channel, outcome, markers, then as many tools as fit; sorted.
pub(crate) fn tags(timeline: &Timeline, facts: &Facts<'_>) -> Vec<String> {
    let mut fixed = BTreeSet::new();
    fixed.insert(tag(facts.channel));
    if let Some(outcome) = facts.outcome {
        fixed.insert(tag(&outcome_value(outcome)));
    }
    if facts.outcome == Some(KnowledgeGapAnalysisOutcome::Escalated) {
        fixed.insert("escalated".to_owned());
    }
    if !timeline.handoffs.is_empty()
        || facts.outcome == Some(KnowledgeGapAnalysisOutcome::Transferred)
    {
        fixed.insert("handoff".to_owned());
    }
    if timeline
        .calls
        .iter()
        .any(|c| matches!(c.result, CallResult::Error(_)))
    {
        fixed.insert("tool-error".to_owned());
    }
    if facts.is_simulation {
        fixed.insert("simulation".to_owned());
    }
    fixed.remove("");
    let tools: BTreeSet<String> = timeline
        .calls
        .iter()
        .map(|c| c.name())
        .filter(|name| *name != UNKNOWN_TOOL)
        .map(tag)
        .filter(|t| !t.is_empty() && !fixed.contains(t))
        .collect();
    let room = MAX_TAGS.saturating_sub(fixed.len());
    fixed.extend(tools.into_iter().take(room));
    fixed.into_iter().take(MAX_TAGS).collect()
}

/// The outcome as the contract spells it: `call_failed`.
pub(crate) fn outcome_value(outcome: KnowledgeGapAnalysisOutcome) -> String {
    serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
