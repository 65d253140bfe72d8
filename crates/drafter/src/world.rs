//! The draft's `mock_world`: what a simulation run answers the agent's tools with, and
//! what the simulated customer knows.
//!
//! ```json
//! {
//!   "channel": "voice",
//!   "customer": { "crm_id": "C-20931", "locale": "en-US" },
//!   "outcome": "resolved",
//!   "tools": {
//!     "get_order": [
//!       { "arguments": { "order_id": "88412" }, "delay_ms": 95, "output": { "status": "delivered" } }
//!     ]
//!   }
//! }
//! ```
//!
//! `tools` maps each tool name to its recorded calls in order. Each call holds its
//! parsed `arguments` (the text when they are not JSON, `null` when only the result was
//! recorded), `delay_ms` (the recorded latency clamped to 0..=60000, else 0) and exactly
//! one of `output` (parsed JSON when the result is JSON, else the text; `null` when no
//! result was recorded) or `error`. A call without its `arguments` is a valid upstream
//! `CannedToolResponse`. `customer` (the session's customer metadata) is present only
//! when the session has some. Keys are written in sorted order.
//!
//! # Off the recording
//!
//! A simulated run rarely calls the tools exactly as the recorded agent did. Every
//! mock world says under `replay` how a simulation answers, so that runs agree and can
//! count how far they drift:
//!
//! ```json
//! "replay": {
//!   "rule": "exact_arguments_then_recorded_order",
//!   "steps": [
//!     "exact: the first unused recorded call of the tool whose arguments equal the call's",
//!     "in_order: else the next unused recorded call of the tool, in recorded order (drift)",
//!     "no_recording: else (a tool never recorded, or every recorded call used) answer the error below (drift)"
//!   ],
//!   "no_recording": { "error": "no_recording: the recording holds no answer for this call" }
//! }
//! ```
//!
//! Arguments are compared as JSON values, after the simulation has put the scenario's
//! values in for its placeholders (the same `<NAME_1_GIVEN>` the mock world holds).
//! [`Replay`] is that rule in code, for simulators written in Rust and for the tests.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::{CallResult, Step, Timeline};

/// The largest `delay_ms` a `CannedToolResponse` accepts.
pub const MAX_DELAY_MS: i64 = 60_000;

/// The error a simulation answers a call the recording holds no answer for.
pub const NO_RECORDING: &str = "no_recording: the recording holds no answer for this call";

/// The `replay` object of every mock world (see the module's docs).
fn replay_rule() -> Value {
    serde_json::json!({
        "rule": "exact_arguments_then_recorded_order",
        "steps": [
            "exact: the first unused recorded call of the tool whose arguments equal the call's",
            "in_order: else the next unused recorded call of the tool, in recorded order (drift)",
            "no_recording: else (a tool never recorded, or every recorded call used) answer the error below (drift)",
        ],
        "no_recording": { "error": NO_RECORDING },
    })
}

/// How one call was answered under the `replay` rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer<'w> {
    /// A recorded call whose arguments equal the call's.
    Exact(&'w Value),
    /// The next recorded call of the tool in order, though its arguments differ.
    InOrder(&'w Value),
    /// No recorded call is left for the tool: answer [`NO_RECORDING`].
    NoRecording,
}

impl Answer<'_> {
    /// Whether the run drifted from the recording on this call.
    pub fn drifted(&self) -> bool {
        !matches!(self, Answer::Exact(_))
    }
}

/// The `replay` rule over one mock world: answers calls in a simulated run, each
/// recorded call at most once.
#[derive(Debug, Clone)]
pub struct Replay<'w> {
    tools: BTreeMap<&'w str, Vec<(&'w Value, bool)>>,
}

