//! The draft's `name` and `intent`: what the customer wanted, all of it, and how it
//! ended.
//!
//! # Goals
//!
//! Goals come from what the agent did about the customer's requests: the tool calls,
//! in order. A call is a *means*, not a goal, when it only identifies the customer
//! (its name has `user`, `customer`, `profile`, `member`, `identity`, `verify`,
//! `authenticate` or `login` in it), fetches a record by id to act on it (its last
//! word is `details`, `info`, `information`, `status` or `record`, and every argument
//! is an id, or it looks up by id what a later write acts on, such as `get_order`
//! before `refund_order` on the same order), hands the conversation over (`human`, `agents`, `representative`), or
//! is the agent's own aid (`think`, `calculate`).
//! Every other call, lookups included ("Get account balance" answers a
//! question the customer asked), is a goal; calls of the same tool are one goal. A
//! goal whose calls all failed is marked "(failed)", and one the customer walked away
//! from (the next customer turn says "never mind", "forget it", "leave it", "too
//! much", ...) before any write is marked "(given up)".
//!
//! A goal is phrased in the customer's words when its request can be matched to its
//! first call. Customer turns are read for *requests*: a verb of [`VERB_GROUPS`] or
//! [`WRITE_VERBS`] where a request puts it (at a clause's start or after "to",
//! "please", "you", "me", "and", "then", ...; not after "not" or "don't" within four
//! words), and its object up to the clause's end ("and", "because", a comma, ...; at
//! most ten words, leading "my", "all", "the" dropped): "check my savings balance and
//! then transfer $1,730 to a friend" holds "check savings balance" and "transfer
//! $1,730 to a friend"; "looking for" and "searching for" count, and a question
//! ("what's the weather in Chicago?") asks to "check" its object. A new goal takes the
//! first unmatched request before its call whose verb is the tool's verb or in a group
//! with it, and whose object names one of the tool's nouns (compared singular), or,
//! for the tool's very verb (or a tool without nouns), a value of the call's
//! arguments: "downgrade all my business flights to economy" →
//! `update_reservation_flights` → "Downgrade business flights to economy". The
//! identifying value the customer gave joins its noun when the object names it
//! ("cancel my reservation" → "Cancel reservation Z7GOZK"). The intent then also
//! shows the tool's phrase in brackets, when it has words the customer's phrase
//! lacks, so the reviewer sees which call fulfils the request.
//!
//! Otherwise a goal is phrased from its tool's name (`create_refund` → "Refund") and
//! the identifying argument the customer talked about: an id, number, code, title or
//! `<thing>_name` whose value appears in a customer turn ("Reserve restaurant
//! Sakoon"). An argument the customer never mentioned (a payment method id, an
//! internal id) never reaches the name either way.
//!
//! Requests are read lazily: the customer turns since the last new goal are read only
//! when a new goal needs a request, newest first, and at most [`MAX_REQUESTS`] wait
//! for a goal, so drafting stays linear and a long session with few goals reads few
//! turns (measured with callgrind, the whole goal rule costs about 125,000
//! instructions of a 667,000-instruction 20-turn draft; see `docs/performance.md`,
//! "Drafting").
//!
//! # Name and intent
//!
//! The name lists up to three goals in order ("A, then B, then C and more") and the
//! outcome. The intent lists every goal with the facts the simulated customer needs:
//! the arguments it gave (ids, dates, amounts, places, preferences; at most three
//! fifths of the room), then the requests and constraints it stated (customer
//! sentences with "I want", "I need", "please", "not before", "only if", "at least",
//! "instead", "prefer", ...), then the customer's other words as room remains,
//! within 500 characters. Without any tool call, the customer's first request is the
//! goal. Customer turns that only greet, thank or acknowledge are never quoted.

use std::hash::BuildHasher;
use std::sync::LazyLock;

use regex::Regex;
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap, FxHashSet as HashSet};
use serde_json::Value;

use crate::asks::{Ask, Kind as AskKind};
use crate::model::{Call, CallResult, Payload, Speaker, Step, Timeline};
use crate::text::{
    capitalize, chars, collapse_whitespace, identifier_words, is_filler, lower_first, shorten,
    strip_greeting,
};

// First words of tools that change something for the customer.
const WRITE_VERBS: &[&str] = &[
    "activate",
    "add",
    "adjust",
    "apply",
    "approve",
    "block",
    "book",
    "buy",
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
    "purchase",
    "redeem",
    "refund",
    "register",
    "remove",
    "renew",
    "rent",
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
    "transfer",
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

fn is_write(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|first| WRITE_VERBS.contains(&first.as_str()))
}

// Tools that identify the customer, fetch a record to act on, or hand over.
fn is_means(words: &[String], arguments: Option<&Payload>) -> bool {
    const AIDS: &[&str] = &[
        "think",
        "calculate",
        "calculator",
        "human",
        "representative",
    ];
    if words.iter().any(|w| AIDS.contains(&w.as_str())) {
        return true;
    }
    // Changing the customer's own record (`modify_user_address`) is a goal.
    if is_write(words) {
        return false;
    }
    const IDENTITY: &[&str] = &[
        "user",
        "customer",
        "profile",
        "member",
        "identity",
        "verify",
        "authenticate",
        "login",
        "agents",
        "handoff",
    ];
    if words.iter().any(|w| IDENTITY.contains(&w.as_str())) {
        return true;
    }
    let fetch = words.last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "details" | "detail" | "info" | "information" | "status" | "record"
        )
    });
    fetch
        && (ids_only(arguments)
            || !matches!(arguments, Some(Payload::Json(Value::Object(m))) if !m.is_empty()))
}

/// How a goal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Done,
    Failed,
    GivenUp,
}

/// One thing the customer wanted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Goal {
    /// "Downgrade business flights to economy": the customer's words where they
    /// could be matched to the call, else the tool's ("Reserve restaurant Sakoon").
    pub action: String,
    /// The tool's phrase ("Update reservation flights") when `action` is the
    /// customer's and the tool's words say more.
    pub tool_action: Option<String>,
    /// Why, from the call's `reason` argument: "damaged on arrival".
    pub reason: Option<String>,
    /// ("party size", "2"), ("date", "2019-03-03"): what the customer gave for it.
    pub facts: Vec<(String, String)>,
    pub status: Status,
    tool: String,
    /// The id values of a lookup whose arguments are all ids (`get_order(88412)`).
    lookup_ids: Vec<String>,
    /// Every scalar argument value of its calls.
    values: HashSet<String>,
    pub write: bool,
    /// The timeline step of its first call.
    pub step: usize,
}

impl Goal {
    /// The values of its calls' arguments that identify what they acted on (those
    /// with a digit or `#`: ids, order numbers, dates, amounts), sorted.
    pub(crate) fn identifying_values(&self) -> Vec<&str> {
        let mut values: Vec<&str> = self
            .values
            .iter()
            .map(String::as_str)
            .filter(|v| v.chars().any(|c| c.is_ascii_digit() || c == '#'))
            .collect();
        values.sort_unstable();
        values
    }

