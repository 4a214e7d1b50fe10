-- migrate.trial(): steps, locks and rewrites, as tables; nothing stays.
\i test/pgtap/setup.inc
SELECT * FROM no_plan();

CREATE TABLE tk_orders (id int PRIMARY KEY, amount int, note text);
INSERT INTO tk_orders SELECT g, g, 'n' || g FROM generate_series(1, 200) g;
CREATE INDEX tk_orders_amount ON tk_orders (amount);
CREATE TABLE "TK Items" (id int PRIMARY KEY);
CREATE SCHEMA tk_other;
CREATE TABLE tk_other.ledger (id int);

-- Branches, a merge and a dependency: the trial runs what pending() lists,
-- one step each, in the same order, and every step succeeds (a wrong
-- version row would make a later step fail or run more than one revision).
SELECT migrate.register('b0', 'SELECT 1', 'SELECT 1', project => 'tk_graph');
SELECT migrate.register('l1', 'CREATE TABLE tk_l1 ()', 'DROP TABLE tk_l1', down_revision => 'b0', branch_labels => 'left', project => 'tk_graph');
SELECT migrate.register('r1', 'CREATE TABLE tk_r1 ()', 'DROP TABLE tk_r1', down_revision => 'b0', branch_labels => 'right', project => 'tk_graph');
SELECT migrate.register('r2', 'CREATE TABLE tk_r2 ()', 'DROP TABLE tk_r2', down_revision => 'r1', depends_on => 'l1', project => 'tk_graph');
SELECT migrate.register('m1', 'SELECT 1', 'SELECT 1', down_revision => 'l1, r2', project => 'tk_graph');
SELECT migrate.register('x1', 'CREATE TABLE tk_x1 ()', 'DROP TABLE tk_x1', project => 'tk_graph');
SELECT results_eq(
	$$SELECT step, revision, operation FROM migrate.trial('heads', 'tk_graph')$$,
	$$SELECT step, revision, 'upgrade' FROM migrate.pending('heads', 'tk_graph')$$,
	'trial(heads) runs the steps pending(heads) lists, in order, each as one upgrade');
SELECT results_eq(
	$$SELECT revision FROM migrate.trial('right@head', 'tk_graph')$$,
	$$SELECT revision FROM migrate.pending('right@head', 'tk_graph')$$,
	'a branch target');
SELECT lives_ok($$SELECT migrate.upgrade('l1', 'tk_graph')$$, 'one branch applied');
SELECT results_eq(
	$$SELECT revision FROM migrate.trial('heads', 'tk_graph')$$,
	$$SELECT revision FROM migrate.pending('heads', 'tk_graph')$$,
	'from a partly applied state');
SELECT results_eq($$SELECT * FROM migrate.current('tk_graph')$$, ARRAY['l1'], 'the version rows are as before');
SELECT is((SELECT count(*) FROM migrate.log WHERE project = 'tk_graph'), 2::bigint, 'the log is as before');
SELECT is(to_regclass('tk_r2'), NULL, 'tables created by the trial are gone');

-- Locks: every lock a step holds at its end, on relations that existed
-- before the trial, strongest first; those an earlier step or the caller
-- already held included.
SELECT migrate.register('k1', 'ALTER TABLE tk_orders ADD COLUMN flag boolean', 'ALTER TABLE tk_orders DROP COLUMN flag', project => 'tk_locks');
SELECT migrate.register('k2', 'ALTER TABLE tk_orders ADD COLUMN flag2 boolean', 'ALTER TABLE tk_orders DROP COLUMN flag2', down_revision => 'k1', project => 'tk_locks');
SELECT migrate.register('k3', 'UPDATE tk_orders SET note = note WHERE id = 1; SELECT count(*) FROM "TK Items"', 'SELECT 1', down_revision => 'k2', project => 'tk_locks');
SELECT migrate.register('k4', $body$DO $do$ BEGIN
		BEGIN
			LOCK TABLE tk_other.ledger IN SHARE ROW EXCLUSIVE MODE;
		EXCEPTION WHEN others THEN NULL;
		END;
	END $do$$body$, 'SELECT 1', down_revision => 'k3', project => 'tk_locks');
