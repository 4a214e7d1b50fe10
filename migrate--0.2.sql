/* migrate--0.2.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION migrate" to load this file. \quit

/*
 * The control file names pg_catalog as the extension's schema and this script
 * creates the schema "migrate" itself: CREATE EXTENSION then fails if someone
 * created a schema of that name beforehand, instead of installing into a
 * schema they own.  Every name below is schema-qualified, and operators are
 * spelled OPERATOR(pg_catalog.=), so nothing depends on the installer's
 * search_path.
 */
CREATE SCHEMA migrate;
REVOKE ALL ON SCHEMA migrate FROM PUBLIC;
GRANT USAGE ON SCHEMA migrate TO PUBLIC;

/*
 * One sequence orders registrations (revision.seq breaks every tie the graph
 * leaves open) and stamps the changes of a project's graph that are not
 * registrations (project.graph_gen): a value is never handed out twice, even
 * by transactions that roll back.  A project's graph is therefore identified
 * by its graph_gen and the seq of its newest revision, which lets a backend
 * keep a built graph across calls, and registering a batch of revisions
 * writes the project row once (to clear its summary), not once for each.
 */
CREATE SEQUENCE migrate.seq;
COMMENT ON SEQUENCE migrate.seq IS
'orders registrations (revision.seq) and numbers graph changes (project.graph_gen)';

CREATE TABLE migrate.project (
	name text
		CONSTRAINT project_pkey PRIMARY KEY
		CONSTRAINT project_name_length CHECK (pg_catalog.length(name) OPERATOR(pg_catalog.>) 0
			   AND pg_catalog.octet_length(name) OPERATOR(pg_catalog.<=) 255),
	target_schema name,
	lock_timeout interval,
	statement_timeout interval,
	configured_by name,
	graph_gen bigint NOT NULL DEFAULT 0,
	summary_gen bigint,
	heads text[],
	has_depends boolean,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	changed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- the role the project's bodies run as (configure(run_as)); NULL: the
	-- caller
	run_as name,
	-- the seq of the newest revision when the summary (summary_gen, heads,
	-- has_depends) was made: a registration since makes it stale
	summary_seq bigint,
	-- whether a step that drops a column or table with rows keeps them
	-- (configure(keep_dropped_data)); NULL: the default, on
	keep_dropped_data boolean
);
COMMENT ON TABLE migrate.project IS
'one independent revision graph with its own version state';

CREATE TABLE migrate.revision (
	project text NOT NULL REFERENCES migrate.project (name),
	id text NOT NULL,
	down_revision text[] NOT NULL DEFAULT '{}',
	depends_on text[] NOT NULL DEFAULT '{}',
	branch_labels text[] NOT NULL DEFAULT '{}',
	message text,
	upgrade_sql text NOT NULL,
	downgrade_sql text,
	checksum text NOT NULL,
	registered_by name NOT NULL,
	registered_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	seq bigint NOT NULL,
	-- false: its statements run outside a transaction, one by one, by
	-- CALL migrate.apply(); part of the checksum
	transactional boolean NOT NULL DEFAULT true,
	CONSTRAINT revision_pkey PRIMARY KEY (project, id)
);
/*
 * The newest revision of a project, read by every run.  The index is on the
 * project under the "C" collation, which the catalog queries do not use, so
 * that a plan made while the table is small never scans it in place of the
 * primary key to find (project, id).  Equality is the same under both: the
 * default collation is deterministic.
 */
CREATE INDEX revision_project_seq
	ON migrate.revision (project COLLATE pg_catalog."C", seq);
COMMENT ON TABLE migrate.revision IS
'registered revisions: graph edges, bodies and their sha256 checksum';

CREATE TABLE migrate.version (
	project text NOT NULL REFERENCES migrate.project (name),
	revision text NOT NULL,
	CONSTRAINT version_pkey PRIMARY KEY (project, revision)
);
COMMENT ON TABLE migrate.version IS
'the applied heads of each project, one row per head, like alembic_version';

