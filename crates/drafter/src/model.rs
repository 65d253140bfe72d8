//! The drafter's working view of a session: one ordered timeline of customer and
//! agent turns, tool calls with their results, and handoffs.
//!
//! A `SessionAnalysisInput` records tool calls twice (the top-level `tool_calls` list
//! and the messages' `tool_calls` / `tool_results`), and either copy may be missing or
//! partial. [`Timeline::build`] merges them by `tool_call_id`: the top-level entry is
//! authoritative, the messages fill what it lacks, a call without a result keeps an
//! empty result, and a result without a call still becomes a step. Handoffs are placed
//! among the messages by their timestamps. Everything is linear in the session's size
//! (handoffs add a logarithmic factor).

use rustc_hash::FxHashMap as HashMap;

use feather_types::SessionAnalysisInput;
use feather_types::session::{MessageEntry, ToolCallEntry};
use serde_json::Value;
use uuid::Uuid;

use crate::capture::error_in_result;
use crate::pii::Redactor;
use crate::time::parse_millis;

/// The name given to a tool whose call was not recorded.
pub(crate) const UNKNOWN_TOOL: &str = "unknown_tool";

/// Who said something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Speaker {
    Customer,
    Agent,
    /// The agent's instructions: never shown in a draft.
    System,
    /// Anything else (`system_event`, `developer`, ...), shown as an event.
    Other,
}

impl Speaker {
    pub(crate) fn of(role: &str) -> Speaker {
        match role.trim().to_ascii_lowercase().as_str() {
            "user" | "customer" | "human" | "caller" | "end_user" => Speaker::Customer,
            "assistant" | "agent" | "ai" | "bot" | "model" => Speaker::Agent,
            "system" | "developer" => Speaker::System,
            _ => Speaker::Other,
        }
    }
}

/// Arguments or an output: parsed JSON when the text is JSON, else the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Payload {
    Json(Value),
    Text(String),
}

impl Payload {
    pub(crate) fn parse(text: &str) -> Payload {
        let trimmed = text.trim_start();
        let looks_like_json =
            trimmed.starts_with(['{', '[', '"']) || matches!(trimmed, "null" | "true" | "false");
        if (looks_like_json || trimmed.parse::<f64>().is_ok())
            && let Ok(value) = serde_json::from_str::<Value>(text)
        {
            return Payload::Json(value);
        }
        Payload::Text(text.to_owned())
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            Payload::Json(value) => value.clone(),
            Payload::Text(text) => Value::String(text.clone()),
        }
    }
}

/// What a tool call returned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CallResult {
    Output(Payload),
    Error(String),
    Missing,
}

/// One tool call, merged from every place the session records it.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub name: Option<String>,
    /// `None` when only the result was recorded.
    pub arguments: Option<Payload>,
    pub result: CallResult,
    pub latency_ms: Option<i64>,
}

impl Call {
    pub(crate) fn name(&self) -> &str {
        self.name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(UNKNOWN_TOOL)
    }
}

/// One handoff to a human or another agent.
#[derive(Debug, Clone)]
pub(crate) struct Handoff {
    pub to_agent: Option<Uuid>,
    pub reason: Option<String>,
}

/// One step of the timeline.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Said {
        speaker: Speaker,
        role: String,
        text: String,
    },
    Tool(usize),
    Handoff(usize),
}

/// The session as an ordered list of steps.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    pub steps: Vec<Step>,
    pub calls: Vec<Call>,
    pub handoffs: Vec<Handoff>,
    pub customer_metadata: Option<Value>,
}

fn result_of(output: Option<&str>, error: Option<&str>) -> CallResult {
    match (error.filter(|e| !e.trim().is_empty()), output) {
        (Some(error), _) => CallResult::Error(error.to_owned()),
        (None, Some(output)) => CallResult::Output(Payload::parse(output)),
        (None, None) => CallResult::Missing,
    }
}

fn arguments_of(entry: &ToolCallEntry) -> Payload {
    match Payload::parse(&entry.arguments) {
        Payload::Text(text) => match &entry.arguments_parsed {
            Some(parsed) if !parsed.is_null() => Payload::Json(parsed.clone()),
            _ => Payload::Text(text),
        },
        json => json,
    }
}

impl Timeline {
    /// Builds the timeline of `input`.
    pub(crate) fn build(input: &SessionAnalysisInput) -> Timeline {
        let messages = &input.messages;
        let turn_index: HashMap<Uuid, usize> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| (m.turn_id, i))
            .collect();
        let mut timeline = Timeline {
            customer_metadata: input.customer_metadata.clone().map(Value::Object),
            ..Timeline::default()
        };
        let mut by_id: HashMap<&str, usize> = HashMap::default();
        // Calls placed at message `i`, and calls whose message is unknown (last slot).
        let mut placed: Vec<Vec<usize>> = vec![Vec::new(); messages.len() + 1];
        let mut position: Vec<Option<usize>> = Vec::new();

