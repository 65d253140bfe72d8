//! `feather-eval`: drafts labelled chat logs and prints how good the drafts are, per
//! source. Run from the repository root:
//!
//! ```text
//! cargo run -p feather-eval --release            # the table
//! cargo run -p feather-eval --release -- --details   # plus every miss
//! cargo run -p feather-eval --release -- generate    # rewrite eval/data/generated*.jsonl
//! ```
//!
//! Sources: `sgd` and `sgd-pii` are the development corpus read in place from
//! `../shared/dev-corpus/` (never copied into the repository; `--corpus DIR` points
//! elsewhere), `generated` is `eval/data/generated.jsonl` with its gold lines, made
//! by [`generate`] with a fixed seed.
//!
//! # What is counted
//!
//! - **accepted as is**: `capture::parse_value` takes the log unchanged. A log it
//!   refuses is drafted anyway after filling what the old envelope required
//!   (`organization_id`, `started_at`, `id`), so the other figures stay comparable.
//! - **schema-valid**: the draft passes the API crate's `ScenarioDraft` validator.
//! - **tool calls replayable**: for each recorded call, the mock world holds an entry
//!   under the same tool name at the same position, with an `output` or an `error`
//!   and arguments with the same keys.
//! - **goals named**: a gold goal (an SGD intent name split into words, or the
//!   generator's words) counts as named when every word of it, stop words aside,
//!   matches a word of name + intent after Snowball stemming; a verb also matches
//!   through its synonym group ([`SYNONYMS`]), and adjacent words are also tried
//!   joined ("one way" matches "oneway").
//! - **stated facts in name + intent**: SGD: each tool-call argument value (string or
//!   number, two characters or more, not a street address, which is redacted) that
//!   the customer wrote in a turn; generated:
//!   the generator's facts. A fact counts when one of its spellings appears in the
//!   name or the intent as a whole word, ignoring case.
//! - **personal values leaked**: planted (`sgd-pii`), SGD argument values naming
//!   the people the customer deals with (`receiver`, and keys ending in `name` with
//!   `contact` or `recipient`), or generated personal values, found anywhere in the draft (every
//!   string, key and number of it), as a whole word, ignoring case.
//! - **must-survive values lost**: SGD: every other tool-call argument value (not a
//!   street address, not under an `address` key, not containing planted data);
//!   generated: the generator's list
//!   (order and reservation ids, flight numbers, prices, product names, cities,
//!   travel dates). Lost when found nowhere in the draft.
//! - **name quality**, two figures over the draft's `name`, whose goal phrases are
//!   its parts split at ", then " (the outcome in brackets, "(failed)", "(given
//!   up)", "(refused)", what a tool did in brackets and "and more" left out):
//!   - *names with internal words*: names holding a word with `_` (`<NAME_1>`-style
//!     placeholders aside) or a tool's name as written (`BuyBusTicket`,
//!     `get_user_details`), or a tool-call argument value of three characters or more with a
//!     digit or `_` in it that no customer turn holds (a payment method id, an
//!     internal id). Target 0, checked by the tests.
//!   - *goal phrases in the customer's words*: a phrase counts when its every word,
//!     stop words and placeholders aside, is after Snowball stemming a word of the
//!     customer's turns, without synonyms (the customer's own verb is wanted).
//!     "Downgrade business flights to economy"
//!     counts when the customer asked to "downgrade all my business flights to
//!     economy"; "Update reservation flights" does not.

mod generate;
mod long;
mod names;
mod triage;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use feather_drafter::criteria::SuccessCriterion;
use feather_drafter::{DraftOptions, capture, draft, propose};
use rust_stemmers::{Algorithm, Stemmer};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "feather-eval",
    about = "Measure drafts against labelled chat logs."
)]
struct Cli {
    /// The development corpus (default: `../shared/dev-corpus` from the repository root).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Print every miss: goals not named, facts not in the intent, leaks, losses.
    #[arg(long)]
    details: bool,
    /// Print every draft's name.
    #[arg(long)]
    names: bool,
    /// Also report the tuning half of the name sessions (`names-tune`); only the
    /// held-out half (`names-held`) is reported by default.
    #[arg(long)]
    tuning: bool,
    /// Print the chat log of the session with this id and its draft's journey,
    /// instead of the table.
    #[arg(long, value_name = "ID")]
    show: Option<String>,
    /// What replaces personal data in the drafts: placeholders, surrogates or off.
    #[arg(long, default_value = "placeholders", value_name = "MODE")]
    pii: feather_drafter::Pii,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Rewrite `eval/data/generated.jsonl` and `generated.gold.jsonl`.
    Generate {
        #[arg(long, default_value_t = 60)]
        count: usize,
        #[arg(long, default_value_t = 13)]
        seed: u64,
    },
}