    /// What the goal's tool did, as a name says it after the customer's words:
    /// `send_certificate` → "certificate sent", `update_reservation_flights` →
    /// "reservation flights updated".
    fn done_phrase(&self) -> String {
        let words = identifier_words(&self.tool);
        let Some((verb, object)) = words.split_first() else {
            return self.label();
        };
        let participle = match verb.as_str() {
            "send" => "sent".to_owned(),
            "give" => "given".to_owned(),
            "make" => "made".to_owned(),
            "pay" => "paid".to_owned(),
            "buy" => "bought".to_owned(),
            "get" => "got".to_owned(),
            "put" | "set" => verb.clone(),
            "apply" => "applied".to_owned(),
            v if v.ends_with('e') => format!("{v}d"),
            v => format!("{v}ed"),
        };
        if object.is_empty() {
            return participle;
        }
        format!("{} {participle}", object.join(" "))
    }

    pub(crate) fn label(&self) -> String {
        match self.status {
            Status::Done => self.action.clone(),
            Status::Failed => format!("{} (failed)", self.action),
            Status::GivenUp => format!("{} (given up)", self.action),
        }
    }
}

/// The words of the customer's turns, lower case: what "the customer talked about"
/// is checked against, in constant time a value (so drafting stays linear).
struct Said {
    /// Hashes of the words (no string kept per word).
    words: HashSet<u64>,
    hasher: FxBuildHasher,
}

// Words as values are written: `#W4817735`, `2026-05-15`, `18:30`, `mia_li_3668`.
fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        !(c.is_alphanumeric() || matches!(c, '_' | '#' | '-' | '.' | '@' | ':' | '/' | '<' | '>'))
    })
    .map(|w| w.trim_end_matches(['.', ':', '-', '/']))
    .filter(|w| !w.is_empty())
}

impl Said {
    fn of(timeline: &Timeline) -> Said {
        let hasher = FxBuildHasher;
        let mut words = HashSet::default();
        for turn in timeline.customer_turns() {
            let lower = turn.to_lowercase();
            words.extend(words_of(&lower).map(|w| hasher.hash_one(w)));
            // "$1,730" is the amount 1730 (only a comma between digits makes one).
            if lower
                .as_bytes()
                .windows(3)
                .any(|w| w[1] == b',' && w[0].is_ascii_digit() && w[2].is_ascii_digit())
            {
                words.extend(words_of(&lower.replace(',', "")).map(|w| hasher.hash_one(w)));
            }
        }
        Said { words, hasher }
    }

    /// Whether every word of `value` is a word the customer wrote.
    fn mentions(&self, value: &str) -> bool {
        let value = value.trim().to_lowercase();
        let mut words = words_of(&value).peekable();
        words.peek().is_some() && words.all(|w| self.words.contains(&self.hasher.hash_one(w)))
    }
}

// A sentence that states a constraint or preference.
static CONSTRAINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)not before|not after|no later than|no earlier than|at least|at most|no more than|less than|more than|under \$|(?-u:\b)only(?-u:\b)|unless|instead|prefer|rather|(?-u:\b)not(?-u:\b)|first, then|must|has to|have to|do(?:n't| not) want|(?-u:\b)keep(?-u:\b)",
    )
    .expect("a valid regex")
});

// A sentence that states a request.
static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)i want|i'd like|i would like|i need|can you|could you|please|help me")
        .expect("a valid regex")
});

/// The most items an intent lists.
const MAX_ITEMS: usize = 16;

/// The most facts kept for one goal.
const MAX_FACTS: usize = 16;

/// The most constraint sentences kept.
const MAX_CONSTRAINTS: usize = 24;

// What a customer says when walking away from a goal.
static GIVE_UP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)never ?mind|forget (?:about )?it|leave it|do(?:n't| not) bother|too much|too expensive|not interested|i'll pass|skip it|do(?:n't| not) want to",
    )
    .expect("a valid regex")
});

/// The goals of the session, in order, and into `known` what the customer gave to be
/// identified (the arguments of the calls that are means, as it said them).
pub(crate) fn goals(timeline: &Timeline, known: &mut Vec<(String, String)>) -> Vec<Goal> {
    let said = Said::of(timeline);
    let has_calls = !timeline.calls.is_empty();
    let mut goals: Vec<Goal> = Vec::new();
    let mut words_by_tool: HashMap<&str, Vec<String>> = HashMap::default();
    // The customer's requests not yet matched to a goal, oldest first, and the
    // customer turns not yet read for requests: they are read only when a new goal
    // needs them, newest first and no further back than the pool holds, so a long
    // session with few goals reads few turns.
    let mut requests: Vec<Request> = Vec::new();
    let mut unread: Vec<&str> = Vec::new();
    // The goal of the latest call and whether a customer turn followed it.
    let mut last: Option<usize> = None;
    for (position, step) in timeline.steps.iter().enumerate() {
        match step {
            Step::Tool(index) => {
                let call = &timeline.calls[*index];
                if call.arguments.is_none() {
                    continue;
                }
                // Ids-only lookups are means only in view of later writes, so a
                // tool's words are worked out once and `is_means` once per call.
                let words = words_by_tool
                    .entry(call.name())
                    .or_insert_with(|| identifier_words(call.name()));
                if is_means(words, call.arguments.as_ref()) {
                    // What the customer gave to be identified is what it knows and
                    // gives when asked: "phone <PHONE_1>".
                    if known.len() < MAX_FACTS {
                        for fact in facts_of(call, &said) {
                            if known.len() < MAX_FACTS && !known.contains(&fact) {
                                known.push(fact);
                            }
                        }
                    }
                    continue;
                }
                let mut words = words.clone();
                while words.len() > 1 && GENERIC.contains(&words[0].as_str()) {
                    words.remove(0);
                }
                let write = is_write(&words);
                let succeeded = matches!(call.result, CallResult::Output(_) | CallResult::Missing);
                // Only writes' values are matched against earlier lookups' ids.
                let values = if write {
                    scalar_values(call)
                } else {
                    HashSet::default()
                };
                let at = match goals.iter().position(|g| g.tool == call.name()) {
                    Some(at) => {
                        let goal = &mut goals[at];
                        // More facts than an intent can show are not looked for.
                        if goal.facts.len() < MAX_FACTS {
                            for fact in facts_of(call, &said) {
                                if goal.facts.len() < MAX_FACTS && !goal.facts.contains(&fact) {
                                    goal.facts.push(fact);
                                }
                            }
                        }
                        if succeeded && (goal.status == Status::Failed || write) {
                            goal.status = Status::Done;
                        }
                        goal.values.extend(values);
                        at
                    }
                    None => {
                        let lookup_ids = if !write && ids_only(call.arguments.as_ref()) {
                            scalar_values(call).into_iter().collect()
                        } else {
                            Vec::new()
                        };
                        read_requests(&mut unread, &mut requests);
                        let tool_action = phrase(call, &words, &said);
                        let (action, tool_action) =
                            match customer_phrase(&mut requests, call, &words, &said) {
                                Some(action) => {
                                    // The tool's phrase joins the intent when it says
                                    // something the customer's words do not.
                                    let shown: HashSet<String> =
                                        words_of(&action).map(singular).collect();
                                    let adds = words.iter().any(|w| !shown.contains(&singular(w)));
                                    (action, adds.then_some(tool_action))
                                }
                                None => (tool_action, None),
                            };
                        goals.push(Goal {
                            action,
                            tool_action,
                            reason: reason_of(call),
                            facts: facts_of(call, &said),
                            status: if succeeded {
                                Status::Done
                            } else {
                                Status::Failed
                            },
                            tool: call.name().to_owned(),
                            lookup_ids,
                            values,
                            write,
                            step: position,
                        });
                        goals.len() - 1
                    }
                };
                last = (!write).then_some(at);
            }
            Step::Said {
                speaker: Speaker::Customer,
                text,
                ..
            } => {
                if let Some(at) = last.take()
                    && GIVE_UP.is_match(text)
                    && goals[at].status == Status::Done
                {
                    goals[at].status = Status::GivenUp;
                }
                if has_calls {
                    unread.push(text);
                }
            }
            _ => {}
        }
    }
    // A lookup by id of what a later write acts on fetched the record to act on it.
    let acted_on: Vec<(usize, &HashSet<String>)> = goals
        .iter()
        .enumerate()
        .filter(|(_, g)| g.write)
        .map(|(i, g)| (i, &g.values))
        .collect();
    let keep: Vec<bool> = goals
        .iter()
        .enumerate()
        .map(|(i, goal)| {
            goal.lookup_ids.is_empty()
                || !acted_on.iter().any(|(j, values)| {
                    *j > i && goal.lookup_ids.iter().any(|id| values.contains(id))
                })
        })
        .collect();
    let mut keep = keep.into_iter();
    goals.retain(|_| keep.next().unwrap_or(true));
    goals
}

