//! Captured-session storage for Feather: SQLite (the embedded default) or PostgreSQL.
//!
//! One [`Store`] hides which database is behind it; [`Store::connect`] picks the
//! backend from the URL and applies the migrations in `migrations/<backend>/`
//! (embedded at compile time, idempotent). Sessions are keyed by
//! `(organization_id, session_id)`, so two organizations may capture the same
//! session id without ever seeing each other's. API keys are stored as SHA-256
//! hashes only.
//!
//! Saved scenarios are kept per organization too, in `scenarios` (migrations
//! `sqlite/0004`, `postgres/0006`): their content as one JSON object the store
//! does not read, beside the columns a list filters on (source session, tags).
//! Lists of scenarios and of sessions are newest first, a page at a time after a
//! `(created_at, id)` pair ([`PageAfter`]).
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
//! Every operation is written once, below, over sqlx's `Any` driver; a backend
//! brings only its SQL (`dialect.rs` says what a backend must provide), its
//! connection and its migrations. The SQLite readers run the same statements.
//! Why `Any` and not a trait with an implementation per backend: the backends'
//! statements differ, their logic does not (a transaction of two upserts, a
//! two-step draft lookup, the same rows), and one generic implementation over
//! sqlx's typed drivers needs the same long list of trait bounds on every
//! function. `Any` carries only text, integers and bytes, so every statement
//! binds and returns those (PostgreSQL casts its UUIDs and timestamps), which
//! costs PostgreSQL a conversion of each row; SQLite's request-path reads do not
//! go through it: `bench/run.sh` measured the draft endpoint at 0.49–0.71 of its
//! baseline before and 0.52–0.59 after, within the shared machine's noise (the
//! README's "Performance").
//!
//! Captures ([`Store::put_sessions`]) are committed in groups: the captures that
//! arrive together share one transaction and one commit, and each is answered
//! after it. On an SQLite file one writer thread writes the groups
//! (`sqlite_writer.rs`), since SQLite has one writer at a time; on PostgreSQL
//! (and an in-memory SQLite database) a few tasks write them through the pool
//! (`group_commit.rs`). Under
//! `bench/run.sh`'s capture scenario this took a capture from 840 to about 210 µs
//! of CPU and from 21 context switches to one (README, "Performance").
//!
//! On SQLite, writes are guarded (`sqlite::FileGuard`): refused while the path
//! no longer names the file the store opened, and followed, when they fail as
//! unavailable (a read-only file, a full disk), by new connections, so the store
//! recovers without a restart, also when it was started on a read-only file (whose
//! `-wal` and `-shm` files it then made read-only too).

mod dialect;
mod error;
mod group_commit;
mod keys;
mod postgres;
mod rows;
mod sqlite;
mod sqlite_readers;
mod sqlite_writer;

use std::sync::Arc;
use std::time::Duration;

use feather_types::SessionAttribution;
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::dialect::Dialect;
use crate::rows::{KeyRecord, ScenarioRecord, SessionRecord, SessionSummaryRecord, parse_uuid};
use crate::sqlite_readers::Readers;

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

/// How an SQLite store makes a commit durable before it returns: SQLite's
/// `PRAGMA synchronous` in WAL mode. The README's "Durability" has what each keeps
/// and costs, measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SqliteSynchronous {
    /// `NORMAL`: a commit is in the WAL, in the operating system's hands, before it
    /// returns; it survives the process being killed, and a power loss or an
    /// operating system crash can lose the last commits (never corrupt the file).
    #[default]
    Normal,
    /// `FULL`: the WAL is also synced to the disk at every commit, so a commit
    /// survives a power loss too, at the cost of an fsync per write.
    Full,
}

impl SqliteSynchronous {
    /// The setting's name in SQLite and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SqliteSynchronous::Normal => "normal",
            SqliteSynchronous::Full => "full",
        }
    }
}

impl std::str::FromStr for SqliteSynchronous {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "normal" => Ok(SqliteSynchronous::Normal),
            "full" => Ok(SqliteSynchronous::Full),
            other => Err(format!("{other:?} is not normal or full")),
        }
    }
}