/// Verbs that name the same goal: a goal word matches when any word of its group does.
pub const SYNONYMS: &[&[&str]] = &[
    &[
        "find", "search", "look", "lookup", "get", "check", "show", "list", "view",
    ],
    &[
        "reserve", "book", "make", "schedule", "buy", "purchase", "rent", "add", "set", "create",
        "get",
    ],
    &["transfer", "send", "pay", "payment", "request"],
    &["play", "listen", "stream"],
    &["update", "change", "modify", "edit", "move", "switch"],
    &["cancel", "delete", "remove"],
    &["downgrade", "change", "update"],
    &["return", "refund"],
    &["arrive", "deliver", "delivery", "come", "coming", "ship"],
];

const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "for", "by", "to", "of", "in", "on", "at", "and",
];

/// The labels of one session.
#[derive(Debug, Default, Deserialize)]
struct Labels {
    #[serde(default)]
    goals: Vec<Vec<String>>,
    #[serde(default)]
    facts: Vec<Vec<String>>,
    #[serde(default)]
    personal: Vec<String>,
    #[serde(default)]
    must_survive: Vec<String>,
}

struct Case {
    id: String,
    log: Value,
    labels: Labels,
}

#[derive(Default)]
struct Tally {
    sessions: usize,
    accepted: usize,
    drafted: usize,
    valid: usize,
    calls: usize,
    replayable: usize,
    goals: usize,
    named: usize,
    facts: usize,
    stated: usize,
    personal: usize,
    leaked: usize,
    survive: usize,
    lost: usize,
    names: usize,
    internal: usize,
    phrases: usize,
    in_words: usize,
    /// State-changing calls, and those a success criterion names with an
    /// identifying argument.
    actions: usize,
    actions_named: usize,
    /// Success criteria, and those that claim an action the session did not take.
    criteria: usize,
    invented: usize,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("eval/ has a parent")
        .to_owned()
}

fn read_jsonl(path: &Path) -> Result<Vec<Value>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).with_context(|| format!("a line of {}", path.display()))
        })
        .collect()
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Generate { count, seed }) = cli.command {
        return write_generated(count, seed);
    }
    let corpus = cli
        .corpus
        .unwrap_or_else(|| repo_root().join("../shared/dev-corpus"));
    let stemmer = Stemmer::create(Algorithm::English);
    let mut sources: Vec<(&str, Vec<Case>)> = Vec::new();
    match sgd_cases(&corpus) {
        Ok(cases) => sources.extend(cases),
        Err(err) => eprintln!("skipping the development corpus: {err:#}"),
    }
    sources.push(("generated", generated_cases()?));
    if cli.tuning {
        sources.push(("names-tune", name_cases(names::Half::Tuning)));
    }
    if cli.tuning {
        sources.push(("names-fresh", name_cases(names::Half::Fresh)));
        sources.push(("names-unseen", name_cases(names::Half::Unseen)));
        sources.push(("names-indep", name_cases(names::Half::Independent)));
        sources.push(("names-indep2", name_cases(names::Half::Independent2)));
        sources.push(("names-indep3", name_cases(names::Half::Independent3)));
        sources.push(("names-indep4", name_cases(names::Half::Independent4)));
        sources.push(("names-indep5", name_cases(names::Half::Independent5)));
        sources.push(("names-indep6", name_cases(names::Half::Independent6)));
    }
    sources.push(("names-held", name_cases(names::Half::HeldOut)));
    if cli.tuning {
        sources.push(("long-tune", long_cases(names::Half::Tuning)));
    }
    sources.push(("long-held", long_cases(names::Half::HeldOut)));
    sources.push(("names-indep7", name_cases(names::Half::Independent7)));
    if let Some(id) = &cli.show {
        let case = sources
            .iter()
            .flat_map(|(_, cases)| cases)
            .find(|case| &case.id == id)
            .with_context(|| format!("no session {id}"))?;
        println!("{}", serde_json::to_string_pretty(&case.log)?);
        let captured = capture::parse_value(filled(&case.log, &case.id))?;
        let drafted = draft(&captured, &DraftOptions { pii: cli.pii })?;
        println!("{}\n{}\n{}", drafted.name, drafted.intent, drafted.journey);
        return Ok(());
    }
    println!(
        "{:<10} {:>8} {:>9} {:>8} {:>8} {:>12} {:>12} {:>12} {:>10} {:>10} {:>9} {:>13}",
        "source",
        "sessions",
        "as-is",
        "drafted",
        "valid",
        "replayable",
        "goals named",
        "facts",
        "leaked",
        "lost",
        "internal",
        "customer's"
    );
    let mut criteria_rows = Vec::new();
    for (source, cases) in &sources {
        let tally = evaluate(source, cases, &stemmer, cli.details, cli.names, cli.pii);
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "-".to_owned()
            } else {
                format!("{a}/{b} {:.0}%", 100.0 * a as f64 / b as f64)
            }
        };
        println!(
            "{:<10} {:>8} {:>9} {:>8} {:>8} {:>12} {:>12} {:>12} {:>10} {:>10} {:>9} {:>13}",
            source,
            tally.sessions,
            tally.accepted,
            tally.drafted,
            tally.valid,
            pct(tally.replayable, tally.calls),
            pct(tally.named, tally.goals),
            pct(tally.stated, tally.facts),
            format!("{}/{}", tally.leaked, tally.personal),
            format!("{}/{}", tally.lost, tally.survive),
            format!("{}/{}", tally.internal, tally.names),
            pct(tally.in_words, tally.phrases),
        );
        criteria_rows.push((
            source,
            pct(tally.actions_named, tally.actions),
            format!("{}/{}", tally.invented, tally.criteria),
            if tally.drafted == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}", tally.criteria as f64 / tally.drafted as f64)
            },
        ));
    }
    println!(
        "\n{:<12} {:>22} {:>18} {:>20}",
        "success criteria", "actions named", "invented", "criteria a session"
    );
    for (source, named, invented, per) in criteria_rows {
        println!("{source:<12} {named:>22} {invented:>18} {per:>20}");
    }
    // Triage: the groups of sessions against their gold goal sequences
    // (`triage.rs`); the name sessions have no goals of their own, so they are left
    // out.
    println!(
        "\n{:<12} {:>8} {:>12} {:>6} {:>7} {:>7} {:>6} {:>15} {:>14} {:>11} {:>14}",
        "triage",
        "sessions",
        "gold classes",
        "keys",
        "groups",
        "purity",
        "ARI",
        "action classes",
        "action purity",
        "action ARI",
        "signed apart ≠"
    );
    for (source, cases) in &sources {
        if source.starts_with("names") {
            continue;
        }
        let f = triage::figures(cases);
        println!(
            "{source:<12} {:>8} {:>12} {:>6} {:>7} {:>7.3} {:>6.3} {:>15} {:>14.3} {:>11.3} {:>14}",
            f.sessions,
            f.classes,
            f.keys,
            f.groups,
            f.purity,
            f.ari,
            f.action_classes,
            f.action_purity,
            f.action_ari,
            f.signed_apart_differs
        );
    }
    Ok(())
}

