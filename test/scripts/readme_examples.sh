#!/bin/bash
# Every SQL example of the README, run as a newcomer would type them: the
# ```sql blocks, in order, into one psql session on a fresh database, which
# must run them all without an error.  Then what they say they do: the
# Quick start's revisions applied and the file of "Revisions live in files"
# registered again as unchanged, the graph drawn, the non-transactional
# revision's index built valid by CALL migrate.apply(), nothing pending.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists migrate_readme >/dev/null 2>&1' EXIT
failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

awk '/^```sql$/ { on = 1; n++; print "-- README block " n; next }
     /^```/ { on = 0 }
     on' README.md >"$work/examples.sql"
blocks=$(grep -c '^-- README block ' "$work/examples.sql")
[ "$blocks" -ge 8 ] || { echo "FAIL: only $blocks SQL blocks found in README.md"; exit 1; }

dropdb --if-exists migrate_readme >/dev/null 2>&1
createdb migrate_readme || exit 1
export PGDATABASE=migrate_readme
if out=$(psql -X -v ON_ERROR_STOP=1 -f "$work/examples.sql" 2>&1); then
	ok "the README's $blocks SQL blocks run, in order, without an error"
else
	fail "the README's SQL blocks stop with an error:"
	tail -15 <<<"$out"
fi
q() { psql -X -A -t -c "$1"; }

grep -q "^ unchanged$" <<<"$out" &&
	ok "the file of \"Revisions live in files\" registers the Quick start's revision again: unchanged" ||
	fail "no register() in the README said unchanged"
grep -q "a1b2c3d" <<<"$(q "SELECT migrate.graph()")" &&
	ok "migrate.graph() draws the README's revisions" || fail "migrate.graph() does not show a1b2c3d"
[ "$(q "SELECT string_agg(revision, ',') FROM migrate.version")" = d8a61f0c3b27 ] &&
	[ "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'account_email'::regclass")" = t ] &&
	ok "CALL migrate.apply() applied the non-transactional revision: its index is valid" ||
	fail "the non-transactional revision of the README is not applied, or its index not valid"
[ "$(q "SELECT count(*) FROM migrate.pending()")" = 0 ] && ok "nothing pending at the end" ||
	fail "revisions still pending at the end"

echo "readme_examples: $failures failure(s)"
[ "$failures" -eq 0 ]
