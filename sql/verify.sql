--
-- Drift: migrate.verify('drift') lists what is wrong with a project, one row per
-- problem, and runs refuse to start until it is fixed.
--
SET migrate.project = 'drift';
SELECT migrate.register('v1', 'CREATE TABLE v1 ()', 'DROP TABLE v1', message => 'one');
SELECT migrate.register('v2', 'CREATE TABLE v2 ()', 'DROP TABLE v2', down_revision => 'v1', message => 'two');
SELECT migrate.register('v3', 'CREATE TABLE v3 ()', 'DROP TABLE v3', down_revision => 'v2', message => 'three');
SELECT revision FROM migrate.upgrade('v2');

-- A healthy project has nothing to report.
SELECT * FROM migrate.verify('drift');

-- Someone edits an applied body in the catalog; a whitespace-only edit is
-- a change too, since it changes what would run.
UPDATE migrate.revision SET upgrade_sql = 'CREATE TABLE v1 (id int)' WHERE project = 'drift' AND id = 'v1';
UPDATE migrate.revision SET downgrade_sql = 'DROP TABLE v2 ' WHERE project = 'drift' AND id = 'v2';
SELECT problem, revision FROM migrate.verify('drift');
SELECT * FROM migrate.upgrade();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate.downgrade('base');
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate.revision SET upgrade_sql = 'CREATE TABLE v1 ()' WHERE project = 'drift' AND id = 'v1';
UPDATE migrate.revision SET downgrade_sql = 'DROP TABLE v2' WHERE project = 'drift' AND id = 'v2';
SELECT * FROM migrate.verify('drift');

-- A version row that names no revision.
UPDATE migrate.version SET revision = 'ghost' WHERE project = 'drift';
SELECT * FROM migrate.verify('drift');
SELECT * FROM migrate.upgrade();
\echo :LAST_ERROR_SQLSTATE
-- stamp with purge is the way out: the rows are set again from scratch.
SELECT revision, operation FROM migrate.stamp('v2', purge => true);

-- A version row below another one.
INSERT INTO migrate.version VALUES ('drift', 'v1');
SELECT * FROM migrate.verify('drift');
SELECT * FROM migrate.upgrade();
\echo :LAST_ERROR_SQLSTATE
SELECT revision, operation FROM migrate.stamp('v2', purge => true);
SELECT * FROM migrate.current();

-- A parent that is missing, and a dependency that names nothing.
SELECT migrate.register('v4', '', '', down_revision => 'v3, nowhere', depends_on => 'nothing');
SELECT * FROM migrate.verify('drift');
SELECT * FROM migrate.upgrade();
\echo :LAST_ERROR_SQLSTATE
DELETE FROM migrate.revision WHERE project = 'drift' AND id = 'v4';

-- A cycle, made by hand.
UPDATE migrate.revision SET down_revision = '{v3}' WHERE project = 'drift' AND id = 'v1';
SELECT * FROM migrate.verify('drift');
SELECT * FROM migrate.upgrade();
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate.revision SET down_revision = '{}' WHERE project = 'drift' AND id = 'v1';

-- Mended: nothing to report, and runs go on.
SELECT * FROM migrate.verify('drift');
SELECT revision FROM migrate.upgrade();
SELECT revision FROM migrate.downgrade('base');
RESET migrate.project;

-- Schema drift: after each run, the project's schemas (its target schema,
-- and those its bodies created or changed objects in) are recorded;
-- verify() names every object changed since by other means.
SELECT migrate.configure('habits', target_schema => 'habits');
SELECT migrate.register('h1', $$CREATE TABLE habit (id int PRIMARY KEY, name text NOT NULL);
	CREATE INDEX habit_name ON habit (name);
	CREATE FUNCTION habit_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM habits.habit'$$,
	'DROP FUNCTION habit_count(); DROP TABLE habit', project => 'habits');
SELECT revision FROM migrate.upgrade('head', 'habits');
SELECT schema FROM migrate.project_schema WHERE project = 'habits';
SELECT * FROM migrate.verify('habits');
ALTER TABLE habits.habit ADD COLUMN hotfix text;
DROP INDEX habits.habit_name;
CREATE OR REPLACE FUNCTION habits.habit_count() RETURNS bigint LANGUAGE sql AS 'SELECT 42';
SELECT problem, detail FROM migrate.verify('habits');
-- every project, each row naming its own
SELECT project, problem, count(*) FROM migrate.verify()
 WHERE project IN ('habits', 'drift') GROUP BY 1, 2 ORDER BY 1, 2;
-- the next run records the schemas as they are then
SELECT migrate.register('h2', 'ALTER TABLE habit DROP COLUMN hotfix', 'ALTER TABLE habit ADD COLUMN hotfix text',
	down_revision => 'h1', project => 'habits');
SELECT revision FROM migrate.upgrade('head', 'habits');
SELECT * FROM migrate.verify('habits');
SELECT revision FROM migrate.downgrade('base', 'habits');
DROP SCHEMA habits;
DELETE FROM migrate.version WHERE project = 'habits';
DELETE FROM migrate.log WHERE project = 'habits';
DELETE FROM migrate.revision WHERE project = 'habits';
DELETE FROM migrate.project WHERE name = 'habits';
