CREATE TABLE person (id int PRIMARY KEY, name text, nickname text);
INSERT INTO person VALUES (1, 'Ann', 'A'), (2, 'Bob', NULL);
