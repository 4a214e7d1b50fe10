-- The catalog: tables, who may write them, who may call what.
\i test/pgtap/setup.inc
SELECT plan(67);

SELECT has_schema('migrate');
SELECT has_table('migrate', 'project', 'table migrate.project');
SELECT has_table('migrate', 'revision', 'table migrate.revision');
SELECT has_table('migrate', 'version', 'table migrate.version');
SELECT has_table('migrate', 'log', 'table migrate.log');
SELECT has_table('migrate', 'project_schema', 'table migrate.project_schema');
SELECT has_table('migrate', 'schema_state', 'table migrate.schema_state');
SELECT has_table('migrate', 'kept', 'table migrate.kept');
SELECT has_table('migrate', 'kept_row', 'table migrate.kept_row');
SELECT columns_are('migrate', 'kept', ARRAY[
	'id', 'project', 'revision', 'step', 'kind', 'table_schema', 'table_name', 'column_name',
	'columns', 'types', 'key_columns', 'key_types', 'rows', 'bytes', 'kept_at', 'kept_by', 'note']);
SELECT columns_are('migrate', 'revision', ARRAY[
	'project', 'id', 'down_revision', 'depends_on', 'branch_labels', 'message',
	'upgrade_sql', 'downgrade_sql', 'checksum', 'registered_by', 'registered_at', 'seq',
	'transactional']);
SELECT columns_are('migrate', 'version', ARRAY['project', 'revision']);
SELECT columns_are('migrate', 'log', ARRAY[
	'id', 'project', 'revision', 'operation', 'heads_before', 'heads_after',
	'started_at', 'duration', 'role', 'backend_pid', 'txid', 'checksum', 'error', 'left_behind']);
SELECT col_type_is('migrate', 'revision', 'down_revision', 'text[]', 'parents are an array');
SELECT col_is_pk('migrate', 'version', ARRAY['project', 'revision'], 'one row per applied head');

-- pg_dump keeps every catalog table (and the sequences behind them).
SELECT set_eq(
	$$SELECT c.relname::text FROM pg_extension e, unnest(e.extconfig) AS t(oid)
	   JOIN pg_class c ON c.oid = t.oid WHERE e.extname = 'migrate'$$,
	ARRAY['project', 'revision', 'version', 'log', 'seq', 'log_id_seq', 'project_schema', 'schema_state',
		  'kept', 'kept_id_seq', 'kept_row'],
	'every catalog table is registered with pg_extension_config_dump');

