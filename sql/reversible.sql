--
-- migrate.check_reversible(): for every pending revision, upgrade it,
-- downgrade it, compare the schema with what it was, upgrade it again; then
-- roll everything back.
--
SET migrate.project = 'stairs';
CREATE TABLE accounts (id int PRIMARY KEY, name text);
CREATE ROLE stairs_reader;

SELECT migrate.register('v1', 'CREATE TABLE purchases (id int PRIMARY KEY, account int REFERENCES accounts, amount numeric)',
	'DROP TABLE purchases', message => 'purchases');
SELECT migrate.register('v2', 'CREATE INDEX purchases_amount ON purchases (amount)',
	'SELECT 1', down_revision => 'v1', message => 'forgets the index');
SELECT migrate.register('v3', $$COMMENT ON TABLE accounts IS 'who pays'$$,
	'SELECT 1', down_revision => 'v2', message => 'forgets the comment');
SELECT migrate.register('v4', $$ALTER TABLE accounts ALTER COLUMN name SET DEFAULT 'anonymous'$$,
	'SELECT 1', down_revision => 'v3', message => 'forgets the default');
SELECT migrate.register('v5', 'GRANT SELECT ON accounts TO stairs_reader',
	'SELECT 1', down_revision => 'v4', message => 'forgets the grant');
SELECT migrate.register('v6', 'ALTER TABLE purchases ADD COLUMN note text',
	'ALTER TABLE purchases DROP COLUMN note', down_revision => 'v5', message => 'reversible');
SELECT migrate.register('v7', 'CREATE TABLE audit (id int)',
	NULL, down_revision => 'v6', message => 'irreversible');
SELECT migrate.register('v8', 'CREATE TABLE audit_archive (id int)',
	'DROP TABLE no_such_table', down_revision => 'v7', message => 'downgrade fails');
SELECT migrate.register('v9', $$INSERT INTO accounts VALUES (1, 'first')$$,
	'SELECT 1', down_revision => 'v8', message => 'forgets its row');
SELECT migrate.register('v10', 'CREATE INDEX CONCURRENTLY accounts_name ON accounts (name)',
	'DROP INDEX accounts_name', down_revision => 'v9', message => 'concurrently');
SELECT migrate.register('v11', 'CREATE TABLE late (id int)',
	'SELECT 1', down_revision => 'v10', message => 'forgets the table');

SELECT count(*) AS log_rows FROM migrate.log \gset

-- One row per pending revision, in upgrade order.  Each forgetful downgrade
-- is flagged on its own revision, with what differs; the revisions after it
-- are checked from a sound state.
SELECT * FROM migrate.check_reversible();

-- Nothing of it stayed.
SELECT * FROM migrate.current();
SELECT count(*) - :log_rows AS new_log_rows FROM migrate.log;
SELECT to_regclass('purchases') AS purchases, to_regclass('audit') AS audit;
SELECT obj_description('accounts'::regclass, 'pg_class') AS comment,
	   (SELECT column_default FROM information_schema.columns
		 WHERE table_name = 'accounts' AND column_name = 'name') AS name_default,
	   has_table_privilege('stairs_reader', 'accounts', 'SELECT') AS reader_may_select,
	   (SELECT count(*) FROM accounts) AS accounts;

-- From the current state: only what is pending is checked.
SELECT revision FROM migrate.upgrade('v1');
SELECT revision, ok, problem FROM migrate.check_reversible() LIMIT 2;
SELECT * FROM migrate.current();

-- A body that fails to upgrade ends the check: what follows needs it.
SELECT migrate.register('w1', 'CREATE TABLE w1 (id int)', 'DROP TABLE w1', project => 'broken');
SELECT migrate.register('w2', 'ALTER TABLE no_such_table ADD COLUMN x int', 'SELECT 1',
	down_revision => 'w1', project => 'broken');
SELECT migrate.register('w3', 'CREATE TABLE w3 (id int)', 'DROP TABLE w3',
	down_revision => 'w2', project => 'broken');
SELECT * FROM migrate.check_reversible('broken');

