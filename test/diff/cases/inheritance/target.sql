CREATE TABLE base (id int, created date DEFAULT current_date);
CREATE TABLE child (id int, created date, extra text);
CREATE TABLE loner (id int, created date DEFAULT current_date) INHERITS (base);
