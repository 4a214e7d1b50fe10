CREATE TABLE t (id int, fullname text);
INSERT INTO t VALUES (1, 'Ann');
