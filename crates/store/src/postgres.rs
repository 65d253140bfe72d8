//! The PostgreSQL backend: its connection, its pool and its dialect.
//!
//! Ids are native UUIDs, bound as text and cast (`$1::uuid`), and selected as text;
//! timestamps are TIMESTAMPTZ, formatted by the one expression [`rfc3339!`] as RFC
//! 3339 UTC text with milliseconds, the form SQLite stores. The attribution strings
//! are BYTEA (migration 0004), because PostgreSQL's TEXT cannot hold a NUL
//! character and SQLite's can: both backends keep what the client sent. Tables are
//! referenced unqualified, so the connection's `search_path` (settable in the URL
//! with `?options=-csearch_path%3D<schema>`) decides their schema.

use std::str::FromStr;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::postgres::PgConnectOptions;

use crate::dialect::{Dialect, Scoped};
use crate::{ACQUIRE_TIMEOUT, Backend, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per server process: enough for concurrent requests on a small
/// machine without crowding PostgreSQL's default limit of 100 when several
/// replicas share one database.
const MAX_CONNECTIONS: u32 = 10;

/// The TIMESTAMPTZ column `$column` as the store's RFC 3339 text.
macro_rules! rfc3339 {
    ($column:literal) => {
        concat!(
            "to_char(",
            $column,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        )
    };
}

/// A session's columns as `rows::SessionRecord` reads them, then `$condition`.
macro_rules! select_session {
    ($condition:literal) => {
        concat!(
            "SELECT organization_id::text AS organization_id, session_id::text AS session_id, \
                 analysis_input::text AS analysis_input, agent_name, persona_id, persona_name, ",
            rfc3339!("created_at"),
            " AS created_at, ",
            rfc3339!("updated_at"),
            " AS updated_at, revision FROM sessions WHERE ",
            $condition
        )
    };
}

/// A key's columns as `rows::KeyRecord` reads them, then `$condition`.
macro_rules! select_keys {
    ($condition:literal) => {
        concat!(
            "SELECT id::text AS id, organization_id::text AS organization_id, name, ",
            rfc3339!("created_at"),
            " AS created_at, ",
            rfc3339!("revoked_at"),
            " AS revoked_at FROM api_keys ",
            $condition,
            " ORDER BY api_keys.created_at, api_keys.id"
        )
    };
}

/// The upsert of a session's row, which the capture statements share.
macro_rules! upsert_session {
    () => {
        "INSERT INTO sessions (organization_id, session_id, analysis_input, \
             agent_name, persona_id, persona_name) \
         VALUES ($1::uuid, $2::uuid, $3::json, $4, $5, $6) \
         ON CONFLICT (organization_id, session_id) DO UPDATE SET \
             analysis_input = EXCLUDED.analysis_input, \
             agent_name = EXCLUDED.agent_name, \
             persona_id = EXCLUDED.persona_id, \
             persona_name = EXCLUDED.persona_name, \
             revision = sessions.revision + 1, \
             updated_at = clock_timestamp() "
    };
}

/// A scenario's columns as `rows::ScenarioRecord` reads them, then `$condition`.
macro_rules! select_scenarios {
    ($($condition:tt)*) => {
        concat!(
            "SELECT id::text AS id, organization_id::text AS organization_id, \
                 source_session_id::text AS source_session_id, document::text AS document, ",
            rfc3339!("created_at"),
            " AS created_at, ",
            rfc3339!("updated_at"),
            " AS updated_at FROM scenarios WHERE ",
            $($condition)*
        )
    };
}

/// The conditions of a page of scenarios: after the cursor, with the tag, from
/// the session (each skipped when its parameter is NULL). The tag is compared as
/// JSON text, which keeps a NUL character (`dialect.rs`). Timestamps are stored
/// to the millisecond (migration 0006), so the cursor's equals a row's exactly.
macro_rules! scenario_page {
    () => {
        "($1::text IS NULL OR scenarios.created_at < $1::timestamptz \
             OR (scenarios.created_at = $1::timestamptz AND scenarios.id < $2::uuid)) \
         AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM json_array_elements(scenarios.tags) AS t(tag) \
             WHERE t.tag::text = $3::text)) \
         AND ($4::text IS NULL OR scenarios.source_session_id = $4::uuid)"
    };
}

/// A session's first capture to the millisecond, in UTC: the session list's order,
/// as its index (migration 0006) and its cursor have it.
macro_rules! session_order {
    () => {
        "date_trunc('milliseconds', s.created_at AT TIME ZONE 'UTC')"
    };
}

/// A page of sessions as `rows::SessionSummaryRecord` reads them, after the cursor.
macro_rules! select_summaries {
    () => {
        concat!(
            "SELECT s.organization_id::text AS organization_id, \
                 s.session_id::text AS session_id, d.draft::text AS draft, \
                 s.analysis_input::text AS analysis_input, ",
            rfc3339!("s.created_at"),
            " AS created_at, ",
            rfc3339!("s.updated_at"),
            " AS updated_at \
             FROM sessions s LEFT JOIN session_drafts d \
                 ON d.session_id = s.session_id AND d.organization_id = s.organization_id \
             WHERE ($1::text IS NULL OR ",
            session_order!(),
            " < ($1::timestamptz AT TIME ZONE 'UTC') OR (",
            session_order!(),
            " = ($1::timestamptz AT TIME ZONE 'UTC') AND s.session_id < $2::uuid))"
        )
    };
}

/// Sessions of the draft row `d` first captured at or after `$since` (or all when
/// it is NULL).
macro_rules! captured_since {
    ($since:literal) => {
        concat!(
            "(",
            $since,
            "::text IS NULL OR EXISTS (SELECT 1 FROM sessions s \
                 WHERE s.organization_id = d.organization_id \
                     AND s.session_id = d.session_id AND s.created_at >= ",
            $since,
            "::timestamptz))"
        )
    };
}

/// Triage's groups (`Dialect::triage_groups`), then `$scope` and the grouping.
macro_rules! triage_groups {
    ($scope:literal) => {
        concat!(
            "SELECT d.signature_key, COUNT(*), MAX(d.severity), \
                 SUM(d.signals & 1)::bigint, SUM((d.signals >> 1) & 1)::bigint, \
                 SUM((d.signals >> 2) & 1)::bigint, SUM((d.signals >> 3) & 1)::bigint, \
                 SUM((d.signals >> 4) & 1)::bigint, SUM((d.signals >> 5) & 1)::bigint, \
                 SUM((d.signals >> 6) & 1)::bigint, SUM((d.signals >> 7) & 1)::bigint, \
                 SUM((d.signals >> 8) & 1)::bigint \
             FROM session_drafts d WHERE d.signature_key IS NOT NULL AND ",
            captured_since!("$1"),
            $scope,
            " GROUP BY d.signature_key"
        )
    };
}

/// The sessions of one key (`Dialect::triage_members`), then `$scope` and the order.
macro_rules! triage_members {
    ($scope:literal) => {
        concat!(
            "SELECT d.organization_id::text, d.session_id::text, d.severity, d.signals \
             FROM session_drafts d WHERE d.signature_key = $1 AND ",
            captured_since!("$2"),
            $scope,
            " ORDER BY d.severity DESC, d.session_id LIMIT $3"
        )
    };
}

pub static DIALECT: Dialect = Dialect {
    backend: Backend::Postgres,
    upsert_session: concat!(upsert_session!(), "RETURNING revision"),
    upsert_draft_row: "INSERT INTO session_drafts (organization_id, session_id, version, draft, \
             signature_key, signature, signals, severity) \
         VALUES ($1::uuid, $2::uuid, $3, $4::json, $5, $6::json, $7, $8) \
         ON CONFLICT (session_id, organization_id) DO UPDATE SET \
             version = EXCLUDED.version, draft = EXCLUDED.draft, \
             signature_key = EXCLUDED.signature_key, signature = EXCLUDED.signature, \
             signals = EXCLUDED.signals, severity = EXCLUDED.severity",
    // The draft row is inserted from the session's row, so after it; the foreign
    // key between them is checked at the end of the statement, which sees both.
    upsert_capture: Some(concat!(
        "WITH session AS (",
        upsert_session!(),
        "RETURNING organization_id, session_id, revision), \
         draft AS (\
             INSERT INTO session_drafts (organization_id, session_id, version, draft, \
                 signature_key, signature, signals, severity) \
             SELECT organization_id, session_id, $7, $8::json, $9, $10::json, $11, $12 \
             FROM session \
             ON CONFLICT (session_id, organization_id) DO UPDATE SET \
                 version = EXCLUDED.version, draft = EXCLUDED.draft, \
                 signature_key = EXCLUDED.signature_key, signature = EXCLUDED.signature, \
                 signals = EXCLUDED.signals, severity = EXCLUDED.severity) \
         SELECT revision FROM session",
    )),
    put_draft: "INSERT INTO session_drafts (organization_id, session_id, version, draft) \
         SELECT organization_id, session_id, $1, $2::json FROM sessions \
         WHERE organization_id = $3::uuid AND session_id = $4::uuid AND revision = $5 \
         ON CONFLICT (session_id, organization_id) DO UPDATE SET \
             version = EXCLUDED.version, draft = EXCLUDED.draft",
    session: Scoped {
        any: select_session!("session_id = $1::uuid ORDER BY sessions.organization_id LIMIT 1"),
        organization: select_session!(
            "session_id = $1::uuid AND sessions.organization_id = $2::uuid"
        ),
    },
    draft: Scoped {
        any: "SELECT organization_id::text, CASE WHEN version = $1 THEN draft::text END \
             FROM session_drafts WHERE session_id = $2::uuid \
             ORDER BY organization_id LIMIT 1",
        organization: "SELECT organization_id::text, CASE WHEN version = $1 THEN draft::text END \
             FROM session_drafts WHERE session_id = $2::uuid AND organization_id = $3::uuid",
    },
    session_organization: Scoped {
        any: "SELECT organization_id::text, NULL::text FROM sessions \
             WHERE session_id = $1::uuid ORDER BY organization_id LIMIT 1",
        organization: "SELECT organization_id::text, NULL::text FROM sessions \
             WHERE session_id = $1::uuid AND organization_id = $2::uuid",
    },
    count_sessions: "SELECT COUNT(*) FROM sessions",
    session_ids: Scoped {
        any: "SELECT DISTINCT session_id::text AS id FROM sessions ORDER BY id LIMIT $1",
        organization: "SELECT session_id::text FROM sessions WHERE organization_id = $2::uuid \
             ORDER BY session_id LIMIT $1",
    },
    create_key: concat!(
        "INSERT INTO api_keys (id, organization_id, name, key_hash) \
         VALUES ($1::uuid, $2::uuid, $3, $4) RETURNING ",
        rfc3339!("created_at")
    ),
    keys: Scoped {
        any: select_keys!(""),
        organization: select_keys!("WHERE api_keys.organization_id = $1::uuid"),
    },
    revoke_key: "UPDATE api_keys SET revoked_at = now() \
         WHERE id = $1::uuid AND revoked_at IS NULL",
    live_key: "SELECT organization_id::text, key_hash FROM api_keys \
         WHERE key_hash = $1 AND revoked_at IS NULL",
    insert_scenario: concat!(
        "INSERT INTO scenarios (id, organization_id, source_session_id, tags, document) \
         VALUES ($1::uuid, $2::uuid, $3::uuid, $4::json, $5::json) RETURNING ",
        rfc3339!("created_at"),
        ", ",
        rfc3339!("updated_at")
    ),
    scenario: Scoped {
        any: select_scenarios!("id = $1::uuid"),
        organization: select_scenarios!("id = $1::uuid AND organization_id = $2::uuid"),
    },
    delete_scenario: Scoped {
        any: "DELETE FROM scenarios WHERE id = $1::uuid",
        organization: "DELETE FROM scenarios WHERE id = $1::uuid AND organization_id = $2::uuid",
    },
    scenarios: Scoped {
        any: concat!(
            select_scenarios!(scenario_page!()),
            " ORDER BY scenarios.created_at DESC, scenarios.id DESC LIMIT $5"
        ),
        organization: concat!(
            select_scenarios!(scenario_page!()),
            " AND scenarios.organization_id = $6::uuid \
             ORDER BY scenarios.created_at DESC, scenarios.id DESC LIMIT $5"
        ),
    },
    sessions: Scoped {
        any: concat!(
            select_summaries!(),
            " ORDER BY ",
            session_order!(),
            " DESC, s.session_id DESC LIMIT $3"
        ),
        organization: concat!(
            select_summaries!(),
            " AND s.organization_id = $4::uuid ORDER BY ",
            session_order!(),
            " DESC, s.session_id DESC LIMIT $3"
        ),
    },
    triage_groups: Scoped {
        any: triage_groups!(""),
        organization: triage_groups!(" AND d.organization_id = $2::uuid"),
    },
    triage_members: Scoped {
        any: triage_members!(""),
        organization: triage_members!(" AND d.organization_id = $4::uuid"),
    },
    triage_session: "SELECT signature::text, draft::text FROM session_drafts \
         WHERE organization_id = $1::uuid AND session_id = $2::uuid",
    covered_keys: Scoped {
        any: "SELECT DISTINCT d.signature_key FROM scenarios sc JOIN session_drafts d \
             ON d.organization_id = sc.organization_id AND d.session_id = sc.source_session_id \
             WHERE d.signature_key IS NOT NULL",
        organization: "SELECT DISTINCT d.signature_key FROM scenarios sc JOIN session_drafts d \
             ON d.organization_id = sc.organization_id AND d.session_id = sc.source_session_id \
             WHERE d.signature_key IS NOT NULL AND sc.organization_id = $1::uuid",
    },
    unsigned_sessions: concat!(
        "SELECT s.organization_id::text AS organization_id, s.session_id::text AS session_id, \
             s.analysis_input::text AS analysis_input, s.agent_name, s.persona_id, s.persona_name, ",
        rfc3339!("s.created_at"),
        " AS created_at, ",
        rfc3339!("s.updated_at"),
        " AS updated_at, s.revision \
         FROM session_drafts d JOIN sessions s \
             ON s.organization_id = d.organization_id AND s.session_id = d.session_id \
         WHERE d.signature_key IS NULL LIMIT $1"
    ),
    put_signature: "UPDATE session_drafts SET signature_key = $1, signature = $2::json, \
             signals = $3, severity = $4 \
         WHERE organization_id = $5::uuid AND session_id = $6::uuid",
};

/// Connects to the database named by `url` and migrates it.
pub async fn connect(url: &str) -> Result<AnyPool, StoreError> {
    let url = url.trim();
    let options = PgConnectOptions::from_str(url)
        .map_err(|err| StoreError::Other(format!("bad PostgreSQL URL: {err}")))?;
    // Name the connections in `pg_stat_activity`, unless the URL already does. The
    // `Any` driver takes the URL, so the name goes into it.
    let url = if options.get_application_name().is_none() {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}application_name=feather")
    } else {
        url.to_owned()
    };
    crate::install_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(AnyConnectOptions::from_str(&url)?)
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Runs the migrations (idempotent; PostgreSQL's advisory lock keeps two servers
/// from running them at once): at connection, and again on a database that lost
/// the store's tables (`StoreError::Unmigrated`).
pub async fn migrate(pool: &AnyPool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}
