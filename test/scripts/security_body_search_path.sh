#!/bin/bash
# A superuser's own revision, run by the superuser, cannot be captured
# through the search_path migrate gives its body: the project's target
# schema first, then the caller's search_path.  A role that may put objects
# in one of those schemas -- CREATE on the target schema, CREATE on public
# (as doc/privileges.md advises for deployers), a database owner's ALTER
# DATABASE ... SET search_path, a schema named after the superuser
# ("$user"), or a migrator resetting the project's target schema with
# configure() -- creates a function that matches the body's call better
# than pg_catalog's (lower(varchar) where pg_catalog has lower(text)), or
# a table the body then writes to; it must never run as the superuser.
# Refusing the run (42501) is a safe outcome; running it is not.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. test/scripts/security_lib.bash

# the body every case runs as the superuser: a common migration
body='UPDATE users SET email = lower(email)'

# 1. CREATE on the project's target schema, granted to a role that is not
# even a migrator: migrate checks the schema's owner and the role that
# configured it, not who else may create objects in it.
db=secrev_path_target
sec_db "$db" || exit 1
sec_psql -d "$db" >/dev/null 2>&1 <<SQL
CREATE SCHEMA app;
GRANT USAGE, CREATE ON SCHEMA app TO secrev_eve;
SELECT migrate.configure('default', target_schema => 'app');
SELECT migrate.register('t1', 'CREATE TABLE users (email varchar(200))');
SELECT migrate.register('t2', '$body', down_revision => 't1');
SELECT count(*) FROM migrate.upgrade('t1');
INSERT INTO app.users VALUES ('Root@Example.org');
SET ROLE secrev_eve;
CREATE FUNCTION app.lower(varchar) RETURNS text LANGUAGE sql
	AS 'SELECT pg_catalog.lower(\$1::pg_catalog.text) || secrev.capture()::text';
RESET ROLE;
SELECT count(*) FROM migrate.upgrade();
SQL
sec_expect_clean "$db" "a function in the target schema by a role with CREATE on it does not run as the superuser running the body"

# 2. No target schema: the body runs with the caller's search_path
# ("\$user", public), and the deployer may create objects in public.
db2=secrev_path_public
sec_db "$db2" || exit 1
sec_psql -d "$db2" >/dev/null 2>&1 <<SQL
SELECT migrate.register('p1', 'CREATE TABLE users (email varchar(200))');
SELECT migrate.register('p2', '$body', down_revision => 'p1');
SELECT count(*) FROM migrate.upgrade('p1');
INSERT INTO public.users VALUES ('Root@Example.org');
SET ROLE secrev_dep;
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql
	AS 'SELECT pg_catalog.lower(\$1::pg_catalog.text) || secrev.capture()::text';
RESET ROLE;
SELECT count(*) FROM migrate.upgrade();
SQL
sec_expect_clean "$db2" "a function in public by a deployer with CREATE on it does not run as the superuser running the body"

# 3. The database's owner, not a superuser, sets the search_path of every
# session of the database (ALTER DATABASE ... SET), the superuser's too.
db3=secrev_path_dbowner
sec_db "$db3" || exit 1
sec_psql -d "$db3" >/dev/null 2>&1 <<SQL
ALTER DATABASE $db3 OWNER TO secrev_dep;
SELECT migrate.register('o1', 'CREATE TABLE public.users (email varchar(200))');
SELECT migrate.register('o2', '$body', down_revision => 'o1');
SELECT count(*) FROM migrate.upgrade('o1');
INSERT INTO public.users VALUES ('Root@Example.org');
SET ROLE secrev_dep;
CREATE SCHEMA owners;
CREATE FUNCTION owners.lower(varchar) RETURNS text LANGUAGE sql
	AS 'SELECT pg_catalog.lower(\$1::pg_catalog.text) || secrev.capture()::text';
ALTER DATABASE $db3 SET search_path = owners, public;
SQL
# a new session of the superuser: the database's search_path applies
sec_psql -d "$db3" >/dev/null 2>&1 -c "SELECT count(*) FROM migrate.upgrade()"
sec_expect_clean "$db3" "a function in a schema the database owner put on the database's search_path does not run as the superuser running the body"

