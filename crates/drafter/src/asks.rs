//! What the customer came for that no tool call stands for: a complaint and its
//! cause, compensation asked for, a question the agent answers from what it knows, a
//! request the policy refuses, and the fallback the customer then accepts.
//!
//! Goals ([`crate::intent`]) come from the tool calls, so a customer who complains
//! that flight HAT039 was delayed, asks why, asks for compensation and gets a
//! certificate used to be drafted as "Send certificate": the goal was named after the
//! one tool that changed something. The customer's sentences are read here for what
//! they ask, each kept with its place in the conversation:
//!
//! | kind | a customer sentence that | example |
//! |---|---|---|
//! | complaint | says something went wrong | "My flight HAT039 was delayed 4 hours" |
//! | compensation | asks to be made whole | "I want compensation for this" |
//! | question | asks (a question mark, a question word first) | "How many checked bags do I get?" |
//! | refused | asks for what the agent's next turn refuses by policy ("our policy does not allow", "not eligible", "unable to") | "Cancel reservation N4UT4T with a full refund" |
//! | fallback | after a refusal, accepts something else ("instead", "then just", "if I can't ...") | "Then move it to June 12 instead" |
//!
//! A sentence that only greets, thanks or checks the line ("Are you still there?")
//! is none of them. Linear in the session's length: each customer turn is split into
//! sentences once, and each sentence meets a few regexes.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Speaker, Step, Timeline};
use crate::text::{collapse_whitespace, is_filler, strip_greeting};

/// What a customer sentence asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Complaint,
    Compensation,
    Question,
    Refused,
    Fallback,
}

/// One thing the customer asked for in words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ask {
    pub kind: Kind,
    /// The sentence, whitespace collapsed, greeting removed.
    pub text: String,
    /// The index of its turn among the timeline's steps.
    pub step: usize,
}

// A placeholder of the redactor: its digits are no fact.
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<[A-Z_]+_\d+(?:_[A-Z]+)?>").expect("a valid regex"));

const PROBLEM: &str = r"(?i)(?-u:\b)(?:delayed|delay|late|broken|broke|damaged|cracked|defective|faulty|doesn't work|does not work|not working|stopped working|never arrived|didn't arrive|did not arrive|missing|wrong item|overcharged|charged twice|double charged|stuck|stranded|ruined|unhappy|disappointed|complaint|lost my|rude)(?-u:\b)";

const COMPENSATION: &str =
    r"(?i)(?-u:\b)(?:compensat\w*|reimburs\w*|make (?:it|this|that) right|goodwill)";

const QUESTION_WORD: &str = r"(?i)(?:^|,\s*)(?:(?:one more question|quick question|also|and|by the way|btw|oh|so)[:,]?\s+)*(?:how|what|what's|when|where|why|which|who|is|are|do|does|did|has|have|will|was|were)(?-u:\b)";

// Questions that only check the line or the agent's attention.
const PHATIC: &str = r"(?i)still there|you there|hello\?|are you there|can you hear|anyone there";

const REQUESTING: &str = r"(?i)(?-u:\b)(?:i want|i'd like|i would like|i need|can you|could you|will you|would you|please|cancel|refund|price match|match)(?-u:\b)";

static REFUSAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)polic(?:y|ies) (?:does not|doesn't|do not|don't|won't) (?:allow|permit|cover)|not (?:allowed|eligible|permitted|possible|refundable)|(?:isn't|is not|aren't|are not) eligible|(?:unable|not able) to|(?-u:\b)(?:can't|cannot) (?:do|offer|give|process|cancel|refund|match|provide|issue)|non-?refundable|(?-u:\b)no refunds?(?-u:\b)",
    )
    .expect("a valid regex")
});

const FALLBACK: &str = r"(?i)(?-u:\b)(?:instead|in that case|if (?:i|you) can(?:'t|not)|if (?:a |the )?\w+ (?:is|isn't) (?:impossible|not possible)|then (?:just )?(?:move|change|rebook|exchange|swap|switch|give|send|do)|i'll (?:accept|take)|no refund then|that works for me|fine,? (?:then|exchange|change|move))";

// The sentence patterns above, searched only as one set, at these indexes.
const PROBLEM_AT: usize = 0;
const COMPENSATION_AT: usize = 1;
const QUESTION_AT: usize = 2;
const PHATIC_AT: usize = 3;
const REQUESTING_AT: usize = 4;
const FALLBACK_AT: usize = 5;
static SENTENCE: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSet::new([
        PROBLEM,
        COMPENSATION,
        QUESTION_WORD,
        PHATIC,
        REQUESTING,
        FALLBACK,
    ])
    .expect("valid regexes")
});

