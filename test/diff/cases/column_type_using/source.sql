CREATE TABLE reading (id int, value text, flag text, at text);
INSERT INTO reading VALUES (1, '42', 'true', '2024-01-02'), (2, '-7', 'false', '2023-12-31');
