--
-- migrate.merge(): a revision with empty bodies joining revisions, as
-- `alembic merge`.  Its id is random, so the transcript shows the graph.
--
SET migrate.project = 'merge_demo';

SELECT migrate.register('m1', 'CREATE TABLE m1 ()', 'DROP TABLE m1');
SELECT migrate.register('m2', 'CREATE TABLE m2 ()', 'DROP TABLE m2', down_revision => 'm1');
SELECT migrate.register('m3', 'CREATE TABLE m3 ()', 'DROP TABLE m3', down_revision => 'm1');
SELECT revision FROM migrate.heads();

-- Merge every head (the default), with a message.
SELECT migrate.merge('join m2 and m3') ~ '^[0-9a-f]{12}$' AS twelve_hex_digits;
SELECT message, down_revision, is_merge_point FROM migrate.history() WHERE is_head;
SELECT upgrade_sql, downgrade_sql FROM migrate.revision
 WHERE project = 'merge_demo' AND message = 'join m2 and m3';

-- Upgrading runs both branches, then the merge, whose body is empty (its
-- NOTICE would show the random id).
SET client_min_messages = warning;
SELECT CASE WHEN revision LIKE 'm_' THEN revision ELSE 'the merge' END AS revision,
	   operation, message
  FROM migrate.upgrade('head');
RESET client_min_messages;
SELECT count(*) AS version_rows FROM migrate.version WHERE project = 'merge_demo';

-- Named revisions, resolved as targets.
SELECT migrate.register('m4', '', '', down_revision => 'm1');
SELECT migrate.register('m5', '', '', down_revision => 'm1');
SELECT migrate.merge('two of them', 'm4 m5') IS NOT NULL AS merged;

-- Errors: fewer than two revisions, an unknown one, no project.
SELECT migrate.merge('alone', 'm4');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.merge('unknown', 'm4, m9');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.merge('nothing', project => 'nobody');
\echo :LAST_ERROR_SQLSTATE
