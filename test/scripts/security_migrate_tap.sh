#!/bin/bash
# migrate_tap's assertions run as whoever runs the test file, a superuser
# in CI as a rule.  Two ways a role with CREATE on public
# (doc/privileges.md has operators grant it to deployers) gets its code run
# by them:
#
#  1. migrate_tap is not a superuser's extension (superuser = false): that
#     role installs it first, owns its functions and replaces one; the
#     test file of doc/testing.md says CREATE EXTENSION
#     IF NOT EXISTS migrate_tap, which then does nothing;
#  2. the assertions call pgTAP's ok(), whose body concatenates
#     'ok ' || <an integer> unqualified; with pgTAP in public, that role's
#     public.||(text, integer) is the exact match and runs.
#
# Either refusing (the extension only a superuser may install; an assertion
# that will not run where pgTAP's schema is writable by others) or not
# calling the role's code is safe; running it is not.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. test/scripts/security_lib.bash

# 1. Installed first by the deployer.
db=secrev_tap_owner
sec_db "$db" || exit 1
sec_psql -d "$db" >/dev/null 2>&1 <<'SQL'
CREATE EXTENSION pgtap;
SELECT migrate.register('r1', 'SELECT 1');
SET ROLE secrev_dep;
CREATE EXTENSION migrate_tap;
CREATE OR REPLACE FUNCTION public.has_single_head(project text) RETURNS text LANGUAGE sql
	AS $f$SELECT 'ok 1 - ' || secrev.capture()::text$f$;
RESET ROLE;
SQL
sec_psql -d "$db" >/dev/null 2>&1 <<'SQL'
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS migrate;
CREATE EXTENSION IF NOT EXISTS migrate_tap;
SELECT plan(1);
SELECT has_single_head('default');
SELECT * FROM finish();
ROLLBACK;
SQL
sec_expect_clean "$db" "a migrate_tap a deployer installed first does not run the deployer's functions in the superuser's test file"

# 2. pgTAP's ok(), reached through migrate_tap.
db2=secrev_tap_ok
sec_db "$db2" || exit 1
sec_psql -d "$db2" >/dev/null 2>&1 <<'SQL'
CREATE EXTENSION pgtap;
CREATE EXTENSION migrate_tap;
SELECT migrate.register('r1', 'SELECT 1');
SET ROLE secrev_eve;
CREATE FUNCTION public.cat(text, integer) RETURNS text LANGUAGE sql
	AS $f$SELECT $1 OPERATOR(pg_catalog.||) $2::text OPERATOR(pg_catalog.||) pg_catalog.left(secrev.capture()::text, 0)$f$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = integer, FUNCTION = public.cat);
RESET ROLE;
SQL
# pgTAP's own plan() and finish() take the same path: only what the
# assertion adds is counted
err=$(mktemp)
delta=$(sec_psql -d "$db2" 2>"$err" <<'SQL' | tail -1
\set ON_ERROR_ROLLBACK on
BEGIN;
SELECT plan(1) \g /dev/null
SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS before FROM secrev.witness \gset
SELECT has_single_head('default') \g /dev/null
SELECT CASE WHEN is_called THEN last_value ELSE 0 END OPERATOR(pg_catalog.-) :before FROM secrev.witness;
ROLLBACK;
SQL
)
if [ "$delta" = 0 ] && grep -q "pgTAP's schema \"public\" can be written by role \"secrev_" "$err"; then
	sec_ok "migrate_tap's assertions refuse to run while pgTAP's schema can be written by another role"
elif [ "$delta" = 0 ]; then
	sec_ok "migrate_tap's assertions do not reach an operator another role created in pgTAP's schema"
else
	sec_fail "migrate_tap's has_single_head() ran an operator another role created in pgTAP's schema as the superuser ($delta time(s))"
fi

rm -f "$err"
sec_end security_migrate_tap "$db" "$db2"
