#!/bin/bash
# migrate.graph() as other tools read it.  For two projects, the dot
# picture is rendered by Graphviz (dot -Tsvg) and must give valid SVG with
# one node per revision showing its caption and message as written, one
# edge per parent and dependency, and the project's name as its label; the
# mermaid picture must be sound as Mermaid reads it (no Mermaid here: the
# invariants test/scripts/graph_render.py states: nodes defined once,
# edges and classes between defined nodes, each node in the class of its
# state, labels quoted and escaped so that they decode to what they show).
#
# The projects: one made here, whose name and messages hold what each
# format must escape (quotes, backslashes, newlines and CRLF, tabs, <b>,
# &, pipes, brackets, braces, backticks and fences, Mermaid comments and
# entities, Graphviz's \N, Unicode's direction override and NEL), with a
# labelled branch, merges, depends_on and applied revisions; and the shop
# project of test/alembic/project, imported with
# tools/migrate-import-alembic and upgraded part of the way.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
db=mig_graph_render
work=$(mktemp -d "${TMPDIR:-/tmp}/graph-render.XXXXXX") || exit 1
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1' EXIT
status=0

if ! command -v dot >/dev/null; then
	echo "FAIL: dot (Graphviz) is not installed: apt-get install graphviz (test/deps.sh does)"
	exit 1
fi
q() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

dropdb --if-exists "$db" >/dev/null 2>&1
createdb -E UTF8 -T template0 "$db" || exit 1
q -c "CREATE EXTENSION migrate" || exit 1

echo "--- a project whose name and messages each format must escape"
hostile=$'hostile "graph" \\ <x> | [y]\nsecond line'
q -v project="$hostile" >/dev/null <<'SQL' || exit 1
SELECT set_config('migrate.project', :'project', false);
SELECT migrate.register('h1', '', '', message => E'say "hi" <b>bold</b> & | [x] {y} (z) \\N \\ `x` ```');
SELECT migrate.register('h2', '', '', down_revision => 'h1', branch_labels => 'side',
	message => E'%%{init: {"theme":"dark"}}%%\r\nend --> x\ttab  two  spaces \u202e rtl');
SELECT migrate.register('h3', '', '', down_revision => 'h1',
	message => E'a\n\nb #quot; #35; &amp; \u0085 nel');
SELECT migrate.register('h4', '', '', down_revision => 'h2, h3', message => ' lead and trail ');
SELECT migrate.register('h5', '', '', message => E'second base ]"] --> r0');
SELECT migrate.register('h6', '', '', down_revision => 'h4', depends_on => 'h5', message => NULL);
SELECT migrate.register('h7', '', '', down_revision => 'h6', message => '');
SELECT count(*) FROM migrate.upgrade('h2');
SELECT count(*) FROM migrate.upgrade('h5');
SQL

echo "--- the shop project, imported from Alembic and upgraded to two of its revisions"
if ! "$root/tools/migrate-import-alembic" -c "$root/test/alembic/project/alembic.ini" --project shop \
	-o "$work/shop" --allow-manual >"$work/import.log" 2>&1; then
	echo "FAIL: import of the shop project"
	cat "$work/import.log"
	exit 1
fi
cat "$work"/shop/*.sql | q -1 >/dev/null || exit 1
q -c "SELECT count(*) FROM migrate.upgrade('b4d6f8a0c2bb', 'shop')" \
	-c "SELECT count(*) FROM migrate.upgrade('4a6c8e0b2dff', 'shop')" >/dev/null || exit 1

# what the database says of a project, for graph_render.py
facts() {
	q -v project="$1" <<'SQL'
SELECT pg_catalog.json_build_object(
	'project', :'project',
	'revisions', (SELECT json_agg(json_build_object('id', id, 'message', message,
				  'labels', branch_labels, 'down', down_revision, 'depends', depends_on) ORDER BY seq)
				  FROM migrate.revision WHERE project = :'project'),
	'heads', (SELECT json_agg(revision) FROM migrate.heads(:'project')),
	'current', (SELECT json_agg(revision) FROM migrate.history(NULL, :'project') WHERE is_current),
	'pending', (SELECT json_agg(revision) FROM migrate.pending('heads', :'project')));
SQL
}

n=0
for project in "$hostile" shop; do
	n=$((n + 1))
	echo "--- project ${project%%$'\n'*}"
	facts "$project" >"$work/$n.json" || { status=1; continue; }
	q -v project="$project" <<<"SELECT migrate.graph(:'project', 'dot')" >"$work/$n.dot" &&
		q -v project="$project" <<<"SELECT migrate.graph(:'project', 'mermaid')" >"$work/$n.mmd" ||
		{ status=1; continue; }
	if dot -Tsvg "$work/$n.dot" >"$work/$n.svg" 2>"$work/$n.err"; then
		echo "ok: dot -Tsvg renders it"
		[ -s "$work/$n.err" ] && sed 's/^/  dot says: /' "$work/$n.err"
	else
		echo "FAIL: dot -Tsvg refuses it:"
		cat "$work/$n.err" "$work/$n.dot"
		status=1
		continue
	fi
	/usr/bin/python3 "$root/test/scripts/graph_render.py" svg "$work/$n.json" "$work/$n.svg" || status=1
	/usr/bin/python3 "$root/test/scripts/graph_render.py" mermaid "$work/$n.json" "$work/$n.mmd" || status=1
done

echo "--- the checks can fail: a label with a raw quote, a node defined twice"
sed 's/^\(    r0\["h1\)/\1"/' "$work/1.mmd" >"$work/bad1.mmd"
sed '2p' "$work/1.mmd" >"$work/bad2.mmd"
for bad in bad1 bad2; do
	if cmp -s "$work/1.mmd" "$work/$bad.mmd"; then
		echo "FAIL: $bad.mmd was not spoilt"
		status=1
	elif /usr/bin/python3 "$root/test/scripts/graph_render.py" mermaid "$work/1.json" "$work/$bad.mmd" >/dev/null; then
		echo "FAIL: $bad.mmd passes the mermaid checks"
		status=1
	else
		echo "ok: $bad.mmd fails the mermaid checks"
	fi
done

[ $status -eq 0 ] && echo "graph_render: all checks passed" || echo "graph_render: FAILED"
exit $status
