CREATE TABLE m (a int, b varchar(10), c numeric(8,2), d smallint, e real);
INSERT INTO m VALUES (1, 'x', 1.25, 3, 1.5), (2147483647, 'abcdefghij', 999999.99, -3, NULL);
