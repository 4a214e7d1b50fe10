-- Edge cases: bodies that call migrate, stale caches, purges, long input.
\i test/pgtap/setup.inc
SELECT * FROM no_plan();

-- A body may read the state through migrate's read-only functions, and the
-- run goes on.
SELECT migrate.register('n1', 'CREATE TABLE tap_n1 (a int)', 'DROP TABLE tap_n1', project => 'tap_nest');
SELECT migrate.register('n2', $$CREATE TABLE tap_n2 AS SELECT c FROM migrate.current('tap_nest') c$$,
	'DROP TABLE tap_n2', down_revision => 'n1', project => 'tap_nest');
SELECT migrate.register('n3', 'CREATE TABLE tap_n3 ()', 'DROP TABLE tap_n3', down_revision => 'n2', project => 'tap_nest');
SELECT lives_ok($$SELECT migrate.upgrade('head', 'tap_nest')$$, 'a body that calls current() does not break the run');
SELECT results_eq($$SELECT c FROM tap_n2$$, ARRAY['n1'], 'and saw the rows as they were before its own step');
SELECT results_eq($$SELECT * FROM migrate.current('tap_nest')$$, ARRAY['n3'], 'the run completed');

-- A body may register revisions, even in its own project.
SELECT migrate.register('n4', $$SELECT migrate.register('n5', 'SELECT 1', 'SELECT 1', down_revision => 'n4', project => 'tap_nest')$$,
	'SELECT 1', down_revision => 'n3', project => 'tap_nest');
SELECT lives_ok($$SELECT migrate.upgrade('n4', 'tap_nest')$$, 'a body that registers a revision');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_nest')$$, ARRAY['n5'], 'which is then in the graph');

-- But a body may not run its own project: it would plan from the rows as
-- they were before its step.
SELECT migrate.register('n6', $$SELECT migrate.upgrade('heads', 'tap_nest')$$, 'SELECT 1',
	down_revision => 'n5', project => 'tap_nest');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tap_nest')$$, '55006',
	'project "tap_nest" is already being migrated by this session', 'a body that upgrades its own project is refused');
SELECT results_eq($$SELECT * FROM migrate.current('tap_nest')$$, ARRAY['n4'], 'and nothing of that run stayed');
SELECT migrate.register('o1', 'CREATE TABLE tap_o1 ()', 'DROP TABLE tap_o1', project => 'tap_other');
SELECT migrate.register('n7', $$SELECT migrate.upgrade('head', 'tap_other')$$, 'SELECT 1', down_revision => 'n5', project => 'tap_nest2');
SELECT migrate.register('n5', 'SELECT 1', project => 'tap_nest2');
SELECT lives_ok($$SELECT migrate.upgrade('n7', 'tap_nest2')$$, 'a body may run another project');
SELECT results_eq($$SELECT * FROM migrate.current('tap_other')$$, ARRAY['o1'], 'which then is at its head');

-- stamp with purge logs what it removed, even when nothing replaces it.
SELECT migrate.stamp('base', 'tap_nest', purge => true);
SELECT is_empty($$SELECT * FROM migrate.current('tap_nest')$$, 'purged');
SELECT results_eq($$SELECT operation, heads_before, heads_after FROM migrate.log WHERE project = 'tap_nest' ORDER BY id DESC LIMIT 1$$,
	$$VALUES ('stamp', ARRAY['n4'], '{}'::text[])$$, 'the purge is in the log with the rows it removed');

-- A script longer than a memory chunk comes back whole.
SELECT migrate.register('big', repeat('SELECT 1; ', 40000), 'SELECT 1', project => 'tap_big');
SELECT cmp_ok(length(migrate.script('head', 'base', 'tap_big')), '>', 400000, 'a 400 kB script');
SELECT is(length(migrate.revision('r', 'SELECT 2', project => 'tap_big')), 12, 'revision() returns its id intact');

