#!/bin/bash
# CREATE EXTENSION migrate creates the cluster's role migrate_admin only
# when it is missing, and grants it EXECUTE on every function that
# migrates.  On PostgreSQL 16 and later a role with CREATEROLE has no say
# over roles a superuser made; but if it creates migrate_admin before the
# extension first comes to the cluster, it holds ADMIN OPTION on it and
# can make itself, or anyone, a migrator of every database that installs
# migrate.  The extension must not take such a role as its own (refusing
# to install is safe).  PostgreSQL 15's CREATEROLE may grant any role that
# is not a superuser's anyway, so the case is skipped there.
#
# The cluster's migrate_admin, made by earlier suites, is renamed aside for
# the test and given its name back at the end.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. test/scripts/security_lib.bash

version=$(sec_psql -d postgres -c "SHOW server_version_num") || exit 1
if [ "$version" -lt 160000 ]; then
	echo "skipped: PostgreSQL $version (CREATEROLE may grant migrate_admin there by design)"
	exit 77
fi

db=secrev_admin_role
saved=
restore() {
	dropdb --if-exists "$db" >/dev/null 2>&1
	sec_psql -d postgres -c "DROP ROLE IF EXISTS migrate_admin" >/dev/null 2>&1
	if [ -n "$saved" ]; then
		sec_psql -d postgres -c "ALTER ROLE secrev_saved_admin RENAME TO migrate_admin" >/dev/null
	fi
	sec_psql -d postgres -c "DROP ROLE IF EXISTS secrev_cr" >/dev/null 2>&1
}
trap restore EXIT

if [ "$(sec_psql -d postgres -c "SELECT count(*) FROM pg_roles WHERE rolname = 'migrate_admin'")" = 1 ]; then
	sec_psql -v ON_ERROR_STOP=1 -d postgres -c "ALTER ROLE migrate_admin RENAME TO secrev_saved_admin" >/dev/null || exit 1
	saved=yes
fi
dropdb --if-exists "$db" >/dev/null 2>&1
sec_psql -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || exit 1
CREATE ROLE secrev_cr LOGIN CREATEROLE;
SET ROLE secrev_cr;
CREATE ROLE migrate_admin NOLOGIN;
RESET ROLE;
CREATE DATABASE $db;
SQL
sec_psql -d "$db" -c "CREATE EXTENSION migrate" >/dev/null 2>&1
sec_psql -d "$db" -c "SET ROLE secrev_cr; GRANT migrate_admin TO secrev_cr" >/dev/null 2>&1
member=$(sec_psql -d "$db" -c "SELECT pg_has_role('secrev_cr', 'migrate_admin', 'MEMBER')
	AND has_function_privilege('secrev_cr', 'migrate.upgrade(text,text)', 'EXECUTE')" 2>/dev/null)
if [ "$member" = t ]; then
	sec_fail "a CREATEROLE role that made migrate_admin first became a migrator once a superuser installed migrate"
else
	sec_ok "a migrate_admin made by a CREATEROLE role does not make that role a migrator"
fi

echo "security_admin_role: $sec_failures failure(s)"
[ "$sec_failures" -eq 0 ]
