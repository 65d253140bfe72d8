//! Captured-session storage for Feather: SQLite (the embedded default) or PostgreSQL.
//!
//! One [`Store`] hides which database is behind it; [`Store::connect`] picks the
//! backend from the URL and applies the migrations in `migrations/<backend>/`
//! (embedded at compile time, idempotent). Sessions are keyed by
//! `(organization_id, session_id)`, so two organizations may capture the same
//! session id without ever seeing each other's. API keys are stored as SHA-256
//! hashes only.
//!
//! The two backends keep the same logical schema, and the store's test suite
//! (`tests/store`) runs every test against both.
//!
//! Each session has a row in `session_drafts` holding its draft, if it has one:
//! the server makes a session's draft when the session is captured, and
//! [`Store::get_draft_source`] gives it back when it was made by the asked drafter
//! version, else the session to draft from. A capture replaces the row in the same
//! transaction. The row's key starts with the session id, so on SQLite the draft
//! endpoint's lookup touches that table only.
//!
//! On SQLite, the one-row reads of the request path (a draft, a session, an API
//! key) run on the caller's thread through rusqlite instead of through sqlx's
//! per-connection worker thread; `sqlite_readers.rs` says why. Those reads share
//! snapshots: a write through the same [`Store`] is seen by the next read, and a
//! write by another process within [`SQLITE_SNAPSHOT_REUSE`].
//!
//! Why the SQL is written twice (`sqlite.rs` and `postgres.rs`) rather than through
//! sqlx's `Any` driver: the backends differ where it matters (UUID and timestamp
//! types, JSON checks, how "now" is spelled), and plain per-backend strings keep
//! every statement readable and checked by the tests.

mod error;
mod keys;
mod postgres;
mod sqlite;
mod sqlite_readers;

use std::time::Duration;

use feather_types::SessionAttribution;
use uuid::Uuid;

pub use error::StoreError;
pub use keys::constant_time_eq;

/// How long an operation waits for a pooled connection (or for a new connection
/// to be made) before the store is reported unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// How late a SQLite [`Store`] may see a write made by another process (or
/// another `Store` on the same file); its own writes it sees at once.
pub const SQLITE_SNAPSHOT_REUSE: Duration = sqlite_readers::SNAPSHOT_REUSE;

/// How often a SQLite [`Store`] ends the snapshots of readers left idle, which
/// would otherwise keep the WAL from being checkpointed to its start.
pub const SQLITE_SNAPSHOT_SWEEP: Duration = sqlite_readers::SWEEP_EVERY;

/// Which database a [`Store`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the session store; cheap to clone (it is a connection pool).
#[derive(Clone)]
pub struct Store {
    pool: Pool,
}

#[derive(Clone)]
enum Pool {
    Sqlite(sqlite::Sqlite),
    Postgres(sqlx::PgPool),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// A session to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    pub organization_id: Uuid,
    pub session_id: Uuid,
    /// The session's `SessionAnalysisInput`, as JSON. It must be a JSON object; the
    /// database refuses anything else.
    pub analysis_input: serde_json::Value,
    pub attribution: SessionAttribution,
    /// The session's draft, made now, to keep beside it; `None` when there is none
    /// (the session cannot be drafted). It replaces whatever draft was stored.
    pub draft: Option<StoredDraft>,
}

/// A draft made from a session, kept beside the session so it is made once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    /// Which drafter made it (`feather_drafter::DRAFTS_VERSION`).
    pub version: String,
    /// The draft as JSON text, sent back verbatim.
    pub json: String,
}

/// What the draft endpoint reads for a session: its draft when one made by the
/// current drafter is stored, else the session itself to draft from.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftSource {
    /// The stored draft's JSON text.
    Current(String),
    /// No draft of the asked version is stored: the session, and its revision
    /// for [`Store::put_draft`].
    Stale {
        session: StoredSessionText,
        revision: i64,
    },
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub organization_id: Uuid,
    pub session_id: Uuid,
    pub analysis_input: serde_json::Value,
    pub attribution: SessionAttribution,
    /// When the session was first captured, RFC 3339 UTC with milliseconds
    /// (`2025-01-31T12:00:00.000Z`).
    pub created_at: String,
    /// When it was last captured, in the same form.
    pub updated_at: String,
}

/// A session as stored, with its analysis input as the JSON text the database
/// holds, so that a caller can deserialise it straight into the type it needs
/// instead of going through a [`serde_json::Value`] first.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSessionText {
    pub organization_id: Uuid,
    pub session_id: Uuid,
    /// The `SessionAnalysisInput` as JSON text, exactly as stored.
    pub analysis_input: String,
    pub attribution: SessionAttribution,
    /// When the session was first captured, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When it was last captured, in the same form.
    pub updated_at: String,
}

/// Whose sessions a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgScope {
    /// Every organization's (the single-key development mode). When a session id
    /// exists in several organizations, the one with the smallest organization id
    /// is returned, so the pick is deterministic.
    Any,
    /// One organization's only.
    Organization(Uuid),
}

