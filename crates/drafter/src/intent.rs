//! The draft's `name` and `intent`: what the customer wanted, and how it ended.
//!
//! The customer's words say what they want; the agent's write actions (`create_refund`,
//! `reschedule`, `book_*`, `cancel_*`, ...) say what the conversation settled on. The
//! last write call that succeeded (else the last one attempted) becomes the *goal*,
//! phrased from the tool's name and its identifying argument: `create_refund` with
//! `order_id: 88412` is "Refund for order 88412". Customer turns that only greet,
//! thank or acknowledge ("hi", "ok", "Yes please.") are never quoted.

use serde_json::Value;

use crate::model::{Call, CallResult, Payload, Step, Timeline};
use crate::text::{
    capitalize, chars, collapse_whitespace, identifier_words, is_filler, shorten, strip_greeting,
};

/// What the conversation was about, from the agent's write actions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Goal {
    /// "Refund for order 88412".
    pub action: String,
    /// Why, from the call's `reason` argument: "damaged on arrival".
    pub reason: Option<String>,
}

// First words of tools that change something for the customer.
const WRITE_VERBS: &[&str] = &[
    "activate",
    "add",
    "adjust",
    "apply",
    "approve",
    "block",
    "book",
    "cancel",
    "change",
    "charge",
    "close",
    "confirm",
    "create",
    "credit",
    "deactivate",
    "delete",
    "dispute",
    "downgrade",
    "edit",
    "enroll",
    "exchange",
    "extend",
    "file",
    "initiate",
    "issue",
    "make",
    "modify",
    "move",
    "pay",
    "place",
    "process",
    "redeem",
    "refund",
    "register",
    "remove",
    "renew",
    "reopen",
    "replace",
    "request",
    "reschedule",
    "reserve",
    "reset",
    "resume",
    "return",
    "reverse",
    "schedule",
    "send",
    "set",
    "submit",
    "suspend",
    "unlock",
    "update",
    "upgrade",
    "void",
    "waive",
];

// Verbs that read well directly before their object: "Reschedule appointment A-311".
const TRANSITIVE: &[&str] = &[
    "activate",
    "approve",
    "block",
    "book",
    "cancel",
    "change",
    "close",
    "confirm",
    "deactivate",
    "delete",
    "dispute",
    "downgrade",
    "edit",
    "exchange",
    "extend",
    "modify",
    "move",
    "redeem",
    "remove",
    "renew",
    "reopen",
    "replace",
    "reschedule",
    "reserve",
    "reset",
    "resume",
    "reverse",
    "suspend",
    "unlock",
    "update",
    "upgrade",
    "void",
];

// Leading words that say nothing about the action: `create_refund` is a refund.
const GENERIC: &[&str] = &[
    "create", "do", "execute", "initiate", "issue", "make", "new", "perform", "process", "request",
    "run", "submit",
];

// Identifiers of the people involved rather than the thing acted on.
const PARTY_NOUNS: &[&str] = &[
    "account",
    "agent",
    "caller",
    "client",
    "contact",
    "correlation",
    "customer",
    "idempotency",
    "member",
    "org",
    "organization",
    "patient",
    "session",
    "tenant",
    "trace",
    "user",
];

fn is_write(name: &str) -> bool {
    let words = identifier_words(name);
    words
        .first()
        .is_some_and(|first| WRITE_VERBS.contains(&first.as_str()))
}

/// The goal of the session, if the agent took a write action.
pub(crate) fn goal(timeline: &Timeline) -> Option<Goal> {
    let writes: Vec<&Call> = timeline
        .steps
        .iter()
        .filter_map(|step| match step {
            Step::Tool(index) => Some(&timeline.calls[*index]),
            _ => None,
        })
        .filter(|call| call.arguments.is_some() && is_write(call.name()))
        .collect();
    let chosen = writes
        .iter()
        .rev()
        .find(|call| matches!(call.result, CallResult::Output(_)))
        .or_else(|| writes.last())?;
    Some(phrase(chosen))
}

fn phrase(call: &Call) -> Goal {
    let mut words = identifier_words(call.name());
    while words.len() > 1 && GENERIC.contains(&words[0].as_str()) {
        words.remove(0);
    }
    let arguments = match &call.arguments {
        Some(Payload::Json(Value::Object(map))) => Some(map),
        _ => None,
    };
    let object = arguments.and_then(|map| identifying_argument(map, &words));
    let verb = words.join(" ");
    let action = match object {
        None => verb,
        Some((noun, value))
            if noun.is_empty()
                || words
                    .iter()
                    .any(|w| *w == noun || w.trim_end_matches('s') == noun) =>
        {
            format!("{verb} {value}")
        }
        Some((noun, value)) if words.len() == 1 && TRANSITIVE.contains(&words[0].as_str()) => {
            format!("{verb} {noun} {value}")
        }
        Some((noun, value)) => format!("{verb} for {noun} {value}"),
    };
    let reason = arguments
        .and_then(|map| map.get("reason"))
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .map(|reason| {
            let reason = if reason.contains(char::is_whitespace) {
                reason.to_owned()
            } else {
                identifier_words(reason).join(" ")
            };
            shorten(&collapse_whitespace(&reason), 80)
        });
    Goal {
        action: capitalize(&shorten(&collapse_whitespace(&action), 90)),
        reason,
    }
}

