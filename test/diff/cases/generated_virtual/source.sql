CREATE TABLE t (a int, b int, v int GENERATED ALWAYS AS (a + b) VIRTUAL);
INSERT INTO t (a, b) VALUES (1, 2);
