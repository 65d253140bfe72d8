-- Saved scenarios, and the order of the session list (SQLite).
--
-- A scenario belongs to one organization, like a session. Its content (what
-- `POST /v1/scenarios` was sent, with the names and version the server added) is
-- one JSON object, `document`, kept verbatim: the store never reads inside it.
-- The two things a list filters on are columns of their own: the session it was
-- drafted from and its tags (a JSON array of strings). There is no foreign key to
-- `sessions`: a saved scenario stands on its own once it is saved.
--
-- Ids are made by the server (random UUIDs) and unique over all organizations.
-- Lists are newest first, by (created_at, id), so a page ends at a pair that the
-- next page's cursor names; the indexes give that order per organization.
CREATE TABLE scenarios (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    source_session_id TEXT,
    tags TEXT NOT NULL CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    document TEXT NOT NULL CHECK (json_valid(document) AND json_type(document) = 'object'),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX scenarios_newest ON scenarios (organization_id, created_at, id);
CREATE INDEX scenarios_by_session ON scenarios (organization_id, source_session_id);

-- The session list: an organization's sessions by first capture, newest first.
CREATE INDEX sessions_newest ON sessions (organization_id, created_at, session_id);