/// What storing one session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PutOutcome {
    /// `true` when the session was new, `false` when it replaced a stored one.
    pub created: bool,
}

/// An API key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: Option<String>,
    /// RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When the key was revoked, in the same form; `None` while it is live.
    pub revoked_at: Option<String>,
}

impl Store {
    /// Connects and runs the migrations.
    ///
    /// `url`: `postgres://...` or `postgresql://...` selects PostgreSQL (sqlx's URL
    /// syntax, so `?options=-csearch_path%3Dmy_schema` puts the tables in another
    /// schema); `sqlite:PATH`, `sqlite://PATH` or a plain file path selects SQLite.
    /// An SQLite file and its parent directories are created on first run; the
    /// database uses WAL mode and waits up to a few seconds for a busy lock.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let lowercase = url.trim_start().to_ascii_lowercase();
        let pool = if lowercase.starts_with("postgres://") || lowercase.starts_with("postgresql://")
        {
            Pool::Postgres(postgres::connect(url).await?)
        } else {
            Pool::Sqlite(sqlite::connect(url).await?)
        };
        Ok(Store { pool })
    }

    /// Which database this store uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Stores a session, replacing the organization's session of the same id if
    /// there is one. Idempotent.
    pub async fn put_session(&self, session: &NewSession) -> Result<PutOutcome, StoreError> {
        let mut outcomes = self.put_sessions(std::slice::from_ref(session)).await?;
        Ok(outcomes.remove(0))
    }

    /// Stores several sessions in one transaction: all of them or none. The
    /// outcomes are in the order of `sessions`; a session id that appears twice in
    /// one batch is created by the first and replaced by the second.
    pub async fn put_sessions(
        &self,
        sessions: &[NewSession],
    ) -> Result<Vec<PutOutcome>, StoreError> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sessions
            .iter()
            .map(SessionRow::new)
            .collect::<Result<Vec<_>, _>>()?;
        match &self.pool {
            Pool::Sqlite(pool) => sqlite::put_sessions(pool, &rows).await,
            Pool::Postgres(pool) => postgres::put_sessions(pool, &rows).await,
        }
    }

    /// The session `session_id` as `scope` sees it, or `None`.
    pub async fn get_session(
        &self,
        scope: OrgScope,
        session_id: Uuid,
    ) -> Result<Option<StoredSession>, StoreError> {
        self.get_session_text(scope, session_id)
            .await?
            .map(StoredSessionText::into_stored_session)
            .transpose()
    }

    /// As [`Store::get_session`], with the analysis input left as the stored JSON
    /// text: the read path of the draft endpoint, which parses it once into its own
    /// types.
    pub async fn get_session_text(
        &self,
        scope: OrgScope,
        session_id: Uuid,
    ) -> Result<Option<StoredSessionText>, StoreError> {
        let found = self.get_session_revision(scope, session_id).await?;
        Ok(found.map(|(session, _revision)| session))
    }

    /// As [`Store::get_session_text`], with the session's revision.
    async fn get_session_revision(
        &self,
        scope: OrgScope,
        session_id: Uuid,
    ) -> Result<Option<(StoredSessionText, i64)>, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlite::get_session(pool, scope, session_id).await,
            Pool::Postgres(pool) => postgres::get_session(pool, scope, session_id).await,
        }
    }

    /// The draft of session `session_id` made by drafter `drafts_version`, or the
    /// session to draft from when no such draft is stored; `None` when `scope`
    /// sees no such session. One read when the draft is there (it touches the
    /// session's index and the draft, never the session's text); a second one for
    /// the session when it is not.
    pub async fn get_draft_source(
        &self,
        scope: OrgScope,
        session_id: Uuid,
        drafts_version: &str,
    ) -> Result<Option<DraftSource>, StoreError> {
        let found = match &self.pool {
            Pool::Sqlite(pool) => {
                sqlite::get_draft(pool, scope, session_id, drafts_version).await?
            }
            Pool::Postgres(pool) => {
                postgres::get_draft(pool, scope, session_id, drafts_version).await?
            }
        };
        match found {
            None => Ok(None),
            Some((_, Some(draft))) => Ok(Some(DraftSource::Current(draft))),
            // No current draft: the session itself (unless it went in between).
            Some((organization_id, None)) => {
                let scope = OrgScope::Organization(organization_id);
                let session = self.get_session_revision(scope, session_id).await?;
                Ok(session.map(|(session, revision)| DraftSource::Stale { session, revision }))
            }
        }
    }

    /// Keeps `draft` beside the session, unless the session was captured again
    /// since `revision` was read (then the new capture's draft stands). `true` when
    /// it was kept. The session's `updated_at` does not change: a draft is derived
    /// data, not a capture.
    pub async fn put_draft(
        &self,
        organization_id: Uuid,
        session_id: Uuid,
        revision: i64,
        draft: &StoredDraft,
    ) -> Result<bool, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                sqlite::put_draft(pool, organization_id, session_id, revision, draft).await
            }
            Pool::Postgres(pool) => {
                postgres::put_draft(pool, organization_id, session_id, revision, draft).await
            }
        }
    }

    /// How many sessions are stored, over all organizations.
    pub async fn count_sessions(&self) -> Result<u64, StoreError> {
        let count = match &self.pool {
            Pool::Sqlite(pool) => sqlite::count_sessions(pool).await?,
            Pool::Postgres(pool) => postgres::count_sessions(pool).await?,
        };
        u64::try_from(count)
            .map_err(|_| StoreError::Corrupt(format!("a count of {count} sessions")))
    }

    /// Up to `limit` distinct session ids that `scope` sees, in ascending order, for
    /// benchmarks and demos.
    pub async fn session_ids(&self, scope: OrgScope, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlite::session_ids(pool, scope, limit).await,
            Pool::Postgres(pool) => postgres::session_ids(pool, scope, limit).await,
        }
    }

    /// Makes a new API key for `organization_id` and returns it with its plaintext,
    /// which is not stored and cannot be shown again.
    pub async fn create_api_key(
        &self,
        organization_id: Uuid,
        name: Option<&str>,
    ) -> Result<(ApiKeyInfo, String), StoreError> {
        let plaintext = keys::generate()?;
        let key = NewKey {
            id: Uuid::new_v4(),
            organization_id,
            name,
            hash: keys::hash(&plaintext),
        };
        let info = match &self.pool {
            Pool::Sqlite(pool) => sqlite::create_api_key(pool, &key).await?,
            Pool::Postgres(pool) => postgres::create_api_key(pool, &key).await?,
        };
        Ok((info, plaintext))
    }

    /// The API keys of one organization, or of all when `organization_id` is
    /// `None`, revoked ones included, oldest first.
    pub async fn list_api_keys(
        &self,
        organization_id: Option<Uuid>,
    ) -> Result<Vec<ApiKeyInfo>, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlite::list_api_keys(pool, organization_id).await,
            Pool::Postgres(pool) => postgres::list_api_keys(pool, organization_id).await,
        }
    }

    /// Revokes a key. `false` when there is no such key or it was already revoked.
    pub async fn revoke_api_key(&self, key_id: Uuid) -> Result<bool, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlite::revoke_api_key(pool, key_id).await,
            Pool::Postgres(pool) => postgres::revoke_api_key(pool, key_id).await,
        }
    }

    /// The organization of a live (unrevoked) key, or `None`.
    pub async fn resolve_api_key(&self, plaintext: &str) -> Result<Option<Uuid>, StoreError> {
        let hash = keys::hash(plaintext);
        let found = match &self.pool {
            Pool::Sqlite(pool) => sqlite::find_live_key(pool, &hash).await?,
            Pool::Postgres(pool) => postgres::find_live_key(pool, &hash).await?,
        };
        // The lookup was by hash already; comparing again in constant time keeps the
        // decision itself from depending on how much of a hash matched.
        Ok(found.and_then(|(organization_id, stored_hash)| {
            keys::constant_time_eq(stored_hash.as_bytes(), hash.as_bytes())
                .then_some(organization_id)
        }))
    }
}

