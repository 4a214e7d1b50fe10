-- migrate.check_reversible(): graph shapes, what is compared, what stays.
\i test/pgtap/setup.inc
SELECT * FROM no_plan();

CREATE TABLE rv_base (id int PRIMARY KEY);

-- Branches, a merge, a dependency across branches and a second root: each
-- revision's downgrade target keeps the other branches applied, so every
-- revision is checked alone and passes.
SELECT migrate.register('g0', 'CREATE TABLE rv_g0 (id int)', 'DROP TABLE rv_g0', project => 'rv_graph');
SELECT migrate.register('l1', 'CREATE TABLE rv_l1 (id int)', 'DROP TABLE rv_l1', down_revision => 'g0', branch_labels => 'left', project => 'rv_graph');
SELECT migrate.register('r1', 'CREATE TABLE rv_r1 (id int)', 'DROP TABLE rv_r1', down_revision => 'g0', branch_labels => 'right', project => 'rv_graph');
SELECT migrate.register('l2', 'ALTER TABLE rv_l1 ADD COLUMN v int', 'ALTER TABLE rv_l1 DROP COLUMN v', down_revision => 'l1', project => 'rv_graph');
SELECT migrate.register('r2', 'CREATE VIEW rv_r2 AS SELECT * FROM rv_l1', 'DROP VIEW rv_r2', down_revision => 'r1', depends_on => 'l1', project => 'rv_graph');
SELECT migrate.register('m1', 'CREATE TABLE rv_m1 (id int)', 'DROP TABLE rv_m1', down_revision => 'l2, r2', project => 'rv_graph');
SELECT migrate.register('x1', 'CREATE SEQUENCE rv_x1', 'DROP SEQUENCE rv_x1', project => 'rv_graph');
SELECT migrate.register('x2', 'CREATE FUNCTION rv_x2() RETURNS int LANGUAGE sql AS $f$SELECT 1$f$', 'DROP FUNCTION rv_x2()',
	down_revision => 'x1', depends_on => 'm1', project => 'rv_graph');
SELECT results_eq(
	$$SELECT revision, ok, problem FROM migrate.check_reversible('rv_graph')$$,
	$$SELECT revision, true, NULL::text FROM migrate.pending('heads', 'rv_graph') ORDER BY step$$,
	'every revision of a graph with branches, a merge and dependencies passes, in upgrade order');
SELECT lives_ok($$SELECT migrate.upgrade('r1', 'rv_graph')$$, 'one branch applied');
SELECT results_eq(
	$$SELECT revision FROM migrate.check_reversible('rv_graph') WHERE ok$$,
	$$SELECT revision FROM migrate.pending('heads', 'rv_graph') ORDER BY step$$,
	'from a partly applied state, only what is pending');
SELECT results_eq($$SELECT * FROM migrate.current('rv_graph')$$, ARRAY['r1'], 'the version rows are as before');
SELECT is((SELECT count(*) FROM migrate.log WHERE project = 'rv_graph'), 2::bigint, 'the log is as before');

-- What a downgrade may forget, each in its own revision.
CREATE TEMP TABLE rv_catalog_before AS
	SELECT c.oid, c.relname, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%';
CREATE ROLE rv_reader;
SELECT migrate.register('f1', 'CREATE TABLE rv_f (id int, v int)', 'DROP TABLE rv_f', project => 'rv_forget');
SELECT migrate.register('f2', 'ALTER TABLE rv_f ADD CONSTRAINT rv_f_v CHECK (v > 0)', 'SELECT 1', down_revision => 'f1', project => 'rv_forget');
SELECT migrate.register('f3', 'GRANT UPDATE (v) ON rv_f TO rv_reader', 'SELECT 1', down_revision => 'f2', project => 'rv_forget');
SELECT migrate.register('f4', 'ALTER TABLE rv_f ALTER COLUMN v SET NOT NULL', 'SELECT 1', down_revision => 'f3', project => 'rv_forget');
SELECT migrate.register('f5', 'CREATE SCHEMA rv_side CREATE TABLE t (id int)', 'SELECT 1', down_revision => 'f4', project => 'rv_forget');
SELECT migrate.register('f6', 'ALTER TABLE rv_f ALTER COLUMN v TYPE bigint', 'SELECT 1', down_revision => 'f5', project => 'rv_forget');
SELECT migrate.register('f7', 'CREATE TABLE rv_f7 (id int)', 'DROP TABLE rv_f7', down_revision => 'f6', project => 'rv_forget');
SELECT results_eq(
	$$SELECT revision, ok, problem FROM migrate.check_reversible('rv_forget')$$,
	$$VALUES ('f1', true, NULL), ('f2', false, 'schema_not_restored'), ('f3', false, 'schema_not_restored'),
	         ('f4', false, 'schema_not_restored'), ('f5', false, 'schema_not_restored'),
	         ('f6', false, 'schema_not_restored'), ('f7', true, NULL)$$,
	'a constraint, a column privilege, NOT NULL, a schema with a table, a column type: each flagged on its revision');
