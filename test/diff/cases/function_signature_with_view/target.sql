CREATE FUNCTION price(x int) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2.5 $$;
CREATE TABLE t (a int);
CREATE VIEW priced AS SELECT a, price(a) AS p FROM t;
