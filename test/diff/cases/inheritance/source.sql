CREATE TABLE base (id int, created date DEFAULT current_date);
CREATE TABLE child (extra text) INHERITS (base);
CREATE TABLE loner (id int, created date);
INSERT INTO child VALUES (1, '2024-01-01', 'x');
