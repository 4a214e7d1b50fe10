CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE FUNCTION gone() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION label(x int) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN x::text; END $$;
CREATE FUNCTION fmt(x int) RETURNS text LANGUAGE sql AS $$ SELECT x::text $$;
