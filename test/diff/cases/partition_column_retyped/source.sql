-- A partitioned table's column changes type, default and NOT NULL: the
-- partitions follow their parent (ALTER ... TYPE on a partition's inherited
-- column fails), and a view over a partition's column is dropped first and
-- created again after.
CREATE TABLE m (id int, d date, v int) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE VIEW m1_v AS SELECT id, v FROM m1;
CREATE TABLE base (id int, v int);
CREATE TABLE child (extra text) INHERITS (base);
INSERT INTO m VALUES (1, '2020-05-01', 7);
INSERT INTO child VALUES (1, 2, 'x');
