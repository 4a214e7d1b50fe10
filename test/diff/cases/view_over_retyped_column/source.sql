CREATE TABLE item (id int PRIMARY KEY, price numeric(8,2), label varchar(20));
INSERT INTO item VALUES (1, 9.99, 'pen'), (2, 100, 'book');
CREATE VIEW cheap AS SELECT id, price, label FROM item WHERE price < 50;
CREATE VIEW cheap_labels AS SELECT label FROM cheap;
COMMENT ON VIEW cheap IS 'under 50';
GRANT SELECT ON cheap TO diff_reader;