/// What [`Store::connect_with`] may be told besides the URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// How SQLite makes commits durable; PostgreSQL's durability is the server's
    /// own (`synchronous_commit`, on by default).
    pub sqlite_synchronous: SqliteSynchronous,
    /// Open only a database that exists: an SQLite file that is missing is an error
    /// instead of a new empty database (for commands that only read or change what
    /// is there, where a missing file is a mistyped path).
    pub existing_only: bool,
}

/// Which database a [`Store`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the session store; cheap to clone (it is a connection pool).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: &'static Dialect,
    /// The request-path readers of an SQLite file (`sqlite_readers.rs`); `None`
    /// for PostgreSQL and for an in-memory SQLite database, read through the pool.
    readers: Option<Arc<Readers>>,
    /// The guard of an SQLite file's writes (`sqlite::FileGuard`).
    file: Option<Arc<sqlite::FileGuard>>,
    /// The queue of captures, committed in groups by an SQLite file's writer thread
    /// (`sqlite_writer.rs`), else by tasks through the pool (`group_commit.rs`).
    captures: Arc<group_commit::Queue>,
    /// When the migrations last ran again on a PostgreSQL database that had lost
    /// its tables ([`StoreError::Unmigrated`]); held while they run, so they run
    /// once for all the requests that met the error together.
    migrated_again_at: Arc<tokio::sync::Mutex<Option<std::time::Instant>>>,
}

/// Installs sqlx's `Any` drivers for the backends, once.
fn install_drivers() {
    sqlx::any::install_default_drivers();
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
    /// The session's `SessionAnalysisInput`, as JSON text. It must be a JSON
    /// object; the database refuses anything else.
    pub analysis_input: String,
    pub attribution: SessionAttribution,
    /// The session's draft, made now, to keep beside it; `None` when there is none
    /// (the session cannot be drafted). It replaces whatever draft was stored.
    pub draft: Option<StoredDraft>,
    /// The session's signature, made now, for triage; `None` leaves it to be
    /// filled later ([`Store::unsigned_sessions`]).
    pub signature: Option<StoredSignature>,
}

/// A session's signature as the store keeps it beside the draft (migrations
/// `sqlite/0005`, `postgres/0007`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSignature {
    /// What triage groups on (`feather_drafter::Signature::key`).
    pub key: String,
    /// The rest as the text of a JSON object.
    pub json: String,
    /// The signals as bits (`feather_drafter::signature::flag`).
    pub signals: i64,
    /// The sum of the signals' weights.
    pub severity: i64,
}

/// One signature key's sessions, as triage counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageGroupRow {
    pub key: String,
    pub sessions: i64,
    pub max_severity: i64,
    /// For each signal bit, bit 0 first, how many of the sessions have it.
    pub flag_counts: [i64; 9],
}

/// One session of a signature key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageMember {
    pub organization_id: Uuid,
    pub session_id: Uuid,
    pub severity: i64,
    pub signals: i64,
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

/// A scenario to store. The store keeps its content as given and reads nothing
/// inside it; the columns a list filters on come beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScenario {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The session it was drafted from, which `list_scenarios` can filter on.
    pub source_session_id: Option<Uuid>,
    /// Its tags, which `list_scenarios` can filter on.
    pub tags: Vec<String>,
    /// Its content as the text of a JSON object.
    pub document: String,
}

/// A scenario as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredScenario {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub source_session_id: Option<Uuid>,
    /// The content as stored: the text of a JSON object.
    pub document: String,
    /// RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// In the same form.
    pub updated_at: String,
}

/// Where a page of a newest-first list starts: after the item with this
/// timestamp (RFC 3339 UTC with milliseconds, as the store gives them) and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAfter {
    pub created_at: String,
    pub id: Uuid,
}

/// Which scenarios [`Store::list_scenarios`] gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioFilter {
    /// Start after this item; `None` for the first page.
    pub after: Option<PageAfter>,
    /// Only those with this tag.
    pub tag: Option<String>,
    /// Only those drafted from this session.
    pub source_session_id: Option<Uuid>,
}

