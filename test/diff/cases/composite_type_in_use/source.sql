-- A composite type that a column uses gains and loses attributes by ALTER
-- TYPE, which keeps the values of the others (no rows here: the test
-- compares the values of kept columns, and these change shape).
CREATE TYPE address AS (street text, city text, zip int);
CREATE TABLE place (name text, at address);
CREATE TABLE other (id int);
INSERT INTO other VALUES (1);
