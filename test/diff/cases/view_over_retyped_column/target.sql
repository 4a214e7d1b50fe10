CREATE TABLE item (id int PRIMARY KEY, price numeric(12,2), label text);
CREATE VIEW cheap AS SELECT id, price, label FROM item WHERE price < 50;
CREATE VIEW cheap_labels AS SELECT label FROM cheap;
COMMENT ON VIEW cheap IS 'under 50';
GRANT SELECT ON cheap TO diff_reader;
