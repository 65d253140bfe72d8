//! A session's *signature*: what kind of conversation it was, for triage.
//!
//! Why: a team that captures thousands of sessions a week wants the few dozen
//! distinct problems worth a regression test, each once, with how often it
//! happened. Two sessions are the same problem when the customer wanted the same
//! things and the agent took the same tool path; the signature says both, plus
//! how the session ended and the signals that make it worth a look. It is made at
//! capture, beside the draft, and stored as a key the database groups on, so
//! triage is a `GROUP BY`, not a scan of every transcript.
//!
//! - **goals**: the goals the drafter names (module `intent`), in order, each as
//!   its tool's name in snake case (`FindRestaurants` → `find_restaurants`):
//!   lookups that only identify the customer are means, not goals, as in drafts;
//!   and the customer's asks the drafter names beside them (module `asks`), each
//!   as its kind (`ask_complaint`, `ask_compensation`, `ask_refused`,
//!   `ask_fallback`; questions are left out, being asked in passing), followed by
//!   the goal that answered it.
//! - **tools**: every tool call's name in order, consecutive repeats collapsed
//!   (`get_order, get_order, refund` → `get_order, refund`).
//! - **outcome** and **signals** ([`Signals`]), each from one field of
//!   `SessionAnalysisInput`, documented on its field.
//!
//! [`Signature::key`] is `goals:<g1>><g2>|tools:<t1>><t2>`; `>`, `|`, `%` and
//! control characters in a name are percent-encoded, and a key longer than
//! [`MAX_KEY_BYTES`] keeps its start and ends with a digest of the whole, so a key
//! fits an index whatever the session. Near keys (same goals, lookups in another
//! order, one extra lookup) are joined by [`group_keys`].

use std::collections::HashMap;

use feather_types::session::KnowledgeGapAnalysisOutcome;

use crate::CapturedSession;
use crate::intent::Item;
use crate::model::{CallResult, Step, Timeline};
use crate::text::identifier_words;

/// The longest key kept as is; a longer one is cut and ends with a digest.
pub const MAX_KEY_BYTES: usize = 512;

/// The Jaccard similarity of two keys' token sets at or above which
/// [`group_keys`] joins them.
pub const SIMILARITY_THRESHOLD: f64 = 0.8;

/// A session at this many messages or more counts as long.
pub const LONG_SESSION_MESSAGES: usize = 40;

/// What kind of conversation a session was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The drafter's goals in order, each its tool's name in snake case.
    pub goals: Vec<String>,
    /// The tool calls' names in order, consecutive repeats collapsed.
    pub tools: Vec<String>,
    /// `knowledge_gap_analysis_outcome` in snake case (`resolved`, `escalated`, ...).
    pub outcome: Option<String>,
    pub signals: Signals,
}

/// Why a session may be worth a regression test; each from one field of
/// `SessionAnalysisInput`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    /// Tool calls that failed: `tool_calls[].error` (or a message's
    /// `tool_results.error`) not empty.
    pub tool_errors: u32,
    /// `knowledge_gap_analysis_outcome` is `error`, `call_failed` or `unresolved`.
    pub failed: bool,
    /// `knowledge_gap_analysis_outcome` is `abandoned`, `expired` or `voicemail`.
    pub abandoned: bool,
    /// `knowledge_gap_analysis_outcome` is `escalated` or `transferred`.
    pub escalated: bool,
    /// `handoff_events`: how many.
    pub handoffs: u32,
    /// `csat.score` at most 40% of `csat.scale_max` (2 of 5).
    pub low_csat: bool,
    /// `user_feedback.rating` at most 2 (of 5; a negative rating counts too).
    pub low_feedback: bool,
    /// `reopen` is present: the customer came back.
    pub reopened: bool,
    /// `messages`: how many.
    pub messages: u32,
}

/// One bit per signal, as the store keeps them ([`Signals::flags`]).
pub mod flag {
    pub const TOOL_ERROR: i64 = 1;
    pub const FAILED: i64 = 1 << 1;
    pub const ABANDONED: i64 = 1 << 2;
    pub const ESCALATED: i64 = 1 << 3;
    pub const HANDOFF: i64 = 1 << 4;
    pub const LOW_CSAT: i64 = 1 << 5;
    pub const LOW_FEEDBACK: i64 = 1 << 6;
    pub const REOPENED: i64 = 1 << 7;
    pub const LONG: i64 = 1 << 8;
    /// Every flag with its name and its weight in [`super::Signals::severity`].
    pub const ALL: [(i64, &str, i64); 9] = [
        (FAILED, "failed", 5),
        (ESCALATED, "escalated", 4),
        (REOPENED, "reopened", 4),
        (TOOL_ERROR, "tool_error", 3),
        (HANDOFF, "handoff", 3),
        (LOW_CSAT, "low_csat", 3),
        (ABANDONED, "abandoned", 3),
        (LOW_FEEDBACK, "low_feedback", 2),
        (LONG, "long", 1),
    ];
}

