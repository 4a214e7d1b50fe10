CREATE TABLE t (a int, c int, d int GENERATED ALWAYS AS (a + 1) STORED, b int GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO t (a, c) VALUES (1, 5), (2, 6);
