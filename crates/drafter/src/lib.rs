//! Turns one captured session into an unsaved scenario draft: pure, deterministic,
//! no I/O.
//!
//! A *captured session* is the record of a real (or simulated) conversation: the
//! transcript, every tool call with its arguments and result or error, handoffs, the
//! outcome and CSAT. A *scenario draft* is a simulation test made from it: a customer
//! `intent`, a numbered `journey` to follow, and a `mock_world` that answers the agent's
//! tools with what they answered in the session. [`draft`] makes one; the same session
//! and options always give a byte-identical draft.
//!
//! # What a draft holds
//!
//! - `name`: every goal in order (at most three, then "and more") and the outcome,
//!   "Check savings balance, then transfer $1,730 to a friend (resolved)", in the
//!   customer's words where its requests match the tool calls (module `intent`).
//! - `intent`: every goal with the facts the customer gave, the constraints it
//!   stated, then its own words as room remains, without greetings or filler.
//! - `journey`: numbered steps (customer and agent turns, tool calls with key arguments
//!   and a one-line result or error, handoffs, events) closed by the outcome; a long
//!   session is compacted, never cut inside a character.
//! - `mock_world`: every recorded tool call in order (see [`world`]), the customer
//!   metadata, the channel and the outcome.
//! - `source_brief`, `tags`, `source_*` and `agent_ids`: where the draft came from.
//!
//! Limits are counted in characters, as the contract counts them
//! ([`feather_types::limits`]). Personal data is redacted before anything reaches the
//! draft, the mock world included (see [`pii`]): replaced by placeholders, or by
//! realistic surrogates with [`Pii::Surrogates`], unless [`DraftOptions::pii`] is
//! [`Pii::Keep`].
//!
//! # Capture formats
//!
//! [`capture::parse_value`] reads a session in either of two formats: a Feather
//! `SessionAnalysisInput`, or a chat log (a bare array of chat-completions
//! messages, `{"messages": [...]}`, or the envelope below).
//!
//! 1. A Feather `SessionAnalysisInput` (schema version 2, as
//!    `GET /v1/sessions/{session_id}/analysis-input` returns it), optionally with three
//!    more top-level keys that give the attribution: `agent_name`, `persona_id` (a UUID)
//!    and `persona_name`.
//!
//! 2. The **chat-transcript envelope**, for stacks other than Feather: OpenAI
//!    chat-completions messages wrapped with the session's facts.
//!
//! ```json
//! {
//!   "id": "a8e84864-6367-51dc-b8a2-1d304abae51f",
//!   "organization_id": "5089f4bc-8601-5899-8283-2b9a5d462041",
//!   "agent": { "id": "8802d27f-bc21-51b7-be61-fbf6bf8bbaa3", "name": "Clinic scheduler" },
//!   "persona": { "id": "bbd1d87c-f3b0-5683-836b-8876a3a99e17", "name": "Busy parent" },
//!   "channel": "chat",
//!   "session_type": "simulation",
//!   "started_at": "2026-11-21T09:00:00Z",
//!   "ended_at": "2026-11-21T09:03:10Z",
//!   "outcome": "resolved",
//!   "messages": [
//!     { "role": "user", "content": "need to move Leo's checkup to next week" },
//!     { "role": "assistant", "content": null, "tool_calls": [
//!       { "id": "call_1", "type": "function",
//!         "function": { "name": "find_appointment", "arguments": "{\"patient_name\":\"Leo Park\"}" } } ] },
//!     { "role": "tool", "tool_call_id": "call_1", "content": "{\"appointment_id\":\"A-311\"}" }
//!   ]
//! }
//! ```
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `id` | no | the session id; a UUID is used as is, any other string is turned into a UUID v5 (stable); without it, a UUID v5 of the log's content |
//! | `organization_id` | no | UUID of the owning organization; without it the nil UUID, which `feather import --org` replaces (`draft` needs none) |
//! | `agent` | no | `{id, name}`: the agent's UUID and display name |
//! | `persona` | no | `{id, name}`: the simulated persona that played the customer; its presence marks a simulation |
//! | `channel` | no | `chat` when absent; `voice`, `sms`, ... |
//! | `session_type` | no | informational (`production`, `simulation`) |
//! | `started_at` | no | RFC 3339 date-time; without it the first message `timestamp`, and without any time [`capture::UNKNOWN_TIME`]: the draft then shows no durations and says the log records no times |
//! | `ended_at` | no | RFC 3339 date-time |
//! | `outcome` | no | `resolved`, `unresolved`, `transferred`, `expired`, `error`, `abandoned`, `voicemail`, `escalated`, `call_failed` (also `success`, `failed`, `handoff`, `timeout`, ...); any other text is kept as the completion reason |
//! | `completion_reason` | no | free text, such as `customer_ended_call` |
//! | `messages` | yes | chat-completions messages, below (a bare array of them is a log without envelope) |
//! | `handoff_events` | no | Feather `HandoffEvent`s: `{timestamp, transferred_to_agent_id, reason}` |
//! | `csat` | no | a Feather `CSATEntry`: `{timestamp, score, scale_max}` |
//! | `customer_metadata` | no | an object: what the customer is known by (CRM id, locale, ...) |
//!
//! Each message has a `role` (`system`, `user`, `assistant`, `tool`, or any other
//! role, kept as an event), `content` (a string, `null`, or a list of
//! `{type: "text", text}` parts), and optionally `tool_calls` (assistant),
//! `tool_call_id` (tool) and `timestamp` (RFC 3339). The conversion to a
//! `SessionAnalysisInput`:
//!
//! - turn ids are UUID v5 of the session id and the message index, so converting the
//!   same transcript twice gives the same session;
//! - a message without a `timestamp` gets one spread evenly between `started_at` and
//!   `ended_at` (all at `started_at` when there is no `ended_at`);
//! - every assistant `tool_calls` entry becomes a `tool_calls` entry of the session, and
//!   the `tool` message with the same `tool_call_id` gives its result; a result whose
//!   JSON has a non-empty `"error"` key is recorded as the call's error;
//! - `missing_evidence_reasons` lists what a chat transcript cannot carry (RAG traces,
//!   KB snapshot, citations, user feedback), `no_tool_trace` when there are no tool
//!   calls, `no_csat` without `csat`, and `transcript_redaction_skipped`, because the
//!   transcript did not pass through Feather's redaction.