fn write_generated(count: usize, seed: u64) -> Result<()> {
    let dir = repo_root().join("eval/data");
    let mut logs = String::new();
    let mut gold = String::new();
    for (log, labels) in generate::generate(count, seed) {
        logs.push_str(&serde_json::to_string(&log)?);
        logs.push('\n');
        gold.push_str(&serde_json::to_string(&labels)?);
        gold.push('\n');
    }
    std::fs::write(dir.join("generated.jsonl"), logs)?;
    std::fs::write(dir.join("generated.gold.jsonl"), gold)?;
    eprintln!("wrote {count} sessions to {}", dir.display());
    Ok(())
}

fn generated_cases() -> Result<Vec<Case>> {
    let dir = repo_root().join("eval/data");
    let logs = read_jsonl(&dir.join("generated.jsonl"))?;
    let gold = read_jsonl(&dir.join("generated.gold.jsonl"))?;
    logs.into_iter()
        .zip(gold)
        .map(|(log, gold)| {
            Ok(Case {
                id: gold["id"].as_str().unwrap_or_default().to_owned(),
                labels: serde_json::from_value(gold)?,
                log,
            })
        })
        .collect()
}

fn long_cases(half: names::Half) -> Vec<Case> {
    long::generate(half)
        .into_iter()
        .map(|(log, gold)| Case {
            id: gold.id,
            log,
            labels: Labels {
                goals: gold.goals,
                facts: gold.facts,
                personal: gold.personal,
                must_survive: gold.must_survive,
            },
        })
        .collect()
}

fn name_cases(half: names::Half) -> Vec<Case> {
    names::generate(half)
        .into_iter()
        .map(|(log, gold)| Case {
            id: gold.id,
            log,
            labels: Labels {
                personal: gold.personal,
                must_survive: gold.must_survive,
                ..Labels::default()
            },
        })
        .collect()
}

// The split words of an SGD intent: `SearchOnewayFlight` → search, oneway, flight.
fn camel_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (i, c) in name.char_indices() {
        if c.is_uppercase() || i == 0 {
            words.push(String::new());
        }
        if let Some(last) = words.last_mut() {
            last.extend(c.to_lowercase());
        }
    }
    words
}

