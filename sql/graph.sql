--
-- migrate.graph(): the revision graph drawn as text (like git log
-- --graph), as a Graphviz digraph or as a Mermaid flowchart.
--
SET migrate.project = 'graph_demo';

-- No such project yet.
SELECT migrate.graph();
\echo :LAST_ERROR_SQLSTATE

-- A project with no revisions draws nothing.
SELECT migrate.configure('graph_empty');
SELECT migrate.graph('graph_empty') = '' AS nothing_drawn;

-- A branch with a label, its merge, a second base with a label that a
-- later revision depends on, and a message no format may take as it is.
SELECT migrate.register('a1', '', '', message => 'create customers');
SELECT migrate.register('b2', '', '', down_revision => 'a1', message => 'add orders');
SELECT migrate.register('c3', '', '', down_revision => 'b2', branch_labels => 'reporting',
	message => 'reporting schema');
SELECT migrate.register('d4', '', '', down_revision => 'b2', message => 'add email');
SELECT migrate.register('e5', '', '', down_revision => 'c3, d4', message => 'merge reporting');
SELECT migrate.register('f6', '', '', branch_labels => 'audit', message => 'audit log');
SELECT migrate.register('g7', '', '', down_revision => 'e5', depends_on => 'audit',
	message => 'invoices');
SELECT migrate.register('h8', '', '', down_revision => 'g7',
	message => E'say "hi" <b>bold</b> | [x] {y} (z) \\ `code` #quot; &amp; %% end\r\n--> x\tnext');
SELECT revision FROM migrate.upgrade('c3');
SELECT revision FROM migrate.upgrade('audit@head');
SELECT * FROM migrate.current();

\pset format unaligned
\pset tuples_only on

-- text, the default: newest first, '*' applied, 'o' pending, the branch
-- drawn off b2 and merged at e5; [head] and [current] marks, labels in
-- parentheses, dependencies after the message, the message on one line.
SELECT migrate.graph();

-- dot: parents point to their children, base at the bottom; applied
-- revisions filled, current ones with a thick border, pending ones dashed;
-- the dependency of g7 on f6 dashed.
SELECT migrate.graph(format => 'dot');

-- mermaid: nodes named by their index, labels quoted with every special
-- character as an entity; a class for each kind of revision.
SELECT migrate.graph(format => 'mermaid');

\pset tuples_only off
\pset format aligned

-- The text picture has one line per revision, in history()'s order.
SELECT array_agg(split_part(trim(leading ' |/\*o' from line), ' ', 1) ORDER BY n)
	= (SELECT array_agg(revision) FROM migrate.history()) AS history_order
  FROM regexp_split_to_table(migrate.graph(), E'\n') WITH ORDINALITY AS t(line, n)
 WHERE line ~ '^[ |/\\]*[*o][ |/\\]* [a-z]';

-- Formats are read in any case; another project is named first.
SELECT migrate.graph('graph_demo', 'DOT') = migrate.graph(format => 'dot') AS any_case;
SELECT migrate.graph('graph_empty', 'dot');

-- PUBLIC may draw the graph, as it may read heads() and history().
CREATE ROLE regress_graph_nobody;
SET ROLE regress_graph_nobody;
SELECT length(migrate.graph()) > 0 AS public_may_draw;
RESET ROLE;
DROP ROLE regress_graph_nobody;

-- Errors: an unknown format, a NULL format, an unknown project.
SELECT migrate.graph(format => 'svg');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.graph(format => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.graph('graph_nowhere');
\echo :LAST_ERROR_SQLSTATE
