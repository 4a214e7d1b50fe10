-- A serial column turned identity (and back): the new counter goes on
-- from where the old one was, or the next row would collide with the
-- rows already there.
CREATE TABLE t (id serial PRIMARY KEY, v text);
INSERT INTO t (v) VALUES ('a'), ('b'), ('c');
CREATE TABLE other (id bigserial PRIMARY KEY);
INSERT INTO other DEFAULT VALUES;
INSERT INTO other DEFAULT VALUES;
