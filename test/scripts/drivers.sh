#!/bin/bash
# The deploy scripts of doc/production.md ("Reading what happened"), run as
# a team would copy them: deploy.py with psycopg2 and deploy.js with
# node-postgres, each against a project with a non-transactional revision.
# Each must print the revisions CALL migrate.apply() ran and the heads
# after it; with nothing to do, no revision and the same heads; and when a
# revision fails, its id and SQLSTATE read back from migrate.log, exit 1.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set);
# node-postgres comes from test/deps.sh's npm cache.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
doc=$PWD/doc/production.md
node_modules=${MIGRATE_NODE_MODULES:-/var/cache/migrate-node}/node_modules
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists migrate_drivers >/dev/null 2>&1' EXIT
failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# each script: from its first line to the end of its code block
sed -n '/^# deploy.py/,/^```/p' "$doc" | sed '$d' >"$work/deploy.py"
sed -n '/^\/\/ deploy.js/,/^```/p' "$doc" | sed '$d' >"$work/deploy.js"
grep -q 'CALL migrate.apply' "$work/deploy.py" || { echo "FAIL: no deploy.py in $doc"; exit 1; }
grep -q 'CALL migrate.apply' "$work/deploy.js" || { echo "FAIL: no deploy.js in $doc"; exit 1; }
[ -f "$node_modules/pg/package.json" ] || { echo "FAIL: no node-postgres in $node_modules (test/deps.sh)"; exit 1; }

dropdb --if-exists migrate_drivers >/dev/null 2>&1
createdb migrate_drivers || exit 1
export PGDATABASE=migrate_drivers
psql -X -q -v ON_ERROR_STOP=1 <<'SQL' || exit 1
CREATE EXTENSION migrate;
SELECT migrate.register(p || '1', 'CREATE TABLE ' || p || '_t (id int, name text)', 'DROP TABLE ' || p || '_t',
                        project => p),
       migrate.register(p || '2', 'CREATE INDEX CONCURRENTLY ' || p || '_name ON ' || p || '_t (name)',
                        'DROP INDEX CONCURRENTLY ' || p || '_name', down_revision => p || '1',
                        transactional => false, project => p)
  FROM (VALUES ('py'), ('js')) v(p) \g /dev/null
SQL

run() {
	local lang=$1 project=$2
	case $lang in
		py) (cd "$work" && /usr/bin/python3 deploy.py "$project") ;;
		js) (cd "$work" && NODE_PATH=$node_modules node deploy.js "$project") ;;
	esac
}

for lang in py js; do
	out=$(run $lang $lang 2>&1)
	status=$?
	[ $status = 0 ] && grep -q "^ran ${lang}1 in " <<<"$out" && grep -q "^ran ${lang}2 in " <<<"$out" &&
		grep -qx "at ${lang}2" <<<"$out" &&
		ok "deploy.$lang: prints the two revisions it ran and the head after them" ||
		fail "deploy.$lang: exit $status: $out"
	out=$(run $lang $lang 2>&1)
	status=$?
	[ $status = 0 ] && ! grep -q '^ran ' <<<"$out" && grep -qx "at ${lang}2" <<<"$out" &&
		ok "deploy.$lang: nothing to do: no revision, the same head" ||
		fail "deploy.$lang, nothing to do: exit $status: $out"
	psql -X -q -v ON_ERROR_STOP=1 -c "SELECT migrate.register('${lang}3', 'SELECT 1 / 0', 'SELECT 1',
		down_revision => '${lang}2', project => '$lang')" >/dev/null || exit 1
	out=$(run $lang $lang 2>&1)
	status=$?
	[ $status = 1 ] && grep -qx "failed: ${lang}3 22012: division by zero" <<<"$out" &&
		ok "deploy.$lang: a failed revision: exit 1, its id and SQLSTATE read from migrate.log" ||
		fail "deploy.$lang, a failed revision: exit $status: $out"
done

echo "drivers: $failures failure(s)"
[ "$failures" -eq 0 ]