fn reason_of(call: &Call) -> Option<String> {
    let Some(Payload::Json(Value::Object(map))) = &call.arguments else {
        return None;
    };
    let reason = map.get("reason")?.as_str()?.trim();
    if reason.is_empty() {
        return None;
    }
    let reason = if reason.contains(char::is_whitespace) {
        reason.to_owned()
    } else {
        identifier_words(reason).join(" ")
    };
    Some(shorten(&collapse_whitespace(&reason), 80))
}

fn scalar_values(call: &Call) -> HashSet<String> {
    let Some(Payload::Json(Value::Object(map))) = &call.arguments else {
        return HashSet::default();
    };
    map.values()
        .filter_map(|value| match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
        .collect()
}

// Whether every argument is an id (`order_id`, `reservation_number`), and there is one.
fn ids_only(arguments: Option<&Payload>) -> bool {
    match arguments {
        Some(Payload::Json(Value::Object(map))) if !map.is_empty() => map.keys().all(|key| {
            identifier_words(key).last().is_some_and(|w| {
                matches!(w.as_str(), "id" | "ids" | "number" | "no" | "code" | "ref")
            })
        }),
        _ => false,
    }
}

// The arguments the customer gave for a call: "party size 2", "city San Jose".
// Ids, numbers and codes count only when the customer said them; nested values,
// booleans and long texts are left to the journey.
fn facts_of(call: &Call, said: &Said) -> Vec<(String, String)> {
    let Some(Payload::Json(Value::Object(map))) = &call.arguments else {
        return Vec::new();
    };
    let mut facts = Vec::new();
    for (key, value) in map {
        let text = match value {
            Value::String(text) if !text.trim().is_empty() && chars(text) <= 60 => {
                collapse_whitespace(text)
            }
            Value::Number(number) => number.to_string(),
            _ => continue,
        };
        let words = identifier_words(key);
        let is_id = words.last().is_some_and(|w| {
            matches!(
                w.as_str(),
                "id" | "number" | "no" | "num" | "ref" | "reference" | "code"
            )
        }) || (text.contains('_') && text.chars().any(|c| c.is_ascii_digit()));
        if is_id && !said.mentions(&text) {
            continue;
        }
        facts.push((said.mentions(&text), words.join(" "), text));
    }
    // What the customer said in its own words first, then what the agent filled in.
    facts.sort_by_key(|(said, _, _)| !*said);
    facts
        .into_iter()
        .map(|(_, key, value)| (key, value))
        .collect()
}

// Verbs that name the same kind of goal, so that a customer's "downgrade" is matched
// to an `update_reservation_flights` call. A verb may sit in more than one group.
const VERB_GROUPS: &[&[&str]] = &[
    &[
        "browse", "check", "fetch", "find", "get", "list", "locate", "look", "lookup", "query",
        "retrieve", "search", "see", "show", "view",
    ],
    &[
        "add", "book", "buy", "create", "get", "hire", "make", "order", "place", "purchase",
        "rent", "reserve", "schedule", "set",
    ],
    &["move", "pay", "send", "transfer", "wire"],
    &["listen", "play", "start", "stream", "watch"],
    &[
        "adjust",
        "change",
        "downgrade",
        "edit",
        "modify",
        "move",
        "replace",
        "reschedule",
        "swap",
        "switch",
        "update",
        "upgrade",
    ],
    &["cancel", "delete", "drop", "remove", "stop", "void"],
    &["exchange", "refund", "return"],
];

// Words after which a verb is a request ("can you book", "I need to cancel", "please
// check"), rather than a noun ("the transfer", "my return flight").
const BEFORE_VERB: &[&str] = &[
    "also", "and", "can", "could", "i", "just", "let's", "lets", "me", "please", "pls", "then",
    "to", "us", "wanna", "we", "you",
];

// Words that end a request's object: "transfer $50 to Sam | and then ...".
const OBJECT_END: &[&str] = &[
    "also", "and", "as", "because", "but", "cause", "if", "like", "or", "please", "since", "so",
    "thank", "thanks", "that", "then", "when", "where", "which", "while", "who",
];

// Words dropped at the start of an object: "all my business flights" → "business
// flights", "me a table" → "a table".
const OBJECT_SKIP: &[&str] = &[
    "all", "just", "me", "my", "our", "please", "some", "the", "them", "this", "us", "your",
];

// Words that never end a phrase ("transfer $50 to"), and pronouns that alone
// name nothing ("book it").
const DANGLING: &[&str] = &[
    "a", "an", "at", "for", "from", "in", "it", "me", "my", "of", "on", "our", "that", "the",
    "them", "this", "to", "us", "with", "your",
];

// Words before a request that say it is not one: "I don't want to buy tickets".
const NEGATIONS: &[&str] = &[
    "can't", "cannot", "didn't", "don't", "dont", "never", "no", "not", "won't",
];

/// The most requests waiting for a goal; older ones give way, so matching stays
/// constant per goal and drafting linear.
const MAX_REQUESTS: usize = 32;

/// The most words of a request's object.
const MAX_OBJECT_WORDS: usize = 10;

/// Something the customer asked for, in its own words: "downgrade" + "business
/// flights to economy".
struct Request {
    /// The verb as the lexicon spells it ("look" for "looking for").
    head: &'static str,
    /// The verb as the name shows it: "downgrade", "look for".
    verb: String,
    /// The object's words as written.
    object: Vec<String>,
    /// The object's words, lower case, singular: matched against the tool's nouns.
    stems: Vec<String>,
}

// Every verb of [`VERB_GROUPS`] and [`WRITE_VERBS`], sorted, for a binary search.
static VERBS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut verbs: Vec<&'static str> = VERB_GROUPS
        .iter()
        .flat_map(|group| group.iter())
        .chain(WRITE_VERBS)
        .copied()
        .collect();
    verbs.sort_unstable();
    verbs.dedup();
    verbs
});

