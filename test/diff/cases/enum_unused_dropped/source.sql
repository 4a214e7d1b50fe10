CREATE TYPE color AS ENUM ('red');
CREATE TYPE shape AS ENUM ('round');
CREATE TABLE t (c color);
