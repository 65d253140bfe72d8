-- Sessions and drafts are compressed with lz4 instead of pglz (PostgreSQL only).
--
-- A captured session's JSON (6 KB for 16 turns) and its draft (8 KB) are beyond
-- PostgreSQL's 2 KB TOAST threshold, so every capture compresses both. With the
-- default pglz that compression was the largest single cost of a capture in the
-- PostgreSQL server (perf under `bench/run.sh`'s capture scenario); lz4 is several
-- times faster at a similar ratio for JSON. It applies to values written from now
-- on; stored ones keep pglz and read as before.
--
-- lz4 needs PostgreSQL 14 or later built with it (Debian's and the official images
-- are). Elsewhere the columns keep the server's default and a notice says so,
-- rather than the migration failing: this is speed, not meaning.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE sessions ALTER COLUMN analysis_input SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE session_drafts ALTER COLUMN draft SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'sessions and drafts keep the default compression: %', SQLERRM;
END
$$;
