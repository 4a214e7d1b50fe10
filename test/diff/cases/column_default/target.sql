CREATE TABLE t (a int DEFAULT 2, b text DEFAULT 'none', c timestamptz, d int DEFAULT 5);
