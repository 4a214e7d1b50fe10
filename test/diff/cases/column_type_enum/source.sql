CREATE TABLE ticket (id int, state text NOT NULL DEFAULT 'open');
INSERT INTO ticket VALUES (1, 'open'), (2, 'closed');
