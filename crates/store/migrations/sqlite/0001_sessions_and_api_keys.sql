-- Captured sessions and API keys (SQLite).
--
-- Ids are lowercase hyphenated UUID text, so ordering by id matches PostgreSQL's
-- UUID ordering. Timestamps are RFC 3339 UTC text with milliseconds.

-- One row per captured session of an organization. `analysis_input` is the
-- SessionAnalysisInput as JSON text, kept verbatim; the CHECK lets the database
-- itself refuse anything but a JSON object. `revision` counts captures, so an
-- upsert can tell in one statement whether it created the row (revision 1).
CREATE TABLE sessions (
    organization_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    analysis_input TEXT NOT NULL
        CHECK (json_valid(analysis_input) AND json_type(analysis_input) = 'object'),
    agent_name TEXT,
    persona_id TEXT,
    persona_name TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (organization_id, session_id)
);

-- Lookups by session id alone, for the single-key development mode.
CREATE INDEX sessions_by_session_id ON sessions (session_id, organization_id);

-- API keys: only the SHA-256 of a key is stored, as lowercase hex.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    name TEXT,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE INDEX api_keys_by_organization ON api_keys (organization_id, created_at);
