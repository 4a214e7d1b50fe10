CREATE TABLE t (a int, b int, c int);
CREATE VIEW v AS SELECT a, b, c FROM t WHERE a > 0;
