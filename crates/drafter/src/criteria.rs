//! Success criteria drafted from what happened in the session: each a sentence a
//! judge can check against a simulated run, in upstream Feather's `SuccessCriterion`
//! shape (`description` of at most 500 characters, `output_type`).
//!
//! The groundwork of issue "From draft to saved scenario": the contract has no
//! operation that answers them yet, so [`crate::propose`] gives them beside the
//! draft for the server to serve once it has one. They come from the draft's goals
//! and asks ([`crate::intent`], [`crate::asks`]), already redacted:
//!
//! | what happened | criterion |
//! |---|---|
//! | a state-changing call that succeeded | "The agent returns Vitamix 5200 blender from order #W4817735 (item ids 6477915553)." |
//! | the customer gave a request up | "The agent does not go on with: book the flight, once the customer gives it up." |
//! | a state-changing call that failed | "The recorded call to reschedule failed (slot_taken); the reviewer must decide whether the agent should complete it." |
//! | a lookup that answers the customer | "The agent tells the customer what it found for: check balance of my savings account." |
//! | compensation asked for and given | "The agent offers compensation for delayed flight HAT701 (certificate sent)." |
//! | a question | "The agent answers the customer's question: \"How many checked bags ...?\"" |
//! | a request refused by policy | "The agent declines, as the policy requires: \"cancel it and give me my money back\"." |
//! | a fallback accepted | "The agent carries out what the customer accepts instead: ... [update reservation flights MAQUTR]." |
//! | resolved without a handoff | "The conversation ends with every request handled, without a handoff to a person." |
//! | failed, abandoned, handed off | "The recorded conversation ended escalated; the reviewer must decide the correct outcome." |
//!
//! A criterion never rewards the recorded failure: a failed call or a bad outcome
//! becomes a question for the reviewer, not a check that the run fails the same way.

use serde::Serialize;

use crate::asks::Kind as AskKind;
use crate::intent::{Goal, Item, Status};
use crate::text::{lower_first, shorten};

/// The most characters a criterion's description holds (upstream's limit).
pub const DESCRIPTION_MAX: usize = 500;

/// How a judge answers a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputType {
    Boolean,
    #[serde(rename = "score_5")]
    Score5,
}

/// One check of a simulated run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuccessCriterion {
    pub description: String,
    pub output_type: OutputType,
}

fn criterion(description: String) -> SuccessCriterion {
    SuccessCriterion {
        description: shorten(&description, DESCRIPTION_MAX),
        output_type: OutputType::Boolean,
    }
}

// "update reservation flights" → "updates reservation flights".
fn third_person(phrase: &str) -> String {
    let (verb, rest) = phrase.split_once(' ').unwrap_or((phrase, ""));
    let lower = verb.to_lowercase();
    let verb = if lower.ends_with(['s', 'x', 'z']) || lower.ends_with("sh") || lower.ends_with("ch")
    {
        format!("{lower}es")
    } else if lower.ends_with('y')
        && !["ay", "ey", "oy", "uy"]
            .iter()
            .any(|end| lower.ends_with(end))
    {
        format!("{}ies", &lower[..lower.len() - 1])
    } else {
        format!("{lower}s")
    };
    if rest.is_empty() {
        verb
    } else {
        format!("{verb} {rest}")
    }
}

// What identifies the goal's calls, in brackets: " (order id #W48, 100)".
fn facts(goal: &Goal) -> String {
    let list = fact_list(goal);
    if list.is_empty() {
        String::new()
    } else {
        format!(" ({list})")
    }
}

// What identifies the goal's calls: the arguments the customer gave ("order id
// #W48"), then the calls' other identifying values ("100", "traveler_9393") that the
// goal's phrase does not already hold.
fn fact_list(goal: &Goal) -> String {
    let label = goal.label();
    let mut shown: Vec<String> = goal
        .facts
        .iter()
        .take(4)
        .map(|(key, value)| format!("{key} {value}"))
        .collect();
    for value in goal.identifying_values() {
        if shown.len() >= 6 {
            break;
        }
        if !label.contains(value) && !shown.iter().any(|s| s.contains(value)) {
            shown.push(value.to_owned());
        }
    }
    shown.join(", ")
}

