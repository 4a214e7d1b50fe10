-- When a foreign key is checked changes by ALTER CONSTRAINT, not by
-- dropping and adding it again (which would check every row again).
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (a int REFERENCES p, b int REFERENCES p DEFERRABLE, e int REFERENCES p ON DELETE CASCADE);
INSERT INTO p VALUES (1);
INSERT INTO c VALUES (1, 1, 1);
