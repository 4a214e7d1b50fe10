SELECT set_config('search_path', current_schema() || ', pg_catalog', false);
CREATE FUNCTION lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT pg_catalog.upper($1)';
CREATE TABLE t (id int, x text DEFAULT lower('a'), y text DEFAULT pg_catalog.lower('B'));
