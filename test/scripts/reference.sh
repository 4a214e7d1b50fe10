#!/bin/bash
# doc/reference.md is the extension as installed: every function,
# procedure, view and table, with its signature, columns and privileges
# (test/scripts/reference.py).  Then the same check against a copy of the
# page with one signature changed, one entry dropped and one privilege
# misstated, each of which must be reported.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists migrate_reference >/dev/null 2>&1' EXIT
dropdb --if-exists migrate_reference >/dev/null 2>&1
createdb migrate_reference || exit 1
export PGDATABASE=migrate_reference
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION migrate" || exit 1

status=0
/usr/bin/python3 test/scripts/reference.py doc/reference.md || status=1

# the check can fail: a wrong default, a missing entry, a wrong privilege
sed -e "s/^migrate.upgrade(target text DEFAULT 'head'/migrate.upgrade(target text DEFAULT 'heads'/" \
	-e '/^### migrate.bases$/,/^### migrate.branches$/{/^### migrate.branches$/!d}' \
	-e '0,/^\*\*Who may call it:\*\* PUBLIC\.$/s//**Who may call it:** `migrate_admin`./' \
	doc/reference.md >"$work/broken.md"
out=$(/usr/bin/python3 test/scripts/reference.py "$work/broken.md" 2>&1)
if grep -q "^FAIL: upgrade: signature" <<<"$out" && grep -q "^FAIL: bases: no entry" <<<"$out" &&
	grep -q "^FAIL: current: who may call it" <<<"$out"; then
	echo "ok: a wrong default, a missing entry and a wrong privilege are each reported"
else
	echo "FAIL: the broken copy was not reported as such:"
	echo "$out"
	status=1
fi
exit $status
