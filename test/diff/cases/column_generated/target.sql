CREATE TABLE t (a int, c int, d int, b int GENERATED ALWAYS AS (a * 3) STORED);