        for entry in &input.tool_calls {
            let id = entry.tool_call_id.as_str();
            // The same call listed twice is one call; two different calls that share
            // an id are both kept.
            if let Some(&existing) = by_id.get(id).filter(|_| !id.is_empty()) {
                let call: &mut Call = &mut timeline.calls[existing];
                if call.name.as_deref() == Some(entry.name.as_str())
                    && call.arguments == Some(arguments_of(entry))
                {
                    if call.result == CallResult::Missing {
                        call.result = result_of(entry.result.as_deref(), entry.error.as_deref());
                    }
                    continue;
                }
            }
            let index = timeline.calls.len();
            timeline.calls.push(Call {
                name: Some(entry.name.clone()),
                arguments: Some(arguments_of(entry)),
                result: result_of(entry.result.as_deref(), entry.error.as_deref()),
                latency_ms: entry.latency_ms,
            });
            if !id.is_empty() {
                by_id.entry(id).or_insert(index);
            }
            let slot = turn_index.get(&entry.assistant_turn_id).copied();
            position.push(slot);
            placed[slot.unwrap_or(messages.len())].push(index);
        }

        for (i, message) in messages.iter().enumerate() {
            for call in message.tool_calls.iter().flatten() {
                let id = call.id.as_str();
                match by_id.get(id).copied().filter(|_| !id.is_empty()) {
                    Some(existing) => {
                        let known = &mut timeline.calls[existing];
                        if known.name.is_none() {
                            known.name = Some(call.function.name.clone());
                        }
                        if known.arguments.is_none() {
                            known.arguments = Some(Payload::parse(&call.function.arguments));
                        }
                        // A call whose message was unknown moves to this message
                        // (and is skipped when the unplaced calls are emitted).
                        if position[existing].is_none() {
                            placed[i].push(existing);
                            position[existing] = Some(i);
                        }
                    }
                    None => {
                        let index = timeline.calls.len();
                        timeline.calls.push(Call {
                            name: Some(call.function.name.clone()),
                            arguments: Some(Payload::parse(&call.function.arguments)),
                            result: CallResult::Missing,
                            latency_ms: None,
                        });
                        if !id.is_empty() {
                            by_id.insert(id, index);
                        }
                        position.push(Some(i));
                        placed[i].push(index);
                    }
                }
            }
            let orphan_output = match &message.tool_results {
                Some(result) => {
                    let id = result.tool_call_id.as_str();
                    let outcome = result_of(Some(&result.output), result.error.as_deref());
                    match by_id.get(id).copied().filter(|_| !id.is_empty()) {
                        Some(existing) => {
                            let known = &mut timeline.calls[existing];
                            if known.result == CallResult::Missing {
                                known.result = outcome;
                            }
                            None
                        }
                        None => {
                            if !id.is_empty() {
                                by_id.insert(id, timeline.calls.len());
                            }
                            Some(outcome)
                        }
                    }
                }
                // A `tool` message without `tool_results`: its content is a result
                // whose call was not recorded.
                None if message.role.eq_ignore_ascii_case("tool")
                    && !message.content.trim().is_empty() =>
                {
                    let error = error_in_result(&message.content);
                    Some(result_of(Some(&message.content), error.as_deref()))
                }
                None => None,
            };
            if let Some(result) = orphan_output {
                let index = timeline.calls.len();
                timeline.calls.push(Call {
                    name: None,
                    arguments: None,
                    result,
                    latency_ms: None,
                });
                position.push(Some(i));
                placed[i].push(index);
            }
        }

        let handoff_slots = handoff_slots(input);
        let mut handoffs_at: Vec<Vec<usize>> = vec![Vec::new(); messages.len() + 1];
        for (index, event) in input.handoff_events.iter().enumerate() {
            timeline.handoffs.push(Handoff {
                to_agent: event.transferred_to_agent_id,
                reason: event.reason.clone().filter(|r| !r.trim().is_empty()),
            });
            handoffs_at[handoff_slots[index]].push(index);
        }

