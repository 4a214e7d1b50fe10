#!/bin/bash
# migrate on a streaming hot standby.
#
# A standby is made from the cluster of test/run.sh with pg_basebackup -R
# and started beside it (its own port and socket directory, no TCP).
# Revisions registered and applied on the primary must reach it: schema,
# version rows, current().  On the standby every read function must work
# and answer what the primary answers, and every function that changes
# anything or runs bodies (those that roll them back too: trial(),
# check_reversible()) must fail with SQLSTATE 25006
# (read_only_sql_transaction), a message that says "standby" and names the
# function called, shows no statement of migrate's own bookkeeping, and a
# hint that points to the primary.
#
# The primary needs wal_level replica or logical, free WAL senders and a
# pg_hba rule for local replication connections; PostgreSQL's defaults and
# initdb's trust setup have them, and the script adds what is missing
# (ALTER SYSTEM and a restart, a pg_hba line and a reload).  The standby is
# stopped and removed at the end, however the script ends.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables, PGDATA
# and MIGRATE_PGCTL set).
set -uo pipefail

db=migrate_standby
failures=0
ok() { echo "ok: $1"; }
fail() {
	echo "FAIL: $1"
	failures=$((failures + 1))
}
primary() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# As root, the cluster belongs to another user (test/cluster.sh); the
# standby's files and server must belong to that user too.
owner=$(stat -c %U "$PGDATA")
as_owner() {
	if [ "$owner" = "$(id -un)" ]; then
		"$@"
	else
		runuser -u "$owner" -- "$@"
	fi
}

