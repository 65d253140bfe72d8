-- Every session gets a row in `session_drafts`, keyed by session id first
-- (PostgreSQL; the same change as SQLite's, so both backends hold the same rows).
--
-- The draft endpoint can then find a session's organization and current draft in
-- this one table, by its primary key: by session id and organization for an
-- organization's key, and by session id alone, the smallest organization id first,
-- for the development key (the same pick as `sessions` gives, because every
-- session has its row).
--
-- `draft` is NULL when the session could not be drafted; `version` is then empty,
-- as it is for the sessions stored before drafts were, so no server takes either
-- for a current draft and each drafts the session on request instead.
ALTER TABLE session_drafts ALTER COLUMN draft DROP NOT NULL;
ALTER TABLE session_drafts DROP CONSTRAINT session_drafts_pkey;
ALTER TABLE session_drafts ADD PRIMARY KEY (session_id, organization_id);

INSERT INTO session_drafts (organization_id, session_id, version, draft)
SELECT s.organization_id, s.session_id, '', NULL FROM sessions s
WHERE NOT EXISTS (
    SELECT 1 FROM session_drafts d
    WHERE d.organization_id = s.organization_id AND d.session_id = s.session_id
);
