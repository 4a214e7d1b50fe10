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
CALL migrate.apply() \g /dev/null
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- (in PL/pgSQL, with variables for the results it returns)
CREATE FUNCTION apply_from_function() RETURNS void LANGUAGE plpgsql
	AS $$ DECLARE r text[]; d interval[]; h text[];
	BEGIN CALL migrate.apply('head', NULL, r, d, h); END $$;
SELECT apply_from_function();
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION apply_from_function();

-- Run as a statement of its own.  It returns what it ran: the revisions,
-- how long each took, and the heads after (a driver reads them as the
-- CALL's result row; here psql keeps them in variables).
CALL migrate.apply() \gset
\echo revisions :revisions, heads :heads
SELECT cardinality(:'durations'::interval[]) AS durations;
SELECT * FROM migrate.current();
SELECT indisvalid FROM pg_index WHERE indexrelid = 'apply_items_code'::regclass;
SELECT revision, operation, error FROM migrate.log WHERE project = 'apply_demo' ORDER BY id;
-- nothing left to run: no revisions, the heads as they are
CALL migrate.apply() \gset
\echo revisions :revisions, heads :heads

-- The offline script runs such a revision outside BEGIN ... COMMIT.
SELECT migrate.script('ap2', 'ap1');

-- Down the same path, and up again.
CALL migrate.apply_downgrade('ap1') \g /dev/null
SELECT * FROM migrate.current();
SELECT to_regclass('apply_items_code') IS NULL AS index_dropped;
DO $$ DECLARE r text[]; d interval[]; h text[];
	BEGIN CALL migrate.apply('head', NULL, r, d, h); END $$;
SELECT * FROM migrate.current();

-- A statement of the worker that fails: the error names the revision and
-- the statement; the version rows stay; the failure is in the log; verify()
-- points at the index it left INVALID.
SELECT migrate.register('ap4', $$
DROP INDEX CONCURRENTLY IF EXISTS apply_items_unique;
CREATE UNIQUE INDEX CONCURRENTLY apply_items_unique ON apply_items (code);
$$, 'DROP INDEX CONCURRENTLY apply_items_unique', down_revision => 'ap3',
	message => 'unique code', transactional => false);
CALL migrate.apply() \g /dev/null
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.current();
SELECT revision, error, left_behind FROM migrate.log
 WHERE project = 'apply_demo' AND error IS NOT NULL;
SELECT last_run_error FROM migrate.status WHERE project = 'apply_demo';
SELECT problem, revision, detail FROM migrate.verify('apply_demo');
-- Once the data is fixed, calling apply() again completes the revision.
UPDATE apply_items SET code = id;
CALL migrate.apply() \g /dev/null
SELECT * FROM migrate.current();
SELECT indisvalid FROM pg_index WHERE indexrelid = 'apply_items_unique'::regclass;
SELECT problem FROM migrate.verify('apply_demo');

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
CALL migrate.apply() \g /dev/null
RESET search_path;
RESET ROLE;
SELECT role, pg_get_userbyid(relowner) AS owner
  FROM apply_other.whoami, pg_class WHERE oid = 'apply_other.whoami'::regclass;

-- While apply_bob may create objects in public, a body that runs as the
-- superuser with public on its search_path is refused: a function
-- apply_bob put there could match one of the body's calls and run with
-- the superuser's rights.  In the worker too, before it starts.
SELECT migrate.register('sp1', 'SELECT lower(''X'')', project => 'apply_path');
SELECT * FROM migrate.upgrade('head', 'apply_path');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('sp2', 'SELECT lower(''X'')', down_revision => 'sp1',
	project => 'apply_path', transactional => false);
SELECT revision FROM migrate.stamp('sp1', 'apply_path');
CALL migrate.apply('head', 'apply_path') \g /dev/null
\echo :LAST_ERROR_SQLSTATE
-- as apply_bob it runs (apply_bob trusts what it creates itself)
SET ROLE apply_bob;
CALL migrate.apply('head', 'apply_path') \g /dev/null
RESET ROLE;
SELECT * FROM migrate.current('apply_path');
-- What apply_bob made while it could stays when the right goes: a function
-- of apply_bob's on the search_path keeps the superuser's bodies from
-- running as well.
SET ROLE apply_bob;
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql AS $$SELECT 'captured'$$;
RESET ROLE;
REVOKE CREATE ON SCHEMA public, apply_other FROM apply_bob;
SELECT migrate.register('sp3', $$SELECT lower('X'::varchar)$$, down_revision => 'sp2',
	project => 'apply_path');
SELECT * FROM migrate.upgrade('head', 'apply_path');
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION public.lower(varchar);
SELECT revision FROM migrate.upgrade('head', 'apply_path');
SELECT count(*) FROM migrate.stamp('base', 'apply_path');

-- The worker has the caller's settings, not only its search_path.
SET maintenance_work_mem = '77MB';
SELECT migrate.register('ap6',
	$$CREATE TABLE apply_settings AS SELECT current_setting('maintenance_work_mem') AS mwm$$,
	'DROP TABLE apply_settings', down_revision => 'ap5', transactional => false);
CALL migrate.apply() \g /dev/null
RESET maintenance_work_mem;
SELECT * FROM apply_settings;

-- A body cannot change the role it runs as: not in the caller's
-- transaction, not in the worker.
SELECT migrate.register('r1', 'SET ROLE apply_bob', '', project => 'apply_role');
SELECT * FROM migrate.upgrade('head', 'apply_role');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('r2', 'RESET ROLE', '', project => 'apply_role_outside',
	transactional => false);
CALL migrate.apply('head', 'apply_role_outside') \g /dev/null
\echo :LAST_ERROR_SQLSTATE

-- A body in the worker that runs its own project: refused, not a deadlock.
SELECT migrate.register('w1', $$SELECT * FROM migrate.upgrade('head', 'apply_self')$$, '',
	project => 'apply_self', transactional => false);
CALL migrate.apply('head', 'apply_self') \g /dev/null
\echo :LAST_ERROR_SQLSTATE

-- A statement that waits for the lock its own call holds: an error, not a
-- wait without end.
SELECT migrate.register('l1',
	$$SELECT pg_advisory_lock(1835624306, hashtext('apply_selflock'))$$, '',
	project => 'apply_selflock', transactional => false);
CALL migrate.apply('head', 'apply_selflock') \g /dev/null
\echo :LAST_ERROR_SQLSTATE

-- Transaction control and COPY from the client are refused before any
-- statement of the body runs; so is a body that does not parse.  Each
-- failure is logged against the revision.
SELECT migrate.register('c1', 'CREATE TABLE apply_c1 (); COMMIT', '',
	project => 'apply_checks', transactional => false);
CALL migrate.apply('head', 'apply_checks') \g /dev/null
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('c1', 'CREATE TABLE apply_c1 (); COPY apply_c1 FROM STDIN', '',
	project => 'apply_checks', transactional => false, replace => true);
CALL migrate.apply('head', 'apply_checks') \g /dev/null
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('c1', 'CREATE TABLE apply_c1 (); CREATE TABLEE apply_c2 ()', '',
	project => 'apply_checks', transactional => false, replace => true);
CALL migrate.apply('head', 'apply_checks') \g /dev/null
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('apply_c1') IS NULL AS nothing_ran;
SELECT revision, error FROM migrate.log WHERE project = 'apply_checks' ORDER BY id;
-- An empty body needs no worker: the revision is recorded.
SELECT migrate.register('c1', '', '', project => 'apply_checks', transactional => false,
	replace => true);
CALL migrate.apply('head', 'apply_checks') \g /dev/null
SELECT * FROM migrate.current('apply_checks');
SELECT revision, operation FROM migrate.stamp('base', 'apply_checks');

-- apply() checks a transactional revision's deferred constraints before
-- its step commits: a violation is named, logged, and nothing of it stays.
CREATE TABLE apply_parent (id int PRIMARY KEY);
CREATE TABLE apply_child (pid int REFERENCES apply_parent DEFERRABLE INITIALLY DEFERRED);
SELECT migrate.register('d1', 'INSERT INTO apply_child VALUES (1)', 'DELETE FROM apply_child',
	project => 'apply_deferred');
CALL migrate.apply('head', 'apply_deferred') \g /dev/null
\echo :LAST_ERROR_SQLSTATE
SELECT revision, error FROM migrate.log WHERE project = 'apply_deferred';
SELECT last_run_error FROM migrate.status WHERE project = 'apply_deferred';
SELECT count(*) AS children, (SELECT count(*) FROM migrate.current('apply_deferred')) AS applied
  FROM apply_child;
DROP TABLE apply_child, apply_parent;

-- Errors: a NULL target, an unknown project.
CALL migrate.apply(NULL) \g /dev/null
\echo :LAST_ERROR_SQLSTATE
CALL migrate.apply('head', 'apply_nobody') \g /dev/null
\echo :LAST_ERROR_SQLSTATE
CALL migrate.apply_downgrade('ap9') \g /dev/null
\echo :LAST_ERROR_SQLSTATE

-- Clean up: the catalog is shared by the tests that follow.  A superuser
-- runs no body with apply_bob's table on its search_path: take it first.
ALTER TABLE apply_other.whoami OWNER TO CURRENT_USER;
SET search_path = apply_other, public;
CALL migrate.apply_downgrade('base') \g /dev/null
RESET search_path;
DROP SCHEMA apply_other;
DROP OWNED BY apply_bob;
DROP ROLE apply_bob;
DROP TABLE apply_items;
RESET migrate.project;
