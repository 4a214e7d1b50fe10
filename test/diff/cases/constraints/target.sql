CREATE TABLE t (a int, b int, c text, PRIMARY KEY (a, b), CONSTRAINT t_b_check CHECK (b >= 0), UNIQUE (b, c));
