//! The SQLite backend: connection, pool and the store's statements.
//!
//! Ids are stored as lowercase hyphenated UUID text and parsed on the way out (a
//! malformed one is [`StoreError::Corrupt`]). Timestamps are made by SQLite itself
//! as RFC 3339 UTC text with milliseconds.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use feather_types::SessionAttribution;
use sqlx::SqlitePool;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use uuid::Uuid;

use crate::sqlite_readers::Readers;

use crate::{
    ACQUIRE_TIMEOUT, ApiKeyInfo, NewKey, OrgScope, PutOutcome, SessionRow, StoreError, StoredDraft,
    StoredSessionText,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool: WAL lets readers run beside the one writer, and the
/// machines this runs on have few cores.
const MAX_CONNECTIONS: u32 = 4;

/// An SQLite store: the sqlx pool for writes and whatever else, and the readers
/// for the reads on the request path (see [`crate::sqlite_readers`]). An in-memory
/// database lives inside the pool's one connection, so it has no readers and is
/// read through the pool.
#[derive(Clone)]
pub struct Sqlite {
    pool: SqlitePool,
    readers: Option<Arc<Readers>>,
}

impl Sqlite {
    /// A mark to hold while writing: when it is dropped, however the write ended,
    /// the readers' snapshots are renewed so the reads that follow see the write.
    fn writing(&self) -> Writing<'_> {
        Writing(self)
    }
}

struct Writing<'a>(&'a Sqlite);

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        if let Some(readers) = &self.0.readers {
            readers.wrote();
        }
    }
}

/// Opens (creating if needed) the database named by `url` and migrates it.
pub async fn connect(url: &str) -> Result<Sqlite, StoreError> {
    let url = url.trim();
    let (options, in_memory) = match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|err| StoreError::Other(format!("bad SQLite URL {url:?}: {err}")))?;
            let rest = rest.trim_start_matches("//");
            let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
            let in_memory = path.is_empty() || path == ":memory:" || params.contains("mode=memory");
            (options, in_memory)
        }
        None => (SqliteConnectOptions::new().filename(url), false),
    };
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);

    let mut pool = SqlitePoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT);
    if in_memory {
        // An in-memory database lives as long as a connection to it does, so keep
        // exactly one, forever.
        pool = pool
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    } else {
        let path = options.get_filename();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|err| {
                StoreError::Unavailable(format!(
                    "cannot create the directory {} for the SQLite database: {err}",
                    parent.display()
                ))
            })?;
        }
        pool = pool.max_connections(MAX_CONNECTIONS);
    }
    let readers = if in_memory {
        None
    } else {
        Some(Readers::new(
            options.get_filename().to_owned(),
            BUSY_TIMEOUT,
        )?)
    };
    let pool = pool.connect_with(options).await?;
    MIGRATOR.run(&pool).await?;
    Ok(Sqlite { pool, readers })
}

