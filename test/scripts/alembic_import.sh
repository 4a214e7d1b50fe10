#!/bin/bash
# Coming from Alembic, end to end: tools/migrate-import-alembic on the shop
# project of test/alembic/project (22 revisions: tables, enums, indexes,
# foreign keys, batch mode, a view, data fixes, seed rows, another schema,
# a labelled branch with its merge, depends_on, and one revision that reads
# through the connection), compared with the real Alembic 1.8.1 running the
# same project; adoption of databases Alembic migrated; re-import; bad input;
# several Alembic environments in one database (test/alembic/services); a
# project whose env.py gives a naming convention and whose revisions rely on
# checkfirst, tabs and escaped colons (test/alembic/conventions), also
# against the real Alembic, and loaded by migrate-bootstrap; the edge cases
# of test/alembic/edge, each refusal with its reason; test/alembic/offline,
# one revision per case of what renders (writes with parameters, literals
# SQLAlchemy has none for, commit + autocommit_block) and what is refused
# (an engine of its own, a socket, a read, reflection, a downgrade that
# reads), with a reachable database and a listening service the import must
# not reach, six imports under six hash seeds, the refused revisions
# finished by hand, and the round trip against the real Alembic; a
# Flask-Migrate application (test/alembic/flask) against `flask db`; and
# mypy --strict of the importer's package.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
importer=$root/tools/migrate-import-alembic
work=$(mktemp -d "${TMPDIR:-/tmp}/alembic-import.XXXXXX") || exit 1
chmod 755 "$work"
dbs=(mig_alembic_a mig_alembic_b mig_alembic_c mig_alembic_svc_a mig_alembic_svc_b mig_alembic_edge
	mig_alembic_conv_a mig_alembic_conv_b mig_alembic_conv_c
	mig_offline_ini mig_offline_a mig_offline_b mig_flask_a mig_flask_b)
listener=
cleanup() {
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	for db in "${dbs[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
	rm -rf "$work"
}
trap cleanup EXIT

