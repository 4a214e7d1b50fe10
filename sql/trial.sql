--
-- migrate.trial(): what a deploy would run, with the locks each step takes
-- on tables that already exist and the tables it rewrites, all rolled back.
--
-- Durations vary from run to run, so the transcript leaves them out.
--
SET migrate.project = 'shop';

-- A table with rows, as production has it.
CREATE TABLE orders (id int PRIMARY KEY, amount numeric NOT NULL);
INSERT INTO orders SELECT g, g * 10 FROM generate_series(1, 1000) g;
CREATE TABLE customers (id int PRIMARY KEY, name text);

SELECT migrate.register('s1', 'ALTER TABLE orders ADD COLUMN noise float8 DEFAULT random()',
	'ALTER TABLE orders DROP COLUMN noise', message => 'volatile default');
SELECT migrate.register('s2', 'CREATE INDEX orders_amount ON orders (amount)',
	'DROP INDEX orders_amount', down_revision => 's1', message => 'index amount');
SELECT migrate.register('s3', 'CREATE INDEX CONCURRENTLY orders_noise ON orders (noise)',
	'DROP INDEX orders_noise', down_revision => 's2', message => 'index noise');
SELECT migrate.register('s4', $$CREATE TABLE order_audit AS SELECT id FROM orders;
	ALTER TABLE order_audit ADD PRIMARY KEY (id)$$,
	'DROP TABLE order_audit', down_revision => 's3', message => 'audit table');
SELECT migrate.register('s5', 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0)',
	'ALTER TABLE orders DROP CONSTRAINT amount_positive', down_revision => 's4', message => 'check amount');
SELECT migrate.register('s6', $$UPDATE customers SET name = upper(name);
	ALTER TABLE customers ALTER COLUMN name SET STATISTICS 500$$,
	'SELECT 1', down_revision => 's5', message => 'touch customers');

SELECT oid AS orders_oid, relfilenode AS orders_filenode FROM pg_class WHERE relname = 'orders' \gset
SELECT count(*) AS log_rows FROM migrate.log \gset

-- One row per step.  s1 rewrites orders (a volatile default is computed for
-- every row) and its primary key, under ACCESS EXCLUSIVE; s2 blocks writes
-- with a SHARE lock; s3 cannot run in a transaction, and is reported as
-- such; s4 reads orders and creates a new table, which is not an existing
-- relation; s5 takes ACCESS EXCLUSIVE on orders again, which s1 already
-- holds, and is reported all the same.
SELECT step, revision, operation, duration >= '0' AS timed, locks, rewrites
  FROM migrate.trial();

-- Nothing of it stayed: no version row, no log row, no column, no table,
-- the same relfilenode.
SELECT * FROM migrate.current();
SELECT count(*) - :log_rows AS new_log_rows FROM migrate.log;
SELECT attname FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0 ORDER BY attnum;
SELECT to_regclass('order_audit') AS order_audit, to_regclass('orders_amount') AS orders_amount;
SELECT relfilenode = :orders_filenode AS same_filenode FROM pg_class WHERE oid = :orders_oid;

-- Locks the caller's transaction holds already are reported for the steps
-- that take them too, and the caller keeps only its own afterwards.
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
SELECT step, revision, locks FROM migrate.trial('s2');
SELECT mode FROM pg_locks WHERE relation = 'orders'::regclass AND pid = pg_backend_pid();
ROLLBACK;

-- From the current state: after s1 is applied, the trial starts at s2.
SELECT revision FROM migrate.upgrade('s1');
SELECT step, revision, operation, locks, rewrites FROM migrate.trial('s2');
SELECT * FROM migrate.current();

-- A relation an earlier step created did not exist before the trial, but
-- it does before the step: a deploy that commits each revision, or ships
-- them in separate releases, takes the step's locks on a table in use.
-- Those locks are reported apart, in locks_on_new; what a step creates
-- itself is in neither column.  f2 indexes the table f1 made (SHARE) and
-- makes a table of its own with an index; f3 adds a column to f1's table
-- (ACCESS EXCLUSIVE) and writes orders, which existed before.
SELECT migrate.register('f1', 'CREATE TABLE fresh (id int PRIMARY KEY, v int)',
	'DROP TABLE fresh', project => 'fresh');
