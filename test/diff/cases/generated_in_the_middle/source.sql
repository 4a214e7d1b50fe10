-- A generated column in the middle of a table must be dropped and added
-- again when a column it reads changes type: it then comes back at the end,
-- and the script must say so.
CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED, c int);
INSERT INTO t (a, c) VALUES (1, 2);
