CREATE TABLE sale (id int, amount numeric);
CREATE MATERIALIZED VIEW total AS SELECT sum(amount) AS s, count(*) AS n FROM sale;
CREATE UNIQUE INDEX total_s ON total (s);
COMMENT ON MATERIALIZED VIEW total IS 'all sales';
CREATE MATERIALIZED VIEW big AS SELECT id FROM sale WHERE amount > 15;
