CREATE TABLE t (a int, b int, c int);
CREATE STATISTICS st_ab (ndistinct) ON a, b FROM t;
