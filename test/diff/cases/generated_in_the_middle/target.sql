CREATE TABLE t (a bigint, g int GENERATED ALWAYS AS (a * 2) STORED, c int);
