CREATE TABLE reading (id int, value integer, flag boolean, at date);
