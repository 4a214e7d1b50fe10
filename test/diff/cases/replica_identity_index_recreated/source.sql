-- The index a table's replica identity uses is made again (it changes):
-- the table must use the new one, or UPDATE and DELETE on a published
-- table fail (an identity without its index acts as NOTHING).
CREATE TABLE t (x int NOT NULL, y int);
CREATE UNIQUE INDEX tx ON t (x);
ALTER TABLE t REPLICA IDENTITY USING INDEX tx;
CREATE TABLE k (x int NOT NULL, y int, CONSTRAINT k_x UNIQUE (x));
ALTER TABLE k REPLICA IDENTITY USING INDEX k_x;
INSERT INTO t VALUES (1, 2);
