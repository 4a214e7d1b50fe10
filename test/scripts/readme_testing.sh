#!/bin/bash
# The pgTAP file of doc/testing.md (the README's "Testing your migrations"
# links it), run as a team would copy it: taken from the page as it is,
# beside a migrations directory and a reference schema file, with pg_prove.  Once with
# migrations that match the reference (every assertion passes), once with
# a revision whose downgrade forgets an index (revisions_are_reversible
# fails, naming it).
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

register() {
	cat >"$work/migrations/register_all.sql" <<SQL
SELECT migrate.register('c1', 'CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)',
	'DROP TABLE customer', project => 'shop');
SELECT migrate.register('o1', 'CREATE TABLE orders (id bigint PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES customer (id), amount numeric(12,2) NOT NULL DEFAULT 0)',
	'DROP TABLE orders', down_revision => 'c1', project => 'shop');
SELECT migrate.register('o2', 'CREATE INDEX orders_customer ON orders (customer_id)',
	\$\$$1\$\$, down_revision => 'o1', project => 'shop');
SQL
}

status=0
dropdb --if-exists readme_testing >/dev/null 2>&1
createdb readme_testing || exit 1

register 'DROP INDEX orders_customer'
if (cd "$work" && pg_prove -d readme_testing test/migrations.sql); then
	echo "ok: doc/testing.md's test file passes on good migrations"
else
	echo "FAIL: doc/testing.md's test file fails on good migrations"
	status=1
fi

register 'SELECT 1'
out=$(cd "$work" && pg_prove -v -d readme_testing test/migrations.sql 2>&1)
if grep -q '^not ok 2 - pending revisions of project "shop" are reversible' <<<"$out" &&
	grep -q '#     revision o2: schema_not_restored' <<<"$out" &&
	grep -q '#         index public.orders_customer: only in after downgrade' <<<"$out"; then
	echo "ok: on a forgetful downgrade it fails, naming the revision and the index"
else
	echo "FAIL: a forgetful downgrade was not reported as doc/testing.md says"
	echo "$out"
	status=1
fi

dropdb readme_testing
exit $status
