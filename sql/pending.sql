--
-- migrate.pending(): the steps upgrade(target) would run now, without
-- running them.
--
SET migrate.project = 'pending_demo';

SELECT migrate.register('n1', 'CREATE TABLE n1 ()', 'DROP TABLE n1', message => 'one');
SELECT migrate.register('n2', 'CREATE TABLE n2 ()', 'DROP TABLE n2', down_revision => 'n1',
	message => 'two');
SELECT migrate.register('n3', 'CREATE TABLE n3 ()', 'DROP TABLE n3', down_revision => 'n1',
	depends_on => 'n2', message => 'three');

-- n2 and n3 are both heads (n3 only depends on n2), so 'head' names none.
SELECT * FROM migrate.pending();
SELECT * FROM migrate.pending('heads');
SELECT * FROM migrate.pending('n2');

-- pending() changes nothing; upgrade() then runs exactly those steps.
SELECT to_regclass('n1') IS NULL AS nothing_ran;
SELECT revision FROM migrate.upgrade('n2');
SELECT * FROM migrate.pending('heads');
SELECT revision FROM migrate.upgrade('heads');
SELECT * FROM migrate.pending('heads');

-- Errors: NULL target, unknown target, a project with no revisions.
SELECT * FROM migrate.pending(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.pending('n9');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.pending('head', 'nobody');
\echo :LAST_ERROR_SQLSTATE
