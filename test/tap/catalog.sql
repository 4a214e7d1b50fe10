-- The catalog: tables, who may write them, who may call what.
\i test/tap/setup.inc
SELECT plan(31);

SELECT has_schema('migrate');
SELECT has_table('migrate', 'project', 'table migrate.project');
SELECT has_table('migrate', 'revision', 'table migrate.revision');
SELECT has_table('migrate', 'version', 'table migrate.version');
SELECT has_table('migrate', 'log', 'table migrate.log');
SELECT columns_are('migrate', 'revision', ARRAY[
	'project', 'id', 'down_revision', 'depends_on', 'branch_labels', 'message',
	'upgrade_sql', 'downgrade_sql', 'checksum', 'registered_by', 'registered_at', 'seq']);
SELECT columns_are('migrate', 'version', ARRAY['project', 'revision']);
SELECT columns_are('migrate', 'log', ARRAY[
	'id', 'project', 'revision', 'operation', 'heads_before', 'heads_after',
	'started_at', 'duration', 'role', 'backend_pid', 'txid', 'checksum']);
SELECT col_type_is('migrate', 'revision', 'down_revision', 'text[]', 'parents are an array');
SELECT col_is_pk('migrate', 'version', ARRAY['project', 'revision'], 'one row per applied head');

-- pg_dump keeps every catalog table (and the sequences behind them).
SELECT set_eq(
	$$SELECT c.relname::text FROM pg_extension e, unnest(e.extconfig) AS t(oid)
	   JOIN pg_class c ON c.oid = t.oid WHERE e.extname = 'migrate'$$,
	ARRAY['project', 'revision', 'version', 'log', 'seq', 'log_id_seq'],
	'every catalog table is registered with pg_extension_config_dump');

-- PUBLIC may read the state, but write nothing.
SELECT table_privs_are('migrate', 'revision', 'public', ARRAY[]::text[], 'PUBLIC has no rights on revision');
SELECT table_privs_are('migrate', 'version', 'public', ARRAY['SELECT'], 'PUBLIC may only read version');
SELECT table_privs_are('migrate', 'log', 'public', ARRAY[]::text[], 'PUBLIC may not read the log (it holds checksums)');
SELECT table_privs_are('migrate', 'log', 'migrate_admin', ARRAY['SELECT'], 'migrate_admin may read the log');
SELECT function_privs_are('migrate', 'show', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not call show() (it shows checksums)');
SELECT function_privs_are('migrate', 'verify', ARRAY['text'],
	'public', ARRAY[]::text[], 'PUBLIC may not call verify()');
SELECT table_privs_are('migrate', 'project', 'public', ARRAY['SELECT'], 'PUBLIC may only read project');

SELECT function_privs_are('migrate', 'register',
	ARRAY['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'boolean'],
	'public', ARRAY[]::text[], 'PUBLIC may not register');
SELECT function_privs_are('migrate', 'upgrade', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not upgrade');
SELECT function_privs_are('migrate', 'downgrade', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not downgrade');
SELECT function_privs_are('migrate', 'current', ARRAY['text'],
	'public', ARRAY['EXECUTE'], 'PUBLIC may read current()');

-- A role with no grants, trying every way in.
CREATE ROLE migrate_tap_nobody;
SET ROLE migrate_tap_nobody;
SELECT throws_ok($$SELECT migrate.register('x1', 'SELECT 1')$$, '42501', NULL,
	'register() is refused to PUBLIC');
SELECT throws_ok($$SELECT * FROM migrate.upgrade('head')$$, '42501', NULL,
	'upgrade() is refused to PUBLIC');
SELECT throws_ok($$SELECT * FROM migrate.downgrade('base')$$, '42501', NULL,
	'downgrade() is refused to PUBLIC');
SELECT throws_ok($$INSERT INTO migrate.version VALUES ('default', 'x1')$$, '42501', NULL,
	'PUBLIC cannot write version rows');
SELECT throws_ok($$UPDATE migrate.revision SET upgrade_sql = 'DROP TABLE x'$$, '42501', NULL,
	'PUBLIC cannot edit bodies');
SELECT throws_ok($$DELETE FROM migrate.log$$, '42501', NULL, 'PUBLIC cannot erase the log');
SELECT throws_ok($$SELECT * FROM migrate.log$$, '42501', NULL, 'PUBLIC cannot read the log');
SELECT throws_ok($$SELECT upgrade_sql FROM migrate.revision$$, '42501', NULL,
	'PUBLIC cannot read bodies');
SELECT lives_ok($$SELECT * FROM migrate.current()$$, 'PUBLIC can read current()');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
