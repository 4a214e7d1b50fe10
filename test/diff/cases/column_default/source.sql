CREATE TABLE t (a int DEFAULT 1, b text, c timestamptz DEFAULT now(), d int DEFAULT 5);
INSERT INTO t (b) VALUES ('x');
