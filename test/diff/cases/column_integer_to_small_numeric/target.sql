CREATE TABLE m (a numeric(3,0), b numeric(12,2), c numeric(19,0));
