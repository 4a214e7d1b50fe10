CREATE TYPE color AS ENUM ('red');
CREATE TABLE t (c color);
CREATE TYPE size AS ENUM ('s', 'm', 'l');
