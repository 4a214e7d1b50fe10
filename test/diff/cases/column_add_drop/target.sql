CREATE TABLE person (id int PRIMARY KEY, name text, email text, active boolean NOT NULL DEFAULT true);
