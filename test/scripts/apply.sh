#!/bin/bash
# CALL migrate.apply() with a revision registered transactional => false,
# where it matters: a CREATE INDEX CONCURRENTLY on a table applications
# write to.
#
#  1. The build: apply() builds the index, valid, and sets the version row.
#  2. A reader holding an old snapshot: the build waits for it (as any
#     CREATE INDEX CONCURRENTLY does) and completes once it commits.  While
#     it waits, it holds no lock that blocks writers: only SHARE UPDATE
#     EXCLUSIVE on the table, and an INSERT that may not wait goes through.
#     (How long writers stall during the build, against a plain CREATE
#     INDEX, is a figure of make bench, not an assertion here.)
#  3. Faults while the build waits: the caller cancelled, the worker
#     terminated, the server stopped -m immediate.  Each time the version
#     rows stay, and the next apply() completes the revision.
#  4. No background worker slot free (max_worker_processes): a clear error,
#     nothing changed.
#
# Runs inside the throw-away cluster of test/run.sh (test/cluster.sh: PG*
# variables set, $MIGRATE_PGCTL runs pg_ctl on the cluster).
set -uo pipefail

db=migrate_apply
work=$(mktemp -d)
chmod 755 "$work"
failures=0
trap 'rm -rf "$work"' EXIT

q() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

wait_for_server() {
	for _ in $(seq 1 300); do
		pg_isready -q -d "$db" && return 0
		sleep 0.1
	done
	return 1
}

# Wait until the migrate worker waits for a lock (the build waiting for
# the reader's snapshot), polling inside one session; print its pid.
wait_for_worker() {
	q "DO \$\$
	   BEGIN
		FOR i IN 1..1500 LOOP
			PERFORM pg_stat_clear_snapshot();
			IF EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'migrate worker'
					   AND wait_event_type = 'Lock') THEN
				RETURN;
			END IF;
			PERFORM pg_sleep(0.02);
		END LOOP;
		RAISE 'the migrate worker never waited';
	   END \$\$" >/dev/null 2>&1 || return 1
	q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'migrate worker'
	   AND wait_event_type = 'Lock' LIMIT 1"
}

# A session that holds a REPEATABLE READ snapshot until release_snapshot
# (at most a minute): psql runs the wait between two of its statements.
hold_snapshot() {
	gate=$work/release.$RANDOM
	psql -X -q -d "$db" -c "BEGIN ISOLATION LEVEL REPEATABLE READ" \
		-c "SELECT count(*) FROM orders" \
		-c "\\! for i in \$(seq 1 1200); do [ -e $gate ] && break; sleep 0.05; done" \
		-c "COMMIT" >/dev/null 2>&1 &
	reader=$!
	for _ in $(seq 1 200); do
		[ -n "$(q "SELECT 1 FROM pg_stat_activity WHERE backend_xmin IS NOT NULL
				   AND state = 'idle in transaction' AND pid <> pg_backend_pid()")" ] && return 0
		sleep 0.05
	done
	fail "the reader never took its snapshot"
}

release_snapshot() {
	touch "$gate"
	wait "$reader" 2>/dev/null
}

state() {
	q "SELECT coalesce(string_agg(c, ','), '-') FROM migrate.current('shop') c"
}

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
q "CREATE EXTENSION migrate" >/dev/null || exit 1

# --- 1. the build -------------------------------------------------------------

q "CREATE TABLE orders (id bigserial PRIMARY KEY, customer int, note text);
   INSERT INTO orders (customer, note) SELECT g % 10000, 'order ' || g FROM generate_series(1, 100000) g" >/dev/null || exit 1
q "VACUUM ANALYZE orders" >/dev/null || exit 1
q "SELECT migrate.register('s1', 'CREATE TABLE shop_audit (id int)', 'DROP TABLE shop_audit', project => 'shop')" >/dev/null
q "SELECT migrate.register('s2', \$\$DROP INDEX CONCURRENTLY IF EXISTS orders_customer;
CREATE INDEX CONCURRENTLY orders_customer ON orders (customer);\$\$,
	'DROP INDEX CONCURRENTLY orders_customer', down_revision => 's1',
	transactional => false, message => 'index customers', project => 'shop')" >/dev/null

psql -X -q -d "$db" -c "CALL migrate.apply('head', 'shop')" >"$work/apply.out" 2>&1 || fail "apply() failed: $(cat "$work/apply.out")"
[ "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_customer'::regclass")" = t ] &&
	[ "$(state)" = s2 ] && ok "apply() built the index concurrently and set the version row" ||
	fail "index or version row missing after apply(): $(state)"

# --- 2. a reader with an old snapshot ------------------------------------------

