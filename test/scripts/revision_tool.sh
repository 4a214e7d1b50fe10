#!/bin/bash
# bin/migrate-revision and migrate.revision_file(): writing revision files.
#
# 1. A new file on a fresh directory and on a one-head directory: its name
#    and number, its parent, and that it loads (migrate-bootstrap, psql -1
#    -f), with one head, after its placeholders are edited.
# 2. Several heads refused with their list; --head; --merge;
#    --depends-on, --branch-label, --non-transactional and --id in the
#    file; the numbering and slug conventions.
# 3. Nothing written to the database it reads: with and without the
#    extension, with the directory loaded there already (pg_dump before and
#    after, but for migrate.seq, which a rolled-back registration may
#    advance), no scratch database left.
# 4. --autogenerate: a desired schema that adds a column with a default, an
#    index and a table; the directory loaded into a fresh database and
#    upgraded then matches it (compare_schemas() is empty).  Destructive
#    statements refused with their list, and kept marked with
#    --allow-destructive; nothing to generate; a desired file that fails.
# 5. revision_file() of revisions with awkward bodies (dollar signs, $up$
#    inside, backslashes, quotes, carriage returns), non-transactional,
#    with labels and depends_on: the files, loaded into a fresh database
#    with psql -f and with migrate-bootstrap, give the same checksums.
# 6. Errors: every usage error (exit 2), failures in the database (exit 1),
#    no server (exit 3), SIGTERM (exit 143) with nothing written and the
#    scratch database dropped.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.."

tool=$PWD/bin/migrate-revision
boot=$PWD/bin/migrate-bootstrap
work=$(mktemp -d)
chmod 755 "$work"
dbs=(rt_dev rt_load rt_load2 rt_copy rt_plain rt_sig rt_old)
trap 'rm -rf "$work"; for d in "${dbs[@]}"; do dropdb --if-exists "$d" >/dev/null 2>&1; done' EXIT
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

# expect STATUS PATTERN DESCRIPTION -- COMMAND...: the exit status and a
# line of the output matching PATTERN
expect() {
	local want=$1 pattern=$2 what=$3
	shift 4
	"$@" >"$work/out" 2>&1
	local got=$?
	if [ "$got" -eq "$want" ] && grep -Eq -- "$pattern" "$work/out"; then
		ok "$what: exit $got, \"$(grep -E -m1 -- "$pattern" "$work/out")\""
	else
		fail "$what: exit $got (expected $want), output:"
		sed 's/^/    /' "$work/out"
	fi
}

