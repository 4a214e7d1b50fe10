CREATE TABLE t (a int, b int, g int GENERATED ALWAYS AS (a * b) STORED);