impl Signals {
    /// The signals as bits of [`flag`].
    pub fn flags(&self) -> i64 {
        let bits = [
            (self.tool_errors > 0, flag::TOOL_ERROR),
            (self.failed, flag::FAILED),
            (self.abandoned, flag::ABANDONED),
            (self.escalated, flag::ESCALATED),
            (self.handoffs > 0, flag::HANDOFF),
            (self.low_csat, flag::LOW_CSAT),
            (self.low_feedback, flag::LOW_FEEDBACK),
            (self.reopened, flag::REOPENED),
            (self.messages as usize >= LONG_SESSION_MESSAGES, flag::LONG),
        ];
        bits.iter()
            .filter(|(on, _)| *on)
            .fold(0, |all, (_, bit)| all | bit)
    }

    /// How bad the session looks: the sum of the weights of its flags
    /// ([`flag::ALL`]); 0 for a session with none.
    pub fn severity(&self) -> i64 {
        severity_of(self.flags())
    }
}

/// The sum of the weights of `flags` ([`flag::ALL`]).
pub fn severity_of(flags: i64) -> i64 {
    flag::ALL
        .iter()
        .filter(|(bit, _, _)| flags & bit != 0)
        .map(|(_, _, weight)| weight)
        .sum()
}

/// The signature of a session on its own, for sessions stored before signatures
/// were made and for the eval: a timeline, the goals and the asks, no redaction.
/// A capture signs with [`crate::draft_and_sign`] instead, from the goals and asks
/// its draft reads anyway (alone, signing cost a third of a draft by callgrind);
/// the two agree on every session of the eval and the examples (a test in
/// `tests/drafter` checks it), since neither a tool's name nor the kind of an ask
/// is personal data that redaction changes.
pub fn signature(session: &CapturedSession) -> Signature {
    let timeline = Timeline::build(&session.input);
    let mut known = Vec::new();
    let goals = crate::intent::goals(&timeline, &mut known);
    let asks = crate::asks::asks(&timeline);
    of(
        &session.input,
        &timeline,
        &crate::intent::items(&goals, &asks),
    )
}

/// The signature of `input` from its timeline and the goals and asks read from it,
/// in the drafter's order ([`crate::intent::items`]).
pub(crate) fn of(
    input: &feather_types::session::SessionAnalysisInput,
    timeline: &Timeline,
    items: &[Item<'_>],
) -> Signature {
    let tool_of = |goal: &crate::intent::Goal| match timeline.steps.get(goal.step) {
        Some(Step::Tool(index)) => Some(snake(timeline.calls[*index].name())),
        _ => None,
    };
    // The goals and the customer's asks in the order the drafter names them: an
    // ask as its kind (`ask_complaint`, `ask_question`, ...), then the goal that
    // answered it, if any.
    let mut named = Vec::new();
    for item in items {
        match *item {
            Item::Goal(goal) => named.extend(tool_of(goal)),
            Item::Ask {
                ask, answered_by, ..
            } => {
                // A question is left out: customers ask them in passing, and
                // they split sessions that wanted the same things.
                if ask.kind != crate::asks::Kind::Question {
                    named.push(format!("ask_{}", format!("{:?}", ask.kind).to_lowercase()));
                }
                named.extend(answered_by.and_then(tool_of));
            }
        }
    }
    let goals = collapse(named.into_iter());
    let tools = collapse(timeline.calls.iter().map(|call| call.name().to_owned()));
    let outcome = input.knowledge_gap_analysis_outcome.as_ref().copied();
    use KnowledgeGapAnalysisOutcome as O;
    let is = |set: &[O]| outcome.is_some_and(|o| set.contains(&o));
    let signals = Signals {
        tool_errors: timeline
            .calls
            .iter()
            .filter(|call| matches!(call.result, CallResult::Error(_)))
            .count() as u32,
        failed: is(&[O::Error, O::CallFailed, O::Unresolved]),
        abandoned: is(&[O::Abandoned, O::Expired, O::Voicemail]),
        escalated: is(&[O::Escalated, O::Transferred]),
        handoffs: input.handoff_events.len() as u32,
        low_csat: input
            .csat
            .as_ref()
            .is_some_and(|csat| csat.scale_max > 0 && csat.score * 5 <= csat.scale_max * 2),
        low_feedback: input
            .user_feedback
            .as_ref()
            .and_then(|feedback| feedback.rating)
            .is_some_and(|rating| rating <= 2),
        reopened: input.reopen.is_some(),
        messages: input.messages.len() as u32,
    };
    Signature {
        goals,
        tools,
        outcome: outcome.map(|o| {
            serde_json::to_value(o)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        }),
        signals,
    }
}

impl Signature {
    /// The grouping key: `goals:<g1>><g2>|tools:<t1>><t2>` (see the module docs).
    pub fn key(&self) -> String {
        let join = |names: &[String]| {
            names
                .iter()
                .map(|name| escape(name))
                .collect::<Vec<_>>()
                .join(">")
        };
        let key = format!("goals:{}|tools:{}", join(&self.goals), join(&self.tools));
        if key.len() <= MAX_KEY_BYTES {
            return key;
        }
        let mut cut = MAX_KEY_BYTES - 20;
        while !key.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}#{:016x}", &key[..cut], fnv1a(key.as_bytes()))
    }
}

