--
-- migrate.autogenerate(): a revision from the difference between the live
-- schema and a desired one, tried (upgrade and downgrade) before it is
-- registered on the project's head.
--

-- Generated revision ids are random: the NOTICEs of runs, which show
-- them, are left out.
SET client_min_messages = warning;

-- A project whose revisions build schema ag_live; rows in it.
CREATE SCHEMA ag_live;
SELECT migrate.register('ag1', $$CREATE TABLE ag_live.account (id int PRIMARY KEY, name text)$$,
	$$DROP TABLE ag_live.account$$, project => 'ag', message => 'account');
SELECT revision, operation FROM migrate.upgrade('head', 'ag');
INSERT INTO ag_live.account VALUES (1, 'ann'), (2, 'bob');

-- The desired schema, from DDL.
CREATE SCHEMA ag_desired;
SET search_path = ag_desired;
CREATE TYPE tier AS ENUM ('free', 'paid');
CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL, tier tier NOT NULL DEFAULT 'free');
CREATE INDEX account_name ON account (name);
RESET search_path;

-- A revision on the head; its bodies are diff() one way and the other.
SELECT migrate.autogenerate('add tier', 'ag_desired', 'ag_live', 'ag') IS NOT NULL AS registered;
SELECT message, down_revision FROM migrate.revision WHERE project = 'ag' ORDER BY seq;
\pset format unaligned
SELECT upgrade_sql FROM migrate.revision WHERE project = 'ag' AND message = 'add tier';
SELECT downgrade_sql FROM migrate.revision WHERE project = 'ag' AND message = 'add tier';
\pset format aligned

-- Trying it left nothing behind; upgrade() applies it.
SELECT count(*) > 0 AS still_different FROM migrate.compare_schemas('ag_live', 'ag_desired');
SELECT operation, message FROM migrate.upgrade('head', 'ag');
SELECT count(*) AS differences FROM migrate.compare_schemas('ag_live', 'ag_desired');
SELECT * FROM ag_live.account ORDER BY id;
SELECT operation, message FROM migrate.downgrade('-1', 'ag');
SELECT kind, name FROM migrate.compare_schemas('ag_live', 'ag_desired') ORDER BY 1, 2;
SELECT operation, message FROM migrate.upgrade('head', 'ag');

-- Nothing to do: NULL, and a notice.
SET client_min_messages = notice;
SELECT migrate.autogenerate('nothing', 'ag_desired', 'ag_live', 'ag');
SET client_min_messages = warning;

-- A destructive change needs allow_destructive.
ALTER TABLE ag_desired.account ADD COLUMN note text;
SELECT migrate.autogenerate('add note', 'ag_desired', 'ag_live', 'ag') IS NOT NULL AS registered;
SELECT count(*) FROM migrate.upgrade('head', 'ag');
ALTER TABLE ag_desired.account DROP COLUMN note;
SELECT migrate.autogenerate('drop note', 'ag_desired', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.autogenerate('drop note', 'ag_desired', 'ag_live', 'ag',
	allow_destructive => true) IS NOT NULL AS registered;
\pset format unaligned
SELECT upgrade_sql FROM migrate.revision WHERE project = 'ag' AND message = 'drop note';
\pset format aligned
SELECT count(*) FROM migrate.upgrade('head', 'ag');

-- A pair that does not converge is refused, and the error says what
-- differs: a column dropped from the middle of a table would come back at
-- its end (and here, NOT NULL, would fail on the rows).
ALTER TABLE ag_desired.account DROP COLUMN name;
SELECT migrate.autogenerate('drop name', 'ag_desired', 'ag_live', 'ag', allow_destructive => true);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE ag_desired.account;
CREATE TABLE ag_desired.account (id int PRIMARY KEY, name text NOT NULL,
	tier ag_desired.tier NOT NULL DEFAULT 'free');
CREATE INDEX account_name ON ag_desired.account (name);
SELECT count(*) AS differences FROM migrate.compare_schemas('ag_live', 'ag_desired');
-- An enum value cannot be removed.
CREATE TYPE ag_live.size AS ENUM ('s', 'm', 'l');
CREATE TYPE ag_desired.size AS ENUM ('s', 'l');
SELECT migrate.autogenerate('smaller sizes', 'ag_desired', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
DROP TYPE ag_live.size, ag_desired.size;

-- A script that fails when tried: the rows break the new constraint.
ALTER TABLE ag_desired.account ADD CONSTRAINT short_name CHECK (length(name) < 3);
SELECT migrate.autogenerate('short names', 'ag_desired', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ag_desired.account DROP CONSTRAINT short_name;

-- A function whose SET search_path names the desired schema comes out
-- naming the live one (the body, a string, is unqualified: it follows the
-- setting).
CREATE FUNCTION ag_desired.accounts() RETURNS bigint LANGUAGE sql
	SET search_path = ag_desired, pg_temp AS 'SELECT count(*) FROM account';
SELECT migrate.autogenerate('accounts', 'ag_desired', 'ag_live', 'ag') IS NOT NULL AS registered;
SELECT count(*) FROM migrate.upgrade('head', 'ag');
SELECT proconfig FROM pg_proc WHERE oid = 'ag_live.accounts()'::regprocedure;
SELECT ag_live.accounts();

-- A body given as a string that names the desired schema is copied as
-- written: the script says it cannot make that function, and no revision
-- is registered.
CREATE FUNCTION ag_desired.total() RETURNS bigint LANGUAGE plpgsql
	AS $$BEGIN RETURN (SELECT count(*) FROM ag_desired.account); END$$;
SELECT migrate.autogenerate('total', 'ag_desired', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
\pset format unaligned
SELECT migrate.diff('ag_live', 'ag_desired');
\pset format aligned
DROP FUNCTION ag_desired.total();

-- Revisions still to run: upgrade first.
SELECT migrate.register('ag_manual', 'SELECT 1', 'SELECT 1', down_revision => (
	SELECT revision FROM migrate.heads('ag')), project => 'ag');
CREATE TABLE ag_desired.extra (id int);
SELECT migrate.autogenerate('extra', 'ag_desired', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM migrate.upgrade('head', 'ag');
SELECT migrate.autogenerate('extra', 'ag_desired', 'ag_live', 'ag') IS NOT NULL AS registered;

-- Other errors.
SELECT migrate.autogenerate('x', 'ag_live', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.autogenerate('x', 'no_such_schema', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.autogenerate('x', NULL, 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE

-- Registering is a migrator's right.
CREATE ROLE ag_nobody;
SET ROLE ag_nobody;
SELECT migrate.autogenerate('x', 'ag_desired', 'ag_live', 'ag');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE ag_nobody;

DROP SCHEMA ag_live, ag_desired CASCADE;
RESET client_min_messages;
-- the next transcripts count every project's rows
DELETE FROM migrate.version WHERE project = 'ag';
DELETE FROM migrate.log WHERE project = 'ag';
DELETE FROM migrate.revision WHERE project = 'ag';
DELETE FROM migrate.project WHERE name = 'ag';
