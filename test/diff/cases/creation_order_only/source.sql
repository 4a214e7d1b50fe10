CREATE TYPE kind AS ENUM ('a', 'b');
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int, p_id int REFERENCES p, k kind);
CREATE INDEX c_p ON c (p_id);
CREATE VIEW cv AS SELECT id, k FROM c;
GRANT SELECT ON cv TO diff_reader;
COMMENT ON TABLE c IS 'children';
