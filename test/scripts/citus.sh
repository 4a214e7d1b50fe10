#!/bin/bash
# migrate on a Citus cluster: a coordinator and two workers.
#
# Starts its own three servers (test/citus_cluster.sh: Citus 13.2.2 built
# for the server PG_CONFIG names, Unix socket and 127.0.0.1 only, stopped
# however the script ends) and checks, with migrate created on the
# coordinator:
#
#  1. CREATE EXTENSION migrate and ALTER EXTENSION migrate UPDATE on the
#     coordinator reach the workers (Citus propagates them); the workers'
#     catalogs stay empty.
#  2. Revisions creating a distributed and reference tables; an ALTER TABLE
#     and CREATE INDEX that reach every shard.
#  3. A revision failing on one worker's shard (a column already there)
#     leaves nothing on any node: not its new distributed table, not its
#     other shards' columns, no prepared transaction; verify() names that
#     shard meanwhile.
#  4. Four concurrent upgrade('head') callers apply each revision once.
#  5. A downgrade reaches every shard.
#  6. CALL apply() of a CREATE INDEX CONCURRENTLY revision builds a valid
#     index on every shard.
#  7. Schema-based sharding for two services: tables a revision creates in
#     a distributed schema (the project's target schema, or one the revision
#     creates, or one it moves a table into), run by CALL apply() or by
#     upgrade(), are distributed, each in its schema's colocation group, as
#     the same statements sent by psql make them; a downgrade of one service
#     removes its schema everywhere.
#  8. verify() names a drifted shard, its node and what differs
#     (ALTER TABLE orders_102008 ADD COLUMN hotfix int on a worker; an index
#     dropped from a shard; a shard renamed away), and a node it cannot
#     reach.
#  9. fingerprint(): on the coordinator and on a worker the same rows, the
#     tables' (Citus keeps their shells on the workers too), never a shard:
#     Citus hides shards from catalog queries (citus.override_table_visibility);
#     with that off, a worker's fingerprint lists its shards.
# 10. A statement Citus does not propagate, run on every node by a revision
#     through run_command_on_all_nodes(), as doc/citus.md shows.
#
# Skipped (exit 77, with the reason) where Citus cannot run: no build
# script beside the checkout, a major Citus 13.2.2 does not support (18),
# a failed build; or when MIGRATE_SKIP_SUITES names citus.  Runs from
# test/in_cluster.sh like every script here, but uses none of its cluster.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

if [[ ",${MIGRATE_SKIP_SUITES:-}," == *",citus,"* ]]; then
	echo "skipped: MIGRATE_SKIP_SUITES names citus"
	exit 77
fi
if [ -z "${MIGRATE_CITUS_WORKERS:-}" ]; then
	exec bash test/citus_cluster.sh bash "$0" "$@"
fi

read -r W1 W2 <<<"$MIGRATE_CITUS_WORKERS"
failures=0
ok() { echo "ok: $1"; }
fail() {
	echo "FAIL: $1"
	failures=$((failures + 1))
}
# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1: expected [$2], got [$3]"
	fi
}
# the coordinator; a worker by port; a worker's shards, shown
c() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
w() {
	local port=$1
	shift
	psql -X -A -t -q -v ON_ERROR_STOP=1 -p "$port" "$@"
}
ws() {
	local port=$1
	shift
	PGOPTIONS='-c citus.override_table_visibility=off' psql -X -A -t -q -v ON_ERROR_STOP=1 -p "$port" "$@"
}
# how many shards of orders answer RESULT to a query about them (%s: the shard)
shards_answering() {
	c -c "SELECT count(*) FROM run_command_on_shards('orders', \$q\$$1\$q\$) WHERE success AND result = '$2'"
}
version() { c -v project="${1:-default}" <<<"SELECT string_agg(v, ',' ORDER BY v) FROM migrate.current(:'project') v"; }

echo "coordinator on port $PGPORT, workers on $W1 and $W2 ($(c -c "SELECT 'Citus ' || extversion FROM pg_extension WHERE extname = 'citus'"), $(c -c "SHOW server_version"))"

