CREATE TABLE m (a bigint, b varchar(50), c numeric(12,2), d integer, e double precision);