/// The tokens of a key: `g:<goal>` and `t:<tool>`, each once.
pub fn key_tokens(key: &str) -> Vec<String> {
    let key = key.split('#').next().unwrap_or(key);
    let mut tokens = Vec::new();
    for part in key.split('|') {
        let (prefix, names) = match part.split_once(':') {
            Some(("goals", names)) => ("g:", names),
            Some(("tools", names)) => ("t:", names),
            _ => continue,
        };
        for name in names.split('>').filter(|n| !n.is_empty()) {
            tokens.push(format!("{prefix}{name}"));
        }
    }
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// The Jaccard similarity of two sorted, deduplicated token lists.
pub fn jaccard(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

/// Joins near keys. `keys` are distinct keys with their number of sessions; the
/// answer gives each key's group, a number from 0, groups numbered in the order
/// they were founded.
///
/// The rule: keys are taken from the most sessions down (ties by key); a key
/// joins the first group whose founding key has a Jaccard similarity of at least
/// `threshold` with it over their token sets ([`key_tokens`]: goals and tools,
/// order aside), else founds a group. Comparing with founders only keeps a chain
/// of small steps from joining unlike keys. It runs over the distinct keys, a few
/// hundred where there are thousands of sessions, so it stays cheap (a key is
/// compared only with founders whose token count could reach the threshold).
pub fn group_keys(keys: &[(&str, u64)], threshold: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[b].1.cmp(&keys[a].1).then(keys[a].0.cmp(keys[b].0)));
    let mut founders: Vec<Vec<String>> = Vec::new();
    let mut group = vec![0; keys.len()];
    let mut exact: HashMap<&str, usize> = HashMap::new();
    for index in order {
        let key = keys[index].0;
        if let Some(&known) = exact.get(key) {
            group[index] = known;
            continue;
        }
        let tokens = key_tokens(key);
        let joined = founders.iter().position(|founder| {
            let (small, large) = (
                founder.len().min(tokens.len()),
                founder.len().max(tokens.len()),
            );
            (small as f64) >= threshold * large as f64 && jaccard(founder, &tokens) >= threshold
        });
        let at = joined.unwrap_or_else(|| {
            founders.push(tokens);
            founders.len() - 1
        });
        exact.insert(key, at);
        group[index] = at;
    }
    group
}

/// `names` with consecutive repeats collapsed.
fn collapse(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        if out.last() != Some(&name) {
            out.push(name);
        }
    }
    out
}

/// A tool's name in snake case, as a goal token.
fn snake(name: &str) -> String {
    let words = identifier_words(name);
    if words.is_empty() {
        return name.to_lowercase();
    }
    words.join("_").to_lowercase()
}

/// A name as a key holds it: the key's separators and control characters
/// percent-encoded.
fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '>' | '|' | '%' | '#') || c.is_control() {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// FNV-1a, 64 bits: a digest that is the same on every machine and release.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(goals: &[&str], tools: &[&str]) -> String {
        Signature {
            goals: goals.iter().map(|s| s.to_string()).collect(),
            tools: tools.iter().map(|s| s.to_string()).collect(),
            outcome: None,
            signals: Signals::default(),
        }
        .key()
    }

    #[test]
    fn keys_escape_their_separators_and_long_ones_end_with_a_digest() {
        assert_eq!(
            key(&["refund"], &["get|order", "refund"]),
            "goals:refund|tools:get%7Corder>refund"
        );
        let long: Vec<String> = (0..200).map(|i| format!("tool_{i}")).collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        let cut = key(&[], &long);
        assert!(cut.len() <= MAX_KEY_BYTES, "{}", cut.len());
        assert!(cut.contains('#'));
        assert_ne!(cut, key(&[], &long[..199]));
    }

    #[test]
    fn near_keys_join_and_unlike_keys_do_not() {
        let a = key(&["refund"], &["get_order", "get_user", "refund"]);
        // The lookups in another order: the same tokens.
        let b = key(&["refund"], &["get_user", "get_order", "refund"]);
        // One extra lookup: 4 of 5 tokens shared.
        let c = key(
            &["refund"],
            &["get_order", "get_user", "get_policy", "refund"],
        );
        let d = key(&["exchange"], &["get_order", "exchange"]);
        let keys = [
            (a.as_str(), 10),
            (b.as_str(), 3),
            (c.as_str(), 2),
            (d.as_str(), 5),
        ];
        let groups = group_keys(&keys, SIMILARITY_THRESHOLD);
        assert_eq!(groups[0], groups[1]);
        assert_eq!(groups[0], groups[2]);
        assert_ne!(groups[0], groups[3]);
    }

    #[test]
    fn severity_adds_the_weights_of_the_flags() {
        let signals = Signals {
            failed: true,
            tool_errors: 2,
            messages: 3,
            ..Signals::default()
        };
        assert_eq!(signals.flags(), flag::FAILED | flag::TOOL_ERROR);
        assert_eq!(signals.severity(), 8);
        assert_eq!(Signals::default().severity(), 0);
    }
}
