CREATE TABLE keep (id int PRIMARY KEY, note text);
INSERT INTO keep VALUES (1, 'one'), (2, 'two');
CREATE TABLE old_stuff (id int);
INSERT INTO old_stuff VALUES (1);