// Tool-call argument values of a chat log, with their keys.
fn arguments(log: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for message in log["messages"].as_array().into_iter().flatten() {
        for call in message["tool_calls"].as_array().into_iter().flatten() {
            let text = call["function"]["arguments"].as_str().unwrap_or("{}");
            let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            for (key, value) in map {
                let value = match value {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                if value.chars().count() >= 2 {
                    out.push((key, value));
                }
            }
        }
    }
    out
}

fn customer_text(log: &Value) -> String {
    let mut out = String::new();
    for message in log["messages"].as_array().into_iter().flatten() {
        if message["role"] == "user" {
            out.push_str(message["content"].as_str().unwrap_or(""));
            out.push('\n');
        }
    }
    out
}

fn sgd_labels(log: &Value, intents: &[String], planted: &[String]) -> Labels {
    let said = customer_text(log);
    let mut facts = Vec::new();
    let mut survive = Vec::new();
    let mut people = Vec::new();
    let mut seen = HashSet::new();
    for (key, value) in arguments(log) {
        if !seen.insert(value.to_lowercase()) {
            continue;
        }
        let personal = planted
            .iter()
            .any(|p| value.contains(p.as_str()) || p.contains(value.as_str()));
        if personal {
            continue;
        }
        // People the customer names (a contact to share a location with, the
        // recipient of a transfer) are personal; street addresses are neither
        // personal nor on the must-survive list.
        let names_someone = ["contact", "recipient", "receiver"]
            .iter()
            .any(|k| key.contains(k))
            && (key.ends_with("name") || key == "receiver");
        if names_someone {
            people.push(value);
            continue;
        }
        let address = key.contains("address") || street_address(&value);
        if contains_word(&said, &value) && !address {
            facts.push(vec![value.clone()]);
        }
        if !address {
            survive.push(value);
        }
    }
    let mut personal = planted.to_vec();
    personal.extend(people);
    Labels {
        goals: intents.iter().map(|i| camel_words(i)).collect(),
        facts,
        personal,
        must_survive: survive,
    }
}

// "2150 Chestnut Street": a number, then words ending in a street suffix.
fn street_address(value: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "street",
        "st",
        "road",
        "rd",
        "avenue",
        "ave",
        "boulevard",
        "blvd",
        "lane",
        "ln",
        "drive",
        "dr",
        "court",
        "ct",
        "way",
        "place",
        "pl",
        "parkway",
        "highway",
    ];
    let words: Vec<String> = value
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .first()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        && words
            .iter()
            .skip(2)
            .any(|w| SUFFIXES.contains(&w.trim_end_matches('.')))
}

