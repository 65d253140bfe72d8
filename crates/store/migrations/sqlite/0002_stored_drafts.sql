-- Drafts made at capture (SQLite).
--
-- A session's scenario draft is a pure function of the session, so the server
-- makes it when the session is captured and keeps its JSON text here, verbatim.
-- `draft_version` names the drafter that made it (`feather_drafter::DRAFTS_VERSION`);
-- a server whose drafter has another version drafts the session again instead of
-- serving this text. Both are NULL when no draft was made (a session that cannot be
-- drafted, or one stored by an older server), and a capture replaces both.
ALTER TABLE sessions ADD COLUMN draft TEXT
    CHECK (draft IS NULL OR json_valid(draft));
ALTER TABLE sessions ADD COLUMN draft_version TEXT;
