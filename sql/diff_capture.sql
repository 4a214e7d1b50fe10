--
-- The scripts of migrate.diff() and migrate.autogenerate() mean the same
-- whatever objects other roles create.  A role that may create objects in
-- the live schema and in public (as deployers often may) makes, for every
-- built-in function and operator the desired definitions use, one of the
-- same name and arguments and one that matches the arguments better.
-- Should a script find one of them, it would run with the rights of
-- whoever runs the script, here a superuser.  None ever runs: the scripts
-- run under a search_path of pg_catalog alone and name everything else.
--
-- The role makes them in public first, then (after diff() and
-- autogenerate() have read the live schema, which would otherwise list
-- them as objects to drop) in the live schema.
--
CREATE ROLE capture_mallory NOLOGIN;
CREATE SCHEMA capture_live;
GRANT USAGE, CREATE ON SCHEMA capture_live TO capture_mallory;
GRANT CREATE ON SCHEMA public TO capture_mallory;
-- each capturing function, when it runs, counts and says so
CREATE SEQUENCE public.capture_hits;
GRANT USAGE ON SEQUENCE public.capture_hits TO capture_mallory;

CREATE TABLE capture_live.account (id int PRIMARY KEY, name varchar(40) NOT NULL);
INSERT INTO capture_live.account VALUES (1, 'Ann'), (2, 'Bob');

-- The desired schema uses built-ins in a CHECK, defaults, an index
-- expression, a view and a SQL-standard function body.
CREATE SCHEMA capture_desired;
SET search_path = capture_desired;
CREATE SEQUENCE account_no;
CREATE TABLE account (
	id int PRIMARY KEY,
	name varchar(40) NOT NULL CHECK (lower(name) <> 'root'),
	number bigint NOT NULL DEFAULT nextval('account_no'),
	label text DEFAULT upper('new')
);
CREATE INDEX account_name ON account (lower(name));
CREATE VIEW account_names AS
	SELECT id, length(name) AS len, name || '!' AS shout FROM account WHERE id > 0;
CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN abs(x) * 2;
RESET search_path;

