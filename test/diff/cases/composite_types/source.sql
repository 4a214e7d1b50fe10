CREATE TYPE point3 AS (x int, y int);
CREATE TYPE address AS (street text, city text);
CREATE FUNCTION origin() RETURNS point3 LANGUAGE sql AS $$ SELECT ROW(0, 0)::point3 $$;
CREATE TABLE place (name text, at address);
