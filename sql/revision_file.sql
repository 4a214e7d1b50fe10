--
-- migrate.revision_file(): the register() call that registers a revision
-- again, byte for byte, as the text of a file.  Run in another project, the
-- text registers the same revision: same id, parents, dependencies, labels,
-- message, flag, bodies and so checksum.
--
SET migrate.project = 'file_demo';
\pset format unaligned
\pset tuples_only on

-- A revision as the README writes one, and one on top of it.
SELECT migrate.register('f1',
	message => 'create customer',
	upgrade => $$
        CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL);
    $$,
	downgrade => $$
        DROP TABLE customer;
    $$);
SELECT migrate.register('f2', down_revision => 'f1', message => 'add email',
	upgrade => E'\n        ALTER TABLE customer ADD COLUMN email text;\n    ',
	downgrade => E'\n        ALTER TABLE customer DROP COLUMN email;\n    ');
SELECT migrate.revision_file('f1');
SELECT migrate.revision_file('f2', 'file_demo');

-- Everything register() takes: several parents, dependencies, labels, no
-- message, no downgrade, outside a transaction.
SELECT migrate.register('f3', 'CREATE INDEX CONCURRENTLY customer_name ON customer (name)',
	down_revision => 'f1', branch_labels => 'search, names', depends_on => 'f2',
	transactional => false);
SELECT migrate.register('f4', '', '', down_revision => 'f3 f2', message => '');
SELECT migrate.revision_file('f3');
SELECT migrate.revision_file('f4');

-- Awkward bodies: the $up$ tag inside (a longer tag is used), a body that
-- ends in part of it, dollar signs, backslashes, quotes, a message that
-- looks like the end of the call, a carriage return (written as an escape
-- string: psql drops the one at the end of a line).
SELECT migrate.register('f5', down_revision => 'f4',
	message => $m$it's a "test" \ with ', $up$); DROP TABLE customer; --$m$,
	upgrade => $b$SELECT $up$ $up_1$ $$ \n '\' $down$;
SELECT '$up'$b$ || ' $up',
	downgrade => 'SELECT 1; -- ends in $down');
SELECT migrate.register('f6', 'SELECT $$a$$', E'SELECT 1\r\n', down_revision => 'f5',
	message => E'line one\r\nline two');
SELECT migrate.revision_file('f5');
SELECT migrate.revision_file('f6');

-- Each text, run in another project, registers the same revision.
CREATE TABLE pg_temp.files AS
	SELECT id, migrate.revision_file(id) AS file FROM migrate.revision
	 WHERE project = 'file_demo';
SET migrate.project = 'file_copy';
DO $$
DECLARE
	f text;
BEGIN
	FOR f IN SELECT file FROM pg_temp.files ORDER BY id LOOP
		EXECUTE f;
	END LOOP;
END
$$;
SELECT o.id, o.checksum = c.checksum AS same_checksum,
	   (o.down_revision, o.depends_on, o.branch_labels, o.message, o.upgrade_sql,
		o.downgrade_sql, o.transactional) IS NOT DISTINCT FROM
	   (c.down_revision, c.depends_on, c.branch_labels, c.message, c.upgrade_sql,
		c.downgrade_sql, c.transactional) AS same_content
  FROM migrate.revision o JOIN migrate.revision c USING (id)
 WHERE o.project = 'file_demo' AND c.project = 'file_copy'
 ORDER BY o.id;
-- and the copy's text is the original's
SELECT count(*) AS same_text FROM pg_temp.files
 WHERE file = migrate.revision_file(id, 'file_copy');
RESET migrate.project;

-- Errors: unknown revision, a prefix (a full id is needed), unknown project,
-- NULL, bodies changed by hand since they were registered.
\pset tuples_only off
SELECT migrate.revision_file('f9', 'file_demo');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.revision_file('f', 'file_demo');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.revision_file('f1', 'no_such_project');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.revision_file(NULL, 'file_demo');
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate.revision SET upgrade_sql = 'DROP TABLE customer'
 WHERE project = 'file_copy' AND id = 'f1';
SELECT migrate.revision_file('f1', 'file_copy');
\echo :LAST_ERROR_SQLSTATE

-- For migrators only: the text holds the bodies.
CREATE ROLE file_nobody;
SET ROLE file_nobody;
SELECT migrate.revision_file('f1', 'file_demo');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE file_nobody;