/// A session as the session list shows it: ids, the stored draft's name, and
/// what the session says of its end, as text the server reads into its types.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSessionSummary {
    pub organization_id: Uuid,
    pub session_id: Uuid,
    /// The `name` of the stored draft; `None` when the session has no draft.
    pub draft_name: Option<String>,
    pub agent_id: Option<String>,
    pub channel: Option<String>,
    pub outcome: Option<String>,
    pub completion_reason: Option<String>,
    pub ended_at: Option<String>,
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
        Store::connect_with(url, StoreOptions::default()).await
    }

    /// As [`Store::connect`], with `options`.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        let lowercase = url.trim_start().to_ascii_lowercase();
        if lowercase.starts_with("postgres://") || lowercase.starts_with("postgresql://") {
            let pool = postgres::connect(url).await?;
            Ok(Store {
                captures: Arc::new(group_commit::start(pool.clone(), &postgres::DIALECT)),
                pool,
                dialect: &postgres::DIALECT,
                readers: None,
                file: None,
                migrated_again_at: Arc::default(),
            })
        } else {
            let connected = sqlite::connect(url, options).await?;
            let (readers, file, captures) = match connected.file {
                Some(file) => (Some(file.readers), Some(file.guard), file.captures),
                // An in-memory database: its one connection, through the pool.
                None => (
                    None,
                    None,
                    group_commit::start(connected.pool.clone(), &sqlite::DIALECT),
                ),
            };
            Ok(Store {
                pool: connected.pool,
                dialect: &sqlite::DIALECT,
                readers,
                file,
                captures: Arc::new(captures),
                migrated_again_at: Arc::default(),
            })
        }
    }

    /// Which database this store uses.
    pub fn backend(&self) -> Backend {
        self.dialect.backend
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
    ///
    /// The transaction is shared with the captures that arrive at the same time:
    /// on an SQLite file each in a savepoint of its own (`sqlite_writer.rs`),
    /// elsewhere with a failed group tried again capture by capture
    /// (`group_commit.rs`).
    pub async fn put_sessions(
        &self,
        sessions: &[NewSession],
    ) -> Result<Vec<PutOutcome>, StoreError> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sessions.iter().map(CaptureRow::from).collect();
        self.reopen_if_repaired().await;
        let stored = self.captures.put(rows).await;
        self.migrated_again(stored).await
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
        let (sql, organization) = self.dialect.session.pick(scope);
        let id = session_id.to_string();
        let row: Option<SessionRecord> = self.read_row(sql, &args(&[&id], &organization)).await?;
        row.map(SessionRecord::decode).transpose()
    }

    /// The draft of session `session_id` made by drafter `drafts_version`, or the
    /// session to draft from when no such draft is stored; `None` when `scope`
    /// sees no such session.
    ///
    /// Every session has a row in `session_drafts`, whose primary key starts with
    /// the session id (migration 0003), so one lookup there answers when the draft
    /// is current, without touching the session's text. Should a session have lost
    /// its draft row, `sessions` still tells whether it exists. When there is no
    /// current draft, a second read gives the session itself.
    pub async fn get_draft_source(
        &self,
        scope: OrgScope,
        session_id: Uuid,
        drafts_version: &str,
    ) -> Result<Option<DraftSource>, StoreError> {
        let id = session_id.to_string();
        let (in_drafts, organization) = self.dialect.draft.pick(scope);
        let mut found: Option<(String, Option<String>)> = self
            .read_row(in_drafts, &args(&[drafts_version, &id], &organization))
            .await?;
        if found.is_none() {
            let (in_sessions, _) = self.dialect.session_organization.pick(scope);
            found = self
                .read_row(in_sessions, &args(&[&id], &organization))
                .await?;
        }
        match found {
            None => Ok(None),
            Some((_, Some(draft))) => Ok(Some(DraftSource::Current(draft))),
            // No current draft: the session itself (unless it went in between).
            Some((organization_id, None)) => {
                let scope = OrgScope::Organization(parse_uuid(&organization_id)?);
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
        let done = self.write(async {
            let query = sqlx::query(self.dialect.put_draft)
                .bind(&draft.version)
                .bind(&draft.json)
                .bind(organization_id.to_string())
                .bind(session_id.to_string())
                .bind(revision);
            Ok(query.execute(&self.pool).await?)
        });
        let done = done.await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many sessions are stored, over all organizations.
    pub async fn count_sessions(&self) -> Result<u64, StoreError> {
        let count = sqlx::query_scalar(self.dialect.count_sessions)
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::from);
        let count: i64 = self.migrated_again(count).await?;
        u64::try_from(count)
            .map_err(|_| StoreError::Corrupt(format!("a count of {count} sessions")))
    }

    /// Up to `limit` distinct session ids that `scope` sees, in ascending order, for
    /// benchmarks and demos.
    pub async fn session_ids(&self, scope: OrgScope, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        let (sql, organization) = self.dialect.session_ids.pick(scope);
        let mut query = sqlx::query_scalar(sql).bind(i64::from(limit));
        if let Some(organization) = organization {
            query = query.bind(organization);
        }
        let ids = query.fetch_all(&self.pool).await.map_err(StoreError::from);
        let ids: Vec<String> = self.migrated_again(ids).await?;
        ids.iter().map(|id| parse_uuid(id)).collect()
    }

    /// Makes a new API key for `organization_id` and returns it with its plaintext,
    /// which is not stored and cannot be shown again.
    pub async fn create_api_key(
        &self,
        organization_id: Uuid,
        name: Option<&str>,
    ) -> Result<(ApiKeyInfo, String), StoreError> {
        let plaintext = keys::generate()?;
        let id = Uuid::new_v4();
        let created_at: String = self
            .write(async {
                let query = sqlx::query_scalar(self.dialect.create_key)
                    .bind(id.to_string())
                    .bind(organization_id.to_string())
                    .bind(name)
                    .bind(keys::hash(&plaintext));
                Ok(query.fetch_one(&self.pool).await?)
            })
            .await?;
        let info = ApiKeyInfo {
            id,
            organization_id,
            name: name.map(str::to_owned),
            created_at,
            revoked_at: None,
        };
        Ok((info, plaintext))
    }

    /// The API keys of one organization, or of all when `organization_id` is
    /// `None`, revoked ones included, oldest first.
    pub async fn list_api_keys(
        &self,
        organization_id: Option<Uuid>,
    ) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let scope = organization_id.map_or(OrgScope::Any, OrgScope::Organization);
        let (sql, organization) = self.dialect.keys.pick(scope);
        let mut query = sqlx::query_as(sql);
        if let Some(organization) = organization {
            query = query.bind(organization);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(StoreError::from);
        let rows: Vec<KeyRecord> = self.migrated_again(rows).await?;
        rows.into_iter().map(KeyRecord::decode).collect()
    }

    /// Revokes a key. `false` when there is no such key or it was already revoked.
    pub async fn revoke_api_key(&self, key_id: Uuid) -> Result<bool, StoreError> {
        let done = self.write(async {
            let query = sqlx::query(self.dialect.revoke_key).bind(key_id.to_string());
            Ok(query.execute(&self.pool).await?)
        });
        let done = done.await?;
        Ok(done.rows_affected() == 1)
    }

    /// The organization of a live (unrevoked) key, or `None`.
    pub async fn resolve_api_key(&self, plaintext: &str) -> Result<Option<Uuid>, StoreError> {
        let hash = keys::hash(plaintext);
        let found: Option<(String, String)> =
            self.read_row(self.dialect.live_key, &[&hash]).await?;
        let Some((organization_id, stored_hash)) = found else {
            return Ok(None);
        };
        // The lookup was by hash already; comparing again in constant time keeps the
        // decision itself from depending on how much of a hash matched.
        constant_time_eq(stored_hash.as_bytes(), hash.as_bytes())
            .then(|| parse_uuid(&organization_id))
            .transpose()
    }

    /// Stores a new scenario and returns it as stored.
    pub async fn create_scenario(
        &self,
        scenario: &NewScenario,
    ) -> Result<StoredScenario, StoreError> {
        let tags = serde_json::to_string(&scenario.tags).expect("strings serialise");
        let (created_at, updated_at): (String, String) = self
            .write(async {
                let query = sqlx::query_as(self.dialect.insert_scenario)
                    .bind(scenario.id.to_string())
                    .bind(scenario.organization_id.to_string())
                    .bind(scenario.source_session_id.map(|id| id.to_string()))
                    .bind(tags.as_str())
                    .bind(scenario.document.as_str());
                Ok(query.fetch_one(&self.pool).await?)
            })
            .await?;
        Ok(StoredScenario {
            id: scenario.id,
            organization_id: scenario.organization_id,
            source_session_id: scenario.source_session_id,
            document: scenario.document.clone(),
            created_at,
            updated_at,
        })
    }

    /// The scenario `id` as `scope` sees it, or `None`.
    pub async fn get_scenario(
        &self,
        scope: OrgScope,
        id: Uuid,
    ) -> Result<Option<StoredScenario>, StoreError> {
        let (sql, organization) = self.dialect.scenario.pick(scope);
        let mut query = sqlx::query_as::<_, ScenarioRecord>(sql).bind(id.to_string());
        if let Some(organization) = organization {
            query = query.bind(organization);
        }
        let row = query.fetch_optional(&self.pool).await;
        let row = self.migrated_again(row.map_err(StoreError::from)).await?;
        row.map(ScenarioRecord::decode).transpose()
    }

    /// Deletes the scenario `id` if `scope` sees it; `false` when it does not.
    pub async fn delete_scenario(&self, scope: OrgScope, id: Uuid) -> Result<bool, StoreError> {
        let (sql, organization) = self.dialect.delete_scenario.pick(scope);
        let done = self.write(async {
            let mut query = sqlx::query(sql).bind(id.to_string());
            if let Some(organization) = organization {
                query = query.bind(organization);
            }
            Ok(query.execute(&self.pool).await?)
        });
        Ok(done.await?.rows_affected() == 1)
    }

    /// Up to `limit` scenarios that `scope` sees and `filter` admits, newest first.
    pub async fn list_scenarios(
        &self,
        scope: OrgScope,
        filter: &ScenarioFilter,
        limit: u32,
    ) -> Result<Vec<StoredScenario>, StoreError> {
        let (sql, organization) = self.dialect.scenarios.pick(scope);
        let after = filter.after.as_ref();
        let mut query = sqlx::query_as::<_, ScenarioRecord>(sql)
            .bind(after.map(|a| a.created_at.clone()))
            .bind(after.map(|a| a.id.to_string()))
            .bind(
                filter
                    .tag
                    .as_ref()
                    .map(|tag| serde_json::to_string(tag).expect("a string serialises")),
            )
            .bind(filter.source_session_id.map(|id| id.to_string()))
            .bind(i64::from(limit));
        if let Some(organization) = organization {
            query = query.bind(organization);
        }
        let rows = query.fetch_all(&self.pool).await;
        let rows = self.migrated_again(rows.map_err(StoreError::from)).await?;
        rows.into_iter().map(ScenarioRecord::decode).collect()
    }

    /// Up to `limit` sessions that `scope` sees, newest first capture first,
    /// starting after `after`.
    pub async fn list_sessions(
        &self,
        scope: OrgScope,
        after: Option<&PageAfter>,
        limit: u32,
    ) -> Result<Vec<StoredSessionSummary>, StoreError> {
        let (sql, organization) = self.dialect.sessions.pick(scope);
        let mut query = sqlx::query_as::<_, SessionSummaryRecord>(sql)
            .bind(after.map(|a| a.created_at.clone()))
            .bind(after.map(|a| a.id.to_string()))
            .bind(i64::from(limit));
        if let Some(organization) = organization {
            query = query.bind(organization);
        }
        let rows = query.fetch_all(&self.pool).await;
        let rows = self.migrated_again(rows.map_err(StoreError::from)).await?;
        rows.into_iter().map(SessionSummaryRecord::decode).collect()
    }

    /// Triage's groups: one row per signature key of the sessions `scope` sees,
    /// first captured at or after `since` (RFC 3339 UTC with milliseconds, as the
    /// store writes timestamps) when given. Sessions without a signature yet are
    /// not counted ([`Store::unsigned_sessions`]).
    pub async fn triage_groups(
        &self,
        scope: OrgScope,
        since: Option<&str>,
    ) -> Result<Vec<TriageGroupRow>, StoreError> {
        let (sql, organization) = self.dialect.triage_groups.pick(scope);
        let mut query = sqlx::query(sql).bind(since);
        if let Some(organization) = &organization {
            query = query.bind(organization.as_str());
        }
        let rows = query.fetch_all(&self.pool).await;
        let rows = self.migrated_again(rows.map_err(StoreError::from)).await?;
        rows.iter()
            .map(|row| {
                use sqlx::Row as _;
                let mut flag_counts = [0; 9];
                for (bit, count) in flag_counts.iter_mut().enumerate() {
                    *count = row.try_get::<Option<i64>, _>(3 + bit)?.unwrap_or(0);
                }
                Ok(TriageGroupRow {
                    key: row.try_get(0)?,
                    sessions: row.try_get(1)?,
                    max_severity: row.try_get::<Option<i64>, _>(2)?.unwrap_or(0),
                    flag_counts,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Up to `limit` sessions of the signature `key` that `scope` sees, first
    /// captured at or after `since` when given, the most severe first.
    pub async fn triage_members(
        &self,
        scope: OrgScope,
        key: &str,
        since: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TriageMember>, StoreError> {
        let (sql, organization) = self.dialect.triage_members.pick(scope);
        let mut query = sqlx::query_as::<_, (String, String, Option<i64>, Option<i64>)>(sql)
            .bind(key)
            .bind(since)
            .bind(i64::from(limit));
        if let Some(organization) = &organization {
            query = query.bind(organization.as_str());
        }
        let rows = query.fetch_all(&self.pool).await;
        let rows = self.migrated_again(rows.map_err(StoreError::from)).await?;
        rows.into_iter()
            .map(|(organization_id, session_id, severity, signals)| {
                Ok(TriageMember {
                    organization_id: parse_uuid(&organization_id)?,
                    session_id: parse_uuid(&session_id)?,
                    severity: severity.unwrap_or(0),
                    signals: signals.unwrap_or(0),
                })
            })
            .collect()
    }

    /// A session's stored signature JSON and draft JSON, either `None` when
    /// missing; `None` for a session without a draft row.
    pub async fn triage_session(
        &self,
        organization_id: Uuid,
        session_id: Uuid,
    ) -> Result<Option<(Option<String>, Option<String>)>, StoreError> {
        let query = sqlx::query_as(self.dialect.triage_session)
            .bind(organization_id.to_string())
            .bind(session_id.to_string());
        let row = query.fetch_optional(&self.pool).await;
        self.migrated_again(row.map_err(StoreError::from)).await
    }

    /// The signature keys that `scope`'s saved scenarios cover: those of the
    /// sessions the scenarios were drafted from.
    pub async fn covered_signature_keys(&self, scope: OrgScope) -> Result<Vec<String>, StoreError> {
        let (sql, organization) = self.dialect.covered_keys.pick(scope);
        let mut query = sqlx::query_scalar::<_, String>(sql);
        if let Some(organization) = &organization {
            query = query.bind(organization.as_str());
        }
        let rows = query.fetch_all(&self.pool).await;
        self.migrated_again(rows.map_err(StoreError::from)).await
    }

    /// Up to `limit` stored sessions without a signature (stored before
    /// signatures were made), over every organization.
    pub async fn unsigned_sessions(
        &self,
        limit: u32,
    ) -> Result<Vec<StoredSessionText>, StoreError> {
        let query = sqlx::query_as::<_, SessionRecord>(self.dialect.unsigned_sessions)
            .bind(i64::from(limit));
        let rows = query.fetch_all(&self.pool).await;
        let rows = self.migrated_again(rows.map_err(StoreError::from)).await?;
        rows.into_iter()
            .map(|row| row.decode().map(|(session, _)| session))
            .collect()
    }

    /// Stores the signatures of sessions, in one transaction.
    pub async fn put_signatures(
        &self,
        signatures: &[(Uuid, Uuid, StoredSignature)],
    ) -> Result<(), StoreError> {
        self.write(async {
            let mut tx = self.pool.begin().await?;
            for (organization_id, session_id, signature) in signatures {
                sqlx::query(self.dialect.put_signature)
                    .bind(signature.key.as_str())
                    .bind(signature.json.as_str())
                    .bind(signature.signals)
                    .bind(signature.severity)
                    .bind(organization_id.to_string())
                    .bind(session_id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Runs a one-row read whose parameters are all text, in order: on the SQLite
    /// readers, or through the pool.
    async fn read_row<T>(&self, sql: &'static str, args: &[&str]) -> Result<Option<T>, StoreError>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
        T: for<'a> TryFrom<&'a rusqlite::Row<'a>, Error = rusqlite::Error>,
    {
        match &self.readers {
            Some(readers) => readers.query_optional(sql, args, |row| T::try_from(row)),
            None => {
                let mut query = sqlx::query_as::<_, T>(sql);
                for arg in args {
                    query = query.bind(*arg);
                }
                let row = query.fetch_optional(&self.pool).await;
                self.migrated_again(row.map_err(StoreError::from)).await
            }
        }
    }

    /// `result`; but when it is [`StoreError::Unmigrated`] (a PostgreSQL database
    /// that lost the store's tables), the migrations are run again first, once for
    /// all the requests that met it together, and the error says what they did.
    /// The request that met it still fails (503): what it asked about is gone with
    /// the tables, and a retry finds them made again.
    async fn migrated_again<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        let err = match result {
            Err(err) if err.is_unmigrated() && self.backend() == Backend::Postgres => err,
            other => return other,
        };
        let met = std::time::Instant::now();
        let mut migrated_at = self.migrated_again_at.lock().await;
        let outcome = match *migrated_at {
            Some(at) if at > met => "the migrations have run again since; retry".to_owned(),
            _ => match postgres::migrate(&self.pool).await {
                Ok(()) => {
                    *migrated_at = Some(std::time::Instant::now());
                    "the migrations ran again and made them; retry".to_owned()
                }
                Err(migrating) => format!("running the migrations again failed: {migrating}"),
            },
        };
        let StoreError::Unmigrated(message) = err else {
            unreachable!("matched above")
        };
        Err(StoreError::Unmigrated(format!("{message}; {outcome}")))
    }

    /// Runs a write. On an SQLite file: only while the file is the one the store
    /// opened, and acknowledged only if it still is after the commit; a write that
    /// failed as unavailable retires the pool's older connections; and however the
    /// write ends, the readers' snapshots are renewed so the reads that follow see
    /// it (`sqlite::FileGuard`, `sqlite_readers.rs`).
    async fn write<T>(
        &self,
        write: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let _renew = RenewSnapshots(self.readers.as_deref());
        let Some(file) = &self.file else {
            return self.migrated_again(write.await).await;
        };
        self.reopen_if_repaired().await;
        file.check()?;
        file.finish(write.await)
    }

    /// On an SQLite file whose writes have been failing: when the guard finds the
    /// file writable again and repairs its journals (`sqlite::FileGuard::repair`),
    /// closes the connections this store can reach, so that each is opened anew
    /// (the writer thread and the checkpoint thread close theirs themselves). The
    /// pool's idle connections are closed now; one in use is retired when it comes
    /// back, as after any failed write.
    async fn reopen_if_repaired(&self) {
        let (Some(file), Some(readers)) = (&self.file, &self.readers) else {
            return;
        };
        if !file.repair() {
            return;
        }
        readers.close_old();
        for _ in 0..self.pool.num_idle() {
            if let Some(connection) = self.pool.try_acquire() {
                let _ = connection.close().await;
            }
        }
    }
}

/// `rows` in one transaction through `pool`, by `dialect`'s capture statements:
/// its one-statement capture when it has one (a single session is then one round
/// trip), else the session and its draft row apart.
pub(crate) async fn put_rows(
    pool: &AnyPool,
    dialect: &Dialect,
    rows: &[&CaptureRow],
) -> Result<Vec<PutOutcome>, StoreError> {
    let created = |revision: i64| PutOutcome {
        created: revision == 1,
    };
    if let Some(upsert_capture) = dialect.upsert_capture {
        if let [row] = rows {
            let revision = capture(upsert_capture, row).fetch_one(pool).await?;
            return Ok(vec![created(revision)]);
        }
        let mut tx = pool.begin().await?;
        let mut outcomes = Vec::with_capacity(rows.len());
        for row in rows {
            let revision = capture(upsert_capture, row).fetch_one(&mut *tx).await?;
            outcomes.push(created(revision));
        }
        tx.commit().await?;
        return Ok(outcomes);
    }
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(rows.len());
    for row in rows {
        let revision = upsert_session(dialect.upsert_session, row)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(dialect.upsert_draft_row)
            .bind(row.organization_id.as_str())
            .bind(row.session_id.as_str())
            .bind(row.draft_version.as_str())
            .bind(row.draft.as_deref())
            .bind(row.signature.as_ref().map(|s| s.key.as_str()))
            .bind(row.signature.as_ref().map(|s| s.json.as_str()))
            .bind(row.signature.as_ref().map(|s| s.signals))
            .bind(row.signature.as_ref().map(|s| s.severity))
            .execute(&mut *tx)
            .await?;
        outcomes.push(created(revision));
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// `Dialect::upsert_capture` bound to `row`.
fn capture<'q>(
    upsert_capture: &'static str,
    row: &'q CaptureRow,
) -> sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments> {
    upsert_session(upsert_capture, row)
        .bind(row.draft_version.as_str())
        .bind(row.draft.as_deref())
        .bind(row.signature.as_ref().map(|s| s.key.as_str()))
        .bind(row.signature.as_ref().map(|s| s.json.as_str()))
        .bind(row.signature.as_ref().map(|s| s.signals))
        .bind(row.signature.as_ref().map(|s| s.severity))
}

/// `sql` bound to the session's values of `row`, in `Dialect::upsert_session`'s
/// order.
fn upsert_session<'q>(
    sql: &'static str,
    row: &'q CaptureRow,
) -> sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments> {
    sqlx::query_scalar(sql)
        .bind(row.organization_id.as_str())
        .bind(row.session_id.as_str())
        .bind(row.analysis_input.as_str())
        .bind(row.agent_name.as_deref())
        .bind(row.persona_id.as_deref())
        .bind(row.persona_name.as_deref())
}

/// A session as the capture statements bind it (`Dialect::upsert_session` and
/// `Dialect::upsert_draft_row`, in their order), owned so that it can go to the
/// SQLite writer thread.
pub(crate) struct CaptureRow {
    organization_id: String,
    session_id: String,
    analysis_input: String,
    agent_name: Option<Vec<u8>>,
    persona_id: Option<Vec<u8>>,
    persona_name: Option<Vec<u8>>,
    /// Empty, with no draft, when the session could not be drafted: every session
    /// has its draft row (migration 0003 says why).
    draft_version: String,
    draft: Option<String>,
    signature: Option<StoredSignature>,
}

impl From<&NewSession> for CaptureRow {
    fn from(session: &NewSession) -> Self {
        let bytes = |value: &Option<String>| value.as_ref().map(|text| text.as_bytes().to_vec());
        let attribution = &session.attribution;
        CaptureRow {
            organization_id: session.organization_id.to_string(),
            session_id: session.session_id.to_string(),
            analysis_input: session.analysis_input.clone(),
            agent_name: bytes(&attribution.agent_name),
            persona_id: bytes(&attribution.persona_id),
            persona_name: bytes(&attribution.persona_name),
            draft_version: session
                .draft
                .as_ref()
                .map_or_else(String::new, |draft| draft.version.clone()),
            draft: session.draft.as_ref().map(|draft| draft.json.clone()),
            signature: session.signature.clone(),
        }
    }
}

/// Held while writing: when it is dropped the readers' snapshots are renewed.
struct RenewSnapshots<'a>(Option<&'a Readers>);

impl Drop for RenewSnapshots<'_> {
    fn drop(&mut self) {
        if let Some(readers) = self.0 {
            readers.wrote();
        }
    }
}

/// `fixed` then the organization's id when there is one: a scoped statement's
/// parameters.
fn args<'a>(fixed: &[&'a str], organization: &'a Option<String>) -> Vec<&'a str> {
    let mut args = fixed.to_vec();
    args.extend(organization.as_deref());
    args
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
