//! What a backend must provide: its SQL, one statement per operation.
//!
//! The store's operations are written once, in `lib.rs`, over sqlx's `Any` driver:
//! the same transaction, the same two-step draft lookup, the same row decoding for
//! every database. A backend differs from another only where its SQL dialect does,
//! so a backend is:
//! - a [`Dialect`]: the statements below, with the placeholders, type casts and
//!   timestamp formatting of its database (each timestamp expression is written
//!   once per dialect, as a macro the statements are built from);
//! - a `connect` function giving an [`sqlx::AnyPool`] on a migrated database (and,
//!   for SQLite, the request-path readers of `sqlite_readers.rs`);
//! - its migrations, in `migrations/<backend>/`, holding the same logical schema.
//!
//! Adding a backend is those three and one arm in `Store::connect`; the store's
//! test suite (`tests/store`) then runs every shared test on it.
//!
//! # The contract every statement keeps
//!
//! Parameters are bound in the order documented on each field, all of them as
//! text (ids as lowercase hyphenated UUIDs), 64-bit integers, or bytes (the
//! attribution strings, so that PostgreSQL can keep a NUL character; SQLite casts
//! them to TEXT). Rows come back as text, integers or bytes only, which is all the
//! `Any` driver carries: ids as hyphenated UUID text, timestamps as RFC 3339 UTC
//! text with milliseconds (`2025-01-31T12:00:00.000Z`), the analysis input and
//! drafts as their JSON text, attribution strings as their UTF-8 bytes. Rows are
//! decoded into the types of `rows.rs`, once for all backends.

use crate::{Backend, OrgScope};

/// The statements of one backend. Statements that read "as a scope sees it" come
/// in pairs ([`Scoped`]): the organization's id is then the last parameter.
pub struct Dialect {
    /// Which backend this is.
    pub backend: Backend,
    /// Stores a session (replacing the organization's one of the same id, with its
    /// revision incremented and `updated_at` renewed) and returns its revision.
    /// Parameters: organization id, session id, analysis input (JSON text), agent
    /// name, persona id, persona name (bytes or NULL).
    pub upsert_session: &'static str,
    /// Stores (or replaces) a session's draft row. Parameters: organization id,
    /// session id, drafter version (empty when there is no draft), draft (JSON text
    /// or NULL), then the signature's key, JSON text, signal bits and severity
    /// (each NULL when there is none).
    pub upsert_draft_row: &'static str,
    /// Both upserts above as one statement, for a backend that has one: a capture
    /// is then one round trip, atomic without a transaction of its own. It returns
    /// the session's revision. Parameters: those of `upsert_session`, then the
    /// drafter version, the draft and the signature's four of `upsert_draft_row`.
    pub upsert_capture: Option<&'static str>,
    /// Stores a draft beside a session only if the session is still at the given
    /// revision. Parameters: version, draft, organization id, session id, revision.
    pub put_draft: &'static str,
    /// A session as a scope sees it, columns as [`crate::rows::SessionRecord`].
    /// Parameters: session id.
    pub session: Scoped,
    /// A session's organization and its draft when the draft is of the given
    /// version (else NULL), from `session_drafts`. Parameters: version, session id.
    pub draft: Scoped,
    /// A session's organization and a NULL draft, from `sessions`: the answer when
    /// a session has lost its draft row. Parameters: session id.
    pub session_organization: Scoped,
    /// The number of sessions, over all organizations.
    pub count_sessions: &'static str,
    /// Distinct session ids in ascending order. Parameters: the limit.
    pub session_ids: Scoped,
    /// Inserts a key and returns its `created_at`. Parameters: key id, organization
    /// id, name (text or NULL), hash.
    pub create_key: &'static str,
    /// Keys, columns as [`crate::rows::KeyRecord`], oldest first; `any` lists every
    /// organization's. No parameters but the organization.
    pub keys: Scoped,
    /// Revokes a live key. Parameters: key id.
    pub revoke_key: &'static str,
    /// The organization and hash of the live key of a hash. Parameters: hash.
    pub live_key: &'static str,
    /// Inserts a scenario and returns its `created_at` and `updated_at`.
    /// Parameters: id, organization id, source session id (text or NULL), tags
    /// (JSON array text), document (JSON object text).
    pub insert_scenario: &'static str,
    /// A scenario as a scope sees it, columns as [`crate::rows::ScenarioRecord`].
    /// Parameters: id.
    pub scenario: Scoped,
    /// Deletes a scenario a scope sees. Parameters: id.
    pub delete_scenario: Scoped,
    /// A page of scenarios, newest first by `(created_at, id)`, columns as
    /// [`crate::rows::ScenarioRecord`]. Parameters: the cursor's timestamp and id
    /// (both NULL for the first page; the page starts after them), a tag as the
    /// text of a JSON string (or NULL), a source session id (or NULL), the limit.
    /// The tag comes as JSON, as the tags are stored, because PostgreSQL's TEXT
    /// cannot hold the NUL character a tag may have.
    pub scenarios: Scoped,
    /// A page of sessions, newest first by `(created_at, session_id)` with
    /// `created_at` to the millisecond, columns as
    /// [`crate::rows::SessionSummaryRecord`]: the session's and its draft's JSON
    /// text, read by the store itself, because PostgreSQL's JSON operators refuse
    /// a string with a NUL character, which a captured session may hold. Parameters: the cursor's timestamp
    /// and session id (both NULL for the first page), the limit.
    pub sessions: Scoped,
    /// Triage's groups: per signature key of the sessions a scope sees (those
    /// with a key), the key, the number of sessions, the highest severity, and
    /// for each of the nine signal bits (bit 0 first) the number of sessions with
    /// it. Parameters: the earliest first capture (RFC 3339 text, or NULL for
    /// all).
    pub triage_groups: Scoped,
    /// The sessions of one signature key, the most severe first then by session
    /// id: organization id, session id, severity, signals. Parameters: the key,
    /// the earliest first capture (or NULL), the limit.
    pub triage_members: Scoped,
    /// A session's signature JSON and draft JSON (either NULL) from its draft row.
    /// Parameters: organization id, session id.
    pub triage_session: &'static str,
    /// The distinct signature keys of the sessions that saved scenarios were
    /// drafted from (`source_session_id`), a scope's scenarios only. No
    /// parameters but the organization.
    pub covered_keys: Scoped,
    /// Sessions whose draft row has no signature yet, columns as
    /// [`crate::rows::SessionRecord`]. Parameters: the limit.
    pub unsigned_sessions: &'static str,
    /// Stores a session's signature in its draft row. Parameters: key, JSON text,
    /// signals, severity, organization id, session id.
    pub put_signature: &'static str,
}

/// One statement in two forms: for every organization, and for one (whose id is
/// then bound last).
pub struct Scoped {
    pub any: &'static str,
    pub organization: &'static str,
}

impl Scoped {
    /// The statement for `scope`, and the organization id to bind last, if any.
    pub fn pick(&self, scope: OrgScope) -> (&'static str, Option<String>) {
        match scope {
            OrgScope::Any => (self.any, None),
            OrgScope::Organization(organization_id) => {
                (self.organization, Some(organization_id.to_string()))
            }
        }
    }
}
