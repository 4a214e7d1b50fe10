--
-- migrate.bases(): the revisions with no down_revision, as `alembic bases`.
--
SET migrate.project = 'bases_demo';

-- No such project yet.
SELECT * FROM migrate.bases();
\echo :LAST_ERROR_SQLSTATE

-- Two independent bases, each starting a labelled branch, and a revision
-- that depends on the other branch: a dependency does not make a base.
SELECT migrate.register('b1', '', '', branch_labels => 'app', message => 'app base');
SELECT migrate.register('b2', '', '', branch_labels => 'audit', message => 'audit base');
SELECT migrate.register('b3', '', '', down_revision => 'b1', depends_on => 'audit',
	message => 'app needs audit');
SELECT * FROM migrate.bases();

-- A parent that is not registered makes the graph invalid: the listing
-- refuses, and the hint points at verify().
SELECT migrate.register('b4', '', '', down_revision => 'b9');
SELECT * FROM migrate.bases();
\echo :LAST_ERROR_SQLSTATE