# --- 1. the extension, created and updated on the coordinator
ext="SELECT extversion FROM pg_extension WHERE extname = 'migrate'"
c -c "SET client_min_messages = warning" -c "CREATE EXTENSION migrate VERSION '0.1'" || exit 1
expect "CREATE EXTENSION migrate VERSION '0.1' on the coordinator reached both workers" "0.1|0.1" \
	"$(w "$W1" -c "$ext")|$(w "$W2" -c "$ext")"
c -c "SET client_min_messages = warning" -c "ALTER EXTENSION migrate UPDATE" || exit 1
v=$(c -c "$ext")
expect "ALTER EXTENSION migrate UPDATE on the coordinator reached both workers" "$v|$v" \
	"$(w "$W1" -c "$ext")|$(w "$W2" -c "$ext")"

# --- 2. distributed and reference tables, and DDL that reaches every shard
c -c "SET client_min_messages = warning" -f - <<'SQL' >/dev/null || exit 1
SELECT migrate.register('r1', $$
CREATE TABLE orders (id bigint NOT NULL, customer_id bigint NOT NULL, total numeric(10,2),
                     PRIMARY KEY (customer_id, id));
SELECT create_distributed_table('orders', 'customer_id', shard_count => 4);
CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
SELECT create_reference_table('countries');
CREATE TABLE ledger (revision text PRIMARY KEY);
SELECT create_reference_table('ledger');
$$, $$DROP TABLE ledger; DROP TABLE countries; DROP TABLE orders$$, message => 'orders, countries');
SELECT migrate.register('r2', $$ALTER TABLE orders ADD COLUMN note text; CREATE INDEX orders_note ON orders (note)$$,
                        $$DROP INDEX orders_note; ALTER TABLE orders DROP COLUMN note$$,
                        down_revision => 'r1', message => 'note');
SQL
c -c "SELECT count(*) FROM migrate.upgrade('r2')" >/dev/null || exit 1
expect "r1 made a distributed and two reference tables" "countries|reference
ledger|reference
orders|distributed" \
	"$(c -c "SELECT table_name, citus_table_type FROM citus_tables ORDER BY table_name::text")"
expect "orders has shards on both workers" "2" \
	"$(c -c "SELECT count(DISTINCT nodeport) FROM pg_dist_shard_placement JOIN pg_dist_shard USING (shardid)
	         WHERE logicalrelid = 'orders'::regclass")"
expect "the 4 shards of orders are tables on the workers" "4" \
	"$(($(ws "$W1" -c "SELECT count(*) FROM pg_class WHERE relname ~ '^orders_[0-9]+$'") +
		$(ws "$W2" -c "SELECT count(*) FROM pg_class WHERE relname ~ '^orders_[0-9]+$'")))"
expect "r2's ALTER TABLE reached every shard" "4" \
	"$(shards_answering "SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname = 'note'" 1)"
expect "r2's CREATE INDEX reached every shard" "4" \
	"$(shards_answering "SELECT count(*) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
	                     WHERE i.indrelid = '%s'::regclass AND x.relname LIKE 'orders_note%%' AND i.indisvalid" 1)"
expect "verify() finds nothing" "" "$(c -c "SELECT * FROM migrate.verify()")"
expect "the workers' migrate catalogs are empty" "0|0" \
	"$(w "$W1" -c "SELECT count(*) FROM migrate.revision")|$(w "$W2" -c "SELECT count(*) FROM migrate.project")"