-- The capturing functions and operators, each under the same name and
-- arguments as the built-in and under a better match (varchar where the
-- built-in takes text).  They are declared IMMUTABLE, so that an index or
-- a CHECK would take them too.
CREATE FUNCTION pg_temp.capture_plant(s text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	fns text[][] := ARRAY[
		['lower', 'text', 'text', 'pg_catalog.lower($1)'],
		['lower', 'character varying', 'text', 'pg_catalog.lower($1)'],
		['upper', 'text', 'text', 'pg_catalog.upper($1)'],
		['upper', 'character varying', 'text', 'pg_catalog.upper($1)'],
		['length', 'text', 'integer', 'pg_catalog.length($1)'],
		['length', 'character varying', 'integer', 'pg_catalog.length($1)'],
		['nextval', 'regclass', 'bigint', 'pg_catalog.nextval($1)'],
		['nextval', 'text', 'bigint', 'pg_catalog.nextval($1::pg_catalog.regclass)'],
		['abs', 'integer', 'integer', 'pg_catalog.abs($1)'],
		['abs', 'smallint', 'integer', 'pg_catalog.abs($1)']];
	ops text[][] := ARRAY[
		['<>', 'text', 'text', 'boolean'],
		['<>', 'character varying', 'character varying', 'boolean'],
		['<>', 'character varying', 'text', 'boolean'],
		['||', 'text', 'text', 'text'],
		['||', 'character varying', 'text', 'text'],
		['>', 'integer', 'integer', 'boolean'],
		['*', 'integer', 'integer', 'integer']];
	body text := $b$BEGIN PERFORM pg_catalog.nextval('public.capture_hits');
		RAISE WARNING 'captured by %%', %L; RETURN %s; END$b$;
BEGIN
	FOR i IN 1 .. pg_catalog.array_length(fns, 1) LOOP
		EXECUTE pg_catalog.format('CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql IMMUTABLE AS %L',
			s, fns[i][1], fns[i][2], fns[i][3],
			pg_catalog.format(body, pg_catalog.concat(s, '.', fns[i][1], '(', fns[i][2], ')'), fns[i][4]));
	END LOOP;
	FOR i IN 1 .. pg_catalog.array_length(ops, 1) LOOP
		EXECUTE pg_catalog.format('CREATE FUNCTION %I.capture_op%s(%s, %s) RETURNS %s LANGUAGE plpgsql IMMUTABLE AS %L',
			s, i, ops[i][2], ops[i][3], ops[i][4],
			pg_catalog.format(body, pg_catalog.concat(s, '.', ops[i][1], '(', ops[i][2], ', ', ops[i][3], ')'),
				pg_catalog.concat('$1 OPERATOR(pg_catalog.', ops[i][1], ') $2')));
		EXECUTE pg_catalog.format('CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %I.capture_op%s)',
			s, ops[i][1], ops[i][2], ops[i][3], s, i);
	END LOOP;
END
$$ SET search_path = pg_catalog;
GRANT EXECUTE ON FUNCTION pg_temp.capture_plant(text) TO capture_mallory;
SET ROLE capture_mallory;
SELECT pg_temp.capture_plant('public');
RESET ROLE;

-- From here on this file's own queries name what they use.
SET search_path = pg_catalog, pg_temp;

-- The script diff() writes, and a revision autogenerate() registers
-- (trying it first, as the superuser running it, with the capturing
-- objects of public there).  autogenerate() registers a revision as the
-- caller's only from schemas written by roles the caller trusts: while
-- the role may create objects in the live schema, it refuses.
CREATE TEMP TABLE capture_script AS
	SELECT migrate.diff('capture_live', 'capture_desired') AS sql;
SET client_min_messages = warning;
SELECT migrate.autogenerate('accounts', 'capture_desired', 'capture_live', 'capture') IS NOT NULL
	AS registered;
\echo :LAST_ERROR_SQLSTATE
REVOKE CREATE ON SCHEMA capture_live, public FROM capture_mallory;
SELECT migrate.autogenerate('accounts', 'capture_desired', 'capture_live', 'capture') IS NOT NULL
	AS registered;
GRANT CREATE ON SCHEMA capture_live, public TO capture_mallory;
RESET client_min_messages;
\pset format unaligned
\pset tuples_only on
SELECT line FROM pg_temp.capture_script, regexp_split_to_table(sql, E'\n') AS line
 WHERE line ~ '^SET LOCAL|CHECK|DEFAULT|INDEX|RETURN';
\pset tuples_only off
\pset format aligned
SELECT upgrade_sql OPERATOR(pg_catalog.=) (SELECT sql FROM pg_temp.capture_script) AS same_as_diff
  FROM migrate.revision WHERE project OPERATOR(pg_catalog.=) 'capture';
SELECT is_called AS captured FROM public.capture_hits;

-- Now in the live schema too.
SET ROLE capture_mallory;
SELECT pg_temp.capture_plant('capture_live');
RESET ROLE;

-- They work: with the live schema on the search_path, before pg_catalog,
-- or after it where the overload matches better.
SET search_path = capture_live, pg_catalog;
SELECT lower('A');
SET search_path = pg_catalog, capture_live;
SELECT lower('B'::varchar);
SET search_path = pg_catalog, public;
SELECT 'c'::varchar <> 'd'::varchar AS differ;
SET search_path = pg_catalog, pg_temp;
SELECT pg_catalog.setval('public.capture_hits', 1, false);

-- A superuser runs the diff() script: nothing is captured, and the live
-- schema is the desired one (once the capturing objects, which are in it
-- but not in the desired one, are gone).
BEGIN;
DO $$ BEGIN EXECUTE (SELECT sql FROM pg_temp.capture_script); END $$;
SELECT is_called AS captured FROM public.capture_hits;
SELECT id, name, number, label FROM capture_live.account ORDER BY id;
SELECT * FROM capture_live.account_names ORDER BY id;
SELECT capture_live.double_it(-3);
SAVEPOINT root;
INSERT INTO capture_live.account (id, name) VALUES (3, 'ROOT');
ROLLBACK TO root;
DROP OWNED BY capture_mallory;
SELECT count(*) AS differences FROM migrate.compare_schemas('capture_live', 'capture_desired');
ROLLBACK;

-- A superuser runs the revision: the same.
SET client_min_messages = warning;
SELECT count(*) AS revisions_run FROM migrate.upgrade('head', 'capture');
RESET client_min_messages;
SELECT is_called AS captured FROM public.capture_hits;
SELECT * FROM capture_live.account_names ORDER BY id;
SELECT capture_live.double_it(-3);
DROP OWNED BY capture_mallory;
SELECT count(*) AS differences FROM migrate.compare_schemas('capture_live', 'capture_desired');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA capture_live, capture_desired CASCADE;
RESET client_min_messages;
DROP ROLE capture_mallory;
DROP SEQUENCE public.capture_hits;
DELETE FROM migrate.version WHERE project = 'capture';
DELETE FROM migrate.log WHERE project = 'capture';
DELETE FROM migrate.revision WHERE project = 'capture';
DELETE FROM migrate.project WHERE name = 'capture';
