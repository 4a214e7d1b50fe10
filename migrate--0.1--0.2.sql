/* migrate--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION migrate UPDATE TO '0.2'" to load this file. \quit

/*
 * 0.2: operating it.  Every row of 0.1 is kept; what changes:
 *
 *  - configure() changes only the options it is given (0.1 reset those
 *    left out), names what to reset in reset => '{...}', writes nothing
 *    when nothing changes, and takes run_as, the role the project's bodies
 *    run as;
 *  - CALL apply() and apply_downgrade() say what they ran (revisions,
 *    durations and the heads after), as INOUT parameters a driver reads
 *    like a result row;
 *  - verify() checks every project when called without one, names the
 *    project of each row, and reports the schema drift of the project's
 *    schemas since its last run (schema_drift), recorded in two new
 *    tables;
 *  - the project's summary remembers the newest revision it was made at, so
 *    that registering no longer writes the project row;
 *  - trial() also reports the locks each step holds on relations that
 *    earlier steps of the trial created (locks_on_new);
 *  - revision_file() gives the register() call of a revision, as the text
 *    of a file for a repository;
 *  - graph() draws the revision graph as text, Graphviz or Mermaid;
 *  - lint() judges the pending revisions against the live database;
 *  - a step that drops a column or table with rows keeps them (two new
 *    tables, a view, purge_kept() and configure(keep_dropped_data)), and
 *    the opposite step of the revision puts them back.
 */

/*
 * migrate_admin, as 0.2 takes it: nobody but a superuser may hand it out
 * (migrate--0.2.sql says why).  A database that has it otherwise is told.
 */
DO $$
DECLARE
	holder name;
BEGIN
	SELECT r.rolname INTO holder
	  FROM pg_catalog.pg_auth_members m
	  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) m.member
	 WHERE m.roleid OPERATOR(pg_catalog.=) 'migrate_admin'::pg_catalog.regrole
	   AND m.admin_option AND NOT r.rolsuper
	 LIMIT 1;
	IF holder IS NOT NULL THEN
		RAISE WARNING USING
			MESSAGE = pg_catalog.format('role %I may grant migrate_admin', holder),
			HINT = 'Unless that is meant, take ADMIN OPTION away: REVOKE ADMIN OPTION FOR migrate_admin FROM ...;';
	END IF;
END
$$;

ALTER TABLE migrate.project ADD COLUMN run_as name;
-- a summary made by 0.1 has none, and is made again by the next run
ALTER TABLE migrate.project ADD COLUMN summary_seq bigint;
-- whether a step that drops a column or table with rows keeps them; NULL:
-- the default, on
ALTER TABLE migrate.project ADD COLUMN keep_dropped_data boolean;

CREATE TABLE migrate.project_schema (
	project text NOT NULL REFERENCES migrate.project (name) ON DELETE CASCADE,
	schema name NOT NULL,
	CONSTRAINT project_schema_pkey PRIMARY KEY (project, schema)
);
COMMENT ON TABLE migrate.project_schema IS
'the schemas whose drift verify() reports for a project: its target schema, or those its bodies created or changed objects in';

CREATE TABLE migrate.schema_state (
	schema name NOT NULL,
	kind text NOT NULL,
	name text NOT NULL,
	definition text,
	recorded_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT schema_state_pkey PRIMARY KEY (schema, kind, name)
);
COMMENT ON TABLE migrate.schema_state IS
'the fingerprint of each schema a project owns, as the project''s last run left it; verify() compares the schema with it';

