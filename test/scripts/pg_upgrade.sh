#!/bin/bash
# pg_upgrade from PostgreSQL 16 to 18 keeps what migrate knows.
#
# A PostgreSQL 16 cluster gets the extension and two projects: "shop"
# (configure()d with a target schema, timeouts and run_as; a
# non-transactional CREATE INDEX CONCURRENTLY applied by CALL
# migrate.apply(), a branch and its merge) and "billing" (a second base
# that depends_on the first branch, a revision stamped rather than run).
# Some revisions are applied, some left pending.  pg_upgrade --check, then
# pg_upgrade, makes it an 18 cluster (initialised with --no-data-checksums,
# as 16's has none).  On 18:
#
#  - every row of migrate's tables is what 16 had (revisions, version rows,
#    log rows, project options, the recorded schema states), and so are
#    current(), pending(), verify(), the status view and the data;
#  - the extension is at the control file's version, its objects equal a
#    fresh install's on 18 (test/sql/describe_extension.sql), and ALTER
#    EXTENSION migrate UPDATE changes nothing;
#  - upgrade() runs exactly what was pending, and CALL migrate.apply() runs
#    a non-transactional revision in its background worker, as run_as.
#
# The two servers are PostgreSQL 16 and 18 built from source by
# ../shared/postgres/build.sh (cached after the first build), or the
# installs named by MIGRATE_PG16_PREFIX and MIGRATE_PG18_PREFIX; migrate is
# built from this checkout (in a copy, for each) and installed into both.
# Without the build script and without those variables, or when a build is
# impossible, the test is skipped (exit 77).  Its clusters are its own
# (their sockets in a private directory, no TCP), stopped and removed
# however the script ends; the cluster of test/run.sh is not used.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
checkout=$(pwd)

skip() {
	echo "skipped: $*"
	exit 77
}
failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- the two PostgreSQL installs ----------------------------------------------

build=$checkout/../shared/postgres/build.sh
declare -A pg	# major -> install prefix
for m in 16 18; do
	given=MIGRATE_PG${m}_PREFIX
	if [ -n "${!given:-}" ]; then
		pg[$m]=${!given}
	elif [ ! -x "$build" ]; then
		skip "no PostgreSQL $m (set $given, or put the sources' build.sh in ../shared/postgres)"
	elif ! pg[$m]=$("$build" "$m"); then
		skip "PostgreSQL $m could not be built ($build $m failed)"
	fi
	v=$("${pg[$m]}/bin/pg_config" --version 2>/dev/null) || { fail "${pg[$m]}/bin/pg_config does not answer"; exit 1; }
	case $v in
		"PostgreSQL $m".*) echo "PostgreSQL $m: $v in ${pg[$m]}" ;;
		*) fail "${pg[$m]} is not PostgreSQL $m: $v"; exit 1 ;;
	esac
done
pg16=${pg[16]} pg18=${pg[18]}

owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	id -u "$owner" >/dev/null 2>&1 ||
		useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$owner" || exit 2
