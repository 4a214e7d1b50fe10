CREATE TYPE address AS (street text, zip bigint, city text, country text, region text);
CREATE TABLE place (name text, at address);