CREATE TABLE migrate.log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project text NOT NULL,
	revision text,
	operation text NOT NULL
		CHECK (operation OPERATOR(pg_catalog.=) ANY (ARRAY['upgrade', 'downgrade', 'stamp'])),
	heads_before text[] NOT NULL,
	heads_after text[] NOT NULL,
	started_at timestamptz NOT NULL,
	duration interval NOT NULL,
	role name NOT NULL,
	backend_pid integer NOT NULL,
	txid xid8 NOT NULL,
	checksum text,
	-- a step of CALL migrate.apply() that failed (its version rows did not
	-- move): SQLSTATE and message; NULL for a step that ran
	error text,
	-- and the INVALID indexes its statements left behind (a failed
	-- CREATE INDEX CONCURRENTLY leaves one), as qualified names
	left_behind text[]
);
CREATE INDEX log_project_id ON migrate.log (project, id);
COMMENT ON TABLE migrate.log IS
'one row per revision run or stamped, written in the transaction that records the step; a failed step of CALL migrate.apply() also gets one';

/*
 * The schemas of a project, and what they held after its last run, so that
 * verify() can name what changed since by other means (schema drift): the
 * project's target schema, or the schemas its bodies created or changed
 * objects in.  A schema two projects share is recorded after a run of
 * either.
 */
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


/*
 * Any change to a project's revisions other than registering a new one gives
 * it a new graph_gen, so that no backend goes on using a graph it built
 * before the change: migrate's own functions set it as they write, and this
 * trigger does it for changes made by hand.  A registration is told by its
 * seq, the project's newest.  heads, has_depends and summary_gen cache what a
 * no-op run needs to know of the graph, valid while summary_gen = graph_gen;
 * a registration clears them.
 */
CREATE FUNCTION migrate.revision_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'migrate_revision_changed'
LANGUAGE C;
COMMENT ON FUNCTION migrate.revision_changed() IS
'trigger: a change made by hand to migrate.revision invalidates every cached graph';
-- a trigger function, never called directly
REVOKE ALL ON FUNCTION migrate.revision_changed() FROM PUBLIC;

CREATE TRIGGER revision_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON migrate.revision
	FOR EACH STATEMENT EXECUTE FUNCTION migrate.revision_changed();
-- also under session_replication_role = replica
ALTER TABLE migrate.revision ENABLE ALWAYS TRIGGER revision_changed;

SELECT pg_catalog.pg_extension_config_dump('migrate.seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.project', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.revision', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.version', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.log', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.project_schema', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.schema_state', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.kept', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.kept_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.kept_row', '');

/*
 * The role to grant to the roles that migrate: GRANT migrate_admin TO
 * deployer.  It may run every function below that changes a project
 * (register, revision, merge, configure, upgrade, downgrade, stamp) and
 * those that show bodies or their checksums (show, script, verify), and
 * read migrate.revision and migrate.log; it may not write the catalog
 * tables, which only the extension's own functions do.
 *
 * Roles are shared by every database of the cluster, so it may exist
 * already (the extension installed in another database): it is created
 * only when missing, and DROP EXTENSION leaves it in place, since other
 * databases may use it (DROP ROLE migrate_admin once no database has the
 * extension).  A member of it may migrate in every database of the cluster
 * that has the extension.
 *
 * One that exists is taken only if nobody but a superuser can make others
 * members of it, and it cannot log in: on PostgreSQL 16 and later, a role
 * with CREATEROLE that made migrate_admin before the extension came to the
 * cluster holds ADMIN OPTION on it, and could make itself a migrator of
 * every database that installs migrate.
 */
DO $$
DECLARE
	holder name;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
				   WHERE rolname OPERATOR(pg_catalog.=) 'migrate_admin') THEN
		CREATE ROLE migrate_admin NOLOGIN;
		RETURN;
	END IF;
	SELECT r.rolname INTO holder
	  FROM pg_catalog.pg_auth_members m
	  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) m.member
	 WHERE m.roleid OPERATOR(pg_catalog.=) 'migrate_admin'::pg_catalog.regrole
	   AND m.admin_option AND NOT r.rolsuper
	 LIMIT 1;
	IF holder IS NOT NULL OR EXISTS (SELECT FROM pg_catalog.pg_roles
									 WHERE rolname OPERATOR(pg_catalog.=) 'migrate_admin'
									   AND rolcanlogin) THEN
		RAISE EXCEPTION USING
			ERRCODE = 'insufficient_privilege',
			MESSAGE = CASE WHEN holder IS NOT NULL
				THEN pg_catalog.format('role %I may grant migrate_admin, which already exists', holder)
				ELSE 'role migrate_admin, which already exists, can log in' END,
			DETAIL = 'The extension gives migrate_admin the right to migrate; it does not take a role someone else can hand out or log in as.',
			HINT = 'Drop the role (DROP ROLE migrate_admin), or have a superuser take ADMIN OPTION away from non-superusers and make it NOLOGIN, then create the extension again.';
	END IF;
