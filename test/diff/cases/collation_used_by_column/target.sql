CREATE COLLATION mycoll FROM "C";
CREATE TABLE t (id int, name text COLLATE mycoll);
