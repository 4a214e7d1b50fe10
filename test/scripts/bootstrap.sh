#!/bin/bash
# bin/migrate-bootstrap: concurrent first boots and its errors.
#
# 1. Ten times: a fresh database, and 8 clients that start
#    migrate-bootstrap at the same instant on two project directories.
#    Every client must succeed, and each revision must run exactly once
#    (migrate.log and a table the bodies append to).  For comparison, the
#    same start with a bare CREATE EXTENSION IF NOT EXISTS is counted (not
#    asserted: PostgreSQL's race shows up or not depending on timing).
# 2. Its errors: usage, bad directories, a failing revision, a file with an
#    error, a file that commits, no server: the documented exit status, a
#    clear message, and nothing half-applied.
# 3. --target, the session's project for a directory without --project,
#    names that need quoting, a SIGTERM while a body runs, --lint and
#    --lint-allow, and doc/production.md's container entrypoint.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail

TRIALS=${BOOTSTRAP_TRIALS:-10}
CLIENTS=${BOOTSTRAP_CLIENTS:-8}
boot=$PWD/bin/migrate-bootstrap
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
failures=0

ok() { echo "ok: $1"; }
fail() {
	echo "FAIL: $1"
	failures=$((failures + 1))
}
q() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
fresh_db() {
	dropdb --if-exists "$1" >/dev/null 2>&1
	createdb "$1"
}

# Two services, each with its own directory of revisions.  Every body
# appends its id to public.effects, so a revision run twice shows.
mkdir -p "$work/svc_a" "$work/svc_b"
cat >"$work/svc_a/0001_effects.sql" <<'EOF'
SELECT migrate.register('a1',
    upgrade => $$CREATE TABLE IF NOT EXISTS public.effects (project text, rev text);
                 CREATE SCHEMA svc_a; CREATE TABLE svc_a.account (id int);
                 INSERT INTO public.effects VALUES ('svc_a', 'a1')$$,
    downgrade => $$DROP SCHEMA svc_a CASCADE$$,
    message => 'account table');
EOF
cat >"$work/svc_a/0002_email.sql" <<'EOF'
SELECT migrate.register('a2', down_revision => 'a1',
    upgrade => $$ALTER TABLE svc_a.account ADD COLUMN email text;
                 INSERT INTO public.effects VALUES ('svc_a', 'a2')$$,
    downgrade => $$ALTER TABLE svc_a.account DROP COLUMN email$$,
    message => 'add email');
EOF
cat >"$work/svc_a/0003_slow.sql" <<'EOF'
-- slow enough that the other clients queue behind the first
SELECT migrate.register('a3', down_revision => 'a2',
    upgrade => $$SELECT pg_sleep(0.1); INSERT INTO public.effects VALUES ('svc_a', 'a3')$$,
    downgrade => $$SELECT 1$$,
    message => 'slow');
EOF
cat >"$work/svc_b/0001_orders.sql" <<'EOF'
SELECT migrate.register('b1',
    upgrade => $$CREATE TABLE IF NOT EXISTS public.effects (project text, rev text);
                 CREATE SCHEMA svc_b; CREATE TABLE svc_b.orders (id int);
                 INSERT INTO public.effects VALUES ('svc_b', 'b1')$$,
    downgrade => $$DROP SCHEMA svc_b CASCADE$$,
    message => 'orders table');
EOF
cat >"$work/svc_b/0002_total.sql" <<'EOF'
SELECT migrate.register('b2', down_revision => 'b1',
    upgrade => $$ALTER TABLE svc_b.orders ADD COLUMN total numeric;
                 INSERT INTO public.effects VALUES ('svc_b', 'b2')$$,
    downgrade => $$ALTER TABLE svc_b.orders DROP COLUMN total$$,
    message => 'add total');
EOF

# Start CLIENTS copies of a command at the same instant: each waits for a
# gate file, then runs.  Their statuses go to $work/status.N.
# (opening a FIFO for reading blocks until a writer opens it: the clients
# wait in open(), and all go when the gate is opened and closed).
start_together() {
	local gate=$work/gate n
	rm -f "$gate" "$work"/status.* "$work"/out.*
	mkfifo "$gate"
	for n in $(seq 1 "$CLIENTS"); do
		(
			cat "$gate" >/dev/null
			"$@" >"$work/out.$n" 2>&1
			echo $? >"$work/status.$n"
		) &
	done
	sleep 0.2
	exec 4>"$gate"
	exec 4>&-
	wait
}