fi
as_owner() {
	if [ "$owner" = "$(id -un)" ]; then
		"$@"
	else
		runuser -u "$owner" -- "$@"
	fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-pg_upgrade.XXXXXX") || exit 2
chmod 755 "$work"
mkdir "$work/data16" "$work/data18" "$work/socket" "$work/run"
chown "$owner" "$work/data16" "$work/data18" "$work/socket" "$work/run"
chmod 700 "$work/data16" "$work/data18"
stop_servers() {
	for m in 16 18; do
		if [ -f "$work/data$m/postmaster.pid" ]; then
			as_owner "${pg[$m]}/bin/pg_ctl" -D "$work/data$m" -m immediate -w stop >/dev/null 2>&1
		fi
	done
}
trap 'stop_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# migrate, built in a copy of the checkout (the checkout's own objects are
# for the server of test/run.sh) and installed into both
for m in 16 18; do
	p=${pg[$m]}
	for d in "$("$p/bin/pg_config" --pkglibdir)" "$("$p/bin/pg_config" --sharedir)/extension"; do
		[ -w "$d" ] || skip "cannot install migrate into $p ($d is not writable by $(id -un))"
	done
	mkdir "$work/build$m"
	tar -c --exclude='*.o' --exclude='*.so' --exclude='*.bc' Makefile ./*.control ./*.sql src bin |
		tar -x -C "$work/build$m"
	if ! make -s -C "$work/build$m" -j"$(nproc)" PG_CONFIG="$p/bin/pg_config" >"$work/build$m.log" 2>&1 ||
		! make -s -C "$work/build$m" install PG_CONFIG="$p/bin/pg_config" >>"$work/build$m.log" 2>&1; then
		cat "$work/build$m.log"
		fail "migrate does not build or install for PostgreSQL $m"
		exit 1
	fi
done
ok "migrate built and installed into PostgreSQL 16 and 18"

# --- the clusters ---------------------------------------------------------------

# The servers listen on no TCP port: a port number only names their socket
# in the private directory (pg_upgrade wants the two to differ).
port16=$((20000 + RANDOM % 20000))
port18=$((port16 + 1))

# initdb's settings must match for pg_upgrade: the same encoding and locale
init_cluster() {
	local m=$1 port=$2
	shift 2
	if ! as_owner "${pg[$m]}/bin/initdb" -D "$work/data$m" -U postgres -A trust \
		--no-sync -E UTF8 --locale=C.UTF-8 "$@" >"$work/initdb$m.log" 2>&1; then
		cat "$work/initdb$m.log"
		fail "initdb $m"
		exit 1
	fi
	{
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$work/socket'"
		echo "fsync = off"
	} >>"$work/data$m/postgresql.conf"
}
pg_ctl_on() {
	local m=$1
	shift
	as_owner "${pg[$m]}/bin/pg_ctl" -D "$work/data$m" -l "$work/run/server$m.log" -w -t 60 "$@" >/dev/null
}

export PGHOST=$work/socket PGUSER=postgres PGDATABASE=shopdb
unset PGPASSWORD PGSERVICE PGOPTIONS
# psql of the server running (16, then 18), on the test's database
q() { psql -X -A -t -v ON_ERROR_STOP=1 "$@"; }

init_cluster 16 "$port16"
pg_ctl_on 16 start || { cat "$work/run/server16.log"; fail "PostgreSQL 16 did not start"; exit 1; }
export PGPORT=$port16 PATH="$pg16/bin:$PATH"

# --- on 16: two projects, some revisions applied, some pending ----------------

createdb shopdb || exit 1
q -q -c "SET client_min_messages = warning" -f - >/dev/null <<'SQL' || { fail "setting up the projects on 16"; exit 1; }
CREATE ROLE app_owner NOLOGIN;
CREATE ROLE reader NOLOGIN;
CREATE SCHEMA shop AUTHORIZATION app_owner;
CREATE SCHEMA billing;
CREATE EXTENSION migrate;
SELECT migrate.configure('shop', target_schema => 'shop', lock_timeout => '5s',
						 statement_timeout => '10min', run_as => 'app_owner');
SELECT migrate.configure('billing', lock_timeout => '3s');

-- shop: s1 - s2 - s3 (CREATE INDEX CONCURRENTLY) - s4a/s4b - s5 (merge) - s6 - s7.
-- s1 makes one object of most kinds the schema fingerprint describes, so
-- that verify() compares, on 18, what 16 recorded of each (statistics
-- targets included: their catalog columns changed in 17).
SELECT migrate.register('s1', upgrade => $s1$
	CREATE TYPE state AS ENUM ('new', 'paid', 'sent');
	CREATE DOMAIN amount AS numeric(12, 2) CONSTRAINT amount_positive CHECK (VALUE >= 0);
	CREATE TYPE address AS (street text, city text);
	CREATE TYPE span AS RANGE (subtype = integer);
	CREATE COLLATION bytewise (locale = 'C');
	CREATE SEQUENCE invoice_no START 1000 INCREMENT 10;
	CREATE TABLE orders (
		id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		amount amount NOT NULL,
		customer text COLLATE bytewise CHECK (customer <> ''),
		state state NOT NULL DEFAULT 'new',
		ship_to address,
		gross numeric GENERATED ALWAYS AS (amount * 1.2) STORED);
	COMMENT ON TABLE orders IS 'what customers ordered';
	COMMENT ON COLUMN orders.state IS 'where the order is';
	ALTER TABLE orders ALTER COLUMN customer SET STATISTICS 500;
	CREATE STATISTICS orders_customer_state (ndistinct, dependencies) ON customer, state FROM orders;
	ALTER STATISTICS orders_customer_state SET STATISTICS 200;
	CREATE VIEW paid_orders AS SELECT id, amount FROM orders WHERE state = 'paid';
	CREATE MATERIALIZED VIEW order_totals AS SELECT state, sum(amount) AS total FROM orders GROUP BY state;
	CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM orders';
	CREATE PROCEDURE refresh_totals() LANGUAGE sql AS 'REFRESH MATERIALIZED VIEW order_totals';
	CREATE FUNCTION keep_state() RETURNS trigger LANGUAGE plpgsql AS $f$
		BEGIN
			NEW.state := coalesce(NEW.state, OLD.state);
			RETURN NEW;
		END $f$;
	CREATE TRIGGER orders_keep_state BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION keep_state();
	CREATE AGGREGATE longest(text) (sfunc = pg_catalog.text_larger, stype = text);
	ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
	CREATE POLICY orders_paid ON orders FOR SELECT TO reader USING (state = 'paid');
	CREATE RULE no_delete AS ON DELETE TO paid_orders DO INSTEAD NOTHING;
	CREATE TABLE events (at date NOT NULL, what text) PARTITION BY RANGE (at);
	CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
	GRANT SELECT ON orders, paid_orders TO reader;
	GRANT UPDATE (state) ON orders TO reader;
	ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO reader;
$s1$, downgrade => $s1$
	ALTER DEFAULT PRIVILEGES IN SCHEMA shop REVOKE SELECT ON TABLES FROM reader;
	DROP TABLE events;
	DROP AGGREGATE longest(text);
	DROP VIEW paid_orders;
	DROP MATERIALIZED VIEW order_totals;
	DROP PROCEDURE refresh_totals();
	DROP FUNCTION order_count();
	DROP TABLE orders;
	DROP FUNCTION keep_state();
	DROP SEQUENCE invoice_no;
	DROP COLLATION bytewise;
	DROP TYPE span;
	DROP TYPE address;
	DROP DOMAIN amount;
	DROP TYPE state;
$s1$, project => 'shop', message => 'orders');
SELECT migrate.register('s2', $$INSERT INTO orders (amount, customer, state)
								SELECT g * 1.5, 'c' || g % 10, (ARRAY['new', 'paid', 'sent'])[g % 3 + 1]::state
								  FROM generate_series(1, 1000) g;
								REFRESH MATERIALIZED VIEW order_totals$$,
						'DELETE FROM orders', down_revision => 's1', project => 'shop', message => 'some orders');
SELECT migrate.register('s3', $$DROP INDEX CONCURRENTLY IF EXISTS orders_customer;
								CREATE INDEX CONCURRENTLY orders_customer ON orders (customer)$$,
						'DROP INDEX CONCURRENTLY IF EXISTS orders_customer',
						down_revision => 's2', project => 'shop', transactional => false,
						message => 'index orders by customer');
SELECT migrate.register('s4a', 'ALTER TABLE orders ADD COLUMN discount numeric', 'ALTER TABLE orders DROP COLUMN discount',
						down_revision => 's3', branch_labels => 'pricing', project => 'shop', message => 'discounts');
SELECT migrate.register('s4b', 'CREATE TABLE shipments (order_id integer REFERENCES orders)', 'DROP TABLE shipments',
						down_revision => 's3', branch_labels => 'shipping', project => 'shop', message => 'shipments');
SELECT migrate.register('s5', '', '', down_revision => 's4a, s4b', project => 'shop', message => 'merge');
SELECT migrate.register('s6', 'CREATE TABLE returns (order_id integer, made_by name DEFAULT current_user)',
						'DROP TABLE returns', down_revision => 's5', project => 'shop', message => 'returns');
SELECT migrate.register('s7', $$DROP INDEX CONCURRENTLY IF EXISTS returns_order;
								CREATE INDEX CONCURRENTLY returns_order ON returns (order_id);
								INSERT INTO returns (order_id) VALUES (0)$$,
						'DROP INDEX CONCURRENTLY IF EXISTS returns_order',
						down_revision => 's6', project => 'shop', transactional => false,
						message => 'index returns');

-- billing: b1 - b2 (stamped) - b3, and the base c1 (depends on b2) - c2
SELECT migrate.register('b1', 'CREATE TABLE billing.invoice (id integer PRIMARY KEY, total numeric)',
						'DROP TABLE billing.invoice', project => 'billing', message => 'invoices');
SELECT migrate.register('b2', 'CREATE TABLE billing.rate (code text PRIMARY KEY)', 'DROP TABLE billing.rate',
						down_revision => 'b1', project => 'billing', message => 'rates, made by hand first');
SELECT migrate.register('b3', 'ALTER TABLE billing.invoice ADD COLUMN paid boolean', 'ALTER TABLE billing.invoice DROP COLUMN paid',
						down_revision => 'b2', project => 'billing', message => 'paid');
SELECT migrate.register('c1', 'CREATE TABLE billing.audit (at timestamptz, invoice integer)', 'DROP TABLE billing.audit',
						depends_on => 'b2', branch_labels => 'audit', project => 'billing', message => 'audit');
SELECT migrate.register('c2', 'CREATE INDEX audit_at ON billing.audit (at)', 'DROP INDEX billing.audit_at',
						down_revision => 'c1', project => 'billing', message => 'audit by time');

SELECT count(*) FROM migrate.upgrade('s2', 'shop');
SELECT count(*) FROM migrate.upgrade('b1', 'billing');
CREATE TABLE billing.rate (code text PRIMARY KEY);
SELECT count(*) FROM migrate.stamp('b2', 'billing');
SELECT count(*) FROM migrate.upgrade('audit@c1', 'billing');
SQL
# the non-transactional s3 runs in apply()'s background worker
out=$(q -c "CALL migrate.apply('s5', 'shop')" 2>"$work/notices") || cat "$work/notices"
if [[ $out == '{s3,s4b,s4a,s5}|'*'|{s5}' ]]; then
	ok "on 16, CALL migrate.apply() ran s3 (CREATE INDEX CONCURRENTLY), the branches and their merge"
else
	fail "CALL migrate.apply('s5', 'shop') on 16 answered: $out"
	exit 1
fi

# What pg_upgrade must keep.  rows: every row of migrate's tables and where
# its sequences are; answers: what the functions say of it, and the data.
rows() {
	q <<'SQL'
SELECT 'project', p.* FROM migrate.project p ORDER BY p.name;
SELECT 'revision', r.* FROM migrate.revision r ORDER BY r.project, r.id;
SELECT 'version', v.* FROM migrate.version v ORDER BY v.project, v.revision;
SELECT 'log', l.* FROM migrate.log l ORDER BY l.id;
SELECT 'project_schema', s.* FROM migrate.project_schema s ORDER BY s.project, s.schema;
SELECT 'schema_state', s.* FROM migrate.schema_state s ORDER BY s.schema, s.kind, s.name;
SELECT 'seq', last_value, is_called FROM migrate.seq;
SELECT 'log id', pg_catalog.pg_sequence_last_value(pg_catalog.pg_get_serial_sequence('migrate.log', 'id'));
SQL
}
answers() {
	q <<'SQL'
SELECT 'current', p, string_agg(c, ',' ORDER BY c) FROM unnest('{shop,billing}'::text[]) p, migrate.current(p) c GROUP BY p ORDER BY p;
SELECT 'pending', p, x.* FROM unnest('{shop,billing}'::text[]) p, migrate.pending('heads', p) x ORDER BY p, x.step;
SELECT 'history', p, x.* FROM unnest('{shop,billing}'::text[]) p, migrate.history(project => p) WITH ORDINALITY x ORDER BY p, x.ordinality;
SELECT 'verify', x.* FROM migrate.verify() x;
SELECT 'status', s.* FROM migrate.status s ORDER BY s.project;
SELECT 'index', i.indexrelid::regclass, i.indisvalid, i.indisready
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace IN ('shop'::regnamespace, 'billing'::regnamespace) ORDER BY i.indexrelid::regclass::text;
SELECT 'owner', c.oid::regclass, pg_get_userbyid(c.relowner)
  FROM pg_class c WHERE c.relnamespace IN ('shop'::regnamespace, 'billing'::regnamespace) ORDER BY c.oid::regclass::text;
SELECT 'orders', count(*), sum(amount), sum(gross) FROM shop.orders;
SELECT 'totals', t.* FROM shop.order_totals t ORDER BY t.state;
SELECT 'fingerprint', f.* FROM migrate.schema_fingerprint('shop') f;
SELECT 'fingerprint', f.* FROM migrate.schema_fingerprint('billing') f;
SQL
}
# every timestamp printed the same way by both servers
export PGTZ=UTC
answers >"$work/answers16" || { fail "reading the state on 16"; exit 1; }
rows >"$work/rows16" || { fail "reading the rows on 16"; exit 1; }
if grep -q '^verify|' "$work/answers16"; then
	fail "verify() on 16 reports problems before the upgrade:"
	grep '^verify|' "$work/answers16"
fi
grep '^pending|' "$work/answers16" | cut -d'|' -f2,4 >"$work/pending16"
echo "on 16: $(grep -c '^revision|' "$work/rows16") revisions, $(grep -c '^version|' "$work/rows16") version rows," \
	"$(grep -c '^log|' "$work/rows16") log rows, $(wc -l <"$work/pending16") steps pending: $(paste -sd' ' "$work/pending16")"
pg_ctl_on 16 stop || { fail "PostgreSQL 16 did not stop"; exit 1; }

# --- pg_upgrade to 18 -----------------------------------------------------------

init_cluster 18 "$port18" --no-data-checksums
upgrade() {
	(cd "$work/run" && unset PGHOST PGPORT PGDATABASE PGTZ &&
		as_owner "$pg18/bin/pg_upgrade" -b "$pg16/bin" -B "$pg18/bin" \
		-d "$work/data16" -D "$work/data18" -U postgres -p "$port16" -P "$port18" \
		-s "$work/socket" --no-sync "$@")
}
upgrade_failed() {
	echo "$1"
	find "$work/data18" -path '*pg_upgrade_output.d*' -name '*.txt' -o -path '*pg_upgrade_output.d*' -name '*.log' 2>/dev/null |
		while read -r f; do
			echo "--- $f"
			tail -n 30 "$f"
		done
	fail "$2"
	exit 1
}
out=$(upgrade --check 2>&1) || upgrade_failed "$out" "pg_upgrade --check"
if [[ $out == *'Clusters are compatible'* ]]; then
	ok "pg_upgrade --check: the clusters are compatible"
else
	upgrade_failed "$out" "pg_upgrade --check did not say the clusters are compatible"
fi
out=$(upgrade 2>&1) || upgrade_failed "$out" "pg_upgrade"
ok "pg_upgrade from 16 to 18"
if [ -e "$work/run/update_extensions.sql" ]; then
	fail "pg_upgrade lists extensions to update: $(cat "$work/run/update_extensions.sql")"
fi

pg_ctl_on 18 start || { cat "$work/run/server18.log"; fail "PostgreSQL 18 did not start"; exit 1; }
export PGPORT=$port18 PATH="$pg18/bin:$PATH"
echo "now: $(q -c 'SELECT version()')"

# --- on 18: everything kept ------------------------------------------------------

rows >"$work/rows18" || { fail "reading the rows on 18"; exit 1; }
if [ -s "$work/rows16" ] && diff -u "$work/rows16" "$work/rows18"; then
	ok "every row of migrate's tables kept ($(wc -l <"$work/rows18") rows: projects and their options, revisions, version rows, log rows, recorded schema states, sequences)"
else
	fail "the rows of migrate's tables differ after pg_upgrade (- 16, + 18)"
fi
answers >"$work/answers18" || { fail "reading the state on 18"; exit 1; }
if diff -u "$work/answers16" "$work/answers18"; then
	ok "current(), pending(), history(), verify(), the status view and the data are what they were on 16 ($(wc -l <"$work/answers18") lines)"
else
	fail "what the functions say differs after pg_upgrade (- 16, + 18)"
fi
# and verify() does compare: a change by hand is drift from what 16 recorded
out=$(q -q -c "BEGIN" -c "ALTER TABLE shop.orders ALTER COLUMN customer SET STATISTICS 100" \
	-c "SELECT problem, detail FROM migrate.verify('shop')" -c "ROLLBACK" 2>&1)
if [[ $out == schema_drift*orders.customer*'STATISTICS 500'*'STATISTICS 100'* ]]; then
	ok "verify() on 18 reports a change made by hand since 16's last run: ${out%%$'\n'*}"
else
	fail "verify() on 18 after a change by hand: $out"
fi
options=$(q -c "SELECT target_schema, lock_timeout, statement_timeout, run_as FROM migrate.project WHERE name = 'shop'")
if [ "$options" = 'shop|00:00:05|00:10:00|app_owner' ]; then
	ok "shop's configure() options kept: $options"
else
	fail "shop's configure() options on 18: $options"
fi

# the extension: at its version, as a fresh install on 18 makes it, and
# ALTER EXTENSION UPDATE has nothing to do
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" migrate.control)
describe() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v ext=migrate -f test/sql/describe_extension.sql; }
describe shopdb >"$work/ext.before" || fail "describing the extension"
out=$(q -c "ALTER EXTENSION migrate UPDATE" 2>&1)
describe shopdb >"$work/ext.after" || fail "describing the extension"
if [[ $out == *"version \"$version\" of extension \"migrate\" is already installed"* ]] &&
	grep -q "^version: $version$" "$work/ext.after" && cmp -s "$work/ext.before" "$work/ext.after"; then
	ok "the extension is at $version; ALTER EXTENSION migrate UPDATE changes nothing"
else
	fail "ALTER EXTENSION migrate UPDATE on 18: $out"
	diff -u "$work/ext.before" "$work/ext.after"
fi
if ! createdb fresh || ! q -q -d fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION migrate"; then
	fail "a fresh install on 18"
fi
describe fresh >"$work/ext.fresh" || fail "describing the extension"
if [ -s "$work/ext.fresh" ] && diff -u "$work/ext.fresh" "$work/ext.after"; then
	ok "the extension's objects equal a fresh install's on 18 ($(wc -l <"$work/ext.fresh") lines)"
else
	fail "the extension's objects differ from a fresh install's on 18 (- fresh, + upgraded)"
fi

# --- on 18: the next runs ----------------------------------------------------------

maxlog=$(q -c "SELECT max(id) FROM migrate.log")
ran=$(q -c "SELECT revision FROM migrate.upgrade('heads', 'billing')" 2>"$work/notices" | tr '\n' ' ') || cat "$work/notices"
want=$(grep '^billing|' "$work/pending16" | cut -d'|' -f2 | tr '\n' ' ')
if [ -n "$want" ] && [ "$ran" = "$want" ]; then
	ok "upgrade('heads', 'billing') ran what was pending on 16, and only that: $ran"
else
	fail "upgrade('heads', 'billing') on 18 ran: $ran (pending on 16: $want)"
fi
out=$(q -v VERBOSITY=verbose -c "SELECT * FROM migrate.upgrade('head', 'shop')" 2>&1)
if [[ $out == *'ERROR:  25001:'*s7* ]]; then
	ok "upgrade() still refuses shop's non-transactional s7 (25001)"
else
	fail "upgrade('head', 'shop') on 18 answered: $out"
fi
out=$(q -c "CALL migrate.apply('head', 'shop')" 2>"$work/notices") || cat "$work/notices"
want=$(grep '^shop|' "$work/pending16" | cut -d'|' -f2 | paste -sd,)
if [[ $out == "{$want}|"*'|{s7}' ]]; then
	ok "CALL migrate.apply() ran what was pending on 16, s7 in its background worker: $out"
else
	fail "CALL migrate.apply('head', 'shop') on 18 answered: $out (pending on 16: $want)"
fi
out=$(q <<'SQL' 2>&1
SELECT string_agg(made_by, ',') FROM shop.returns;
SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'shop.returns'::regclass;
SELECT indisvalid FROM pg_index WHERE indexrelid = 'shop.returns_order'::regclass;
SQL
)
if [ "$out" = "$(printf 'app_owner\napp_owner\nt')" ]; then
	ok "on 18 the bodies ran as run_as (app_owner), in the worker too, and its index is valid"
else
	fail "after apply() on 18: $out"
fi
out=$(q <<SQL 2>&1
SELECT project, revision, operation, error FROM migrate.log WHERE id > $maxlog ORDER BY id;
SELECT 'current', p, string_agg(c, ',' ORDER BY c) FROM unnest('{shop,billing}'::text[]) p, migrate.current(p) c GROUP BY p ORDER BY p;
SELECT 'pending', count(*) FROM unnest('{shop,billing}'::text[]) p, migrate.pending('heads', p);
SELECT 'verify', x.* FROM migrate.verify() x;
-- pg_upgrade keeps the transaction counter's epoch: the log's xid8 values
-- go on rising
SELECT 'txid rising', min(txid) > (SELECT max(txid) FROM migrate.log WHERE id <= $maxlog)
  FROM migrate.log WHERE id > $maxlog;
SQL
)
want="$(sed 's/$/|upgrade|/' "$work/pending16")
current|billing|b3,c2
current|shop|s7
pending|0
txid rising|t"
if [ "$out" = "$want" ]; then
	ok "one log row for each revision run on 18 (their transaction ids after 16's), every project at its heads, verify() reports nothing"
else
	fail "after the runs on 18:"
	diff -u <(echo "$want") <(echo "$out")
fi
rows | grep '^log|' | head -n "$(grep -c '^log|' "$work/rows16")" >"$work/log18"
if grep '^log|' "$work/rows16" | cmp -s - "$work/log18"; then
	ok "16's log rows unchanged after the runs on 18"
else
	fail "16's log rows changed after the runs on 18"
fi

pg_ctl_on 18 stop || fail "PostgreSQL 18 did not stop"
echo "pg_upgrade 16 -> 18: $failures failure(s)"
[ "$failures" -eq 0 ]