        timeline
            .steps
            .reserve(messages.len() + timeline.calls.len() + timeline.handoffs.len());
        for (i, message) in messages.iter().enumerate() {
            timeline
                .steps
                .extend(handoffs_at[i].iter().map(|&h| Step::Handoff(h)));
            if let Some(step) = said(message) {
                timeline.steps.push(step);
            }
            timeline
                .steps
                .extend(placed[i].iter().map(|&c| Step::Tool(c)));
        }
        // Calls whose message is unknown, unless a message claimed them since.
        let unplaced = placed[messages.len()]
            .iter()
            .filter(|&&c| position[c].is_none());
        timeline.steps.extend(unplaced.map(|&c| Step::Tool(c)));
        timeline.steps.extend(
            handoffs_at[messages.len()]
                .iter()
                .map(|&h| Step::Handoff(h)),
        );
        timeline
    }

    /// Replaces personal data everywhere, numbering placeholders in timeline order.
    ///
    /// First every text and JSON value is read once to learn what is personal
    /// (structured fields, introductions, patterns, a reply to the agent's question
    /// for a name; identifiers built from a learned name when learning ends), and only then is anything replaced, so a name learned from a
    /// tool result late in the session is redacted in the greeting too.
    pub(crate) fn redact(&mut self, redactor: &mut Redactor) {
        // Whether the agent's last turn asked for the customer's name, so that the
        // customer's next turn may be only the name.
        let mut asked = false;
        for step in &self.steps {
            match step {
                Step::Said { speaker, text, .. } => {
                    redactor.learn_turn(text, *speaker, asked && *speaker == Speaker::Customer);
                    match speaker {
                        Speaker::Agent => asked = crate::pii::names::asks_for_name(text),
                        Speaker::Customer => asked = false,
                        _ => {}
                    }
                }
                Step::Tool(index) => {
                    let call = &self.calls[*index];
                    let results = match &call.result {
                        CallResult::Output(output) => Some(output),
                        _ => None,
                    };
                    for payload in call.arguments.iter().chain(results) {
                        match payload {
                            Payload::Json(value) => redactor.learn_json(value, false),
                            Payload::Text(text) => redactor.learn_text(text),
                        }
                    }
                    if let CallResult::Error(error) = &call.result {
                        redactor.learn_text(error);
                    }
                }
                Step::Handoff(index) => {
                    if let Some(reason) = &self.handoffs[*index].reason {
                        redactor.learn_text(reason);
                    }
                }
            }
        }
        if let Some(metadata) = &self.customer_metadata {
            redactor.learn_json(metadata, true);
        }
        redactor.finish_learning();
        for step in &mut self.steps {
            match step {
                Step::Said { role, text, .. } => {
                    *role = redactor.text(role);
                    *text = redactor.text(text);
                }
                Step::Tool(index) => {
                    let call = &mut self.calls[*index];
                    if let Some(arguments) = &mut call.arguments {
                        redact_payload(arguments, redactor);
                    }
                    match &mut call.result {
                        CallResult::Output(output) => redact_payload(output, redactor),
                        CallResult::Error(error) => *error = redactor.text(error),
                        CallResult::Missing => {}
                    }
                }
                Step::Handoff(index) => {
                    if let Some(reason) = &mut self.handoffs[*index].reason {
                        *reason = redactor.text(reason);
                    }
                }
            }
        }
        if let Some(metadata) = &mut self.customer_metadata {
            redactor.json_of_person_in_place(metadata);
        }
    }

    /// The customer's turns, in order.
    pub(crate) fn customer_turns(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().filter_map(|step| match step {
            Step::Said {
                speaker: Speaker::Customer,
                text,
                ..
            } => Some(text.as_str()),
            _ => None,
        })
    }
}

fn redact_payload(payload: &mut Payload, redactor: &mut Redactor) {
    match payload {
        Payload::Json(value) => redactor.json_in_place(value),
        Payload::Text(text) => *text = redactor.text(text),
    }
}

fn said(message: &MessageEntry) -> Option<Step> {
    let speaker = Speaker::of(&message.role);
    let is_tool_message =
        message.tool_results.is_some() || message.role.eq_ignore_ascii_case("tool");
    if is_tool_message || message.content.trim().is_empty() {
        return None;
    }
    Some(Step::Said {
        speaker,
        role: message.role.clone(),
        text: message.content.clone(),
    })
}

// For each handoff, the index of the message it comes before (`messages.len()` for
// the end): after every message whose timestamp is not later than the handoff's.
// Message times are made monotonic (running maximum) so a binary search applies.
fn handoff_slots(input: &SessionAnalysisInput) -> Vec<usize> {
    if input.handoff_events.is_empty() {
        return Vec::new();
    }
    let mut running = i64::MIN;
    let times: Vec<i64> = input
        .messages
        .iter()
        .map(|m| {
            if let Some(t) = parse_millis(&m.timestamp) {
                running = running.max(t);
            }
            running
        })
        .collect();
    input
        .handoff_events
        .iter()
        .map(|event| match parse_millis(&event.timestamp) {
            Some(t) => times.partition_point(|&m| m <= t),
            None => times.len(),
        })
        .collect()
}