-- Caches: revisions changed behind the extension's back are seen.
SELECT migrate.register('c1', 'SELECT 1', 'SELECT 1', project => 'tap_cache');
SELECT migrate.register('c2', 'SELECT 1', 'SELECT 1', down_revision => 'c1', project => 'tap_cache');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_cache')$$, ARRAY['c2'], 'heads before');
SET session_replication_role = replica;
DELETE FROM migrate.revision WHERE project = 'tap_cache' AND id = 'c2';
RESET session_replication_role;
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_cache')$$, ARRAY['c1'], 'an edit made as a replication replica is seen');
UPDATE migrate.revision SET down_revision = '{c0}' WHERE project = 'tap_cache' AND id = 'c1';
SELECT throws_ok($$SELECT * FROM migrate.show('c1', 'tap_cache')$$, '42P17', NULL, 'an edit made by hand is seen');
UPDATE migrate.revision SET down_revision = '{}' WHERE project = 'tap_cache' AND id = 'c1';

-- A registration does not write its project's row: the new revision's seq
-- tells the graph cache and the no-op summary that the graph changed.
SELECT migrate.register('s1', 'SELECT 1', project => 'tap_seq');
SELECT migrate.register('s2', 'SELECT 1', down_revision => 's1', project => 'tap_seq');
SELECT results_eq($$SELECT revision FROM migrate.upgrade('head', 'tap_seq')$$, ARRAY['s1', 's2'], 'two revisions applied');
SAVEPOINT before_s3;
SELECT migrate.register('s3', 'SELECT 1', down_revision => 's2', project => 'tap_seq');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_seq')$$, ARRAY['s3'], 'a registration is seen by the next call');
ROLLBACK TO SAVEPOINT before_s3;
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_seq')$$, ARRAY['s2'], 'and is gone when rolled back');
SELECT is_empty($$SELECT * FROM migrate.upgrade('head', 'tap_seq')$$, 'with nothing left to do');
INSERT INTO migrate.revision (project, id, down_revision, upgrade_sql, checksum, registered_by, seq)
	VALUES ('tap_seq', 's3', '{s2}', 'SELECT 1',
			encode(sha256(convert_to('SELECT 1', 'UTF8') || '\x00'::bytea), 'hex'), current_user, 1);
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_seq')$$, ARRAY['s3'],
	'a revision inserted by hand with an old seq is in the graph');
SELECT results_eq($$SELECT revision FROM migrate.upgrade('head', 'tap_seq')$$, ARRAY['s3'],
	'and the no-op check does not hide it');

-- A registration whose seq is not the project's newest (a sequence with
-- CACHE > 1, a row with a higher seq restored or written by hand) still
-- reaches cached graphs.
SELECT migrate.register('q1', 'SELECT 1', project => 'tap_seqback');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_seqback')$$, ARRAY['q1'], 'a cached graph of one revision');
SELECT setval('migrate.seq', 1);
SELECT migrate.register('q2', 'SELECT 1', down_revision => 'q1', project => 'tap_seqback');
SELECT ok((SELECT seq FROM migrate.revision WHERE project = 'tap_seqback' AND id = 'q2') <
		  (SELECT seq FROM migrate.revision WHERE project = 'tap_seqback' AND id = 'q1'),
		  'the new revision got a lower seq');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_seqback')$$, ARRAY['q2'], 'and is in the graph all the same');
SELECT setval('migrate.seq', (SELECT max(seq) FROM migrate.revision));

-- An error caught inside a body, raised by a read-only migrate function,
-- leaves the run able to write its version rows.
SELECT migrate.register('k1', $b$DO $do$ BEGIN PERFORM * FROM migrate.show('nope', 'tap_catch');
	EXCEPTION WHEN undefined_object THEN NULL; END $do$$b$, project => 'tap_catch');
SELECT results_eq($$SELECT revision FROM migrate.upgrade('head', 'tap_catch')$$, ARRAY['k1'],
	'a body that catches the error of show() completes its run');

