-- Foreign keys to a partitioned table: the server clones them for each
-- partition, under names that depend on the order things were made in.
CREATE TABLE p (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20);
CREATE TABLE c (pid int REFERENCES p, qid int REFERENCES p);
