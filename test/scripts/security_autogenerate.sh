#!/bin/bash
# migrate.autogenerate() copies the definitions of the desired schema's
# objects (function bodies, defaults) into a revision it registers under
# the caller's name, after running it once to prove it (rolled back).  When
# another role owns that schema, the caller -- a superuser here -- must not
# run that role's code: not during the proof (what a function does outside
# the transaction stays), and not later, as the body of a revision that
# migrate then takes for the superuser's own.  Refusing a desired schema
# written by a role without the caller's privileges (42501) is safe.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. test/scripts/security_lib.bash

db=secrev_autogenerate
sec_db "$db" || exit 1
sec_psql -d "$db" >/dev/null 2>&1 <<'SQL'
SELECT migrate.register('g1', 'CREATE TABLE public.t (id int)');
SELECT count(*) FROM migrate.upgrade();
INSERT INTO public.t VALUES (1);
SET ROLE secrev_dep;
CREATE SCHEMA desired;
CREATE FUNCTION desired.next_x() RETURNS int LANGUAGE plpgsql VOLATILE
	AS $f$BEGIN PERFORM secrev.capture(); RETURN 0; END$f$;
CREATE TABLE desired.t (id int, x int DEFAULT desired.next_x());
RESET ROLE;
SELECT migrate.autogenerate('add x', 'desired', 'public');
SQL
sec_expect_clean "$db" "autogenerate() from a schema a deployer owns does not run the deployer's code as the superuser while proving the revision"

sec_psql -d "$db" >/dev/null 2>&1 -c "SELECT count(*) FROM migrate.upgrade()"
sec_expect_clean "$db" "a revision autogenerate() made from a deployer's schema does not run the deployer's code as the superuser when upgraded"

sec_end security_autogenerate "$db"
