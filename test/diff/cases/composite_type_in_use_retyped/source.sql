-- What ALTER TYPE cannot do to a type in use is said: an attribute of
-- another type, attributes in another order.
CREATE TYPE address AS (street text, zip int, city text);
CREATE TABLE place (name text, at address);
