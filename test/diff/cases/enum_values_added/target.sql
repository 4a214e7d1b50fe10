CREATE TYPE mood AS ENUM ('angry', 'sad', 'meh', 'ok', 'happy', 'ecstatic');
CREATE TABLE person (name text, current mood);
