--
-- migrate.show(): the revisions a target names, with what is known of each,
-- as `alembic show`.  Registration times vary, so the transcript leaves
-- them out.
--
SET migrate.project = 'show_demo';

SELECT migrate.register('s1', 'CREATE TABLE s1 ()', 'DROP TABLE s1', message => 'first');
SELECT migrate.register('s2', 'CREATE TABLE s2 ()', 'DROP TABLE s2', down_revision => 's1',
	branch_labels => 'extra', message => 'second');
SELECT migrate.register('s3', '', NULL, down_revision => 's1', depends_on => 's2',
	message => 'irreversible');

SELECT revision, down_revision, depends_on, branch_labels, message, is_head, is_base,
	   is_branch_point, is_merge_point, registered_by = current_user AS by_me,
	   registered_at <= now() AS registered, length(checksum) AS checksum_length
  FROM migrate.show('s1');
SELECT revision, depends_on, is_head FROM migrate.show('heads');
SELECT revision FROM migrate.show('extra@head');
SELECT revision FROM migrate.show('s3-1');

-- The checksum is the sha256 of the bodies: equal bodies, equal checksums.
SELECT (SELECT checksum FROM migrate.show('s1')) =
	   (SELECT checksum FROM migrate.revision WHERE project = 'show_demo' AND id = 's1') AS same;

-- Errors: NULL, unknown, ambiguous, and a project with no revisions.
SELECT * FROM migrate.show(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.show('s9');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.show('head');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.show('s1', 'nobody');
\echo :LAST_ERROR_SQLSTATE
