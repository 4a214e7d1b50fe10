#!/bin/bash
# A revision registered by a less privileged role is refused to a
# superuser "with a hint to SET ROLE deployer" (doc/privileges.md).  A
# superuser who follows the hint, then RESET ROLE and goes on in the same
# session, must not run anything the body left behind in the session:
# a temporary table (searched before every schema) whose trigger runs as
# whoever writes to it, a deferred trigger that fires at COMMIT as the role
# then current (PostgreSQL before 18), a prepared statement the session
# executes later under its own name (after upgrade(), and after trial(),
# which claims to put the session's prepared statements back).  A body
# refused such things, or a run that leaves none of them, is safe; the
# superuser running the deployer's SQL is not.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. test/scripts/security_lib.bash

# 1. A temporary table shadowing a table the superuser writes to afterwards.
db=secrev_state_temp
sec_db "$db" || exit 1
sec_psql -d "$db" >/dev/null 2>&1 <<'SQL'
CREATE TABLE public.audit (msg text);
SET ROLE secrev_dep;
SELECT migrate.register('s1', $body$
CREATE TABLE widgets (id int);
CREATE TEMP TABLE audit (msg text);
CREATE FUNCTION pg_temp.audit_row() RETURNS trigger LANGUAGE plpgsql
	AS $f$BEGIN PERFORM secrev.capture(); RETURN NEW; END$f$;
CREATE TRIGGER audit_row BEFORE INSERT ON pg_temp.audit
	FOR EACH ROW EXECUTE FUNCTION pg_temp.audit_row();
$body$);
RESET ROLE;
SET ROLE secrev_dep;
SELECT count(*) FROM migrate.upgrade();
RESET ROLE;
INSERT INTO audit VALUES ('deployed');
SQL
sec_expect_clean "$db" "a temporary table a body left behind does not capture the superuser's next INSERT after RESET ROLE"

# 2. A deferred constraint trigger queued by the body, fired at COMMIT of a
# transaction the superuser goes on with after RESET ROLE.
db2=secrev_state_deferred
sec_db "$db2" || exit 1
sec_psql -d "$db2" >/dev/null 2>&1 <<'SQL'
SET ROLE secrev_dep;
SELECT migrate.register('d1', $body$
CREATE TABLE queue (id int);
CREATE FUNCTION public.queue_check() RETURNS trigger LANGUAGE plpgsql
	AS $f$BEGIN PERFORM secrev.capture(); RETURN NULL; END$f$;
CREATE CONSTRAINT TRIGGER queue_check AFTER INSERT ON queue
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.queue_check();
INSERT INTO queue VALUES (1);
$body$);
RESET ROLE;
BEGIN;
SET LOCAL ROLE secrev_dep;
SELECT count(*) FROM migrate.upgrade();
RESET ROLE;
COMMIT;
SQL
sec_expect_clean "$db2" "a deferred trigger a body queued does not fire as the superuser at COMMIT after RESET ROLE"

# 3. A prepared statement of the session, replaced by the body under the
# same name, executed by the session afterwards.
db3=secrev_state_prepared
sec_db "$db3" || exit 1
sec_psql -d "$db3" >/dev/null 2>&1 <<'SQL'
SET ROLE secrev_dep;
SELECT migrate.register('p1', $body$
DEALLOCATE report;
PREPARE report AS SELECT secrev.capture();
$body$);
RESET ROLE;
PREPARE report AS SELECT 0;
SET ROLE secrev_dep;
SELECT count(*) FROM migrate.upgrade();
RESET ROLE;
EXECUTE report;
SQL
sec_expect_clean "$db3" "a prepared statement a body replaced is not executed as the superuser after RESET ROLE"

# 4. The same through trial(), which rolls the body back and puts the
# session's prepared statements back -- by name only.
db4=secrev_state_trial
sec_db "$db4" || exit 1
sec_psql -d "$db4" >/dev/null 2>&1 <<'SQL'
SET ROLE secrev_dep;
SELECT migrate.register('q1', $body$
DEALLOCATE report;
PREPARE report AS SELECT secrev.capture();
$body$);
RESET ROLE;
PREPARE report AS SELECT 0;
SET ROLE secrev_dep;
SELECT count(*) FROM migrate.trial();
RESET ROLE;
EXECUTE report;
SQL
sec_expect_clean "$db4" "trial() puts back a prepared statement a body replaced under the same name"
replaced=$(sec_psql -d "$db4" 2>&1 <<'SQL'
PREPARE report AS SELECT 0;
SET client_min_messages = warning;
SET ROLE secrev_dep;
SELECT count(*) FROM migrate.trial();
RESET ROLE;
SELECT statement FROM pg_catalog.pg_prepared_statements WHERE name = 'report';
SQL
)
case $replaced in
	*secrev.capture*) sec_fail "after trial(), the session's prepared statement is the body's: $(echo "$replaced" | tail -1)" ;;
	*) sec_ok "after trial(), the session's prepared statement is its own again, or gone" ;;
esac

sec_end security_session_state "$db" "$db2" "$db3" "$db4"
