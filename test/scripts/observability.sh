#!/bin/bash
# What an operator sees of a run from outside: pg_stat_activity names the
# step under way (from another session, while a body waits), and a failed
# run leaves a line in the server log although its transaction rolled back;
# CALL migrate.apply() and its worker, seen the same way.
#
# Runs inside the throw-away cluster of test/run.sh (test/cluster.sh: PG*
# variables and PGDATA set; the server logs to $PGDATA/server.log).
set -uo pipefail

db=migrate_observe
failures=0
log="$PGDATA/server.log"
q() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
q "CREATE EXTENSION migrate" >/dev/null || exit 1
q "SELECT migrate.register('o1', 'CREATE TABLE o1 ()', 'DROP TABLE o1', project => 'obs')
   UNION ALL
   SELECT migrate.register('o2', 'SELECT pg_sleep(30)', '', down_revision => 'o1',
                           message => 'slow', project => 'obs')
   UNION ALL
   SELECT migrate.register('o3', 'SELECT 1 / 0', '', down_revision => 'o2', project => 'obs')" >/dev/null || exit 1

# 1. another session sees the step while its body waits
psql -X -d "$db" -c "SELECT * FROM migrate.upgrade('head', 'obs')" >/dev/null 2>&1 &
client=$!
seen=
for _ in $(seq 1 200); do
	seen=$(q "SELECT query FROM pg_stat_activity
			  WHERE wait_event = 'PgSleep' AND datname = current_database()")
	[ -n "$seen" ] && break
	sleep 0.05
done
case $seen in
	'/* migrate: upgrade of revision o2, step 2 of 3, project "obs" */ SELECT * FROM migrate.upgrade('"'head'"', '"'obs'"')')
		echo "ok: pg_stat_activity shows the step under way: $seen" ;;
	*) fail "pg_stat_activity showed: '$seen'" ;;
esac

# 2. the cancelled run leaves its line in the server log
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'
   AND datname = current_database()" >/dev/null
wait "$client"
line=$(grep -a 'migrate: upgrade of revision o2 of project "obs" failed after' "$log" | tail -1)
if grep -q 'LOG: .*failed after [0-9]* ms: SQLSTATE 57014: canceling statement due to user request' <<<"$line"; then
	echo "ok: the cancelled step is in the server log: ${line#*LOG:  }"
else
	fail "no log line for the cancelled step (got: '$line')"
fi
# nothing of the run is left but the row of its failure, which a deploy
# script reads afterwards
[ "$(q "SELECT string_agg(revision || ' ' || left(error, 5), ',') FROM migrate.log WHERE project = 'obs'")" = "o2 57014" ] ||
	fail "the cancelled run left other log rows than its failure's: $(q "SELECT * FROM migrate.log WHERE project = 'obs'")"

# 3. a body that fails: its line, with the SQLSTATE and the error
q "SELECT migrate.register('o2', 'SELECT 2', '', down_revision => 'o1', message => 'slow',
                           project => 'obs', replace => true)" >/dev/null
psql -X -q -d "$db" -c "SELECT * FROM migrate.upgrade('head', 'obs')" >/dev/null 2>&1
line=$(grep -a 'migrate: upgrade of revision o3 of project "obs" failed after' "$log" | tail -1)
if grep -q 'SQLSTATE 22012: division by zero' <<<"$line"; then
	echo "ok: the failed step is in the server log: ${line#*LOG:  }"
else
	fail "no log line for the failed step (got: '$line')"
fi
[ "$(q "SELECT count(*) FROM migrate.version WHERE project = 'obs'")" = 0 ] ||
	fail "the failed run left version rows"

# 4. once the run is over, the query is shown alone again (same statement)
q "SELECT migrate.register('o3', 'SELECT 3', '', down_revision => 'o2', project => 'obs',
                           replace => true)" >/dev/null
after=$(q "DO \$\$ BEGIN PERFORM migrate.upgrade('head', 'obs');
           RAISE NOTICE '%', (SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid()); END \$\$" 2>&1 |
	grep NOTICE | tail -1)
case $after in
	*'/* migrate'*) fail "the step was still shown after the run: $after" ;;
	*) echo "ok: after the run pg_stat_activity shows the query alone" ;;
esac

# 5. CALL migrate.apply(): the caller names the step and waits on its
# worker, which shows the statement; a cancel leaves the server log line
# and a committed log row
q "SELECT migrate.register('o4', 'SELECT pg_sleep(30)', '', down_revision => 'o3',
                           project => 'obs', transactional => false)" >/dev/null
psql -X -d "$db" -c "CALL migrate.apply('head', 'obs')" >/dev/null 2>&1 &
client=$!
worker=
for _ in $(seq 1 200); do
	worker=$(q "SELECT application_name || ' | ' || query FROM pg_stat_activity
				WHERE backend_type = 'migrate worker' AND wait_event = 'PgSleep'")
	[ -n "$worker" ] && break
	sleep 0.05
done
[ "$worker" = 'migrate: revision o4 | SELECT pg_sleep(30)' ] &&
	echo "ok: the worker shows the revision and its statement: $worker" ||
	fail "the worker showed: '$worker'"
caller=$(q "SELECT wait_event_type || ' | ' || query FROM pg_stat_activity
			WHERE backend_type = 'client backend' AND query LIKE '%CALL migrate.apply%'
			AND pid <> pg_backend_pid()")
case $caller in
	'Extension | /* migrate: upgrade of revision o4, step 1 of 1, project "obs" */ CALL migrate.apply('*)
		echo "ok: the caller waits on its worker and names the step: $caller" ;;
	*) fail "the caller showed: '$caller'" ;;
esac
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend'
   AND query LIKE '%CALL migrate.apply%' AND pid <> pg_backend_pid()" >/dev/null
wait "$client"
line=$(grep -a 'migrate: upgrade of revision o4 of project "obs" failed after' "$log" | tail -1)
grep -q 'SQLSTATE 57014' <<<"$line" &&
	echo "ok: the cancelled apply() step is in the server log: ${line#*LOG:  }" ||
	fail "no log line for the cancelled apply() step (got: '$line')"
[ "$(q "SELECT left(error, 5) FROM migrate.log WHERE project = 'obs' AND revision = 'o4'")" = 57014 ] &&
	echo "ok: and in migrate.log, committed" ||
	fail "migrate.log has no failure row for o4"
[ -z "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'migrate worker'")" ] ||
	fail "the worker outlived the cancelled caller"

dropdb "$db"
echo "observability: $failures failure(s)"
[ "$failures" -eq 0 ]
