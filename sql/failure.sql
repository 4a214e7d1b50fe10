--
-- A body that fails leaves nothing of the run, and the error names the
-- revision.  What failed is written down where the rollback cannot take it
-- (a log row committed on its own), so that a deploy script can read it
-- afterwards from migrate.log or migrate.status.
--
SET migrate.project = 'fail';
SELECT migrate.register('f1', 'CREATE TABLE f1 (id int)', 'DROP TABLE f1', message => 'make f1');
SELECT migrate.register('f2', 'CREATE TABLE f2 (id int); INSERT INTO f2 VALUES (1 / 0)',
	'DROP TABLE f2', down_revision => 'f1', message => 'divide by zero');

SELECT * FROM migrate.upgrade('head');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('f1') AS f1, to_regclass('f2') AS f2;
SELECT count(*) AS version_rows FROM migrate.version WHERE project = 'fail';
SELECT revision, operation, heads_before, heads_after, error, backend_pid = pg_backend_pid() AS mine
  FROM migrate.log WHERE project = 'fail';
SELECT project, last_run_steps, last_run_error FROM migrate.status WHERE project = 'fail';

-- The backend is still there, and the good revision can still be applied.
SELECT revision FROM migrate.upgrade('f1');
SELECT * FROM migrate.current();

-- Inside the caller's transaction: a migration can be tried and undone.
BEGIN;
SELECT migrate.register('f3', 'CREATE TABLE f3 ()', NULL, down_revision => 'f1', message => 'irreversible');
SELECT revision FROM migrate.upgrade('f3');
SELECT * FROM migrate.current();
ROLLBACK;
SELECT * FROM migrate.current();
SELECT to_regclass('f3') AS f3;

-- A revision without a downgrade body stops a downgrade before anything runs.
SELECT migrate.register('f3', 'CREATE TABLE f3 ()', NULL, down_revision => 'f1', message => 'irreversible');
SELECT migrate.register('f4', 'CREATE TABLE f4 ()', 'DROP TABLE f4', down_revision => 'f3');
SELECT revision FROM migrate.upgrade('f4');
SELECT * FROM migrate.downgrade('f1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.current();
SELECT to_regclass('f4') AS f4;

-- Transaction control inside a body is refused, and nothing stays.
SELECT migrate.register('t1', 'CREATE TABLE t1 (); COMMIT', 'DROP TABLE t1', project => 'txn');
SELECT * FROM migrate.upgrade(project => 'txn');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('t1') AS t1;

-- Statements that cannot run in a transaction say why and what to do.
SELECT migrate.register('c1', 'CREATE TABLE c1 (v int)', 'DROP TABLE c1', project => 'cic');
SELECT migrate.register('c2', 'CREATE INDEX CONCURRENTLY c1_v ON c1 (v)', 'DROP INDEX c1_v',
	down_revision => 'c1', message => 'concurrent index', project => 'cic');
SELECT * FROM migrate.upgrade(project => 'cic');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('v1', 'VACUUM', NULL, project => 'vac');
SELECT * FROM migrate.upgrade(project => 'vac');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('c1') AS c1;

SELECT revision FROM migrate.downgrade('f3');
RESET migrate.project;

-- A project option added with a default (as an extension update may add
-- one) applies to project rows written before it: here a statement_timeout.
BEGIN;
SELECT migrate.register('m1', 'SELECT pg_sleep(1)', project => 'missing');
ALTER TABLE migrate.project DROP COLUMN statement_timeout,
	ADD COLUMN statement_timeout interval DEFAULT '100 ms';
SELECT * FROM migrate.upgrade(project => 'missing');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Nothing can be recorded in a read-only transaction (nor on a standby,
-- test/scripts/standby.sh): every function that changes a project says so
-- before it starts; the read-only views still work.
BEGIN READ ONLY;
SELECT migrate.register('ro1', 'SELECT 1', project => 'ro');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT migrate.register('ro1', 'CREATE TABLE ro1 ()', 'DROP TABLE ro1', project => 'ro');
BEGIN READ ONLY;
SELECT * FROM migrate.upgrade(project => 'ro');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT * FROM migrate.stamp('ro1', project => 'ro');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT migrate.configure('ro');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT * FROM migrate.pending(project => 'ro');
SELECT * FROM migrate.current('ro');
ROLLBACK;

-- An error in a body of several statements names the statement, by its
-- number and the line it starts on, and quotes that statement alone.
SELECT migrate.register('st1', $$
CREATE TABLE st1 (id int);

-- seed it
INSERT INTO st1 VALUES (1);
INSERT INTO st1 VALUES ('one');
$$, 'DROP TABLE st1', project => 'stmts');
SELECT * FROM migrate.upgrade(project => 'stmts');
\echo :LAST_ERROR_SQLSTATE
-- A syntax error anywhere in a body runs none of it, and points into it.
SELECT migrate.register('st1', $$CREATE TABLE st1 (id int);
CREATE TABEL st2 (id int);$$, 'DROP TABLE st1', project => 'stmts', replace => true);
SELECT * FROM migrate.upgrade(project => 'stmts');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('st1') AS st1;
