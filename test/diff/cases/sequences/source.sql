CREATE SEQUENCE counter;
CREATE SEQUENCE dropped_seq;
CREATE TABLE t (id int DEFAULT nextval('counter'));
SELECT setval('counter', 42);
