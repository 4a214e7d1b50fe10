DO $$BEGIN
	IF NOT EXISTS (SELECT FROM pg_foreign_data_wrapper WHERE fdwname = 'diff_fdw') THEN
		CREATE FOREIGN DATA WRAPPER diff_fdw;
		CREATE SERVER diff_server FOREIGN DATA WRAPPER diff_fdw;
	END IF;
END$$;
CREATE TABLE t (id int);
CREATE FOREIGN TABLE remote (id int NOT NULL) SERVER diff_server OPTIONS (name 'remote');
CREATE TEXT SEARCH CONFIGURATION plain (COPY = pg_catalog.simple);
CREATE TEXT SEARCH DICTIONARY plain_dict (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TYPE opaque_thing;
CREATE CONVERSION latin_to_utf FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8;