-- With the trigger disabled by hand, an older revision removed behind the
-- extension's back leaves the cached graph in use (neither graph_gen nor the
-- newest seq moved); reading its body then fails cleanly.
SELECT migrate.register('w1', 'SELECT 1', project => 'tap_vanish');
SELECT migrate.register('w2', 'SELECT 1', down_revision => 'w1', project => 'tap_vanish');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_vanish')$$, ARRAY['w2'], 'a cached graph of two revisions');
ALTER TABLE migrate.revision DISABLE TRIGGER revision_changed;
DELETE FROM migrate.revision WHERE project = 'tap_vanish' AND id = 'w1';
ALTER TABLE migrate.revision ENABLE ALWAYS TRIGGER revision_changed;
SELECT throws_ok($$SELECT * FROM migrate.show('w1', 'tap_vanish')$$, '55000',
	'revision w1 of project "tap_vanish" is no longer registered',
	'a revision removed with the trigger disabled is reported when its body is read');

-- Runs nested in bodies are bounded: 17 projects whose bodies upgrade the next.
SELECT count(migrate.register('deep', format('SELECT migrate.upgrade(''head'', ''tap_deep%s'')', i + 1),
							  project => 'tap_deep' || i))
	FROM generate_series(0, 15) AS i;
SELECT migrate.register('deep', 'SELECT 1', project => 'tap_deep16');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tap_deep0')$$, '54000', 'too many nested migrate runs',
	'a 17th run nested in the bodies of 16 others is refused');
SELECT is_empty($$SELECT * FROM migrate.current('tap_deep15')$$, 'and nothing of the nested runs stayed');
SELECT migrate.register('deep', 'SELECT 1', project => 'tap_deep15', replace => true);
SELECT is((SELECT count(*)::int FROM migrate.upgrade('head', 'tap_deep0')), 1, '16 nested runs are allowed');
SELECT results_eq($$SELECT * FROM migrate.current('tap_deep15')$$, ARRAY['deep'], 'and reach the 16th project');

-- A body may not stamp its own project either, even with nothing to plan:
-- a purge would remove rows the run is about to write on top of.
SELECT migrate.register('x1', 'SELECT 1', project => 'tap_selfstamp');
SELECT migrate.upgrade('head', 'tap_selfstamp');
SELECT migrate.register('y1', $b$SELECT migrate.stamp('base', 'tap_selfstamp', purge => true)$b$,
	project => 'tap_selfstamp');
SELECT throws_ok($$SELECT migrate.upgrade('heads', 'tap_selfstamp')$$, '55006',
	'project "tap_selfstamp" is already being migrated by this session',
	'a body that stamps its own project is refused');
SELECT results_eq($$SELECT * FROM migrate.current('tap_selfstamp')$$, ARRAY['x1'], 'and its rows are as they were');

-- graph_gen only grows, whatever the sequence does: a graph cached under a
-- number the sequence hands out again is not taken for the new graph.
SELECT setval('migrate.seq', 1, false);
SELECT migrate.register('g1', 'SELECT 1', project => 'tap_gen');
SELECT migrate.register('g2', 'SELECT 1', down_revision => 'g1', project => 'tap_gen');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_gen')$$, ARRAY['g2'], 'a cached graph');
UPDATE migrate.revision SET down_revision = '{}' WHERE project = 'tap_gen' AND id = 'g2';
SELECT graph_gen AS gen_before FROM migrate.project WHERE name = 'tap_gen' \gset
SELECT setval('migrate.seq', 1, false);
DELETE FROM migrate.revision WHERE false;
SELECT cmp_ok((SELECT graph_gen FROM migrate.project WHERE name = 'tap_gen'), '>', :gen_before::bigint,
	'an edit after the sequence was set back still moves graph_gen up');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_gen') ORDER BY 1$$, ARRAY['g1', 'g2'],
	'and the edit is seen');
