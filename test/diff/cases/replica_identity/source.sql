CREATE TABLE t (a int NOT NULL, b int);
CREATE UNIQUE INDEX t_a ON t (a);
CREATE TABLE u (a int);
