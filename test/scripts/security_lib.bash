# Helpers of the test/scripts/security_*.sh suites, sourced (not a suite:
# test/in_cluster.sh runs *.sh only).
#
# Each suite attacks the superuser the cluster's PG* variables connect as,
# from two ordinary roles, and checks that the attack does not work:
#
#   secrev_dep   a migrator (member of migrate_admin) with CREATE on the
#                database and on public, as README "Privileges" has
#                operators grant deployers;
#   secrev_eve   no migrator: CREATE on public only.
#
# Whatever the attackers make the superuser run calls secrev.capture(), which
# counts in the sequence secrev.witness when it runs as a superuser (a
# schema of its own: autogenerate() would drop them from public).
# A sequence, not a table: its count survives the rollbacks of trial(),
# check_reversible() and autogenerate()'s proof.

sec_failures=0

sec_psql() {
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t "$@"
}

sec_ok() { echo "ok: $1"; }
sec_fail() {
	echo "FAIL: $1"
	sec_failures=$((sec_failures + 1))
}

# sec_db NAME: a fresh database with migrate, the witness and capture(),
# and the two roles (created once for the cluster).
sec_db() {
	local db=$1
	dropdb --if-exists "$db" >/dev/null 2>&1
	sec_psql -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL' || return 1
SELECT 'CREATE ROLE secrev_dep LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'secrev_dep') \gexec
SELECT 'CREATE ROLE secrev_eve LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'secrev_eve') \gexec
SQL
	createdb "$db" || return 1
	sec_psql -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL || return 1
CREATE EXTENSION migrate;
GRANT migrate_admin TO secrev_dep;
GRANT CREATE ON DATABASE $db TO secrev_dep;
GRANT CREATE ON SCHEMA public TO secrev_dep, secrev_eve;
CREATE SCHEMA secrev;
GRANT USAGE ON SCHEMA secrev TO PUBLIC;
CREATE SEQUENCE secrev.witness;
GRANT USAGE ON SEQUENCE secrev.witness TO PUBLIC;
-- what every attacker's function does: count a run as a superuser (the
-- current user's attribute: is_superuser follows SET ROLE, not every
-- change of the current user)
CREATE FUNCTION secrev.capture() RETURNS integer LANGUAGE sql AS
\$\$SELECT CASE WHEN (SELECT r.rolsuper FROM pg_catalog.pg_roles r
	WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
	THEN pg_catalog.nextval('secrev.witness'::pg_catalog.regclass)::integer ELSE 0 END\$\$;
SQL
}

# sec_captured DB: how many times an attacker's function ran as a superuser
sec_captured() {
	sec_psql -d "$1" -c "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM secrev.witness"
}

# sec_expect_clean DB WHAT: no attacker's function ran as a superuser
sec_expect_clean() {
	local n
	n=$(sec_captured "$1") || n=error
	if [ "$n" = 0 ]; then
		sec_ok "$2"
	else
		sec_fail "$2 (a function of another role ran as the superuser: $n time(s))"
	fi
}

# sec_end SUITE DB...: drop the databases, report, exit
sec_end() {
	local suite=$1
	shift
	for db in "$@"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
	echo "$suite: $sec_failures failure(s)"
	[ "$sec_failures" -eq 0 ]
	exit
}
