#!/bin/bash
# The whole test suite, as `make test` and CI run it.
#
# Installs what is missing (Debian packages), builds with -Werror, installs
# the extension, runs the graph module's own harness, then starts a
# throw-away cluster (test/cluster.sh: Unix socket and 127.0.0.1 only) and
# runs every server-side suite in it.  The cluster is removed when the
# suites end, pass or fail.
#
# The server is the one whose pg_config is $PG_CONFIG (default: Debian's
# PostgreSQL 15); the extension is built and installed for it.
# MIGRATE_SKIP_SUITES=graph,bench,package leaves out the suites that do not
# depend on the server (the graph module's own harness; the Debian package
# and META.json, which are for the system PostgreSQL) or only time it (the
# benchmark's smoke run), for a second pass against another server.
set -uo pipefail
cd "$(dirname "$0")/.."

bash test/deps.sh || exit 1
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
echo "server: $("$PG_CONFIG" --version) ($PG_CONFIG)"

# every temporary file of the suites goes here, and is gone at the end
work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-test.XXXXXX") || exit 1
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work
# the graph harness must not skip its comparison with Alembic here
export MIGRATE_REQUIRE_ALEMBIC=1

# shellcheck source=test/suite_time.sh
. test/suite_time.sh

passed=0
failed=0
skipped_suites=()
failures=()
# each suite's verdict, wall time and name, in the order they ran
times=()

suite() {
	local name=$1 start=$EPOCHREALTIME verdict secs
	shift
	echo
	echo "=== $name"
	if "$@"; then
		verdict=pass
		passed=$((passed + 1))
	else
		verdict=FAIL
		failed=$((failed + 1))
		failures+=("$name")
	fi
	secs=$(suite_seconds "$start")
	echo "--- $name: $verdict in $secs s"
	times+=("$verdict"$'\t'"$secs"$'\t'"$name")
}

skipped() { [[ ",${MIGRATE_SKIP_SUITES:-}," == *",$1,"* ]]; }

# The Debian package suite installs the packages into the system PostgreSQL
# (dpkg -i), runs installcheck against them and purges them again, putting
# back whatever migrate files were there.  It runs here, before the source
# build is installed, so that every suite after it tests the source build
# (when PG_CONFIG is the system PostgreSQL, make install below overwrites
# what the package suite put back).  It and the META.json check do not
# depend on PG_CONFIG (MIGRATE_SKIP_SUITES=package leaves them out).
if ! skipped package; then
	suite "PGXN META.json (test/pgxn_meta.py --self-test)" /usr/bin/python3 test/pgxn_meta.py --self-test
	suite "Debian package (test/package.sh)" bash test/package.sh
fi

make -s clean >/dev/null 2>&1
if ! make -s WERROR=1 >/dev/null || ! make -s install >/dev/null; then
	echo "build failed" >&2
	exit 1
fi
echo "built and installed migrate (-Werror)"

suite "layout: layers by folder, no cycles, src/migrate.h complete and true (test/layout.py)" \
	/usr/bin/python3 test/layout.py

if ! skipped graph; then
	suite "graph module (standalone)" make -s -C test/graph check
	suite "graph module under libFuzzer (30 s)" \
		make -s -C test/graph fuzz FUZZ_SECONDS=30 MIGRATE_REQUIRE_FUZZER=1
fi

# Everything that needs a server runs inside one throw-away cluster; the
# script reports its suites on fd 3 as "pass NAME" / "fail NAME".
results=$(mktemp)
bash test/cluster.sh bash test/in_cluster.sh 3>"$results"
cluster_status=$?
if [ ! -s "$results" ]; then
	echo "the throw-away cluster did not start, or ran no suite (status $cluster_status)"
	echo "fail 0 throw-away cluster" >"$results"
fi
while read -r verdict secs name; do
	case $verdict in
		pass) passed=$((passed + 1)) ;;
		skip) skipped_suites+=("$name") ;;
		*)
			verdict=FAIL
			failed=$((failed + 1))
			failures+=("$name")
			;;
	esac
	times+=("$verdict"$'\t'"$secs"$'\t'"$name")
done <"$results"
rm -f "$results"

# the benchmark at tiny sizes, so that it cannot rot (no targets checked)
if ! skipped bench; then
	suite "benchmark smoke run (make bench BENCH_ARGS=--smoke)" \
		bash test/cluster.sh /usr/bin/python3 test/bench/bench.py --smoke
fi

echo
suite_table "${times[@]+"${times[@]}"}"
echo
for f in "${skipped_suites[@]+"${skipped_suites[@]}"}"; do
	echo "SKIPPED: $f"
done
for f in "${failures[@]+"${failures[@]}"}"; do
	echo "FAILED: $f"
done
echo "suites: $passed passed, $failed failed, ${#skipped_suites[@]} skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
