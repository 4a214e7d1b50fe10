CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS $$ SELECT 7 $$;
CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT x > 0 $$;
CREATE TABLE t (code int DEFAULT next_code(), v int CHECK (ok(v)));
CREATE INDEX t_ok ON t (ok(v));
INSERT INTO t (v) VALUES (1), (2);
