-- The desired schema was built with itself before pg_catalog on the
-- search_path, so its own lower(text) shadows the built-in one in the
-- default: the script must make the live schema call its own lower(), not
-- the desired schema's.
CREATE TABLE t (id int, x text);
INSERT INTO t VALUES (1, 'a');