fn is_verb(word: &str) -> Option<&'static str> {
    if !(2..=10).contains(&word.len()) {
        return None;
    }
    VERBS.binary_search(&word).ok().map(|at| VERBS[at])
}

// A crude singular: "flights" → "flight", "buses" → "bus", "deliveries" → "delivery".
fn singular(word: &str) -> String {
    let w = word.to_lowercase();
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        format!("{}y", &w[..n - 3])
    } else if n > 4
        && ["ses", "xes", "ches", "shes"]
            .iter()
            .any(|e| w.ends_with(e))
    {
        w[..n - 2].to_owned()
    } else if n > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w[..n - 1].to_owned()
    } else {
        w
    }
}

// The words of a turn, `None` between sentences and clauses. A comma, point or colon
// between digits belongs to the word ("$1,730", "10:30").
fn request_tokens<'a>(text: &'a str, out: &mut Vec<Option<&'a str>>) {
    for piece in text.split_whitespace() {
        let bytes = piece.as_bytes();
        let mut start = 0;
        for (i, c) in piece.char_indices() {
            let cut = match c {
                '!' | '?' | ';' | '(' | ')' | '"' | '“' | '”' => true,
                '.' | ',' | ':' => {
                    !(i > 0
                        && bytes[i - 1].is_ascii_digit()
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
                }
                _ => false,
            };
            if cut {
                if start < i {
                    out.push(Some(&piece[start..i]));
                }
                out.push(None);
                start = i + c.len_utf8();
            }
        }
        if start < piece.len() {
            out.push(Some(&piece[start..]));
        }
    }
    out.push(None);
}

// Reads the unread turns' requests into the pool: the same pool as reading every
// turn in order (the oldest give way beyond [`MAX_REQUESTS`]), reading only the
// newest turns that fill it.
fn read_requests(unread: &mut Vec<&str>, requests: &mut Vec<Request>) {
    let mut fresh: Vec<Vec<Request>> = Vec::new();
    let mut count = 0;
    for text in unread.iter().rev() {
        if count >= MAX_REQUESTS {
            break;
        }
        let mut found = Vec::new();
        requests_of(text, &mut found);
        count += found.len();
        fresh.push(found);
    }
    unread.clear();
    for found in fresh.into_iter().rev() {
        for request in found {
            if requests.len() == MAX_REQUESTS {
                requests.remove(0);
            }
            requests.push(request);
        }
    }
}

/// Adds the requests a customer turn states ("check my savings balance and then
/// transfer $1,730 to a friend" states two) to `requests`.
fn requests_of(text: &str, requests: &mut Vec<Request>) {
    let mut tokens = Vec::new();
    request_tokens(text, &mut tokens);
    // Lower case once per turn; an ASCII turn keeps its byte offsets in lower case,
    // so its lower-case words are slices at the same places.
    let ascii = text.is_ascii();
    let lowered = if ascii {
        text.to_ascii_lowercase()
    } else {
        String::new()
    };
    let owned: Vec<Option<String>> = if ascii {
        Vec::new()
    } else {
        tokens
            .iter()
            .map(|t| t.map(|t| t.to_lowercase().replace('’', "'")))
            .collect()
    };
    let word = |i: usize| -> Option<&str> {
        if ascii {
            let token = tokens.get(i).copied().flatten()?;
            let start = token.as_ptr() as usize - text.as_ptr() as usize;
            lowered.get(start..start + token.len())
        } else {
            owned.get(i).and_then(|w| w.as_deref())
        }
    };
    let mut i = 0;
    while i < tokens.len() {
        let Some(current) = word(i) else {
            i += 1;
            continue;
        };
        // "looking for a restaurant", "searching for a bus"; a question about
        // something ("what's the balance of my savings account?") asks to check it.
        let (head, mut next, mut verb) = match (current, word(i + 1)) {
            ("looking", Some("for")) => (Some("look"), i + 2, "look for"),
            ("searching", Some("for")) => (Some("search"), i + 2, "search for"),
            ("what's" | "whats" | "how's", _) => (Some("check"), i + 1, "check"),
            ("what" | "how", Some("is" | "are")) => (Some("check"), i + 2, "check"),
            _ => (is_verb(current), i + 1, ""),
        };
        let Some(head) = head else {
            i += 1;
            continue;
        };
        let placed = i == 0
            || word(i - 1).is_none_or(|before| BEFORE_VERB.contains(&before))
            || !verb.is_empty();
        let negated =
            (i.saturating_sub(4)..i).any(|j| word(j).is_some_and(|w| NEGATIONS.contains(&w)));
        if !placed || negated {
            i += 1;
            continue;
        }
        if verb.is_empty() {
            verb = head;
        }
        let mut verb = verb.to_owned();
        if matches!(
            (head, word(next)),
            ("look", Some("for" | "up")) | ("search" | "check", Some("for"))
        ) && !verb.contains(' ')
        {
            verb.push(' ');
            verb.push_str(word(next).unwrap_or_default());
            next += 1;
        }
        while word(next).is_some_and(|w| OBJECT_SKIP.contains(&w)) {
            next += 1;
        }
        let mut end = next;
        while end < tokens.len()
            && end - next < MAX_OBJECT_WORDS
            && word(end).is_some_and(|w| !OBJECT_END.contains(&w))
        {
            end += 1;
        }
        while end > next && word(end - 1).is_some_and(|w| DANGLING.contains(&w)) {
            end -= 1;
        }
        if end > next {
            if requests.len() == MAX_REQUESTS {
                requests.remove(0);
            }
            requests.push(Request {
                head,
                verb,
                object: tokens[next..end]
                    .iter()
                    .flatten()
                    .map(|w| (*w).to_owned())
                    .collect(),
                stems: (next..end).filter_map(word).map(singular).collect(),
            });
        }
        i = end.max(i + 1);
    }
}

