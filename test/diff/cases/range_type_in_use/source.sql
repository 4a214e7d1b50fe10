-- A range type that a column uses cannot be altered: the script says so.
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE t (r floatrange);
