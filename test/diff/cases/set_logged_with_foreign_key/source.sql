-- Tables turned logged (or unlogged) that reference each other: a logged
-- table cannot reference an unlogged one, so the referenced table turns
-- logged first, and unlogged last.
CREATE UNLOGGED TABLE p (id int PRIMARY KEY);
CREATE UNLOGGED TABLE c (id int PRIMARY KEY, pid int REFERENCES p);
CREATE UNLOGGED TABLE b (cid int REFERENCES c);
INSERT INTO p VALUES (1);
INSERT INTO c VALUES (1, 1);
