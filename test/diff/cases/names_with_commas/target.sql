CREATE TABLE "p, q" (id int);
CREATE TABLE other (id int);
CREATE TABLE c (extra int) INHERITS (other);
CREATE TABLE d (id int) INHERITS ("p, q", other);
