DO $$BEGIN
	EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT INSERT ON TABLES TO diff_writer', current_schema());
	EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO diff_reader WITH GRANT OPTION', current_schema());
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO diff_reader', current_schema());
	EXECUTE format('COMMENT ON SCHEMA %I IS %L', current_schema(), 'the application');
END$$;
CREATE TABLE kept (id int);
CREATE TABLE t (id int);
CREATE SEQUENCE s;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
