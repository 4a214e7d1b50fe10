--
-- migrate.lint(): the hazards of the pending revisions, judged against the
-- live database by a trial that is rolled back.
--
-- A corpus of revisions, one hazard each, on tables with rows; each is
-- linted alone, then applied, so that the next is judged on its own.
-- Then the same intents written the safe way, which give no finding.
-- Table sizes differ between servers, so the transcript shows them as
-- "N kB".
--
SET migrate.project = 'lint';

CREATE TABLE accounts (id int PRIMARY KEY, email text, score int, note varchar(10));
INSERT INTO accounts SELECT g, 'a' || g || '@example.com', g % 7, 'n' FROM generate_series(1, 1000) g;
CREATE TABLE orders (id int PRIMARY KEY, account_id int, amount numeric);
INSERT INTO orders SELECT g, g, g FROM generate_series(1, 1000) g;
CREATE TABLE lookup (code text PRIMARY KEY);
ANALYZE accounts, orders;

CREATE FUNCTION lint_rows(target text DEFAULT 'heads', project text DEFAULT 'lint')
RETURNS TABLE (revision text, rule text, statement text, detail text)
LANGUAGE sql AS $$
	SELECT l.revision, l.rule, l.statement,
		   regexp_replace(l.detail, '[0-9]+ (bytes|kB|MB)', 'N kB', 'g')
	  FROM migrate.lint(project, target) l
$$;

-- Lint one revision, then apply it.
CREATE FUNCTION lint_one(target text)
RETURNS TABLE (revision text, rule text, statement text, detail text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY SELECT * FROM lint_rows(target);
	PERFORM migrate.upgrade(target, 'lint');
END
$$;

SET client_min_messages = warning;

-- index-without-concurrently: CREATE INDEX on a table with rows blocks its
-- writes while it reads them all.
SELECT migrate.register('h_index', 'CREATE INDEX orders_account ON orders (account_id)',
	'DROP INDEX orders_account');
SELECT * FROM lint_one('h_index');

-- table-rewrite: a type change that rewrites the table.
SELECT migrate.register('h_rewrite', 'ALTER TABLE orders ALTER COLUMN amount TYPE float8',
	'ALTER TABLE orders ALTER COLUMN amount TYPE numeric', 'h_index');
SELECT * FROM lint_one('h_rewrite');

-- volatile-default: the default is computed for every row.
SELECT migrate.register('h_default', 'ALTER TABLE accounts ADD COLUMN token float8 DEFAULT random()',
	'ALTER TABLE accounts DROP COLUMN token', 'h_rewrite');
SELECT * FROM lint_one('h_default');

-- not-null-scan: SET NOT NULL reads every row.
SELECT migrate.register('h_notnull', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL',
	'ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL', 'h_default');
SELECT * FROM lint_one('h_notnull');

-- foreign-key-validates and check-validates: constraints added valid.
SELECT migrate.register('h_fk', 'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)',
	'ALTER TABLE orders DROP CONSTRAINT orders_account_fk', 'h_notnull');
SELECT * FROM lint_one('h_fk');
SELECT migrate.register('h_check', 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0)',
	'ALTER TABLE orders DROP CONSTRAINT amount_positive', 'h_fk');
SELECT * FROM lint_one('h_check');

-- drops-data: a column with values; TRUNCATE.
SELECT migrate.register('h_drop', 'ALTER TABLE accounts DROP COLUMN score',
	'ALTER TABLE accounts ADD COLUMN score int', 'h_check');
SELECT * FROM lint_one('h_drop');

-- no-downgrade: nothing to go back with.
SELECT migrate.register('h_nodown', 'CREATE TABLE audit (id int)', NULL, 'h_drop');
SELECT * FROM lint_one('h_nodown');

-- rename: the running application still uses the old name.
SELECT migrate.register('h_rename', 'ALTER TABLE accounts RENAME COLUMN note TO remark',
	'ALTER TABLE accounts RENAME COLUMN remark TO note', 'h_nodown');
SELECT * FROM lint_one('h_rename');

-- cascade-other-project: another project's view on lookup goes with it.
SELECT migrate.register('o1', 'CREATE SCHEMA billing; CREATE VIEW billing.codes AS SELECT code FROM public.lookup',
	'DROP SCHEMA billing CASCADE', project => 'lint_other');
