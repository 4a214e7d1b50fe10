CREATE TABLE t (a int, b int, c text, PRIMARY KEY (a), CHECK (b > 0), UNIQUE (c));
INSERT INTO t VALUES (1, 1, 'x'), (2, 5, 'y');
