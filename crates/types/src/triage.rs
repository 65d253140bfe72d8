//! Triage: the groups of captured sessions worth a regression test, an addition
//! to upstream (`GET /v1/sessions/candidates`, `listSessionCandidates`).
//!
//! Why a module of its own: the groups are computed by the server from the
//! signatures stored at capture (`feather_drafter::signature`), and `feather
//! triage` prints the same structures; keeping them here lets the CLI, the API and
//! the generated client share one shape.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::schema::nullable_datetime;

/// The limits of the candidates list.
pub mod triage_limits {
    /// The most groups one page holds.
    pub const CANDIDATES_LIMIT_MAX: u32 = 100;
    /// The groups of a page when `limit` is not given.
    pub const CANDIDATES_LIMIT_DEFAULT: u32 = 20;
    /// The most member ids a group lists (`member_count` has them all).
    pub const MEMBER_IDS_MAX: usize = 10;
}

/// The query of `listSessionCandidates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandidateQuery {
    /// The most groups of the page, 1 to 100 (20 when absent).
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: u32,
    /// Only sessions first captured at or after this date-time.
    #[serde(default)]
    #[schemars(schema_with = "nullable_datetime")]
    pub since: Option<String>,
    /// The `next_cursor` of the previous page; absent for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// How many of a group's sessions show each signal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandidateSignals {
    /// Sessions with a failed tool call (`tool_calls[].error`).
    pub tool_errors: u64,
    /// Sessions whose outcome is `error`, `call_failed` or `unresolved`.
    pub failed: u64,
    /// Sessions whose outcome is `abandoned`, `expired` or `voicemail`.
    pub abandoned: u64,
    /// Sessions whose outcome is `escalated` or `transferred`.
    pub escalated: u64,
    /// Sessions with a handoff (`handoff_events`).
    pub handoffs: u64,
    /// Sessions whose CSAT is at most 40% of its scale (`csat`).
    pub low_csat: u64,
    /// Sessions whose feedback rating is at most 2 (`user_feedback.rating`).
    pub low_feedback: u64,
    /// Sessions reopened (`reopen`).
    pub reopened: u64,
    /// Sessions of 40 messages or more (`messages`).
    pub long: u64,
    /// No saved scenario covers the group's goal sequence.
    pub novel_goals: bool,
    /// No saved scenario covers the group's tool path.
    pub novel_tools: bool,
}

/// One distinct problem: the sessions whose signatures match or nearly match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandidateGroup {
    /// The signature key of the group's most frequent member key
    /// (`goals:<g1>><g2>|tools:<t1>><t2>`).
    pub key: String,
    /// The goals in order, as the drafter names them (tool names in snake case,
    /// the customer's asks as `ask_<kind>`).
    pub goals: Vec<String>,
    /// The tool path: tool names in order, consecutive repeats collapsed.
    pub tools: Vec<String>,
    /// The representative session: the group's most severe (then smallest id).
    pub representative_session_id: Uuid,
    /// The name of the representative session's draft; `null` when it has none.
    pub name: Option<String>,
    /// Sessions in the group.
    pub size: u64,
    /// Distinct signature keys joined in the group (near matches).
    pub keys: u64,
    /// Up to 10 member session ids, the most severe first.
    pub member_session_ids: Vec<Uuid>,
    /// The signals that rank the group.
    pub signals: CandidateSignals,
    /// The highest severity of a member (the sum of its signals' weights).
    pub max_severity: i64,
    /// The rank's score: `(1 + weighted share of signals + 3 if novel) ×
    /// ln(1 + size)` (docs/triage.md).
    pub score: f64,
    /// Whether a saved scenario covers one of the group's keys.
    pub covered: bool,
}

/// What the saved scenarios cover.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// Sessions with a signature, in the period asked for.
    pub sessions: u64,
    /// Of those, sessions in a group a saved scenario covers.
    pub sessions_covered: u64,
    /// Groups.
    pub groups: u64,
    /// Groups a saved scenario covers.
    pub groups_covered: u64,
    /// `sessions_covered / sessions` (0 when there are none).
    pub session_share: f64,
    /// `groups_covered / groups` (0 when there are none).
    pub group_share: f64,
}

/// One page of triage's groups, highest score first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandidateList {
    /// The groups of this page, highest score first.
    pub items: Vec<CandidateGroup>,
    /// The `cursor` that asks for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// What the saved scenarios cover, over all the groups (not only this page).
    pub coverage: Coverage,
}

fn default_limit() -> u32 {
    triage_limits::CANDIDATES_LIMIT_DEFAULT
}
