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

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::{CallResult, Step, Timeline};

/// The largest `delay_ms` a `CannedToolResponse` accepts.
pub const MAX_DELAY_MS: i64 = 60_000;

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
    world
}
