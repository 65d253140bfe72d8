-- Saved scenarios, and the order of the session list (PostgreSQL; the same
-- logical schema as SQLite's 0004).
--
-- A scenario belongs to one organization, like a session. Its content (what
-- `POST /v1/scenarios` was sent, with the names and version the server added) is
-- one JSON object, `document`, kept verbatim (JSON, not JSONB): the store never
-- reads inside it. The two things a list filters on are columns of their own: the
-- session it was drafted from and its tags. The tags are JSON too, not JSONB: a
-- string may hold a NUL character (`\u0000`), which JSONB and TEXT refuse, so a
-- tag is found by comparing each element's JSON text with the tag's. There is no
-- foreign key to `sessions`: a saved scenario stands on its own once saved.
--
-- Timestamps are kept to the millisecond, the precision of the store's RFC 3339
-- text, so a list cursor names a row's timestamp exactly.
CREATE TABLE scenarios (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL,
    source_session_id UUID,
    tags JSON NOT NULL CHECK (json_typeof(tags) = 'array'),
    document JSON NOT NULL CHECK (json_typeof(document) = 'object'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);

CREATE INDEX scenarios_newest ON scenarios (organization_id, created_at, id);
CREATE INDEX scenarios_by_session ON scenarios (organization_id, source_session_id);

-- The session list: an organization's sessions by first capture, newest first.
-- Its order truncates `created_at` to milliseconds, as its cursor does.
CREATE INDEX sessions_newest
    ON sessions (organization_id, date_trunc('milliseconds', created_at AT TIME ZONE 'UTC'), session_id);
