CREATE TABLE m (a bigint, b varchar(50), c text);
INSERT INTO m VALUES (1, 'short', 'x');