impl<'w> Replay<'w> {
    /// A replay of `mock_world`'s recorded calls, none used yet.
    pub fn new(mock_world: &'w Map<String, Value>) -> Replay<'w> {
        let tools = mock_world
            .get("tools")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, calls)| {
                let calls = calls.as_array().into_iter().flatten();
                (name.as_str(), calls.map(|call| (call, false)).collect())
            })
            .collect();
        Replay { tools }
    }

    /// The answer to a call of `tool` with `arguments`; the recorded call it uses
    /// (with its `output` or `error`) is not used again.
    pub fn answer(&mut self, tool: &str, arguments: &Value) -> Answer<'w> {
        let Some(calls) = self.tools.get_mut(tool) else {
            return Answer::NoRecording;
        };
        if let Some((call, used)) = calls
            .iter_mut()
            .find(|(call, used)| !*used && call.get("arguments") == Some(arguments))
        {
            *used = true;
            return Answer::Exact(call);
        }
        match calls.iter_mut().find(|(_, used)| !*used) {
            Some((call, used)) => {
                *used = true;
                Answer::InOrder(call)
            }
            None => Answer::NoRecording,
        }
    }

    /// The recorded calls no call has used yet.
    pub fn unused(&self) -> usize {
        self.tools
            .values()
            .flatten()
            .filter(|(_, used)| !used)
            .count()
    }
}

/// The mock world of `timeline`.
pub(crate) fn mock_world(
    timeline: &Timeline,
    channel: &str,
    outcome: Option<&str>,
) -> Map<String, Value> {
    let mut tools: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for step in &timeline.steps {
        let Step::Tool(index) = step else { continue };
        let call = &timeline.calls[*index];
        let mut entry = Map::new();
        entry.insert(
            "arguments".to_owned(),
            call.arguments
                .as_ref()
                .map_or(Value::Null, |a| a.to_value()),
        );
        entry.insert(
            "delay_ms".to_owned(),
            Value::from(call.latency_ms.unwrap_or(0).clamp(0, MAX_DELAY_MS)),
        );
        match &call.result {
            CallResult::Error(error) => {
                entry.insert("error".to_owned(), Value::String(error.clone()))
            }
            CallResult::Output(output) => entry.insert("output".to_owned(), output.to_value()),
            CallResult::Missing => entry.insert("output".to_owned(), Value::Null),
        };
        tools
            .entry(call.name())
            .or_default()
            .push(Value::Object(entry));
    }
    let mut world = Map::new();
    world.insert("channel".to_owned(), Value::String(channel.to_owned()));
    if let Some(customer) = &timeline.customer_metadata {
        world.insert("customer".to_owned(), customer.clone());
    }
    world.insert(
        "outcome".to_owned(),
        outcome.map_or(Value::Null, |o| Value::String(o.to_owned())),
    );
    let tools: Map<String, Value> = tools
        .into_iter()
        .map(|(name, calls)| (name.to_owned(), Value::Array(calls)))
        .collect();
    world.insert("tools".to_owned(), Value::Object(tools));
    world.insert("replay".to_owned(), replay_rule());
    world
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn world() -> Map<String, Value> {
        let value = json!({"tools": {"get_order": [
            {"arguments": {"order_id": "1"}, "output": {"status": "delivered"}},
            {"arguments": {"order_id": "2"}, "error": "not_found"}
        ]}});
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn calls_off_the_recording_get_the_documented_answers() {
        let world = world();
        let mut replay = Replay::new(&world);
        // Arguments the recording holds, out of order: the exact call answers.
        let second = replay.answer("get_order", &json!({"order_id": "2"}));
        assert_eq!(second, Answer::Exact(&world["tools"]["get_order"][1]));
        assert!(!second.drifted());
        // Arguments it does not hold: the next unused call, in recorded order.
        let other = replay.answer("get_order", &json!({"order_id": "9"}));
        assert_eq!(other, Answer::InOrder(&world["tools"]["get_order"][0]));
        assert!(other.drifted());
        // Every recorded call used, and a tool never recorded: no_recording.
        assert_eq!(
            replay.answer("get_order", &json!({"order_id": "1"})),
            Answer::NoRecording
        );
        assert_eq!(replay.answer("refund", &json!({})), Answer::NoRecording);
        assert_eq!(replay.unused(), 0);
    }

    #[test]
    fn every_mock_world_says_how_it_replays() {
        let rule = replay_rule();
        assert_eq!(rule["rule"], "exact_arguments_then_recorded_order");
        assert_eq!(rule["no_recording"]["error"], NO_RECORDING);
    }
}
