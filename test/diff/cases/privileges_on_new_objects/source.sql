CREATE TABLE base (a int);
