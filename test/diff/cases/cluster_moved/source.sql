-- The index a table is clustered on moves to another one: CLUSTER ON
-- moves the mark, and SET WITHOUT CLUSTER (after it, whatever the names)
-- would take it away again.  A primary key's index can be the one.
CREATE TABLE t (a int, b int);
CREATE INDEX tx ON t (a);
CREATE INDEX ty ON t (b);
ALTER TABLE t CLUSTER ON ty;
CREATE TABLE k (id int PRIMARY KEY, b int);
CREATE INDEX k_b ON k (b);
ALTER TABLE k CLUSTER ON k_pkey;