/// The goal of `call` phrased in the customer's words: the first request not yet
/// matched whose verb is the tool's verb or one of its group ([`VERB_GROUPS`]) and
/// whose object names one of the tool's nouns ("downgrade all my business flights to
/// economy" for `update_reservation_flights`), or, for the tool's very verb, a value
/// of the call's arguments ("transfer $1,730 to a friend" for `transfer_funds` with
/// `amount: 1730`). The identifying argument the customer gave joins its noun
/// ("cancel my reservation" → "Cancel reservation Z7GOZK").
fn customer_phrase(
    requests: &mut Vec<Request>,
    call: &Call,
    words: &[String],
    said: &Said,
) -> Option<String> {
    let (tool_verb, nouns) = words.split_first()?;
    let nouns: Vec<String> = nouns.iter().map(|n| singular(n)).collect();
    let arguments = match &call.arguments {
        Some(Payload::Json(Value::Object(map))) => Some(map),
        _ => None,
    };
    let mut values: HashSet<String> = HashSet::default();
    for value in arguments.into_iter().flat_map(|m| m.values()) {
        let text = match value {
            Value::String(text) => text.to_lowercase(),
            Value::Number(number) => number.to_string(),
            _ => continue,
        };
        values.extend(
            words_of(&text)
                .filter(|w| w.len() > 2 || w.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_owned),
        );
    }
    let at = requests.iter().position(|request| {
        let same = request.head == tool_verb;
        let grouped = same
            || VERB_GROUPS
                .iter()
                .any(|g| g.contains(&request.head) && g.contains(&tool_verb.as_str()));
        if !grouped {
            return false;
        }
        let names_a_noun = request.stems.iter().any(|s| nouns.contains(s));
        let names_a_value = request.stems.iter().any(|s| {
            values.contains(s)
                || (s.starts_with('$') || s.contains(','))
                    && values.contains(&s.trim_start_matches('$').replace(',', ""))
        });
        names_a_noun || ((same || nouns.is_empty()) && names_a_value)
    })?;
    let request = requests.remove(at);
    let mut object = request.object;
    if let Some((noun, value)) = arguments.and_then(|map| identifying_argument(map, words, said)) {
        let value_lower = value.to_lowercase();
        let noun = noun.rsplit(' ').next().map(singular).unwrap_or_default();
        let shown = object.iter().any(|w| w.to_lowercase() == value_lower);
        if !shown
            && !noun.is_empty()
            && let Some(at) = request.stems.iter().rposition(|s| *s == noun)
        {
            object.insert(at + 1, value);
        }
    }
    let action = format!("{} {}", request.verb, object.join(" "));
    Some(capitalize(&shorten(&collapse_whitespace(&action), 70)))
}

fn phrase(call: &Call, words: &[String], said: &Said) -> String {
    let arguments = match &call.arguments {
        Some(Payload::Json(Value::Object(map))) => Some(map),
        _ => None,
    };
    let object = arguments.and_then(|map| identifying_argument(map, words, said));
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
    capitalize(&shorten(&collapse_whitespace(&action), 70))
}

// The argument that names what was acted on, among those the customer talked
// about: `order_id: 88412` is ("order", "88412"), `restaurant_name: Sakoon` is
// ("restaurant", "Sakoon").
fn identifying_argument(
    map: &serde_json::Map<String, Value>,
    action_words: &[String],
    said: &Said,
) -> Option<(String, String)> {
    for (key, value) in map {
        let value = match value {
            Value::String(text) if !text.trim().is_empty() && chars(text) <= 40 => {
                collapse_whitespace(text)
            }
            Value::Number(number) if number.is_u64() || number.is_i64() => number.to_string(),
            _ => continue,
        };
        if !said.mentions(&value) {
            continue;
        }
        let words = identifier_words(key);
        let Some((last, stem)) = words.split_last() else {
            continue;
        };
        if !matches!(
            last.as_str(),
            "id" | "number" | "no" | "num" | "ref" | "reference" | "code" | "name" | "title"
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
        // The customer's own ids identify the customer, not what was acted on, and
        // so do the parts of a person's name (`first_name`: not "for first Siobhan").
        let person_name = last == "name"
            && matches!(stem, [part] if matches!(
                part.as_str(),
                "first" | "last" | "given" | "family" | "full" | "middle" | "sur" | "maiden"
                    | "nick" | "passenger" | "person" | "holder" | "cardholder"
            ));
        if person_name || stem.iter().any(|w| PARTY_NOUNS.contains(&w.as_str())) {
            continue;
        }
        return Some((noun, value));
    }
    None
}

/// The customer's sentences that state a constraint or preference ("not before
/// 11am", "only if it has not shipped"), then those that state a request ("I want
/// to return the blender"), each in the order said.
pub(crate) fn constraints(timeline: &Timeline) -> Vec<String> {
    let mut constraints = Vec::new();
    let mut requests = Vec::new();
    let mut seen = HashSet::default();
    for turn in timeline.customer_turns() {
        for sentence in turn.split_inclusive(['.', '!', '?', ';']) {
            let sentence = sentence.trim();
            if sentence.len() < 8 || !(CONSTRAINT.is_match(sentence) || REQUEST.is_match(sentence))
            {
                continue;
            }
            let sentence = &collapse_whitespace(sentence);
            if is_filler(sentence) {
                continue;
            }
            let list = if CONSTRAINT.is_match(sentence) {
                &mut constraints
            } else if REQUEST.is_match(sentence) {
                &mut requests
            } else {
                continue;
            };
            if list.len() < MAX_CONSTRAINTS && seen.insert(sentence.to_owned()) {
                list.push(strip_greeting(sentence).to_owned());
            }
        }
    }
    constraints.extend(requests);
    constraints
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

/// One thing the customer wanted, in the order said: a goal a tool call stands for,
/// or an ask no tool call stands for ([`crate::asks`]), with the write goal that
/// answered it (the certificate sent for compensation asked, the date change
/// accepted instead of a refused refund).
#[derive(Debug, Clone)]
pub(crate) enum Item<'g> {
    Goal(&'g Goal),
    Ask {
        ask: &'g Ask,
        /// The complaint that compensation is asked for.
        because: Option<&'g Ask>,
        answered_by: Option<&'g Goal>,
        /// What the complaint is about ("delayed flight HAT039 ATL→SEA"), worked
        /// out once for the name and the intent.
        object: Option<String>,
    },
}

/// The goals and asks merged in the order said. Compensation asked for, and a
/// fallback accepted after a refusal, take the first write goal that follows them
/// before the customer asks anything else; a complaint right before compensation is
/// its cause.
pub(crate) fn items<'g>(goals: &'g [Goal], asks: &'g [Ask]) -> Vec<Item<'g>> {
    let mut taken = vec![false; goals.len()];
    // The complaint each compensation is asked for: the latest complaint before it
    // with no goal between (questions may stand between: "Why was it late?").
    let mut cause: Vec<Option<usize>> = vec![None; asks.len()];
    let mut is_cause = vec![false; asks.len()];
    for (i, ask) in asks.iter().enumerate() {
        if ask.kind != AskKind::Compensation {
            continue;
        }
        let complaint = (0..i).rev().find(|&j| asks[j].kind == AskKind::Complaint);
        if let Some(j) = complaint
            && !is_cause[j]
            && !goals
                .iter()
                .any(|g| g.step > asks[j].step && g.step < ask.step)
        {
            cause[i] = Some(j);
            is_cause[j] = true;
        }
    }
    // Ordered by step, and within a turn by the order said.
    let mut items: Vec<((usize, usize), Item<'g>)> = Vec::new();
    for (i, ask) in asks.iter().enumerate() {
        if is_cause[i] {
            continue;
        }
        // What follows it, up to the customer's next ask of something else.
        let next_ask_step = asks[i + 1..]
            .iter()
            .find(|next| next.kind != AskKind::Question || next.step > ask.step)
            .map_or(usize::MAX, |next| next.step.max(ask.step + 1));
        // A complaint is answered by a write on what it names ("the blender from
        // order #W48 arrived broken" → the return of order #W48).
        let named = (ask.kind == AskKind::Complaint)
            .then(|| complaint_id(&ask.text))
            .flatten();
        let answers = |g: &Goal| match ask.kind {
            AskKind::Compensation | AskKind::Fallback => true,
            AskKind::Complaint => named
                .as_ref()
                .is_some_and(|id| g.label().contains(id.as_str())),
            _ => false,
        };
        let answered_by = goals
            .iter()
            .enumerate()
            .find(|(j, g)| {
                !taken[*j] && g.write && g.step > ask.step && g.step < next_ask_step && answers(g)
            })
            .map(|(j, g)| {
                taken[j] = true;
                g
            });
        let because = cause[i].map(|j| &asks[j]);
        let step = because.map_or(ask.step, |b| b.step);
        let object = match ask.kind {
            AskKind::Compensation => because
                .and_then(|b| complaint_object(&b.text))
                .or_else(|| complaint_object(&ask.text)),
            AskKind::Complaint if answered_by.is_none() => complaint_object(&ask.text),
            _ => None,
        };
        items.push((
            (step, cause[i].unwrap_or(i)),
            Item::Ask {
                ask,
                because,
                answered_by,
                object,
            },
        ));
    }
    for (j, goal) in goals.iter().enumerate() {
        if !taken[j] {
            items.push(((goal.step, usize::MAX), Item::Goal(goal)));
        }
    }
    items.sort_by_key(|(step, _)| *step);
    items.into_iter().map(|(_, item)| item).collect()
}

// "flight HAT039", "order #W4817735": what a complaint is about.
static OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(flight|order|reservation|booking|ticket|item|package|parcel|account|invoice|bill|claim|case|room)\s+(#?[A-Z0-9][A-Z0-9\-]{2,})",
    )
    .expect("a valid regex")
});

// "ATL to SEA", "ATL-SEA": a route.
static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([A-Z]{3})(?:\s*(?:to|-|→|–)\s*|\)?\s*\(?)([A-Z]{3})(?-u:\b)")
        .expect("a valid regex")
});

