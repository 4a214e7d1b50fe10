#!/bin/bash
# Faults in the middle of a revision: the server killed (immediate stop),
# the backend cancelled, the backend terminated, the client gone.  After
# each, schema, version rows and log must be exactly as before the call,
# the migration lock must be free, and the next upgrade('head') completes.
#
# Runs inside the throw-away cluster of test/run.sh (test/cluster.sh: PG*
# variables set, $MIGRATE_PGCTL runs pg_ctl on the cluster).
set -uo pipefail

db=migrate_crash
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

q() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

# Everything a run could leave behind, as one comparable text.  (A failed
# run writes a log row of its failure, on its own: those are not counted.)
snapshot() {
	q "SELECT coalesce(string_agg(c, ','), '-') FROM migrate.current() c" || return 1
	q "SELECT count(*) FROM migrate.log WHERE error IS NULL" || return 1
	q "SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '-') FROM migrate.version" || return 1
	q "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '-') FROM pg_class
	   WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'" || return 1
	q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1835624306" || return 1
}

# Wait until the migrating backend sleeps inside revision c2's body.
wait_for_body() {
	for _ in $(seq 1 200); do
		pid=$(q "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep'
				 AND query LIKE '%migrate.upgrade%' LIMIT 1")
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.05
	done
	return 1
}

wait_for_server() {
	for _ in $(seq 1 200); do
		pg_isready -q -d "$db" && return 0
		sleep 0.1
	done
	return 1
}

check() {
	local what=$1 before=$2 after=$3
	if [ "$before" = "$after" ]; then
		echo "ok: $what: state as before the call ($(echo "$after" | tr '\n' ' '))"
	else
		echo "FAIL: $what: state changed"
		echo "  before: $(echo "$before" | tr '\n' ' ')"
		echo "  after:  $(echo "$after" | tr '\n' ' ')"
		failures=$((failures + 1))
	fi
}

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL' || exit 1
CREATE EXTENSION migrate;
CREATE TABLE crash_ctl (secs float8);
INSERT INTO crash_ctl VALUES (60);
SELECT migrate.register('c1', 'CREATE TABLE c1_table (id int)', 'DROP TABLE c1_table', message => 'before');
SELECT migrate.register('c2', $$INSERT INTO c1_table VALUES (1);
	SELECT pg_sleep((SELECT secs FROM crash_ctl))$$,
	'DELETE FROM c1_table', down_revision => 'c1', message => 'slow');
SELECT migrate.register('c3', 'CREATE TABLE c3_table (id int)', 'DROP TABLE c3_table',
	down_revision => 'c2', message => 'after');
SQL

# one applied revision before the faults, so "as before" is not just "empty"
q "SELECT count(*) FROM migrate.upgrade('c1')" >/dev/null || exit 1
before=$(snapshot)

# 1. the server is killed while the body runs
psql -X -d "$db" -c "SELECT * FROM migrate.upgrade('head')" >"$work/immediate.log" 2>&1 &
client=$!
if pid=$(wait_for_body); then
	$MIGRATE_PGCTL -w -m immediate stop >/dev/null
	wait "$client"
	$MIGRATE_PGCTL -w start >/dev/null
	wait_for_server
	check "server stopped -m immediate in revision c2" "$before" "$(snapshot)"
else
	echo "FAIL: the upgrade never reached revision c2"; failures=$((failures + 1)); wait "$client"
fi

# 2. the backend is cancelled
psql -X -d "$db" -c "SELECT * FROM migrate.upgrade('head')" >"$work/cancel.log" 2>&1 &
client=$!
if pid=$(wait_for_body); then
	q "SELECT pg_cancel_backend($pid)" >/dev/null
	wait "$client"
	grep -q "canceling statement due to user request" "$work/cancel.log" &&
		grep -q "while running upgrade of revision c2 (slow)" "$work/cancel.log" ||
		{ echo "FAIL: the cancelled call did not report the cancel in revision c2"; cat "$work/cancel.log"; failures=$((failures + 1)); }
	check "pg_cancel_backend in revision c2" "$before" "$(snapshot)"
else
	echo "FAIL: the upgrade never reached revision c2"; failures=$((failures + 1)); wait "$client"
fi

# 3. the backend is terminated
psql -X -d "$db" -c "SELECT * FROM migrate.upgrade('head')" >"$work/terminate.log" 2>&1 &
client=$!
if pid=$(wait_for_body); then
	q "SELECT pg_terminate_backend($pid)" >/dev/null
	wait "$client"
	check "pg_terminate_backend in revision c2" "$before" "$(snapshot)"
else
	echo "FAIL: the upgrade never reached revision c2"; failures=$((failures + 1)); wait "$client"
fi

# 4. the client goes away (killed, so it says nothing to the server)
psql -X -d "$db" -c "SELECT * FROM migrate.upgrade('head')" >"$work/disconnect.log" 2>&1 &
client=$!
if pid=$(wait_for_body); then
	kill -9 "$client"
	wait "$client" 2>/dev/null
	# the backend notices the lost client at its next check and rolls back
	for _ in $(seq 1 200); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" = 0 ] && break
		sleep 0.05
	done
	check "client killed in revision c2" "$before" "$(snapshot)"
else
	echo "FAIL: the upgrade never reached revision c2"; failures=$((failures + 1)); wait "$client"
fi

# after all that, the next upgrade completes
q "UPDATE crash_ctl SET secs = 0" >/dev/null
if [ "$(q "SELECT string_agg(revision, ',') FROM migrate.upgrade('head')")" = "c2,c3" ] &&
	[ "$(q "SELECT string_agg(c, ',') FROM migrate.current() c")" = "c3" ]; then
	echo "ok: the next upgrade('head') applied c2 and c3"
else
	echo "FAIL: the next upgrade('head') did not complete"; failures=$((failures + 1))
fi

dropdb "$db"
echo "crash and cancel: $failures failure(s)"
[ "$failures" -eq 0 ]
