-- Who may migrate, whose rights a body runs with, and a hostile search_path.
\i test/pgtap/setup.inc
SELECT * FROM no_plan();

CREATE ROLE migrate_tap_alice LOGIN;
CREATE ROLE migrate_tap_bob LOGIN;
GRANT migrate_admin TO migrate_tap_alice;
CREATE SCHEMA tap_app AUTHORIZATION migrate_tap_alice;

SELECT has_role('migrate_admin', 'the install script created migrate_admin');

-- A member of migrate_admin migrates with her own rights.
SET ROLE migrate_tap_alice;
SELECT lives_ok($$SELECT migrate.register('al1', 'CREATE TABLE tap_app.t1 (id int)', 'DROP TABLE tap_app.t1', project => 'tap_sec')$$,
	'a migrate_admin member may register');
SELECT lives_ok($$SELECT migrate.upgrade('head', 'tap_sec')$$, 'and upgrade');
SELECT is((SELECT tableowner::text FROM pg_tables WHERE schemaname = 'tap_app' AND tablename = 't1'),
	'migrate_tap_alice', 'the body ran as the caller: she owns what it created');
SELECT is((SELECT registered_by::text FROM migrate.revision WHERE project = 'tap_sec' AND id = 'al1'),
	'migrate_tap_alice', 'the revision records who registered it');
SELECT is((SELECT role::text FROM migrate.log WHERE project = 'tap_sec' ORDER BY id DESC LIMIT 1),
	'migrate_tap_alice', 'the log records who ran it');

-- A body cannot do what its caller may not do.
SELECT migrate.register('al2', 'CREATE ROLE migrate_tap_evil SUPERUSER', NULL, down_revision => 'al1', project => 'tap_sec');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tap_sec')$$, '42501', NULL,
	'a body runs with the caller''s privileges, not the extension owner''s');
SELECT hasnt_role('migrate_tap_evil', 'and nothing of it stays');
RESET ROLE;

-- A body registered by a role is refused to a more privileged caller: a
-- role cannot borrow someone else's rights by registering SQL for them.
SELECT throws_like($$SELECT migrate.upgrade('head', 'tap_sec')$$,
	'%registered by role "migrate_tap_alice", which does not have the privileges of role%',
	'a superuser is not made to run a body another role registered');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tap_sec')$$, '42501');
SELECT hasnt_role('migrate_tap_evil', 'the superuser did not run it either');

-- A superuser's revisions may be run by any migrator, with the migrator's rights.
SELECT migrate.register('su1', 'CREATE TABLE tap_app.t2 (id int)', 'DROP TABLE tap_app.t2', project => 'tap_su');
SET ROLE migrate_tap_alice;
SELECT lives_ok($$SELECT migrate.upgrade('head', 'tap_su')$$, 'a migrator runs a superuser''s revision');
SELECT is((SELECT tableowner::text FROM pg_tables WHERE schemaname = 'tap_app' AND tablename = 't2'),
	'migrate_tap_alice', 'as herself');
RESET ROLE;

-- Roles that were not granted anything cannot migrate, change revisions,
-- version rows or the log by any path.
SET ROLE migrate_tap_bob;
SELECT throws_ok($$SELECT migrate.register('b1', 'SELECT 1', project => 'tap_sec')$$, '42501', NULL, 'bob may not register');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tap_sec')$$, '42501', NULL, 'bob may not upgrade');
SELECT throws_ok($$SELECT migrate.downgrade('base', 'tap_sec')$$, '42501', NULL, 'bob may not downgrade');
SELECT throws_ok($$SELECT migrate.stamp('base', 'tap_sec')$$, '42501', NULL, 'bob may not stamp');
SELECT throws_ok($$SELECT migrate.revision('x', 'SELECT 1', project => 'tap_sec')$$, '42501', NULL, 'bob may not add a revision');
SELECT throws_ok($$SELECT migrate.merge('x', project => 'tap_sec')$$, '42501', NULL, 'bob may not merge');
SELECT throws_ok($$SELECT migrate.configure('tap_sec', target_schema => 'x')$$, '42501', NULL, 'bob may not configure');
SELECT throws_ok($$SELECT migrate.script('head', 'base', 'tap_sec')$$, '42501', NULL, 'bob may not read bodies through script()');
SELECT throws_ok($$UPDATE migrate.project SET target_schema = 'x'$$, '42501', NULL, 'bob may not edit projects');
SELECT throws_ok($$SELECT migrate.revision_changed()$$, '42501', NULL, 'bob may not call the trigger function');
SELECT lives_ok($$SELECT * FROM migrate.history(NULL, 'tap_sec')$$, 'bob may read the history');
SELECT throws_ok($$SELECT * FROM migrate.verify('tap_sec')$$, '42501', NULL, 'but not verify() (checksums)');
RESET ROLE;

-- Role attributes are privileges too: a member of a CREATEROLE role, who
-- lacks CREATEROLE himself, cannot have that role run his body.
CREATE ROLE migrate_tap_deployer LOGIN CREATEROLE;
GRANT migrate_admin TO migrate_tap_deployer;
CREATE ROLE migrate_tap_dev LOGIN;
GRANT migrate_tap_deployer TO migrate_tap_dev;
SET ROLE migrate_tap_dev;
SELECT migrate.register('at1', 'ALTER ROLE migrate_tap_dev CREATEROLE', 'SELECT 1', project => 'tap_attr');
SET ROLE migrate_tap_deployer;
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tap_attr')$$, '42501', NULL,
	'a body is refused to a caller with role attributes its author lacks');
