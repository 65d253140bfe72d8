-- Captured sessions and API keys (PostgreSQL).
--
-- Tables are created unqualified, so they land in the first schema of the
-- connection's search_path (the tests give each run its own schema that way).

-- One row per captured session of an organization. `analysis_input` is JSON, not
-- JSONB: JSON validates the document but keeps its text verbatim (key order,
-- number spelling), exactly as SQLite's TEXT column does, so both backends give
-- back the same document. The store never queries inside it. `revision` counts
-- captures, so an upsert can tell in one statement whether it created the row.
CREATE TABLE sessions (
    organization_id UUID NOT NULL,
    session_id UUID NOT NULL,
    analysis_input JSON NOT NULL CHECK (json_typeof(analysis_input) = 'object'),
    agent_name TEXT,
    persona_id TEXT,
    persona_name TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, session_id)
);

-- Lookups by session id alone, for the single-key development mode.
CREATE INDEX sessions_by_session_id ON sessions (session_id, organization_id);

-- API keys: only the SHA-256 of a key is stored, as lowercase hex.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL,
    name TEXT,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);

CREATE INDEX api_keys_by_organization ON api_keys (organization_id, created_at);
