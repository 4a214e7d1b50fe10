#!/bin/bash
# pg_dump keeps revisions, version rows, the log and kept data: dump a
# migrated database, restore it into a new one, and compare; then put the
# kept data back in the restored one.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail

src=migrate_dump_src
dst=migrate_dump_dst
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

for db in "$src" "$dst"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
createdb "$src" || exit 1
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL' || exit 1
CREATE EXTENSION migrate;
SELECT migrate.register('d1', 'CREATE TABLE d1 (id int)', 'DROP TABLE d1', message => 'base');
SELECT migrate.register('d2a', 'ALTER TABLE d1 ADD a int', 'ALTER TABLE d1 DROP a',
	down_revision => 'd1', branch_labels => 'left', message => 'left side');
SELECT migrate.register('d2b', 'ALTER TABLE d1 ADD b int', 'ALTER TABLE d1 DROP b',
	down_revision => 'd1', branch_labels => 'right', message => 'right side');
SELECT migrate.register('d3', '', '', down_revision => 'd2a, d2b', message => 'merge');
SELECT migrate.register('e1', 'CREATE TABLE e1 ()', 'DROP TABLE e1', project => 'other');
SELECT count(*) FROM migrate.upgrade('heads');
SELECT count(*) FROM migrate.downgrade('d2b');
SELECT count(*) FROM migrate.upgrade('heads');
SELECT count(*) FROM migrate.upgrade('head', 'other');
CREATE TABLE kept_t (id int PRIMARY KEY, v text);
INSERT INTO kept_t SELECT g, 'value ' || g FROM generate_series(1, 100) g;
SELECT migrate.register('k1', 'ALTER TABLE kept_t DROP COLUMN v', 'ALTER TABLE kept_t ADD COLUMN v text', project => 'keep');
SELECT count(*) FROM migrate.upgrade('head', 'keep');
SQL

pg_dump -Fc -d "$src" -f "$work/dump" || exit 1
createdb "$dst" || exit 1
pg_restore -d "$dst" --exit-on-error "$work/dump" || { echo "FAIL: pg_restore"; exit 1; }

# What must be identical, as text.
state() {
	psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT 'current', string_agg(c, ',' ORDER BY c) FROM migrate.current() c;
SELECT 'current other', string_agg(c, ',' ORDER BY c) FROM migrate.current('other') c;
SELECT 'history', revision, down_revision, branch_labels, message, is_head, is_current
  FROM migrate.history();
SELECT 'revision', project, id, down_revision, depends_on, branch_labels, message,
	   upgrade_sql, downgrade_sql, checksum, registered_by, registered_at, seq
  FROM migrate.revision ORDER BY project, seq;
SELECT 'version', * FROM migrate.version ORDER BY project, revision;
SELECT 'log', * FROM migrate.log ORDER BY id;
SELECT 'project', name, target_schema, lock_timeout, statement_timeout, created_at
  FROM migrate.project ORDER BY name;
SELECT 'verify', * FROM migrate.verify();
SELECT 'kept', * FROM migrate.kept ORDER BY id;
SELECT 'kept_row', * FROM migrate.kept_row ORDER BY kept, key;
SQL
}

state "$src" >"$work/src.txt"
state "$dst" >"$work/dst.txt"
if diff -u "$work/src.txt" "$work/dst.txt"; then
	echo "ok: revisions, version rows, log, history, current() and kept data identical after restore ($(wc -l <"$work/src.txt") lines compared)"
else
	echo "FAIL: the restored database differs"; failures=$((failures + 1))
fi

n=$(psql -X -A -t -d "$dst" -c "SELECT count(*) FROM migrate.upgrade('heads')") || n=error
if [ "$n" = 0 ]; then
	echo "ok: upgrade('heads') on the restored database is a no-op"
else
	echo "FAIL: upgrade('heads') on the restored database ran $n revisions"; failures=$((failures + 1))
fi

# what was kept before the dump goes back in the restored database
back=$(PGOPTIONS="-c client_min_messages=warning" psql -X -A -t -d "$dst" -c "SELECT count(*) FROM migrate.downgrade('base', 'keep')" \
	-c "SELECT count(*) FROM kept_t WHERE v = 'value ' || id" -c "SELECT count(*) FROM migrate.kept") || back=error
if [ "$(echo $back)" = "1 100 0" ]; then
	echo "ok: the kept values go back in the restored database (100 of 100)"
else
	echo "FAIL: the kept values did not go back after the restore: $back"; failures=$((failures + 1))
fi
if [ "$(psql -X -A -t -d "$src" -c "SELECT count(*) FROM migrate.kept_row")" = 100 ]; then
	echo "ok: and the dumped database still keeps them"
else
	echo "FAIL: the dumped database lost its kept rows"; failures=$((failures + 1))
fi

# the registration order carries on after the restored one
psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -o /dev/null -c "SELECT migrate.register('d4', 'SELECT 1', down_revision => 'd3')" || failures=$((failures + 1))
ordered=$(psql -X -A -t -d "$dst" -c "SELECT (SELECT seq FROM migrate.revision WHERE id = 'd4') > max(seq) FROM migrate.revision WHERE id <> 'd4'")
if [ "$ordered" = t ]; then
	echo "ok: a revision registered after the restore comes after the restored ones"
else
	echo "FAIL: the registration sequence went backwards after the restore"; failures=$((failures + 1))
fi

for db in "$src" "$dst"; do dropdb "$db"; done
echo "dump and restore: $failures failure(s)"
[ "$failures" -eq 0 ]