SELECT pg_catalog.pg_extension_config_dump('migrate.project_schema', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.schema_state', '');

-- written by the extension's own functions only, read by migrators
REVOKE ALL ON migrate.project_schema, migrate.schema_state FROM PUBLIC;
GRANT SELECT ON migrate.project_schema, migrate.schema_state TO migrate_admin;

/*
 * Kept data: what a step dropped -- a column or a table holding rows --
 * kept before the statement that dropped it ran, so that the opposite step
 * of the same revision can put it back (src/kept.c).  A row of
 * migrate.kept per column or table, with the types it had; its rows in
 * migrate.kept_row, each as its key (the primary key's values; without
 * one, the row's other columns, or NULL for a table's whole rows) and its
 * values, as text their types read back.  The rows may hold anything the
 * application stored, secrets included: only migrate_admin reads them.
 */
CREATE TABLE migrate.kept (
	id bigint GENERATED ALWAYS AS IDENTITY
		CONSTRAINT kept_pkey PRIMARY KEY,
	-- a project deleted by hand takes what it kept with it
	project text NOT NULL REFERENCES migrate.project (name) ON DELETE CASCADE,
	revision text NOT NULL,
	step text NOT NULL
		CHECK (step OPERATOR(pg_catalog.=) ANY (ARRAY['upgrade', 'downgrade'])),
	kind text NOT NULL
		CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['column', 'table'])),
	table_schema name NOT NULL,
	table_name name NOT NULL,
	-- the column dropped; NULL when the table was
	column_name name,
	-- the columns kept, and their types as format_type() writes them
	-- qualified
	columns text[] NOT NULL,
	types text[] NOT NULL,
	-- the columns rows are matched by when they go back; NULL: none (a
	-- table without a primary key, whose rows go back whole)
	key_columns text[],
	key_types text[],
	rows bigint NOT NULL DEFAULT 0,
	-- the size of the kept text, in bytes
	bytes bigint NOT NULL DEFAULT 0,
	kept_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	kept_by name NOT NULL,
	-- why a step that brought the column or table back did not put the
	-- rows back (a type changed, rows that match nothing)
	note text
);
CREATE INDEX kept_project_revision ON migrate.kept (project, revision);
COMMENT ON TABLE migrate.kept IS
'columns and tables with rows that a step dropped, kept until the opposite step of the revision brings them back (kept_row holds the rows)';

CREATE TABLE migrate.kept_row (
	kept bigint NOT NULL REFERENCES migrate.kept (id) ON DELETE CASCADE,
	key text,
	vals text[] NOT NULL
);
CREATE INDEX kept_row_kept ON migrate.kept_row (kept);
COMMENT ON TABLE migrate.kept_row IS
'the rows of the columns and tables in migrate.kept: their key and their values, as text';

