--
-- migrate.configure(): a project's target schema and the timeouts its bodies
-- run under.  Every call sets all of them.
--
SET migrate.project = 'configure_demo';

-- A project may be configured before it has revisions.
SELECT migrate.configure('configure_demo', target_schema => 'inventory',
	lock_timeout => '2s', statement_timeout => '10min');
SELECT name, target_schema, lock_timeout, statement_timeout,
	   configured_by = current_user AS by_me
  FROM migrate.project WHERE name = 'configure_demo';

-- The target schema is created by the first run, and comes first on the
-- bodies' search_path; lock_timeout is set while they run (statement_timeout
-- is enforced by a timer, not the setting: specs/body_timeouts).
SELECT migrate.register('c1', $body$CREATE TABLE items (id int);
	DO $d$ BEGIN RAISE NOTICE 'search_path %, lock_timeout %, statement_timeout %',
		current_setting('search_path'), current_setting('lock_timeout'),
		current_setting('statement_timeout'); END $d$$body$, 'DROP TABLE items');
SELECT revision FROM migrate.upgrade();
-- and are the session's own again afterwards
SELECT to_regclass('inventory.items') IS NOT NULL AS created_in_target_schema;
SHOW lock_timeout;

-- Arguments left out are reset.
SELECT migrate.configure('configure_demo');
SELECT target_schema, lock_timeout, statement_timeout
  FROM migrate.project WHERE name = 'configure_demo';

-- Errors: negative timeouts, an empty or too long project name.
SELECT migrate.configure('configure_demo', lock_timeout => '-1s');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure('configure_demo', statement_timeout => '-1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure('');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure(repeat('x', 256));
\echo :LAST_ERROR_SQLSTATE

-- Settings a body makes (SET, SET LOCAL, set_config()) end with the body:
-- the next revision, and the caller's transaction, run as they would have.
SELECT migrate.register('g1', $$SET LOCAL search_path = pg_catalog;
	SET check_function_bodies = off; SELECT set_config('lock_timeout', '1min', true)$$,
	'', project => 'settings_demo');
SELECT migrate.register('g2', 'CREATE TABLE settings_g2 (id int)', 'DROP TABLE settings_g2',
	down_revision => 'g1', project => 'settings_demo');
BEGIN;
SELECT revision FROM migrate.upgrade('head', 'settings_demo');
SELECT to_regclass('public.settings_g2') IS NOT NULL AS created_where_expected;
SHOW search_path;
SHOW check_function_bodies;
SHOW lock_timeout;
ROLLBACK;