# --- 3. a failure on one worker's shard leaves nothing anywhere
shard=$(c -c "SELECT min(shardid) FROM pg_dist_shard_placement JOIN pg_dist_shard USING (shardid)
              WHERE logicalrelid = 'orders'::regclass AND nodeport = $W2")
w "$W2" -c "ALTER TABLE public.orders_$shard ADD COLUMN promo int" || exit 1
c -c "SET client_min_messages = warning" -c "SELECT migrate.register('r3', \$\$
CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);
SELECT create_distributed_table('audit', 'id');
ALTER TABLE orders ADD COLUMN promo int\$\$, \$\$ALTER TABLE orders DROP COLUMN promo; DROP TABLE audit\$\$,
down_revision => 'r2', message => 'audit, promo')" >/dev/null || exit 1
out=$(c -c "SELECT count(*) FROM migrate.upgrade('head')" 2>&1)
if [[ "$out" == *'column "promo" of relation "orders_'"$shard"'" already exists'* ]]; then
	ok "r3 fails on shard orders_$shard of the worker on port $W2"
else
	fail "r3 did not fail as expected: $out"
fi
expect "after the failure: the version is still r2" "r2" "$(version)"
expect "after the failure: no audit table on the coordinator, none in Citus's metadata" "|3" \
	"$(c -c "SELECT to_regclass('audit')")|$(c -c "SELECT count(*) FROM pg_dist_partition")"
expect "after the failure: no shard of audit on either worker" "0|0" \
	"$(ws "$W1" -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'audit%'")|$(ws "$W2" -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'audit%'")"
expect "after the failure: only the shard altered by hand has promo" "1" \
	"$(shards_answering "SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname = 'promo'" 1)"
expect "after the failure: no prepared transaction left on any node" "0|0|0" \
	"$(c -c "SELECT count(*) FROM pg_prepared_xacts")|$(w "$W1" -c "SELECT count(*) FROM pg_prepared_xacts")|$(w "$W2" -c "SELECT count(*) FROM pg_prepared_xacts")"
expect "verify() names the shard with the extra column, and its node" \
	"default|shard_drift||Shard public.orders_$shard of table public.orders, on node 127.0.0.1:$W2, differs from the table: the shard has column promo integer, which the table does not have." \
	"$(c -c "SELECT * FROM migrate.verify()")"
w "$W2" -c "ALTER TABLE public.orders_$shard DROP COLUMN promo" || exit 1
c -c "SELECT count(*) FROM migrate.upgrade('r3')" >/dev/null || fail "r3 after the shard was put right"
expect "r3 then adds promo to every shard" "4" \
	"$(shards_answering "SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname = 'promo' AND NOT attisdropped" 1)"

# --- 4. four concurrent callers, each revision once
for i in 4 5 6 7 8; do
	c -c "SET client_min_messages = warning" -c "SELECT migrate.register('r$i',
		\$\$INSERT INTO ledger VALUES ('r$i'); ALTER TABLE orders ADD COLUMN c$i int\$\$,
		\$\$ALTER TABLE orders DROP COLUMN c$i; DELETE FROM ledger WHERE revision = 'r$i'\$\$,
		down_revision => 'r$((i - 1))')" >/dev/null || exit 1
done
tmp=$(mktemp -d)
pids=()
for i in 1 2 3 4; do
	c -c "SELECT count(*) FROM migrate.upgrade('head')" >"$tmp/$i.out" 2>"$tmp/$i.err" &
	pids+=($!)
done
errors=0
for pid in "${pids[@]}"; do
	wait "$pid" || errors=$((errors + 1))
