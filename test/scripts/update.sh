#!/bin/bash
# ALTER EXTENSION ... UPDATE: for migrate and migrate_tap, from every
# version that has an install script of its own (0.1 first, as released) to
# the control file's default_version, through the update scripts.
#
# For each starting version: a database with the extensions installed at
# that version, holding revisions, version rows and log rows, is updated;
# its extension objects must then equal a fresh install's, object by object
# (definitions, comments, privileges, initial privileges, the tables
# pg_dump keeps: test/sql/describe_extension.sql), every row must be kept,
# and the updated extension must work (a revision registered and run, an
# assertion of migrate_tap answering).
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.."
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

work=$(mktemp -d)
trap 'rm -rf "$work"; for d in migrate_update_old migrate_update_new migrate_update_boot; do dropdb --if-exists "$d" >/dev/null 2>&1; done' EXIT

default_version() { sed -n "s/^default_version = '\(.*\)'/\1/p" "$1.control"; }
# versions with an install script of their own, oldest first
install_versions() {
	for f in "$1"--*.sql; do
		v=${f#"$1"--}
		v=${v%.sql}
		[[ $v == *--* ]] || echo "$v"
	done | sort -V
}

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

describe() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v ext="$2" -f test/sql/describe_extension.sql; }

# what must survive the update: every row of migrate's tables
rows() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "
		SELECT 'project', name, target_schema, graph_gen FROM migrate.project ORDER BY 2;
		SELECT 'revision', project, id, checksum, seq, transactional FROM migrate.revision ORDER BY 2, 3;
		SELECT 'version', project, revision FROM migrate.version ORDER BY 2, 3;
		SELECT 'log', id, project, revision, operation, heads_after, error FROM migrate.log ORDER BY 2;"
}

# The rows a project has after registering u1..u3 and running u1, u2: by
# the extension's own functions when its library serves the installed
# version, else written as that version's library wrote them (the library
# installed here is the current one, which refuses to run on an older
# version's tables until they are updated).
populate() {
	local version
	version=$(psql -X -At -d "$1" -c "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")
	if [ "$version" = "$(default_version migrate)" ]; then
		psql_q -d "$1" <<'SQL'
SELECT migrate.register('u1', 'CREATE TABLE updated (id integer PRIMARY KEY)', 'DROP TABLE updated', project => 'upd');
SELECT migrate.register('u2', 'ALTER TABLE updated ADD COLUMN note text', 'ALTER TABLE updated DROP COLUMN note',
						down_revision => 'u1', project => 'upd');
SELECT migrate.register('u3', 'CREATE INDEX CONCURRENTLY updated_note ON updated (note)', 'DROP INDEX updated_note',
						down_revision => 'u2', project => 'upd', transactional => false);
SELECT count(*) FROM migrate.upgrade('u2', 'upd');
SELECT count(*) FROM migrate.downgrade('u1', 'upd');
SELECT count(*) FROM migrate.upgrade('u2', 'upd');
SQL
		return
	fi
	psql_q -d "$1" <<'SQL'
CREATE TABLE updated (id integer PRIMARY KEY, note text);
-- the checksum of register(): sha256 of the upgrade, a zero byte, then a
-- one byte and the downgrade when there is one, then a zero byte and
-- "nontransactional" for transactional => false
CREATE FUNCTION pg_temp.checksum(u text, d text, t boolean) RETURNS text LANGUAGE sql AS $$
	SELECT encode(sha256(convert_to(u, 'UTF8') || '\x00'::bytea
		|| CASE WHEN d IS NOT NULL THEN '\x01'::bytea || convert_to(d, 'UTF8') ELSE '' END
		|| CASE WHEN NOT t THEN '\x00'::bytea || convert_to('nontransactional', 'UTF8') ELSE '' END), 'hex')$$;
INSERT INTO migrate.project (name, graph_gen) VALUES ('upd', nextval('migrate.seq'));
INSERT INTO migrate.revision (project, id, down_revision, upgrade_sql, downgrade_sql, checksum,
							  registered_by, seq, transactional)
SELECT 'upd', id, down, u, d, pg_temp.checksum(u, d, t), current_user, nextval('migrate.seq'), t
  FROM (VALUES ('u1', '{}'::text[], 'CREATE TABLE updated (id integer PRIMARY KEY)', 'DROP TABLE updated', true),
			   ('u2', '{u1}', 'ALTER TABLE updated ADD COLUMN note text', 'ALTER TABLE updated DROP COLUMN note', true),
			   ('u3', '{u2}', 'CREATE INDEX CONCURRENTLY updated_note ON updated (note)', 'DROP INDEX updated_note', false))
	   AS r(id, down, u, d, t);
INSERT INTO migrate.version VALUES ('upd', 'u2');
INSERT INTO migrate.log (project, revision, operation, heads_before, heads_after, started_at, duration,
						 role, backend_pid, txid, checksum)
VALUES ('upd', 'u1', 'upgrade', '{}', '{u1}', now(), '1 ms', current_user, pg_backend_pid(), pg_current_xact_id(), NULL),
	   ('upd', 'u2', 'upgrade', '{u1}', '{u2}', now(), '1 ms', current_user, pg_backend_pid(), pg_current_xact_id(), NULL);
SQL
}

