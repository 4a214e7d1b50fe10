CREATE TABLE keep (id int);
CREATE TABLE t (id int, other int);