SELECT pg_catalog.pg_extension_config_dump('migrate.kept', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.kept_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.kept_row', '');

-- written by the extension's own functions only; kept rows may hold anything
-- the application stored, secrets included
REVOKE ALL ON migrate.kept, migrate.kept_row FROM PUBLIC;
REVOKE ALL ON SEQUENCE migrate.kept_id_seq FROM PUBLIC;
GRANT SELECT ON migrate.kept, migrate.kept_row TO migrate_admin;

DROP FUNCTION migrate.configure(text, name, interval, interval);
CREATE FUNCTION migrate.configure(
	project text DEFAULT NULL,
	target_schema name DEFAULT NULL,
	lock_timeout interval DEFAULT NULL,
	statement_timeout interval DEFAULT NULL,
	run_as name DEFAULT NULL,
	reset text[] DEFAULT NULL,
	keep_dropped_data boolean DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_configure'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.configure(text, name, interval, interval, name, text[], boolean) IS
'set the options given (target schema, timeouts, the role bodies run as, whether dropped data is kept) and reset those named in reset; writes nothing when nothing changes';
-- the target schema decides what the bodies' unqualified names mean
REVOKE ALL ON FUNCTION migrate.configure(text, name, interval, interval, name, text[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.configure(text, name, interval, interval, name, text[], boolean) TO migrate_admin;

DROP PROCEDURE migrate.apply(text, text);
CREATE PROCEDURE migrate.apply(
	target text DEFAULT 'head',
	project text DEFAULT NULL,
	INOUT revisions text[] DEFAULT NULL,
	INOUT durations interval[] DEFAULT NULL,
	INOUT heads text[] DEFAULT NULL)
AS 'MODULE_PATHNAME', 'migrate_apply'
LANGUAGE C;
COMMENT ON PROCEDURE migrate.apply(text, text, text[], interval[], text[]) IS
'run what upgrade(target) would run, committing each revision; non-transactional revisions run outside any transaction; returns the revisions it ran, their durations and the heads after';
-- runs bodies and writes version rows
REVOKE ALL ON PROCEDURE migrate.apply(text, text, text[], interval[], text[]) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE migrate.apply(text, text, text[], interval[], text[]) TO migrate_admin;

DROP PROCEDURE migrate.apply_downgrade(text, text);
CREATE PROCEDURE migrate.apply_downgrade(
	target text,
	project text DEFAULT NULL,
	INOUT revisions text[] DEFAULT NULL,
	INOUT durations interval[] DEFAULT NULL,
	INOUT heads text[] DEFAULT NULL)
AS 'MODULE_PATHNAME', 'migrate_apply_downgrade'
LANGUAGE C;
COMMENT ON PROCEDURE migrate.apply_downgrade(text, text, text[], interval[], text[]) IS
'run what downgrade(target) would run, committing each revision; non-transactional revisions run outside any transaction; returns the revisions it ran, their durations and the heads after';
-- runs bodies and writes version rows
REVOKE ALL ON PROCEDURE migrate.apply_downgrade(text, text, text[], interval[], text[]) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE migrate.apply_downgrade(text, text, text[], interval[], text[]) TO migrate_admin;

DROP FUNCTION migrate.verify(text);
CREATE FUNCTION migrate.verify(project text DEFAULT NULL)
RETURNS TABLE (project text, problem text, revision text, detail text)
AS 'MODULE_PATHNAME', 'migrate_verify'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.verify(text) IS
'everything wrong with a project, or with every project when none is named (drifted bodies, missing parents, unknown or redundant version rows, invalid indexes, schema drift since the last run, Citus shards that differ from their table), one row each';
-- shows checksums, which would let PUBLIC confirm a guessed body
REVOKE ALL ON FUNCTION migrate.verify(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.verify(text) TO migrate_admin;

DROP FUNCTION migrate.trial(text, text);
CREATE FUNCTION migrate.trial(
	target text DEFAULT 'head',
	project text DEFAULT NULL)
RETURNS TABLE (step integer, revision text, operation text, duration interval,
			   locks text[], rewrites text[], locks_on_new text[])
AS 'MODULE_PATHNAME', 'migrate_trial'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.trial(text, text) IS
'run what upgrade(target) would run, one subtransaction per step, report the locks each step holds on relations that existed before, the relations it rewrites and the locks it holds on relations earlier steps created, then roll everything back';
-- runs bodies, like upgrade()
REVOKE ALL ON FUNCTION migrate.trial(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.trial(text, text) TO migrate_admin;

CREATE FUNCTION migrate.lint(
	project text DEFAULT NULL,
	target text DEFAULT 'heads')
RETURNS TABLE (project text, revision text, rule text, statement text, detail text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.lint(text, text) IS
'the hazards of the revisions upgrade(target) would run, judged against the live database by a trial that is rolled back (every project when none is named): one row per finding, with its rule, statement, detail and hint';
/*
 * Runs revision bodies with the caller's privileges, through
 * migrate.upgrade() and migrate.stamp() as trial() does: for migrators, not
 * PUBLIC.
 */
REVOKE ALL ON FUNCTION migrate.lint(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.lint(text, text) TO migrate_admin;

CREATE FUNCTION migrate.revision_file(
	revision text,
	project text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_revision_file'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.revision_file(text, text) IS
'the migrate.register() call that registers a revision again, byte for byte, as the text of a file for a repository (no project named)';
-- shows bodies, which may hold what PUBLIC should not read
REVOKE ALL ON FUNCTION migrate.revision_file(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.revision_file(text, text) TO migrate_admin;

-- graph(): what heads() and history() list, drawn; public like them (it
-- shows ids, edges, labels, messages and version rows, no body and no
-- checksum)
CREATE FUNCTION migrate.graph(
	project text DEFAULT NULL,
	format text DEFAULT 'text')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_graph'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.graph(text, text) IS
'the revision graph drawn newest first: text (like git log --graph), dot (Graphviz) or mermaid (a flowchart), applied revisions told from pending ones, heads and current revisions marked';

-- Kept data.

/*
 * What is kept, one row per column or table, with its size: the rows
 * themselves are in migrate.kept_row.  For migrators, like the tables it
 * reads (the names of columns and tables a project dropped, and why some
 * did not go back).
 */
CREATE VIEW migrate.kept_data AS
SELECT k.id, k.project, k.revision, k.step, k.kind,
	   pg_catalog.format('%I.%I', k.table_schema, k.table_name) AS relation,
	   k.column_name, k.rows, k.bytes, pg_catalog.pg_size_pretty(k.bytes) AS size,
	   k.kept_at, k.kept_by, k.note
  FROM migrate.kept k;
COMMENT ON VIEW migrate.kept_data IS
'what steps kept of the columns and tables they dropped: project, revision, step, table, column, rows, size, and why it did not go back';
-- names what projects dropped; read by migrators, as the tables it reads
REVOKE ALL ON migrate.kept_data FROM PUBLIC;
GRANT SELECT ON migrate.kept_data TO migrate_admin;

CREATE FUNCTION migrate.purge_kept(
	older_than interval,
	project text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'migrate_purge_kept'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.purge_kept(interval, text) IS
'forget the columns and tables the project keeps that were kept longer ago than older_than (''0'': all of them); returns how many';
-- deletes kept rows, which only migrators may read
REVOKE ALL ON FUNCTION migrate.purge_kept(interval, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.purge_kept(interval, text) TO migrate_admin;