fn sgd_cases(corpus: &Path) -> Result<Vec<(&'static str, Vec<Case>)>> {
    let gold: HashMap<String, Value> = read_jsonl(&corpus.join("gold.jsonl"))?
        .into_iter()
        .map(|g| (g["id"].as_str().unwrap_or_default().to_owned(), g))
        .collect();
    let intents = |id: &str| -> Vec<String> {
        gold.get(id)
            .and_then(|g| g["gold_intents"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect()
    };
    let sgd = read_jsonl(&corpus.join("sessions.jsonl"))?
        .into_iter()
        .map(|log| {
            let id = log["id"].as_str().unwrap_or_default().to_owned();
            Case {
                labels: sgd_labels(&log, &intents(&id), &[]),
                id,
                log,
            }
        })
        .collect();
    let pii_gold: HashMap<String, Value> = read_jsonl(&corpus.join("pii_gold.jsonl"))?
        .into_iter()
        .map(|g| (g["id"].as_str().unwrap_or_default().to_owned(), g))
        .collect();
    let pii = read_jsonl(&corpus.join("pii_sessions.jsonl"))?
        .into_iter()
        .map(|log| {
            let id = log["id"].as_str().unwrap_or_default().to_owned();
            let gold = pii_gold.get(&id).cloned().unwrap_or(Value::Null);
            let planted: Vec<String> = gold["planted_strings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect();
            let original = gold["derived_from"].as_str().unwrap_or_default();
            Case {
                labels: sgd_labels(&log, &intents(original), &planted),
                id,
                log,
            }
        })
        .collect();
    Ok(vec![("sgd", sgd), ("sgd-pii", pii)])
}

// What the old envelope required, filled in, for logs the drafter refuses as they are.
fn filled(log: &Value, id: &str) -> Value {
    let mut log = log.clone();
    if let Value::Object(map) = &mut log {
        if !map.get("organization_id").is_some_and(Value::is_string) {
            map.insert(
                "organization_id".to_owned(),
                json!("00000000-0000-0000-0000-00000000e7a1"),
            );
        }
        if !map.get("started_at").is_some_and(Value::is_string) {
            map.insert("started_at".to_owned(), json!("2026-01-01T00:00:00Z"));
        }
        if !map.contains_key("id") {
            map.insert("id".to_owned(), json!(id));
        }
        for key in ["persona", "ended_at"] {
            if map.get(key).is_some_and(Value::is_null) {
                map.remove(key);
            }
        }
    }
    log
}

fn evaluate(
    source: &str,
    cases: &[Case],
    stemmer: &Stemmer,
    details: bool,
    names: bool,
    pii: feather_drafter::Pii,
) -> Tally {
    let mut tally = Tally::default();
    for case in cases {
        tally.sessions += 1;
        let captured = match capture::parse_value(case.log.clone()) {
            Ok(captured) => {
                tally.accepted += 1;
                captured
            }
            Err(_) => match capture::parse_value(filled(&case.log, &case.id)) {
                Ok(captured) => captured,
                Err(err) => {
                    if details {
                        println!("{source} {}: refused: {err}", case.id);
                    }
                    continue;
                }
            },
        };
        let Ok(proposal) = propose(&captured, &DraftOptions { pii }) else {
            continue;
        };
        let drafted = proposal.draft;
        criteria_tally(
            source,
            &case.id,
            &case.log,
            &Value::Object(drafted.mock_world.clone()),
            &proposal.success_criteria,
            details,
            &mut tally,
        );
        tally.drafted += 1;
        let mut value = serde_json::to_value(&drafted).expect("a draft serialises");
        if feather_validation::value_as::<feather_types::ScenarioDraft>(&mut value.clone(), vec![])
            .is_ok()
        {
            tally.valid += 1;
        }
        // Replay: each recorded call has its entry, in order, under its tool's name.
        let mut position: HashMap<&str, usize> = HashMap::new();
        for call in &captured.input.tool_calls {
            tally.calls += 1;
            let at = position.entry(call.name.as_str()).or_insert(0);
            let entry = &value["mock_world"]["tools"][call.name.as_str()][*at];
            *at += 1;
            let answers = entry.get("output").is_some() || entry.get("error").is_some();
            let keys = |v: &Value| -> Vec<String> {
                v.as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let original: Value = serde_json::from_str(&call.arguments).unwrap_or(Value::Null);
            if answers && keys(&entry["arguments"]) == keys(&original) {
                tally.replayable += 1;
            } else if details {
                println!("{source} {}: call {} not replayable", case.id, call.name);
            }
        }
        let words = stems(&format!("{} {}", drafted.name, drafted.intent), stemmer);
        for goal in &case.labels.goals {
            tally.goals += 1;
            if goal_named(goal, &words, stemmer) {
                tally.named += 1;
            } else if details {
                println!(
                    "{source} {}: goal {:?} not named in {:?} / {:?}",
                    case.id, goal, drafted.name, drafted.intent
                );
            }
        }
        let name_and_intent = format!("{}\n{}", drafted.name, drafted.intent);
        for fact in &case.labels.facts {
            tally.facts += 1;
            if fact.iter().any(|f| contains_word(&name_and_intent, f)) {
                tally.stated += 1;
            } else if details {
                println!(
                    "{source} {}: fact {:?} not in {:?}",
                    case.id, fact, drafted.intent
                );
            }
        }
        if names {
            println!("{source} {}: {}", case.id, drafted.name);
        }
        let customer = customer_text(&case.log);
        tally.names += 1;
        if let Some(word) = internal_word(&drafted.name, &case.log, &customer) {
            tally.internal += 1;
            if details {
                println!(
                    "{source} {}: name {:?} holds {word:?}",
                    case.id, drafted.name
                );
            }
        }
        let customer_words = stems(&customer, stemmer);
        for phrase in goal_phrases(&drafted.name) {
            tally.phrases += 1;
            if in_customer_words(&phrase, &customer_words, stemmer) {
                tally.in_words += 1;
            } else if details {
                println!(
                    "{source} {}: goal phrase {phrase:?} not in the customer's words",
                    case.id
                );
            }
        }
        let mut text = String::new();
        all_text(&mut value, &mut text);
        for personal in &case.labels.personal {
            tally.personal += 1;
            if contains_word(&text, personal) {
                tally.leaked += 1;
                if details {
                    println!("{source} {}: leaked {personal:?}", case.id);
                }
            }
        }
        for keep in &case.labels.must_survive {
            tally.survive += 1;
            if !contains_word(&text, keep) {
                tally.lost += 1;
                if details {
                    println!("{source} {}: lost {keep:?}", case.id);
                }
            }
        }
    }
    tally
}

/// First words of tools that change something: the calls a scenario's criteria must
/// name (the eval's own list, so it does not grade the drafter by its own rule).
const STATE_CHANGING: &[&str] = &[
    "add",
    "apply",
    "book",
    "buy",
    "cancel",
    "change",
    "create",
    "exchange",
    "issue",
    "make",
    "modify",
    "pay",
    "purchase",
    "refund",
    "remove",
    "reschedule",
    "reserve",
    "return",
    "reverse",
    "send",
    "set",
    "transfer",
    "update",
    "upgrade",
    "downgrade",
];

// The values that identify a call: its scalar arguments with a digit or `#`, or a
// redactor's placeholder (criteria are redacted as the draft is).
fn identifying_values(arguments: &Value) -> Vec<String> {
    let Value::Object(map) = arguments else {
        return Vec::new();
    };
    map.values()
        .flat_map(|value| match value {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        })
        .filter_map(|value| match value {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|v| {
            v.starts_with('<')
                || (v.chars().count() >= 3 && v.chars().any(|c| c.is_ascii_digit() || c == '#'))
        })
        .collect()
}

/// Counts, for one draft, the state-changing calls of its mock world that its
/// criteria name with an identifying argument, and the criteria that claim an action
/// with identifiers the session never used (nowhere in its calls or turns).
fn criteria_tally(
    source: &str,
    id: &str,
    log: &Value,
    mock_world: &Value,
    criteria: &[SuccessCriterion],
    details: bool,
    tally: &mut Tally,
) {
    let text: String = criteria
        .iter()
        .map(|c| c.description.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for (name, calls) in mock_world["tools"].as_object().into_iter().flatten() {
        // The first word of `snake_case` or `CamelCase`.
        let first: String = name
            .char_indices()
            .take_while(|(i, c)| *c != '_' && (*i == 0 || !c.is_uppercase()))
            .map(|(_, c)| c.to_ascii_lowercase())
            .collect();
        if !STATE_CHANGING.contains(&first.as_str()) {
            continue;
        }
        for call in calls.as_array().into_iter().flatten() {
            tally.actions += 1;
            let values = identifying_values(&call["arguments"]);
            let noun = name.rsplit('_').next().unwrap_or(name).to_lowercase();
            let named = if values.is_empty() {
                contains_word(&text, &noun) || contains_word(&text, noun.trim_end_matches('s'))
            } else {
                values.iter().any(|v| text.contains(v.as_str()))
            };
            if named {
                tally.actions_named += 1;
            } else if details {
                println!(
                    "{source} {id}: no criterion names {name}({})",
                    call["arguments"]
                );
            }
        }
    }
    let mut used = mock_world.to_string();
    for message in log["messages"].as_array().into_iter().flatten() {
        if let Some(content) = message["content"].as_str() {
            used.push_str(content);
            used.push('\n');
        }
    }
    const NOT_CLAIMS: &[&str] = &[
        "The agent tells",
        "The agent answers",
        "The agent declines",
        "The agent acknowledges",
        "The agent does not",
    ];
    for criterion in criteria {
        tally.criteria += 1;
        let d = &criterion.description;
        if !d.starts_with("The agent ") || NOT_CLAIMS.iter().any(|c| d.starts_with(c)) {
            continue;
        }
        let invented = d
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '"'))
            .map(|w| w.trim_end_matches(['.', ';', ':']))
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()) && !w.starts_with('<'))
            .any(|w| !used.contains(w));
        if invented {
            tally.invented += 1;
            if details {
                println!("{source} {id}: criterion claims what the session never did: {d}");
            }
        }
    }
}

// Every string, key and number of a draft, one a line.
fn all_text(value: &mut Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push('\n');
        }
        Value::Array(items) => items.iter_mut().for_each(|i| all_text(i, out)),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                out.push_str(key);
                out.push('\n');
                all_text(item, out);
            }
        }
        _ => {}
    }
}

