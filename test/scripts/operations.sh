#!/bin/bash
# Operating it: the five-service layout this project was designed from
# (users, habits, meals, movements, practices: each service its own schema,
# its own revision files with a configure() line, practices with a CREATE
# INDEX CONCURRENTLY revision), as a team deploys it.
#
#  1. Containers that boot together: 6 migrate-bootstrap clients at once on
#     a fresh database, three times over, with plain CALL apply() and
#     upgrade() callers among them: no client fails, each revision runs once, the index is
#     valid, and exactly one client says it ran each revision (the others
#     say another client had).
#  2. run_as: the first boot, as a superuser, leaves every object to the
#     application's owner role; a later boot as a deployer (a member of
#     migrate_admin and of that role) adds a revision; a migrator who is
#     not a member of the role is refused.
#  3. A target per project: one service held back while the others go on.
#  4. A fleet: four databases, one of which fails; the other three reach
#     their heads, the failing one is named, the exit status is 1.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
# the boot script as make install left it, beside psql in PostgreSQL's bindir
boot=$(pg_config --bindir)/migrate-bootstrap
if ! cmp -s "$boot" bin/migrate-bootstrap || [ ! -x "$boot" ]; then
	echo "FAIL: make install did not put bin/migrate-bootstrap in $(pg_config --bindir)"
	exit 1
fi
echo "ok: make install put migrate-bootstrap in $(pg_config --bindir)"
work=$(mktemp -d)
chmod 755 "$work"
failures=0
dbs=()
trap 'rm -rf "$work"; for d in "${dbs[@]+"${dbs[@]}"}"; do dropdb --if-exists "$d" >/dev/null 2>&1; done' EXIT

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
q() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
fresh() {
	dropdb --if-exists "$1" >/dev/null 2>&1
	createdb "$1" || exit 1
	dbs+=("$1")
}

# --- the five services' revision files ---------------------------------------

services=(users habits meals movements practices)
for s in "${services[@]}"; do
	mkdir -p "$work/$s"
	cat >"$work/$s/0000_configure.sql" <<EOF
SELECT migrate.configure('$s', target_schema => '$s', lock_timeout => '5s');
EOF
	cat >"$work/$s/0001_create.sql" <<EOF
SELECT migrate.register('${s}_1', message => 'create $s',
	upgrade => \$up\$
		CREATE TABLE item (id bigint PRIMARY KEY, name text NOT NULL);
		INSERT INTO item SELECT g, 'item ' || g FROM generate_series(1, 5000) g;
		INSERT INTO public.ledger VALUES ('${s}_1');
	\$up\$,
	downgrade => \$down\$ DROP TABLE item \$down\$);
EOF
	cat >"$work/$s/0002_note.sql" <<EOF
SELECT migrate.register('${s}_2', down_revision => '${s}_1', message => 'note',
	upgrade => \$up\$
		ALTER TABLE item ADD COLUMN note text;
		INSERT INTO public.ledger VALUES ('${s}_2');
	\$up\$,
	downgrade => \$down\$ ALTER TABLE item DROP COLUMN note \$down\$);
EOF
done
cat >"$work/practices/0003_index.sql" <<'EOF'
SELECT migrate.register('practices_3', down_revision => 'practices_2', message => 'index names',
	transactional => false,
	upgrade => $up$
		CREATE INDEX CONCURRENTLY item_name ON item (name);
		INSERT INTO public.ledger VALUES ('practices_3');
	$up$,
	downgrade => $down$ DROP INDEX CONCURRENTLY item_name $down$);
EOF
cat >"$work/practices/0004_after.sql" <<'EOF'
SELECT migrate.register('practices_4', down_revision => 'practices_3', message => 'after the index',
	upgrade => $up$ INSERT INTO public.ledger VALUES ('practices_4') $up$,
	downgrade => $down$ SELECT 1 $down$);
EOF
args=()
for s in "${services[@]}"; do
	args+=(--project "$s" "$work/$s")
done
revisions=$(for s in "${services[@]}"; do echo "${s}_1 ${s}_2"; done; echo practices_3 practices_4)

# --- 1. six containers at once, three times over -----------------------------

