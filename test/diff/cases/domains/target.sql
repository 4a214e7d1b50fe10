CREATE DOMAIN email AS text CONSTRAINT email_check CHECK (VALUE ~ '@') CONSTRAINT email_len CHECK (length(VALUE) < 200);
CREATE DOMAIN qty AS integer DEFAULT 1;
CREATE DOMAIN unused AS varchar(10);
CREATE DOMAIN price AS numeric(10,2) CHECK (VALUE >= 0);
CREATE TABLE t (e email, q qty, p price);