for ext in migrate migrate_tap; do
	target=$(default_version "$ext")
	for from in $(install_versions "$ext"); do
		[ "$from" = "$target" ] && continue
		label="$ext $from -> $target"
		for d in migrate_update_old migrate_update_new; do
			dropdb --if-exists "$d" >/dev/null 2>&1
			createdb "$d" || exit 1
			psql_q -d "$d" -c 'CREATE EXTENSION pgtap' || exit 1
		done
		# the old database: the extension at $from (migrate_tap needs migrate)
		if [ "$ext" = migrate ]; then
			psql_q -d migrate_update_old -c "CREATE EXTENSION migrate VERSION '$from'" || { fail "$label: install"; continue; }
		else
			psql_q -d migrate_update_old -c "CREATE EXTENSION migrate" \
				-c "CREATE EXTENSION migrate_tap VERSION '$from'" || { fail "$label: install"; continue; }
		fi
		populate migrate_update_old >/dev/null || { fail "$label: revisions did not run at $from"; continue; }
		if [ "$ext" = migrate ]; then
			out=$(psql -X -d migrate_update_old -c "SELECT * FROM migrate.current('upd')" 2>&1)
			if [[ $out == *'extension "migrate" must be updated in this database before it can be used'*'ALTER EXTENSION migrate UPDATE'* ]]; then
				ok "$label: at $from, the library says the database needs ALTER EXTENSION migrate UPDATE"
			else
				fail "$label: at $from, the library answered: $out"
			fi
		fi
		rows migrate_update_old >"$work/rows.before"
		if [ "$ext" = migrate ]; then
			# migrate-bootstrap updates it, as its owner; a migrator who is
			# not the owner is told what to do, and nothing changes (on a
			# copy of the database)
			boot_db=migrate_update_boot
			dropdb --if-exists "$boot_db" >/dev/null 2>&1
			createdb -T migrate_update_old "$boot_db" || exit 1
			mkdir -p "$work/boot"
			echo "SELECT migrate.register('b1', 'SELECT 1', 'SELECT 1', project => 'boot')" >"$work/boot/0001.sql"
			psql_q -d "$boot_db" -c "DROP ROLE IF EXISTS update_deployer" \
				-c "CREATE ROLE update_deployer LOGIN IN ROLE migrate_admin" 2>/dev/null
			out=$(PGUSER=update_deployer bin/migrate-bootstrap -d "$boot_db" --project boot "$work/boot" 2>&1)
			status=$?
			if [ $status = 1 ] && grep -q "extension migrate is at version $from in this database, and the library installed is $target" <<<"$out" &&
				grep -q "HINT:  Run ALTER EXTENSION migrate UPDATE as its owner" <<<"$out" &&
				[ "$(psql -X -At -d "$boot_db" -c "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" = "$from" ]; then
				ok "$label: migrate-bootstrap as a migrator who is not the owner: refused, saying what to do"
			else
				fail "$label: migrate-bootstrap as a migrator who is not the owner: exit $status: $out"
			fi
			psql_q -d "$boot_db" -c "DROP ROLE update_deployer" 2>/dev/null
			out=$(bin/migrate-bootstrap -d "$boot_db" --project boot "$work/boot" 2>&1)
			status=$?
			if [ $status = 0 ] && grep -qx "extension migrate updated from $from to $target" <<<"$out" &&
				grep -q "project boot: upgrade b1" <<<"$out"; then
				ok "$label: migrate-bootstrap as the owner updates the extension, then boots"
			else
				fail "$label: migrate-bootstrap as the owner: exit $status: $out"
			fi
			dropdb "$boot_db"
		fi
		if ! psql_q -d migrate_update_old -c "ALTER EXTENSION $ext UPDATE" 2>"$work/update.err"; then
			fail "$label: ALTER EXTENSION UPDATE failed: $(cat "$work/update.err")"
			continue
		fi
		psql_q -d migrate_update_new -c "CREATE EXTENSION $ext CASCADE" || { fail "$label: fresh install"; continue; }
		for e in migrate migrate_tap; do
			[ "$e" = migrate_tap ] && [ "$ext" = migrate ] && continue
			describe migrate_update_old "$e" >"$work/$e.old"
			describe migrate_update_new "$e" >"$work/$e.new"
			if [ ! -s "$work/$e.new" ] || ! grep -q "^version: $(default_version "$e")$" "$work/$e.new"; then
				fail "$label: the description of a fresh $e is empty or at the wrong version"
			elif diff -u "$work/$e.new" "$work/$e.old" >"$work/$e.diff"; then
				ok "$label: $e's objects equal a fresh install's ($(wc -l <"$work/$e.new") lines)"
			else
				fail "$label: $e's objects differ from a fresh install's (- fresh, + updated):"
				cat "$work/$e.diff"
			fi
		done
		rows migrate_update_old >"$work/rows.after"
		if [ -s "$work/rows.before" ] && cmp -s "$work/rows.before" "$work/rows.after"; then
			ok "$label: every row kept ($(wc -l <"$work/rows.after") rows of migrate's tables)"
		else
			fail "$label: rows of migrate's tables changed:"
			diff -u "$work/rows.before" "$work/rows.after"
		fi
		# the updated extension works
		out=$(psql -X -At -v ON_ERROR_STOP=1 -d migrate_update_old 2>&1 <<'SQL'
SELECT revision FROM migrate.upgrade('u2', 'upd');
SELECT migrate.register('u4', 'CREATE TABLE after_update ()', 'DROP TABLE after_update', project => 'after');
SELECT revision FROM migrate.upgrade('head', 'after');
CALL migrate.apply('head', 'upd');
SELECT string_agg(c, ',') FROM migrate.current('upd') c;
CREATE EXTENSION IF NOT EXISTS migrate_tap;
SELECT no_plan();
SELECT has_single_head('upd');
SQL
		)
		if [[ $out == *$'u4\n'*'u3'*'ok 1 - project "upd" has a single head'* ]]; then
			ok "$label: the updated extension registers, runs and asserts"
		else
			fail "$label: the updated extension does not work:"
			echo "$out"
		fi
	done
done
if [ "$failures" -eq 0 ]; then
	echo "update: 0 failure(s)"
	exit 0
fi
echo "update: $failures failure(s)"
exit 1
