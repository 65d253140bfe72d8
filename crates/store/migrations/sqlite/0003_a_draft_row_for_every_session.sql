-- Every session gets a row in `session_drafts`, keyed by session id first (SQLite).
--
-- The draft endpoint then finds a session's organization and current draft in this
-- one table, by its primary key, without joining `sessions`: by session id and
-- organization for an organization's key, and by session id alone, the smallest
-- organization id first, for the development key (the same pick as `sessions`
-- gives, because every session has its row).
--
-- `draft` is NULL when the session could not be drafted; `version` is then empty,
-- as it is for the sessions stored before drafts were, so no server takes either
-- for a current draft and each drafts the session on request instead.
CREATE TABLE session_drafts_0003 (
    organization_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    version TEXT NOT NULL,
    draft TEXT CHECK (json_valid(draft)),
    PRIMARY KEY (session_id, organization_id),
    FOREIGN KEY (organization_id, session_id)
        REFERENCES sessions (organization_id, session_id) ON DELETE CASCADE
);

INSERT INTO session_drafts_0003 (organization_id, session_id, version, draft)
SELECT organization_id, session_id, version, draft FROM session_drafts;

INSERT INTO session_drafts_0003 (organization_id, session_id, version, draft)
SELECT s.organization_id, s.session_id, '', NULL FROM sessions s
WHERE NOT EXISTS (
    SELECT 1 FROM session_drafts d
    WHERE d.organization_id = s.organization_id AND d.session_id = s.session_id
);

DROP TABLE session_drafts;
ALTER TABLE session_drafts_0003 RENAME TO session_drafts;
