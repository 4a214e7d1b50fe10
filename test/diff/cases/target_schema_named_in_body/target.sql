-- A body given as a string is copied as written: one that names its own
-- schema would go on using it from the source schema, so the script says
-- so instead of writing it.
CREATE TABLE t (id int);
DO $$ BEGIN
    EXECUTE format($f$CREATE FUNCTION total() RETURNS bigint LANGUAGE plpgsql
        AS 'BEGIN RETURN (SELECT count(*) FROM %I.t); END'$f$, current_schema());
END $$;
