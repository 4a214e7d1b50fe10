#!/bin/sh
# Runs the checks of test/graph (see Makefile) and ends with one line
# "N passed, M failed" summing them; exits non-zero when anything failed.
# (GNU make adds "Leaving directory" after it when run with -C; use
# make -s -C test/graph check to have it last.)
# Expects the binaries in build/ (make all) and CC, CLANG, PYTHON,
# DIFF_SECONDS, DIFF_GRAPHS from the Makefile.

cd "$(dirname "$0")" || exit 2
B=build
total_pass=0
total_fail=0
log=$B/check.log
: > "$log"

# run a stage; take the "N passed, M failed" of its last line that has one
stage() {
	name=$1
	shift
	echo "== $name"
	out=$("$@" 2>&1)
	status=$?
	printf '%s\n' "$out" >> "$log"
	printf '%s\n' "$out" | grep -v '^ok ' | tail -n 40
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(printf '%s\n' "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*$/\2/')
	f=$(printf '%s\n' "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*$/\3/')
	if [ -z "$line" ]; then
		p=0
		f=1
		echo "$name: no result line (exit status $status)"
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "$name: exit status $status"
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

# one check per compiler: every file of the module builds without a
# warning under the flags PostgreSQL extensions are built with
compile_check() {
	cc=$1
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "compile: $cc not found (not counted)"
		echo "compile: 0 passed, 0 failed"
		return 0
	fi
	mkdir -p "$B/objs-$cc"
	for f in ../../src/graph/*.c; do
		if ! "$cc" -std=c99 -O2 -Wall -Wextra -Werror -Wdeclaration-after-statement \
			-Wmissing-prototypes -Wpointer-arith -Wformat-security \
			-Wmissing-format-attribute -Wendif-labels -c "$f" \
			-o "$B/objs-$cc/$(basename "$f" .c).o"; then
			echo "compile: $f under $cc"
			echo "compile: 0 passed, 1 failed"
			return 1
		fi
	done
	echo "compile: $cc clean"
	echo "compile: 1 passed, 0 failed"
}

stage "src/graph under $CC" compile_check "$CC"
stage "src/graph under $CLANG" compile_check "$CLANG"
stage "layering of src/graph (graph_int.h's list)" python3 layers.py "$B/objs-$CC"
stage "unit cases and API checks" ./$B/mg_unit cases/*.case
stage "checks without a built graph (verify, is-applied)" ./$B/mg_checks
stage "properties on random graphs" ./$B/mg_prop 3000
stage "pictures of the graph: layout followed line by line, formats" ./$B/mg_draw 3000
stage "fuzz smoke" ./$B/mg_fuzz_smoke 20000

if [ -n "$PYTHON" ]; then
	stage "differential: unit case scripts against Alembic" \
		"$PYTHON" difftest.py ./$B/mg_driver --script cases/*.case
	stage "differential: random graphs against Alembic" \
		"$PYTHON" difftest.py ./$B/mg_driver --graphs "$DIFF_GRAPHS" \
		--seconds "$DIFF_SECONDS"
else
	echo "== differential test against Alembic"
	if [ "${MIGRATE_REQUIRE_ALEMBIC:-0}" = 1 ]; then
		echo "differential: SKIPPED but required: no python3 with alembic and sqlalchemy (apt-get install -y python3-alembic)"
		total_fail=$((total_fail + 1))
	else
		echo "differential: skipped: no python3 with alembic and sqlalchemy (apt-get install -y python3-alembic)"
	fi
fi

echo "(full output: test/graph/$log)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