-- PUBLIC may read the state, but write nothing.
SELECT table_privs_are('migrate', 'revision', 'public', ARRAY[]::text[], 'PUBLIC has no rights on revision');
SELECT table_privs_are('migrate', 'version', 'public', ARRAY['SELECT'], 'PUBLIC may only read version');
SELECT table_privs_are('migrate', 'log', 'public', ARRAY[]::text[], 'PUBLIC may not read the log (it holds checksums)');
SELECT table_privs_are('migrate', 'log', 'migrate_admin', ARRAY['SELECT'], 'migrate_admin may read the log');
SELECT table_privs_are('migrate', 'schema_state', 'public', ARRAY[]::text[], 'PUBLIC may not read the recorded schema state');
SELECT table_privs_are('migrate', 'schema_state', 'migrate_admin', ARRAY['SELECT'], 'migrate_admin may read the recorded schema state');
SELECT table_privs_are('migrate', 'project_schema', 'migrate_admin', ARRAY['SELECT'], 'migrate_admin may read the schemas of projects');
-- kept rows may hold secrets
SELECT table_privs_are('migrate', 'kept_row', 'public', ARRAY[]::text[], 'PUBLIC may not read kept rows');
SELECT table_privs_are('migrate', 'kept', 'public', ARRAY[]::text[], 'PUBLIC may not read what is kept');
SELECT table_privs_are('migrate', 'kept_data', 'public', ARRAY[]::text[], 'PUBLIC may not read the kept_data view');
SELECT table_privs_are('migrate', 'kept_row', 'migrate_admin', ARRAY['SELECT'], 'migrate_admin may read kept rows, not write them');
SELECT function_privs_are('migrate', 'lint', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not lint (it runs bodies)');
SELECT function_privs_are('migrate', 'purge_kept', ARRAY['interval', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not purge kept data');
SELECT function_privs_are('migrate', 'configure', ARRAY['text', 'name', 'interval', 'interval', 'name', 'text[]', 'boolean'],
	'public', ARRAY[]::text[], 'PUBLIC may not configure');
SELECT function_privs_are('migrate', 'show', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not call show() (it shows checksums)');
SELECT function_privs_are('migrate', 'verify', ARRAY['text'],
	'public', ARRAY[]::text[], 'PUBLIC may not call verify()');
SELECT function_privs_are('migrate', 'revision_file', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not call revision_file() (it shows bodies)');
SELECT table_privs_are('migrate', 'project', 'public', ARRAY['SELECT'], 'PUBLIC may only read project');

SELECT function_privs_are('migrate', 'register',
	ARRAY['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'boolean', 'boolean'],
	'public', ARRAY[]::text[], 'PUBLIC may not register');
SELECT function_privs_are('migrate', 'upgrade', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not upgrade');
SELECT function_privs_are('migrate', 'downgrade', ARRAY['text', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not downgrade');
SELECT function_privs_are('migrate', 'adopt_alembic', ARRAY['regclass', 'text'],
	'public', ARRAY[]::text[], 'PUBLIC may not adopt an Alembic database');
SELECT function_privs_are('migrate', 'current', ARRAY['text'],
	'public', ARRAY['EXECUTE'], 'PUBLIC may read current()');

-- The indexes the C code opens by name are the install script's, by name.
SELECT index_is_primary('migrate', 'project', 'project_pkey', 'project_pkey is the primary key of project');
SELECT index_is_primary('migrate', 'revision', 'revision_pkey', 'revision_pkey is the primary key of revision');
SELECT index_is_primary('migrate', 'version', 'version_pkey', 'version_pkey is the primary key of version');
SELECT has_index('migrate', 'revision', 'revision_project_seq', ARRAY['project', 'seq'],
	'revision_project_seq indexes (project, seq)');
SELECT has_index('migrate', 'kept', 'kept_project_revision', ARRAY['project', 'revision'],
	'kept_project_revision indexes (project, revision)');

-- Every table, sequence and function of the extension says what it is for.
SELECT is_empty(
	$$SELECT pg_catalog.pg_describe_object(d.classid, d.objid, 0)
	  FROM pg_catalog.pg_depend d
	  WHERE d.refclassid = 'pg_extension'::regclass
		AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migrate')
		AND d.deptype = 'e'
		AND d.classid IN ('pg_class'::regclass, 'pg_proc'::regclass)
		AND pg_catalog.obj_description(d.objid, d.classid::regclass::text) IS NULL
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
						WHERE d.classid = 'pg_class'::regclass AND c.oid = d.objid
						  AND c.relkind NOT IN ('r', 'S', 'v'))
		AND NOT (d.classid = 'pg_class'::regclass
				 AND d.objid IN ('migrate.log_id_seq'::regclass, 'migrate.kept_id_seq'::regclass))$$,
	'every table, sequence and function of the extension has a comment');

-- migrate_admin: exactly the functions that change a project or show
-- bodies, beyond what PUBLIC has; reading bodies and the log; no writing.
SELECT set_eq(
	$$SELECT p.proname::text FROM pg_catalog.pg_proc p
	  WHERE p.pronamespace = 'migrate'::regnamespace AND p.prorettype <> 'trigger'::regtype
		AND has_function_privilege('migrate_admin', p.oid, 'EXECUTE')
		AND NOT has_function_privilege('public', p.oid, 'EXECUTE')$$,
	ARRAY['register', 'revision', 'merge', 'configure', 'upgrade', 'downgrade', 'stamp',
		  'apply', 'apply_downgrade',
		  'adopt_alembic', 'show', 'script', 'verify', 'trial', 'check_reversible',
		  'autogenerate', 'revision_file', 'lint', 'purge_kept'],
	'migrate_admin may run what changes a project or shows bodies');
SELECT set_eq(
	$$SELECT p.proname::text FROM pg_catalog.pg_proc p
	  WHERE p.pronamespace = 'migrate'::regnamespace AND p.prorettype <> 'trigger'::regtype
		AND has_function_privilege('public', p.oid, 'EXECUTE')$$,
	ARRAY['current', 'heads', 'bases', 'branches', 'history', 'pending', 'graph', 'project_status',
		  'fingerprint', 'fingerprint_hash', 'schema_fingerprint', 'compare_schemas', 'diff'],
	'PUBLIC may run the read-only views of the graph and of the catalogs');
SELECT table_privs_are('migrate', 'revision', 'migrate_admin', ARRAY['SELECT'], 'migrate_admin may read bodies, not write them');
CREATE ROLE migrate_tap_admin IN ROLE migrate_admin;
SET ROLE migrate_tap_admin;
SELECT throws_ok($$INSERT INTO migrate.version VALUES ('default', 'x1')$$, '42501', NULL,
	'a member of migrate_admin cannot write version rows by hand');
SELECT throws_ok($$UPDATE migrate.revision SET upgrade_sql = 'DROP TABLE x'$$, '42501', NULL,
	'a member of migrate_admin cannot edit bodies by hand');
SELECT throws_ok($$INSERT INTO migrate.kept_row VALUES (1, '(1)', '{x}')$$, '42501', NULL,
	'a member of migrate_admin cannot write kept rows, which a step would put back');
SELECT lives_ok($$SELECT migrate.register('adm1', 'SELECT 1', project => 'adm')$$,
	'a member of migrate_admin may register');
RESET ROLE;

-- The role is shared by the cluster's databases: DROP EXTENSION leaves
-- it, and CREATE EXTENSION finds it and grants to it again.
DROP EXTENSION migrate;
SELECT has_role('migrate_admin', 'migrate_admin survives DROP EXTENSION');
SELECT is_member_of('migrate_admin', 'migrate_tap_admin', 'and keeps its members');
CREATE EXTENSION migrate;
SELECT function_privs_are('migrate', 'upgrade', ARRAY['text', 'text'],
	'migrate_admin', ARRAY['EXECUTE'], 'CREATE EXTENSION grants to the existing migrate_admin again');
SELECT is((SELECT count(*)::int FROM pg_roles WHERE rolname = 'migrate_admin'), 1,
	'and does not create a second one');

-- A role with no grants, trying every way in.
SELECT migrate.configure('pub');
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
SELECT throws_ok($$SELECT migrate.revision_file('adm1', 'adm')$$, '42501', NULL,
	'PUBLIC cannot read bodies through revision_file()');
SELECT lives_ok($$SELECT * FROM migrate.current('pub')$$, 'PUBLIC can read current()');
SELECT lives_ok($$SELECT migrate.graph('pub', 'mermaid')$$, 'PUBLIC can draw the graph');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