SELECT matches((SELECT detail FROM migrate.check_reversible('rv_forget') WHERE revision = 'f6'),
	'rv_f\.v', 'the detail names the column that differs');

-- A downgrade that leaves the version rows wrong (a superuser's body may
-- write them) is flagged too.
SELECT migrate.register('v1', 'CREATE TABLE rv_v1 (id int)', 'DROP TABLE rv_v1', project => 'rv_rows');
SELECT migrate.register('v2', 'SELECT 1', $$INSERT INTO migrate.version VALUES ('rv_rows', 'zz')$$, down_revision => 'v1', project => 'rv_rows');
SELECT results_eq(
	$$SELECT revision, ok, problem, split_part(detail, E'\n', 1) FROM migrate.check_reversible('rv_rows') WHERE revision = 'v2'$$,
	$$VALUES ('v2', false, 'version_rows_not_restored', 'Before the upgrade: {v1}; after the downgrade: {v1, zz}.')$$,
	'version rows are compared');

-- Nothing stayed, anywhere.
SELECT set_eq(
	$$SELECT c.oid, c.relname, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'$$,
	$$SELECT * FROM rv_catalog_before$$,
	'the same relations with the same relfilenodes as before');
SELECT is(to_regnamespace('rv_side'), NULL, 'no schema left');
SELECT is(current_setting('client_min_messages'), 'warning', 'the caller''s message level is as before');

-- Non-transactional revisions, and bodies that cannot run in a transaction
-- although registered as transactional: not checked, stamped over.
SELECT migrate.register('n1', 'CREATE TABLE rv_n1 (id int)', 'DROP TABLE rv_n1', project => 'rv_nontx');
SELECT migrate.register('n2', 'CREATE INDEX CONCURRENTLY rv_n2 ON rv_n1 (id)', 'DROP INDEX rv_n2', down_revision => 'n1', project => 'rv_nontx',
	transactional => false);
SELECT migrate.register('n3', 'VACUUM rv_n1', 'SELECT 1', down_revision => 'n2', project => 'rv_nontx');
SELECT migrate.register('n4', 'CREATE TABLE rv_n4 (id int)', 'DROP TABLE rv_n4', down_revision => 'n3', project => 'rv_nontx');
SELECT results_eq(
	$$SELECT revision, ok, problem, detail FROM migrate.check_reversible('rv_nontx')$$,
	$$VALUES ('n1', true, NULL, NULL),
	         ('n2', NULL, 'not_checked', 'It is a non-transactional revision, which CALL migrate.apply() runs outside any transaction.'),
	         ('n3', NULL, 'not_checked', 'Its upgrade cannot run in a transaction: VACUUM cannot run inside a transaction block.'),
	         ('n4', true, NULL, NULL)$$,
	'non-transactional revisions are not checked, and the check goes on');

-- A cancel ends the check; it is not a revision's result.
SELECT migrate.register('q1', 'SELECT pg_sleep(5)', 'SELECT 1', project => 'rv_cancel');
CREATE FUNCTION pg_temp.check_error(project text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM * FROM migrate.check_reversible(project);
	RETURN 'no error';
EXCEPTION WHEN query_canceled THEN
	RETURN SQLSTATE;
END
$$;
SET LOCAL statement_timeout = '200ms';
SELECT is(pg_temp.check_error('rv_cancel'), '57014', 'statement_timeout ends the check');
RESET statement_timeout;

-- Bodies may not start a check or a trial; who may check.
SELECT migrate.register('z1', $$SELECT * FROM migrate.trial('head', 'rv_cancel')$$, 'SELECT 1', project => 'rv_nested');
SELECT results_eq($$SELECT problem, detail FROM migrate.check_reversible('rv_nested')$$,
	$$VALUES ('upgrade_failed', 'failed (55006): migrate.trial() cannot be called from a revision body')$$,
	'a body calling trial() fails its upgrade');
SELECT migrate.register('z2', $$SELECT * FROM migrate.check_reversible('rv_cancel')$$, 'SELECT 1', project => 'rv_nested2');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'rv_nested2')$$, '55006',
	'migrate.check_reversible() cannot be called from a revision body', 'a body calling check_reversible()');
SELECT throws_ok($$SELECT * FROM migrate.check_reversible('rv_none')$$, '42704',
	'project "rv_none" does not exist', 'an unknown project');
CREATE ROLE rv_tester;
GRANT EXECUTE ON FUNCTION migrate.check_reversible(text), migrate.upgrade(text, text) TO rv_tester;
SET ROLE rv_tester;
SELECT throws_ok($$SELECT * FROM migrate.check_reversible('rv_graph')$$, '42501',
	'permission denied for function migrate.downgrade(text,text)', 'checking needs the right to downgrade too');
RESET ROLE;
SELECT function_privs_are('migrate', 'check_reversible', ARRAY['text'], 'migrate_admin', ARRAY['EXECUTE'],
	'migrate_admin may run check_reversible()');
SELECT function_privs_are('migrate', 'check_reversible', ARRAY['text'], 'public', ARRAY[]::text[],
	'PUBLIC may not');

SELECT * FROM finish();
ROLLBACK;
