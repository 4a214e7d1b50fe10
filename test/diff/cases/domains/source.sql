CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN qty AS integer DEFAULT 0 NOT NULL;
CREATE DOMAIN unused AS text;
CREATE TABLE t (e email, q qty);
INSERT INTO t VALUES ('a@b', 3);
