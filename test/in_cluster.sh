#!/bin/bash
# Server-side suites, run by test/run.sh inside a throw-away cluster
# (test/cluster.sh sets PGHOST, PGPORT, PGUSER and MIGRATE_PGCTL).  Each suite's
# verdict goes to fd 3: pass, fail, or skip for a suite that exits 77 (what
# it tests does not exist on this server; it says why), as automake's test
# harness counts it, then its wall time in seconds, then its name.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=test/suite_time.sh
. test/suite_time.sh

suite() {
	local name=$1 start=$EPOCHREALTIME status verdict secs
	shift
	echo
	echo "=== $name"
	"$@"
	status=$?
	secs=$(suite_seconds "$start")
	case $status in
		0) verdict=pass ;;
		77) verdict=skip ;;
		*) verdict=fail ;;
	esac
	echo "--- $name: $verdict in $secs s"
	echo "$verdict $secs $name" >&3
}

regress() {
	if make -s installcheck; then
		return 0
	fi
	for f in regression.diffs output_iso/regression.diffs; do
		[ -f "$f" ] && cat "$f"
	done
	return 1
}

pgtap() {
	dropdb --if-exists migrate_tap >/dev/null 2>&1
	createdb migrate_tap || return 1
	psql -X -q -d migrate_tap -c 'CREATE EXTENSION pgtap' || return 1
	pg_prove -d migrate_tap --failures test/pgtap/*.sql
}

suite "pg_regress and isolation (make installcheck)" regress
suite "pgTAP (pg_prove test/pgtap)" pgtap
# a suite named in MIGRATE_SKIP_SUITES is reported as skipped, saying so
left_out() {
	echo "left out: MIGRATE_SKIP_SUITES names it"
	return 77
}
for script in test/scripts/*.sh; do
	[ -e "$script" ] || continue
	name=$(basename "$script" .sh)
	if [[ ",${MIGRATE_SKIP_SUITES:-}," == *",$name,"* ]]; then
		suite "$name" left_out
	else
		suite "$name" bash "$script"
	fi
done
