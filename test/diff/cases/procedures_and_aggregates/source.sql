CREATE PROCEDURE log_it(msg text) LANGUAGE sql AS $$ SELECT msg $$;
CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