status=0
checks=0
fail() {
	echo "FAIL: $*"
	status=1
}
ok() {
	checks=$((checks + 1))
}
# expect NAME EXPECTED ACTUAL
expect() {
	if [ "$2" = "$3" ]; then
		ok
	else
		fail "$1"
		echo "  expected: $(printf '%q' "$2")"
		echo "  actual:   $(printf '%q' "$3")"
	fi
}
# expect_match NAME REGEX TEXT
expect_match() {
	if grep -Eq -- "$2" <<<"$3"; then
		ok
	else
		fail "$1: no match for /$2/ in:"
		printf '%s\n' "$3" | sed 's/^/  | /'
	fi
}
q() {
	local db=$1
	shift
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$*"
}
url() {
	echo "postgresql+psycopg2://$PGUSER@/$1?host=$PGHOST&port=$PGPORT"
}
# alembic DIR DB [SECTION] ARGS...: the real Alembic, its log to a file
alembic() {
	local dir=$1 db=$2
	shift 2
	(cd "$dir" && /usr/bin/python3 -m alembic -c alembic.ini -x "url=$(url "$db")" "$@") \
		>>"$work/alembic.log" 2>&1
}
# run the importer; its stdout and stderr go to $work/out and $work/err
import() {
	"$importer" "$@" >"$work/out" 2>"$work/err"
}
load() {
	local db=$1 dir=$2
	cat "$dir"/*.sql | psql -X -q -v ON_ERROR_STOP=1 -1 -d "$db" >/dev/null
}
schema_dump() {
	local db=$1
	shift
	pg_dump --schema-only --no-owner "$@" -d "$db" | grep -Ev '^(--|$|\\(un)?restrict )'
}
data_dump() {
	local db=$1
	shift
	pg_dump --data-only --no-owner "$@" -d "$db" | grep -Ev '^(--|$|\\(un)?restrict )'
}
same_dumps() {
	local what=$1 a=$2 b=$3
	shift 3
	if diff <(schema_dump "$a" "$@") <(schema_dump "$b" "$@") >"$work/diff"; then
		ok
	else
		fail "$what: schemas differ ($a vs $b)"
		head -40 "$work/diff"
	fi
	if diff <(data_dump "$a" "$@") <(data_dump "$b" "$@") >"$work/diff"; then
		ok
	else
		fail "$what: data differs ($a vs $b)"
		head -40 "$work/diff"
	fi
}

for db in "${dbs[@]}"; do
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb "$db" || exit 1
done

# A copy of the project: later steps add a revision to it, as a team would.
cp -r "$root/test/alembic/project" "$work/project"
find "$work/project" -name __pycache__ -prune -exec rm -rf {} +
proj=$work/project
shop=(-c "$proj/alembic.ini" --project shop)
manual_rev=0d2f4b6e8acc

echo "--- import: every revision is written; the one that cannot render offline is reported"
import "${shop[@]}" -o "$work/out1"
expect "import with a revision left to write exits 1" 1 $?
expect_match "the report names the revision and why" \
	"$manual_rev \(migrations/versions/20240311_${manual_rev}_customer_email_domain.py\): upgrade\(\) reads rows of customers through the connection: \.fetchall\(\) of 'SELECT id, email FROM customers'" \
	"$(cat "$work/err")"
expect_match "and the file to finish" "^    -> $work/out1/1.0013_$manual_rev.sql$" "$(cat "$work/err")"
expect "22 files written all the same" "22 revisions in $work/out1: 22 written, 0 unchanged, 0 removed" \
	"$(sed 's/^migrate-import-alembic: //' "$work/out")"

echo "--- import --allow-manual, twice: byte-identical"
import "${shop[@]}" -o "$work/out1" --allow-manual
expect "import --allow-manual exits 0" 0 $?
expect "22 files" 22 "$(ls "$work/out1" | wc -l)"
PYTHONHASHSEED=123 import "${shop[@]}" -o "$work/out2" --allow-manual
if diff -r "$work/out1" "$work/out2" >/dev/null; then ok; else fail "a second import differs"; fi
expect "files in load order: versions/ sorted, then reporting/" \
	"1.0001_3f1c2a9d4b10.sql 1.0002_7ab0e54c1d22.sql 1.0019_5e7a9c1b3d4f.sql 2.0001_8f1a3c5e7bdd.sql 2.0003_4a6c8e0b2dff.sql" \
	"$(cd "$work/out1" && ls 1.0001_* 1.0002_* 1.0019_* 2.0001_* 2.0003_* | tr '\n' ' ' | sed 's/ $//')"
f=$work/out1/2.0001_8f1a3c5e7bdd.sql
expect_match "own branch label" "branch_labels => 'reporting'" "$(cat "$f")"
expect "inherited labels are not registered" 1 "$(grep -c branch_labels "$work"/out1/*.sql | grep -c ':1$')"
expect_match "depends_on" "depends_on    => 'd3e5a7c9b1ee'" "$(cat "$work"/out1/*_f2b4d6e8a01a.sql)"
expect_match "merge parents" "down_revision => 'f2b4d6e8a01a, 4a6c8e0b2dff'" "$(cat "$work"/out1/*_7c9e1b3d5f0a.sql)"
# (grep reads a pattern with line breaks as several patterns, any of which
# may match: what spans lines is matched on the text made one line)
expect_match "a merge's bodies are empty, not NULL" "upgrade       => '', {5}downgrade     => ''\);" \
	"$(tr '\n' ' ' <"$work"/out1/*_7c9e1b3d5f0a.sql)"
expect_match "message is the docstring's first paragraph" '^    message       => \$msg\$tighten columns\$msg\$,$' "$(cat "$work"/out1/*_9d2c4b6e8f55.sql)"
body=$(cat "$work"/out1/*_6c8e0a2b4daa.sql)
expect_match "dollar tag avoids the body's \$up\$" 'upgrade       => \$up_1\$' "$body"
expect_match "no doubled %" "'10% off everything'" "$body"
expect_match "literal binds rendered" "WHERE ends_on < '2024-03-01'" "$(cat "$work"/out1/*_b4d6f8a0c2bb.sql)"
if grep -Eq '^(BEGIN|COMMIT);$|alembic_version' "$work"/out1/*.sql; then
	fail "transaction or version-table statements in the bodies"
else
	ok
fi

echo "--- loading the placeholder: the revision fails, naming itself; nothing applied"
psql -X -q -d mig_alembic_b -c 'CREATE EXTENSION migrate' || exit 1
load mig_alembic_b "$work/out1"
out=$(psql -X -q -v ON_ERROR_STOP=1 -d mig_alembic_b -c "SELECT * FROM migrate.upgrade('heads', 'shop')" 2>&1)
expect "upgrade through the placeholder fails" 1 $?
expect_match "the error names the revision" "ERROR:  revision $manual_rev of project shop was not imported from Alembic: its upgrade\(\) cannot be rendered offline" "$out"
expect_match "the hint says to write its SQL" "HINT:  Write the SQL of its upgrade\(\)" "$out"
expect "no version rows after the failure" 0 "$(q mig_alembic_b "SELECT count(*) FROM migrate.version")"
expect "no table after the failure" "" "$(q mig_alembic_b "SELECT to_regclass('public.customers')")"

echo "--- the user writes the revision's SQL; a re-import keeps it"
f=$(ls "$work"/out1/*_$manual_rev.sql)
/usr/bin/python3 - "$f" <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
sql = ("\nALTER TABLE customers ADD COLUMN email_domain TEXT;\n\n"
       "UPDATE customers SET email_domain = lower(substring(email from '@([^@]*)$'));\n")
text, n = re.subn(r"(upgrade       => )\$up\$.*?\$up\$", lambda m: m.group(1) + "$up$" + sql + "$up$", text, flags=re.S)
assert n == 1
open(path, "w").write(text)
EOF
cp "$f" "$work/hand.sql"
import "${shop[@]}" -o "$work/out1"
expect "re-import with a hand-written file exits 0 (no revision left to write)" 0 $?
expect_match "the hand-written file is kept" "0 written, 22 unchanged, 0 removed, 1 kept" "$(cat "$work/out")"
if cmp -s "$f" "$work/hand.sql"; then ok; else fail "the hand-written file was changed"; fi

echo "--- database A: alembic upgrade heads; database B: import, load, upgrade"
alembic "$proj" mig_alembic_a upgrade heads || { fail "alembic upgrade heads"; tail -20 "$work/alembic.log"; }
dropdb mig_alembic_b && createdb mig_alembic_b
psql -X -q -d mig_alembic_b -c 'CREATE EXTENSION migrate' || exit 1
load mig_alembic_b "$work/out1"
before=$(q mig_alembic_b "SELECT string_agg(id || ':' || checksum || ':' || seq, ' ' ORDER BY seq) FROM migrate.revision")
load mig_alembic_b "$work/out1"
expect "loading twice changes nothing" "$before" \
	"$(q mig_alembic_b "SELECT string_agg(id || ':' || checksum || ':' || seq, ' ' ORDER BY seq) FROM migrate.revision")"
expect "22 revisions registered" 22 "$(q mig_alembic_b "SELECT count(*) FROM migrate.revision WHERE project = 'shop'")"
expect "upgrade('heads') runs every revision" 22 \
	"$(q mig_alembic_b "SELECT count(*) FROM migrate.upgrade('heads', 'shop')" 2>/dev/null)"
dump_opts=(-n public -n reporting -T public.alembic_version)
same_dumps "after upgrade heads" mig_alembic_a mig_alembic_b "${dump_opts[@]}"
expect "alembic_version rows = migrate.version rows" \
	"$(q mig_alembic_a "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")" \
	"$(q mig_alembic_b "SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.version WHERE project = 'shop'")"
expect "seed rows arrived" 3 "$(q mig_alembic_b "SELECT count(*) FROM promotions")"
expect "a '%' stays one '%'" "10% off everything" "$(q mig_alembic_b "SELECT label FROM promotions WHERE code = 'LAUNCH10'")"
expect "a backslash stays one backslash" 'Grüße aus München \ 5%' "$(q mig_alembic_b "SELECT label FROM promotions WHERE code = 'MÜNCHEN'")"

echo "--- downgrade base on both"
alembic "$proj" mig_alembic_a downgrade base || { fail "alembic downgrade base"; tail -20 "$work/alembic.log"; }
q mig_alembic_b "SELECT count(*) FROM migrate.downgrade('base', 'shop')" >/dev/null || fail "migrate.downgrade('base')"
same_dumps "after downgrade base" mig_alembic_a mig_alembic_b "${dump_opts[@]}"
expect "no version rows on either side" "0 0" \
	"$(q mig_alembic_a "SELECT count(*) FROM alembic_version") $(q mig_alembic_b "SELECT count(*) FROM migrate.version")"

echo "--- adoption of database A"
alembic "$proj" mig_alembic_a upgrade heads || fail "alembic upgrade heads (again)"
alembic_rows=$(q mig_alembic_a "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")
psql -X -q -d mig_alembic_a -c 'CREATE EXTENSION migrate' || exit 1
load mig_alembic_a "$work/out1"
out=$(q mig_alembic_a "SELECT revision || '|' || operation FROM migrate.adopt_alembic(NULL, 'shop')")
expect "adopt_alembic returns a stamp row per head" "5e7a9c1b3d4f|stamp" "$out"
expect "current() = Alembic's rows" "$alembic_rows" \
	"$(q mig_alembic_a "SELECT string_agg(c, ',' ORDER BY c) FROM migrate.current('shop') c")"
expect "upgrade('heads') after adoption runs nothing" 0 \
	"$(q mig_alembic_a "SELECT count(*) FROM migrate.upgrade('heads', 'shop')")"
expect "the Alembic table is left as it was" "$alembic_rows" \
	"$(q mig_alembic_a "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")"
expect "adopting again is a no-op" 0 "$(q mig_alembic_a "SELECT count(*) FROM migrate.adopt_alembic('alembic_version', 'shop')")"
expect "adoption is logged as a stamp" "stamp|{}|{5e7a9c1b3d4f}" \
	"$(q mig_alembic_a "SELECT operation || '|' || heads_before::text || '|' || heads_after::text FROM migrate.log WHERE project = 'shop'")"

echo "--- a new Alembic revision, re-imported: only its file is new; upgrade runs just it"
cat >"$proj/migrations/versions/20240430_9a8b7c6d5e4f_customer_birthday.py" <<'EOF'
"""customer birthday

Revision ID: 9a8b7c6d5e4f
Revises: 5e7a9c1b3d4f
Create Date: 2024-04-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9a8b7c6d5e4f"
down_revision = "5e7a9c1b3d4f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("birthday", sa.Date(), nullable=True))
    op.create_index("ix_customers_birthday", "customers", ["birthday"],
                    postgresql_where=sa.text("birthday IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_customers_birthday", table_name="customers")
    op.drop_column("customers", "birthday")
EOF
(cd "$work/out1" && sha256sum ./*.sql) >"$work/sums.before"
import "${shop[@]}" -o "$work/out1" --allow-manual
expect "re-import exits 0" 0 $?
expect_match "one file written" "23 revisions in .*: 1 written, 22 unchanged, 0 removed, 1 kept" "$(cat "$work/out")"
(cd "$work/out1" && sha256sum ./*.sql) >"$work/sums.after"
expect "only the new file is new" "> $(cd "$work/out1" && sha256sum ./1.0020_9a8b7c6d5e4f.sql)" \
	"$(diff "$work/sums.before" "$work/sums.after" | grep '^[<>]')"
load mig_alembic_a "$work/out1"
expect "upgrade('heads') runs just the new revision" "9a8b7c6d5e4f|upgrade" \
	"$(q mig_alembic_a "SELECT revision || '|' || operation FROM migrate.upgrade('heads', 'shop')")"
alembic "$proj" mig_alembic_c upgrade heads || fail "alembic upgrade heads on C"
same_dumps "adopted A upgraded by migrate vs Alembic" mig_alembic_c mig_alembic_a "${dump_opts[@]}"

echo "--- adoption at two heads (before the merge), then migrate takes over"
dropdb mig_alembic_c && createdb mig_alembic_c
alembic "$proj" mig_alembic_c upgrade f2b4d6e8a01a || fail "alembic upgrade f2b4d6e8a01a"
alembic "$proj" mig_alembic_c upgrade 4a6c8e0b2dff || fail "alembic upgrade 4a6c8e0b2dff"
expect "Alembic holds two rows" "4a6c8e0b2dff,f2b4d6e8a01a" \
	"$(q mig_alembic_c "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")"
psql -X -q -d mig_alembic_c -c 'CREATE EXTENSION migrate' || exit 1
load mig_alembic_c "$work/out1"
expect "adopt_alembic stamps both" "2" "$(q mig_alembic_c "SELECT count(*) FROM migrate.adopt_alembic(NULL, 'shop')")"
expect "current() = both" "4a6c8e0b2dff,f2b4d6e8a01a" \
	"$(q mig_alembic_c "SELECT string_agg(c, ',' ORDER BY c) FROM migrate.current('shop') c")"
expect "upgrade('heads') runs the rest" "7c9e1b3d5f0a 39b5d7f9a1c3 c5e7f9b1d3a4 1a3c5e7f9b2d 5e7a9c1b3d4f 9a8b7c6d5e4f" \
	"$(q mig_alembic_c "SELECT string_agg(revision, ' ') FROM migrate.upgrade('heads', 'shop')")"
same_dumps "adopted at two heads, then upgraded" mig_alembic_a mig_alembic_c "${dump_opts[@]}"

echo "--- bad input: a clear error, nothing written"
import -c "$work/nowhere.ini" --project shop -o "$work/bad"
expect "missing ini exits 3" 3 $?
expect_match "missing ini says so" "nowhere.ini: no such file" "$(cat "$work/err")"
printf '[alembic\nscript_location = x\n' >"$work/broken.ini"
import -c "$work/broken.ini" --project shop -o "$work/bad"
expect "broken ini exits 3" 3 $?
expect_match "broken ini says why" "broken.ini: cannot be read: File contains no section headers" "$(cat "$work/err")"
import "${shop[@]}" -n nosuchsection -o "$work/bad"
expect "missing section exits 3" 3 $?
expect_match "missing section named" "has no section \[nosuchsection\]" "$(cat "$work/err")"
# a cycle and a missing parent: Alembic's own errors, passed on
mk_project() {
	local dir=$1
	mkdir -p "$dir/migrations/versions"
	printf '[alembic]\nscript_location = %%(here)s/migrations\n' >"$dir/alembic.ini"
	cp "$root/test/alembic/project/migrations/env.py" "$dir/migrations/"
}
mk_rev() {
	local file=$1 rev=$2 down=$3
	printf '"""rev %s"""\nfrom alembic import op\nrevision = "%s"\ndown_revision = %s\nbranch_labels = None\ndepends_on = None\n\ndef upgrade():\n    op.execute("SELECT 1")\n\ndef downgrade():\n    pass\n' \
		"$rev" "$rev" "$down" >"$file"
}
mk_project "$work/cycle"
mk_rev "$work/cycle/migrations/versions/a.py" aaaa None
mk_rev "$work/cycle/migrations/versions/b.py" bbbb '"cccc"'
mk_rev "$work/cycle/migrations/versions/c.py" cccc '"bbbb"'
import -c "$work/cycle/alembic.ini" --project p -o "$work/bad"
expect "a cycle exits 3" 3 $?
expect_match "Alembic's cycle error" "Cycle is detected in revisions" "$(cat "$work/err")"
mk_project "$work/orphan"
mk_rev "$work/orphan/migrations/versions/a.py" aaaa None
mk_rev "$work/orphan/migrations/versions/b.py" bbbb '"ffff"'
import -c "$work/orphan/alembic.ini" --project p -o "$work/bad"
expect "a missing parent exits 3" 3 $?
expect_match "Alembic's missing-parent error" "Revision ffff referenced from ffff -> bbbb .* is not present" "$(cat "$work/err")"
mk_project "$work/badid"
mk_rev "$work/badid/migrations/versions/a.py" café1 None
import -c "$work/badid/alembic.ini" --project p -o "$work/bad"
expect "an id migrate cannot hold exits 3" 3 $?
expect_match "the id is named" "revision id 'café1' cannot be used by migrate" "$(cat "$work/err")"
expect "none of these wrote anything" no "$([ -e "$work/bad" ] && echo yes || echo no)"
import "$proj/alembic.ini" 2>/dev/null
expect "bad command line exits 2" 2 $?
# an output directory that holds other files
mkdir "$work/other" && echo keep >"$work/other/README"
import "${shop[@]}" -o "$work/other" --allow-manual
expect "a directory with other files exits 4" 4 $?
expect_match "the other file is named" "holds files the importer did not write: README" "$(cat "$work/err")"
expect "nothing written beside it" README "$(ls "$work/other")"
import "${shop[@]}" -o "$work/other" --allow-manual --force
expect "--force writes anyway" 0 $?
expect "beside the other file, which is kept" "24 keep" "$(ls "$work/other" | wc -l) $(cat "$work/other/README")"

echo "--- several Alembic environments in one database"
svc=$work/services
cp -r "$root/test/alembic/services" "$svc"
find "$svc" -name __pycache__ -prune -exec rm -rf {} +
for s in habits meals movements; do
	alembic "$svc" mig_alembic_svc_a -n "$s" upgrade heads || fail "alembic upgrade heads of $s"
	# env.py needs a URL even offline (for its dialect), as for
	# `alembic upgrade --sql`; the importer runs it to read its
	# target_metadata
	import -c "$svc/alembic.ini" -n "$s" -x "url=$(url mig_alembic_svc_b)" --project "$s" -o "$work/svc_$s"
	expect "import of $s exits 0" 0 $?
done
psql -X -q -d mig_alembic_svc_a -c 'CREATE EXTENSION migrate' || exit 1
psql -X -q -d mig_alembic_svc_b -c 'CREATE EXTENSION migrate' || exit 1
for s in habits meals movements; do
	load mig_alembic_svc_a "$work/svc_$s"
	# env.py creates each service's schema; in migrate that is the
	# project's target schema, created by its first run
	q mig_alembic_svc_b "SELECT migrate.configure('$s', target_schema => '$s')" >/dev/null
	load mig_alembic_svc_b "$work/svc_$s"
done
expect "each service adopted from its own version table" "habits:2 meals:1 movements:2" \
	"$(q mig_alembic_svc_a "SELECT 'habits:' || (SELECT count(*) FROM migrate.adopt_alembic('habits.alembic_version', 'habits'))
	                        || ' meals:' || (SELECT count(*) FROM migrate.adopt_alembic('public.meals_version', 'meals'))
	                        || ' movements:' || (SELECT count(*) FROM migrate.adopt_alembic('movements.version', 'movements'))")"
for s in habits meals movements; do
	expect "$s: current() = its Alembic table" \
		"$(q mig_alembic_svc_a "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM $(case $s in habits) echo habits.alembic_version ;; meals) echo public.meals_version ;; movements) echo movements.version ;; esac)")" \
		"$(q mig_alembic_svc_a "SELECT string_agg(c, ',' ORDER BY c) FROM migrate.current('$s') c")"
	expect "$s: upgrade after adoption is a no-op" 0 "$(q mig_alembic_svc_a "SELECT count(*) FROM migrate.upgrade('heads', '$s')")"
	q mig_alembic_svc_b "SELECT count(*) FROM migrate.upgrade('heads', '$s')" >/dev/null || fail "upgrade of $s on B"
done
same_dumps "three services" mig_alembic_svc_a mig_alembic_svc_b -n habits -n meals -n movements \
	-T habits.alembic_version -T movements.version
expect "meals' table in public is untouched by B" "" "$(q mig_alembic_svc_b "SELECT to_regclass('public.meals_version')")"
out=$(psql -X -q -d mig_alembic_svc_a -c "SELECT * FROM migrate.adopt_alembic('habits.alembic_version', 'meals')" 2>&1)
expect_match "another service's table: unknown revisions" "ERROR:  Alembic version table \"habits.alembic_version\" names revisions that project \"meals\" does not have" "$out"

echo "--- one directory per environment: another import's files are not the importer's own"
import -c "$svc/alembic.ini" -n meals -x "url=$(url mig_alembic_svc_b)" --project meals -o "$work/svc_habits"
expect "importing meals where habits' files are: exits 4" 4 $?
expect_match "the files are another project's" "holds files the importer did not write for project meals: 0001_11aa22bb33cc.sql" "$(cat "$work/err")"
(cd "$work/svc_habits" && sha256sum ./*.sql) >"$work/sums.habits"
import -c "$svc/alembic.ini" -n meals -x "url=$(url mig_alembic_svc_b)" --project meals -o "$work/svc_habits" --force
expect "with --force: written beside them" 0 $?
expect_match "none of habits' files removed" "2 revisions in .*: 2 written, 0 unchanged, 0 removed" "$(cat "$work/out")"
if (cd "$work/svc_habits" && sha256sum -c --quiet "$work/sums.habits"); then ok; else fail "habits' files changed"; fi
import -c "$svc/alembic.ini" -n habits -x "url=$(url mig_alembic_svc_b)" --project habits -o "$work/svc_habits" --force
expect_match "re-importing habits leaves meals' file alone" "3 revisions in .*: 0 written, 3 unchanged, 0 removed" "$(cat "$work/out")"
expect "meals' file is still there" 1 "$(ls "$work"/svc_habits/*_55ee66ff77aa.sql | wc -l)"
# a file of the same name that the importer did not write: never overwritten
mkdir "$work/collide"
printf -- '-- written by hand\nSELECT 1;\n' >"$work/collide/0002_22bb33cc44dd.sql"
import -c "$svc/alembic.ini" -n habits -x "url=$(url mig_alembic_svc_b)" --project habits -o "$work/collide" --force
expect "a hand-written file of the same name: exits 4, even with --force" 4 $?
expect_match "the file is named" "holds files of the same names that the importer did not write: 0002_22bb33cc44dd.sql" "$(cat "$work/err")"
expect "it is left as it was, and nothing written" "$(printf -- '-- written by hand\nSELECT 1;')|0002_22bb33cc44dd.sql" \
	"$(cat "$work/collide/0002_22bb33cc44dd.sql")|$(ls "$work/collide" | tr '\n' ' ' | sed 's/ $//')"

echo "--- env.py's naming convention, checkfirst, tabs and colons: the real Alembic and migrate (test/alembic/conventions)"
conv=$work/conventions
cp -r "$root/test/alembic/conventions" "$conv"
find "$conv" -name __pycache__ -prune -exec rm -rf {} +
convx=(-c "$conv/alembic.ini" --project conv)
import "${convx[@]}" -o "$work/conv_bad"
expect "env.py that cannot run offline: exits 3" 3 $?
expect_match "it says why, and what to do" "env.py cannot be run in offline mode: KeyError: 'ALEMBIC_DATABASE_URL' .*--target-metadata MODULE:ATTRIBUTE" \
	"$(tr '\n' ' ' <"$work/err")"
import "${convx[@]}" -x "url=$(url mig_alembic_conv_b)" -o "$work/conv"
expect "conventions import exits 0" 0 $?
(cd "$conv" && "$importer" "${convx[@]}" --target-metadata app.models:metadata -o "$work/conv_tm" >/dev/null 2>&1)
expect "--target-metadata app.models:metadata: exits 0" 0 $?
if diff -r "$work/conv" "$work/conv_tm" >/dev/null; then ok; else fail "--target-metadata gives other files than env.py's metadata"; fi
import "${convx[@]}" --target-metadata none -o "$work/conv_none"
expect_match "--target-metadata none: SQLAlchemy's default names" "PRIMARY KEY \(id\)" "$(cat "$work"/conv_none/0001_c1.sql)"
import "${convx[@]}" --target-metadata app.models:nothing -o "$work/conv_bad"
expect "--target-metadata that is not there: exits 3" 3 $?
expect_match "named" "--target-metadata app.models:nothing: AttributeError" "$(cat "$work/err")"
expect_match "constraint names from the naming convention" "CONSTRAINT pk_parent PRIMARY KEY .*CONSTRAINT ck_parent_qty_positive CHECK .*CONSTRAINT uq_parent_code UNIQUE" \
	"$(tr '\n' ' ' <"$work/conv/0001_c1.sql")"
expect_match "checkfirst=True: created only if missing" 'IF NOT EXISTS \(SELECT FROM pg_catalog.pg_type t WHERE t.typname = '"'status'"' AND pg_catalog.pg_type_is_visible\(t.oid\)\) THEN' \
	"$(cat "$work/conv/0004_c4.sql")"
expect_match "a tab stays a tab" "VALUES \(1, 'a"$'\t'"b'\)" "$(cat "$work/conv/0002_c2.sql")"
alembic "$conv" mig_alembic_conv_a upgrade heads || { fail "alembic upgrade heads (conventions)"; tail -20 "$work/alembic.log"; }
psql -X -q -d mig_alembic_conv_b -c 'CREATE EXTENSION migrate' || exit 1
load mig_alembic_conv_b "$work/conv"
expect "upgrade('heads') runs the five revisions" "c1 c2 c3 c4 c5" \
	"$(q mig_alembic_conv_b "SELECT string_agg(revision, ' ') FROM migrate.upgrade('heads', 'conv')" 2>/dev/null)"
same_dumps "conventions, after upgrade heads" mig_alembic_conv_a mig_alembic_conv_b -n public -T public.alembic_version
# (contype n: the NOT NULL constraints PostgreSQL 18 records, named by the server)
expect "constraints named by the convention, renamed by later revisions" \
	"ck_child_id_positive ck_parent_qty_small fk_child_parent_id_parent pk_child pk_note pk_orders pk_parent uq_child_parent_id uq_parent_code" \
	"$(q mig_alembic_conv_b "SELECT string_agg(conname, ' ' ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 'invoices'::regclass AND contype <> 'n'")"
expect "tabs in data, as Alembic stored them" "$(printf 'a\tb|c\td')" \
	"$(q mig_alembic_conv_b "SELECT string_agg(body, '|' ORDER BY id) FROM note")"
expect "a tab in a function body" "$(printf '\n\tSELECT length(n.body)\n')" \
	"$(q mig_alembic_conv_b "SELECT prosrc || 'x' FROM pg_proc WHERE proname = 'note_length'" | sed 's/x$//')"
expect "an escaped colon is a colon; a bound value is its value" '{"enabled": true}|{"enabled":false}' \
	"$(q mig_alembic_conv_b "SELECT string_agg(settings, '|' ORDER BY id) FROM note")"
alembic "$conv" mig_alembic_conv_a downgrade base || { fail "alembic downgrade base (conventions)"; tail -20 "$work/alembic.log"; }
q mig_alembic_conv_b "SELECT count(*) FROM migrate.downgrade('base', 'conv')" >/dev/null || fail "migrate.downgrade('base') (conventions)"
same_dumps "conventions, after downgrade base" mig_alembic_conv_a mig_alembic_conv_b -n public -T public.alembic_version

echo "--- --omit-project: the files register where the loader says; migrate-bootstrap --project"
import "${convx[@]}" -x "url=$(url mig_alembic_conv_c)" --omit-project -o "$work/conv_omit"
expect "import --omit-project exits 0" 0 $?
expect "no project argument in the calls" "0 5" \
	"$(cat "$work"/conv_omit/*.sql | grep -c '^    project ') $(grep -l '^-- project => \$project\$conv\$project\$ (none in the call' "$work"/conv_omit/*.sql | wc -l)"
import "${convx[@]}" -x "url=$(url mig_alembic_conv_c)" --omit-project -o "$work/conv_omit"
expect_match "a second import recognises its files" "0 written, 5 unchanged, 0 removed" "$(cat "$work/out")"
import "${convx[@]}" -x "url=$(url mig_alembic_conv_c)" -o "$work/conv_omit"
expect_match "the same project with the argument: the same files, rewritten" "5 written, 0 unchanged, 0 removed" "$(cat "$work/out")"
import "${convx[@]}" -x "url=$(url mig_alembic_conv_c)" --omit-project -o "$work/conv_omit"
"$root/bin/migrate-bootstrap" -d mig_alembic_conv_c --project conv "$work/conv_omit" >"$work/out" 2>&1
expect "migrate-bootstrap --project conv loads and upgrades them" 0 $?
expect_match "it says where they went" "loading 5 file\(s\) from .* into project conv" "$(cat "$work/out")"
expect "project conv at c5" "conv:c5" "$(q mig_alembic_conv_c "SELECT string_agg(project || ':' || revision, ',') FROM migrate.version")"
q mig_alembic_conv_b "SELECT count(*) FROM migrate.upgrade('heads', 'conv')" >/dev/null
same_dumps "conventions, by migrate-bootstrap" mig_alembic_conv_b mig_alembic_conv_c -n public
# files that name their project, given to migrate-bootstrap without it
dropdb mig_alembic_conv_c && createdb mig_alembic_conv_c
"$root/bin/migrate-bootstrap" -d mig_alembic_conv_c "$work/conv" >"$work/out" 2>&1
expect "files naming another project than bootstrap's: exits 1" 1 $?
expect_match "it says so" "no file of .* registered a revision into project default" "$(cat "$work/out")"

echo "--- edge cases: irreversible, autocommit_block, is_offline_mode, CONCURRENTLY, batch recreate, -x,"
echo "    a refusal caught by the revision, unbound parameters, create_all(), a multi-line reason, COMMIT,"
echo "    scalar(), a savepoint, a rowcount, reflection, has_table(), a dict parameter, rollback(), AUTOCOMMIT, psycopg2"
edge=(-c "$root/test/alembic/edge/alembic.ini" --project edge -x tenant=acme)
import "${edge[@]}" -o "$work/edge"
expect "edge import exits 1" 1 $?
err=$(cat "$work/err")
expect_match "is_offline_mode reported" "e6 \(.*\): upgrade\(\) calls context.is_offline_mode\(\)" "$err"
case $err in
	*"e5 ("* | *"e7 ("* | *"e8 ("* | *"e22 ("*) fail "autocommit_block(), CONCURRENTLY, COMMIT and AUTOCOMMIT are importable, yet reported: $err" ;;
	*) ok "autocommit_block(), CONCURRENTLY, COMMIT and AUTOCOMMIT are not reported" ;;
esac
expect_match "a failing render reported" "e9 \(.*\): upgrade\(\) fails when rendered offline: .*KeyError" "$err"
expect_match "batch recreate: it reflects the table" \
	"e10 \\(.*\\): upgrade\\(\\) reflects table edge_settings: batch_alter_table\\(\\) recreates it \\(recreate='always'\\)" "$err"
expect_match "a refusal the revision catches is reported all the same" \
	"e11 \(.*\): upgrade\(\) reads rows of edge_settings through the connection: \.scalar\(\) of 'SELECT count\(\*\) FROM edge_settings'" "$err"
expect_match "a parameter without a value, in text()" \
	"e12 \(.*\): upgrade\(\) executes 'UPDATE edge_settings SET tenant = :tenant', which has the bind parameter :tenant and no value" "$err"
expect_match "a colon in JSON, in a plain string" \
	"e12 \(.*\): downgrade\(\) executes .*, which has the bind parameter :true and no value" "$err"
expect_match "create_all() with checkfirst reported" \
	"e13 \(.*\): upgrade\(\) calls create_all\(\) with checkfirst=True" "$err"
expect_match "a multi-line reason, each line indented" \
	"e14 \(.*\): upgrade\(\) fails when rendered offline: ValueError: Load the seed .*[$]manual[$].* first\. {5}Then stamp this revision\." \
	"$(tr '\n' ' ' <<<"$err")"
expect_match "a failure after DDL through the connection: no word of the connection" \
	"e15 \(.*\): upgrade\(\) fails when rendered offline: TypeError: .*bogus' \(at line 13\)$" \
	"$(grep '^  e15 ' <<<"$err")"
expect_match "scalar(): the tables it reads" \
	"e16 \(.*\): upgrade\(\) reads rows of edge_settings, edge_mood through the connection: \.scalar\(\) of" "$err"
expect_match "a savepoint to go on after a failure" \
	"e17 \(.*\): upgrade\(\) takes a savepoint \(op.get_bind\(\).begin_nested\(\)\), to go on when a statement fails there" "$err"
expect_match "the rowcount of a write" \
	"e18 \(.*\): upgrade\(\) reads the result of 'UPDATE edge_settings SET tenant = lower\(tenant\)' through the connection \(\.rowcount\)" "$err"
expect_match "Table(autoload_with=bind)" "e19 \(.*\): upgrade\(\) reflects table edge_settings " "$err"
expect_match "dialect.has_table()" "e20 \(.*\): upgrade\(\) asks the database whether table edge_audit exists" "$err"
expect_match "a dict as a text() parameter" \
	"e21 \(.*\): upgrade\(\) executes 'UPDATE edge_settings SET region = :r' with a dict value, which the driver cannot send" "$err"
expect_match "rollback()" "e21 \(.*\): downgrade\(\) rolls back its own statements" "$err"
expect_match "psycopg2.connect() in a revision" \
	"e23 \(.*\): upgrade\(\) opens its own connection \(psycopg2.connect\(\)\): the importer connects nowhere" "$err"
expect_match "an object's repr in a reason, without its address" \
	"e24 \(.*\): upgrade\(\) fails when rendered offline: RuntimeError: no settings reachable through <sqlalchemy.engine.mock.MockConnection object> \(at line 11\)$" "$err"
expect "sixteen revisions reported" 16 "$(grep -o '^  e[0-9]*' "$work/err" | sort -u | wc -l)"
if grep -q ' at 0x' "$work/err" "$work"/edge/*.sql; then fail "an object address in a reason"; else ok; fi
import "${edge[@]}" -o "$work/edge" --allow-manual
expect "edge import --allow-manual exits 0" 0 $?
expect "every line of a multi-line reason is a comment" \
	"-- MANUAL: upgrade() fails when rendered offline: ValueError: Load the seed {\"marker\": \"\$manual\$\"} with scripts/seed.py first.|--   Then stamp this revision.|--   SELECT 1/0;|--   DROP TABLE edge_settings; (at line 12)" \
	"$(sed -n '3,6p' "$work"/edge/*_e14.sql | tr '\r' '?' | paste -sd '|')"
expect_match "a raw string's parameters, as the driver sends them; its % and colon as written" \
	"ALTER TYPE mood ADD VALUE 'meh';  COMMENT ON TYPE mood IS '\{\"a\":1\} 100%';" "$(tr '\n' ' ' <"$work"/edge/*_e22.sql)"
psql -X -q -d mig_alembic_edge -c 'CREATE EXTENSION migrate' || exit 1
load mig_alembic_edge "$work/edge"
expect "every file loads: 24 revisions" 24 "$(q mig_alembic_edge "SELECT count(*) FROM migrate.revision")"
out=$(q mig_alembic_edge "SELECT upgrade_sql FROM migrate.revision WHERE id = 'e14'" | psql -X -q -d mig_alembic_edge 2>&1)
expect_match "a body quoting \$manual\$ fails with its message, not a syntax error" \
	"ERROR:  revision e14 of project edge was not imported from Alembic: its upgrade\(\) cannot be rendered offline" "$out"
expect "missing, raising and unrenderable downgrades are NULL; the rest are not" "e1:false e12:true e2:true e21:true e3:true e4:false" \
	"$(q mig_alembic_edge "SELECT string_agg(id || ':' || (downgrade_sql IS NULL), ' ' ORDER BY id) FROM migrate.revision WHERE id IN ('e1', 'e2', 'e3', 'e4', 'e12', 'e21')")"
expect "-x reaches the revisions" "acme" \
	"$(q mig_alembic_edge "SELECT count(*) FROM migrate.upgrade('e4', 'edge')" >/dev/null; q mig_alembic_edge "SELECT tenant FROM edge_settings")"
expect "autocommit_block(), CONCURRENTLY, COMMIT and AUTOCOMMIT make non-transactional revisions" \
	"e22:false e5:false e7:false e8:false e4:true" \
	"$(q mig_alembic_edge "SELECT string_agg(id || ':' || transactional, ' ' ORDER BY id = 'e4', id) FROM migrate.revision WHERE id IN ('e4', 'e5', 'e7', 'e8', 'e22')")"
expect "the COMMIT itself is left out" "SELECT 1;||" \
	"$(q mig_alembic_edge "SELECT replace(upgrade_sql, E'\n', '') || '|' || downgrade_sql || '|' FROM migrate.revision WHERE id = 'e8'")"
expect_match "the autocommit_block()'s statement is imported as the body" "ALTER TYPE mood ADD VALUE 'soso'" \
	"$(q mig_alembic_edge "SELECT upgrade_sql FROM migrate.revision WHERE id = 'e5'")"
psql -X -q -d mig_alembic_edge -c "CALL migrate.apply('e5', 'edge')" >/dev/null 2>&1
expect "CALL migrate.apply() runs it outside a transaction" "e5|soso" \
	"$(q mig_alembic_edge "SELECT string_agg(c, ','), (SELECT max(enumlabel) FILTER (WHERE enumlabel = 'soso') FROM pg_enum) FROM migrate.current('edge') c")"
psql -X -q -d mig_alembic_edge -c "SELECT * FROM migrate.stamp('e4', 'edge')" >/dev/null
out=$(psql -X -q -d mig_alembic_edge -c "SELECT * FROM migrate.downgrade('base', 'edge')" 2>&1)
expect_match "downgrade through an irreversible revision is refused" "revision e3 of project \"edge\" cannot be downgraded" "$out"

# hand_write FILE upgrade|downgrade SQL: what a user does with a file the
# importer left to finish
hand_write() {
	/usr/bin/python3 - "$@" <<'EOF'
import re, sys
path, direction, sql = sys.argv[1:]
text = open(path).read()
arg = "upgrade       => " if direction == "upgrade" else "downgrade     => "
tag = "up" if direction == "upgrade" else "down"
text, n = re.subn(re.escape(arg) + r"(NULL|\$%s\$.*?\$%s\$)" % (tag, tag),
                  lambda m: arg + "$%s$\n%s\n$%s$" % (tag, sql, tag), text, flags=re.S)
assert n == 1, path
open(path, "w").write(text)
EOF
}

echo "--- revisions that only write render; those that read, reflect or connect are refused (test/alembic/offline)"
off=$work/offline
cp -r "$root/test/alembic/offline" "$off"
find "$off" -name __pycache__ -prune -exec rm -rf {} +
# the database the ini names is reachable, and holds rows a revision's own
# engine would change
ini_url=$(url mig_offline_ini)
sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = ${ini_url//&/\\&}|" "$off/alembic.ini"
expect "the ini names that database" "sqlalchemy.url = $ini_url" "$(grep '^sqlalchemy.url' "$off/alembic.ini")"
q mig_offline_ini "CREATE TABLE members (id int PRIMARY KEY, name text); INSERT INTO members VALUES (1, 'ann'), (2, 'bob')"
ini_before=$(data_dump mig_offline_ini)
# a service on 127.0.0.1 that notes every connection it accepts (for five
# minutes at most)
/usr/bin/python3 - "$work/listener" <<'EOF' &
import socket, sys, time
base = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
s.settimeout(1)
open(base + ".port", "w").write(str(s.getsockname()[1]))
deadline = time.time() + 300
while time.time() < deadline:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    open(base + ".accepted", "a").write("connection\n")
    c.close()
EOF
listener=$!
for _ in $(seq 50); do [ -s "$work/listener.port" ] && break; sleep 0.1; done
port=$(cat "$work/listener.port")
offx=(-c "$off/alembic.ini" --project offline)
import "${offx[@]}" -x "cache_port=$port" -o "$work/off_x"
expect "import exits 1: revisions left to write" 1 $?
err=$(cat "$work/err")
expect_match "an engine of its own: refused, named, not run" \
	"o05 \(migrations/versions/o05_own_engine.py\): upgrade\(\) opens its own connection \(an engine of its own: create_engine\(...\).connect\(\)\)" "$err"
expect_match "a socket to another service: refused" \
	"o06 \(.*\): upgrade\(\) opens its own connection \(to 127.0.0.1:$port\)" "$err"
expect_match "a loop over rows it reads" \
	"o07 \(.*\): upgrade\(\) reads rows of members through the connection: \.fetchall\(\) of 'SELECT id, email FROM members'" "$err"
expect_match "reflection" "o08 \(.*\): upgrade\(\) reflects table members \(sa.inspect\(bind\).get_columns\(\)\)" "$err"
expect_match "a downgrade that reads, under an upgrade that renders" \
	"o09 \(.*\): downgrade\(\) reads rows of members through the connection: \.scalar\(\) of 'SELECT max\(score\) FROM members'" "$err"
expect "only those five" "o05 o06 o07 o08 o09" "$(grep -o '^  o[0-9]*' "$work/err" | tr -d ' ' | sort -u | paste -sd ' ')"
expect "the database the ini names is as it was" "$ini_before" "$(data_dump mig_offline_ini)"
expect "the service saw no connection" "" "$(cat "$work/listener.accepted" 2>/dev/null)"
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
listener=

for seed in 1 2 3 4 5 6; do
	PYTHONHASHSEED=$seed import "${offx[@]}" -o "$work/off_$seed"
done
same=0
for seed in 2 3 4 5 6; do diff -r "$work/off_1" "$work/off_$seed" >/dev/null && same=$((same + 1)); done
expect "six imports, six hash seeds: byte-identical" 5 "$same"
f=$(cat "$work"/off_1/0001_o01.sql)
expect "the indexes of index=True columns, in the order of their names" \
	"ix_members_email ix_members_joined ix_members_legacy_flag ix_members_name ix_members_tenant" \
	"$(grep -o '^CREATE [A-Z ]*INDEX [a-z_]*' <<<"$f" | awk '{print $NF}' | paste -sd ' ')"
f=$(cat "$work"/off_1/0002_o02.sql)
expect_match "an executemany through the connection: one INSERT per row, values inlined" \
	"VALUES \(1, 'ann@example.org', 'Ann', 'acme', '2024-01-05'::date\);  INSERT INTO members \(id, email, name, tenant, joined\) VALUES \(2, " \
	"$(tr '\n' ' ' <<<"$f")"
expect_match "a quote, a backslash and a %, as the value holds them" "SET name = 'Bob O''Brien \\\\ 100% sure' WHERE id = 2;" "$f"
expect_match "DBAPI parameters of a plain string" "SET note = '50% off: a \"quoted\" note' WHERE id = 1;" "$f"
f=$(cat "$work"/off_1/0003_o03.sql)
expect_match "JSONB, ARRAY, UUID, date, timestamp, interval" \
	"VALUES \(1, '\[\"read\"\]', ARRAY\['a', 'b c'\], '6f1c0b52-3a59-4d4e-9c1f-0a6b1e2d3c4f'::UUID, '2024-03-01'::date, '2025-03-01T12:30:00\+00:00'::timestamptz, '30 days 5.000000 seconds'::interval\);" "$f"
expect_match "update().values() of a JSONB and an ARRAY column" "UPDATE grants SET scopes='\[\"write:chat\"\]', tags=ARRAY\['x', 'y''z'\]" "$f"
expect_match "commit() + autocommit_block(): non-transactional" "CREATE INDEX CONCURRENTLY ix_members_note ON members \(note\);.*    transactional => false\);" \
	"$(tr '\n' ' ' <"$work"/off_1/0004_o04.sql)"
f=$(cat "$work"/off_1/0009_o09.sql)
expect_match "o09: its upgrade, and a NULL downgrade" "ADD COLUMN score INTEGER DEFAULT '0' NOT NULL; [$]up[$],     downgrade     => NULL\);" \
	"$(tr '\n' ' ' <<<"$f")"
expect_match "the file says the downgrade is irreversible until written, and when to add transactional => false" \
	"The downgrade is NULL \(irreversible\) until you write its SQL in its place\..*add transactional =>" \
	"$(tr '\n' ' ' <<<"$f" | sed 's/ -- / /g')"

echo "--- the user finishes those files; a re-import keeps them; the real Alembic and migrate agree"
hand_write "$work"/off_1/0005_o05.sql upgrade "UPDATE members SET name = upper(name);

ALTER TABLE members ADD COLUMN nickname TEXT;"
hand_write "$work"/off_1/0007_o07.sql upgrade "ALTER TABLE members ADD COLUMN domain TEXT;

UPDATE members SET domain = split_part(email, '@', 2);"
hand_write "$work"/off_1/0008_o08.sql upgrade "ALTER TABLE members DROP COLUMN IF EXISTS legacy_flag;"
hand_write "$work"/off_1/0009_o09.sql downgrade "ALTER TABLE members DROP COLUMN score;"
(cd "$work/off_1" && sha256sum ./*.sql) >"$work/sums.off"
import "${offx[@]}" -o "$work/off_1"
expect "re-import exits 0: nothing left to write" 0 $?
expect_match "the four files are kept" "9 revisions in .*: 0 written, 9 unchanged, 0 removed, 4 kept with hand-written SQL" "$(cat "$work/out")"
if (cd "$work/off_1" && sha256sum -c --quiet "$work/sums.off"); then ok; else fail "a finished file was changed"; fi
alembic "$off" mig_offline_a upgrade heads || { fail "alembic upgrade heads (offline)"; tail -20 "$work/alembic.log"; }
psql -X -q -d mig_offline_b -c 'CREATE EXTENSION migrate' || exit 1
load mig_offline_b "$work/off_1"
psql -X -q -v ON_ERROR_STOP=1 -d mig_offline_b -c "CALL migrate.apply('heads', 'offline')" >/dev/null 2>"$work/err" ||
	{ fail "CALL migrate.apply('heads', 'offline')"; cat "$work/err"; }
same_dumps "offline project, after upgrade heads" mig_offline_a mig_offline_b -n public -T public.alembic_version
expect "the version rows" "$(q mig_offline_a "SELECT string_agg(version_num, ',') FROM alembic_version")" \
	"$(q mig_offline_b "SELECT string_agg(revision, ',') FROM migrate.version WHERE project = 'offline'")"
alembic "$off" mig_offline_a downgrade base || { fail "alembic downgrade base (offline)"; tail -20 "$work/alembic.log"; }
psql -X -q -v ON_ERROR_STOP=1 -d mig_offline_b -c "CALL migrate.apply_downgrade('base', 'offline')" >/dev/null 2>"$work/err" ||
	{ fail "CALL migrate.apply_downgrade('base', 'offline')"; cat "$work/err"; }
same_dumps "offline project, after downgrade base" mig_offline_a mig_offline_b -n public -T public.alembic_version
alembic "$off" mig_offline_a upgrade heads || fail "alembic upgrade heads (offline, again)"
psql -X -q -d mig_offline_a -c 'CREATE EXTENSION migrate' || exit 1
load mig_offline_a "$work/off_1"
expect "adopted: a stamp to o09" "o09|stamp" "$(q mig_offline_a "SELECT revision || '|' || operation FROM migrate.adopt_alembic(NULL, 'offline')")"
expect "nothing pending after adoption" 0 "$(q mig_offline_a "SELECT count(*) FROM migrate.pending('heads', 'offline')")"

echo "--- Flask-Migrate: -d DIR and --app, as flask db (test/alembic/flask)"
fl=$work/flask
cp -r "$root/test/alembic/flask" "$fl"
find "$fl" -name __pycache__ -prune -exec rm -rf {} +
# the application's database, for flask db; the importer reaches it not
export DATABASE_URL
DATABASE_URL=$(url mig_flask_a)
(cd "$fl" && /usr/bin/python3 -m flask --app app:create_app db upgrade) >>"$work/alembic.log" 2>&1 ||
	{ fail "flask db upgrade"; tail -20 "$work/alembic.log"; }
(cd "$fl" && "$importer" -d migrations --app app:create_app --project shop -o "$work/fl_app" >"$work/out" 2>"$work/err")
expect "import -d migrations --app app:create_app exits 0" 0 $?
expect_match "naming convention from the application's metadata" "CONSTRAINT pk_products PRIMARY KEY \(id\), .*CONSTRAINT uq_products_sku UNIQUE \(sku\)" \
	"$(tr '\n' ' ' <"$work"/fl_app/*_f1a2b3c4d5e6.sql)"
expect_match "the downgrade that needs current_app renders" "downgrade     => [$]down[$] ALTER TABLE products DROP COLUMN currency;" \
	"$(tr '\n' ' ' <"$work"/fl_app/*_a7b8c9d0e1f2.sql)"
(cd "$fl" && FLASK_APP=app:create_app "$importer" -d migrations --project shop -o "$work/fl_env" >/dev/null 2>&1)
expect "-d with \$FLASK_APP: exits 0" 0 $?
if diff -r "$work/fl_app" "$work/fl_env" >/dev/null; then ok; else fail "FLASK_APP gives other files than --app"; fi
(cd "$fl" && "$importer" --app app:create_app --project shop -o "$work/fl_appdir" >/dev/null 2>&1)
expect "--app alone: the directory the application's Migrate names" 0 $?
if diff -r "$work/fl_app" "$work/fl_appdir" >/dev/null; then ok; else fail "--app alone gives other files"; fi
"$importer" -d "$fl/migrations" --project shop -o "$work/fl_with" >/dev/null 2>"$work/err"
expect "-d alone, env.py opening the app context in a with block: exits 0" 0 $?
if diff -r "$work/fl_app" "$work/fl_with" >/dev/null; then ok; else fail "env.py's own app context gives other files"; diff -r "$work/fl_app" "$work/fl_with" | head; fi
import -c "$fl/migrations/alembic.ini" --project shop -o "$work/fl_bad"
expect "-c on a Flask-Migrate ini: exits 3" 3 $?
expect_match "it says to use -d" "has no script_location in \[alembic\]: a Flask-Migrate project's is its directory; name it with -d DIR" "$(cat "$work/err")"
import -d "$fl/migrations" --app nosuchmodule:create_app --project shop -o "$work/fl_bad"
expect "--app that cannot be loaded: exits 3" 3 $?
expect_match "it says why" "--app nosuchmodule:create_app cannot be loaded" "$(cat "$work/err")"
psql -X -q -d mig_flask_b -c 'CREATE EXTENSION migrate' || exit 1
load mig_flask_b "$work/fl_app"
expect "upgrade('heads') runs both" "f1a2b3c4d5e6 a7b8c9d0e1f2" \
	"$(q mig_flask_b "SELECT string_agg(revision, ' ') FROM migrate.upgrade('heads', 'shop')" 2>/dev/null)"
same_dumps "Flask project, after upgrade" mig_flask_a mig_flask_b -n public -T public.alembic_version
(cd "$fl" && /usr/bin/python3 -m flask --app app:create_app db downgrade base) >>"$work/alembic.log" 2>&1 ||
	{ fail "flask db downgrade base"; tail -20 "$work/alembic.log"; }
q mig_flask_b "SELECT count(*) FROM migrate.downgrade('base', 'shop')" >/dev/null || fail "migrate.downgrade('base') (Flask)"
same_dumps "Flask project, after downgrade base" mig_flask_a mig_flask_b -n public -T public.alembic_version
(cd "$fl" && /usr/bin/python3 -m flask --app app:create_app db upgrade) >>"$work/alembic.log" 2>&1 || fail "flask db upgrade (again)"
psql -X -q -d mig_flask_a -c 'CREATE EXTENSION migrate' || exit 1
load mig_flask_a "$work/fl_app"
expect "adopted" "a7b8c9d0e1f2|stamp" "$(q mig_flask_a "SELECT revision || '|' || operation FROM migrate.adopt_alembic(NULL, 'shop')")"
unset DATABASE_URL

echo "--- the importer's package passes mypy --strict"
if command -v mypy >/dev/null; then
	if (cd "$root/tools" && mypy --strict --ignore-missing-imports --cache-dir "$work/mypy" migrate_import_alembic) >"$work/mypy.out" 2>&1; then
		ok
	else
		fail "mypy"
		cat "$work/mypy.out"
	fi
else
	echo "(mypy not installed: skipped)"
fi

echo
echo "alembic_import: $checks checks passed$([ $status -ne 0 ] && echo ', some FAILED')"
exit $status