SELECT migrate.register('f2', 'CREATE INDEX fresh_v ON fresh (v);
	CREATE TABLE fresh_log (id int); CREATE INDEX ON fresh_log (id)',
	'DROP TABLE fresh_log; DROP INDEX fresh_v', down_revision => 'f1', project => 'fresh');
SELECT migrate.register('f3', 'ALTER TABLE fresh ADD COLUMN w int; UPDATE orders SET amount = amount WHERE id = 1',
	'ALTER TABLE fresh DROP COLUMN w',
	down_revision => 'f2', project => 'fresh');
SELECT step, revision, locks, locks_on_new, rewrites FROM migrate.trial('head', 'fresh');
SELECT to_regclass('fresh') AS fresh;

-- run; nothing stays.
SELECT migrate.register('s7', 'INSERT INTO orders (id, amount) VALUES (1, 1)',
	'SELECT 1', down_revision => 's6', message => 'duplicate key');
SELECT migrate.register('s8', 'DROP TABLE customers', 'SELECT 1', down_revision => 's7');
SELECT step, revision, operation, locks FROM migrate.trial();
SELECT * FROM migrate.current();
SELECT to_regclass('customers') AS customers;

-- Nothing pending: no rows.
SELECT migrate.register('d1', 'CREATE TABLE done ()', 'DROP TABLE done', project => 'done');
SELECT revision FROM migrate.upgrade('head', 'done');
SELECT * FROM migrate.trial('head', 'done');

-- Errors.
SELECT * FROM migrate.trial('head', 'no_such_project');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.trial('zz9');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.trial(NULL);
\echo :LAST_ERROR_SQLSTATE

-- A body may not start a trial: it would run and roll back bodies inside
-- the run that is under way.
SELECT migrate.register('n1', $$SELECT * FROM migrate.trial('head', 'shop')$$, project => 'nested');
SELECT * FROM migrate.upgrade('head', 'nested');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.trial('head', 'nested');

-- What a rollback does not undo by itself is put back: a session-level
-- advisory lock a body took (here on the lock key of another project,
-- which would block that project for the rest of the session), a statement
-- it prepared; a lock of the caller's that a body released is taken again.
-- Settings, cursors (even WITH HOLD) and LISTEN go with the rollback.
SELECT pg_advisory_lock(7);
PREPARE caller_statement AS SELECT 1;
SELECT migrate.register('t1', $$
    SELECT pg_advisory_lock(1835624306, hashtext('shop'));
    SELECT pg_advisory_lock(42), pg_advisory_lock(42), pg_advisory_lock_shared(43);
    SELECT pg_advisory_unlock(7);
    PREPARE left_behind AS SELECT 2;
    DECLARE held CURSOR WITH HOLD FOR SELECT 3;
    SET work_mem = '77MB';
    LISTEN trial_channel;
    CREATE TABLE session_effects ()
$$, 'DROP TABLE session_effects', project => 'session');
SELECT step, revision, operation FROM migrate.trial('head', 'session');
SELECT objid, mode, granted FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY objid, mode;
SELECT name FROM pg_prepared_statements ORDER BY name;
SELECT name FROM pg_cursors;
SHOW work_mem;
SELECT pg_listening_channels();
SELECT to_regclass('session_effects');
-- check_reversible() too, whichever way a body goes
SELECT migrate.register('r1', $$SELECT pg_advisory_lock(44); CREATE TABLE session_r1 ()$$,
	$$PREPARE prepared_by_downgrade AS SELECT 4; DROP TABLE session_r1$$, project => 'session_reversible');
SELECT revision, ok, problem FROM migrate.check_reversible('session_reversible');
SELECT objid, mode, granted FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY objid, mode;
SELECT name FROM pg_prepared_statements ORDER BY name;
-- the caller's lock on 7 is held once, as before: one unlock frees it
SELECT pg_advisory_unlock(7);
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
-- a statement of the caller's that a body deallocated cannot be put back:
-- a warning names it
SELECT pg_advisory_lock(7);
SELECT migrate.register('t2', 'DEALLOCATE caller_statement', 'SELECT 1',
	down_revision => 't1', project => 'session');
SELECT step, revision, operation FROM migrate.trial('head', 'session');
SELECT name FROM pg_prepared_statements ORDER BY name;
SELECT pg_advisory_unlock_all();

-- trial() runs bodies: it is for migrators.
CREATE ROLE trial_reader;
SET ROLE trial_reader;
SELECT * FROM migrate.trial();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE trial_reader;
DROP TABLE orders, customers;
