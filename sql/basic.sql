--
-- A linear history from psql: register three revisions, upgrade, look at
-- the state, downgrade, and the errors users will type.
--
-- Durations vary from run to run, so the transcript leaves them out.
--

-- Register: named arguments, parents as text.
SELECT migrate.register('a1',
	upgrade => 'CREATE TABLE users (id int PRIMARY KEY)',
	downgrade => 'DROP TABLE users',
	message => 'create users');
SELECT migrate.register('b2',
	upgrade => 'ALTER TABLE users ADD email text',
	downgrade => 'ALTER TABLE users DROP email',
	down_revision => 'a1',
	message => 'add email');
SELECT migrate.register('c3',
	upgrade => 'CREATE INDEX users_email ON users (email)',
	downgrade => 'DROP INDEX users_email',
	down_revision => 'b2',
	message => 'index email');

-- Nothing applied yet.
SELECT * FROM migrate.current();

-- One row per revision run, in order, with a NOTICE each.
SELECT revision, operation, message, duration >= '0' AS timed
  FROM migrate.upgrade('head');
SELECT * FROM migrate.current();
SELECT revision FROM migrate.version;
\d users

-- At head already: no rows, nothing written.
SELECT count(*) AS log_rows FROM migrate.log WHERE project = 'default';
SELECT * FROM migrate.upgrade('head');
SELECT count(*) AS log_rows FROM migrate.log WHERE project = 'default';

-- One step down runs c3's downgrade body.
SELECT revision, operation, message FROM migrate.downgrade('-1');
SELECT * FROM migrate.current();
\d users

-- Relative and absolute targets.
SELECT revision, operation FROM migrate.upgrade('+1');
SELECT revision, operation FROM migrate.downgrade('a1');
SELECT * FROM migrate.current();
-- Ids of three characters or fewer are reached only in full, as in Alembic.
SELECT revision, operation FROM migrate.upgrade('c');
-- One step below a1 is base; two steps would go past it.
SELECT revision, operation FROM migrate.downgrade('-2');
SELECT revision, operation FROM migrate.upgrade('c3');

-- The log: one row per revision run, with heads before and after.
SELECT revision, operation, heads_before, heads_after,
	   role = current_user AS by_me, backend_pid = pg_backend_pid() AS here,
	   checksum IS NOT NULL AS has_checksum
  FROM migrate.log WHERE project = 'default' ORDER BY id;

-- Errors, each with its SQLSTATE.
SELECT * FROM migrate.upgrade('zz9');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.upgrade('+1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.downgrade('-4');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.downgrade('+1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.downgrade(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.upgrade('head', project => 'nothing_here');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.upgrade('a1:c3');
\echo :LAST_ERROR_SQLSTATE

-- Back to base: current() is empty, the tables are gone.
SELECT revision, operation FROM migrate.downgrade('base');
SELECT * FROM migrate.current();
SELECT to_regclass('users') AS users_table;

-- A downgrade target above the current revision is refused.
SELECT revision FROM migrate.upgrade('a1');
SELECT * FROM migrate.downgrade('c3');
\echo :LAST_ERROR_SQLSTATE
SELECT revision FROM migrate.downgrade('base');
