CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql AS $$ SELECT 7::bigint $$;
CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT x > 0 $$;
CREATE TABLE t (code int DEFAULT next_code(), v int CHECK (ok(v)));
CREATE INDEX t_ok ON t (ok(v));