/// The customer's asks, in the order said.
pub(crate) fn asks(timeline: &Timeline) -> Vec<Ask> {
    // Each ask with whether it stands: a plain request stands only once the agent's
    // next turn refuses it (otherwise a tool call or the agent's words answered it).
    let mut asks: Vec<(Ask, bool)> = Vec::new();
    // The customer's requests since the agent last spoke.
    let mut pending: Vec<usize> = Vec::new();
    let mut refused_any = false;
    for (step, entry) in timeline.steps.iter().enumerate() {
        let Step::Said { speaker, text, .. } = entry else {
            continue;
        };
        match speaker {
            Speaker::Agent => {
                if !pending.is_empty() && REFUSAL.is_match(text) {
                    for &at in &pending {
                        asks[at].0.kind = Kind::Refused;
                        asks[at].1 = true;
                    }
                    refused_any = true;
                }
                pending.clear();
            }
            Speaker::Customer => {
                // A turn none of whose sentences holds a pattern asks nothing (most
                // turns): skipped before anything is copied.
                if !SENTENCE.is_match(text) {
                    continue;
                }
                let mut leading = String::new();
                for sentence in text.split_inclusive(['.', '!', '?', '\n']) {
                    let hits = SENTENCE.matches(sentence.trim_start());
                    if !hits.matched_any()
                        && !sentence.contains(|c: char| c.is_ascii_digit() || c == '$')
                    {
                        continue;
                    }
                    let sentence = collapse_whitespace(sentence);
                    let sentence = strip_greeting(&sentence).trim();
                    if sentence.chars().count() < 6 || is_filler(sentence) {
                        continue;
                    }
                    let phatic = hits.matched(PHATIC_AT);
                    let question = sentence.ends_with('?') && hits.matched(QUESTION_AT) && !phatic;
                    let kind = if refused_any && hits.matched(FALLBACK_AT) {
                        Some(Kind::Fallback)
                    } else if hits.matched(COMPENSATION_AT) {
                        Some(Kind::Compensation)
                    } else if question {
                        Some(Kind::Question)
                    } else if hits.matched(PROBLEM_AT) {
                        Some(Kind::Complaint)
                    } else {
                        None
                    };
                    let requesting = hits.matched(REQUESTING_AT);
                    if kind.is_none() && !requesting {
                        if phatic {
                            continue;
                        }
                        // A sentence that only goes on with the ask before it in the
                        // same turn belongs to it: "Do you price match? It's $85 at
                        // MegaMart."
                        // Only a sentence with a number says more than chat does.
                        let factual = PLACEHOLDER
                            .replace_all(sentence, "")
                            .contains(|c: char| c.is_ascii_digit() || c == '$');
                        if !factual {
                            continue;
                        }
                        if let Some((last, _)) = asks.last_mut()
                            && last.step == step
                            && last.text.chars().count() + sentence.chars().count() < 200
                        {
                            last.text.push(' ');
                            last.text.push_str(sentence);
                        } else if leading.chars().count() + sentence.chars().count() < 160 {
                            // Or, said before any ask of the turn, to the ask after it:
                            // "MegaMart has it at $85. Can you price match?"
                            if !leading.is_empty() {
                                leading.push(' ');
                            }
                            leading.push_str(sentence);
                        }
                        continue;
                    }
                    let mut text = std::mem::take(&mut leading);
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(sentence);
                    let ask = Ask {
                        kind: kind.unwrap_or(Kind::Refused),
                        text,
                        step,
                    };
                    asks.push((ask, kind.is_some()));
                    if requesting && kind != Some(Kind::Fallback) {
                        pending.push(asks.len() - 1);
                    }
                }
            }
            _ => {}
        }
    }
    // An ask said again is one ask; a draft can show only so many.
    let mut seen = rustc_hash::FxHashSet::default();
    asks.into_iter()
        .filter(|(ask, stands)| *stands && seen.insert((ask.kind, ask.text.to_lowercase())))
        .map(|(ask, _)| ask)
        .take(MAX_ASKS)
        .collect()
}

/// The most asks a draft considers: more than its intent's 500 characters can show.
const MAX_ASKS: usize = 24;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Step;

    fn timeline(turns: &[(&str, &str)]) -> Timeline {
        let mut timeline = Timeline::default();
        for (who, text) in turns {
            let speaker = if *who == "c" {
                Speaker::Customer
            } else {
                Speaker::Agent
            };
            timeline.steps.push(Step::Said {
                speaker,
                role: String::new(),
                text: (*text).to_owned(),
            });
        }
        timeline
    }

    fn kinds(turns: &[(&str, &str)]) -> Vec<(Kind, String)> {
        asks(&timeline(turns))
            .into_iter()
            .map(|a| (a.kind, a.text))
            .collect()
    }

    #[test]
    fn complaints_questions_refusals_and_fallbacks() {
        let found = kinds(&[
            (
                "c",
                "My flight HAT039 was delayed 4 hours. Why was it late? I want compensation.",
            ),
            ("a", "It was a late aircraft; here is a $100 certificate."),
            ("c", "Also cancel reservation N4UT4T with a full refund."),
            (
                "a",
                "I'm sorry, our policy does not allow a refund for basic economy.",
            ),
            ("c", "Then move it to June 12 instead."),
            ("a", "Done."),
            ("c", "How many checked bags do I get? Are you still there?"),
        ]);
        assert_eq!(
            found,
            [
                (
                    Kind::Complaint,
                    "My flight HAT039 was delayed 4 hours.".to_owned()
                ),
                (Kind::Question, "Why was it late?".to_owned()),
                (Kind::Compensation, "I want compensation.".to_owned()),
                (
                    Kind::Refused,
                    "Also cancel reservation N4UT4T with a full refund.".to_owned()
                ),
                (
                    Kind::Fallback,
                    "Then move it to June 12 instead.".to_owned()
                ),
                (Kind::Question, "How many checked bags do I get?".to_owned()),
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn no_turns_panic(
            turns in proptest::collection::vec(
                (proptest::bool::ANY, "(I want|refund|policy does not allow|instead|delayed|\\?|\\. |é|—|\\$5|[A-Za-z0-9]{1,6}|\\PC| ){0,16}"),
                0..8,
            )
        ) {
            let turns: Vec<(&str, &str)> = turns
                .iter()
                .map(|(customer, text)| (if *customer { "c" } else { "a" }, text.as_str()))
                .collect();
            for ask in asks(&timeline(&turns)) {
                proptest::prop_assert!(!ask.text.is_empty());
            }
        }
    }

    #[test]
    fn a_request_the_agent_answers_is_no_ask() {
        assert!(kinds(&[("c", "Please book a table for two."), ("a", "Booked.")]).is_empty());
    }
}
