--
-- migrate.history(): the revisions of an Alembic range, newest first, as
-- `alembic history -r A:B`.
--
SET migrate.project = 'history_demo';

-- No such project yet.
SELECT * FROM migrate.history();
\echo :LAST_ERROR_SQLSTATE

SELECT migrate.register('y1', '', '', message => 'first');
SELECT migrate.register('y2', '', '', down_revision => 'y1', message => 'second');
SELECT migrate.register('y3', '', '', down_revision => 'y2', branch_labels => 'feature',
	message => 'feature work');
SELECT migrate.register('y4', '', '', down_revision => 'y2', message => 'hotfix');
SELECT migrate.register('y5', '', '', down_revision => 'y3, y4', message => 'merge');
SELECT revision, operation, message FROM migrate.upgrade('y3');

-- The whole history: heads, the current revision, branch and merge points.
SELECT * FROM migrate.history();

-- Ranges: from a revision, up to one, between two, from the current one,
-- from a branch's head.
SELECT revision FROM migrate.history('y2:');
SELECT revision FROM migrate.history(':y2');
SELECT revision FROM migrate.history('y2:y4');
SELECT revision FROM migrate.history('current:heads');
SELECT revision FROM migrate.history('feature@head:');

-- Errors: an unknown revision, a range with more than one colon.
SELECT * FROM migrate.history('y9:');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.history('y1:y2:y3');
\echo :LAST_ERROR_SQLSTATE
