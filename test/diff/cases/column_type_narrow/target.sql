CREATE TABLE m (a integer, b varchar(10), c varchar(5));
