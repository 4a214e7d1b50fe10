-- Default privileges of the schema (ALTER DEFAULT PRIVILEGES IN SCHEMA)
-- are part of it, and what the script makes gets them: the script sets
-- them first, and grants or revokes from what a new object gets.  The
-- schema's own comment and privileges are not compared (the schemas a diff
-- compares are different containers by design): the script leaves them be.
DO $$BEGIN
	EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO diff_reader', current_schema());
	EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE ON SEQUENCES TO diff_writer', current_schema());
END$$;
CREATE TABLE kept (id int);