q "CALL migrate.apply_downgrade('s1', 'shop')" >/dev/null 2>&1 || fail "apply_downgrade() failed"
hold_snapshot
psql -X -q -d "$db" -c "CALL migrate.apply('head', 'shop')" >"$work/reader.out" 2>&1 &
client=$!
if worker=$(wait_for_worker); then
	ok "the build waits for the reader's snapshot"
	# While it waits, writers are not blocked: the build holds nothing on
	# the table stronger than SHARE UPDATE EXCLUSIVE (which INSERT's ROW
	# EXCLUSIVE does not conflict with), and an INSERT that may not wait at
	# all for a lock goes through.  (How long writers stall, against a
	# plain CREATE INDEX, is make bench's figure.)
	held=$(q "SELECT string_agg(DISTINCT mode, ',') FROM pg_locks
			  WHERE pid = $worker AND relation = 'orders'::regclass AND granted")
	[ "$held" = ShareUpdateExclusiveLock ] &&
		ok "the build holds only $held on the table" ||
		fail "the build holds $held on the table"
	psql -X -q -d "$db" -c "SET lock_timeout = 1" \
		-c "INSERT INTO orders (customer, note) VALUES (1, 'during the build')" >/dev/null 2>&1 &&
		ok "an INSERT that may not wait for a lock goes through while the build waits" ||
		fail "an INSERT was blocked by the build"
else
	fail "the build never waited for the reader"
fi
[ "$(state)" = s1 ] || fail "the version rows moved while the build waited"
release_snapshot
wait "$client" || fail "apply() with a reader failed: $(cat "$work/reader.out")"
[ "$(state)" = s2 ] && ok "and completes once the reader commits" ||
	fail "apply() with a reader left $(state)"

# --- 3. faults while the build waits ------------------------------------------

# A fault in the middle of s2, then apply() again; $1 names the fault.
fault() {
	local what=$1
	q "CALL migrate.apply_downgrade('s1', 'shop')" >/dev/null 2>&1 || fail "apply_downgrade() failed before $what"
	hold_snapshot
	psql -X -d "$db" -c "CALL migrate.apply('head', 'shop')" >"$work/fault.out" 2>&1 &
	client=$!
	if ! worker=$(wait_for_worker); then
		fail "$what: the build never waited"
		kill "$client" 2>/dev/null
		release_snapshot
		return
	fi
	case $what in
		cancel)
			q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
			   WHERE backend_type = 'client backend' AND query LIKE '%CALL migrate.apply%'
			   AND pid <> pg_backend_pid()" >/dev/null ;;
		terminate)
			q "SELECT pg_terminate_backend($worker)" >/dev/null ;;
		immediate)
			$MIGRATE_PGCTL -w -m immediate stop >/dev/null
			$MIGRATE_PGCTL -w start >/dev/null
			wait_for_server ;;
	esac
	wait "$client"
	release_snapshot
	for _ in $(seq 1 100); do
		[ -z "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'migrate worker'")" ] && break
		sleep 0.1
	done
	[ -z "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'migrate worker'")" ] ||
		fail "$what: the worker is still running"
	[ "$(state)" = s1 ] && ok "$what: the version rows stayed at s1 ($(grep -m1 ERROR "$work/fault.out" || echo 'server restarted'))" ||
		fail "$what: version rows $(state)"
	if [ "$what" != immediate ]; then
		[ "$(q "SELECT count(*) FROM migrate.log WHERE project = 'shop' AND revision = 's2' AND error IS NOT NULL
				AND id = (SELECT max(id) FROM migrate.log WHERE project = 'shop')")" = 1 ] &&
			ok "$what: the failure is in the log" || fail "$what: no failure row"
	fi
	[ "$(q "SELECT count(*) FROM migrate.verify('shop') WHERE problem = 'invalid_index'")" = 1 ] &&
		ok "$what: verify() reports the index left INVALID" || fail "$what: verify() does not report the invalid index"
	if [ "$what" != immediate ]; then
		[ "$(q "SELECT revision FROM migrate.verify('shop') WHERE problem = 'invalid_index'")" = s2 ] &&
			ok "$what: and names the revision whose failure left it" ||
			fail "$what: verify() does not name s2 for the index its failure left"
	fi
	q "CALL migrate.apply('head', 'shop')" >/dev/null 2>&1 || fail "$what: the next apply() failed"
	[ "$(state)" = s2 ] && [ "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_customer'::regclass")" = t ] &&
		ok "$what: the next apply() completes the revision" || fail "$what: the next apply() left $(state)"
}
fault cancel
fault terminate
fault immediate

# --- 4. no worker slot -----------------------------------------------------------

# one slot, which the logical replication launcher takes
q "CALL migrate.apply_downgrade('s1', 'shop')" >/dev/null 2>&1
q "ALTER SYSTEM SET max_worker_processes = 1" >/dev/null
$MIGRATE_PGCTL -w restart >/dev/null && wait_for_server
out=$(psql -X -d "$db" -c "CALL migrate.apply('head', 'shop')" 2>&1)
grep -q 'could not start a background worker for revision s2' <<<"$out" &&
	grep -q 'max_worker_processes = 1' <<<"$out" &&
	ok "no free worker slot: $(echo "$out" | grep -m1 ERROR)" || fail "no free worker slot: $out"
[ "$(state)" = s1 ] && ok "and the version rows stayed at s1" || fail "version rows $(state) without a worker"

# one free slot, and revisions that each need it in turn: each start finds
# the slot of the worker before it free, or waits until it is
q "ALTER SYSTEM SET max_worker_processes = 2" >/dev/null
$MIGRATE_PGCTL -w restart >/dev/null && wait_for_server
q "SELECT migrate.register('s' || i, 'SELECT ' || i, NULL, down_revision => 's' || (i - 1),
                           project => 'shop', transactional => false)
   FROM generate_series(3, 12) i" >/dev/null
out=$(psql -X -d "$db" -c "CALL migrate.apply('head', 'shop')" 2>&1)
[ "$(state)" = s12 ] && ok "one free slot: 11 revisions, one worker after another" ||
	fail "one free slot: the version rows are at $(state): $out"
q "ALTER SYSTEM RESET max_worker_processes" >/dev/null
$MIGRATE_PGCTL -w restart >/dev/null && wait_for_server

dropdb "$db"
echo "apply: $failures failure(s)"
[ "$failures" -eq 0 ]
