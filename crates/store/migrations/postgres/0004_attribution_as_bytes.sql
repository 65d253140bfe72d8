-- The attribution strings become BYTEA (PostgreSQL only).
--
-- PostgreSQL's TEXT cannot hold a NUL character, so `?persona_name=a%00b` was
-- answered 500 on PostgreSQL and stored on SQLite. As bytes (the string's UTF-8)
-- PostgreSQL keeps it too, and both backends give back what was sent. SQLite's
-- columns stay TEXT, which holds NUL already; the store binds and reads these
-- columns as bytes on both. Every stored value is converted as it is.
ALTER TABLE sessions
    ALTER COLUMN agent_name TYPE BYTEA USING convert_to(agent_name, 'UTF8'),
    ALTER COLUMN persona_id TYPE BYTEA USING convert_to(persona_id, 'UTF8'),
    ALTER COLUMN persona_name TYPE BYTEA USING convert_to(persona_name, 'UTF8');
