#!/bin/bash
# The pgTAP file of doc/testing.md (the README's "Testing your migrations"
# links it), run as a team would copy it: taken from the page as it is,
# beside a migrations directory and a reference schema file, with pg_prove, on a database
# without tables.  Once with migrations that match the reference (every
# assertion passes), once with a revision whose downgrade forgets an index
# (revisions_are_reversible fails, naming it), once with a plain CREATE
# INDEX on the table the revision before made (max_lock_on_existing fails,
# naming the revision and the table: once that revision is deployed, the
# index blocks writes to a table in use).
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.."
readme=$PWD/doc/testing.md

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/test" "$work/migrations"

# the file, from its first line to the end of its code block
sed -n '/^-- test\/migrations.sql/,/^```/p' "$readme" | sed '$d' >"$work/test/migrations.sql"
if ! grep -q 'SELECT \* FROM finish();' "$work/test/migrations.sql"; then
	echo "doc/testing.md has no complete pgTAP file"
	exit 1
fi

cat >"$work/schema.sql" <<'SQL'
CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES customer (id),
	amount numeric(12,2) NOT NULL DEFAULT 0);
CREATE INDEX orders_customer ON orders (customer_id);
SQL

# s1, the initial schema, runs $1; s2, when $2 is not empty, runs $2 and
# is undone by $3
register() {
	cat >"$work/migrations/register_all.sql" <<SQL
SELECT migrate.register('s1', \$\$$1\$\$, 'DROP TABLE orders; DROP TABLE customer', project => 'shop');
SQL
	[ -n "${2:-}" ] && cat >>"$work/migrations/register_all.sql" <<SQL
SELECT migrate.register('s2', \$\$$2\$\$, \$\$$3\$\$, down_revision => 's1', project => 'shop');
SQL
	return 0
}
tables='CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES customer (id), amount numeric(12,2) NOT NULL DEFAULT 0)'
index='CREATE INDEX orders_customer ON orders (customer_id)'

# every run on a database without tables, as a new project's CI has it
fresh() {
	dropdb --if-exists readme_testing >/dev/null 2>&1
	createdb readme_testing || exit 1
}

status=0

# the tables and the index made by one revision: nothing existing is locked
fresh
register "$tables; $index"
if (cd "$work" && pg_prove -d readme_testing test/migrations.sql); then
	echo "ok: doc/testing.md's test file passes on good migrations"
else
	echo "FAIL: doc/testing.md's test file fails on good migrations"
	status=1
fi

fresh
register "$tables" "$index" 'SELECT 1'
out=$(cd "$work" && pg_prove -v -d readme_testing test/migrations.sql 2>&1)
if grep -q '^not ok 2 - pending revisions of project "shop" are reversible' <<<"$out" &&
	grep -q '#     revision s2: schema_not_restored' <<<"$out" &&
	grep -q '#         index public.orders_customer: only in after downgrade' <<<"$out"; then
	echo "ok: on a forgetful downgrade it fails, naming the revision and the index"
else
	echo "FAIL: a forgetful downgrade was not reported as doc/testing.md says"
	echo "$out"
	status=1
fi

# the index in a revision of its own, after the one that made the table:
# only the lock assertion fails
fresh
register "$tables" "$index" 'DROP INDEX orders_customer'
out=$(cd "$work" && pg_prove -v -d readme_testing test/migrations.sql 2>&1)
if grep -q '^not ok 3 - pending revisions of project "shop" take at most ShareUpdateExclusiveLock on existing relations' <<<"$out" &&
	grep -q '^#         step 2 (s2): ShareLock on public.orders (created by an earlier pending revision)$' <<<"$out" &&
	[ "$(grep -c '^not ok' <<<"$out")" -eq 1 ] && grep -q '^ok 6 - ' <<<"$out"; then
	echo "ok: on a CREATE INDEX on the table the revision before made, it fails, naming the revision and the table"
else
	echo "FAIL: a CREATE INDEX on the table the revision before made was not reported by max_lock_on_existing"
	echo "$out"
	status=1
fi

dropdb readme_testing
exit $status