END
$$;

/*
 * The tables belong to the extension owner and nobody else may write them.
 * The functions below do their bookkeeping as that owner and run revision
 * bodies as the caller, so EXECUTE on a mutating function is the right to
 * migrate, and table privileges are not needed for it.  The graph and the
 * version rows are public knowledge; bodies are not (they may hold what
 * PUBLIC should not read), nor are their checksums in the log (a checksum
 * would let anyone confirm a guessed body).
 */
REVOKE ALL ON ALL TABLES IN SCHEMA migrate FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA migrate FROM PUBLIC;
GRANT SELECT ON migrate.project, migrate.version TO PUBLIC;
GRANT SELECT ON migrate.revision, migrate.log TO migrate_admin;
GRANT SELECT ON migrate.project_schema, migrate.schema_state TO migrate_admin;
-- kept rows may hold anything the application stored, secrets included
GRANT SELECT ON migrate.kept, migrate.kept_row TO migrate_admin;

/*
 * Every function below is SECURITY INVOKER: revision bodies run with the
 * caller's privileges.  The C code does its own bookkeeping as the extension
 * owner, one statement at a time.  Each function's privileges follow it,
 * with the reason.
 */

-- Adding revisions.

CREATE FUNCTION migrate.register(
	revision text,
	upgrade text,
	downgrade text DEFAULT NULL,
	down_revision text DEFAULT NULL,
	message text DEFAULT NULL,
	depends_on text DEFAULT NULL,
	branch_labels text DEFAULT NULL,
	project text DEFAULT NULL,
	replace boolean DEFAULT false,
	transactional boolean DEFAULT true)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_register'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.register(text, text, text, text, text, text, text, text, boolean, boolean) IS
