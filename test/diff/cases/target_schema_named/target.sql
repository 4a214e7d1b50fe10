-- Definitions that name their own schema: made in the source schema, they
-- must name it instead (no object of a may depend on one of b, and no
-- setting may name b).  The deparser qualifies the schema's objects in
-- defaults, checks, indexes, views, SQL-standard bodies, triggers and
-- policies; a function's SET search_path names it as it was written.
CREATE SEQUENCE ticket_no;
CREATE FUNCTION norm(x text) RETURNS text LANGUAGE sql IMMUTABLE RETURN lower(x);
CREATE TABLE t (
    id int PRIMARY KEY,
    name text CHECK (norm(name) <> 'root'),
    ticket bigint DEFAULT nextval('ticket_no'),
    kind regclass DEFAULT 't'::regclass
);
CREATE INDEX t_norm ON t (norm(name));
CREATE VIEW named AS SELECT id, norm(name) AS n FROM t;
CREATE FUNCTION how_many() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW WHEN (norm(NEW.name) <> '')
    EXECUTE FUNCTION touch();
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY seen ON t USING (EXISTS (SELECT FROM named WHERE named.id = t.id));
CREATE FUNCTION pinned() RETURNS int LANGUAGE sql AS 'SELECT 1';
DO $$ BEGIN
    EXECUTE format('ALTER FUNCTION pinned() SET search_path = %I, pg_temp', current_schema());
END $$;