/// Whether `needle` occurs in `haystack` ignoring case, not glued to a letter or digit.
fn contains_word(haystack: &str, needle: &str) -> bool {
    let haystack = haystack.to_lowercase();
    let needle = needle.to_lowercase();
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(at) = haystack[from..].find(&needle) {
        let start = from + at;
        let end = start + needle.len();
        let before = haystack[..start].chars().next_back();
        let after = haystack[end..].chars().next();
        let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        if !glued(before) && !glued(after) {
            return true;
        }
        from = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

// The goal phrases of a name: "A, then B (failed), then C and more (resolved)" →
// A, B, C.
fn goal_phrases(name: &str) -> Vec<String> {
    let mut name = name.trim();
    if name.ends_with(')')
        && let Some(open) = name.rfind(" (")
    {
        name = &name[..open];
    }
    let name = name.strip_suffix(" and more").unwrap_or(name);
    name.split(", then ")
        .map(|phrase| {
            let phrase = phrase
                .trim_end_matches(" (failed)")
                .trim_end_matches(" (given up)")
                .trim_end_matches(" (refused)");
            // What a tool did for the goal, in brackets: "(certificate sent)".
            let phrase = match phrase.rfind(" (") {
                Some(open) if phrase.ends_with(')') => &phrase[..open],
                _ => phrase,
            };
            phrase.trim().to_owned()
        })
        .filter(|phrase| !phrase.is_empty())
        .collect()
}

// A word of `name` that a reviewer would not write: snake_case (not a `<KIND_N>`
// placeholder) or a tool's name, or an argument value with a digit or `_` the customer
// never wrote.
fn internal_word(name: &str, log: &Value, customer: &str) -> Option<String> {
    let tools: Vec<&str> = log["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["tool_calls"].as_array().into_iter().flatten())
        .filter_map(|call| call["function"]["name"].as_str())
        .collect();
    for word in name.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')')) {
        // A placeholder, also in quotes or with a possessive: `"<NAME_1>"`.
        if word
            .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '<')
            .starts_with('<')
        {
            continue;
        }
        if word.contains('_') || tools.iter().any(|t| t.eq_ignore_ascii_case(word)) {
            return Some(word.to_owned());
        }
    }
    arguments(log)
        .into_iter()
        .map(|(_, value)| value)
        .filter(|value| {
            value.chars().count() >= 3
                && value.chars().any(|c| c.is_ascii_digit() || c == '_')
                && contains_word(name, value)
                && !contains_word(customer, value)
        })
        .find(|value| {
            // "$1,730" is the amount 1730.
            !contains_word(&customer.replace(',', ""), value)
        })
}

