CREATE TABLE t (a int, b int, c text);
CREATE INDEX t_ab ON t (a, b);
CREATE INDEX t_c ON t (c);
CREATE INDEX t_old ON t (b);
INSERT INTO t VALUES (1, 2, 'x');
