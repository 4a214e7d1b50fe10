--
-- migrate.diff(source_schema, target_schema): the SQL that makes the first
-- schema hold what the second holds, ordered by dependencies, with what
-- destroys data marked and what cannot be done said.
--
\pset format unaligned
\pset tuples_only on

-- The live schema, with rows.
CREATE SCHEMA live;
SET search_path = live;
CREATE TABLE customer (id int PRIMARY KEY, name varchar(40), nickname text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer, total text);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total <> '0';
INSERT INTO customer VALUES (1, 'Ann', 'A'), (2, 'Bob', NULL);
INSERT INTO orders VALUES (10, 1, '12'), (11, 2, '0');
RESET search_path;

-- The desired schema: a new enum type, a widened column, a column dropped,
-- a text column turned into a number (a view depends on it), an index.
CREATE SCHEMA desired;
SET search_path = desired;
CREATE TYPE status AS ENUM ('open', 'paid');
CREATE TABLE customer (id int PRIMARY KEY, name varchar(80) NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer,
	total numeric(10,2), state status NOT NULL DEFAULT 'open');
CREATE INDEX orders_customer ON orders (customer_id);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total <> 0;
COMMENT ON TABLE orders IS 'one row per order';
RESET search_path;

SELECT migrate.diff('live', 'desired');

-- Run it; the schemas then match, the rows are there, and the diff is empty.
DO $$ BEGIN EXECUTE migrate.diff('live', 'desired'); END $$;
SELECT count(*) FROM migrate.compare_schemas('live', 'desired');
SELECT id, customer_id, total, state FROM live.orders ORDER BY id;
SELECT * FROM live.big_orders;
SELECT migrate.diff('live', 'desired') = '' AS nothing_left;

-- Nor the other way round.
SELECT migrate.diff('desired', 'live') = '' AS nothing_either;

-- Enum values added in the middle: ADD VALUE ... BEFORE.
CREATE TYPE live.color AS ENUM ('red', 'blue');
CREATE TYPE desired.color AS ENUM ('red', 'green', 'blue', 'black');
SELECT migrate.diff('live', 'desired');

-- What cannot be done is said, never left out: an enum value removed, a
-- column added in the middle of a table, a rename (a drop and an add).
CREATE TYPE live.size AS ENUM ('s', 'm', 'l');
CREATE TYPE desired.size AS ENUM ('s', 'l');
CREATE TABLE live.point (x int, z int, label text);
CREATE TABLE desired.point (x int, y int, z int, name text);
SELECT migrate.diff('live', 'desired');
DROP TYPE live.size, desired.size, live.color, desired.color;
DROP TABLE live.point, desired.point;

-- Objects created in another order give no statement.
CREATE TABLE live.a (id int);
CREATE TABLE live.b (id int PRIMARY KEY);
ALTER TABLE live.a ADD FOREIGN KEY (id) REFERENCES live.b;
CREATE TABLE desired.b (id int PRIMARY KEY);
CREATE TABLE desired.a (id int REFERENCES desired.b);
SELECT migrate.diff('live', 'desired') = '' AS same_objects;

-- Names and labels are the user's: a carriage return or a line feed in
-- one must not end the comment line that quotes it, or the rest would run
-- as SQL (PostgreSQL ends a -- comment at either).  They are escaped.
CREATE TABLE live.victim (id int);
CREATE TABLE desired.victim (id int);
CREATE TYPE live.mood AS ENUM ('ok', U&'bad\000dDROP TABLE live.victim; --');
CREATE TYPE desired.mood AS ENUM ('ok');
SELECT migrate.diff('live', 'desired');
SELECT migrate.diff('live', 'desired') \gexec
SELECT count(*) AS victim_kept FROM live.victim;
DROP TYPE live.mood, desired.mood;
DROP TABLE live.victim, desired.victim;

-- Definitions of the desired schema that name it come out naming the live
-- schema: a function's SET search_path, a default's sequence, a view's
-- table, a SQL-standard body.  A body given as a string is copied as
-- written: one that names the desired schema is not written, and the
-- script says why.
CREATE TABLE live.note (id int PRIMARY KEY, body text);
SET search_path = desired;
CREATE SEQUENCE note_no;
CREATE TABLE note (id int PRIMARY KEY, body text, no bigint DEFAULT nextval('note_no'));
CREATE VIEW numbered AS SELECT no, body FROM note;
CREATE FUNCTION notes() RETURNS bigint LANGUAGE sql SET search_path = desired, pg_temp
	BEGIN ATOMIC SELECT count(*) FROM note; END;
CREATE FUNCTION last_note() RETURNS bigint LANGUAGE plpgsql
	AS $$BEGIN RETURN (SELECT max(no) FROM desired.note); END$$;
RESET search_path;
SELECT migrate.diff('live', 'desired');
DROP FUNCTION desired.notes(), desired.last_note();
DROP VIEW desired.numbered;
DROP TABLE live.note, desired.note;
DROP SEQUENCE desired.note_no;

-- A table named like a common table expression of the query is qualified
-- by the server whatever the search_path: it is turned too.  Where the
-- query also has a table alias spelled like the desired schema, the script
-- cannot tell the one from the other, and says so.
CREATE TABLE live.item (id int);
CREATE TABLE desired.item (id int);
CREATE VIEW desired.items AS
	WITH item AS (SELECT 1 AS id) SELECT item.id AS one, i.id FROM item, desired.item i;
CREATE VIEW desired.aliased AS
	WITH item AS (SELECT 1 AS id) SELECT item.id AS one, desired.id FROM item, desired.item desired;
SELECT migrate.diff('live', 'desired');
DROP VIEW desired.items, desired.aliased;
DROP TABLE live.item, desired.item;

-- Errors.
\pset tuples_only off
\pset format aligned
SELECT migrate.diff('live', 'no_such_schema');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.diff('no_such_schema', 'desired');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.diff('live', 'live');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.diff(NULL, 'live');
\echo :LAST_ERROR_SQLSTATE

DROP SCHEMA live, desired CASCADE;