// Whether every word of a goal phrase, stop words and placeholders aside, is a word
// of the customer's turns (stemmed).
fn in_customer_words(phrase: &str, customer: &HashSet<String>, stemmer: &Stemmer) -> bool {
    let words: Vec<String> = phrase
        .split_whitespace()
        .filter(|w| !w.starts_with('<'))
        .flat_map(|w| {
            w.to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    !words.is_empty()
        && words
            .iter()
            .all(|w| customer.contains(stemmer.stem(w).as_ref()))
}

fn stems(text: &str, stemmer: &Stemmer) -> HashSet<String> {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let mut out: HashSet<String> = words.iter().map(|w| stemmer.stem(w).into_owned()).collect();
    for pair in words.windows(2) {
        out.insert(
            stemmer
                .stem(&format!("{}{}", pair[0], pair[1]))
                .into_owned(),
        );
    }
    out
}

fn goal_named(goal: &[String], words: &HashSet<String>, stemmer: &Stemmer) -> bool {
    goal.iter()
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .all(|word| {
            let mut options: Vec<&str> = vec![&word];
            for group in SYNONYMS {
                if group.contains(&word.as_str()) {
                    options.extend(group.iter());
                }
            }
            options
                .iter()
                .any(|o| words.contains(stemmer.stem(o).as_ref()))
        })
}

/// The eval's targets, checked on every `cargo test`: the committed generated
/// sessions always, and the development corpus where it lies beside the repository
/// (`../shared/dev-corpus/`, as on CI; with `CI` set, a missing corpus fails).
#[cfg(test)]
mod tests {
    use super::*;

    // The eval's figures for one source, drafted with placeholders.
    fn tally(source: &str, cases: &[Case]) -> Tally {
        evaluate(
            source,
            cases,
            &Stemmer::create(Algorithm::English),
            false,
            false,
            feather_drafter::Pii::Placeholders,
        )
    }

    fn check(source: &str, cases: &[Case]) -> Tally {
        let tally = tally(source, cases);
        assert_eq!(
            tally.drafted, tally.sessions,
            "{source}: every session drafted"
        );
        assert_eq!(
            tally.valid, tally.drafted,
            "{source}: every draft schema-valid"
        );
        assert_eq!(
            tally.replayable, tally.calls,
            "{source}: every tool call replays"
        );
        assert_eq!(tally.leaked, 0, "{source}: personal values leaked");
        assert_eq!(tally.lost, 0, "{source}: must-survive values lost");
        assert_eq!(
            tally.internal, 0,
            "{source}: names with an internal id or a tool's raw name"
        );
        assert!(
            tally.named * 10 >= tally.goals * 9,
            "{source}: goals named {}/{} (target 90%)",
            tally.named,
            tally.goals
        );
        assert!(
            tally.stated * 10 >= tally.facts * 9,
            "{source}: stated facts in name + intent {}/{} (target 90%)",
            tally.stated,
            tally.facts
        );
        tally
    }

    #[test]
    fn generated_sessions_meet_the_targets() {
        let cases = generated_cases().unwrap();
        assert_eq!(cases.len(), 60);
        check("generated", &cases);
    }

    #[test]
    fn held_out_name_sessions_meet_the_targets() {
        let cases = name_cases(names::Half::HeldOut);
        let tally = tally("names-held", &cases);
        assert_eq!(tally.valid, tally.sessions, "every draft schema-valid");
        assert_eq!(tally.replayable, tally.calls, "every tool call replays");
        assert!(
            tally.leaked * 100 <= tally.personal,
            "name tokens leaked {}/{} (target: at least 99% redacted)",
            tally.leaked,
            tally.personal
        );
        assert_eq!(tally.lost, 0, "must-survive values lost");
    }

    /// The set nobody tuned on (its first run, on the rules of freeze 9: 95.0% of
    /// name tokens redacted, 32 of 646 leaked): a floor, below the 99% target; see
    /// `docs/eval.md`.
    #[test]
    fn the_independent_name_set_holds_its_figure() {
        let cases = name_cases(names::Half::Independent7);
        let tally = tally("names-indep7", &cases);
        assert!(
            tally.leaked <= 32,
            "name tokens leaked {}/{}",
            tally.leaked,
            tally.personal
        );
        assert_eq!(tally.lost, 0, "must-survive values lost");
        assert_eq!(tally.replayable, tally.calls, "every tool call replays");
    }

    /// The long sessions of issue "Drafts 3"'s third part, held-out half: goals
    /// named at least 95%, stated facts in name + intent at least 90%.
    #[test]
    fn long_sessions_meet_the_targets() {
        // Every earlier target, and more goals named.
        let tally = check("long-held", &long_cases(names::Half::HeldOut));
        assert!(
            tally.named * 100 >= tally.goals * 95,
            "goals named {}/{} (target 95%)",
            tally.named,
            tally.goals
        );
    }

    /// Issue "From draft to saved scenario"'s measure of drafted success criteria:
    /// at least 90% of the state-changing calls named with an identifying argument,
    /// and no criterion that claims an action the session did not take.
    #[test]
    fn success_criteria_name_the_actions_taken_and_no_other() {
        for (source, cases) in [
            ("generated", generated_cases().unwrap()),
            ("long-held", long_cases(names::Half::HeldOut)),
        ] {
            let tally = tally(source, &cases);
            assert!(tally.actions > 0, "{source}");
            assert!(
                tally.actions_named * 10 >= tally.actions * 9,
                "{source}: actions named {}/{}",
                tally.actions_named,
                tally.actions
            );
            assert_eq!(
                tally.invented, 0,
                "{source}: criteria claiming actions not taken"
            );
        }
    }

    /// Triage's figures, held: the development corpus meets the targets (ARI at
    /// least 0.8, purity at least 0.9); the generated sessions are held at what
    /// was measured (docs/triage.md), under the targets, so that they cannot get
    /// worse unnoticed.
    #[test]
    fn triage_groups_sessions_by_their_gold_goals() {
        let corpus = repo_root().join("../shared/dev-corpus");
        if corpus.is_dir() || std::env::var_os("CI").is_some() {
            for (source, cases) in sgd_cases(&corpus).unwrap() {
                let f = triage::figures(&cases);
                assert_eq!(f.signed_apart_differs, 0, "{source}");
                assert!(f.ari >= 0.8, "{source}: ARI {:.3}", f.ari);
                assert!(f.purity >= 0.9, "{source}: purity {:.3}", f.purity);
            }
        }
        let generated = triage::figures(&generated_cases().unwrap());
        assert_eq!(generated.signed_apart_differs, 0);
        assert!(generated.ari >= 0.8, "generated: ARI {:.3}", generated.ari);
        assert!(
            generated.purity >= 0.8,
            "generated: purity {:.3}",
            generated.purity
        );
        let held = triage::figures(&long_cases(names::Half::HeldOut));
        assert_eq!(held.signed_apart_differs, 0);
        // By the gold goals' actions (their objects aside), the targets hold.
        for (source, f) in [("generated", &generated), ("long-held", &held)] {
            assert!(
                f.action_ari >= 0.8,
                "{source}: action ARI {:.3}",
                f.action_ari
            );
            assert!(
                f.action_purity >= 0.9,
                "{source}: action purity {:.3}",
                f.action_purity
            );
        }
        assert!(held.ari >= 0.65, "long-held: ARI {:.3}", held.ari);
        assert!(held.purity >= 0.72, "long-held: purity {:.3}", held.purity);
    }

    #[test]
    fn the_development_corpus_meets_the_targets() {
        let corpus = repo_root().join("../shared/dev-corpus");
        if !corpus.is_dir() && std::env::var_os("CI").is_none() {
            eprintln!(
                "\n!!! {} is missing: the development corpus was NOT evaluated !!!\n",
                corpus.display()
            );
            return;
        }
        let sources = sgd_cases(&corpus).unwrap();
        assert!(!sources.is_empty());
        for (source, cases) in &sources {
            check(source, cases);
        }
    }
}