SELECT count(*) FROM migrate.upgrade('head', 'lint_other');
SELECT migrate.register('h_cascade', 'DROP TABLE lookup CASCADE',
	'CREATE TABLE lookup (code text PRIMARY KEY)', 'h_rename');
SELECT * FROM lint_one('h_cascade');

-- long-lock: a long statement while an earlier one holds ACCESS EXCLUSIVE
-- on another table (found beside the long statement's own finding).
SELECT migrate.register('h_long', 'ALTER TABLE accounts ADD COLUMN flag boolean; CREATE INDEX orders_amount ON orders (amount)',
	'DROP INDEX orders_amount; ALTER TABLE accounts DROP COLUMN flag', 'h_cascade');
SELECT * FROM lint_one('h_long');

-- fails: a revision that cannot run here, and one that cannot run in the
-- transaction it is registered for; the revisions after a failing one are
-- not judged.
SELECT migrate.register('h_cic', 'CREATE INDEX CONCURRENTLY orders_id2 ON orders (id)',
	'DROP INDEX orders_id2', 'h_long');
SELECT migrate.register('h_fails', 'ALTER TABLE missing ADD COLUMN x int', 'SELECT 1', 'h_cic');
SELECT migrate.register('h_after', 'CREATE INDEX orders_id3 ON orders (id)', 'SELECT 1', 'h_fails');
SELECT * FROM lint_rows();

-- Nothing of the trials is left: kept data only from h_drop's real
-- upgrade, the version rows and the schema as they were.
SELECT revision, step, column_name, rows FROM migrate.kept WHERE project = 'lint';
SELECT * FROM migrate.current('lint');
SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_id3';

--
-- The same intents, written the safe way: no finding.
--
SET migrate.project = 'lint_safe';
SELECT migrate.register('s_index', 'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email)',
	'DROP INDEX CONCURRENTLY accounts_email', transactional => false);
SELECT migrate.register('s_type', 'ALTER TABLE accounts ALTER COLUMN remark TYPE varchar(20)',
	'ALTER TABLE accounts ALTER COLUMN remark TYPE varchar(10)', 's_index');
SELECT migrate.register('s_default', 'ALTER TABLE accounts ADD COLUMN joined date DEFAULT ''2020-01-01''',
	'ALTER TABLE accounts DROP COLUMN joined', 's_type');
SELECT migrate.register('s_check1', 'ALTER TABLE accounts ADD CONSTRAINT remark_nn CHECK (remark IS NOT NULL) NOT VALID',
	'ALTER TABLE accounts DROP CONSTRAINT remark_nn', 's_default');
SELECT migrate.register('s_check2', 'ALTER TABLE accounts VALIDATE CONSTRAINT remark_nn',
	'SELECT 1', 's_check1');
SELECT migrate.register('s_notnull', 'ALTER TABLE accounts ALTER COLUMN remark SET NOT NULL',
	'ALTER TABLE accounts ALTER COLUMN remark DROP NOT NULL', 's_check2');
SELECT migrate.register('s_fk1', 'CREATE TABLE invoices (id int PRIMARY KEY, order_id int); ALTER TABLE accounts ADD CONSTRAINT accounts_self_fk FOREIGN KEY (id) REFERENCES accounts (id) NOT VALID',
	'ALTER TABLE accounts DROP CONSTRAINT accounts_self_fk; DROP TABLE invoices', 's_notnull');
SELECT migrate.register('s_fk2', 'ALTER TABLE accounts VALIDATE CONSTRAINT accounts_self_fk; ALTER TABLE invoices ADD FOREIGN KEY (order_id) REFERENCES orders (id)',
	'SELECT 1', 's_fk1');
SELECT migrate.register('s_drop', 'ALTER TABLE invoices DROP COLUMN order_id',
	'ALTER TABLE invoices ADD COLUMN order_id int', 's_fk2');
SELECT migrate.register('s_rename', 'CREATE VIEW accounts_v AS SELECT id, remark AS comment FROM accounts',
	'DROP VIEW accounts_v', 's_drop');
SELECT migrate.register('s_index2', 'CREATE INDEX invoices_order ON invoices (id)',
	'DROP INDEX invoices_order', 's_rename');
SELECT * FROM lint_rows('heads', 'lint_safe');

-- Every project at once (those of the other tests left out): lint_safe
-- has none, lint its failing revisions.  A project whose graph is broken is
-- a finding too, not an error.
SELECT migrate.register('b2', 'SELECT 1', 'SELECT 1', 'b1', project => 'lint_broken');
SELECT project, revision, rule FROM migrate.lint() WHERE project LIKE 'lint%';
DELETE FROM migrate.revision WHERE project = 'lint_broken';
DELETE FROM migrate.project WHERE name = 'lint_broken';

-- A revision that cannot be tried and whose text does not parse fails:
-- a finding, not an error of lint().
SELECT migrate.register('u1', 'CREATE INDEX CONCURRENTLY orders_u1 ON orders (id); THIS IS NOT SQL',
	'SELECT 1', transactional => false, project => 'lint_unparsed');
SELECT migrate.register('u2', 'SELECT 1', 'SELECT 1', 'u1', project => 'lint_unparsed');
SELECT revision, rule, detail FROM migrate.lint('lint_unparsed');
DELETE FROM migrate.revision WHERE project = 'lint_unparsed';
DELETE FROM migrate.project WHERE name = 'lint_unparsed';

-- A partitioned table's size is its partitions' (it has no storage of its
-- own); its rows are counted as a table's are, estimated past the same size.
CREATE TABLE lint_parted (id int, v text) PARTITION BY RANGE (id);
CREATE TABLE lint_parted_1 PARTITION OF lint_parted FOR VALUES FROM (0) TO (100000);
INSERT INTO lint_parted SELECT g, 'v' FROM generate_series(1, 500) g;
SELECT migrate.register('p1', 'CREATE INDEX lint_parted_v ON lint_parted (v)', 'DROP INDEX lint_parted_v', project => 'lint_parts');
SELECT revision, rule, detail LIKE '%(500 rows, %' AS counted, detail NOT LIKE '%, 0 bytes)%' AS sized
  FROM migrate.lint('lint_parts');
DELETE FROM migrate.revision WHERE project = 'lint_parts';
DELETE FROM migrate.project WHERE name = 'lint_parts';
DROP TABLE lint_parted;

-- Rows are counted as the table's owner: a row security policy of the
-- owner's does not run as the runner, a role with the owner's privileges
-- and more.
CREATE ROLE lint_owner;
CREATE ROLE lint_runner;
GRANT lint_owner TO lint_runner;
CREATE SCHEMA lint_owned AUTHORIZATION lint_owner;
SET ROLE lint_owner;
CREATE TABLE lint_owned.t (id int);
INSERT INTO lint_owned.t VALUES (1);
CREATE FUNCTION lint_owned.visible() RETURNS boolean LANGUAGE plpgsql
	AS $$BEGIN RAISE WARNING 'policy of lint_owner runs as %', current_user; RETURN true; END$$;
ALTER TABLE lint_owned.t ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY t_visible ON lint_owned.t USING (lint_owned.visible());
RESET ROLE;
SELECT migrate.configure('lint_rls', run_as => 'lint_runner');
SELECT migrate.register('r1', 'CREATE INDEX t_id ON lint_owned.t (id)', 'DROP INDEX lint_owned.t_id', project => 'lint_rls');
SELECT revision, rule FROM migrate.lint('lint_rls');
DELETE FROM migrate.revision WHERE project = 'lint_rls';
DELETE FROM migrate.project WHERE name = 'lint_rls';
DROP SCHEMA lint_owned CASCADE;
DROP ROLE lint_owner, lint_runner;

-- Errors: a NULL target (22004), an unknown project or target (42704).
SELECT * FROM migrate.lint('lint', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.lint('nosuch');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.lint('lint', 'nosuch');
\echo :LAST_ERROR_SQLSTATE
-- From a body: 55006.
SELECT migrate.register('n1', 'SELECT count(*) FROM migrate.lint(''lint'')', 'SELECT 1', project => 'lint_nested');
SELECT * FROM migrate.upgrade('head', 'lint_nested');
\echo :LAST_ERROR_SQLSTATE
-- In a read-only transaction: 25006.
BEGIN READ ONLY;
SELECT * FROM migrate.lint('lint');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- lint() runs bodies: it is for migrators (42501).
CREATE ROLE lint_reader;
SET ROLE lint_reader;
SELECT * FROM migrate.lint('lint');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE lint_reader;

RESET client_min_messages;
SELECT migrate.purge_kept('0', 'lint');
DROP FUNCTION lint_one(text);
DROP FUNCTION lint_rows(text, text);
DROP SCHEMA billing;
DROP TABLE audit;
DROP TABLE orders, accounts CASCADE;
RESET migrate.project;