-- Nothing pending: no rows.
SELECT migrate.register('d1', 'CREATE TABLE done_table ()', 'DROP TABLE done_table', project => 'done_check');
SELECT revision FROM migrate.upgrade('head', 'done_check');
SELECT * FROM migrate.check_reversible('done_check');

-- Errors.
SELECT * FROM migrate.check_reversible('no_such_project');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('n1', $$SELECT * FROM migrate.check_reversible('done_check')$$, project => 'nested_check');
SELECT * FROM migrate.upgrade('head', 'nested_check');
\echo :LAST_ERROR_SQLSTATE
SET ROLE stairs_reader;
SELECT * FROM migrate.check_reversible();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) FROM migrate.downgrade('base');
DROP TABLE accounts;
DROP ROLE stairs_reader;

-- Only what a revision touched is described (the objects whose catalog rows
-- its bodies wrote, and what depends on them).  An upgrade that changes a
-- table older than the revision has that table read before it runs (the
-- revision starts again); a downgrade that changes one the upgrade did not
-- touch has it read after.  A body that writes what cannot be tied to
-- objects (here a schema made and dropped) has every schema described:
-- the answers are the same.
CREATE TABLE ledger (id int PRIMARY KEY, name text);
CREATE VIEW ledger_names AS SELECT name FROM ledger;
SELECT migrate.register('p1', 'ALTER TABLE ledger ADD COLUMN email text', 'SELECT 1', project => 'scoped');
SELECT migrate.register('p2', 'ALTER TABLE ledger RENAME COLUMN name TO label',
	'ALTER TABLE ledger RENAME COLUMN label TO name', down_revision => 'p1', project => 'scoped');
SELECT migrate.register('p3', 'CREATE INDEX ledger_label ON ledger (label)',
	$$DROP INDEX ledger_label; COMMENT ON TABLE ledger IS 'kept'$$, down_revision => 'p2', project => 'scoped');
SELECT migrate.register('p4', 'ALTER TABLE ledger RENAME TO ledger2',
	'ALTER TABLE ledger2 RENAME TO ledger_old', down_revision => 'p3', project => 'scoped');
SELECT migrate.register('q1', 'CREATE SCHEMA q_tmp; DROP SCHEMA q_tmp; ALTER TABLE ledger ADD COLUMN email text',
	'SELECT 1', project => 'whole');
SELECT migrate.register('q2', 'ALTER TABLE ledger RENAME COLUMN name TO label',
	'CREATE SCHEMA q_tmp; DROP SCHEMA q_tmp; ALTER TABLE ledger RENAME COLUMN label TO name',
	down_revision => 'q1', project => 'whole');
SELECT migrate.register('q3', 'CREATE SCHEMA q_tmp; DROP SCHEMA q_tmp; CREATE INDEX ledger_label ON ledger (label)',
	$$DROP INDEX ledger_label; COMMENT ON TABLE ledger IS 'kept'$$, down_revision => 'q2', project => 'whole');
SELECT migrate.register('q4', 'ALTER TABLE ledger RENAME TO ledger2',
	'CREATE SCHEMA q_tmp; DROP SCHEMA q_tmp; ALTER TABLE ledger2 RENAME TO ledger_old',
	down_revision => 'q3', project => 'whole');
CREATE TEMP TABLE scoped AS SELECT row_number() OVER () AS n, * FROM migrate.check_reversible('scoped');
CREATE TEMP TABLE whole AS SELECT row_number() OVER () AS n, * FROM migrate.check_reversible('whole');
-- (PostgreSQL 15 writes the view's column with its table's name, later
-- majors without: the same view)
SELECT revision, ok, problem,
	pg_catalog.regexp_replace(detail, '\mledger(_old)?\.label AS', 'label AS', 'g') AS detail
FROM scoped ORDER BY n;
SELECT s.revision, w.revision, s.ok IS NOT DISTINCT FROM w.ok AND s.problem IS NOT DISTINCT FROM w.problem
	AND s.detail IS NOT DISTINCT FROM w.detail AS same
FROM scoped s FULL JOIN whole w USING (n) ORDER BY n;
SELECT * FROM migrate.current('scoped');
DROP VIEW ledger_names;
DROP TABLE ledger;
