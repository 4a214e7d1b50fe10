CREATE TYPE address AS (street text, city text, country text COLLATE "C");
CREATE TABLE place (name text, at address);
CREATE TABLE other (id int);
