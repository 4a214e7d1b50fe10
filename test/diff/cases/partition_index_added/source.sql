-- An index added to a partitioned table: the script must index the
-- partitions too (CREATE INDEX on the parent, not ON ONLY, which would
-- leave the parent's index invalid and the partitions unindexed).
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2021-01-01') TO ('2022-01-01') PARTITION BY RANGE (d);
CREATE TABLE m21 PARTITION OF m2 FOR VALUES FROM ('2021-01-01') TO ('2021-07-01');
INSERT INTO m VALUES (1, '2020-05-01'), (2, '2021-02-01');