// The argument that names what was acted on: `order_id: 88412` is ("order", "88412").
fn identifying_argument(
    map: &serde_json::Map<String, Value>,
    action_words: &[String],
) -> Option<(String, String)> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    let mut fallback = None;
    for key in keys {
        let value = match &map[key] {
            Value::String(text) if !text.trim().is_empty() && chars(text) <= 40 => {
                collapse_whitespace(text)
            }
            Value::Number(number) if number.is_u64() || number.is_i64() => number.to_string(),
            _ => continue,
        };
        let words = identifier_words(key);
        let Some((last, stem)) = words.split_last() else {
            continue;
        };
        if !matches!(
            last.as_str(),
            "id" | "number" | "no" | "num" | "ref" | "reference" | "code"
        ) {
            continue;
        }
        let noun = if stem.is_empty() {
            action_words
                .last()
                .filter(|_| action_words.len() > 1)
                .cloned()
                .unwrap_or_default()
        } else {
            stem.join(" ")
        };
        if stem.iter().any(|w| PARTY_NOUNS.contains(&w.as_str())) {
            fallback.get_or_insert((noun, value));
            continue;
        }
        return Some((noun, value));
    }
    fallback
}

/// The customer turns worth quoting: not filler, greeting removed, whitespace collapsed.
pub(crate) fn customer_quotes(timeline: &Timeline) -> Vec<String> {
    timeline
        .customer_turns()
        .map(collapse_whitespace)
        .filter(|text| !text.is_empty() && !is_filler(text))
        .map(|text| strip_greeting(&text).to_owned())
        .collect()
}

/// The draft's name: the goal (or the customer's first request) and the outcome.
pub(crate) fn name(
    goal: Option<&Goal>,
    quotes: &[String],
    outcome: Option<&str>,
    channel: &str,
) -> String {
    let subject = match (goal, quotes.first()) {
        (Some(goal), _) => match &goal.reason {
            Some(reason) if chars(&goal.action) + chars(reason) + 2 <= 70 => {
                format!("{}, {reason}", goal.action)
            }
            _ => shorten(&goal.action, 70),
        },
        (None, Some(quote)) => capitalize(&shorten(quote, 60)),
        (None, None) => format!(
            "Conversation over {}",
            shorten(&collapse_whitespace(channel), 30)
        ),
    };
    let subject = if subject.trim().is_empty() {
        "Conversation".to_owned()
    } else {
        subject
    };
    match outcome {
        Some(outcome) => format!("{subject} ({})", shorten(outcome, 40)),
        None => subject,
    }
}

/// The draft's intent: the goal, then the customer's own words, within `max` characters.
pub(crate) fn intent(goal: Option<&Goal>, quotes: &[String], channel: &str, max: usize) -> String {
    let mut out = String::new();
    if let Some(goal) = goal {
        let mut head = goal.action.clone();
        if let Some(reason) = &goal.reason {
            head.push_str(&format!(" ({reason})"));
        }
        out.push_str(&shorten(&head, max / 2));
        out.push('.');
    }
    // The quotes: `The customer says: "first", then "second".`, as many as fit.
    let mut used = chars(&out);
    let mut quoted = 0;
    for quote in quotes {
        let quote = quote.trim_end_matches('.').trim_end();
        if quote.is_empty() {
            continue;
        }
        let lead = match (quoted, out.is_empty()) {
            (0, true) => "The customer says: \"",
            (0, false) => " The customer says: \"",
            _ => ", then \"",
        };
        // Two characters stay free for the closing `".`.
        let room = max.saturating_sub(used + chars(lead) + 2);
        if (quoted > 0 && chars(quote) > room) || room < 12 {
            break;
        }
        let quote = shorten(quote, room);
        out.push_str(lead);
        out.push_str(&quote);
        out.push('"');
        used += chars(lead) + chars(&quote) + 1;
        quoted += 1;
    }
    if quoted > 0 {
        out.push('.');
    }
    if out.is_empty() {
        out = format!(
            "The customer contacts support over {} without stating a request; follow the journey.",
            shorten(&collapse_whitespace(channel), 40)
        );
    }
    shorten(&out, max)
}