# 4. The same through CALL migrate.apply(): a non-transactional body runs
# in the background worker, with the same search_path.
db4=secrev_path_worker
sec_db "$db4" || exit 1
sec_psql -d "$db4" >/dev/null 2>&1 <<SQL
CREATE SCHEMA app;
GRANT USAGE, CREATE ON SCHEMA app TO secrev_eve;
SELECT migrate.configure('default', target_schema => 'app');
SELECT migrate.register('w1', 'CREATE TABLE users (email varchar(200))');
SELECT migrate.register('w2', '$body', down_revision => 'w1', transactional => false);
SELECT count(*) FROM migrate.upgrade('w1');
INSERT INTO app.users VALUES ('Root@Example.org');
SET ROLE secrev_eve;
CREATE FUNCTION app.lower(varchar) RETURNS text LANGUAGE sql
	AS 'SELECT pg_catalog.lower(\$1::pg_catalog.text) || secrev.capture()::text';
RESET ROLE;
CALL migrate.apply();
SQL
sec_expect_clean "$db4" "a function in the target schema by a role with CREATE on it does not run as the superuser in apply()'s worker"

# 5. "\$user" in the caller's search_path: a role with CREATE on the
# database creates the schema named after the superuser, which every
# session of the superuser then searches before public.
db5=secrev_path_user
sec_db "$db5" || exit 1
su=$(sec_psql -d "$db5" -c "SELECT current_user")
sec_psql -d "$db5" >/dev/null 2>&1 <<SQL
SELECT migrate.register('u1', 'CREATE TABLE public.users (email varchar(200))');
SELECT migrate.register('u2', '$body', down_revision => 'u1');
SELECT count(*) FROM migrate.upgrade('u1');
INSERT INTO public.users VALUES ('Root@Example.org');
SET ROLE secrev_dep;
CREATE SCHEMA "$su";
CREATE FUNCTION "$su".lower(varchar) RETURNS text LANGUAGE sql
	AS 'SELECT pg_catalog.lower(\$1::pg_catalog.text) || secrev.capture()::text';
RESET ROLE;
SELECT count(*) FROM migrate.upgrade();
SQL
sec_expect_clean "$db5" "a function in a schema a deployer named after the superuser (\"\$user\") does not run as the superuser running the body"

# 6. A migrator takes the target schema away: configure() without one
# resets it to none, and who configured that is checked only for a target
# schema that is set.  The superuser's body then finds the migrator's
# table in public instead of its own in the target schema, and the
# table's trigger runs as the superuser.
db6=secrev_path_reset
sec_db "$db6" || exit 1
sec_psql -d "$db6" >/dev/null 2>&1 <<'SQL'
CREATE SCHEMA app;
SELECT migrate.configure('default', target_schema => 'app');
SELECT migrate.register('c1', 'CREATE TABLE users (email text)');
SELECT migrate.register('c2', 'UPDATE users SET email = pg_catalog.lower(email)', down_revision => 'c1');
SELECT count(*) FROM migrate.upgrade('c1');
INSERT INTO app.users VALUES ('Root@Example.org');
SET ROLE secrev_dep;
SELECT migrate.configure('default');
CREATE TABLE public.users (email text);
INSERT INTO public.users VALUES ('x');
CREATE FUNCTION public.users_row() RETURNS trigger LANGUAGE plpgsql
	AS $f$BEGIN PERFORM secrev.capture(); RETURN NEW; END$f$;
CREATE TRIGGER users_row BEFORE UPDATE ON public.users
	FOR EACH ROW EXECUTE FUNCTION public.users_row();
RESET ROLE;
SELECT count(*) FROM migrate.upgrade();
SQL
sec_expect_clean "$db6" "a migrator who resets the project's target schema does not get the superuser's body to run its trigger"

sec_end security_body_search_path "$db" "$db2" "$db3" "$db4" "$db5" "$db6"
