#!/bin/bash
# migrate behind pgbouncer in transaction pooling mode.
#
# 1. The leak: with one server connection shared by the clients, a
#    session-level SET migrate.project by one client is what the next client
#    gets, and its upgrade('head') then runs another project (here one that
#    does not exist: 42704).  The project argument, and SET LOCAL inside a
#    transaction, are not affected.  CALL migrate.apply() cannot run in a
#    transaction block, where SET LOCAL lives: there only the project
#    argument names the project.
# 2. 16 clients (pgbench) through a pool of 4 server connections run
#    upgrade('head') on two projects, one named by the project argument and
#    one by SET LOCAL: no client error, each revision applied exactly once
#    (migrate.log and a ledger its bodies append to).
#
# pgbouncer (Debian's, installed by test/deps.sh) is configured and started
# here in a temporary directory, on 127.0.0.1 only, and stopped at the end
# however the script ends.  Runs inside the throw-away cluster of
# test/run.sh (PG* variables set).
set -uo pipefail

CLIENTS=${POOLER_CLIENTS:-16}
REVISIONS=${POOLER_REVISIONS:-60}
db=migrate_pool
failures=0
ok() { echo "ok: $1"; }
fail() {
	echo "FAIL: $1"
	failures=$((failures + 1))
}

pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
if [ ! -x "$pgbouncer" ]; then
	echo "FAIL: pgbouncer is not installed (test/deps.sh installs Debian's pgbouncer)"
	exit 1
fi

# pgbouncer refuses to run as root: as root, run it as the cluster's owner
owner=$(stat -c %U "$PGDATA")
as_owner() {
	if [ "$owner" = "$(id -un)" ]; then
		"$@"
	else
		runuser -u "$owner" -- "$@"
	fi
}

