CREATE TABLE sale (id int, amount numeric);
INSERT INTO sale VALUES (1, 10), (2, 20);
CREATE MATERIALIZED VIEW total AS SELECT sum(amount) AS s FROM sale;
CREATE UNIQUE INDEX total_s ON total (s);
COMMENT ON MATERIALIZED VIEW total IS 'all sales';
