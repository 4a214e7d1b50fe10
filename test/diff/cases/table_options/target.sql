CREATE UNLOGGED TABLE t (a int) WITH (autovacuum_enabled = false);
CREATE TABLE u (a int) WITH (fillfactor = 50, toast_tuple_target = 4000);
