--
-- migrate.configure(): a project's target schema, the timeouts its bodies
-- run under and the role they run as.
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

-- A call changes only the options it is given; the others stay.  Options
-- are reset by name (reset => '{...}').
SELECT migrate.configure('configure_demo', lock_timeout => '5s');
SELECT target_schema, lock_timeout, statement_timeout
  FROM migrate.project WHERE name = 'configure_demo';
SELECT migrate.configure('configure_demo', reset => '{lock_timeout, statement_timeout}');
SELECT target_schema, lock_timeout, statement_timeout
  FROM migrate.project WHERE name = 'configure_demo';

-- A call that changes nothing writes nothing: the row stays as it was (the
-- same row version, changed_at unmoved), and takes no lock.
SELECT xmin AS before_xmin, changed_at AS before_changed FROM migrate.project
 WHERE name = 'configure_demo' \gset
SELECT migrate.configure('configure_demo', target_schema => 'inventory');
SELECT migrate.configure('configure_demo');
SELECT xmin = :'before_xmin' AS same_row, changed_at = :'before_changed' AS unchanged
  FROM migrate.project WHERE name = 'configure_demo';

-- Errors: negative timeouts, an empty or too long project name, an unknown
-- option to reset, one both given and reset.
SELECT migrate.configure('configure_demo', lock_timeout => '-1s');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure('configure_demo', statement_timeout => '-1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure('');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure(repeat('x', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure('configure_demo', reset => '{timeout}');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure('configure_demo', lock_timeout => '1s', reset => '{lock_timeout}');
\echo :LAST_ERROR_SQLSTATE

-- run_as: the bodies run as that role, so what they create is its own, and
-- a body cannot switch back.  Only a member of the role (or a superuser)
-- may set it, and a caller must be one to run the project.
CREATE ROLE configure_owner NOLOGIN;
CREATE ROLE configure_deployer NOLOGIN IN ROLE migrate_admin;
CREATE ROLE configure_stranger NOLOGIN IN ROLE migrate_admin;
GRANT configure_owner TO configure_deployer;
GRANT CREATE ON DATABASE contrib_regression TO configure_owner;
SELECT migrate.configure('run_as_demo', target_schema => 'run_as_app', run_as => 'configure_owner');
SELECT migrate.register('o1', $$CREATE TABLE owned (who name DEFAULT current_user);
	INSERT INTO owned DEFAULT VALUES$$, 'DROP TABLE owned', project => 'run_as_demo');
SELECT migrate.register('o2', 'RESET ROLE', '', down_revision => 'o1', project => 'run_as_demo');
SELECT revision FROM migrate.upgrade('o1', 'run_as_demo');
SELECT who, pg_get_userbyid(relowner) AS table_owner,
	   (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'run_as_app') AS schema_owner
  FROM run_as_app.owned, pg_class WHERE oid = 'run_as_app.owned'::regclass;
SELECT revision FROM migrate.upgrade('head', 'run_as_demo');
\echo :LAST_ERROR_SQLSTATE
-- a member of the role runs it; a migrator who is not is refused
SELECT revision FROM migrate.downgrade('base', 'run_as_demo');
SET ROLE configure_deployer;
SELECT revision FROM migrate.upgrade('o1', 'run_as_demo');
SET ROLE configure_stranger;
SELECT revision FROM migrate.downgrade('base', 'run_as_demo');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.configure('run_as_demo', run_as => 'configure_owner');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT migrate.configure('run_as_demo', run_as => 'no_such_role');
\echo :LAST_ERROR_SQLSTATE
SELECT revision FROM migrate.downgrade('base', 'run_as_demo');
DROP SCHEMA run_as_app;
DELETE FROM migrate.log WHERE project = 'run_as_demo';
DELETE FROM migrate.revision WHERE project = 'run_as_demo';
DELETE FROM migrate.project WHERE name = 'run_as_demo';
REVOKE CREATE ON DATABASE contrib_regression FROM configure_owner;
DROP ROLE configure_deployer, configure_stranger, configure_owner;

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
