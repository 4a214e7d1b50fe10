-- Collations are not written by the script: one the desired schema has,
-- and a column uses, is said NOT DONE (the script would fail without it).
CREATE TABLE t (id int);
