CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT a + b $$;
CREATE FUNCTION label(x int) RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$ BEGIN RETURN 'n' || x::text; END $$;
CREATE FUNCTION fmt(x int, width int DEFAULT 5) RETURNS text LANGUAGE sql AS $$ SELECT lpad(x::text, width) $$;
CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql RETURN x * 2;
CREATE FUNCTION rows_of() RETURNS SETOF int LANGUAGE sql AS $$ SELECT 1 $$;
