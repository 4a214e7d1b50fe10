#!/bin/bash
# migrate.script() gives the SQL an upgrade or downgrade would run.  Run
# with psql -f on a database at the script's starting point (psql -1 -f
# when every revision on the way is transactional), it must leave the same
# schema and the same version rows as the online command.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

register() {
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<'SQL'
CREATE EXTENSION migrate;
SELECT migrate.configure('app', target_schema => 'app');
SELECT migrate.register('a', $$CREATE TABLE account (id int PRIMARY KEY);
	-- a comment on the last line, no semicolon
	$$, 'DROP TABLE account', message => 'accounts', project => 'app');
SELECT migrate.register('b1', 'ALTER TABLE account ADD email text;',
	'ALTER TABLE account DROP email', down_revision => 'a', branch_labels => 'mail', project => 'app',
	message => E'email\n\\! touch replay_injected\nDROP TABLE account;');
SELECT migrate.register('b2', $$CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE feeling (m mood)$$,
	'DROP TABLE feeling; DROP TYPE mood', down_revision => 'a', project => 'app');
SELECT migrate.register('m', '', '', down_revision => 'b1, b2', message => 'merge', project => 'app');
SELECT migrate.register('c', 'CREATE INDEX ON account (email)', 'DROP INDEX app.account_email_idx',
	down_revision => 'm', project => 'app');
SELECT migrate.register('x', 'CREATE TABLE other (v text)', 'DROP TABLE other',
	depends_on => 'b2', project => 'app');
SELECT migrate.register('n', $$CREATE INDEX CONCURRENTLY account_lower ON account (lower(email));
	CREATE INDEX CONCURRENTLY account_upper ON account (upper(email))$$,
	'DROP INDEX CONCURRENTLY account_upper; DROP INDEX CONCURRENTLY account_lower',
	down_revision => 'c', project => 'app', transactional => false);
SQL
}

state() {
	pg_dump -s -n app -d "$1" 2>/dev/null | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict' | sed '/^$/d'
	psql -X -A -t -d "$1" -c "SELECT project, revision FROM migrate.version ORDER BY 1, 2"
}

compare() {
	local what=$1
	state online >"$work/online.txt"
	state offline >"$work/offline.txt"
	if diff -u "$work/online.txt" "$work/offline.txt" >"$work/diff.txt"; then
		echo "ok: $what: same schema and version rows ($(wc -l <"$work/online.txt") lines)"
	else
		echo "FAIL: $what"; cat "$work/diff.txt"; failures=$((failures + 1))
	fi
}

replay() {
	local target=$1 from=$2
	local single=-1
	psql -X -A -t -d offline -c "SELECT migrate.script('$target', '$from', 'app')" >"$work/script.sql" || return 1
	grep -q '^\\set ON_ERROR_STOP on$' "$work/script.sql" && single=
	psql -X -q $single -d offline -f "$work/script.sql" >/dev/null 2>"$work/replay.err" ||
		{ cat "$work/replay.err"; return 1; }
}

online() {
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d online -o /dev/null -c "$1"
}

# revision n runs outside a transaction: online, through CALL
apply() { online "CALL migrate.apply('$1', 'app')"; }
apply_downgrade() { online "CALL migrate.apply_downgrade('$1', 'app')"; }

for db in online offline; do dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db" || exit 1; register "$db"; done

apply heads
replay heads base || failures=$((failures + 1))
compare "script('heads', 'base') replayed from base"

# with a revision outside a transaction: psql stops at the first error,
# and the target schema goes on the session's search_path once
psql -X -A -t -d offline -c "SELECT migrate.script('heads', 'base', 'app')" >"$work/outside.sql"
if grep -q '^\\set ON_ERROR_STOP on$' "$work/outside.sql" &&
	[ "$(grep -c "pg_catalog.set_config('search_path', '\"app\"'\|pg_catalog.set_config('search_path', 'app'" "$work/outside.sql")" = 1 ] &&
	grep -q "^-- Running upgrade c -> n (outside a transaction" "$work/outside.sql"; then
	echo "ok: a script with a non-transactional revision stops at the first error and sets the search_path once"
else
	echo "FAIL: unexpected script text:"; cat "$work/outside.sql"; failures=$((failures + 1))
fi

# several heads as the starting point: from is a list
apply_downgrade m
replay m "n, x" || failures=$((failures + 1))
compare "downgrade script('m', 'n, x') replayed"

apply_downgrade base
replay base "m x" || failures=$((failures + 1))
compare "downgrade script('base', 'm x') replayed"

apply b1
replay b1 base || failures=$((failures + 1))
apply heads
replay heads b1 || failures=$((failures + 1))
compare "script('heads', 'b1') replayed from b1"

# the script header and what it contains
psql -X -A -t -d offline -c "SELECT migrate.script('b1', 'base', 'app')" >"$work/show.sql"
if head -3 "$work/show.sql" | grep -q '^BEGIN;' && grep -q '^COMMIT;' "$work/show.sql" &&
	grep -q "^SELECT pg_catalog.pg_advisory_xact_lock(1835624306, pg_catalog.hashtext('app'));" "$work/show.sql" &&
	grep -q "^-- Running upgrade  -> a, accounts" "$work/show.sql" &&
	grep -q "^INSERT INTO migrate.version (project, revision) VALUES ('app', 'a');" "$work/show.sql" &&
	grep -q "^UPDATE migrate.version SET revision = 'b1' WHERE project OPERATOR(pg_catalog.=) 'app' AND revision OPERATOR(pg_catalog.=) 'a';" "$work/show.sql"; then
	echo "ok: the script has BEGIN, the migration lock, each step's comment, body and version-row statement, and COMMIT"
else
	echo "FAIL: unexpected script text:"; cat "$work/show.sql"; failures=$((failures + 1))
fi

# a line break in a message stays inside its comment
if [ -e replay_injected ] || [ -e "$work/replay_injected" ]; then
	rm -f replay_injected; echo "FAIL: a message escaped its comment in the script"; failures=$((failures + 1))
else
	echo "ok: a message with line breaks and psql commands stayed a comment"
fi

for db in online offline; do dropdb "$db"; done
echo "script replay: $failures failure(s)"
[ "$failures" -eq 0 ]
