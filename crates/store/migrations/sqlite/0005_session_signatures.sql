-- Session signatures for triage (SQLite).
--
-- A session's signature (`feather_drafter::signature`) is made at capture beside
-- its draft and kept in the draft row, which every session has (0003):
-- `signature_key` is what triage groups on (`goals:...|tools:...`), `signature`
-- the rest as a JSON object (goals, tools, outcome, signal counts), `signals` the
-- signals as bits and `severity` the sum of their weights.
--
-- Sessions stored before this have NULL in all four: SQL cannot run the drafter,
-- so the server fills them (`feather serve` at start, in the background, and
-- `feather triage` before it groups), a batch at a time.
--
-- The index covers triage's `GROUP BY`: the organization's keys with each row's
-- severity, signals and session id are read from it alone, never from the table,
-- whose rows hold the drafts (many pages each).
ALTER TABLE session_drafts ADD COLUMN signature_key TEXT;
ALTER TABLE session_drafts ADD COLUMN signature TEXT CHECK (json_valid(signature));
ALTER TABLE session_drafts ADD COLUMN signals INTEGER;
ALTER TABLE session_drafts ADD COLUMN severity INTEGER;

CREATE INDEX session_drafts_by_signature
    ON session_drafts (organization_id, signature_key, severity, signals, session_id);