// The word that says what went wrong, as an adjective.
fn problem_word(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    [
        ("delay", "delayed"),
        ("late", "delayed"),
        ("broke", "broken"),
        ("damaged", "damaged"),
        ("cracked", "damaged"),
        ("defective", "defective"),
        ("faulty", "defective"),
        ("work", "defective"),
        ("never arrived", "missing"),
        ("arrive", "missing"),
        ("missing", "missing"),
        ("overcharged", "overcharged"),
        ("charged", "overcharged"),
        ("wrong", "wrong"),
    ]
    .iter()
    .find(|(cue, _)| lower.contains(cue))
    .map(|(_, word)| *word)
}

// An identifier written alone: letters and digits ("HAT326", "#W4817735").
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)#?[A-Z]{1,4}-?\d{2,}[A-Z0-9]*(?-u:\b)").expect("a valid regex")
});

// The thing and the identifier of a complaint's object ("flight", "HAT039"), read
// from the match itself: the thing is its first word, the identifier its last (no
// capturing search, the slow one).
fn object_of(text: &str) -> Option<(&str, &str)> {
    let found = OBJECT.find(text)?.as_str();
    let (thing, rest) = found.split_once(char::is_whitespace)?;
    Some((thing, rest.trim_start()))
}

// The two airports of a route ("ATL to SEA"): the first and the last three letters
// of the match.
fn route_of(text: &str) -> Option<(&str, &str)> {
    let found = ROUTE.find(text)?.as_str();
    Some((found.get(..3)?, found.get(found.len().checked_sub(3)?..)?))
}

/// The identifier a complaint names: "#W4817735", "HAT039".
fn complaint_id(text: &str) -> Option<String> {
    match object_of(text) {
        Some((_, id)) => Some(id.to_owned()),
        None => CODE.find(text).map(|m| m.as_str().to_owned()),
    }
}

/// What a complaint is about, for a name: "delayed flight HAT039 ATL→SEA" (the
/// thing and its identifier, else the identifier alone: "delayed HAT326").
fn complaint_object(text: &str) -> Option<String> {
    let (thing, id) = match object_of(text) {
        Some((thing, id)) => (Some(thing.to_lowercase()), id.to_owned()),
        None => (None, CODE.find(text)?.as_str().to_owned()),
    };
    let mut out = String::new();
    if let Some(word) = problem_word(text) {
        out.push_str(word);
        out.push(' ');
    }
    if let Some(thing) = thing {
        out.push_str(&thing);
        out.push(' ');
    }
    out.push_str(&id);
    if let Some((from, to)) = route_of(text)
        && from != id
    {
        out.push_str(&format!(" {from}→{to}"));
    }
    Some(out)
}

// What a refused request asked for, for a name: its verb and what it names ("Cancel
// reservation MAQUTR"), else its first clause without the asking words ("Price
// match").
fn refused_phrase(text: &str) -> Option<String> {
    const ASKING: &[&str] = &[
        "and", "also", "please", "do", "you", "can", "could", "will", "would", "i", "want", "i'd",
        "like", "to", "need", "the", "my",
    ];
    let first_clause = text.split(['.', '?', '!', ',', ':', ';']).next()?;
    // The verb is looked for only when the request names a thing.
    let object = object_of(text);
    let verb = object.as_ref().and_then(|_| {
        text.split(|c: char| !c.is_alphabetic())
            .find(|word| is_verb(&word.to_lowercase()).is_some())
            .map(str::to_lowercase)
    });
    let phrase = match (verb, object) {
        (Some(verb), Some((thing, id))) => format!("{verb} {} {id}", thing.to_lowercase()),
        _ => first_clause
            .split_whitespace()
            .skip_while(|word| ASKING.contains(&word.to_lowercase().as_str()))
            .take(6)
            .collect::<Vec<_>>()
            .join(" "),
    };
    let mut phrase = phrase.trim().to_owned();
    // "cancel it and give me my money back" asks for a refund too.
    let lower = text.to_lowercase();
    if !phrase.to_lowercase().contains("refund")
        && ["refund", "money back", "reimburse"]
            .iter()
            .any(|w| lower.contains(w))
    {
        phrase.push_str(" with a refund");
    }
    (!phrase.is_empty()).then(|| capitalize(&phrase))
}

fn unquoted(text: &str) -> String {
    text.trim_end_matches(['.', '!']).trim().to_owned()
}