SELECT migrate.register('k5', $body$DO $do$ BEGIN
		BEGIN
			LOCK TABLE tk_other.ledger IN EXCLUSIVE MODE;
			RAISE division_by_zero;
		EXCEPTION WHEN division_by_zero THEN NULL;
		END;
	END $do$$body$, 'SELECT 1', down_revision => 'k4', project => 'tk_locks');
SELECT migrate.register('k6', 'ALTER TABLE tk_orders RENAME TO tk_orders_renamed', 'ALTER TABLE tk_orders_renamed RENAME TO tk_orders', down_revision => 'k5', project => 'tk_locks');
SELECT migrate.register('k7', 'CREATE TABLE tk_new (id int); INSERT INTO tk_new VALUES (1); LOCK tk_new', 'DROP TABLE tk_new', down_revision => 'k6', project => 'tk_locks');
SELECT results_eq(
	$$SELECT revision, locks FROM migrate.trial('head', 'tk_locks')$$,
	$$VALUES ('k1', ARRAY['AccessExclusiveLock on public.tk_orders']),
	         ('k2', ARRAY['AccessExclusiveLock on public.tk_orders']),
	         ('k3', ARRAY['RowExclusiveLock on public.tk_orders', 'RowExclusiveLock on public.tk_orders_amount',
	                      'RowExclusiveLock on public.tk_orders_pkey', 'AccessShareLock on public."TK Items"',
	                      'AccessShareLock on public."TK Items_pkey"']),
	         ('k4', ARRAY['ShareRowExclusiveLock on tk_other.ledger']),
	         ('k5', '{}'::text[]),
	         ('k6', ARRAY['AccessExclusiveLock on public.tk_orders']),
	         ('k7', '{}'::text[])$$,
	'locks per step: re-taken modes, quoted names, other schemas, committed exception blocks; not rolled-back ones, not new relations; names from before the trial');
SELECT is((SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'tk_other.ledger'::regclass), 1::bigint,
	'the caller keeps only its own lock (it created the table)');

-- Rewrites: a new relfilenode, for tables and indexes that existed.
SELECT migrate.register('w1', 'REINDEX INDEX tk_orders_amount', 'SELECT 1', project => 'tk_rewrites');
SELECT migrate.register('w2', 'ALTER TABLE tk_orders ALTER COLUMN amount TYPE bigint', 'SELECT 1', down_revision => 'w1', project => 'tk_rewrites');
SELECT migrate.register('w3', 'TRUNCATE "TK Items"', 'SELECT 1', down_revision => 'w2', project => 'tk_rewrites');
SELECT migrate.register('w4', 'ALTER TABLE tk_orders ADD COLUMN plain int', 'SELECT 1', down_revision => 'w3', project => 'tk_rewrites');
SELECT migrate.register('w5', 'CLUSTER tk_orders USING tk_orders_pkey', 'SELECT 1', down_revision => 'w4', project => 'tk_rewrites');
SELECT migrate.register('w6', 'DROP TABLE tk_other.ledger', 'SELECT 1', down_revision => 'w5', project => 'tk_rewrites');
SELECT migrate.register('w7', 'DROP INDEX tk_orders_amount', 'SELECT 1', down_revision => 'w6', project => 'tk_rewrites');
SELECT results_eq(
	$$SELECT revision, rewrites FROM migrate.trial('head', 'tk_rewrites')$$,
	$$VALUES ('w1', ARRAY['public.tk_orders_amount']),
	         ('w2', ARRAY['public.tk_orders', 'public.tk_orders_amount', 'public.tk_orders_pkey']),
	         ('w3', ARRAY['public."TK Items"', 'public."TK Items_pkey"']),
	         ('w4', '{}'::text[]),
	         ('w5', ARRAY['public.tk_orders', 'public.tk_orders_amount', 'public.tk_orders_pkey']),
	         ('w6', '{}'::text[]),
	         ('w7', '{}'::text[])$$,
	'rewrites per step: reindex, type change (its index rebuilt under a new oid), truncate, cluster; not a plain ADD COLUMN, not a drop');
SELECT results_eq($$SELECT locks FROM migrate.trial('head', 'tk_rewrites') WHERE revision = 'w7'$$,
	$$VALUES (ARRAY['AccessExclusiveLock on public.tk_orders', 'AccessExclusiveLock on public.tk_orders_amount'])$$,
	'an index rebuilt under a new oid is still an existing relation for the steps after');