echo "--- 6 clients, 2 CALL apply() and 2 upgrade() callers at once on a fresh database, 3 times"
for round in 1 2 3; do
	db=migrate_ops_boot$round
	fresh "$db"
	q "$db" "CREATE TABLE ledger (rev text)" >/dev/null
	pids=()
	for c in 1 2 3 4 5 6; do
		"$boot" -d "$db" "${args[@]}" >"$work/boot$round.$c.out" 2>&1 &
		pids+=($!)
	done
	# two plain callers of the non-transactional project, as a deploy script
	# or an application might be, once the extension is there
	for c in 1 2; do
		(for _ in $(seq 1 100); do
			[ "$(q "$db" "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'migrate'" 2>/dev/null)" = 1 ] &&
				[ "$(q "$db" "SELECT count(*) FROM migrate.revision WHERE project = 'practices'" 2>/dev/null)" = 4 ] && break
			sleep 0.05
		done
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CALL migrate.apply('head', 'practices')") \
			>"$work/apply$round.$c.out" 2>&1 &
		pids+=($!)
	done
	# and two plain upgrade() callers of transactional projects, which a
	# concurrent index build of practices must not hold up
	for s in users meals; do
		(for _ in $(seq 1 100); do
			[ "$(q "$db" "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'migrate'" 2>/dev/null)" = 1 ] &&
				[ "$(q "$db" "SELECT count(*) FROM migrate.project WHERE name = '$s'" 2>/dev/null)" = 1 ] && break
			sleep 0.05
		done
		q "$db" "SET client_min_messages = warning;
			SELECT 'caller: upgrade ' || revision || ', ' FROM migrate.upgrade('head', '$s')") \
			>"$work/caller$round.$s.out" 2>&1 &
		pids+=($!)
	done
	failed=0
	for p in "${pids[@]}"; do
		wait "$p" || failed=$((failed + 1))
	done
	if [ "$failed" -eq 0 ]; then
		ok "round $round: every client succeeded"
	else
		fail "round $round: $failed client(s) failed:"
		grep -h -i 'error\|failed' "$work"/boot$round.* "$work"/apply$round.* "$work"/caller$round.* | head -20
	fi
	twice=$(q "$db" "SELECT coalesce(string_agg(rev, ','), '') FROM (SELECT rev FROM ledger GROUP BY rev HAVING count(*) > 1) d")
	ran=$(q "$db" "SELECT count(DISTINCT rev) FROM ledger")
	[ -z "$twice" ] && [ "$ran" = 12 ] && ok "round $round: each of the 12 revisions ran once" ||
		fail "round $round: ran $ran distinct revisions, twice: $twice"
	[ "$(q "$db" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'practices.item_name'::regclass")" = t ] &&
		ok "round $round: the concurrent index is valid" || fail "round $round: the index is not valid"
	heads=$(q "$db" "SELECT string_agg(project || ':' || revision, ',' ORDER BY project) FROM migrate.version")
	[ "$heads" = "habits:habits_2,meals:meals_2,movements:movements_2,practices:practices_4,users:users_2" ] &&
		ok "round $round: every project at its head" || fail "round $round: heads $heads"
	# exactly one client says it ran each revision
	bad=
	for r in $revisions; do
		n=$(cat "$work"/boot$round.* "$work"/caller$round.* | grep -c ": upgrade $r, ")
		[ "$n" = 1 ] || bad+=" $r:$n"
	done
	[ -z "$bad" ] && ok "round $round: each revision is reported by exactly one client" ||
		fail "round $round: revisions reported by other than one client:$bad"
	grep -q "nothing to do, at .*(another client applied the revisions)" "$work"/boot$round.* &&
		ok "round $round: the others say another client applied them" ||
		fail "round $round: no client says another one applied the revisions"
done

# --- 2. run_as: the application's owner role owns what the boots make --------

echo "--- run_as"
db=migrate_ops_owner
fresh "$db"
q "$db" "CREATE TABLE ledger (rev text); GRANT INSERT ON ledger TO PUBLIC" >/dev/null
psql -X -q -d postgres -c "DROP ROLE IF EXISTS ops_app, ops_deployer, ops_stranger" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL || exit 1
CREATE ROLE ops_app NOLOGIN;
CREATE ROLE ops_deployer LOGIN;
CREATE ROLE ops_stranger LOGIN;
GRANT ops_app TO ops_deployer;
GRANT CREATE ON DATABASE $db TO ops_app;
SQL
mkdir -p "$work/owned"
cp "$work/meals/"0001_create.sql "$work/meals/"0002_note.sql "$work/owned/"
cat >"$work/owned/0000_configure.sql" <<'EOF'
SELECT migrate.configure('meals', target_schema => 'meals', run_as => 'ops_app');
EOF
out=$("$boot" -d "$db" --project meals "$work/owned" 2>&1) || fail "first boot as a superuser: $out"
owners=$(q "$db" "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class
                  WHERE relnamespace = 'meals'::regnamespace")
schema_owner=$(q "$db" "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'meals'")
[ "$owners" = ops_app ] && [ "$schema_owner" = ops_app ] &&
	ok "the first boot, as a superuser, left the schema and every table to ops_app" ||
	fail "owners after the first boot: schema $schema_owner, relations $owners"
q "$db" "GRANT migrate_admin TO ops_deployer, ops_stranger" >/dev/null
cat >"$work/owned/0003_more.sql" <<'EOF'
SELECT migrate.register('meals_3', down_revision => 'meals_2', message => 'calories',
	transactional => false,
	upgrade => $up$ CREATE TABLE calories (meal bigint, kcal int);
		CREATE INDEX CONCURRENTLY calories_meal ON calories (meal) $up$,
	downgrade => $down$ DROP TABLE calories $down$);
EOF
out=$(PGUSER=ops_deployer "$boot" -d "$db" --project meals "$work/owned" 2>&1)
[ $? -eq 0 ] && grep -q "project meals: upgrade meals_3, calories" <<<"$out" &&
	ok "a later boot as a deployer (member of migrate_admin and of ops_app) runs a new, non-transactional revision" ||
	fail "a later boot as a deployer: $out"
[ "$(q "$db" "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'meals.calories'::regclass")" = ops_app ] &&
	ok "and its table, made by the background worker, belongs to ops_app too" || fail "meals.calories is not ops_app's"
cat >"$work/owned/0004_stranger.sql" <<'EOF'
SELECT migrate.register('meals_4', down_revision => 'meals_3', message => 'stranger',
	upgrade => $up$ CREATE TABLE stranger () $up$, downgrade => $down$ DROP TABLE stranger $down$);
EOF
out=$(PGUSER=ops_stranger "$boot" -d "$db" --project meals "$work/owned" 2>&1)
status=$?
[ "$status" = 1 ] && grep -q 'permission denied to make role "ops_app" the role the bodies of project "meals" run as' <<<"$out" &&
	[ "$(q "$db" "SELECT count(*) FROM migrate.revision WHERE id = 'meals_4'")" = 0 ] &&
	ok "a migrator who is not a member of ops_app is refused, and nothing is registered" ||
	fail "a migrator who is not a member of ops_app: exit $status: $out"
rm "$work/owned/0004_stranger.sql"
dropdb "$db"
psql -X -q -d postgres -c "DROP ROLE ops_app, ops_deployer, ops_stranger" >/dev/null

# --- 3. a target per project ----------------------------------------------------

echo "--- a target per project"
db=migrate_ops_targets
fresh "$db"
q "$db" "CREATE TABLE ledger (rev text)" >/dev/null
out=$("$boot" -d "$db" --project habits --target habits_1 "$work/habits" --project meals "$work/meals" 2>&1) ||
	fail "bootstrap with a target for habits: $out"
heads=$(q "$db" "SELECT string_agg(project || ':' || revision, ',' ORDER BY project) FROM migrate.version")
[ "$heads" = "habits:habits_1,meals:meals_2" ] &&
	ok "--target after --project habits holds habits back (habits_1), meals goes to its head" ||
	fail "heads $heads"
out=$("$boot" -d "$db" --target head --project habits "$work/habits" --project meals "$work/meals" 2>&1) ||
	fail "bootstrap without a target for habits: $out"
[ "$(q "$db" "SELECT revision FROM migrate.version WHERE project = 'habits'")" = habits_2 ] &&
	grep -q "project meals: nothing to do, at meals_2$" <<<"$out" &&
	ok "the next boot takes habits on to its head; meals has nothing to do" ||
	fail "the next boot: $out"

# --- 4. a fleet ----------------------------------------------------------------

echo "--- a fleet of 4 databases, one of which fails"
for d in a b c d; do
	fresh "migrate_ops_fleet_$d"
	q "migrate_ops_fleet_$d" "CREATE TABLE ledger (rev text)" >/dev/null
done
# on c, users_2's column is there already: that revision fails
q migrate_ops_fleet_c "CREATE SCHEMA users; CREATE TABLE users.item (id bigint PRIMARY KEY, name text NOT NULL, note text)" >/dev/null
out=$("$boot" -d migrate_ops_fleet_a -d migrate_ops_fleet_b -d migrate_ops_fleet_c -d migrate_ops_fleet_d \
	--jobs 2 --project users "$work/users" 2>&1)
status=$?
[ "$status" = 1 ] && ok "the fleet's exit status is 1" || fail "the fleet's exit status is $status"
for d in a b d; do
	[ "$(q "migrate_ops_fleet_$d" "SELECT revision FROM migrate.version WHERE project = 'users'")" = users_2 ] &&
		grep -q "migrate-bootstrap: migrate_ops_fleet_$d: done" <<<"$out" ||
		fail "database $d is not at users_2, or not reported done"
done
grep -q "migrate-bootstrap: migrate_ops_fleet_c: FAILED" <<<"$out" &&
	grep -q "1 of 4 database(s) failed: migrate_ops_fleet_c" <<<"$out" &&
	grep -q "^migrate_ops_fleet_c: .*already exists" <<<"$out" &&
	ok "the other three reached their heads; the failing one is named, with its own lines" ||
	fail "the fleet's report: $out"
# the same from a file of connection strings, with a password not printed
printf '# the fleet\n\nmigrate_ops_fleet_a\ndbname=migrate_ops_fleet_b password=s3cret\n' >"$work/fleet.txt"
out=$("$boot" --dbname-file "$work/fleet.txt" --jobs 2 --project users "$work/users" 2>&1)
status=$?
[ "$status" = 0 ] && grep -q "all 2 databases done" <<<"$out" && ! grep -q s3cret <<<"$out" &&
	ok "--dbname-file: two databases done, no password printed" ||
	fail "--dbname-file: exit $status: $out"

echo "operations: $failures failure(s)"
[ "$failures" -eq 0 ]
