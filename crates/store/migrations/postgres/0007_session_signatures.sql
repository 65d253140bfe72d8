-- Session signatures for triage (PostgreSQL; the same logical schema as SQLite's
-- 0005).
--
-- A session's signature (`feather_drafter::signature`) is made at capture beside
-- its draft and kept in the draft row, which every session has (0003):
-- `signature_key` is what triage groups on (`goals:...|tools:...`), `signature`
-- the rest as a JSON object (JSON, not JSONB, as drafts are), `signals` the
-- signals as bits and `severity` the sum of their weights.
--
-- Sessions stored before this have NULL in all four: SQL cannot run the drafter,
-- so the server fills them (`feather serve` at start, in the background, and
-- `feather triage` before it groups), a batch at a time.
--
-- The index covers triage's `GROUP BY` (an index-only scan once vacuumed).
ALTER TABLE session_drafts ADD COLUMN signature_key TEXT;
ALTER TABLE session_drafts ADD COLUMN signature JSON;
ALTER TABLE session_drafts ADD COLUMN signals BIGINT;
ALTER TABLE session_drafts ADD COLUMN severity BIGINT;

CREATE INDEX session_drafts_by_signature
    ON session_drafts (organization_id, signature_key, severity, signals, session_id);
