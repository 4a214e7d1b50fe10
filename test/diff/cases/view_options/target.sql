CREATE TABLE t (a int);
CREATE VIEW v WITH (check_option = local) AS SELECT a FROM t;
CREATE VIEW w AS SELECT a FROM t WHERE a > 0;
