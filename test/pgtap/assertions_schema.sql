-- The migrate_tap assertions that compare schemas, passing and failing,
-- checked with check_test() as pgTAP checks its own.
\i test/pgtap/setup.inc
CREATE EXTENSION migrate_tap;
SELECT * FROM no_plan();

-- revisions_are_reversible
SELECT migrate.register('a1', 'CREATE TABLE tap_rv (id int PRIMARY KEY, v int)', 'DROP TABLE tap_rv', project => 'tap_rev');
SELECT migrate.register('a2', 'ALTER TABLE tap_rv ADD COLUMN w int', 'ALTER TABLE tap_rv DROP COLUMN w', down_revision => 'a1', project => 'tap_rev');
SELECT * FROM check_test(revisions_are_reversible('tap_rev'), true,
	'revisions_are_reversible(all good)', 'pending revisions of project "tap_rev" are reversible', '');
SELECT migrate.register('a3', 'CREATE INDEX tap_rv_v ON tap_rv (v)', 'SELECT 1', down_revision => 'a2', project => 'tap_rev');
SELECT migrate.register('a4', 'CREATE TABLE tap_rv_log (id int)', NULL, down_revision => 'a3', project => 'tap_rev');
SELECT migrate.register('a5', 'CREATE INDEX CONCURRENTLY tap_rv_w ON tap_rv (w)', 'DROP INDEX tap_rv_w', down_revision => 'a4', project => 'tap_rev');
SELECT * FROM check_test(revisions_are_reversible('tap_rev', 'downgrades work'), false,
	'revisions_are_reversible(a forgotten index, no downgrade)', 'downgrades work',
	E'    revision a3: schema_not_restored\n' ||
	E'        index public.tap_rv_v: only in after downgrade: CREATE INDEX tap_rv_v ON public.tap_rv USING btree (v)\n' ||
	E'        Upgrading again then failed (42P07): relation "tap_rv_v" already exists\n' ||
	E'    revision a4: no_downgrade\n' ||
	E'        Its downgrade body is NULL.\n' ||
	E'    revision a5 not checked: Its upgrade cannot run in a transaction: CREATE INDEX CONCURRENTLY cannot run inside a transaction block.');
SELECT is(to_regclass('tap_rv'), NULL, 'nothing stayed');
SELECT throws_ok($$SELECT revisions_are_reversible('tap_nothing')$$, '42704', 'project "tap_nothing" does not exist',
	'an unknown project is an error');

-- schema_matches: the migrations against the team's own DDL, in a schema
-- of its own.
CREATE SCHEMA tap_app;
CREATE SCHEMA tap_ref;
CREATE TABLE tap_ref.accounts (id int PRIMARY KEY, email text NOT NULL);
CREATE INDEX accounts_email ON tap_ref.accounts (email);
COMMENT ON TABLE tap_ref.accounts IS 'who pays';
SELECT migrate.configure('tap_schema', target_schema => 'tap_app');
SELECT migrate.register('s1', 'CREATE TABLE accounts (id int PRIMARY KEY, email text)', 'DROP TABLE accounts', project => 'tap_schema');
SELECT migrate.register('s2', 'CREATE INDEX accounts_email ON accounts (email)', 'DROP INDEX accounts_email',
	down_revision => 's1', project => 'tap_schema');
SELECT * FROM check_test(schema_matches('tap_schema', 'tap_ref'), false,
	'schema_matches(differs)', 'the migrations of project "tap_schema" build the schema of tap_ref',
	E'    column accounts.email:\n' ||
	E'        tap_app: text\n' ||
	E'        tap_ref: text NOT NULL\n' ||
	E'    comment table accounts: only in tap_ref: who pays');
SELECT is((SELECT count(*) FROM pg_tables WHERE schemaname = 'tap_app'), 0::bigint, 'the upgrade was rolled back');
SELECT migrate.register('s3', $$ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
	COMMENT ON TABLE accounts IS 'who pays'$$, 'SELECT 1', down_revision => 's2', project => 'tap_schema');
SELECT * FROM check_test(schema_matches('tap_schema', 'tap_ref', 'models match'), true,
	'schema_matches(equal)', 'models match', '');
SELECT * FROM check_test(schema_matches('tap_schema', 'tap_app', 'tap_ref', 'explicit'), true,
	'schema_matches(migrated schema named)', 'explicit', '');
SELECT lives_ok($$SELECT migrate.upgrade('s1', 'tap_schema')$$, 'partly applied');
SELECT * FROM check_test(schema_matches('tap_schema', 'tap_ref'), true, 'schema_matches(from the current state)');
SELECT results_eq($$SELECT * FROM migrate.current('tap_schema')$$, ARRAY['s1'], 'the version rows are as before');
SELECT migrate.register('s4', 'ALTER TABLE no_such_table ADD COLUMN x int', 'SELECT 1', down_revision => 's3', project => 'tap_schema');
SELECT * FROM check_test(schema_matches('tap_schema', 'tap_ref'), false,
	'schema_matches(the upgrade fails)', 'the migrations of project "tap_schema" build the schema of tap_ref',
	'    upgrading to heads failed (42P01): relation "no_such_table" does not exist');
SELECT migrate.register('o1', 'CREATE TABLE tap_other (id int)', 'DROP TABLE tap_other', project => 'tap_other');
SELECT * FROM check_test(schema_matches('tap_other', 'tap_nowhere', 'tap_ref', 'absent'), false,
	'schema_matches(the migrated schema is not built)', 'absent',
	'    comparing the schemas failed (42704): schema "tap_nowhere" does not exist');
SELECT throws_ok($$SELECT schema_matches('tap_schema', 'tap_missing')$$, '42704', 'schema "tap_missing" does not exist',
	'an unknown reference schema is an error');
SELECT throws_ok($$SELECT schema_matches('tap_none', 'tap_ref')$$, '42704', 'project "tap_none" does not exist',
	'an unknown project is an error');

SELECT * FROM finish();
ROLLBACK;