RESET ROLE;
SELECT is((SELECT rolcreaterole FROM pg_roles WHERE rolname = 'migrate_tap_dev'), false, 'and nothing was granted');

-- A target schema is trusted like a body: who set it, and who owns it.
CREATE TABLE public.tap_accounts (id int);
SELECT migrate.register('ts1', 'INSERT INTO tap_accounts VALUES (1)', 'DELETE FROM tap_accounts', project => 'tap_target');
SET ROLE migrate_tap_alice;
SELECT migrate.configure('tap_target', target_schema => 'tap_app');
RESET ROLE;
SELECT throws_like($$SELECT migrate.upgrade('head', 'tap_target')$$,
	'%the target schema of project "tap_target" was set by role "migrate_tap_alice"%',
	'a superuser does not run bodies under a search_path another role chose');
SELECT migrate.configure('tap_target', target_schema => 'tap_app');
SELECT throws_like($$SELECT migrate.upgrade('head', 'tap_target')$$,
	'%target schema "tap_app" of project "tap_target" is owned by role "migrate_tap_alice"%',
	'nor under a schema another role owns');
SELECT migrate.configure('tap_target', target_schema => 'tap_target_schema');
SELECT lives_ok($$SELECT migrate.upgrade('head', 'tap_target')$$, 'a missing target schema is created by the caller');
SELECT is((SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'tap_target_schema'),
	current_user::text, 'who owns it');

-- A migrator without CREATE on the database can use a target schema that exists.
CREATE SCHEMA tap_bill AUTHORIZATION migrate_tap_alice;
SET ROLE migrate_tap_alice;
SELECT migrate.register('bill1', 'CREATE TABLE invoices (id int)', 'DROP TABLE invoices', project => 'tap_bill');
SELECT migrate.configure('tap_bill', target_schema => 'tap_bill');
SELECT lives_ok($$SELECT migrate.upgrade('head', 'tap_bill')$$, 'a migrator runs a project whose target schema she owns');
SELECT has_table('tap_bill', 'invoices', 'the body created its table in the target schema');
RESET ROLE;

-- A hostile search_path: look-alike tables, functions and an = operator
-- that is always true, in a schema searched before pg_catalog.  The
-- extension's own queries must not touch any of it.
CREATE SCHEMA tap_evil;
CREATE TABLE tap_evil.called (what text);
CREATE TABLE tap_evil.version (project text, revision text);
CREATE TABLE tap_evil.revision (project text, id text);
CREATE TABLE tap_evil.project (name text);
CREATE FUNCTION tap_evil.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
	$$BEGIN INSERT INTO tap_evil.called VALUES ('='); RETURN true; END$$;
CREATE OPERATOR tap_evil.= (leftarg = text, rightarg = text, function = tap_evil.text_eq);
CREATE FUNCTION tap_evil.now() RETURNS timestamptz LANGUAGE plpgsql AS
	$$BEGIN INSERT INTO tap_evil.called VALUES ('now'); RETURN '2000-01-01'; END$$;
CREATE FUNCTION tap_evil.nextval(regclass) RETURNS bigint LANGUAGE plpgsql AS
	$$BEGIN INSERT INTO tap_evil.called VALUES ('nextval'); RETURN 1; END$$;
CREATE FUNCTION tap_evil.hashtext(text) RETURNS int LANGUAGE plpgsql AS
	$$BEGIN INSERT INTO tap_evil.called VALUES ('hashtext'); RETURN 1; END$$;

SET search_path = tap_evil, pg_catalog, public;
SELECT migrate.register('h1', 'CREATE TABLE public.h1 ()', 'DROP TABLE public.h1', project => 'tap_hostile');
SELECT migrate.register('h2', 'CREATE TABLE public.h2 ()', 'DROP TABLE public.h2', down_revision => 'h1', project => 'tap_hostile');
SELECT migrate.register('h1', 'CREATE TABLE public.h1 ()', 'DROP TABLE public.h1', project => 'tap_hostile');
SELECT migrate.register('z1', 'SELECT 1', project => 'tap_hostile_other');
SELECT migrate.upgrade('head', 'tap_hostile');
SELECT migrate.downgrade('-1', 'tap_hostile');
SELECT migrate.stamp('h2', 'tap_hostile');
SELECT migrate.configure('tap_hostile', lock_timeout => '1s');
SELECT * FROM migrate.current('tap_hostile');
SELECT * FROM migrate.history(NULL, 'tap_hostile');
SELECT * FROM migrate.verify('tap_hostile');
SELECT migrate.script('h2', 'base', 'tap_hostile');
RESET search_path;

SELECT is_empty($$SELECT * FROM tap_evil.called$$, 'no look-alike function or operator was called');
SELECT is_empty($$SELECT * FROM tap_evil.version UNION ALL SELECT * FROM tap_evil.revision$$,
	'no look-alike table was written');
SELECT results_eq($$SELECT * FROM migrate.current('tap_hostile')$$, ARRAY['h2'], 'the real state is right');
SELECT results_eq($$SELECT id FROM migrate.revision WHERE project = 'tap_hostile' ORDER BY seq$$,
	ARRAY['h1', 'h2'], 'the real revisions are right');
SELECT results_eq($$SELECT operation FROM migrate.log WHERE project = 'tap_hostile' ORDER BY id$$,
	ARRAY['upgrade', 'upgrade', 'downgrade', 'stamp'], 'the real log is right');
SELECT is((SELECT lock_timeout FROM migrate.project WHERE name = 'tap_hostile'), '1s'::interval,
	'configure() wrote the real project row');

SELECT * FROM finish();
ROLLBACK;