# the id a file registers
file_id() { sed -n "1s/^SELECT migrate.register('\([^']*\)',$/\1/p" "$1"; }
# what a database holds, but for the values of migrate.seq
# (and for pg_dump's random \restrict key)
snapshot() {
	pg_dump -d "$1" --no-comments | grep -v -e "setval('migrate.seq'" -e '^\\restrict ' -e '^\\unrestrict '
	q postgres "SELECT datname FROM pg_database ORDER BY 1"
}
# the scratch databases of --autogenerate, which must not stay
scratch_dbs() { q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'migrate\_revision\_%'"; }

export PGDATABASE=rt_dev
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
fresh_db rt_dev || exit 1

echo "--- a new file on a fresh directory, then on its head"
mkdir "$work/m"
before=$(snapshot rt_dev)
expect 0 "/0001_create_customer\\.sql: revision [0-9a-f]{12}, the first revision" "a fresh directory gets 0001_" -- \
	"$tool" -m "Create customer" "$work/m"
f1=$work/m/0001_create_customer.sql
id1=$(file_id "$f1")
[[ $id1 =~ ^[0-9a-f]{12}$ ]] && ok "its id is 12 hex digits ($id1)" || fail "id of $f1: '$id1'"
grep -q "down_revision" "$f1" && fail "the first revision has a down_revision" || ok "the first revision has no down_revision"
[ "$(tail -c 3 "$f1" | od -An -tx1 | tr -d ' ')" = 293b0a ] || fail "the file does not end in ');' and one line break"
[ "$(snapshot rt_dev)" = "$before" ] && [ "$(q rt_dev "SELECT count(*) FROM pg_extension WHERE extname = 'migrate'")" = 0 ] &&
	ok "nothing written to a database without the extension: it is still without it" ||
	fail "the database changed (or got the extension)"

# the placeholders are edited, as a developer does
sed -i -e 's/-- write the upgrade here/CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL);/' \
	-e 's/-- write the downgrade here/DROP TABLE customer;/' "$f1"
expect 0 "/0002_add_email\\.sql: revision [0-9a-f]{12}, on top of $id1" "a one-head directory: the next number, on its head" -- \
	"$tool" -m "add email" "$work/m"
f2=$work/m/0002_add_email.sql
id2=$(file_id "$f2")
grep -qxF "    down_revision => '$id1'," "$f2" && ok "0002's down_revision is 0001's id" ||
	{ fail "0002's down_revision:"; cat "$f2"; }
sed -i -e 's/-- write the upgrade here/ALTER TABLE customer ADD COLUMN email text;/' \
	-e 's/-- write the downgrade here/ALTER TABLE customer DROP COLUMN email;/' "$f2"

fresh_db rt_load
if "$boot" -d rt_load "$work/m" >"$work/out" 2>&1 &&
	[ "$(q rt_load "SELECT string_agg(revision, ',') FROM migrate.heads()")" = "$id2" ] &&
	[ "$(q rt_load "SELECT string_agg(c, ',') FROM migrate.current() c")" = "$id2" ] &&
	[ "$(q rt_load "SELECT count(*) FROM information_schema.columns WHERE table_name = 'customer' AND column_name = 'email'")" = 1 ]; then
	ok "the edited files load with migrate-bootstrap: one head, $id2, applied"
else
	fail "the files do not load with migrate-bootstrap"
	cat "$work/out"
fi
fresh_db rt_plain
q rt_plain "CREATE EXTENSION migrate" >/dev/null
if cat "$work/m"/*.sql | PGOPTIONS="-c migrate.project=plain" psql -X -q -v ON_ERROR_STOP=1 -d rt_plain -1 -f - >/dev/null &&
	[ "$(q rt_plain "SELECT string_agg(revision, ',') FROM migrate.heads('plain')")" = "$id2" ]; then
	ok "and with psql -1 -f"
else
	fail "the files do not load with psql -1 -f"
fi

echo "--- nothing written to a database that has the directory loaded"
"$boot" "$work/m" >/dev/null 2>&1 || fail "could not bootstrap rt_dev"
# a revision of the database's own, which the directory does not have
q rt_dev "SELECT migrate.revision('made in the database', 'SELECT 1', 'SELECT 1')" >/dev/null
before=$(snapshot rt_dev)
expect 0 "/0003_add_phone\\.sql: revision [0-9a-f]{12}, on top of $id2\$" \
	"the head is the directory's, not the database's project's" -- "$tool" -m "add phone" "$work/m"
[ "$(snapshot rt_dev)" = "$before" ] && ok "nothing written to the database (pg_dump the same, but for migrate.seq)" ||
	{ fail "the database changed"; diff <(echo "$before") <(snapshot rt_dev) | head -20; }
id3=$(file_id "$work/m/0003_add_phone.sql")

echo "--- several heads, --head, --merge"
cat >"$work/m/0004_side.sql" <<EOF
SELECT migrate.register('side1', down_revision => '$id2', message => 'side',
    upgrade => 'CREATE TABLE side (id int)', downgrade => 'DROP TABLE side');
EOF
expect 1 "has several heads: $id3, side1" "several heads refused, with their list" -- "$tool" -m "x" "$work/m"
grep -q "Pick one with --head REV, or join them all with --merge" "$work/out" &&
	ok "with the way out" || fail "no hint for several heads"
[ ! -e "$work/m/0005_x.sql" ] && ok "and no file written" || fail "a file was written for several heads"
expect 1 "--head $id1 names $id1, not one of the heads" "--head on a revision that is not a head" -- \
	"$tool" -m "x" --head "$id1" "$work/m"
expect 1 "Can't locate revision identified by 'nosuch'" "--head on an unknown revision" -- \
	"$tool" -m "x" --head nosuch "$work/m"
expect 0 "/0005_on_the_side\\.sql: revision [0-9a-f]{12}, on top of side1\$" "--head picks a head" -- \
	"$tool" -m "on the side" --head side1 "$work/m"
id5=$(file_id "$work/m/0005_on_the_side.sql")
expect 0 "/0006_join\\.sql: revision merge1, merging $id3, $id5\$" "--merge joins every head" -- \
	"$tool" -m "join" --merge --id merge1 "$work/m"
grep -qxF "    down_revision => '$id3, $id5'," "$work/m/0006_join.sql" && grep -qxF "    upgrade       => ''," "$work/m/0006_join.sql" &&
	ok "the merge's parents are the heads, its bodies empty" || { fail "the merge file:"; cat "$work/m/0006_join.sql"; }
expect 1 "has 1 head\\(s\\): nothing to merge" "--merge on one head" -- "$tool" -m "x" --merge "$work/m"
expect 1 "revision merge1 is in .* already" "--id of a revision the directory has" -- "$tool" -m "x" --id merge1 "$work/m"

echo "--- options that reach the file"
expect 0 "/0007_index_concurrently\\.sql: revision idx.7, on top of merge1" "--id, --depends-on, --branch-label, --non-transactional" -- \
	"$tool" -m "index concurrently" --id idx.7 --depends-on "$id1" --depends-on side1 \
	--branch-label 'search, fast' --branch-label more --non-transactional "$work/m"
f7=$work/m/0007_index_concurrently.sql
if grep -qxF "    depends_on    => '$id1, side1'," "$f7" && grep -qxF "    branch_labels => 'search, fast, more'," "$f7" &&
	grep -qxF "    transactional => false," "$f7"; then
	ok "depends_on, branch_labels and transactional are in the file"
else
	fail "the file lacks an option:"
	cat "$f7"
fi
sed -i -e 's/-- write the upgrade here/CREATE INDEX CONCURRENTLY customer_name ON customer (name);/' \
	-e 's/-- write the downgrade here/DROP INDEX CONCURRENTLY customer_name;/' "$f7"
fresh_db rt_load
if "$boot" -d rt_load "$work/m" >"$work/out" 2>&1 &&
	[ "$(q rt_load "SELECT format('%s|%s|%s|%s', depends_on, branch_labels, transactional, is_head) FROM migrate.show('idx.7')")" = "{$id1,side1}|{search,fast,more}|f|t" ] &&
	[ "$(q rt_load "SELECT count(*) FROM pg_indexes WHERE indexname = 'customer_name'")" = 1 ]; then
	ok "loaded: the revision has them, and its index was built outside a transaction"
else
	fail "the directory with branches, a merge and a non-transactional revision does not load"
	cat "$work/out"
fi
expect 1 "depends_on, but no revision or branch label of that name" "--depends-on an unknown revision" -- \
	"$tool" -m "x" --depends-on nosuch "$work/m"
expect 1 "Branch name 'search' in revision [0-9a-f]{12} already used by revision idx.7" "--branch-label already used" -- "$tool" -m "x" --branch-label search "$work/m"

echo "--- names and numbers"
mkdir "$work/n"
cat >"$work/n/009-first.sql" <<'EOF'
SELECT migrate.register('n1', 'SELECT 1');
EOF
cat >"$work/n/README.sql" <<'EOF'
-- not numbered: a note the loader reads too
EOF
expect 0 "/010-it_s_a_much_longer_message_than_a_file\\.sql: " "width and separator kept, slug cut at a word" -- \
	"$tool" -m "It's a much longer message than a file name should carry!" "$work/n"
expect 0 "/011-revision\\.sql: " "a message without letters" -- "$tool" -m "!!!" "$work/n"

echo "--- --autogenerate"
mkdir "$work/a"
cat >"$work/a/0000_configure.sql" <<'EOF'
SELECT migrate.configure(target_schema => 'shop');
EOF
cat >"$work/a/0001_customer.sql" <<'EOF'
SELECT migrate.register('g1', message => 'customer',
    upgrade => $up$
        CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL);
        INSERT INTO customer VALUES (1, 'Ann');
    $up$,
    downgrade => $down$
        DROP TABLE customer;
    $down$);
EOF
cat >"$work/desired.sql" <<'EOF'
-- unqualified names: the tool sets search_path to a scratch schema
CREATE TABLE customer (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL DEFAULT 'unknown'
);
CREATE INDEX customer_email ON customer (email);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customer,
    total numeric(10, 2)
);
EOF
before=$(snapshot rt_dev)
expect 0 "/0002_email_and_orders\\.sql: revision [0-9a-f]{12}, on top of g1\$" "--autogenerate on a one-head directory" -- \
	"$tool" -m "email and orders" --autogenerate --desired "$work/desired.sql" "$work/a"
fa=$work/a/0002_email_and_orders.sql
if grep -q "ALTER TABLE shop.customer ADD COLUMN email text DEFAULT 'unknown'::text NOT NULL;" "$fa" &&
	grep -q "CREATE INDEX customer_email ON shop.customer" "$fa" && grep -q "CREATE TABLE shop.orders" "$fa" &&
	grep -qxF "    downgrade     => \$down\$" "$fa"; then
	ok "the bodies are the server's diff of the target schema, both ways"
else
	fail "the generated file:"
	cat "$fa"
fi
[ "$(snapshot rt_dev)" = "$before" ] && ok "nothing written to the database of the environment" ||
	{ fail "--autogenerate changed the database of the environment"; diff <(echo "$before") <(snapshot rt_dev) | head -20; }
[ "$(scratch_dbs)" = 0 ] && ok "the scratch database is dropped" || fail "a scratch database is left"
fresh_db rt_load
if "$boot" -d rt_load "$work/a" >"$work/out" 2>&1; then
	psql -X -q -v ON_ERROR_STOP=1 -d rt_load -c "CREATE SCHEMA want" >/dev/null
	PGOPTIONS="-c search_path=want" psql -X -q -v ON_ERROR_STOP=1 -d rt_load -f "$work/desired.sql" >/dev/null
	differences=$(q rt_load "SELECT count(*) FROM migrate.compare_schemas('shop', 'want')")
	[ "$differences" = 0 ] && [ "$(q rt_load "SELECT email FROM shop.customer")" = unknown ] &&
		ok "loaded into a fresh database and upgraded, the project's schema is the desired one (compare_schemas() empty)" ||
		{ fail "$differences difference(s) after the upgrade"; q rt_load "SELECT * FROM migrate.compare_schemas('shop', 'want')"; }
	q rt_load "SELECT count(*) FROM migrate.downgrade('-1')" >/dev/null &&
		[ "$(q rt_load "SELECT count(*) FROM pg_tables WHERE schemaname = 'shop'")" = 1 ] &&
		ok "and its downgrade gives back the schema before" || fail "the generated downgrade"
else
	fail "the directory with the generated revision does not load"
	cat "$work/out"
fi

# a drop: refused with the list, then kept marked (a column whose
# default brings it back, a table; their downgrade works on the row)
cat >"$work/desired2.sql" <<'EOF'
CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL);
EOF
expect 1 "the generated upgrade destroys data" "destructive statements refused" -- \
	"$tool" -m "drop email and orders" --autogenerate --desired "$work/desired2.sql" "$work/a"
if grep -q "drops column customer.email and the data in it" "$work/out" && grep -q "DROP TABLE shop.orders" "$work/out" &&
	grep -q "ALTER TABLE shop.customer DROP COLUMN email" "$work/out" && grep -q -- "--allow-destructive" "$work/out"; then
	ok "with the list of what is lost, and the option that allows it"
else
	fail "the refusal does not list the destructive statements"
fi
ls "$work/a"/0003_* >/dev/null 2>&1 && fail "a file was written for a refused revision" || ok "no file written"
expect 0 "/0003_drop_email_and_orders\\.sql: " "--allow-destructive" -- \
	"$tool" -m "drop email and orders" --autogenerate --desired "$work/desired2.sql" --allow-destructive "$work/a"
awk '/upgrade *=>/,/^\$up\$/' "$work/a/0003_drop_email_and_orders.sql" | grep -q "^-- DESTRUCTIVE" &&
	ok "the upgrade keeps its -- DESTRUCTIVE marks" || fail "no DESTRUCTIVE mark in the upgrade"
fresh_db rt_load2
"$boot" -d rt_load2 "$work/a" >/dev/null 2>&1 &&
	[ "$(q rt_load2 "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'shop'")" = "id,name" ] &&
	ok "and it loads and runs" || fail "the destructive revision does not load"
expect 1 "already matches" "nothing to generate" -- \
	"$tool" -m "again" --autogenerate --desired "$work/desired2.sql" "$work/a"
printf 'CREATE TABLE broken (id int REFERENCES nowhere);\n' >"$work/broken.sql"
expect 1 "relation \"nowhere\" does not exist" "a desired file that fails" -- \
	"$tool" -m "broken" --autogenerate --desired "$work/broken.sql" "$work/a"
[ "$(scratch_dbs)" = 0 ] && ok "every scratch database is dropped, after failures too" ||
	fail "scratch databases left: $(scratch_dbs)"

# a directory that only configures its project so far; files that
# configure another project than the one they are loaded into
mkdir "$work/c"
cat >"$work/c/0000_configure.sql" <<'EOF'
SELECT migrate.configure('billing', target_schema => 'billing');
EOF
printf 'CREATE TABLE invoice (id int PRIMARY KEY, total numeric NOT NULL DEFAULT 0);\n' >"$work/desired4.sql"
expect 1 "configures a target schema for another project than default: billing \\(billing\\)" \
	"the target schema configured for another project" -- \
	"$tool" -m "invoices" --autogenerate --desired "$work/desired4.sql" "$work/c"
expect 0 "/0001_invoices\\.sql: revision [0-9a-f]{12}, the first revision\$" "--autogenerate, --project, on a directory with no revision yet" -- \
	"$tool" -m "invoices" --project billing --autogenerate --desired "$work/desired4.sql" "$work/c"
fresh_db rt_load2
grep -q "CREATE TABLE billing.invoice" "$work/c/0001_invoices.sql" &&
	"$boot" -d rt_load2 --project billing "$work/c" >/dev/null 2>&1 &&
	[ "$(q rt_load2 "SELECT to_regclass('billing.invoice') IS NOT NULL")" = t ] &&
	ok "the first revision makes the table in the target schema the directory configures" ||
	{ fail "the first generated revision:"; cat "$work/c/0001_invoices.sql"; }

# --merge with --autogenerate: the schema at every head (files numbered
# NNNN.sql)
mkdir "$work/b"
cat >"$work/b/0001.sql" <<'EOF'
SELECT migrate.register('b1', 'CREATE TABLE one (id int)', 'DROP TABLE one');
EOF
cat >"$work/b/0002.sql" <<'EOF'
SELECT migrate.register('b2', 'CREATE TABLE two (id int)', 'DROP TABLE two', down_revision => 'b1');
SELECT migrate.register('b3', 'CREATE TABLE three (id int)', 'DROP TABLE three', down_revision => 'b1');
EOF
printf 'CREATE TABLE one (id int); CREATE TABLE two (id int); CREATE TABLE three (id int, note text);\n' >"$work/desired3.sql"
expect 0 "/0003_note\\.sql: revision [0-9a-f]{12}, merging b2, b3\$" "--autogenerate --merge: the schema at every head" -- \
	"$tool" -m "note" --merge --autogenerate --desired "$work/desired3.sql" "$work/b"
grep -q "ALTER TABLE public.three ADD COLUMN note text;" "$work/b/0003_note.sql" &&
	! grep -q "CREATE TABLE" "$work/b/0003_note.sql" &&
	ok "only the column is added: both branches were built" || { fail "the merge's generated file:"; cat "$work/b/0003_note.sql"; }

echo "--- revision_file(): awkward revisions, loaded with psql -f and migrate-bootstrap"
cat >"$work/awkward.sql" <<'EOF'
SET migrate.project = 'awk';
SELECT migrate.register('w1', message => $m$quotes ' " and \ backslash, $up$); --$m$,
    upgrade => $b$CREATE TABLE w (t text DEFAULT 'a$$b $up$ $up_1$ \n');
INSERT INTO w DEFAULT VALUES; -- ends in $up$b$,
    downgrade => 'DROP TABLE w; -- ends in $down');
SELECT migrate.register('w2', down_revision => 'w1', message => E'two\r\nlines',
    upgrade => E'CREATE INDEX CONCURRENTLY w_t ON w (t);\r\n-- crlf\r\n',
    downgrade => E'DROP INDEX CONCURRENTLY w_t;\r\n', transactional => false,
    branch_labels => 'left, right', depends_on => 'w1');
SELECT migrate.register('w3', 'SELECT $$$$', NULL, down_revision => 'w2');
EOF
psql -X -q -v ON_ERROR_STOP=1 -d rt_dev -f "$work/awkward.sql" >/dev/null || fail "registering the awkward revisions"
mkdir "$work/w"
for id in w1 w2 w3; do
	psql -X -A -t -v ON_ERROR_STOP=1 -d rt_dev -c "SELECT migrate.revision_file('$id', 'awk')" -o "$work/w/$id.sql" ||
		fail "revision_file('$id')"
done
fresh_db rt_copy
q rt_copy "CREATE EXTENSION migrate" >/dev/null
for id in w1 w2 w3; do
	PGOPTIONS="-c migrate.project=awk" psql -X -q -v ON_ERROR_STOP=1 -d rt_copy -f "$work/w/$id.sql" >/dev/null ||
		fail "$id.sql does not load with psql -f"
done
revisions="SELECT string_agg(format('%s %s %s %s %s %s %s', id, checksum, down_revision, depends_on, branch_labels,
                                    transactional, md5(coalesce(message, '<null>'))), E'\n' ORDER BY id)
             FROM migrate.revision WHERE project = 'awk'"
want=$(q rt_dev "$revisions")
[ "$(q rt_copy "$revisions")" = "$want" ] && [ "$(grep -c '' <<<"$want")" = 3 ] &&
	ok "loaded with psql -f: the same ids, checksums, edges, labels, flags and messages" ||
	{ fail "psql -f gave other revisions:"; diff <(echo "$want") <(q rt_copy "$revisions"); }
fresh_db rt_load2
"$boot" -d rt_load2 --project awk "$work/w" >"$work/out" 2>&1 || { fail "the files do not load with migrate-bootstrap"; cat "$work/out"; }
[ "$(q rt_load2 "$revisions")" = "$want" ] && ok "loaded with migrate-bootstrap: the same, and applied" ||
	fail "migrate-bootstrap gave other revisions"
[ "$(q rt_load2 "SELECT t FROM w")" = 'a$$b $up$ $up_1$ \n' ] && [ "$(q rt_load2 "SELECT count(*) FROM pg_indexes WHERE indexname = 'w_t'")" = 1 ] ||
	fail "the awkward bodies did not run as registered"

echo "--- failures in the database"
mkdir "$work/commits"
printf "SELECT migrate.register('c1', 'SELECT 1');\nCOMMIT;\n" >"$work/commits/0001.sql"
fresh_db rt_sig
expect 1 "0001.sql ended the migrate-revision transaction" "a file that commits" -- \
	env PGDATABASE=rt_sig "$tool" -m "x" "$work/commits"
grep -q "The file committed the migrate-revision transaction" "$work/out" &&
	ok "which says what it committed" || fail "the error does not say what was committed"
mkdir "$work/fails"
printf "SELECT migrate.register('e1', 'SELECT 1');\nSELECT 1/0;\n" >"$work/fails/0001.sql"
expect 1 "division by zero" "a file that fails" -- "$tool" -m "x" "$work/fails"
mkdir "$work/named"
printf "SELECT migrate.register('p1', 'SELECT 1', project => 'elsewhere');\n" >"$work/named/0001.sql"
fresh_db rt_sig
expect 1 "register revisions into a project they name" "files that name their project" -- \
	env PGDATABASE=rt_sig "$tool" -m "x" "$work/named"
fresh_db rt_old
q rt_old "CREATE EXTENSION migrate VERSION '0.1'" >/dev/null
expect 1 "is at version 0.1, which has no revision_file\\(\\)" "an extension older than the tool" -- \
	env PGDATABASE=rt_old "$tool" -m "x" "$work/m"
expect 3 "could not connect" "no server there" -- env PGHOST="$work" PGPORT=1 "$tool" -m "x" "$work/m"
ls "$work/commits" "$work/fails" "$work/named" | grep -q "_x.sql" && fail "a failure left a file" || ok "no failure left a file"

echo "--- usage errors"
expect 0 "^Usage: migrate-revision" "--help" -- "$tool" --help
expect 2 "no message: -m MESSAGE is required" "no message" -- "$tool" "$work/m"
expect 2 "no directory given" "no directory" -- "$tool" -m x
expect 2 "one directory only, not 2" "two directories" -- "$tool" -m x "$work/m" "$work/a"
expect 2 "unknown option --frobnicate" "unknown option" -- "$tool" -m x --frobnicate "$work/m"
expect 2 "option --head needs a value" "option without its value" -- "$tool" -m x "$work/m" --head
expect 2 "option -m needs a value" "-m without its value" -- "$tool" "$work/m" -m
expect 2 "the head is empty" "empty --head" -- "$tool" -m x --head "" "$work/m"
expect 2 "the project name is empty" "empty --project" -- "$tool" -m x --project "" "$work/m"
expect 2 "--head and --merge exclude each other" "--head with --merge" -- "$tool" -m x --head a --merge "$work/m"
expect 2 "--autogenerate needs --desired FILE" "--autogenerate without --desired" -- "$tool" -m x --autogenerate "$work/m"
expect 2 "--desired goes with --autogenerate" "--desired without --autogenerate" -- "$tool" -m x --desired "$work/desired.sql" "$work/m"
expect 2 "--allow-destructive goes with --autogenerate" "--allow-destructive alone" -- "$tool" -m x --allow-destructive "$work/m"
expect 2 "--non-transactional and --autogenerate exclude each other" "--non-transactional with --autogenerate" -- \
	"$tool" -m x --non-transactional --autogenerate --desired "$work/desired.sql" "$work/m"
expect 2 "invalid --id 'a-b'" "an id outside the grammar" -- "$tool" -m x --id a-b "$work/m"
expect 2 "invalid --id 'head'" "a reserved id" -- "$tool" -m x --id head "$work/m"
expect 2 "-p is not an option .*--project NAME.*PGPORT" "-p, a port to every other PostgreSQL client" -- "$tool" -m x -p 5432 "$work/m"
expect 2 "directory $work/nowhere does not exist" "missing directory" -- "$tool" -m x "$work/nowhere"
expect 2 "$f1 is not a directory" "a file for a directory" -- "$tool" -m x "$f1"
expect 2 "file $work/nowhere.sql does not exist" "missing desired file" -- \
	"$tool" -m x --autogenerate --desired "$work/nowhere.sql" "$work/m"
expect 2 "$work/m is not a readable file" "a directory for the desired file" -- \
	"$tool" -m x --autogenerate --desired "$work/m" "$work/m"
mkdir -p "$work/nl"$'\n'"dir"
expect 2 "holds a line break" "a directory name with a line break" -- "$tool" -m x "$work/nl"$'\n'"dir"
mkdir "$work/closed"
chmod 700 "$work/closed"
if [ "$(id -u)" -eq 0 ]; then
	# root reads everything: try as the cluster's owner, with copies of
	# the scripts it can reach
	mkdir "$work/bin"
	cp "$tool" "$boot" "$work/bin/"
	chmod 755 "$work/bin" "$work/bin/"*
	expect 2 "directory $work/closed is not readable" "an unreadable directory" -- \
		runuser -u postgres -- env PGHOST="$PGHOST" PGPORT="$PGPORT" "$work/bin/migrate-revision" -m x "$work/closed"
else
	chmod 000 "$work/closed"
	expect 2 "directory $work/closed is not readable" "an unreadable directory" -- "$tool" -m x "$work/closed"
	chmod 700 "$work/closed"
fi
mkdir "$work/alone"
cp "$tool" "$work/alone/"
expect 2 "migrate-bootstrap is missing" "without migrate-bootstrap beside it" -- "$work/alone/migrate-revision" -m x "$work/m"
[ "$(ls "$work/m" | grep -c '_x\.sql$')" = 0 ] && ok "no usage error wrote a file" || fail "a usage error wrote a file"

echo "--- SIGTERM"
# term_while DESCRIPTION DATABASE -- COMMAND...: start COMMAND, wait until
# a backend of the tool sleeps (pg_sleep) in a database named like
# DATABASE, send it TERM; then that backend must go
term_while() {
	local what=$1 db=$2
	shift 3
	"$@" >"$work/term.out" 2>&1 &
	local client=$! sleeping=0 status
	for _ in $(seq 1 400); do
		if [ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrate-revision' AND wait_event = 'PgSleep' AND datname LIKE '$db'")" -ge 1 ]; then
			sleeping=1
			break
		fi
		sleep 0.05
	done
	if [ "$sleeping" -eq 0 ]; then
		fail "$what: the tool never reached the sleeping statement"
		kill "$client" 2>/dev/null
		wait "$client"
		return
	fi
	kill -TERM "$client"
	wait "$client"
	status=$?
	gone=0
	for _ in $(seq 1 200); do
		[ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrate-revision'")" = 0 ] && { gone=1; break; }
		sleep 0.05
	done
	if [ "$status" -eq 143 ] && [ "$gone" -eq 1 ] && grep -q "stopped by a signal; nothing was written" "$work/term.out"; then
		ok "$what: exit 143, nothing was written, the backend gone"
	else
		fail "$what: exit $status, backend gone: $gone"
		cat "$work/term.out"
	fi
}
mkdir "$work/sleepy"
printf "SELECT migrate.register('s1', 'SELECT 1');\nSELECT pg_sleep(60);\n" >"$work/sleepy/0001_s.sql"
fresh_db rt_sig
before=$(snapshot rt_sig)
term_while "SIGTERM while the directory loads" rt_sig -- env PGDATABASE=rt_sig "$tool" -m "x" "$work/sleepy"
[ "$(snapshot rt_sig)" = "$before" ] && [ ! -e "$work/sleepy/0002_x.sql" ] && ok "the database as it was, no file" ||
	fail "SIGTERM left something"
printf 'CREATE TABLE t (id int);\nSELECT pg_sleep(60);\n' >"$work/sleepy.sql"
term_while "SIGTERM while the desired file runs" 'migrate\_revision\_%' -- "$tool" -m "x" --autogenerate --desired "$work/sleepy.sql" "$work/a"
gone=0
for _ in $(seq 1 200); do
	[ "$(scratch_dbs)" = 0 ] && { gone=1; break; }
	sleep 0.05
done
[ "$gone" -eq 1 ] && ok "the scratch database is dropped" || fail "scratch databases left after SIGTERM: $(scratch_dbs)"
ls -A "$work/a" | grep -q '^\.' && fail "a partial file stayed in the directory" || ok "no partial file in the directory"

echo "revision_tool: $failures failure(s)"
[ "$failures" -eq 0 ]
