-- Names holding ", " (the separator of lists the model keeps, such as a
-- table's parents) are not split.
CREATE TABLE "p, q" (id int);
CREATE TABLE other (id int);
CREATE TABLE c (extra int) INHERITS ("p, q");
CREATE TABLE d (id int);
