--
-- migrate.adopt_alembic(): take over a database Alembic has been migrating.
-- Everything happens in one transaction that is rolled back at the end, so
-- the suites after this one find the catalog as they left it; errors roll
-- back to a savepoint of their own (ON_ERROR_ROLLBACK).
--
\set ON_ERROR_ROLLBACK on
BEGIN;
SET LOCAL migrate.project = 'shop';
SELECT migrate.register('a1', 'CREATE TABLE item (id int)', 'DROP TABLE item', message => 'items');
SELECT migrate.register('b2', 'ALTER TABLE item ADD price int', 'ALTER TABLE item DROP price',
	down_revision => 'a1', message => 'prices');
SELECT migrate.register('c3', 'CREATE TABLE report (day date)', 'DROP TABLE report',
	down_revision => 'a1', branch_labels => 'reporting', message => 'reports');
SELECT migrate.register('d4', 'ALTER TABLE item ADD name text', 'ALTER TABLE item DROP name',
	down_revision => 'b2', message => 'names');

-- The database as Alembic left it: two heads, its version table as Alembic
-- creates it.
CREATE TABLE item (id int, price int);
CREATE TABLE report (day date);
CREATE TABLE alembic_version (
	version_num varchar(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('b2'), ('c3');

-- Adopting: the version rows become Alembic's, no body runs.
SELECT revision, operation, message FROM migrate.adopt_alembic();
SELECT * FROM migrate.current() ORDER BY 1;
SELECT revision, operation, heads_before, heads_after FROM migrate.log WHERE project = 'shop' ORDER BY id;
SELECT * FROM alembic_version ORDER BY 1;
-- Alembic's heads are migrate's: only what Alembic had not run is pending.
SELECT revision, operation FROM migrate.pending('heads');
-- The same rows again: nothing to do, nothing written.
SELECT revision, operation, message FROM migrate.adopt_alembic('alembic_version', 'shop');
SELECT count(*) AS log_rows FROM migrate.log WHERE project = 'shop';

-- Other rows than Alembic's: refused, both sets shown.
UPDATE alembic_version SET version_num = 'a1' WHERE version_num = 'b2';
DELETE FROM alembic_version WHERE version_num = 'c3';
SELECT * FROM migrate.adopt_alembic();
\echo :LAST_ERROR_SQLSTATE
-- as the hint says
SELECT revision, operation FROM migrate.stamp('base', purge => true);
SELECT revision, operation FROM migrate.adopt_alembic();
SELECT * FROM migrate.current();

-- Revisions the project does not have: all named, nothing changed.
INSERT INTO alembic_version VALUES ('zz9'), ('e5f6');
SELECT revision, operation FROM migrate.stamp('base', purge => true);
SELECT * FROM migrate.adopt_alembic();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS version_rows FROM migrate.version WHERE project = 'shop';

-- Alembic at base: nothing to adopt.
TRUNCATE alembic_version;
SELECT * FROM migrate.adopt_alembic();

-- Rows of which one descends from another (Alembic never leaves a table so,
-- a hand-edited one may be): refused, as an adoption, nothing changed.
INSERT INTO alembic_version VALUES ('a1'), ('b2');
SELECT * FROM migrate.adopt_alembic();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS version_rows FROM migrate.version WHERE project = 'shop';
TRUNCATE alembic_version;

-- A per-service version table, by name, quoting and all.
CREATE SCHEMA "Billing ""svc""";
CREATE TABLE "Billing ""svc""".version (version_num text PRIMARY KEY);
INSERT INTO "Billing ""svc""".version VALUES ('d4');
SELECT revision, operation FROM migrate.adopt_alembic('"Billing ""svc""".version');
SELECT * FROM migrate.current();

-- Tables that are not Alembic version tables.
CREATE TABLE not_alembic (version_num varchar(32), applied_at timestamptz);
SELECT * FROM migrate.adopt_alembic('not_alembic');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE wrong_name (version text);
SELECT * FROM migrate.adopt_alembic('wrong_name');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE wrong_type (version_num integer);
SELECT * FROM migrate.adopt_alembic('wrong_type');
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW version_view AS SELECT 'a1'::text AS version_num;
SELECT * FROM migrate.adopt_alembic('version_view');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE null_version (version_num text);
INSERT INTO null_version VALUES (NULL);
SELECT * FROM migrate.adopt_alembic('null_version', 'shop');
\echo :LAST_ERROR_SQLSTATE

-- No alembic_version on the search_path.
SET LOCAL search_path = pg_catalog;
SELECT * FROM migrate.adopt_alembic();
\echo :LAST_ERROR_SQLSTATE
SET LOCAL search_path = public;

-- Nothing can be written: refused up front.
-- (one query string: the setting ends with psql's savepoint around it)
SET LOCAL transaction_read_only = on \; SELECT * FROM migrate.adopt_alembic(NULL, 'shop');
\echo :LAST_ERROR_SQLSTATE

-- A project without revisions.
SELECT * FROM migrate.adopt_alembic(NULL, 'nothing_here');
\echo :LAST_ERROR_SQLSTATE

-- Privileges: not for PUBLIC; a migrator needs SELECT on Alembic's table.
CREATE ROLE regress_adopt_nobody;
CREATE ROLE regress_adopt_admin IN ROLE migrate_admin;
GRANT USAGE ON SCHEMA "Billing ""svc""" TO regress_adopt_admin;
SET ROLE regress_adopt_nobody;
SELECT * FROM migrate.adopt_alembic(NULL, 'shop');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_adopt_admin;
SELECT * FROM migrate.adopt_alembic('"Billing ""svc""".version', 'shop');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT SELECT ON "Billing ""svc""".version TO regress_adopt_admin;
SET ROLE regress_adopt_admin;
SELECT * FROM migrate.adopt_alembic('"Billing ""svc""".version', 'shop');
RESET ROLE;

-- Row-level security: a policy of the table's owner would run with the
-- migrator's rights while the rows are read.  The table is refused, and the
-- policy's function never runs (it would say so).
CREATE ROLE regress_adopt_owner;
CREATE TABLE rls_version (version_num varchar(32) NOT NULL);
INSERT INTO rls_version VALUES ('d4');
CREATE FUNCTION rls_spy() RETURNS boolean LANGUAGE plpgsql AS
	$$BEGIN RAISE NOTICE 'the policy ran as %', current_user; RETURN true; END$$;
ALTER TABLE rls_version OWNER TO regress_adopt_owner;
ALTER FUNCTION rls_spy() OWNER TO regress_adopt_owner;
ALTER TABLE rls_version ENABLE ROW LEVEL SECURITY;
CREATE POLICY rls_version_spy ON rls_version USING (rls_spy());
GRANT SELECT ON rls_version TO regress_adopt_admin;
SET ROLE regress_adopt_admin;
SELECT * FROM migrate.adopt_alembic('rls_version', 'shop');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the table's owner is not subject to its policies (unless they are forced)
GRANT migrate_admin TO regress_adopt_owner;
SET ROLE regress_adopt_owner;
SELECT revision, operation FROM migrate.stamp('base', purge => true);
SELECT revision, operation FROM migrate.adopt_alembic('rls_version', 'shop');
RESET ROLE;
ALTER TABLE rls_version FORCE ROW LEVEL SECURITY;
SET ROLE regress_adopt_owner;
SELECT * FROM migrate.adopt_alembic('rls_version', 'shop');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
ROLLBACK;