pub mod capture;
pub mod criteria;
pub mod pii;
pub mod signature;
pub mod world;

mod asks;
mod brief;
mod intent;
mod journey;
mod model;
mod text;
mod time;

use std::fmt;

use feather_types::limits;
use feather_types::session::KnowledgeGapAnalysisOutcome;
use feather_types::{ScenarioDraft, ScenarioSource, SessionAnalysisInput};
use uuid::Uuid;

pub use brief::MAX_TAGS;
pub use capture::CaptureError;
pub use feather_types::SessionAttribution;
pub use signature::{Signals, Signature, signature};

use model::{Speaker, Timeline};
use pii::Redactor;
use text::{collapse_whitespace, identifier_words};

/// Which drafts this build makes: the crate version and a digest of the sources that
/// decide a draft (see `build.rs`). Two builds with the same version draft every
/// session identically, so a draft stored under this version can be served as is;
/// one stored under another version must be made again.
pub const DRAFTS_VERSION: &str = env!("FEATHER_DRAFTS_VERSION");

/// One captured session in the internal model, whatever format it came in.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedSession {
    pub input: SessionAnalysisInput,
    pub attribution: SessionAttribution,
}

/// What a draft holds in place of the personal data a session holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pii {
    /// Numbered placeholders: `<NAME_1>`, `<NAME_1_GIVEN>`, `<EMAIL_1>` (the default).
    #[default]
    Placeholders,
    /// Realistic stand-ins of the same shape, the same for the same session every
    /// time (see [`pii`]'s `surrogates`): a simulated customer can say them.
    Surrogates,
    /// The session's own values: redaction off.
    Keep,
}

/// The mode as the command line and the server's variable name it.
impl std::str::FromStr for Pii {
    type Err = String;

    fn from_str(text: &str) -> Result<Pii, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "placeholders" => Ok(Pii::Placeholders),
            "surrogates" => Ok(Pii::Surrogates),
            "off" => Ok(Pii::Keep),
            other => Err(format!(
                "unknown PII mode {other:?}: expected placeholders, surrogates or off"
            )),
        }
    }
}

/// How to draft.
#[derive(Debug, Clone, Default)]
pub struct DraftOptions {
    /// What replaces personal data (placeholders by default).
    pub pii: Pii,
}

