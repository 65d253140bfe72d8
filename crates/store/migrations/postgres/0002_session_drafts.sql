-- Drafts made at capture (PostgreSQL).
--
-- A session's scenario draft is a pure function of the session, so the server
-- makes it when the session is captured and keeps its JSON text here, verbatim
-- (JSON, not JSONB, so the text is sent back byte for byte). `version` names the
-- drafter that made it (`feather_drafter::DRAFTS_VERSION` and the redaction
-- switch); a server whose drafter has another version drafts the session again
-- instead of serving this text.
--
-- A table of their own, not columns of `sessions`, so reading a draft never reads
-- the session's analysis input. A capture replaces or deletes the session's draft
-- in the same transaction, so a stored draft is always the draft of the stored
-- capture.
CREATE TABLE session_drafts (
    organization_id UUID NOT NULL,
    session_id UUID NOT NULL,
    version TEXT NOT NULL,
    draft JSON NOT NULL,
    PRIMARY KEY (organization_id, session_id),
    FOREIGN KEY (organization_id, session_id)
        REFERENCES sessions (organization_id, session_id) ON DELETE CASCADE
);