fn goal_criterion(goal: &Goal) -> SuccessCriterion {
    let label = lower_first(&goal.action);
    let facts = facts(goal);
    criterion(match (goal.write, goal.status) {
        (true, Status::Done) => format!("The agent {}{facts}.", third_person(&label)),
        (true, Status::Failed) => format!(
            "The recorded call to {label} failed{}; the reviewer must decide whether the agent should complete it{facts}.",
            goal.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        (_, Status::GivenUp) => {
            format!("The agent does not go on with: {label}, once the customer gives it up{facts}.")
        }
        (false, _) => format!("The agent tells the customer what it found for: {label}{facts}."),
    })
}

/// The criteria of a draft's items, and of how the session ended.
pub(crate) fn criteria(
    items: &[Item<'_>],
    outcome: Option<&str>,
    handed_off: bool,
) -> Vec<SuccessCriterion> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Goal(goal) => out.push(goal_criterion(goal)),
            Item::Ask {
                ask,
                answered_by,
                object,
                ..
            } => {
                let quote = |text: &str| {
                    format!(
                        "\"{}\"",
                        shorten(text.trim_end_matches(['.', '!']).trim(), 200)
                    )
                };
                let done = answered_by
                    .map(|goal| {
                        let list = fact_list(goal);
                        let label = lower_first(&goal.label());
                        if list.is_empty() {
                            format!(" ({label})")
                        } else {
                            format!(" ({label}: {list})")
                        }
                    })
                    .unwrap_or_default();
                let description = match ask.kind {
                    AskKind::Compensation => match object {
                        Some(object) => {
                            format!("The agent offers compensation for {object}{done}.")
                        }
                        None => format!("The agent offers compensation{done}."),
                    },
                    AskKind::Complaint => match answered_by {
                        Some(goal) => {
                            out.push(goal_criterion(goal));
                            format!(
                                "The agent acknowledges the complaint: {}.",
                                quote(&ask.text)
                            )
                        }
                        None => format!(
                            "The agent acknowledges the complaint: {}.",
                            quote(&ask.text)
                        ),
                    },
                    AskKind::Question => {
                        format!(
                            "The agent answers the customer's question: {}.",
                            quote(&ask.text)
                        )
                    }
                    AskKind::Refused => format!(
                        "The agent declines, as the policy requires: {}.",
                        quote(&ask.text)
                    ),
                    AskKind::Fallback => format!(
                        "The agent carries out what the customer accepts instead: {}{}.",
                        quote(&ask.text),
                        answered_by
                            .map(|goal| format!(" [{}]{}", lower_first(&goal.label()), facts(goal)))
                            .unwrap_or_default()
                    ),
                };
                out.push(criterion(description));
            }
        }
    }
    let ending = match outcome {
        Some("resolved") if !handed_off => {
            "The conversation ends with every request handled, without a handoff to a person."
                .to_owned()
        }
        Some(outcome) => format!(
            "The recorded conversation ended {outcome}{}; the reviewer must decide the correct outcome.",
            if handed_off { " after a handoff" } else { "" }
        ),
        None => "The session records no outcome; the reviewer must decide the correct outcome."
            .to_owned(),
    };
    out.push(criterion(ending));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_take_the_third_person() {
        assert_eq!(third_person("update reservation"), "updates reservation");
        assert_eq!(third_person("cancel order"), "cancels order");
        assert_eq!(third_person("search flights"), "searches flights");
        assert_eq!(third_person("apply coupon"), "applies coupon");
        assert_eq!(third_person("pay bill"), "pays bill");
    }
}
