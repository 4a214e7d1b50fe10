--
-- migrate.status: one row per project, for dashboards and alerts; the view
-- is migrate.project_status() and the project's last run from the log.
-- Progress of a run in pg_stat_activity.  Times vary, so the transcript
-- shows whether they are there.
--
SELECT migrate.register('s1', 'CREATE TABLE status_s1 ()', 'DROP TABLE status_s1',
	project => 'status_ok');
SELECT migrate.register('s2', $body$DO $d$ BEGIN RAISE NOTICE 'pg_stat_activity says: %',
	(SELECT substr(query, 1, 80) FROM pg_stat_activity WHERE pid = pg_backend_pid()); END $d$$body$,
	'', down_revision => 's1', project => 'status_ok');
SELECT migrate.register('s3', '', '', down_revision => 's2', project => 'status_ok');

-- Nothing run yet: all pending, no last run.
SELECT project, heads, applied, pending, problem, last_run_at IS NULL AS never_run
  FROM migrate.status WHERE project = 'status_ok';

-- While a step runs, pg_stat_activity shows which, before the query.
SELECT revision FROM migrate.upgrade('s2', 'status_ok');
SELECT project, heads, applied, pending, problem, last_run_steps,
	   last_run_at IS NOT NULL AS has_start, last_run_duration >= '0' AS has_duration,
	   last_run_role = current_user AS by_me
  FROM migrate.status WHERE project = 'status_ok';
-- and the query alone again once the run is over
DO $$
BEGIN
	PERFORM migrate.upgrade('s3', 'status_ok');
	RAISE NOTICE 'afterwards: %',
		(SELECT substr(query, 1, 30) FROM pg_stat_activity WHERE pid = pg_backend_pid());
END
$$;

-- A broken project gets its row, with the problem and no pending count.
SELECT migrate.register('b1', '', '', down_revision => 'nothere', project => 'status_broken');
-- A configured project without revisions.
SELECT migrate.configure('status_empty');
SELECT project, heads, applied, pending, problem
  FROM migrate.status WHERE project LIKE 'status%' ORDER BY project;

-- The function alone, for one project; an unknown one is an error.
SELECT * FROM migrate.project_status('status_ok');
SELECT * FROM migrate.project_status('status_nobody');
\echo :LAST_ERROR_SQLSTATE