SELECT setval('migrate.seq', (SELECT max(seq) FROM migrate.revision));

-- A sequence that hands out negative numbers changes nothing.
ALTER SEQUENCE migrate.seq MINVALUE -1000000 RESTART WITH -1000;
SELECT migrate.register('n1', 'SELECT 1', project => 'tap_negative');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_negative')$$, ARRAY['n1'], 'a graph of negative seqs');
SELECT migrate.register('n2', 'SELECT 1', down_revision => 'n1', project => 'tap_negative');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_negative')$$, ARRAY['n2'], 'sees the next registration');
SELECT migrate.configure('tap_empty');
SELECT is_empty($$SELECT * FROM migrate.heads('tap_empty')$$, 'an empty project has no heads');
SELECT migrate.register('e1', 'SELECT 1', project => 'tap_empty');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_empty')$$, ARRAY['e1'], 'and then its first revision');
ALTER SEQUENCE migrate.seq MINVALUE 1 RESTART WITH 1000000;

-- The indexes read directly must be the extension's own.
DROP INDEX migrate.revision_project_seq;
SELECT throws_ok($$SELECT * FROM migrate.heads('tap_empty')$$, '55000',
	'index "migrate.revision_project_seq" is missing or is not the one the extension created',
	'a missing index is reported');
CREATE INDEX revision_project_seq ON migrate.revision (seq, project COLLATE "C");
SELECT throws_ok($$SELECT * FROM migrate.heads('tap_empty')$$, '55000', NULL,
	'so is one on other columns');
DROP INDEX migrate.revision_project_seq;
CREATE INDEX revision_project_seq ON migrate.revision (project COLLATE "C", seq) WHERE seq > 0;
SELECT throws_ok($$SELECT * FROM migrate.heads('tap_empty')$$, '55000', NULL, 'or a partial one');
DROP INDEX migrate.revision_project_seq;
CREATE INDEX revision_project_seq ON migrate.revision (project COLLATE "C", seq);
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_empty')$$, ARRAY['e1'], 'the right one serves again');

-- DROP EXTENSION and CREATE EXTENSION in one transaction start afresh.
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_cache')$$, ARRAY['c1'], 'a cached graph');
DROP EXTENSION migrate;
CREATE EXTENSION migrate;
SELECT migrate.register('d1', 'SELECT 1', project => 'tap_cache');
SELECT results_eq($$SELECT revision FROM migrate.heads('tap_cache')$$, ARRAY['d1'], 'is not served for the new extension');
SELECT results_eq($$SELECT revision FROM migrate.show('d1', 'tap_cache')$$, ARRAY['d1'], 'show() of the new graph');

-- Input that cannot be right is refused with a SQLSTATE, not an internal error.
SELECT migrate.register('cp1', 'CREATE TABLE tap_cp (a int); COPY tap_cp FROM STDIN', project => 'tap_copy');
SELECT throws_ok($$SELECT migrate.upgrade('head', 'tap_copy')$$, '0A000', NULL, 'COPY from the client in a body');
SELECT throws_ok($$SELECT migrate.stamp(repeat('a ', 600000), 'tap_copy')$$, '54000', NULL, 'a list of targets that is too long');
SELECT throws_ok($$SELECT migrate.register('x9', '', down_revision => repeat('a ', 600000), project => 'tap_copy')$$,
	'54000', NULL, 'a down_revision list that is too long');
SELECT throws_ok($$SELECT migrate.configure('tap_copy', lock_timeout => '-1s')$$, '22023', NULL, 'a negative timeout');
SET migrate.project = 'tap_guc';
SELECT lives_ok($$SELECT migrate.configure(lock_timeout => '1s')$$, 'configure() without a project uses migrate.project');
SELECT is((SELECT lock_timeout FROM migrate.project WHERE name = 'tap_guc'), '1s'::interval, 'and set it');
RESET migrate.project;

SELECT * FROM finish();
ROLLBACK;