impl Item<'_> {
    /// The item's phrase in a name, or None when a name leaves it out (questions
    /// and fallbacks, which the intent holds).
    fn name_phrase(&self) -> Option<String> {
        match self {
            Item::Goal(goal) => Some(goal.label()),
            Item::Ask {
                ask,
                answered_by,
                object,
                ..
            } => {
                let phrase = match ask.kind {
                    AskKind::Compensation => match object {
                        Some(object) => format!("Compensation for {object}"),
                        None => "Compensation".to_owned(),
                    },
                    // The write that answered it says the goal: "Return the blender
                    // from order #W48 (broken)".
                    AskKind::Complaint => match (answered_by, problem_word(&ask.text)) {
                        (Some(goal), Some(problem)) => {
                            return Some(format!("{} ({problem})", goal.label()));
                        }
                        (Some(goal), None) => return Some(goal.label()),
                        (None, _) => format!("Complaint about {}", object.as_ref()?),
                    },
                    AskKind::Refused => format!("{} (refused)", refused_phrase(&ask.text)?),
                    AskKind::Question | AskKind::Fallback => return None,
                };
                Some(match answered_by {
                    Some(goal) => format!("{phrase} ({})", goal.done_phrase()),
                    None => phrase,
                })
            }
        }
    }

    /// The item in the intent.
    fn intent_phrase(&self) -> String {
        match self {
            Item::Goal(goal) => {
                let mut label = lower_first(&shorten(&goal.label(), 80));
                if let Some(tool) = &goal.tool_action {
                    label.push_str(" [");
                    label.push_str(&lower_first(&shorten(tool, 60)));
                    label.push(']');
                }
                label
            }
            Item::Ask {
                ask,
                because,
                answered_by,
                object,
            } => {
                let quote = |text: &str| format!("\"{}\"", shorten_at_word(&unquoted(text), 70));
                let mut out = match ask.kind {
                    AskKind::Compensation => {
                        let mut out = match object {
                            Some(object) => format!("compensation for {object}"),
                            None => "compensation".to_owned(),
                        };
                        if let Some(because) = because {
                            out.push_str(&format!(", complaining {}", quote(&because.text)));
                        }
                        out
                    }
                    AskKind::Complaint => format!("complains {}", quote(&ask.text)),
                    AskKind::Question => format!("asks {}", quote(&ask.text)),
                    AskKind::Refused => {
                        format!("asks {} (refused by policy)", quote(&ask.text))
                    }
                    AskKind::Fallback => format!("accepts instead {}", quote(&ask.text)),
                };
                if let Some(goal) = answered_by {
                    out.push_str(&format!(" [{}]", lower_first(&shorten(&goal.label(), 60))));
                }
                out
            }
        }
    }

    fn facts(&self) -> &[(String, String)] {
        match self {
            Item::Goal(goal) => &goal.facts,
            Item::Ask {
                answered_by: Some(goal),
                ..
            } => &goal.facts,
            Item::Ask { .. } => &[],
        }
    }
}

/// `text` within `max` characters, cut after a whole word (an ellipsis never stands
/// inside a word).
fn shorten_at_word(text: &str, max: usize) -> String {
    if chars(text) <= max {
        return text.to_owned();
    }
    let limit = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(text.len(), |(at, _)| at);
    match text[..limit].rfind(' ') {
        Some(space) if space > 0 => format!("{}…", text[..space].trim_end_matches([',', ';'])),
        _ => shorten(text, max),
    }
}

/// The draft's name: the main goal first (compensation asked for, when the
/// customer asked for it), then the others in order (at most three in all), and the
/// outcome, within [`feather_types::limits::NAME_MAX`] characters.
pub(crate) fn name(
    items: &[Item<'_>],
    quotes: &[String],
    outcome: Option<&str>,
    channel: &str,
    max: usize,
) -> String {
    // The main item first, then the others in order; a name shows at most three,
    // so phrases are made for the first few only (a long session has many items).
    let main = items.iter().position(
        |item| matches!(item, Item::Ask { ask, .. } if ask.kind == AskKind::Compensation),
    );
    let ordered = main.map(|at| &items[at]).into_iter().chain(
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != main)
            .map(|(_, item)| item),
    );
    let mut phrases: Vec<String> = Vec::new();
    let mut more = false;
    for item in ordered {
        if phrases.len() == 4 {
            more = true;
            break;
        }
        if let Some(phrase) = item.name_phrase() {
            phrases.push(phrase);
        }
    }
    let goals: Vec<&Goal> = items
        .iter()
        .filter_map(|item| match item {
            Item::Goal(goal) => Some(*goal),
            _ => None,
        })
        .collect();
    let outcome = outcome.map(|o| format!(" ({})", shorten(o, 40)));
    let room = max.saturating_sub(outcome.as_deref().map_or(0, chars));
    let subject = if let [goal] = goals.as_slice()
        && phrases.len() == 1
        && let Some(reason) = &goal.reason
        && chars(&goal.label()) + chars(reason) + 2 <= 70
    {
        format!("{}, {reason}", goal.label())
    } else if phrases.is_empty() {
        match quotes.first() {
            Some(quote) => capitalize(&shorten_at_word(quote, 60)),
            None => format!(
                "Conversation over {}",
                shorten(&collapse_whitespace(channel), 30)
            ),
        }
    } else {
        let mut subject = String::new();
        let mut shown = 0;
        for (i, phrase) in phrases.iter().enumerate().take(3) {
            let phrase = if i == 0 {
                shorten_at_word(phrase, room.min(70))
            } else {
                lower_first(&shorten_at_word(phrase, 60))
            };
            let piece = if i == 0 {
                phrase
            } else {
                format!(", then {phrase}")
            };
            if i > 0 && chars(&subject) + chars(&piece) + " and more".len() > room {
                break;
            }
            subject.push_str(&piece);
            shown += 1;
        }
        if (phrases.len() > shown || more) && chars(&subject) + " and more".len() <= room {
            subject.push_str(" and more");
        }
        subject
    };
    let subject = if subject.trim().is_empty() {
        "Conversation".to_owned()
    } else {
        subject
    };
    let name = match outcome {
        Some(outcome) => format!("{subject}{outcome}"),
        None => subject,
    };
    shorten_at_word(&name, max)
}

