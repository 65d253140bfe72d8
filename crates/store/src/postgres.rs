//! The PostgreSQL backend: connection, pool and the store's statements.
//!
//! Ids are native UUIDs, timestamps TIMESTAMPTZ; timestamps are formatted by the
//! database as RFC 3339 UTC text with milliseconds, the same form SQLite stores.
//! Tables are referenced unqualified, so the connection's `search_path` (settable
//! in the URL with `?options=-csearch_path%3D<schema>`) decides their schema.

use std::str::FromStr;

use feather_types::SessionAttribution;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use crate::{
    ACQUIRE_TIMEOUT, ApiKeyInfo, NewKey, OrgScope, PutOutcome, SessionRow, StoreError, StoredDraft,
    StoredSessionText,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per server process: enough for concurrent requests on a small
/// machine without crowding PostgreSQL's default limit of 100 when several
/// replicas share one database.
const MAX_CONNECTIONS: u32 = 10;

/// Connects to the database named by `url` and migrates it.
pub async fn connect(url: &str) -> Result<PgPool, StoreError> {
    let mut options = PgConnectOptions::from_str(url.trim())
        .map_err(|err| StoreError::Other(format!("bad PostgreSQL URL: {err}")))?;
    // Name the connections in `pg_stat_activity`, unless the URL already does.
    if options.get_application_name().is_none() {
        options = options.application_name("feather");
    }
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

pub async fn put_sessions(
    pool: &PgPool,
    rows: &[SessionRow<'_>],
) -> Result<Vec<PutOutcome>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(rows.len());
    for row in rows {
        let revision: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (organization_id, session_id, analysis_input, \
                 agent_name, persona_id, persona_name) \
             VALUES ($1, $2, $3::json, $4, $5, $6) \
             ON CONFLICT (organization_id, session_id) DO UPDATE SET \
                 analysis_input = EXCLUDED.analysis_input, \
                 agent_name = EXCLUDED.agent_name, \
                 persona_id = EXCLUDED.persona_id, \
                 persona_name = EXCLUDED.persona_name, \
                 revision = sessions.revision + 1, \
                 updated_at = clock_timestamp() \
             RETURNING revision",
        )
        .bind(row.organization_id)
        .bind(row.session_id)
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
             VALUES ($1, $2, $3, $4::json) \
             ON CONFLICT (session_id, organization_id) DO UPDATE SET \
                 version = EXCLUDED.version, draft = EXCLUDED.draft",
        )
        .bind(row.organization_id)
        .bind(row.session_id)
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
    Uuid,
    Uuid,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
);

/// The session as `scope` sees it, with its revision.
pub async fn get_session(
    pool: &PgPool,
    scope: OrgScope,
    session_id: Uuid,
) -> Result<Option<(StoredSessionText, i64)>, StoreError> {
    // The columns of `SessionColumns`, then the condition.
    macro_rules! select {
        ($condition:literal) => {
            concat!(
                "SELECT organization_id, session_id, analysis_input::text, agent_name, \
                     persona_id, persona_name, \
                     to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \
                     to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \
                     revision \
                 FROM sessions WHERE ",
                $condition
            )
        };
    }
    let row: Option<SessionColumns> = match scope {
        OrgScope::Any => {
            sqlx::query_as(select!("session_id = $1 ORDER BY organization_id LIMIT 1"))
                .bind(session_id)
                .fetch_optional(pool)
                .await?
        }
        OrgScope::Organization(organization_id) => {
            sqlx::query_as(select!("session_id = $1 AND organization_id = $2"))
                .bind(session_id)
                .bind(organization_id)
                .fetch_optional(pool)
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
        organization_id,
        session_id,
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
    pool: &PgPool,
    scope: OrgScope,
    session_id: Uuid,
    drafts_version: &str,
) -> Result<Option<(Uuid, Option<String>)>, StoreError> {
    // The session's key comes from the index alone; the draft, when it is of the
    // asked version, from its own table. Then the condition.
    macro_rules! select {
        ($condition:literal) => {
            concat!(
                "SELECT s.organization_id, d.draft::text FROM sessions s \
                 LEFT JOIN session_drafts d ON d.organization_id = s.organization_id \
                     AND d.session_id = s.session_id AND d.version = $1 \
                 WHERE ",
                $condition
            )
        };
    }
    let row: Option<(Uuid, Option<String>)> = match scope {
        OrgScope::Any => {
            sqlx::query_as(select!(
                "s.session_id = $2 ORDER BY s.organization_id LIMIT 1"
            ))
            .bind(drafts_version)
            .bind(session_id)
            .fetch_optional(pool)
            .await?
        }
        OrgScope::Organization(organization_id) => {
            sqlx::query_as(select!("s.session_id = $2 AND s.organization_id = $3"))
                .bind(drafts_version)
                .bind(session_id)
                .bind(organization_id)
                .fetch_optional(pool)
                .await?
        }
    };
    Ok(row)
}

pub async fn put_draft(
    pool: &PgPool,
    organization_id: Uuid,
    session_id: Uuid,
    revision: i64,
    draft: &StoredDraft,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO session_drafts (organization_id, session_id, version, draft) \
         SELECT organization_id, session_id, $1, $2::json FROM sessions \
         WHERE organization_id = $3 AND session_id = $4 AND revision = $5 \
         ON CONFLICT (session_id, organization_id) DO UPDATE SET \
             version = EXCLUDED.version, draft = EXCLUDED.draft",
    )
    .bind(&draft.version)
    .bind(&draft.json)
    .bind(organization_id)
    .bind(session_id)
    .bind(revision)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_sessions(pool: &PgPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(pool)
        .await?)
}

pub async fn session_ids(
    pool: &PgPool,
    scope: OrgScope,
    limit: u32,
) -> Result<Vec<Uuid>, StoreError> {
    let ids = match scope {
        OrgScope::Any => {
            sqlx::query_scalar("SELECT DISTINCT session_id FROM sessions ORDER BY session_id LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        }
        OrgScope::Organization(organization_id) => {
            sqlx::query_scalar(
                "SELECT session_id FROM sessions WHERE organization_id = $1 ORDER BY session_id LIMIT $2",
            )
            .bind(organization_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }
    };
    Ok(ids)
}

pub async fn create_api_key(pool: &PgPool, key: &NewKey<'_>) -> Result<ApiKeyInfo, StoreError> {
    let created_at: String = sqlx::query_scalar(
        "INSERT INTO api_keys (id, organization_id, name, key_hash) VALUES ($1, $2, $3, $4) \
         RETURNING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    )
    .bind(key.id)
    .bind(key.organization_id)
    .bind(key.name)
    .bind(&key.hash)
    .fetch_one(pool)
    .await?;
    Ok(ApiKeyInfo {
        id: key.id,
        organization_id: key.organization_id,
        name: key.name.map(str::to_owned),
        created_at,
        revoked_at: None,
    })
}

type KeyColumns = (Uuid, Uuid, Option<String>, String, Option<String>);

pub async fn list_api_keys(
    pool: &PgPool,
    organization_id: Option<Uuid>,
) -> Result<Vec<ApiKeyInfo>, StoreError> {
    // A NULL organization matches every key, so one statement serves both cases.
    let rows: Vec<KeyColumns> = sqlx::query_as(
        "SELECT id, organization_id, name, \
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \
             to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') \
         FROM api_keys WHERE $1::uuid IS NULL OR organization_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, organization_id, name, created_at, revoked_at)| ApiKeyInfo {
                id,
                organization_id,
                name,
                created_at,
                revoked_at,
            },
        )
        .collect())
}

pub async fn revoke_api_key(pool: &PgPool, key_id: Uuid) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
            .bind(key_id)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_live_key(
    pool: &PgPool,
    hash: &str,
) -> Result<Option<(Uuid, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT organization_id, key_hash FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?)
}
