CREATE TABLE t (id int, full_name text);
