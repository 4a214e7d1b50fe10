CREATE TABLE country (code text PRIMARY KEY);
CREATE TABLE city (name text, country text REFERENCES country);
CREATE VIEW city_names AS SELECT name FROM city;
INSERT INTO country VALUES ('fr');
INSERT INTO city VALUES ('Paris', 'fr');
