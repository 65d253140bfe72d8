//! The draft's `journey`: the session as numbered steps a simulated customer can follow
//! and a reviewer can check the agent against.
//!
//! Each customer turn, agent turn, tool call (name, key arguments, a one-line result or
//! the error), handoff and event becomes one line, and the outcome closes the list.
//! A journey that would exceed the limit is compacted: consecutive identical steps
//! are merged ("repeated N times"), then the middle is left out, with a line counting
//! what was left out, so the opening and the end always survive.

use serde_json::Value;

use crate::model::{Call, CallResult, Handoff, Payload, Speaker, Step, Timeline};
use crate::text::{chars, collapse_whitespace, shorten};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Customer,
    Agent,
    Tool,
    Other,
}

struct Line {
    kind: Kind,
    text: String,
    repeats: usize,
}

impl Line {
    fn render(&self) -> String {
        if self.repeats > 1 {
            format!("{} (repeated {} times)", self.text, self.repeats)
        } else {
            self.text.clone()
        }
    }
}

/// The journey of `timeline`, closed by `outcome_line`, within `max` characters.
pub(crate) fn journey(timeline: &Timeline, outcome_line: String, max: usize) -> String {
    let mut lines: Vec<Line> = Vec::with_capacity(timeline.steps.len() + 1);
    for step in &timeline.steps {
        let Some((kind, text)) = describe(timeline, step) else {
            continue;
        };
        match lines.last_mut() {
            Some(last) if last.text == text => last.repeats += 1,
            _ => lines.push(Line {
                kind,
                text,
                repeats: 1,
            }),
        }
    }
    lines.push(Line {
        kind: Kind::Other,
        text: outcome_line,
        repeats: 1,
    });
    fit(lines.iter().map(Line::render).collect(), &lines, max)
}

fn describe(timeline: &Timeline, step: &Step) -> Option<(Kind, String)> {
    Some(match step {
        Step::Said {
            speaker: Speaker::Customer,
            text,
            ..
        } => (
            Kind::Customer,
            format!("Customer: \"{}\"", shorten(&collapse_whitespace(text), 600)),
        ),
        Step::Said {
            speaker: Speaker::Agent,
            text,
            ..
        } => (
            Kind::Agent,
            format!("Agent: \"{}\"", shorten(&collapse_whitespace(text), 300)),
        ),
        Step::Said {
            speaker: Speaker::System,
            ..
        } => return None,
        Step::Said {
            speaker: Speaker::Other,
            role,
            text,
        } => (
            Kind::Other,
            format!(
                "Event ({}): {}",
                shorten(&collapse_whitespace(role), 30),
                shorten(&collapse_whitespace(text), 200)
            ),
        ),
        Step::Tool(index) => (Kind::Tool, tool_line(&timeline.calls[*index])),
        Step::Handoff(index) => (Kind::Other, handoff_line(&timeline.handoffs[*index])),
    })
}

fn tool_line(call: &Call) -> String {
    let name = shorten(&collapse_whitespace(call.name()), 80);
    let result = match &call.result {
        CallResult::Output(Payload::Json(value)) => {
            format!("returns {}", shorten(&compact(value), 240))
        }
        CallResult::Output(Payload::Text(text)) if text.trim().is_empty() => {
            "returns an empty result".to_owned()
        }
        CallResult::Output(Payload::Text(text)) => {
            format!("returns \"{}\"", shorten(&collapse_whitespace(text), 240))
        }
        CallResult::Error(error) => format!(
            "fails with error: {}",
            shorten(&collapse_whitespace(error), 240)
        ),
        CallResult::Missing => "no result was recorded".to_owned(),
    };
    match &call.arguments {
        Some(arguments) => format!(
            "Agent calls {name}({}) → {result}",
            shorten(&arguments_text(arguments), 240)
        ),
        None => format!("Tool {name} (call not recorded) → {result}"),
    }
}

// `key="value", n=5` for an object, the compact JSON or quoted text otherwise.
fn arguments_text(arguments: &Payload) -> String {
    match arguments {
        Payload::Json(Value::Object(map)) => map
            .iter()
            .map(|(key, value)| format!("{}={}", shorten(key, 40), shorten(&compact(value), 60)))
            .collect::<Vec<_>>()
            .join(", "),
        Payload::Json(value) => compact(value),
        Payload::Text(text) => format!("\"{}\"", collapse_whitespace(text)),
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => Value::String(collapse_whitespace(text)).to_string(),
        other => other.to_string(),
    }
}

fn handoff_line(handoff: &Handoff) -> String {
    let to = match handoff.to_agent {
        Some(agent) => format!("Handoff to agent {agent}"),
        None => "Handoff to a human agent".to_owned(),
    };
    match &handoff.reason {
        Some(reason) => format!(
            "{to} (reason: {})",
            shorten(&collapse_whitespace(reason), 200)
        ),
        None => to,
    }
}

// Numbers the lines and, when they do not fit, keeps the opening and the end.
fn fit(rendered: Vec<String>, lines: &[Line], max: usize) -> String {
    let numbered: Vec<String> = rendered
        .iter()
        .enumerate()
        .map(|(i, text)| format!("{}. {text}", i + 1))
        .collect();
    let sizes: Vec<usize> = numbered.iter().map(|line| chars(line)).collect();
    let total: usize = sizes.iter().sum::<usize>() + sizes.len().saturating_sub(1);
    if total <= max {
        return numbered.join("\n");
    }
    // Room for the line that counts what was left out.
    let budget = max.saturating_sub(200);
    let head_budget = budget * 3 / 5;
    let (mut head, mut used) = (0, 0);
    while head < numbered.len() && used + sizes[head] < head_budget {
        used += sizes[head] + 1;
        head += 1;
    }
    let mut tail = numbered.len();
    while tail > head + 1 && used + sizes[tail - 1] < budget {
        used += sizes[tail - 1] + 1;
        tail -= 1;
    }
    let left_out = &lines[head..tail];
    let count = |kind: Kind| {
        left_out
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.repeats)
            .sum::<usize>()
    };
    let mut parts = Vec::new();
    for (kind, label) in [
        (Kind::Customer, "customer turns"),
        (Kind::Agent, "agent turns"),
        (Kind::Tool, "tool calls"),
        (Kind::Other, "other steps"),
    ] {
        let n = count(kind);
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let elided = format!(
        "… steps {} to {} left out: {} …",
        head + 1,
        tail,
        parts.join(", ")
    );
    let mut out: Vec<&str> = numbered[..head].iter().map(String::as_str).collect();
    out.push(&elided);
    out.extend(numbered[tail..].iter().map(String::as_str));
    let journey = out.join("\n");
    debug_assert!(chars(&journey) <= max, "the journey fits");
    shorten(&journey, max)
}
