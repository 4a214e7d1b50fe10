#!/bin/bash
# migrate.script() is "the SQL upgrade() would run", meant to be run with
# psql -f; it writes migrate's tables, so whoever runs it is their owner,
# a superuser as a rule.  upgrade() refuses a superuser a body registered
# by a less privileged role; the script of the same revisions must not run
# that body as the superuser either (script() refusing it, 42501, is safe).
# And psql runs its backslash commands as it reads a file: a body must not
# bring one into a script (\! runs a shell command on the machine of
# whoever runs the script).  The server can never run such a body (a
# backslash outside a string is a syntax error), so script() has no reason
# to write it.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. test/scripts/security_lib.bash

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# 1. A deployer's body in the script a superuser runs.
db=secrev_script_author
sec_db "$db" || exit 1
sec_psql -d "$db" >/dev/null 2>&1 <<'SQL'
SET ROLE secrev_dep;
SELECT migrate.register('a1', 'CREATE TABLE t (id int); SELECT secrev.capture();');
RESET ROLE;
SQL
sec_psql -d "$db" -o "$work/author.sql" -c "SELECT migrate.script()" 2>/dev/null
if [ -s "$work/author.sql" ]; then
	sec_psql -d "$db" -f "$work/author.sql" >/dev/null 2>&1
fi
sec_expect_clean "$db" "the script of a deployer's revision does not run the deployer's body as the superuser"

# 2. A psql command in a body: the script must not run it.
db2=secrev_script_meta
sec_db "$db2" || exit 1
marker=$work/shell_ran
sec_psql -d "$db2" >/dev/null 2>&1 <<SQL
SELECT migrate.register('m1', E'CREATE TABLE m (id int);\n\\\\! touch $marker\n');
SQL
sec_psql -d "$db2" -o "$work/meta.sql" -c "SELECT migrate.script()" 2>/dev/null
if [ -s "$work/meta.sql" ]; then
	sec_psql -d "$db2" -f "$work/meta.sql" >/dev/null 2>&1
fi
if [ -e "$marker" ]; then
	sec_fail "a psql command (\\!) in a body ran when its script was run with psql -f"
else
	sec_ok "a psql command in a body does not reach the script"
fi

sec_end security_script "$db" "$db2"
