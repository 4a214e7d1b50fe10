#!/bin/bash
# migrate.diff() checked by convergence: the corpus of cases
# (test/diff/cases, both directions, rows kept) and the property test
# (random schemas and random mutations of them, both ways), at a small size
# here; make bench runs it larger.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
/usr/bin/python3 test/diff/run_cases.py | grep -v '^ok ' || status=1
/usr/bin/python3 test/diff/prop.py --iterations 40 || status=1
for db in migrate_diff_cases migrate_diff_prop; do
	dropdb --if-exists "$db" >/dev/null 2>&1
done
exit $status
