-- A typed table (CREATE TABLE ... OF type) has its columns from its type:
-- they change with the type (ALTER TYPE ... CASCADE), and the table only
-- gives them options (WITH OPTIONS ... DEFAULT, NOT NULL).
CREATE TYPE ct AS (a int, b text);
CREATE TABLE tt OF ct (a WITH OPTIONS NOT NULL DEFAULT 3);
INSERT INTO tt VALUES (1, 'x');