SELECT is((SELECT data_type FROM information_schema.columns WHERE table_name = 'tk_orders' AND column_name = 'amount'),
	'integer', 'the column type is as before');

-- Locks on relations that earlier steps created are reported apart
-- (locks_on_new), whichever step made them; what a step makes itself is in
-- neither column.  Names are those at the end of the step that made the
-- relation; an index rebuilt under a new oid counts from the step that
-- rebuilt it; rewrites follow only what existed before the trial.
SELECT migrate.register('p1', 'CREATE TABLE tk_p1 (id int PRIMARY KEY, v int); CREATE INDEX tk_p1_v ON tk_p1 (v)',
	'DROP TABLE tk_p1', project => 'tk_new');
SELECT migrate.register('p2', 'CREATE TABLE tk_p2 (id int); LOCK tk_p2', 'DROP TABLE tk_p2', down_revision => 'p1', project => 'tk_new');
SELECT migrate.register('p3', 'CREATE INDEX tk_p1_id_v ON tk_p1 (id, v)', 'DROP INDEX tk_p1_id_v', down_revision => 'p2', project => 'tk_new');
SELECT migrate.register('p4', 'ALTER TABLE tk_p1 ALTER COLUMN v TYPE bigint; ALTER TABLE tk_p2 RENAME TO tk_p2_renamed', 'SELECT 1',
	down_revision => 'p3', project => 'tk_new');
SELECT migrate.register('p5', 'DROP INDEX tk_p1_v; DROP TABLE tk_p2_renamed; UPDATE tk_orders SET note = note WHERE id = 1', 'SELECT 1',
	down_revision => 'p4', project => 'tk_new');
SELECT results_eq(
	$$SELECT revision, locks, locks_on_new FROM migrate.trial('head', 'tk_new') WHERE revision <> 'p4'$$,
	$$VALUES ('p1', '{}'::text[], '{}'::text[]),
	         ('p2', '{}', '{}'),
	         ('p3', '{}', ARRAY['ShareLock on public.tk_p1']),
	         ('p5', ARRAY['RowExclusiveLock on public.tk_orders', 'RowExclusiveLock on public.tk_orders_amount',
	                      'RowExclusiveLock on public.tk_orders_pkey'],
	                ARRAY['AccessExclusiveLock on public.tk_p1', 'AccessExclusiveLock on public.tk_p1_v',
	                      'AccessExclusiveLock on public.tk_p2'])$$,
	'locks on relations earlier steps made, apart from those on relations that existed; not those on a step''s own; names as made; a rebuilt index');
SELECT ok((SELECT locks = '{}' AND rewrites = '{}'
				  AND locks_on_new @> ARRAY['AccessExclusiveLock on public.tk_p1', 'AccessExclusiveLock on public.tk_p1_id_v',
											'AccessExclusiveLock on public.tk_p1_v', 'AccessExclusiveLock on public.tk_p2']
			 FROM migrate.trial('head', 'tk_new') WHERE revision = 'p4'),
	'a type change and a rename of relations earlier steps made: locks_on_new, not rewrites');

-- A project with a target schema: bodies run there, names are qualified.
SELECT migrate.configure('tk_schema', target_schema => 'tk_other');
SELECT migrate.register('t1', 'ALTER TABLE ledger ADD COLUMN v int DEFAULT 1', 'SELECT 1', project => 'tk_schema');
SELECT results_eq($$SELECT locks FROM migrate.trial('head', 'tk_schema')$$,
	$$VALUES (ARRAY['AccessExclusiveLock on tk_other.ledger'])$$, 'a target schema');

-- Non-transactional revisions (registered with transactional => false) are
-- reported and not run, and the trial goes on past them.
SELECT migrate.register('n1', 'CREATE TABLE tk_n1 ()', 'DROP TABLE tk_n1', project => 'tk_nontx');
SELECT migrate.register('n2', 'CREATE TABLE tk_n2 ()', 'DROP TABLE tk_n2', down_revision => 'n1', project => 'tk_nontx',
	transactional => false);
