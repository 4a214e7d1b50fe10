-- What the script does not write is never skipped silently: each object of
-- those kinds only in one schema, or different, gets a NOT DONE note.
CREATE TABLE t (id int);
