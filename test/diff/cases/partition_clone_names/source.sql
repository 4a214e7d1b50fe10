-- The indexes, keys and triggers a partition gets from its parent are
-- named by the server, in the order they were made: the same schema built
-- in another order names them otherwise, and is still the same schema.
CREATE TABLE m (id int, d date, PRIMARY KEY (id, d), UNIQUE (d, id)) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE INDEX ia ON m (id);
CREATE INDEX ib ON m USING hash (id);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER t1 AFTER INSERT ON m FOR EACH ROW EXECUTE FUNCTION trg();
