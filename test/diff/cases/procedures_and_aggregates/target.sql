CREATE PROCEDURE log_it(msg text) LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE '%', msg; END $$;
CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '100');
CREATE AGGREGATE biggest(int) (SFUNC = int4larger, STYPE = int, SORTOP = >, PARALLEL = SAFE);
