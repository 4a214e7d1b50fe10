CREATE TABLE t (x int, id serial, big bigserial);
CREATE TABLE u (id serial PRIMARY KEY, name text);