pub async fn put_sessions(
    db: &Sqlite,
    rows: &[SessionRow<'_>],
) -> Result<Vec<PutOutcome>, StoreError> {
    let _writing = db.writing();
    let mut tx = db.pool.begin().await?;
    let mut outcomes = Vec::with_capacity(rows.len());
    for row in rows {
        let organization_id = row.organization_id.to_string();
        let session_id = row.session_id.to_string();
        let revision: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (organization_id, session_id, analysis_input, \
                 agent_name, persona_id, persona_name, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, \
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             ON CONFLICT (organization_id, session_id) DO UPDATE SET \
                 analysis_input = excluded.analysis_input, \
                 agent_name = excluded.agent_name, \
                 persona_id = excluded.persona_id, \
                 persona_name = excluded.persona_name, \
                 revision = revision + 1, \
                 updated_at = excluded.updated_at \
             RETURNING revision",
        )
        .bind(&organization_id)
        .bind(&session_id)
        .bind(&row.analysis_input)
        .bind(row.attribution.agent_name.as_deref())
        .bind(row.attribution.persona_id.as_deref())
        .bind(row.attribution.persona_name.as_deref())
        .fetch_one(&mut *tx)
        .await?;
        // Every session has its draft row; an empty version and no draft when it
        // could not be drafted (migration 0003 says why).
        sqlx::query(
            "INSERT INTO session_drafts (organization_id, session_id, version, draft) \
             VALUES (?, ?, ?, ?) \
             ON CONFLICT (session_id, organization_id) DO UPDATE SET \
                 version = excluded.version, draft = excluded.draft",
        )
        .bind(&organization_id)
        .bind(&session_id)
        .bind(row.draft.map_or("", |draft| &draft.version))
        .bind(row.draft.map(|draft| &draft.json))
        .execute(&mut *tx)
        .await?;
        outcomes.push(PutOutcome {
            created: revision == 1,
        });
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// A stored session's columns, as `get_session` selects them.
type SessionColumns = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
);

/// Runs a one-row read whose parameters are all text, in order: on the readers,
/// or through the pool for an in-memory database.
async fn read_row<T>(db: &Sqlite, sql: &'static str, args: &[&str]) -> Result<Option<T>, StoreError>
where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
    T: for<'a> TryFrom<&'a rusqlite::Row<'a>, Error = rusqlite::Error>,
{
    match &db.readers {
        Some(readers) => readers.query_optional(sql, args, |row| T::try_from(row)),
        None => {
            let mut query = sqlx::query_as::<_, T>(sql);
            for arg in args {
                query = query.bind(*arg);
            }
            Ok(query.fetch_optional(&db.pool).await?)
        }
    }
}

/// The session as `scope` sees it, with its revision.
pub async fn get_session(
    db: &Sqlite,
    scope: OrgScope,
    session_id: Uuid,
) -> Result<Option<(StoredSessionText, i64)>, StoreError> {
    // The columns of `SessionColumns`, then the condition.
    macro_rules! select {
        ($condition:literal) => {
            concat!(
                "SELECT organization_id, session_id, analysis_input, agent_name, persona_id, \
                     persona_name, created_at, updated_at, revision \
                 FROM sessions WHERE ",
                $condition
            )
        };
    }
    let session_id = session_id.to_string();
    let row: Option<SessionColumns> = match scope {
        OrgScope::Any => {
            read_row(
                db,
                select!("session_id = ?1 ORDER BY organization_id LIMIT 1"),
                &[&session_id],
            )
            .await?
        }
        OrgScope::Organization(organization_id) => {
            read_row(
                db,
                select!("session_id = ?1 AND organization_id = ?2"),
                &[&session_id, &organization_id.to_string()],
            )
            .await?
        }
    };
    let Some((
        organization_id,
        session_id,
        analysis_input,
        agent_name,
        persona_id,
        persona_name,
        created_at,
        updated_at,
        revision,
    )) = row
    else {
        return Ok(None);
    };
    let session = crate::stored_session_text(
        parse_uuid(&organization_id)?,
        parse_uuid(&session_id)?,
        analysis_input,
        SessionAttribution {
            agent_name,
            persona_id,
            persona_name,
        },
        created_at,
        updated_at,
    );
    Ok(Some((session, revision)))
}

/// The organization of the session `scope` sees, and its draft when one of
/// `drafts_version` is stored.
pub async fn get_draft(
    db: &Sqlite,
    scope: OrgScope,
    session_id: Uuid,
    drafts_version: &str,
) -> Result<Option<(Uuid, Option<String>)>, StoreError> {
    // Every session has a row in `session_drafts`, whose primary key starts with
    // the session id, so one lookup there answers (migration 0003). Should a
    // session have lost its row, `sessions` still tells whether it exists.
    async fn in_drafts_else_sessions(
        db: &Sqlite,
        in_drafts: &'static str,
        in_sessions: &'static str,
        args: &[&str],
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        match read_row(db, in_drafts, args).await? {
            Some(row) => Ok(Some(row)),
            None => read_row(db, in_sessions, &args[1..]).await,
        }
    }
    let id = session_id.to_string();
    let row = match scope {
        OrgScope::Any => {
            in_drafts_else_sessions(
                db,
                "SELECT organization_id, CASE WHEN version = ?1 THEN draft END \
                 FROM session_drafts WHERE session_id = ?2 ORDER BY organization_id LIMIT 1",
                "SELECT organization_id, NULL FROM sessions \
                 WHERE session_id = ?1 ORDER BY organization_id LIMIT 1",
                &[drafts_version, &id],
            )
            .await?
        }
        OrgScope::Organization(organization_id) => {
            in_drafts_else_sessions(
                db,
                "SELECT organization_id, CASE WHEN version = ?1 THEN draft END \
                 FROM session_drafts WHERE session_id = ?2 AND organization_id = ?3",
                "SELECT organization_id, NULL FROM sessions \
                 WHERE session_id = ?1 AND organization_id = ?2",
                &[drafts_version, &id, &organization_id.to_string()],
            )
            .await?
        }
    };
    row.map(|(organization_id, draft)| Ok((parse_uuid(&organization_id)?, draft)))
        .transpose()
}

pub async fn put_draft(
    db: &Sqlite,
    organization_id: Uuid,
    session_id: Uuid,
    revision: i64,
    draft: &StoredDraft,
) -> Result<bool, StoreError> {
    let _writing = db.writing();
    let done = sqlx::query(
        "INSERT INTO session_drafts (organization_id, session_id, version, draft) \
         SELECT organization_id, session_id, ?, ? FROM sessions \
         WHERE organization_id = ? AND session_id = ? AND revision = ? \
         ON CONFLICT (session_id, organization_id) DO UPDATE SET \
             version = excluded.version, draft = excluded.draft",
    )
    .bind(&draft.version)
    .bind(&draft.json)
    .bind(organization_id.to_string())
    .bind(session_id.to_string())
    .bind(revision)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_sessions(db: &Sqlite) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&db.pool)
        .await?)
}

pub async fn session_ids(
    db: &Sqlite,
    scope: OrgScope,
    limit: u32,
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<String> = match scope {
        OrgScope::Any => {
            sqlx::query_scalar(
                "SELECT DISTINCT session_id FROM sessions ORDER BY session_id LIMIT ?",
            )
            .bind(i64::from(limit))
            .fetch_all(&db.pool)
            .await?
        }
        OrgScope::Organization(organization_id) => sqlx::query_scalar(
            "SELECT session_id FROM sessions WHERE organization_id = ? ORDER BY session_id LIMIT ?",
        )
        .bind(organization_id.to_string())
        .bind(i64::from(limit))
        .fetch_all(&db.pool)
        .await?,
    };
    ids.iter().map(|id| parse_uuid(id)).collect()
}

pub async fn create_api_key(db: &Sqlite, key: &NewKey<'_>) -> Result<ApiKeyInfo, StoreError> {
    let _writing = db.writing();
    let created_at: String = sqlx::query_scalar(
        "INSERT INTO api_keys (id, organization_id, name, key_hash, created_at) \
         VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
         RETURNING created_at",
    )
    .bind(key.id.to_string())
    .bind(key.organization_id.to_string())
    .bind(key.name)
    .bind(&key.hash)
    .fetch_one(&db.pool)
    .await?;
    Ok(ApiKeyInfo {
        id: key.id,
        organization_id: key.organization_id,
        name: key.name.map(str::to_owned),
        created_at,
        revoked_at: None,
    })
}

type KeyColumns = (String, String, Option<String>, String, Option<String>);

pub async fn list_api_keys(
    db: &Sqlite,
    organization_id: Option<Uuid>,
) -> Result<Vec<ApiKeyInfo>, StoreError> {
    let rows: Vec<KeyColumns> = match organization_id {
        None => {
            sqlx::query_as(
                "SELECT id, organization_id, name, created_at, revoked_at \
                 FROM api_keys ORDER BY created_at, id",
            )
            .fetch_all(&db.pool)
            .await?
        }
        Some(organization_id) => {
            sqlx::query_as(
                "SELECT id, organization_id, name, created_at, revoked_at \
                 FROM api_keys WHERE organization_id = ? ORDER BY created_at, id",
            )
            .bind(organization_id.to_string())
            .fetch_all(&db.pool)
            .await?
        }
    };
    rows.into_iter()
        .map(|(id, organization_id, name, created_at, revoked_at)| {
            Ok(ApiKeyInfo {
                id: parse_uuid(&id)?,
                organization_id: parse_uuid(&organization_id)?,
                name,
                created_at,
                revoked_at,
            })
        })
        .collect()
}

pub async fn revoke_api_key(db: &Sqlite, key_id: Uuid) -> Result<bool, StoreError> {
    let _writing = db.writing();
    let done = sqlx::query(
        "UPDATE api_keys SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
         WHERE id = ? AND revoked_at IS NULL",
    )
    .bind(key_id.to_string())
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_live_key(db: &Sqlite, hash: &str) -> Result<Option<(Uuid, String)>, StoreError> {
    let row: Option<(String, String)> = read_row(
        db,
        "SELECT organization_id, key_hash FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
        &[hash],
    )
    .await?;
    row.map(|(organization_id, hash)| Ok((parse_uuid(&organization_id)?, hash)))
        .transpose()
}

fn parse_uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text)
        .map_err(|err| StoreError::Corrupt(format!("stored id {text:?} is not a UUID: {err}")))
}
