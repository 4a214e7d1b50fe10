CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE person (name text, current mood);
INSERT INTO person VALUES ('ann', 'happy'), ('bob', 'sad');
