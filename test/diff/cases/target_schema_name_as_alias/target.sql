-- The target schema's name as a table's and as an alias: only qualifiers
-- are turned into the source schema's, never a table's name or an alias
-- ("b.id" is column id of the table known as b, "b.b" table b of schema b).
CREATE TABLE b (id int PRIMARY KEY, a int);
CREATE TABLE t (id int REFERENCES b, b int);
CREATE VIEW v AS SELECT b.id, b.a, x.b FROM b JOIN t x ON x.id = b.id;
CREATE VIEW w AS SELECT b.id FROM t b WHERE b.b > 0;