sdir=$(mktemp -d)
chmod 755 "$sdir"
mkdir "$sdir/socket"
chown "$owner" "$sdir" "$sdir/socket"
cleanup() {
	if [ -f "$sdir/data/postmaster.pid" ]; then
		as_owner pg_ctl -D "$sdir/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$sdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the primary must allow replication
restart=0
wal_level=$(psql -X -A -t -c "SHOW wal_level") || exit 1
if [ "$wal_level" = minimal ]; then
	psql -X -q -c "ALTER SYSTEM SET wal_level = replica" || exit 1
	restart=1
fi
if [ "$(psql -X -A -t -c "SELECT current_setting('max_wal_senders')::int < 3")" = t ]; then
	psql -X -q -c "ALTER SYSTEM SET max_wal_senders = 5" || exit 1
	restart=1
fi
if [ "$restart" -eq 1 ]; then
	echo "primary: wal_level or max_wal_senders changed, restarting"
	$MIGRATE_PGCTL -w restart >/dev/null || exit 1
fi
if [ "$(psql -X -A -t -c "SELECT count(*) FROM pg_hba_file_rules
		WHERE type = 'local' AND database && '{replication,all}' AND error IS NULL
		  AND auth_method IN ('trust', 'peer')")" = 0 ]; then
	echo "primary: adding a pg_hba rule for local replication connections"
	echo "local replication all trust" >>"$PGDATA/pg_hba.conf"
	psql -X -q -c "SELECT pg_reload_conf()" >/dev/null || exit 1
fi
echo "primary: wal_level $(psql -X -A -t -c "SHOW wal_level"), max_wal_senders $(psql -X -A -t -c "SHOW max_wal_senders")"

# --- revisions before the standby exists
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
primary -q -c "SET client_min_messages = warning" -f - <<'SQL' >/dev/null || exit 1
CREATE EXTENSION migrate;
SELECT migrate.register('r1', $$CREATE TABLE account (id int PRIMARY KEY)$$, $$DROP TABLE account$$,
                        message => 'account');
SELECT migrate.upgrade('head');
SQL

# --- the standby
sport=
for _ in $(seq 1 50); do
	candidate=$((20000 + RANDOM % 40000))
	if [ "$candidate" != "$PGPORT" ] && [ ! -e "$PGHOST/.s.PGSQL.$candidate" ]; then
		sport=$candidate
		break
	fi
done
if ! as_owner pg_basebackup -D "$sdir/data" -R -X stream -c fast -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" \
	>"$sdir/basebackup.log" 2>&1; then
	cat "$sdir/basebackup.log"
	echo "FAIL: pg_basebackup"
	exit 1
fi
# the copied configuration names the primary's port and socket: override
{
	echo "port = $sport"
	echo "unix_socket_directories = '$sdir/socket'"
	echo "listen_addresses = ''"
	echo "hot_standby = on"
} >>"$sdir/data/postgresql.conf"
if ! as_owner pg_ctl -D "$sdir/data" -l "$sdir/standby.log" -w -t 60 start >/dev/null; then
	cat "$sdir/standby.log"
	echo "FAIL: the standby did not start"
	exit 1
fi
standby() { psql -X -A -t -h "$sdir/socket" -p "$sport" -d "$db" "$@"; }
if [ "$(standby -c "SELECT pg_is_in_recovery()")" = t ]; then
	ok "standby on port $sport is in recovery, streaming from the primary"
else
	echo "FAIL: the standby is not in recovery"
	exit 1
fi

# wait until the standby has replayed what the primary has written
catch_up() {
	local lsn
	lsn=$(psql -X -A -t -c "SELECT pg_current_wal_lsn()") || return 1
	for _ in $(seq 1 300); do
		[ "$(standby -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ] && return 0
		sleep 0.1
	done
	return 1
}

# --- revisions registered and applied while the standby follows.  Project
# default: r1 -> r2, with r3 registered on top but not applied.  Project
# side: s1 with two branches s2a and s2b (a branch point, two heads).
primary -q -c "SET client_min_messages = warning" -f - <<'SQL' >/dev/null || exit 1
SELECT migrate.register('r2', $$ALTER TABLE account ADD COLUMN email text$$,
                        $$ALTER TABLE account DROP COLUMN email$$, down_revision => 'r1', message => 'email');
SELECT migrate.upgrade('head');
SELECT migrate.register('r3', $$CREATE INDEX account_email ON account (email)$$,
                        $$DROP INDEX account_email$$, down_revision => 'r2', message => 'index');
SELECT migrate.register('s1', $$CREATE TABLE side_base (id int)$$, $$DROP TABLE side_base$$,
                        project => 'side', message => 'side base');
SELECT migrate.register('s2a', $$CREATE TABLE side_a (id int)$$, $$DROP TABLE side_a$$,
                        down_revision => 's1', branch_labels => 'left', project => 'side');
SELECT migrate.register('s2b', $$CREATE TABLE side_b (id int)$$, $$DROP TABLE side_b$$,
                        down_revision => 's1', branch_labels => 'right', project => 'side');
SELECT migrate.upgrade('heads', project => 'side');
-- for adopt_alembic() on the standby
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('r2');
SQL
if ! catch_up; then
	echo "FAIL: the standby did not catch up with the primary"
	tail -20 "$sdir/standby.log"
	exit 1
fi

state="SELECT (SELECT string_agg(project || '=' || revision, ',' ORDER BY project, revision) FROM migrate.version),
              (SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = 'account'),
              (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE 'side%'),
              (SELECT count(*) FROM migrate.log),
              (SELECT string_agg(c, ',') FROM migrate.current() c)"
on_primary=$(primary -c "$state")
on_standby=$(standby -c "$state")
if [ "$on_primary" = "$on_standby" ] && [ "$on_primary" = "default=r2,side=s2a,side=s2b|email,id|side_a,side_b,side_base|5|r2" ]; then
	ok "the standby follows: version rows, schema, log and current() as on the primary ($on_standby)"
else
	fail "the standby differs: primary $on_primary, standby $on_standby"
fi

# --- every read function works on the standby, and answers as the primary
reads=(
	"SELECT * FROM migrate.current()"
	"SELECT * FROM migrate.current('side')"
	"SELECT * FROM migrate.heads()"
	"SELECT * FROM migrate.heads('side')"
	"SELECT * FROM migrate.bases('side')"
	"SELECT * FROM migrate.branches('side')"
	"SELECT * FROM migrate.history()"
	"SELECT * FROM migrate.history('s1:heads', 'side')"
	"SELECT * FROM migrate.show('r2')"
	"SELECT * FROM migrate.show('left@head', 'side')"
	"SELECT * FROM migrate.pending()"
	"SELECT migrate.script('head', 'r1')"
	"SELECT migrate.revision_file('r2')"
	"SELECT * FROM migrate.verify()"
	"SELECT * FROM migrate.verify('side')"
)
for sql in "${reads[@]}"; do
	want=$(primary -c "$sql" 2>&1)
	got=$(standby -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$sql" 2>&1)
	status=$?
	if [ "$status" -eq 0 ] && [ "$got" = "$want" ]; then
		ok "standby: $sql ($(if [ -n "$got" ]; then grep -c '' <<<"$got"; else echo 0; fi) row(s), as on the primary)"
	else
		fail "standby: $sql: exit $status"
		echo "    primary: $want" | head -5
		echo "    standby: $got" | head -5
	fi
done
# the answers are not all empty (pending() lists r3, script() holds its body)
pending=$(standby -c "SELECT * FROM migrate.pending()")
script=$(standby -c "SELECT migrate.script('head', 'r1')")
grep -q r3 <<<"$pending" && grep -q "CREATE INDEX account_email" <<<"$script" ||
	fail "pending() or script() on the standby lack revision r3"

# --- every function that writes or runs bodies fails cleanly on the
# standby, naming itself ("function|call")
writes=(
	"upgrade|SELECT * FROM migrate.upgrade('head')"
	"downgrade|SELECT * FROM migrate.downgrade('-1')"
	"stamp|SELECT * FROM migrate.stamp('r1')"
	"register|SELECT migrate.register('r4', 'SELECT 1', 'SELECT 1', down_revision => 'r3')"
	"revision|SELECT migrate.revision('made on the standby', 'SELECT 1', 'SELECT 1')"
	"merge|SELECT migrate.merge('join', project => 'side')"
	"configure|SELECT migrate.configure('default', lock_timeout => '1s')"
	"apply|CALL migrate.apply('head')"
	"apply_downgrade|CALL migrate.apply_downgrade('-1')"
	"adopt_alembic|SELECT * FROM migrate.adopt_alembic(NULL, 'default')"
	"trial|SELECT * FROM migrate.trial('head')"
	"check_reversible|SELECT * FROM migrate.check_reversible()"
)
for entry in "${writes[@]}"; do
	function=${entry%%|*}
	sql=${entry#*|}
	out=$(standby -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$sql" 2>&1)
	status=$?
	err=$(grep -m1 '^ERROR:' <<<"$out")
	hint=$(grep -m1 '^HINT:' <<<"$out")
	# everything shown to the user but the C source location
	shown=$(grep -v '^LOCATION:' <<<"$out")
	problems=()
	[ "$status" -ne 0 ] || problems+=("it succeeded")
	[[ $err == "ERROR:  25006: "* ]] || problems+=("SQLSTATE is not 25006")
	grep -qi standby <<<"$err" || problems+=("the message does not say standby")
	grep -qF "migrate.$function()" <<<"$err" || problems+=("the message does not name migrate.$function()")
	grep -qi primary <<<"$hint" || problems+=("no hint naming the primary")
	if grep -Eq 'UPDATE|INSERT|DELETE|SQL statement|migrate\.(version|log|revision|project) |\$1' <<<"$shown"; then
		problems+=("internal SQL shown")
	fi
	if [ ${#problems[@]} -eq 0 ]; then
		ok "standby: $sql: $err / $hint"
	else
		fail "standby: $sql: $(IFS=';'; echo "${problems[*]}")"
		sed 's/^/    /' <<<"$out"
	fi
done

# trial() and check_reversible() likewise in a read-only transaction of the
# primary: refused up front, naming themselves
for function in "trial('head')" "check_reversible()"; do
	out=$(primary -v VERBOSITY=verbose -c "SET default_transaction_read_only = on" \
		-c "SELECT * FROM migrate.$function" 2>&1)
	if grep -q "^ERROR:  25006: cannot run migrate.${function%%(*}() in a read-only transaction" <<<"$out"; then
		ok "read-only transaction: migrate.$function refused, naming itself"
	else
		fail "read-only transaction: migrate.$function: $out"
	fi
done

# nothing above changed the primary
after=$(primary -c "$state")
[ "$after" = "$on_primary" ] && ok "the primary is as before the standby's calls" ||
	fail "the primary changed: $after"

as_owner pg_ctl -D "$sdir/data" -m fast -w stop >/dev/null || fail "the standby did not stop"
dropdb "$db"
echo "standby: $failures failure(s)"
[ "$failures" -eq 0 ]