dir=$(mktemp -d)
chmod 755 "$dir"
chown "$owner" "$dir"
bouncer=
stop_pgbouncer() {
	if [ -n "$bouncer" ]; then
		[ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
		wait "$bouncer" 2>/dev/null
		bouncer=
	fi
}
trap 'stop_pgbouncer; rm -rf "$dir"' EXIT

port=
for _ in $(seq 1 50); do
	candidate=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
		port=$candidate
		break
	fi
done
[ -n "$port" ] || { echo "FAIL: no free port"; exit 1; }

# Two pools on the same database: "migrate_pool", 4 server connections for
# the concurrent clients, and "migrate_leak", a single one, so that
# consecutive clients are sure to share it.
cat >"$dir/pgbouncer.ini" <<EOF
[databases]
migrate_pool = host=$PGHOST port=$PGPORT dbname=$db pool_size=4
migrate_leak = host=$PGHOST port=$PGPORT dbname=$db pool_size=1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
max_client_conn = 100
default_pool_size = 4
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
echo "\"$PGUSER\" \"\"" >"$dir/users.txt"
chown "$owner" "$dir"/*

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL || exit 1
CREATE EXTENSION migrate;
CREATE TABLE ledger (project text NOT NULL, rev text NOT NULL);
SELECT migrate.register(p || i,
	format('INSERT INTO ledger VALUES (%L, %L)', p, p || i),
	format('DELETE FROM ledger WHERE rev = %L', p || i),
	down_revision => CASE WHEN i > 1 THEN p || (i - 1) END,
	project => CASE p WHEN 'd' THEN 'default' ELSE 'orders' END)
  FROM generate_series(1, $REVISIONS) AS i, unnest(ARRAY['d', 'o']) AS p;
SQL

# in the foreground, as a child of this script, which stops it by its pid
as_owner "$pgbouncer" -q "$dir/pgbouncer.ini" &
bouncer=$!
ready=0
for _ in $(seq 1 100); do
	[ -f "$dir/pgbouncer.pid" ] &&
		psql -X -A -t -h 127.0.0.1 -p "$port" -d migrate_pool -c "SELECT 1" >/dev/null 2>&1 && { ready=1; break; }
	sleep 0.1
done
if [ "$ready" -ne 1 ]; then
	echo "FAIL: pgbouncer does not answer on 127.0.0.1:$port"
	cat "$dir/pgbouncer.log"
	exit 1
fi
echo "pgbouncer $("$pgbouncer" --version | head -1 | awk '{print $2}') on 127.0.0.1:$port, pool_mode = transaction"

# one client connection through the pooler: its output; its messages
# (errors, NOTICEs) go to $dir/messages
via() {
	local pool=$1
	shift
	psql -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -h 127.0.0.1 -p "$port" -d "$pool" "$@" 2>"$dir/messages"
}
direct() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

echo "--- the leak, and what avoids it (one shared server connection)"
# the server connection behind migrate_leak has loaded the library and is
# at the defaults
via migrate_leak -c "SELECT migrate.current()" >/dev/null

# client 1 sets the project for its session and leaves
via migrate_leak -c "SET migrate.project = 'billing'" >/dev/null
# client 2, a new connection, never set anything
out=$(via migrate_leak -c "SELECT current_setting('migrate.project')")
if [ "$out" = billing ]; then
	ok "a session-level SET by one client is seen by the next one (migrate.project = '$out')"
else
	fail "expected the SET of the previous client to leak, the next client sees '$out'"
fi
via migrate_leak -c "SELECT * FROM migrate.upgrade('head')" >/dev/null
if grep -q 'ERROR:  42704: project "billing"' "$dir/messages"; then
	ok "so its upgrade('head') runs the leaked project: $(head -1 "$dir/messages")"
else
	fail "the next client's upgrade('head') did not run the leaked project: $(cat "$dir/messages")"
fi

# the project argument does not depend on the setting
out=$(via migrate_leak -c "SELECT string_agg(revision, ',') FROM migrate.upgrade('d2', project => 'default')")
if [ "$out" = "d1,d2" ]; then
	ok "upgrade('d2', project => 'default') runs the default project despite the leak ($out)"
else
	fail "upgrade with the project argument: $out"
fi

# SET LOCAL ends with the transaction, so nothing stays for the next client
via migrate_leak -c "RESET migrate.project" >/dev/null
out=$(via migrate_leak <<'SQL'
BEGIN;
SET LOCAL migrate.project = 'orders';
SELECT string_agg(revision, ',') FROM migrate.upgrade('o2');
COMMIT;
SQL
)
out2=$(via migrate_leak -c "SELECT current_setting('migrate.project')")
out3=$(via migrate_leak -c "SELECT string_agg(revision, ',') FROM migrate.upgrade('d3')")
if [ "$out" = "o1,o2" ] && [ "$out2" = default ] && [ "$out3" = d3 ]; then
	ok "SET LOCAL in a transaction ran project orders, and the next client is back at '$out2' (its upgrade ran $out3)"
else
	fail "SET LOCAL: the transaction printed '$out', the next client sees '$out2' and upgraded '$out3'"
fi

# CALL migrate.apply() refuses a transaction block, so SET LOCAL cannot
# name its project; the project argument can
via migrate_leak >/dev/null <<'SQL'
BEGIN;
SET LOCAL migrate.project = 'orders';
CALL migrate.apply('o3');
COMMIT;
SQL
if grep -q "ERROR:  25001: migrate.apply() cannot run inside a transaction block" "$dir/messages"; then
	ok "CALL migrate.apply() after SET LOCAL, in a transaction block: refused ($(head -1 "$dir/messages"))"
else
	fail "CALL migrate.apply() in a transaction block: $(cat "$dir/messages")"
fi
via migrate_leak -c "CALL migrate.apply('o3', 'orders')" >/dev/null
out=$(direct "SELECT string_agg(c, ',') FROM migrate.current('orders') c")
if [ "$out" = o3 ]; then
	ok "CALL migrate.apply('o3', 'orders') through the pooler: orders at $out"
else
	fail "CALL migrate.apply('o3', 'orders') through the pooler: orders at '$out': $(cat "$dir/messages")"
fi

echo "--- $CLIENTS clients at once through 4 server connections"
cat >"$dir/upgrade.sql" <<'SQL'
SELECT count(*) FROM migrate.upgrade('head', project => 'orders');
BEGIN;
SET LOCAL migrate.project = 'default';
SELECT count(*) FROM migrate.upgrade('head');
COMMIT;
SQL
if pgbench -n -h 127.0.0.1 -p "$port" -d migrate_pool -c "$CLIENTS" -j 2 -t 5 \
	-f "$dir/upgrade.sql" >"$dir/pgbench.log" 2>&1 &&
	grep -q "number of transactions actually processed: $((CLIENTS * 5))/$((CLIENTS * 5))" "$dir/pgbench.log" &&
	! grep -Eq "number of failed transactions: [1-9]|aborted" "$dir/pgbench.log"; then
	ok "pgbench: $CLIENTS clients, 5 transactions each, none failed"
else
	fail "pgbench through pgbouncer:"
	cat "$dir/pgbench.log"
fi
result=$(direct "SELECT
	(SELECT count(*) FROM ledger),
	(SELECT count(*) FROM (SELECT rev FROM ledger GROUP BY rev HAVING count(*) > 1) d),
	(SELECT count(*) FROM migrate.log WHERE operation = 'upgrade'),
	(SELECT count(*) FROM (SELECT project, revision FROM migrate.log WHERE operation = 'upgrade'
	                       GROUP BY 1, 2 HAVING count(*) > 1) d),
	(SELECT string_agg(project || '=' || revision, ',' ORDER BY project) FROM migrate.version)")
expected="$((2 * REVISIONS))|0|$((2 * REVISIONS))|0|default=d$REVISIONS,orders=o$REVISIONS"
if [ "$result" = "$expected" ]; then
	ok "each of the $((2 * REVISIONS)) revisions applied once; both projects at head ($result)"
else
	fail "ledger rows|duplicates|log rows|duplicates|versions: $result, expected $expected"
fi
servers=$(grep -c "new connection to server" "$dir/pgbouncer.log" || true)
echo "pgbouncer opened $servers server connection(s) in all"

stop_pgbouncer
dropdb "$db"
echo "pgbouncer: $failures failure(s)"
[ "$failures" -eq 0 ]
