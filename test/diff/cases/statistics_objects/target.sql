CREATE TABLE t (a int, b int, c int);
CREATE STATISTICS st_ab (dependencies) ON a, b FROM t;
CREATE STATISTICS st_bc ON b, c FROM t;
ALTER STATISTICS st_bc SET STATISTICS 300;
