--
-- Revisions that cannot run in a transaction (CREATE INDEX CONCURRENTLY and
-- the like) and CALL migrate.apply(), which runs them: what a user sees.
--
SET migrate.project = 'apply_demo';
CREATE TABLE apply_items (id int, code int);
INSERT INTO apply_items SELECT g, g % 100 FROM generate_series(1, 1000) g;

SELECT migrate.register('ap1', 'CREATE TABLE apply_log (id int)', 'DROP TABLE apply_log',
	message => 'log table');
SELECT migrate.register('ap2', $$
DROP INDEX CONCURRENTLY IF EXISTS apply_items_code;
CREATE INDEX CONCURRENTLY apply_items_code ON apply_items (code);
$$, 'DROP INDEX CONCURRENTLY apply_items_code', down_revision => 'ap1',
	message => 'index code', transactional => false);
SELECT migrate.register('ap3', 'ALTER TABLE apply_log ADD note text',
	'ALTER TABLE apply_log DROP note', down_revision => 'ap2', message => 'note');

-- The flag is shown where revisions are listed, and is part of the content.
SELECT * FROM migrate.pending();
SELECT revision, transactional FROM migrate.history();
SELECT revision, transactional FROM migrate.show('ap2');
SELECT migrate.register('ap2', $$
DROP INDEX CONCURRENTLY IF EXISTS apply_items_code;
CREATE INDEX CONCURRENTLY apply_items_code ON apply_items (code);
$$, 'DROP INDEX CONCURRENTLY apply_items_code', down_revision => 'ap1',
	message => 'index code');
\echo :LAST_ERROR_SQLSTATE

-- upgrade() runs in the caller's transaction: it refuses, and runs nothing.
SELECT * FROM migrate.upgrade();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.current();

-- apply() commits each revision; it cannot run in a transaction block or
-- from a function.
BEGIN;
CALL migrate.apply();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
CREATE FUNCTION apply_from_function() RETURNS void LANGUAGE plpgsql
	AS $$ BEGIN CALL migrate.apply(); END $$;
SELECT apply_from_function();
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION apply_from_function();

-- Run as a statement of its own (a DO block at top level is one too).
CALL migrate.apply();
SELECT * FROM migrate.current();
SELECT indisvalid FROM pg_index WHERE indexrelid = 'apply_items_code'::regclass;
SELECT revision, operation, error FROM migrate.log WHERE project = 'apply_demo' ORDER BY id;
CALL migrate.apply();

-- The offline script runs such a revision outside BEGIN ... COMMIT.
SELECT migrate.script('ap2', 'ap1');

-- Down the same path, and up again.
CALL migrate.apply_downgrade('ap1');
SELECT * FROM migrate.current();
SELECT to_regclass('apply_items_code') IS NULL AS index_dropped;
DO $$ BEGIN CALL migrate.apply('head'); END $$;
SELECT * FROM migrate.current();

-- A statement of the worker that fails: the error names the revision and
-- the statement; the version rows stay; the failure is in the log; verify()
-- points at the index it left INVALID.
SELECT migrate.register('ap4', $$
DROP INDEX CONCURRENTLY IF EXISTS apply_items_unique;
CREATE UNIQUE INDEX CONCURRENTLY apply_items_unique ON apply_items (code);
$$, 'DROP INDEX CONCURRENTLY apply_items_unique', down_revision => 'ap3',
	message => 'unique code', transactional => false);
CALL migrate.apply();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.current();
SELECT revision, error FROM migrate.log WHERE project = 'apply_demo' AND error IS NOT NULL;
SELECT problem, revision, detail FROM migrate.verify();
-- Once the data is fixed, calling apply() again completes the revision.
UPDATE apply_items SET code = id;
CALL migrate.apply();
SELECT * FROM migrate.current();
SELECT indisvalid FROM pg_index WHERE indexrelid = 'apply_items_unique'::regclass;
SELECT problem FROM migrate.verify();

-- The worker runs as the caller's current role, with its search_path.
CREATE ROLE apply_bob NOLOGIN;
GRANT migrate_admin TO apply_bob;
GRANT CREATE ON SCHEMA public TO apply_bob;
CREATE SCHEMA apply_other;
GRANT USAGE, CREATE ON SCHEMA apply_other TO apply_bob;
SELECT migrate.register('ap5', 'CREATE TABLE whoami AS SELECT current_user AS role',
	'DROP TABLE whoami', down_revision => 'ap4', transactional => false);
SET ROLE apply_bob;
SET search_path = apply_other, public;
CALL migrate.apply();
RESET search_path;
RESET ROLE;
SELECT role, pg_get_userbyid(relowner) AS owner
  FROM apply_other.whoami, pg_class WHERE oid = 'apply_other.whoami'::regclass;

-- Errors: a NULL target, an unknown project.
CALL migrate.apply(NULL);
\echo :LAST_ERROR_SQLSTATE
CALL migrate.apply('head', 'apply_nobody');
\echo :LAST_ERROR_SQLSTATE
CALL migrate.apply_downgrade('ap9');
\echo :LAST_ERROR_SQLSTATE

-- Clean up: the catalog is shared by the tests that follow.
SET search_path = apply_other, public;
CALL migrate.apply_downgrade('base');
RESET search_path;
DROP SCHEMA apply_other;
DROP OWNED BY apply_bob;
DROP ROLE apply_bob;
DROP TABLE apply_items;
RESET migrate.project;