SELECT migrate.register('n3', 'CREATE TABLE tk_n3 (); SELECT 1 FROM tk_n2', 'DROP TABLE tk_n3', down_revision => 'n2', project => 'tk_nontx');
SELECT results_eq(
	$$SELECT revision, operation, locks IS NULL FROM migrate.trial('head', 'tk_nontx')$$,
	$$VALUES ('n1', 'upgrade', false), ('n2', 'not run: non-transactional revision', true),
	         ('n3', 'failed (42P01): relation "tk_n2" does not exist', true)$$,
	'a non-transactional revision is not run; the next step runs without it');

-- A statement that cannot run in a transaction, in a revision registered
-- as transactional, is reported the same way, and the trial goes on.
SELECT migrate.register('c1', 'CREATE INDEX CONCURRENTLY tk_c1 ON tk_orders (note)', 'DROP INDEX tk_c1', project => 'tk_cic');
SELECT migrate.register('c2', 'VACUUM tk_orders', 'SELECT 1', down_revision => 'c1', project => 'tk_cic');
SELECT migrate.register('c3', 'CREATE INDEX tk_c3 ON tk_orders (note)', 'DROP INDEX tk_c3', down_revision => 'c2', project => 'tk_cic');
SELECT results_eq(
	$$SELECT revision, operation, locks FROM migrate.trial('head', 'tk_cic')$$,
	$$VALUES ('c1', 'not run: CREATE INDEX CONCURRENTLY cannot run inside a transaction block', NULL),
	         ('c2', 'not run: VACUUM cannot run inside a transaction block', NULL),
	         ('c3', 'upgrade', ARRAY['ShareLock on public.tk_orders'])$$,
	'CREATE INDEX CONCURRENTLY and VACUUM: not run, and the trial goes on');
SELECT is(to_regclass('tk_c3'), NULL, 'nothing stayed');

-- The caller's transaction goes on normally, and a second trial sees the
-- same.
SELECT results_eq($$SELECT revision, locks FROM migrate.trial('head', 'tk_cic')$$,
	$$SELECT revision, locks FROM migrate.trial('head', 'tk_cic')$$, 'the same twice');
SAVEPOINT sp;
SELECT lives_ok($$SELECT * FROM migrate.trial('head', 'tk_cic')$$, 'inside a savepoint');
ROLLBACK TO SAVEPOINT sp;
SELECT is((SELECT count(*) FROM tk_orders), 200::bigint, 'the transaction is usable');

-- A body's error becomes its row, and its context is not lost on the
-- caller: the statement after the trial runs.
SELECT migrate.register('e1', 'SELECT 1/0', 'SELECT 1', project => 'tk_err');
SELECT results_eq($$SELECT operation FROM migrate.trial('head', 'tk_err')$$,
	ARRAY['failed (22012): division by zero'], 'a failing body');

-- A cancel is not a step's result: it ends the trial.
SELECT migrate.register('q1', 'SELECT pg_sleep(5)', 'SELECT 1', project => 'tk_cancel');
CREATE FUNCTION pg_temp.trial_error(project text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM * FROM migrate.trial('head', project);
	RETURN 'no error';
EXCEPTION WHEN query_canceled THEN
	RETURN SQLSTATE;
END
$$;
SET LOCAL statement_timeout = '200ms';
SELECT is(pg_temp.trial_error('tk_cancel'), '57014', 'statement_timeout ends the trial');
RESET statement_timeout;

-- Refused: nested in a body; without the right to upgrade.
SELECT migrate.register('z1', $$SELECT * FROM migrate.trial('head', 'tk_err')$$, project => 'tk_nested');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tk_nested')$$, '55006',
	'migrate.trial() cannot be called from a revision body', 'a body calling trial()');
CREATE ROLE tk_tester;
GRANT EXECUTE ON FUNCTION migrate.trial(text, text) TO tk_tester;
SET ROLE tk_tester;
SELECT throws_ok($$SELECT * FROM migrate.trial('head', 'tk_err')$$, '42501', 'permission denied for function migrate.upgrade(text,text)',
	'EXECUTE on trial() alone does not give the right to upgrade');
RESET ROLE;
SELECT function_privs_are('migrate', 'trial', ARRAY['text', 'text'], 'migrate_admin', ARRAY['EXECUTE'],
	'migrate_admin may run trial()');
SELECT function_privs_are('migrate', 'trial', ARRAY['text', 'text'], 'public', ARRAY[]::text[],
	'PUBLIC may not');

SELECT * FROM finish();
ROLLBACK;
