--
-- migrate.heads(): the revisions nothing builds on, as `alembic heads`.
--
SET migrate.project = 'heads_demo';

-- No project of that name yet: an error (42704), so that a mistyped name
-- is not taken for an empty project.
SELECT * FROM migrate.heads();
\echo :LAST_ERROR_SQLSTATE

-- A project that has been configured but has no revisions has no heads.
SELECT migrate.configure('heads_demo');
SELECT * FROM migrate.heads();

-- A base, two branches from it (one labelled), and a revision that only
-- depends on a branch.
SELECT migrate.register('h1', '', '', message => 'base');
SELECT migrate.register('h2', '', '', down_revision => 'h1', message => 'main line');
SELECT migrate.register('h3', '', '', down_revision => 'h1',
	branch_labels => 'billing', message => 'billing branch');
SELECT migrate.register('h4', '', '', down_revision => 'h2', depends_on => 'h3',
	message => 'needs billing');

-- h3 is a head through down_revision; with resolve_dependencies it is not,
-- since h4 depends on it.  Labels spread down a branch, as in Alembic.
SELECT * FROM migrate.heads();
SELECT * FROM migrate.heads(resolve_dependencies => true);

-- A merge joins them.
SELECT migrate.register('h5', '', '', down_revision => 'h4, h3', message => 'join');
SELECT * FROM migrate.heads();

-- Another project is another graph; a NULL project means migrate.project.
SELECT * FROM migrate.heads('nobody');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.heads(NULL);
SELECT * FROM migrate.heads('');
\echo :LAST_ERROR_SQLSTATE