count_failed() {
	local n bad=0
	for n in $(seq 1 "$CLIENTS"); do
		[ "$(cat "$work/status.$n" 2>/dev/null)" = 0 ] || bad=$((bad + 1))
	done
	echo "$bad"
}

echo "--- $TRIALS trials, $CLIENTS clients at once on a fresh database"
raced=0
for t in $(seq 1 "$TRIALS"); do
	db=migrate_boot_$t

	fresh_db "$db" || exit 1
	start_together "$boot" -d "$db" --project svc_a "$work/svc_a" --project svc_b "$work/svc_b"
	bad=$(count_failed)
	if [ "$bad" -ne 0 ]; then
		fail "trial $t: $bad of $CLIENTS bootstrap clients failed"
		for n in $(seq 1 "$CLIENTS"); do
			[ "$(cat "$work/status.$n" 2>/dev/null)" = 0 ] || sed "s/^/    client $n: /" "$work/out.$n"
		done
		continue
	fi
	# exactly one client created the extension and ran the revisions
	created=$(grep -l "extension migrate .* created" "$work"/out.* | wc -l)
	ran=$(cat "$work"/out.* | grep -c "^project svc_.: upgrade ")
	state=$(q "$db" "SELECT
		(SELECT string_agg(project || ':' || rev || '=' || n, ',' ORDER BY project, rev)
		   FROM (SELECT project, rev, count(*) AS n FROM effects GROUP BY 1, 2) e),
		(SELECT string_agg(project || ':' || revision || '=' || n, ',' ORDER BY project, revision)
		   FROM (SELECT project, revision, count(*) AS n FROM migrate.log
		         WHERE operation = 'upgrade' GROUP BY 1, 2) l),
		(SELECT string_agg(c, ',') FROM migrate.current('svc_a') c) || ' ' ||
		(SELECT string_agg(c, ',') FROM migrate.current('svc_b') c)")
	expected_counts="svc_a:a1=1,svc_a:a2=1,svc_a:a3=1,svc_b:b1=1,svc_b:b2=1"
	if [ "$state" = "$expected_counts|$expected_counts|a3 b2" ] && [ "$created" -eq 1 ] && [ "$ran" -eq 5 ]; then
		ok "trial $t: $CLIENTS clients succeeded, each revision ran once"
	else
		fail "trial $t: state $state, $created client(s) created the extension, $ran revision runs printed"
	fi

	# the bare statement in the same database without the extension, for
	# comparison only
	q "$db" "DROP EXTENSION migrate CASCADE" >/dev/null
	start_together psql -X -q -d "$db" -c "CREATE EXTENSION IF NOT EXISTS migrate"
	bare=$(count_failed)
	[ "$bare" -gt 0 ] && raced=$((raced + 1))
	echo "   bare CREATE EXTENSION IF NOT EXISTS: $bare of $CLIENTS clients failed"
	dropdb "$db"
done
echo "bare CREATE EXTENSION IF NOT EXISTS: some client failed in $raced of $TRIALS trials (for comparison)"

echo "--- errors"
db=migrate_boot_err
fresh_db "$db" || exit 1

# expect STATUS PATTERN DESCRIPTION -- COMMAND...: the exit status and a
# line of the output matching PATTERN
expect() {
	local want=$1 pattern=$2 what=$3
	shift 4
	"$@" >"$work/err.out" 2>&1
	local got=$?
	if [ "$got" -eq "$want" ] && grep -Eq -- "$pattern" "$work/err.out"; then
		ok "$what: exit $got, \"$(grep -E -m1 -- "$pattern" "$work/err.out")\""
	else
		fail "$what: exit $got (expected $want), output:"
		sed 's/^/    /' "$work/err.out"
	fi
}

expect 0 "^Usage: migrate-bootstrap" "--help" -- "$boot" --help
expect 2 "no directory given" "no directory" -- "$boot" -d "$db"
expect 2 "unknown option --frobnicate" "unknown option" -- "$boot" --frobnicate "$work/svc_a"
expect 2 "option --target needs a value" "option without its value" -- "$boot" "$work/svc_a" --target
expect 2 "--project x is not followed by a directory" "--project last" -- "$boot" "$work/svc_a" --project x
expect 2 "empty project name" "empty project name" -- "$boot" --project "" "$work/svc_a"
expect 2 "directory $work/nowhere does not exist" "missing directory" -- "$boot" -d "$db" "$work/nowhere"
expect 2 "$work/svc_a/0001_effects.sql is not a directory" "a file for a directory" -- \
	"$boot" -d "$db" "$work/svc_a/0001_effects.sql"
mkdir -p "$work/empty"
touch "$work/empty/notes.txt"
expect 2 "holds no .sql file" "a directory without .sql files" -- "$boot" -d "$db" "$work/empty"
mkdir -p "$work/closed"
cp "$work/svc_b/0001_orders.sql" "$work/closed/"
chmod 700 "$work/closed"
if [ "$(id -u)" -eq 0 ]; then
	# root reads everything: try as the cluster's owner instead, with a copy
	# of the script it can reach (the checkout may be in a private
	# directory, as a clone under /root is)
	chmod 755 "$work"
	cp "$boot" "$work/migrate-bootstrap"
	chmod 755 "$work/migrate-bootstrap"
	expect 2 "directory $work/closed is not readable" "an unreadable directory" -- \
		runuser -u postgres -- env PGHOST="$PGHOST" PGPORT="$PGPORT" "$work/migrate-bootstrap" -d "$db" "$work/closed"
else
	chmod 000 "$work/closed"
	expect 2 "directory $work/closed is not readable" "an unreadable directory" -- "$boot" -d "$db" "$work/closed"
	chmod 700 "$work/closed"
fi
[ "$(q "$db" "SELECT count(*) FROM pg_extension WHERE extname = 'migrate'")" = 0 ] &&
	ok "usage errors touched nothing: no extension in the database" ||
	fail "a usage error created the extension"

expect 3 "could not connect" "no server there" -- "$boot" -d "host=$work port=1 connect_timeout=5" "$work/svc_a"
expect 2 "-p is not an option .*--project NAME.*port" "-p, a port to every other PostgreSQL client" -- "$boot" -p 5432 "$work/svc_a"
mkdir -p "$work/new"$'\n'"line"
cp "$work/svc_a/0001_effects.sql" "$work/new"$'\n'"line/"
expect 2 "holds a line break" "a directory name with a line break" -- "$boot" -d "$db" "$work/new"$'\n'"line"
! grep -q "not readable" "$work/err.out" || fail "a line break in a name is reported as unreadable"
mkdir -p "$work/nlfile"
cp "$work/svc_a/0001_effects.sql" "$work/nlfile/0001"$'\n'"x.sql"
expect 2 "holds a line break" "a file name with a line break" -- "$boot" -d "$db" "$work/nlfile"
expect 2 "option --lock-timeout needs a value" "--lock-timeout without its value" -- "$boot" "$work/svc_a" --lock-timeout

# a failing revision in a fresh database: not even the extension stays
mkdir -p "$work/failing"
cp "$work/svc_a"/*.sql "$work/failing/"
cat >"$work/failing/0004_broken.sql" <<'EOF'
SELECT migrate.register('a4', down_revision => 'a3',
    upgrade => $$INSERT INTO public.effects VALUES ('svc_a', 'a4'); SELECT 1/0$$,
    downgrade => $$SELECT 1$$, message => 'broken');
EOF
expect 1 "while running upgrade of revision a4 \(broken\)" "a failing revision, fresh database" -- \
	"$boot" -d "$db" --project svc_a "$work/failing"
grep -q "failed; the bootstrap transaction was rolled back" "$work/err.out" && grep -q "division by zero" "$work/err.out" ||
	fail "the failure message does not name the error and say that the transaction was rolled back"
[ "$(q "$db" "SELECT count(*) FROM pg_extension WHERE extname = 'migrate'")$(q "$db" "SELECT count(*) FROM pg_namespace WHERE nspname IN ('svc_a', 'migrate')")" = 00 ] &&
	ok "after the failure: no extension, no schema: nothing half-applied" ||
	fail "the failing bootstrap left the extension or a schema behind"

# the same on a database already bootstrapped: every table as before
"$boot" -d "$db" --project svc_a "$work/svc_a" >/dev/null 2>&1 || fail "bootstrap of svc_a failed"
# (a failed run writes a log row of its failure, on its own: not counted)
snapshot() {
	q "$db" "SELECT (SELECT count(*) FROM migrate.revision), (SELECT count(*) FROM migrate.log WHERE error IS NULL),
	                (SELECT string_agg(project || ':' || revision, ',' ORDER BY 1) FROM migrate.version),
	                (SELECT count(*) FROM effects),
	                (SELECT count(*) FROM pg_class WHERE relname = 'late')"
}
before=$(snapshot)
cat >"$work/failing/0000_late.sql" <<'EOF'
CREATE TABLE public.late (id int);
EOF
expect 1 "while running upgrade of revision a4 \(broken\)" "a failing revision after applied ones" -- \
	"$boot" -d "$db" --project svc_a "$work/failing"
after=$(snapshot)
[ "$before" = "$after" ] && ok "state as before: $after (registrations, log, versions, effects, other statements)" ||
	fail "state changed: before $before, after $after"
rm "$work/failing/0000_late.sql"

# an error in a file: psql names the file and line
mkdir -p "$work/syntax"
printf 'SELECT 1;\nSELEC migrate.register(1);\n' >"$work/syntax/0001_typo.sql"
expect 1 "0001_typo.sql:2: ERROR:  syntax error" "a syntax error in a file" -- "$boot" -d "$db" "$work/syntax"

# a file that commits: reported (what ran before it cannot be undone), and
# the last line does not say otherwise
mkdir -p "$work/commits"
printf 'CREATE TABLE before_commit (id int);\nCOMMIT;\n' >"$work/commits/0001_commit.sql"
expect 1 "0001_commit.sql ended the bootstrap transaction" "a file that commits" -- "$boot" -d "$db" "$work/commits"
grep -q "DETAIL:  The file committed the bootstrap transaction: what ran before it is committed" "$work/err.out" ||
	fail "the error does not say that what ran before the file's COMMIT is committed"
grep -q "HINT:  Files must not contain BEGIN, COMMIT or ROLLBACK" "$work/err.out" || fail "no hint for the committing file"
! grep -q "the transaction was rolled back" "$work/err.out" || fail "after a file that commits, a line says the transaction was rolled back"
[ "$(q "$db" "SELECT to_regclass('before_commit') IS NOT NULL")" = t ] && ok "what ran before the COMMIT is there, as reported" ||
	fail "before_commit is missing, yet reported committed"
q "$db" "DROP TABLE before_commit" >/dev/null
printf 'CREATE TABLE before_rollback (id int);\nROLLBACK;\n' >"$work/commits/0001_commit.sql"
expect 1 "0001_commit.sql ended the bootstrap transaction" "a file that rolls back" -- "$boot" -d "$db" "$work/commits"
grep -q "DETAIL:  The bootstrap transaction is rolled back: nothing of it is committed" "$work/err.out" ||
	fail "the error does not say that the file's ROLLBACK rolled everything back"
printf 'CREATE TABLE before_rollback (id int);\nROLLBACK;\nBEGIN;\n' >"$work/commits/0001_commit.sql"
expect 1 "0001_commit.sql ended the bootstrap transaction" "ROLLBACK; BEGIN; in a file" -- "$boot" -d "$db" "$work/commits"
grep -q "DETAIL:  The bootstrap transaction is rolled back: nothing of it is committed" "$work/err.out" ||
	fail "ROLLBACK; BEGIN;: the error does not say that everything was rolled back"
[ "$(q "$db" "SELECT to_regclass('before_rollback') IS NULL")" = t ] && ok "what ran before the ROLLBACK is not there, as reported" ||
	fail "before_rollback is there, yet reported rolled back"

# a file that turns ON_ERROR_STOP off: its error still stops the bootstrap,
# and nothing is committed
fresh_db migrate_boot_errstop || exit 1
mkdir -p "$work/errstop"
cp "$work/svc_b/0001_orders.sql" "$work/errstop/"
printf '\\set ON_ERROR_STOP off\nSELECT 1/0;\nSELECT 1;\n' >"$work/errstop/0002_off.sql"
cp "$work/svc_b/0002_total.sql" "$work/errstop/0003_total.sql"
expect 1 "0002_off.sql: a statement in it failed and the file went on" "a file that turns ON_ERROR_STOP off" -- \
	"$boot" -d migrate_boot_errstop --project errstop "$work/errstop"
grep -q "division by zero" "$work/err.out" || fail "the file's error is not shown"
! grep -q "^done" "$work/err.out" || fail "bootstrap says done"
[ "$(q migrate_boot_errstop "SELECT count(*) FROM pg_extension WHERE extname = 'migrate'")" = 0 ] &&
	ok "nothing committed: no extension" || fail "the extension was committed after the file's error"
dropdb migrate_boot_errstop

# files that register into a project of their own, given without --project
# (the default project gets none of them)
mkdir -p "$work/named"
sed "s/message => 'orders table'/message => 'orders table', project => 'elsewhere'/" "$work/svc_b/0001_orders.sql" >"$work/named/0001.sql"
expect 1 "no file of .*/named registered a revision into project default" "files naming another project" -- \
	"$boot" -d "$db" "$work/named"
grep -q "HINT:  Give the directory the --project its files name" "$work/err.out" || fail "no hint for files naming a project"

# a revision registered with transactional => false cannot run in the
# bootstrap's transaction: its project is left out of it, and after the
# commit gets CALL migrate.apply(), revision by revision; the other project
# is upgraded in the transaction as usual
mkdir -p "$work/nontx"
cat >"$work/nontx/0001.sql" <<'EOF'
SELECT migrate.register('n1', upgrade => $$CREATE TABLE nt (id int)$$, downgrade => $$DROP TABLE nt$$);
SELECT migrate.register('n2', down_revision => 'n1', transactional => false, message => 'concurrent index',
    upgrade => $$CREATE INDEX CONCURRENTLY nt_id ON nt (id)$$, downgrade => $$DROP INDEX CONCURRENTLY nt_id$$);
SELECT migrate.register('n3', down_revision => 'n2', upgrade => $$ALTER TABLE nt ADD note text$$,
    downgrade => $$ALTER TABLE nt DROP note$$);
EOF
fresh_db migrate_boot_nontx || exit 1
expect 0 "^project nontx: upgrade n2, concurrent index" "a non-transactional revision, after the commit" -- \
	"$boot" -d migrate_boot_nontx --project nontx "$work/nontx" --project svc_b "$work/svc_b"
grep -q "^project nontx: a revision runs outside a transaction; applied after the commit" "$work/err.out" &&
	grep -q "^project svc_b: upgrade" "$work/err.out" &&
	ok "the other project is upgraded in the transaction" || { fail "bootstrap output:"; sed 's/^/    /' "$work/err.out"; }
[ "$(q migrate_boot_nontx "SELECT string_agg(c, ',') FROM migrate.current('nontx') c")$(q migrate_boot_nontx "SELECT indisvalid FROM pg_index WHERE indexrelid = 'nt_id'::regclass")" = n3t ] &&
	ok "after it: nontx at n3, its index valid" || fail "the non-transactional project is not at n3"
expect 0 "^project nontx: nothing to do, at n3" "the same bootstrap again" -- \
	"$boot" -d migrate_boot_nontx --project nontx "$work/nontx" --project svc_b "$work/svc_b"
# a failure after the commit: what ran before it stays, and exit 1
cat >"$work/nontx/0002.sql" <<'EOF'
SELECT migrate.register('n4', down_revision => 'n3', upgrade => $$ALTER TABLE nt ADD n4 int$$,
    downgrade => $$ALTER TABLE nt DROP n4$$);
SELECT migrate.register('n5', down_revision => 'n4', transactional => false,
    upgrade => $$CREATE UNIQUE INDEX CONCURRENTLY nt_note ON nt ((1))$$, downgrade => $$DROP INDEX nt_note$$);
EOF
q migrate_boot_nontx "INSERT INTO nt VALUES (1), (2)" >/dev/null
expect 1 "could not create unique index" "a failing non-transactional revision" -- \
	"$boot" -d migrate_boot_nontx --project nontx "$work/nontx"
[ "$(q migrate_boot_nontx "SELECT string_agg(c, ',') FROM migrate.current('nontx') c")" = n4 ] &&
	ok "after it: the revision before it stays applied (n4)" || fail "after the failure: not at n4"
dropdb migrate_boot_nontx

echo "--- options"
# --target: only up to it
db2=migrate_boot_opts
fresh_db "$db2" || exit 1
expect 0 "^project svc_a: upgrade a1" "--target a1" -- "$boot" -d "$db2" --target a1 --project svc_a "$work/svc_a"
[ "$(q "$db2" "SELECT string_agg(c, ',') FROM migrate.current('svc_a') c")" = a1 ] &&
	ok "--target a1 stopped at a1" || fail "--target a1 did not stop at a1"
expect 0 "^project svc_a: nothing to do, at a1" "--target a1 again" -- \
	"$boot" -d "$db2" --target=a1 --project=svc_a "$work/svc_a"

# a directory without --project goes to the session's project
expect 0 "into project default" "no --project: the default project" -- "$boot" -d "$db2" "$work/svc_b"
expect 0 "^project default: nothing to do, at b2" "no --project again" -- "$boot" -d "$db2" "$work/svc_b"
mkdir -p "$work/env"
cat >"$work/env/0001.sql" <<'EOF'
SELECT migrate.register('e1', upgrade => $$CREATE TABLE from_env (id int)$$, downgrade => $$DROP TABLE from_env$$);
EOF
expect 0 "into project from_env" "no --project: the session's migrate.project" -- \
	env PGOPTIONS="-c migrate.project=from_env" "$boot" -d "$db2" "$work/env"
grep -q "^project from_env: upgrade e1" "$work/err.out" || fail "the session's project was not upgraded"
# names that need quoting, and a directory given after --
mkdir -p "$work/odd dir's"
cat >"$work/odd dir's/0001.sql" <<'EOF'
SELECT migrate.register('q1', upgrade => $$CREATE TABLE "odd's" (id int)$$, downgrade => $$DROP TABLE "odd's"$$);
EOF
expect 0 "^project it's a \"name\": upgrade q1" "quotes in the project and directory names" -- \
	"$boot" -d "$db2" --project "it's a \"name\"" "$work/odd dir's"
[ "$(q "$db2" "SELECT string_agg(project, ',' ORDER BY project) FROM migrate.version")" = "default,from_env,it's a \"name\",svc_a" ] &&
	ok "each directory went to its project" ||
	fail "projects: $(q "$db2" "SELECT string_agg(project, ',' ORDER BY project) FROM migrate.version")"

# SIGTERM while a body runs (docker stop): exit 143, nothing applied
mkdir -p "$work/sleepy"
cat >"$work/sleepy/0001.sql" <<'EOF'
SELECT migrate.register('z1', upgrade => $$CREATE TABLE zz (id int); SELECT pg_sleep(60)$$, downgrade => $$DROP TABLE zz$$);
EOF
"$boot" -d "$db2" --project sleepy "$work/sleepy" >"$work/term.out" 2>&1 &
client=$!
in_body=0
for _ in $(seq 1 200); do
	if [ "$(q "$db2" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrate-bootstrap' AND wait_event = 'PgSleep'")" = 1 ]; then
		in_body=1
		break
	fi
	sleep 0.05
done
if [ "$in_body" -eq 1 ]; then
	kill -TERM "$client"
	wait "$client"
	status=$?
	gone=0
	for _ in $(seq 1 200); do
		[ "$(q "$db2" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrate-bootstrap'")" = 0 ] && { gone=1; break; }
		sleep 0.05
	done
	if [ "$status" -eq 143 ] && [ "$gone" -eq 1 ] &&
		[ "$(q "$db2" "SELECT count(*) FROM migrate.revision WHERE project = 'sleepy'")$(q "$db2" "SELECT count(*) FROM pg_class WHERE relname = 'zz'")" = 00 ]; then
		ok "SIGTERM in a body: exit 143, backend gone, nothing registered or applied"
	else
		fail "SIGTERM in a body: exit $status, backend gone: $gone"
		cat "$work/term.out"
	fi
else
	fail "the bootstrap never reached the sleeping body"
	kill "$client" 2>/dev/null
	wait "$client"
fi

# --lock-timeout: a bootstrap that waits longer for another one gives up
psql -X -q -d "$db2" -c "SELECT pg_advisory_lock(1835624290, 0), pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do
	[ "$(q "$db2" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1835624290 AND granted")" = 1 ] && break
	sleep 0.05
done
# (the holder keeps the lock for 30 s: a bootstrap that did not give up
# would get it only once the holder is gone, below, and then succeed)
expect 1 "another migrate-bootstrap holds the bootstrap lock of this database: waited longer than --lock-timeout 300ms" \
	"--lock-timeout while another bootstrap holds the lock" -- "$boot" -d "$db2" --lock-timeout 300ms --project svc_a "$work/svc_a"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
q "$db2" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_advisory_lock(1835624290%' AND pid <> pg_backend_pid()" >/dev/null
expect 0 "^project svc_a: nothing to do, at a1" "--lock-timeout, lock free: only the wait is bounded" -- \
	"$boot" -d "$db2" --lock-timeout=300ms --target a1 --project svc_a "$work/svc_a"
mkdir -p "$work/lt"
cat >"$work/lt/0001.sql" <<'EOF'
SELECT migrate.register('l1', upgrade => $$CREATE TABLE lt AS SELECT pg_catalog.current_setting('lock_timeout') AS v$$,
                        downgrade => $$DROP TABLE lt$$);
EOF
expect 0 "^project lt: upgrade l1" "--lock-timeout and a revision" -- "$boot" -d "$db2" --lock-timeout 300ms --project lt "$work/lt"
[ "$(q "$db2" "SELECT v FROM lt")" = 0 ] && ok "the revision ran with the session's lock_timeout, not --lock-timeout's" ||
	fail "the revision saw lock_timeout $(q "$db2" "SELECT v FROM lt")"

# --lint: a hazard in the revisions to run fails the boot, printed, with
# nothing applied; --lint-allow lets its rule through
q "$db2" "CREATE TABLE lint_t (id int PRIMARY KEY, v int); INSERT INTO lint_t SELECT g, g FROM generate_series(1, 100) g" >/dev/null
mkdir -p "$work/lintdir"
cat >"$work/lintdir/0001.sql" <<'EOF'
SELECT migrate.register('li1', upgrade => $$CREATE INDEX lint_t_v ON public.lint_t (v)$$,
                        downgrade => $$DROP INDEX public.lint_t_v$$);
EOF
expect 2 "--lint-allow: unknown rule 'nosuch'" "--lint-allow with an unknown rule" -- \
	"$boot" -d "$db2" --lint-allow drops-data,nosuch --project lint "$work/lintdir"
expect 1 "^project lint: lint: revision li1: index-without-concurrently: CREATE INDEX lint_t_v" "--lint refuses a hazard" -- \
	"$boot" -d "$db2" --lint --project lint "$work/lintdir"
grep -q "lint found hazards in the revisions to run" "$work/err.out" && grep -q "SHARE lock" "$work/err.out" ||
	fail "--lint did not say why it refused, with the finding's detail"
[ "$(q "$db2" "SELECT count(*) FROM migrate.revision WHERE project = 'lint'")$(q "$db2" "SELECT count(*) FROM pg_class WHERE relname = 'lint_t_v'")" = 00 ] &&
	ok "after --lint refused: nothing registered, no index" ||
	fail "--lint refused, but something was applied"
expect 0 "index-without-concurrently: .* \(allowed\)" "--lint-allow lets the rule through, printed" -- \
	"$boot" -d "$db2" --lint-allow index-without-concurrently --project lint "$work/lintdir"
grep -q "^project lint: upgrade li1" "$work/err.out" && [ "$(q "$db2" "SELECT count(*) FROM pg_class WHERE relname = 'lint_t_v'")" = 1 ] ||
	fail "--lint-allow did not run the revision"
expect 0 "^project lint: nothing to do" "--lint with nothing pending" -- \
	"$boot" -d "$db2" --lint --project lint "$work/lintdir"
! grep -q ": lint: " "$work/err.out" || fail "--lint printed findings with nothing pending"

# doc/production.md's container entrypoint: bootstrap, then exec the service
cat >"$work/entrypoint.sh" <<EOF
#!/bin/sh
set -e
$boot --project svc_a "$work/svc_a" --project svc_b "$work/svc_b"
exec "\$@"
EOF
fresh_db migrate_boot_entry || exit 1
expect 0 "^service started" "entrypoint: bootstrap then exec the service" -- \
	env PGDATABASE=migrate_boot_entry sh "$work/entrypoint.sh" echo "service started"
cp "$work/failing/0004_broken.sql" "$work/svc_a/"
expect 1 "failed; the bootstrap transaction was rolled back" "entrypoint: a failing bootstrap stops before the service" -- \
	env PGDATABASE=migrate_boot_entry sh "$work/entrypoint.sh" echo "service started"
! grep -q "^service started" "$work/err.out" || fail "the service started after a failed bootstrap"

dropdb "$db"
dropdb "$db2"
dropdb migrate_boot_entry
echo "bootstrap: $failures failure(s)"
[ "$failures" -eq 0 ]
