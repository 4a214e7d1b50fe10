CREATE TABLE t (a text, b text COLLATE "C");
INSERT INTO t VALUES ('x', 'y');