impl DraftOptions {
    /// The version under which drafts made with these options are stored: the
    /// drafter's [`DRAFTS_VERSION`] and the PII mode.
    pub fn version(&self) -> String {
        let redaction = match self.pii {
            Pii::Placeholders => "redacted",
            Pii::Surrogates => "surrogates",
            Pii::Keep => "unredacted",
        };
        format!("{DRAFTS_VERSION}/{redaction}")
    }
}

/// Why a session cannot be drafted.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftError {
    /// The session has no messages at all.
    NoMessages,
    /// No customer turn has any text, so there is no customer to simulate.
    NoCustomerTurn,
}

impl fmt::Display for DraftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DraftError::NoMessages => {
                write!(
                    f,
                    "The session has no messages, so there is no conversation to draft a scenario from."
                )
            }
            DraftError::NoCustomerTurn => write!(
                f,
                "The session has no customer turn with text, so there is no customer request to draft a scenario from."
            ),
        }
    }
}

impl std::error::Error for DraftError {}

/// Drafts a scenario from one captured session.
pub fn draft(
    session: &CapturedSession,
    options: &DraftOptions,
) -> Result<ScenarioDraft, DraftError> {
    drafted(session, options, Wanted::Draft)
        .0
        .map(|(draft, _)| draft)
}

/// Drafts a scenario from one captured session and signs it ([`signature`]) from
/// the same reading: what a capture stores. The draft is the one [`draft`] makes;
/// the signature is the one [`signature()`] gives, drafted or not.
pub fn draft_and_sign(
    session: &CapturedSession,
    options: &DraftOptions,
) -> (Result<ScenarioDraft, DraftError>, Signature) {
    let (drafted, signature) = drafted(session, options, Wanted::Signature);
    (
        drafted.map(|(draft, _)| draft),
        signature.unwrap_or_else(|| signature::signature(session)),
    )
}

/// A draft and the success criteria drafted beside it ([`criteria`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub draft: ScenarioDraft,
    pub success_criteria: Vec<criteria::SuccessCriterion>,
}

/// Drafts a scenario and its success criteria from one captured session: the draft
/// is the one [`draft`] makes, byte for byte.
pub fn propose(session: &CapturedSession, options: &DraftOptions) -> Result<Proposal, DraftError> {
    drafted(session, options, Wanted::Criteria)
        .0
        .map(|(draft, success_criteria)| Proposal {
            draft,
            success_criteria,
        })
}

// What a caller wants beside the draft: criteria and the signature are each made
// only when asked for, so neither costs a draft that discards it.
#[derive(Clone, Copy, PartialEq)]
enum Wanted {
    Draft,
    Criteria,
    Signature,
}

// The draft, its criteria when asked for (empty otherwise) and its signature (None
// when not asked for or when the session could not be drafted).
type Drafted = (
    Result<(ScenarioDraft, Vec<criteria::SuccessCriterion>), DraftError>,
    Option<Signature>,
);