/// A [`NewSession`] in the form the backends bind.
struct SessionRow<'a> {
    organization_id: Uuid,
    session_id: Uuid,
    analysis_input: String,
    attribution: &'a SessionAttribution,
    draft: Option<&'a StoredDraft>,
}

impl<'a> SessionRow<'a> {
    fn new(session: &'a NewSession) -> Result<Self, StoreError> {
        let analysis_input = serde_json::to_string(&session.analysis_input)
            .map_err(|err| StoreError::Other(format!("session {}: {err}", session.session_id)))?;
        Ok(SessionRow {
            organization_id: session.organization_id,
            session_id: session.session_id,
            analysis_input,
            attribution: &session.attribution,
            draft: session.draft.as_ref(),
        })
    }
}

/// A key to insert.
struct NewKey<'a> {
    id: Uuid,
    organization_id: Uuid,
    name: Option<&'a str>,
    hash: String,
}

/// Builds a [`StoredSessionText`] from the columns both backends select.
fn stored_session_text(
    organization_id: Uuid,
    session_id: Uuid,
    analysis_input: String,
    attribution: SessionAttribution,
    created_at: String,
    updated_at: String,
) -> StoredSessionText {
    StoredSessionText {
        organization_id,
        session_id,
        analysis_input,
        attribution,
        created_at,
        updated_at,
    }
}

impl StoredSessionText {
    /// The session with its analysis input parsed as a JSON value.
    pub fn into_stored_session(self) -> Result<StoredSession, StoreError> {
        let analysis_input = serde_json::from_str(&self.analysis_input).map_err(|err| {
            StoreError::Corrupt(format!(
                "session {} of organization {}: analysis input is not JSON: {err}",
                self.session_id, self.organization_id
            ))
        })?;
        Ok(StoredSession {
            organization_id: self.organization_id,
            session_id: self.session_id,
            analysis_input,
            attribution: self.attribution,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}
