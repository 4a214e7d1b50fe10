-- Names may hold carriage returns and line feeds: the comment lines of the
-- script that name them (a dropped column, a rename) must not end early,
-- or the rest of the name would run as SQL (PostgreSQL ends a -- comment
-- at a carriage return as well as at a line feed).
CREATE TABLE keep (id int);
INSERT INTO keep VALUES (1);
CREATE TABLE t (id int, U&"cr\000dDROP TABLE keep; --" int, U&"lf\000aDROP TABLE keep; --" int);
INSERT INTO t VALUES (1, 2, 3);
