-- A trigger a partition has from its parent can be disabled on that
-- partition alone; a partition made after the trigger gets it too.
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER t1 AFTER INSERT ON m FOR EACH ROW EXECUTE FUNCTION trg();