done
cat "$tmp"/*.err | grep -v '^NOTICE' | head -5
expect "four concurrent upgrade('head') callers: none failed" 0 "$errors"
expect "between them they ran the 5 revisions" 5 "$(awk '{ n += $1 } END { print n }' "$tmp"/*.out)"
rm -rf "$tmp"
expect "each revision was applied once (log, ledger)" "r4:1 r5:1 r6:1 r7:1 r8:1|5" \
	"$(c -c "SELECT string_agg(revision || ':' || n, ' ' ORDER BY revision) FROM (SELECT revision, count(*) AS n
	         FROM migrate.log WHERE operation = 'upgrade' AND revision >= 'r4' GROUP BY revision) l")|$(c -c "SELECT count(*) FROM ledger")"
expect "every shard has the five new columns" "4" \
	"$(shards_answering "SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname ~ '^c[4-8]$' AND NOT attisdropped" 5)"

# --- 5. a downgrade reaches every shard
expect "downgrade('r3') runs five steps" 5 "$(c -c "SELECT count(*) FROM migrate.downgrade('r3')")"
expect "no shard has the five columns any more, the ledger is empty" "4|0" \
	"$(shards_answering "SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname ~ '^c[4-8]$' AND NOT attisdropped" 0)|$(c -c "SELECT count(*) FROM ledger")"
expect "verify() after the downgrade finds nothing" "" "$(c -c "SELECT * FROM migrate.verify()")"

# --- 6. CALL apply(): CREATE INDEX CONCURRENTLY on every shard
c -c "SET client_min_messages = warning" -c "SELECT migrate.register('r9',
	\$\$CREATE INDEX CONCURRENTLY orders_total ON orders (total)\$\$,
	\$\$DROP INDEX CONCURRENTLY orders_total\$\$, down_revision => 'r8', transactional => false)" >/dev/null || exit 1
c -c "CALL migrate.apply()" >/dev/null || fail "CALL migrate.apply()"
expect "CALL apply() reached r9" "r9" "$(version)"
expect "the index built concurrently is valid on the coordinator and on every shard" "t|4" \
	"$(c -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_total'::regclass")|$(shards_answering "SELECT count(*) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
	   WHERE i.indrelid = '%s'::regclass AND x.relname LIKE 'orders_total%%' AND i.indisvalid" 1)"

# --- 7. schema-based sharding, two services
export PGOPTIONS='-c citus.enable_schema_based_sharding=on'
c -c "SET client_min_messages = warning" -f - <<'SQL' >/dev/null || exit 1
SELECT migrate.configure('meals', target_schema => 'meals');
SELECT migrate.register('m1', $$
CREATE TABLE meal (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE portion (meal_id bigint REFERENCES meal, grams int);
$$, $$DROP TABLE portion; DROP TABLE meal$$, project => 'meals', message => 'meals');
SELECT migrate.register('h1', $$
CREATE SCHEMA habits;
CREATE TABLE habits.habit (id bigint PRIMARY KEY, title text);
CREATE TABLE habits.checkin (habit_id bigint REFERENCES habits.habit, day date);
$$, $$DROP SCHEMA habits CASCADE$$, project => 'habits', message => 'habits');
SELECT migrate.register('h2', $$
CREATE TABLE public.streak (habit_id bigint, days int);
ALTER TABLE public.streak SET SCHEMA habits;
CREATE TABLE habits.summary AS SELECT 1 AS habits;
$$, $$DROP TABLE habits.summary; DROP TABLE habits.streak$$, project => 'habits', down_revision => 'h1', message => 'streaks');
SQL
c -c "CALL migrate.apply('head', 'meals')" >/dev/null || fail "CALL apply() of meals"
c -c "SELECT count(*) FROM migrate.upgrade('head', 'habits')" >/dev/null || fail "upgrade of habits"
# the same statements as psql sends them
c -1 -c "CREATE SCHEMA psql_habits" \
	-c "CREATE TABLE psql_habits.habit (id bigint PRIMARY KEY, title text)" \
	-c "CREATE TABLE psql_habits.checkin (habit_id bigint REFERENCES psql_habits.habit, day date)" \
	-c "CREATE TABLE public.streak (habit_id bigint, days int)" \
	-c "ALTER TABLE public.streak SET SCHEMA psql_habits" \
	-c "CREATE TABLE psql_habits.summary AS SELECT 1 AS habits" 2>/dev/null || fail "psql's run of the same statements"
unset PGOPTIONS
expect "the tables the revisions created are distributed, each schema's in its own group" \
	"habits.checkin|schema|1|t
habits.habit|schema|1|t
habits.streak|schema|1|t
habits.summary|schema|1|t
meals.meal|schema|1|t
meals.portion|schema|1|t" \
	"$(c -c "SELECT t.table_name, t.citus_table_type, t.shard_count, t.colocation_id = s.colocationid
	         FROM citus_tables t JOIN pg_class r ON r.oid = t.table_name JOIN pg_dist_schema s ON s.schemaid = r.relnamespace
	         WHERE r.relnamespace::regnamespace::text IN ('meals', 'habits') ORDER BY t.table_name::text")"
expect "as psql's statements make them" \
	"$(c -c "SELECT string_agg(r.relname || ':' || t.citus_table_type || ':' || t.shard_count, ' ' ORDER BY r.relname)
	         FROM citus_tables t JOIN pg_class r ON r.oid = t.table_name WHERE r.relnamespace::regnamespace::text = 'psql_habits'")" \
	"$(c -c "SELECT string_agg(r.relname || ':' || t.citus_table_type || ':' || t.shard_count, ' ' ORDER BY r.relname)
	         FROM citus_tables t JOIN pg_class r ON r.oid = t.table_name WHERE r.relnamespace::regnamespace::text = 'habits'")"
expect "three distributed schemas, three colocation groups" "3|3" \
	"$(c -c "SELECT count(*) FROM pg_dist_schema")|$(c -c "SELECT count(DISTINCT colocationid) FROM pg_dist_schema")"
expect "the shard of meals.meal is on a worker" "1" \
	"$(($(ws "$W1" -c "SELECT count(*) FROM pg_class WHERE relname ~ '^meal_[0-9]+$'") +
		$(ws "$W2" -c "SELECT count(*) FROM pg_class WHERE relname ~ '^meal_[0-9]+$'")))"
expect "verify() of both services finds nothing" "" "$(c -c "SELECT * FROM migrate.verify()")"
c -c "SELECT count(*) FROM migrate.downgrade('base', 'habits')" >/dev/null || fail "downgrade of habits"
expect "habits downgraded: its schema is gone from the metadata and from the workers" "2|0|0" \
	"$(c -c "SELECT count(*) FROM pg_dist_schema")|$(w "$W1" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'habits'")|$(w "$W2" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'habits'")"
expect "meals untouched" "m1|2" \
	"$(version meals)|$(c -c "SELECT count(*) FROM citus_tables WHERE table_name::text LIKE 'meals.%'")"

# --- 8. verify() names a drifted shard and its node
first=$(c -c "SELECT min(shardid) FROM pg_dist_shard WHERE logicalrelid = 'orders'::regclass")
node=$(c -c "SELECT nodeport FROM pg_dist_shard_placement WHERE shardid = $first")
echo "the first shard of orders is orders_$first, on the worker on port $node"
w "$node" -c "ALTER TABLE orders_$first ADD COLUMN hotfix int" || exit 1
expect "verify() names shard orders_$first, its node, the column" \
	"default|shard_drift||Shard public.orders_$first of table public.orders, on node 127.0.0.1:$node, differs from the table: the shard has column hotfix integer, which the table does not have." \
	"$(c -c "SELECT * FROM migrate.verify()")"
w "$node" -c "ALTER TABLE orders_$first DROP COLUMN hotfix" || exit 1
ws "$node" -c "SET citus.enable_manual_changes_to_shards = on" -c "DROP INDEX orders_note_$first" || exit 1
expect "verify() names a shard that lost an index" \
	"default|shard_drift||Shard public.orders_$first of table public.orders, on node 127.0.0.1:$node, differs from the table: the table has index (note) using btree, which the shard does not have." \
	"$(c -c "SELECT * FROM migrate.verify('default')")"
ws "$node" -c "CREATE INDEX orders_note_$first ON orders_$first (note)" || exit 1
ws "$node" -c "SET citus.enable_manual_changes_to_shards = on" -c "ALTER TABLE orders_$first RENAME TO orders_aside" || exit 1
expect "verify() names a shard that is not there" \
	"default|shard_drift||Shard public.orders_$first of table public.orders is missing on node 127.0.0.1:$node." \
	"$(c -c "SELECT * FROM migrate.verify('default')")"
ws "$node" -c "SET citus.enable_manual_changes_to_shards = on" -c "ALTER TABLE orders_aside RENAME TO orders_$first" || exit 1
expect "put right, verify() finds nothing" "" "$(c -c "SELECT * FROM migrate.verify()")"

# --- 9. fingerprint() on the coordinator and on a worker
fp="SELECT kind || ' ' || name || ': ' || definition FROM migrate.fingerprint(ARRAY['public', 'meals']) ORDER BY kind, name"
expect "fingerprint() on a worker is the coordinator's" "$(c -c "$fp" | md5sum)" "$(w "$W1" -c "$fp" | md5sum)"
expect "fingerprint() on the coordinator lists no shard" 0 "$(c -c "$fp" | grep -c '_10[0-9]\{4\}\b')"
expect "fingerprint() on a worker lists no shard" 0 "$(w "$W1" -c "$fp" | grep -c '_10[0-9]\{4\}\b')"
shown=$(ws "$W1" -c "$fp" | grep -c '^table public\.orders_10[0-9]\{4\}:')
if [ "$shown" -ge 1 ]; then
	ok "with citus.override_table_visibility off, a worker's fingerprint() lists its $shown shards of orders"
else
	fail "with citus.override_table_visibility off, a worker's fingerprint() lists no shard of orders"
fi

# --- 10. a statement Citus does not propagate, run on every node by the
# revision itself (doc/citus.md): outside the revision's transaction, so
# idempotent, and its failures, which come back as rows, raised
c -c "SET client_min_messages = warning" -f - <<'SQL' >/dev/null || exit 1
SELECT migrate.register('r10', $$
DO $do$
DECLARE
	failed text;
BEGIN
	SELECT string_agg(nodeid || ': ' || result, '; ') INTO failed
	  FROM run_command_on_all_nodes($c$CREATE TABLE IF NOT EXISTS public.node_cache (k text PRIMARY KEY, v text)$c$)
	 WHERE NOT success;
	IF failed IS NOT NULL THEN
		RAISE EXCEPTION 'node_cache was not created on every node: %', failed;
	END IF;
END
$do$
$$, $$
DO $do$
DECLARE
	failed text;
BEGIN
	SELECT string_agg(nodeid || ': ' || result, '; ') INTO failed
	  FROM run_command_on_all_nodes($c$DROP TABLE IF EXISTS public.node_cache$c$)
	 WHERE NOT success;
	IF failed IS NOT NULL THEN
		RAISE EXCEPTION 'node_cache was not dropped on every node: %', failed;
	END IF;
END
$do$
$$, down_revision => 'r9', message => 'a table of its own on each node');
SQL
c -c "SELECT count(*) FROM migrate.upgrade('head')" >/dev/null || fail "upgrade to r10"
cache="SELECT count(*) FROM pg_class WHERE oid = to_regclass('public.node_cache')"
expect "r10 made node_cache, a local table, on each of the three nodes" "1|1|1|0" \
	"$(c -c "$cache")|$(w "$W1" -c "$cache")|$(w "$W2" -c "$cache")|$(c -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text = 'node_cache'")"
expect "verify() after r10 finds nothing" "" "$(c -c "SELECT * FROM migrate.verify()")"
c -c "SELECT count(*) FROM migrate.downgrade('r9')" >/dev/null || fail "downgrade of r10"
expect "its downgrade dropped it on each node" "0|0|0" "$(c -c "$cache")|$(w "$W1" -c "$cache")|$(w "$W2" -c "$cache")"

# --- a node that cannot be reached
$MIGRATE_CITUS_PGCTL -D "$(echo "$MIGRATE_CITUS_DATA" | cut -d' ' -f3)" -m fast -w stop >/dev/null || exit 1
out=$(c -c "SELECT problem, detail FROM migrate.verify('default')")
if [[ "$out" == "shard_drift|The shards on node 127.0.0.1:$W2 could not be read: "* ]] && [ "$(wc -l <<<"$out")" -eq 1 ]; then
	ok "verify() says which node could not be read: $out"
else
	fail "verify() with a worker stopped: $out"
fi

echo
if [ "$failures" -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
