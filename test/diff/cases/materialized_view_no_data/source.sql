-- A materialized view made WITH NO DATA stays unreadable until refreshed:
-- whether it holds its rows is part of the schema.
CREATE TABLE t (id int);
INSERT INTO t VALUES (1), (2);
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
CREATE MATERIALIZED VIEW later AS SELECT id FROM t WITH NO DATA;
