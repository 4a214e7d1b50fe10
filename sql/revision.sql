--
-- migrate.revision(): a revision under a generated id on top of the single
-- head, as `alembic revision -m`.  Ids are random, so the transcript shows
-- their shape and the graph they make.
--
SET migrate.project = 'revision_demo';

-- The first revision is a base.
SELECT migrate.revision('create widgets', 'CREATE TABLE widgets (id int)',
	'DROP TABLE widgets') ~ '^[0-9a-f]{12}$' AS twelve_hex_digits;
-- The next one goes on top of it.
SELECT migrate.revision('add name', 'ALTER TABLE widgets ADD name text',
	'ALTER TABLE widgets DROP name') IS NOT NULL AS registered;
SELECT message, cardinality(down_revision) AS parents FROM migrate.history();
SELECT h.message AS head FROM migrate.heads() h;

-- Explicit parents, labels and dependencies are passed as to register().
SELECT migrate.revision('side', '', '', down_revision =>
	(SELECT revision FROM migrate.history() WHERE message = 'create widgets'),
	branch_labels => 'side') IS NOT NULL AS registered;

-- Several heads: revision() cannot choose a parent (the detail lists them).
\set VERBOSITY terse
SELECT migrate.revision('ambiguous', '');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- Errors: a NULL body; an unknown parent, found when the graph is used.
SELECT migrate.revision('no body', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.revision('orphan', '', down_revision => 'nosuchparent') IS NOT NULL AS registered;
DO $$
BEGIN
	PERFORM * FROM migrate.heads();
EXCEPTION WHEN invalid_object_definition THEN
	RAISE NOTICE 'heads() refused the graph: %', SQLSTATE;
END
$$;
SELECT problem, detail FROM migrate.verify(current_setting('migrate.project'));
