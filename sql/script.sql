--
-- migrate.script(): the SQL that upgrade or downgrade would run, with its
-- version-row statements, as Alembic's --sql mode prints it.
--
SET migrate.project = 'script_demo';

SELECT migrate.register('t1', 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', message => 'one');
SELECT migrate.register('t2', $$INSERT INTO t1 VALUES (1);
-- a body may end in a comment$$, 'DELETE FROM t1', down_revision => 't1',
	message => E'two\nlines');

-- From base to head, and the way back.
SELECT migrate.script();
SELECT migrate.script('base', 'head');
SELECT migrate.script('t2', 't1');

-- A project with a target schema sets the search_path as a run would.
SELECT migrate.configure('script_demo', target_schema => 'app');
SELECT migrate.script('t1');
SELECT migrate.configure('script_demo');

-- script() runs nothing.
SELECT to_regclass('t1') IS NULL AS nothing_ran;

-- Errors: NULL arguments, an irreversible step, unknown revisions.
SELECT migrate.register('t3', '', NULL, down_revision => 't2');
SELECT migrate.script(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.script('base', 't3');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.script('t9');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.script('head', 't9');
\echo :LAST_ERROR_SQLSTATE