fn drafted(session: &CapturedSession, options: &DraftOptions, wanted: Wanted) -> Drafted {
    let input = &session.input;
    if input.messages.is_empty() {
        return (Err(DraftError::NoMessages), None);
    }
    let has_customer_turn = input
        .messages
        .iter()
        .any(|m| Speaker::of(&m.role) == Speaker::Customer && !m.content.trim().is_empty());
    if !has_customer_turn {
        return (Err(DraftError::NoCustomerTurn), None);
    }

    let mut timeline = Timeline::build(input);
    let mut redactor = match options.pii {
        Pii::Surrogates => Redactor::with_surrogates(input.session_id),
        _ => Redactor::new(),
    };
    let mut completion_reason = input
        .completion_reason
        .as_ref()
        .map(|reason| collapse_whitespace(reason))
        .filter(|reason| !reason.is_empty());
    let redacted = if options.pii == Pii::Keep {
        None
    } else {
        timeline.redact(&mut redactor);
        completion_reason = completion_reason.map(|reason| redactor.text(&reason));
        Some(redactor.kinds())
    };

    let outcome = input.knowledge_gap_analysis_outcome.as_ref().copied();
    let outcome_value = outcome.map(brief::outcome_value);
    let reason_words = completion_reason.as_ref().map(|reason| {
        if reason.contains(char::is_whitespace) {
            reason.clone()
        } else {
            identifier_words(reason).join(" ")
        }
    });
    let outcome_words = outcome.map(outcome_words);
    let channel = collapse_whitespace(&input.channel);

    let mut known = Vec::new();
    let goals = intent::goals(&timeline, &mut known);
    let asks = asks::asks(&timeline);
    let items = intent::items(&goals, &asks);
    let signed = (wanted == Wanted::Signature).then(|| signature::of(input, &timeline, &items));
    let quotes = intent::customer_quotes(&timeline);
    let constraints = intent::constraints(&timeline);
    let name_outcome = outcome_words.clone().or_else(|| reason_words.clone());
    let name = intent::name(
        &items,
        &quotes,
        name_outcome.as_deref(),
        &channel,
        limits::NAME_MAX,
    );
    let success_criteria = if wanted == Wanted::Criteria {
        criteria::criteria(
            &items,
            outcome_value.as_deref(),
            !timeline.handoffs.is_empty(),
        )
    } else {
        Vec::new()
    };
    let intent = intent::intent(
        &items,
        &known,
        &constraints,
        &quotes,
        name_outcome.as_deref(),
        &channel,
        limits::INTENT_MAX,
    );

    let times_unknown = input.started_at == capture::UNKNOWN_TIME;
    let duration = match (
        time::parse_millis(&input.started_at),
        input.ended_at.as_ref().and_then(|e| time::parse_millis(e)),
    ) {
        (Some(start), Some(end)) if end >= start && !times_unknown => {
            Some(time::format_duration(end - start))
        }
        _ => None,
    };
    let csat = input.csat.as_ref().map(|c| (c.score, c.scale_max));
    let mut outcome_line = format!(
        "Outcome: {}",
        outcome_words
            .clone()
            .unwrap_or_else(|| "not recorded".to_owned())
    );
    if let Some(reason) = &reason_words {
        outcome_line.push_str(&format!(" ({})", text::shorten(reason, 80)));
    }
    outcome_line.push('.');
    if let Some((score, scale)) = csat {
        outcome_line.push_str(&format!(" CSAT {score}/{scale}."));
    }
    let journey = journey::journey(&timeline, outcome_line, limits::JOURNEY_MAX);

    let persona_id = session
        .attribution
        .persona_id
        .as_deref()
        .and_then(|id| Uuid::parse_str(id.trim()).ok());
    let persona_name = session
        .attribution
        .persona_name
        .clone()
        .filter(|n| !n.trim().is_empty());
    let agent_name = session
        .attribution
        .agent_name
        .clone()
        .filter(|n| !n.trim().is_empty());
    let facts = brief::Facts {
        session_id: input.session_id.to_string(),
        channel: &channel,
        agent_name: agent_name.as_deref(),
        persona_name: persona_name.as_deref(),
        is_simulation: persona_id.is_some() || persona_name.is_some(),
        outcome,
        outcome_words,
        completion_reason: reason_words,
        roles: input.messages.iter().map(|m| m.role.as_str()).collect(),
        duration,
        csat,
        redacted,
        surrogates: options.pii == Pii::Surrogates,
        unredacted_upstream: input
            .missing_evidence_reasons
            .contains(&feather_types::session::MissingEvidenceReason::TranscriptRedactionSkipped),
        times_unknown,
    };
    let source_brief = brief::brief(&timeline, &facts, limits::SOURCE_BRIEF_MAX);
    let tags = brief::tags(&timeline, &facts);
    let mock_world = world::mock_world(&timeline, &channel, outcome_value.as_deref());

    let agent_id = input.agent_id.as_ref().copied();
    let mut seen = std::collections::HashSet::new();
    let agent_ids: Vec<Uuid> = agent_id
        .into_iter()
        .chain(
            input
                .handoff_events
                .iter()
                .filter_map(|h| h.transferred_to_agent_id),
        )
        .filter(|id| seen.insert(*id))
        .collect();

    let draft = ScenarioDraft {
        name: text::shorten(&name, limits::NAME_MAX),
        intent,
        journey,
        mock_world,
        source: ScenarioSource::Drafted,
        source_brief: Some(source_brief),
        source_agent_id: agent_id,
        source_persona_id: persona_id,
        tags,
        agent_ids,
        source_agent_name: agent_name,
        source_persona_name: persona_name,
    };
    (Ok((draft, success_criteria)), signed)
}

fn outcome_words(outcome: KnowledgeGapAnalysisOutcome) -> String {
    brief::outcome_value(outcome).replace('_', " ")
}