/// The draft's intent: every goal and ask with its facts, the stated constraints,
/// then the customer's own words, within `max` characters.
pub(crate) fn intent(
    items: &[Item<'_>],
    known: &[(String, String)],
    constraints: &[String],
    quotes: &[String],
    outcome: Option<&str>,
    channel: &str,
    max: usize,
) -> String {
    // The customer's other words are quoted only when nothing else says what it
    // wants: a brief, not a transcript.
    let quotes: &[String] = if items.is_empty() { quotes } else { &[] };
    let mut out = String::new();
    let push = |out: &mut String, piece: &str| -> bool {
        if chars(out) + chars(piece) <= max {
            out.push_str(piece);
            true
        } else {
            false
        }
    };
    // Questions are said after the wants, as room remains: they take no room from
    // the facts of what the customer wants done.
    let (questions, items): (Vec<&Item<'_>>, Vec<&Item<'_>>) = items
        .iter()
        .partition(|item| matches!(item, Item::Ask { ask, .. } if ask.kind == AskKind::Question));
    if !items.is_empty() {
        out.push_str(if items.len() == 1 {
            "The customer wants to: "
        } else {
            "The customer wants, in order: "
        });
        // Every item's phrase first, so that all of them fit; facts after, as room
        // allows.
        // No more items than 500 characters can hold.
        let items = &items[..items.len().min(MAX_ITEMS)];
        let labels: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let label = item.intent_phrase();
                if items.len() == 1 {
                    label
                } else {
                    format!("{}) {label}", i + 1)
                }
            })
            .collect();
        // The items take at most three fifths, so the customer's stated requests and
        // constraints keep room.
        let room_per_item = (max * 3 / 5).saturating_sub(chars(&out)) / items.len().max(1);
        for (i, (item, label)) in items.iter().zip(&labels).enumerate() {
            let mut piece = if i == 0 {
                String::new()
            } else {
                "; ".to_owned()
            };
            piece.push_str(label);
            let mut facts = String::new();
            for (key, value) in item.facts() {
                // A value already said (in a label or an earlier goal) is not repeated.
                if out.contains(value.as_str())
                    || piece.contains(value.as_str())
                    || facts.contains(value.as_str())
                {
                    continue;
                }
                let next = if facts.is_empty() {
                    format!(" ({key} {value}")
                } else {
                    format!(", {key} {value}")
                };
                if chars(&piece) + chars(&facts) + chars(&next) + 1 > room_per_item {
                    break;
                }
                facts.push_str(&next);
            }
            if !facts.is_empty() {
                facts.push(')');
            }
            piece.push_str(&facts);
            if !push(&mut out, &piece) {
                let room = max.saturating_sub(chars(&out) + 1);
                if room > 12 {
                    out.push_str(&shorten(&piece, room));
                }
                break;
            }
        }
        push(&mut out, ".");
    }
    // What the customer gives when asked to identify itself.
    let mut told = false;
    for (key, value) in known {
        if out.contains(value.as_str()) {
            continue;
        }
        let piece = if told {
            format!(", {key} {value}")
        } else {
            format!(" It gives when asked: {key} {value}")
        };
        if chars(&out) + chars(&piece) + 2 > max * 4 / 5 {
            break;
        }
        out.push_str(&piece);
        told = true;
    }
    if told {
        push(&mut out, ".");
    }
    let mut asked = false;
    for question in questions {
        let Item::Ask { ask, .. } = question else {
            continue;
        };
        let lead = if asked {
            ", "
        } else if out.is_empty() {
            "The customer asks: "
        } else {
            " The customer asks: "
        };
        let piece = format!("{lead}\"{}\"", shorten_at_word(&unquoted(&ask.text), 70));
        if chars(&out) + chars(&piece) < max {
            out.push_str(&piece);
            asked = true;
        }
    }
    if asked {
        push(&mut out, ".");
    }
    // Constraints, then quotes, whole or not at all (the first may be shortened); a
    // sentence an item already quotes is not quoted again.
    let mut first = true;
    for (lead, list) in [(" Stated: ", constraints), (" The customer says: ", quotes)] {
        let mut started = false;
        for item in list {
            let item = item.trim_end_matches('.').trim_end();
            if item.is_empty()
                || out.contains(item)
                || (lead.starts_with(" The") && out.contains(item))
            {
                continue;
            }
            let lead = if !started { lead } else { ", " };
            let lead = if out.is_empty() {
                lead.trim_start()
            } else {
                lead
            };
            let piece = format!("{lead}\"{item}\"");
            let room = max.saturating_sub(chars(&out) + 1);
            if chars(&piece) <= room {
                out.push_str(&piece);
                started = true;
            } else if first && room > 40 {
                out.push_str(&shorten(&piece, room.saturating_sub(1)));
                out.push('"');
                started = true;
                first = false;
                break;
            } else {
                // A shorter one further on may still fit.
                continue;
            }
            first = false;
        }
        if started {
            push(&mut out, ".");
        }
    }
    if out.is_empty() {
        out = format!(
            "The customer contacts support over {} without stating a request; follow the journey.",
            shorten(&collapse_whitespace(channel), 40)
        );
    } else if let Some(outcome) = outcome {
        // How it ended, as room remains.
        push(&mut out, &format!(" It ended {}.", shorten(outcome, 40)));
    }
    shorten(&out, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requests(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        requests_of(text, &mut out);
        out.into_iter()
            .map(|r| (r.verb, r.object.join(" ")))
            .collect()
    }

    fn pair(verb: &str, object: &str) -> (String, String) {
        (verb.to_owned(), object.to_owned())
    }

    #[test]
    fn reads_each_request_of_a_turn_in_the_customers_words() {
        assert_eq!(
            requests("Check my savings balance and then transfer $1,730 to a friend."),
            [
                pair("check", "savings balance"),
                pair("transfer", "$1,730 to a friend")
            ]
        );
        assert_eq!(
            requests("I'm looking for a restaurant in San Jose for me"),
            [pair("look for", "a restaurant in San Jose")]
        );
        assert_eq!(
            requests("What's the weather like in Chicago?"),
            [pair("check", "weather")]
        );
        assert_eq!(
            requests("Café: pouvez-vous réserver? I’d like to cancel the order"),
            [pair("cancel", "order")]
        );
    }

    proptest::proptest! {
        // The rules slice texts where their patterns matched: none may cut inside a
        // character, and a cut name stays within its limit.
        #[test]
        fn no_text_panics(
            text in "(flight|order|HAT039|#W12|ATL to SEA|delayed|broken|refund|money back|cancel|é|—|ı|\\. |, |\\? |[A-Za-z0-9]{1,8}|\\PC| ){0,20}",
            max in 1usize..120,
        ) {
            let _ = complaint_object(&text);
            let _ = complaint_id(&text);
            let _ = refused_phrase(&text);
            let _ = problem_word(&text);
            let cut = shorten_at_word(&text, max);
            proptest::prop_assert!(chars(&cut) <= max.max(1) || chars(&text) <= max);
        }
    }

    #[test]
    fn the_parts_of_a_persons_name_identify_no_object() {
        let hasher = FxBuildHasher;
        let said = Said {
            words: ["siobhan", "quispe", "88412"]
                .iter()
                .map(|w| hasher.hash_one(*w))
                .collect(),
            hasher,
        };
        let words = ["find".to_owned(), "booking".to_owned()];
        let map = |value: serde_json::Value| value.as_object().unwrap().clone();
        let by_name = map(serde_json::json!({"first_name": "Siobhan", "last_name": "Quispe"}));
        assert_eq!(identifying_argument(&by_name, &words, &said), None);
        let with_id = map(serde_json::json!({"first_name": "Siobhan", "booking_id": "88412"}));
        assert_eq!(
            identifying_argument(&with_id, &words, &said),
            Some(("booking".to_owned(), "88412".to_owned()))
        );
    }

    #[test]
    fn names_are_cut_after_a_whole_word() {
        let cut = shorten_at_word("Compensation for delayed flight HAT039 ATL→SEA", 30);
        assert_eq!(cut, "Compensation for delayed…");
        assert!(chars(&cut) <= 30);
    }

    #[test]
    fn a_complaint_names_what_it_is_about() {
        assert_eq!(
            complaint_object("My flight HAT039 from ATL to SEA was delayed 3 hours").as_deref(),
            Some("delayed flight HAT039 ATL→SEA")
        );
        assert_eq!(
            complaint_object("The 5 hour delay on HAT326, SFO to ATL, ruined my day").as_deref(),
            Some("delayed HAT326 SFO→ATL")
        );
        assert_eq!(
            refused_phrase("And reservation MAQUTR: cancel it and give me my money back")
                .as_deref(),
            Some("Cancel reservation MAQUTR with a refund")
        );
        assert_eq!(
            refused_phrase("Do you price match?").as_deref(),
            Some("Price match")
        );
    }

    #[test]
    fn a_noun_or_a_declined_request_is_not_a_request() {
        assert!(requests("The transfer was late and my return flight too.").is_empty());
        assert!(requests("No, I don't want to buy tickets now.").is_empty());
        assert!(requests("Book it.").is_empty());
    }
}