'add a revision to a project; returns registered, unchanged (the same revision again: a no-op) or replaced';
-- a registered body runs when someone upgrades: registering is migrating
REVOKE ALL ON FUNCTION migrate.register(text, text, text, text, text, text, text, text, boolean, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.register(text, text, text, text, text, text, text, text, boolean, boolean) TO migrate_admin;

CREATE FUNCTION migrate.revision(
	message text,
	upgrade text,
	downgrade text DEFAULT NULL,
	down_revision text DEFAULT NULL,
	depends_on text DEFAULT NULL,
	branch_labels text DEFAULT NULL,
	project text DEFAULT NULL,
	transactional boolean DEFAULT true)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_revision'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.revision(text, text, text, text, text, text, text, boolean) IS
'add a revision under a generated id on top of the single head; returns the id';
-- registers a revision, as register() does
REVOKE ALL ON FUNCTION migrate.revision(text, text, text, text, text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.revision(text, text, text, text, text, text, text, boolean) TO migrate_admin;

CREATE FUNCTION migrate.merge(
	message text DEFAULT NULL,
	revisions text DEFAULT 'heads',
	project text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_merge'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.merge(text, text, text) IS
'add a revision with empty bodies joining the given revisions (default: all heads); returns the id';
-- registers a revision, as register() does
REVOKE ALL ON FUNCTION migrate.merge(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.merge(text, text, text) TO migrate_admin;

/*
 * A project's settings.  A call changes the options it is given and resets
 * to NULL those named in reset (target_schema, lock_timeout,
 * statement_timeout, run_as, keep_dropped_data), and writes nothing when
 * nothing changes.  The
 * role that sets the target schema is recorded: a target schema is trusted,
 * like a body, only by callers whose privileges that role has.  run_as may
 * be set only by a member of that role.
 */
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

-- Runs.

CREATE FUNCTION migrate.upgrade(
	target text DEFAULT 'head',
	project text DEFAULT NULL)
RETURNS TABLE (revision text, operation text, message text, duration interval)
AS 'MODULE_PATHNAME', 'migrate_upgrade'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.upgrade(text, text) IS
'run the upgrade bodies that reach the target, in the caller''s transaction; one row per revision';
-- runs bodies and writes version rows
REVOKE ALL ON FUNCTION migrate.upgrade(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.upgrade(text, text) TO migrate_admin;

CREATE FUNCTION migrate.downgrade(
	target text,
	project text DEFAULT NULL)
RETURNS TABLE (revision text, operation text, message text, duration interval)
AS 'MODULE_PATHNAME', 'migrate_downgrade'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.downgrade(text, text) IS
'run the downgrade bodies down to the target, in the caller''s transaction; one row per revision';
-- runs bodies and writes version rows
REVOKE ALL ON FUNCTION migrate.downgrade(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.downgrade(text, text) TO migrate_admin;

CREATE FUNCTION migrate.stamp(
	targets text,
	project text DEFAULT NULL,
	purge boolean DEFAULT false)
RETURNS TABLE (revision text, operation text, message text, duration interval)
AS 'MODULE_PATHNAME', 'migrate_stamp'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.stamp(text, text, boolean) IS
'set the version rows to the targets without running any body';
-- writes version rows: it decides what later runs skip
REVOKE ALL ON FUNCTION migrate.stamp(text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.stamp(text, text, boolean) TO migrate_admin;

-- Taking over a database Alembic has been migrating (src/adopt.c): the
-- version rows are set from Alembic's version table without running any
-- body.  The Alembic table is read with the caller's privileges.
CREATE FUNCTION migrate.adopt_alembic(
	version_table pg_catalog.regclass DEFAULT NULL,
	project text DEFAULT NULL)
RETURNS TABLE (revision text, operation text, message text, duration interval)
AS 'MODULE_PATHNAME', 'migrate_adopt_alembic'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.adopt_alembic(pg_catalog.regclass, text) IS
'set a project''s version rows from an Alembic version table (default: alembic_version on the search_path), running no body; logged as stamp steps';
-- writes version rows, as stamp() does
REVOKE ALL ON FUNCTION migrate.adopt_alembic(pg_catalog.regclass, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.adopt_alembic(pg_catalog.regclass, text) TO migrate_admin;

/*
 * The other path: one transaction per revision, so that revisions
 * registered with transactional => false (CREATE INDEX CONCURRENTLY and the
 * like) run among the others, outside any transaction, in a background
 * worker.  Procedures, since they commit: CALL them on their own.
 */
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

-- Reading the graph and the state.  The graph and the version rows are
-- public knowledge (migrate.project and migrate.version are readable by
-- PUBLIC), so these stay executable by PUBLIC.

CREATE FUNCTION migrate.current(project text DEFAULT NULL)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'migrate_current'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.current(text) IS
'the applied heads (and the dependency tips they imply); nothing at base';

CREATE FUNCTION migrate.heads(
	project text DEFAULT NULL,
	resolve_dependencies boolean DEFAULT false)
RETURNS TABLE (revision text, branch_labels text[], message text)
AS 'MODULE_PATHNAME', 'migrate_heads'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.heads(text, boolean) IS
'the revisions nothing builds on, as alembic heads';

CREATE FUNCTION migrate.bases(project text DEFAULT NULL)
RETURNS TABLE (revision text, branch_labels text[], message text)
AS 'MODULE_PATHNAME', 'migrate_bases'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.bases(text) IS
'the revisions with no down_revision, as alembic bases';

CREATE FUNCTION migrate.branches(project text DEFAULT NULL)
RETURNS TABLE (revision text, branch_labels text[], message text, children text[])
AS 'MODULE_PATHNAME', 'migrate_branches'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.branches(text) IS
'the branch points and the revisions that branch from each, as alembic branches';

CREATE FUNCTION migrate.history(
	range text DEFAULT NULL,
	project text DEFAULT NULL)
RETURNS TABLE (revision text, down_revision text[], branch_labels text[],
			   message text, is_head boolean, is_current boolean,
			   is_branch_point boolean, is_merge_point boolean,
			   transactional boolean)
AS 'MODULE_PATHNAME', 'migrate_history'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.history(text, text) IS
'the revisions of an Alembic range (A:B), newest first, as alembic history';

CREATE FUNCTION migrate.pending(
	target text DEFAULT 'head',
	project text DEFAULT NULL)
RETURNS TABLE (step integer, revision text, operation text, message text,
			   transactional boolean)
AS 'MODULE_PATHNAME', 'migrate_pending'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.pending(text, text) IS
'the steps upgrade(target) would run now, without running them';

-- The graph drawn: what heads() and history() list, as a picture.  Public
-- like them (it shows ids, edges, labels, messages and version rows, no
-- body and no checksum).
CREATE FUNCTION migrate.graph(
	project text DEFAULT NULL,
	format text DEFAULT 'text')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_graph'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.graph(text, text) IS
'the revision graph drawn newest first: text (like git log --graph), dot (Graphviz) or mermaid (a flowchart), applied revisions told from pending ones, heads and current revisions marked';

-- Reading bodies and checksums: for migrators only.

CREATE FUNCTION migrate.show(
	target text,
	project text DEFAULT NULL)
RETURNS TABLE (revision text, down_revision text[], depends_on text[],
			   branch_labels text[], message text, is_head boolean,
			   is_base boolean, is_branch_point boolean, is_merge_point boolean,
			   registered_by name, registered_at timestamptz, checksum text,
			   transactional boolean)
AS 'MODULE_PATHNAME', 'migrate_show'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.show(text, text) IS
'the revisions a target names, with who registered them and their checksum, as alembic show';
-- shows checksums, which would let PUBLIC confirm a guessed body
REVOKE ALL ON FUNCTION migrate.show(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.show(text, text) TO migrate_admin;

CREATE FUNCTION migrate.script(
	target text DEFAULT 'head',
	"from" text DEFAULT 'base',
	project text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_script'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.script(text, text, text) IS
'the SQL script upgrade or downgrade would run, with its version-row statements, as alembic --sql';
-- shows bodies, which may hold what PUBLIC should not read
REVOKE ALL ON FUNCTION migrate.script(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.script(text, text, text) TO migrate_admin;

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

CREATE FUNCTION migrate.verify(project text DEFAULT NULL)
RETURNS TABLE (project text, problem text, revision text, detail text)
AS 'MODULE_PATHNAME', 'migrate_verify'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.verify(text) IS
'everything wrong with a project, or with every project when none is named (drifted bodies, missing parents, unknown or redundant version rows, invalid indexes, schema drift since the last run, Citus shards that differ from their table), one row each';
-- shows checksums, which would let PUBLIC confirm a guessed body
REVOKE ALL ON FUNCTION migrate.verify(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.verify(text) TO migrate_admin;

-- Monitoring.

CREATE FUNCTION migrate.project_status(project text DEFAULT NULL)
RETURNS TABLE (project text, heads text[], applied text[], pending integer, problem text)
AS 'MODULE_PATHNAME', 'migrate_project_status'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.project_status(text) IS
'each project''s heads, applied heads, the number of steps upgrade(''heads'') would run, and what is wrong with it';
-- the graph and the version rows are public knowledge, as for heads()

/*
 * One row per project: what a dashboard or an alert needs.  The last run is
 * the newest transaction that ran or stamped revisions of the project (with
 * CALL migrate.apply(), which commits each revision, its newest revision).
 */
CREATE VIEW migrate.status AS
SELECT s.project, s.heads, s.applied, s.pending, s.problem,
	   r.last_run_at, r.last_run_duration, r.last_run_steps, r.last_run_role,
	   r.last_run_error
  FROM migrate.project_status() s
  LEFT JOIN LATERAL (
	SELECT pg_catalog.min(l.started_at) AS last_run_at,
		   pg_catalog.max(l.started_at OPERATOR(pg_catalog.+) l.duration)
			 OPERATOR(pg_catalog.-) pg_catalog.min(l.started_at) AS last_run_duration,
		   pg_catalog.count(*)::integer AS last_run_steps,
		   pg_catalog.min(l.role::pg_catalog.text) AS last_run_role,
		   pg_catalog.max(pg_catalog.left(l.error, 5)) AS last_run_error
	  FROM migrate.log l
	 WHERE l.project OPERATOR(pg_catalog.=) s.project
	   AND l.txid OPERATOR(pg_catalog.=) (
		   SELECT n.txid FROM migrate.log n
			WHERE n.project OPERATOR(pg_catalog.=) s.project
			ORDER BY n.id DESC LIMIT 1)
	HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0) r ON true;
COMMENT ON VIEW migrate.status IS
'one row per project: heads, applied heads, pending steps, problems, and the last run';
-- heads, version rows and timings are public knowledge; the view shows no
-- body or checksum from the log it reads, and of a failure only its SQLSTATE
-- (an error message can quote the data)
GRANT SELECT ON migrate.status TO PUBLIC;

-- Testing migrations: runs that are rolled back.

CREATE FUNCTION migrate.trial(
	target text DEFAULT 'head',
	project text DEFAULT NULL)
RETURNS TABLE (step integer, revision text, operation text, duration interval,
			   locks text[], rewrites text[], locks_on_new text[])
AS 'MODULE_PATHNAME', 'migrate_trial'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.trial(text, text) IS
'run what upgrade(target) would run, one subtransaction per step, report the locks each step holds on relations that existed before, the relations it rewrites and the locks it holds on relations earlier steps created, then roll everything back';
/*
 * Runs revision bodies with the caller's privileges, like upgrade(): for
 * migrators, not PUBLIC.  It runs them by calling migrate.upgrade() and
 * migrate.stamp() as the caller, who needs EXECUTE on those too, so trial()
 * is never a way around the right to migrate.
 */
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

-- The schema model: fingerprints, comparisons and diffs of schemas.
--
-- fingerprint(), schema_fingerprint(), compare_schemas() and diff() only
-- read the system catalogs, which every role may read already (pg_class,
-- pg_attribute, pg_proc with function bodies, pg_policy, ...): they show
-- nothing a role could not query itself and change nothing, so PUBLIC may
-- call them (the default, granted here on purpose).

CREATE FUNCTION migrate.fingerprint(schemas text[] DEFAULT NULL)
RETURNS TABLE (kind text, name text, definition text)
AS 'MODULE_PATHNAME', 'migrate_fingerprint'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.fingerprint(text[]) IS
'canonical description of the schemas (NULL: every user schema), one row per object, names qualified';
-- reads the catalogs only
GRANT EXECUTE ON FUNCTION migrate.fingerprint(text[]) TO PUBLIC;

CREATE FUNCTION migrate.fingerprint_hash(schemas text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_fingerprint_hash'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.fingerprint_hash(text[]) IS
'sha256 of the rows of fingerprint(schemas)';
-- reads the catalogs only
GRANT EXECUTE ON FUNCTION migrate.fingerprint_hash(text[]) TO PUBLIC;

CREATE FUNCTION migrate.schema_fingerprint(schema text)
RETURNS TABLE (kind text, name text, definition text)
AS 'MODULE_PATHNAME', 'migrate_schema_fingerprint'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.schema_fingerprint(text) IS
'canonical description of one schema, names relative to it: equal for two schemas built by the same DDL';
-- reads the catalogs only
GRANT EXECUTE ON FUNCTION migrate.schema_fingerprint(text) TO PUBLIC;

CREATE FUNCTION migrate.compare_schemas(left_schema text, right_schema text)
RETURNS TABLE (kind text, name text, left_definition text, right_definition text)
AS 'MODULE_PATHNAME', 'migrate_compare_schemas'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.compare_schemas(text, text) IS
'the rows of schema_fingerprint() that differ between two schemas; none when they match';
-- reads the catalogs only
GRANT EXECUTE ON FUNCTION migrate.compare_schemas(text, text) TO PUBLIC;

CREATE FUNCTION migrate.diff(source_schema text, target_schema text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_diff'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate.diff(text, text) IS
'SQL script that changes source_schema to hold what target_schema holds; empty when they match';
-- reads the catalogs only, and returns a script without running it
GRANT EXECUTE ON FUNCTION migrate.diff(text, text) TO PUBLIC;

CREATE FUNCTION migrate.autogenerate(
	message text,
	desired_schema text,
	live_schema text DEFAULT 'public',
	project text DEFAULT NULL,
	allow_destructive boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_autogenerate'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.autogenerate(text, text, text, text, boolean) IS
'registers a revision whose upgrade is diff(live, desired) and downgrade the way back, after trying both; returns its id';
-- registers a revision, as revision() does, and tries DDL on the live
-- schema (in a subtransaction it rolls back)
REVOKE ALL ON FUNCTION migrate.autogenerate(text, text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.autogenerate(text, text, text, text, boolean) TO migrate_admin;

CREATE FUNCTION migrate.check_reversible(project text DEFAULT NULL)
RETURNS TABLE (revision text, ok boolean, problem text, detail text)
AS 'MODULE_PATHNAME', 'migrate_check_reversible'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate.check_reversible(text) IS
'for each pending revision: upgrade, downgrade, compare the schema and the version rows with what they were, upgrade again; then roll everything back';
/*
 * Runs revision bodies, both ways, with the caller's privileges: for
 * migrators, not PUBLIC.  It runs them by calling migrate.upgrade(),
 * migrate.downgrade() and migrate.stamp() as the caller, who needs EXECUTE
 * on those too, so check_reversible() is never a way around the right to
 * migrate.
 */
REVOKE ALL ON FUNCTION migrate.check_reversible(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migrate.check_reversible(text) TO migrate_admin;

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
