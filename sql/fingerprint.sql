--
-- The schema fingerprint: one row per object, named without OIDs, in an
-- order that does not depend on the order the objects were created in.
--
CREATE ROLE fingerprint_reader;
CREATE SCHEMA shop;
SET search_path = shop;
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN price AS numeric(10,2) CHECK (VALUE >= 0);
CREATE TABLE customer (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text NOT NULL UNIQUE,
	created timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
	id serial PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES customer ON DELETE CASCADE,
	state status NOT NULL DEFAULT 'new',
	total price,
	total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED
);
CREATE INDEX orders_open ON orders (customer_id) WHERE state <> 'shipped';
CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE state <> 'shipped';
CREATE FUNCTION order_count(c bigint) RETURNS bigint LANGUAGE sql STABLE
	AS $$SELECT count(*) FROM shop.orders WHERE customer_id = c$$;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON orders FOR SELECT USING (customer_id = 1);
COMMENT ON TABLE orders IS 'one row per order';
GRANT SELECT ON open_orders TO fingerprint_reader;
RESET search_path;

SELECT * FROM migrate.fingerprint(ARRAY['shop']);

-- One schema, names relative to it: what two schemas built by the same DDL
-- under different names have in common.
SELECT kind, name FROM migrate.schema_fingerprint('shop') WHERE kind IN ('table', 'view');

-- The same objects, created in another order (the foreign key and the
-- comment added afterwards, the view before the function) in another schema.
CREATE SCHEMA shop_copy;
SET search_path = shop_copy;
CREATE DOMAIN price AS numeric(10,2) CHECK (VALUE >= 0);
CREATE TYPE status AS ENUM ('new', 'shipped');
ALTER TYPE status ADD VALUE 'paid' BEFORE 'shipped';
CREATE TABLE customer (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text NOT NULL UNIQUE,
	created timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
	id serial PRIMARY KEY,
	customer_id bigint NOT NULL,
	state status NOT NULL DEFAULT 'new',
	total price,
	total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED
);
COMMENT ON TABLE orders IS 'one row per order';
CREATE POLICY mine ON orders FOR SELECT USING (customer_id = 1);
CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE state <> 'shipped';
GRANT SELECT ON open_orders TO fingerprint_reader;
CREATE INDEX orders_open ON orders (customer_id) WHERE state <> 'shipped';
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customer ON DELETE CASCADE;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION order_count(c bigint) RETURNS bigint LANGUAGE sql STABLE
	AS $$SELECT count(*) FROM shop.orders WHERE customer_id = c$$;
RESET search_path;

-- No difference.
SELECT * FROM migrate.compare_schemas('shop', 'shop_copy');

-- One change, one row.
ALTER TABLE shop_copy.orders ALTER COLUMN state DROP DEFAULT;
SELECT * FROM migrate.compare_schemas('shop', 'shop_copy');
DROP INDEX shop_copy.orders_open;
SELECT kind, name, left_definition IS NULL AS only_right, right_definition IS NULL AS only_left
  FROM migrate.compare_schemas('shop', 'shop_copy');

-- Where a definition names its own schema (a function's search_path, a
-- regnamespace literal), a relative row reads <this schema>: the copy under
-- another name is the same.  fingerprint() names it.
CREATE FUNCTION shop.pinned() RETURNS bigint LANGUAGE sql
	SET search_path = shop, pg_temp AS 'SELECT count(*) FROM orders';
CREATE FUNCTION shop_copy.pinned() RETURNS bigint LANGUAGE sql
	SET search_path = shop_copy, pg_temp AS 'SELECT count(*) FROM orders';
ALTER TABLE shop.customer ADD COLUMN home regnamespace DEFAULT 'shop'::regnamespace;
ALTER TABLE shop_copy.customer ADD COLUMN home regnamespace DEFAULT 'shop_copy'::regnamespace;
SELECT kind, name, definition FROM migrate.schema_fingerprint('shop')
 WHERE name IN ('pinned()', 'customer.home');
SELECT kind, name FROM migrate.compare_schemas('shop', 'shop_copy')
 WHERE name IN ('pinned()', 'customer.home');
SELECT definition FROM migrate.fingerprint(ARRAY['shop']) WHERE name = 'shop.customer.home';
DROP FUNCTION shop.pinned(), shop_copy.pinned();
ALTER TABLE shop.customer DROP COLUMN home;
ALTER TABLE shop_copy.customer DROP COLUMN home;

-- The hash: 64 hex digits, the same for the same schema, another after a change.
SELECT migrate.fingerprint_hash(ARRAY['shop']) ~ '^[0-9a-f]{64}$' AS is_sha256;
SELECT migrate.fingerprint_hash(ARRAY['shop']) = migrate.fingerprint_hash(ARRAY['shop']) AS stable;
SELECT migrate.fingerprint_hash(ARRAY['shop', 'shop_copy'])
	 = migrate.fingerprint_hash(ARRAY['shop_copy', 'shop', 'shop']) AS listed_in_any_order;
CREATE TEMP TABLE before AS SELECT migrate.fingerprint_hash(ARRAY['shop']) AS h;
COMMENT ON TABLE shop.orders IS 'orders';
SELECT migrate.fingerprint_hash(ARRAY['shop']) <> h AS changed FROM before;

-- Without an argument: every schema but the system ones and migrate's.
SELECT DISTINCT split_part(name, '.', 1) AS schema FROM migrate.fingerprint()
 WHERE split_part(name, '.', 1) IN ('shop', 'shop_copy', 'migrate', 'pg_catalog', 'information_schema')
 ORDER BY 1;

-- The session's own temporary schema: its functions and statistics are
-- described like any other schema's (their definitions say pg_temp).
CREATE FUNCTION pg_temp.tf() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TEMP TABLE tstat (a int, b int);
CREATE STATISTICS pg_temp.tst ON a, b FROM tstat;
SELECT kind, split_part(name, '.', 2) AS name, definition
  FROM migrate.fingerprint(ARRAY[pg_my_temp_schema()::regnamespace::text])
 WHERE kind IN ('function', 'statistics') ORDER BY 1, 2;
DROP FUNCTION pg_temp.tf();
DROP TABLE tstat;

-- Errors, with their SQLSTATEs.
SELECT * FROM migrate.fingerprint(ARRAY['shop', 'no_such_schema']);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.fingerprint_hash(ARRAY['no_such_schema']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.schema_fingerprint('no_such_schema');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.compare_schemas('shop', 'no_such_schema');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.fingerprint(ARRAY['shop', NULL]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.schema_fingerprint(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.compare_schemas(NULL, 'shop');
\echo :LAST_ERROR_SQLSTATE

-- Any role may read fingerprints (they show what the catalogs show).
SET ROLE fingerprint_reader;
SELECT count(*) > 0 AS readable FROM migrate.fingerprint(ARRAY['shop']);
RESET ROLE;

DROP SCHEMA shop, shop_copy CASCADE;
DROP ROLE fingerprint_reader;
