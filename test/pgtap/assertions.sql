-- The migrate_tap assertions, passing and failing.  A failing assertion is
-- checked as pgTAP checks its own: check_test() runs it, takes its TAP
-- output apart (ok or not ok, description, diagnostics), compares each part
-- with what is expected, and removes the failure from the plan's count.
\i test/pgtap/setup.inc
CREATE EXTENSION migrate_tap;
SELECT * FROM no_plan();

-- has_single_head
SELECT migrate.register('a1', 'CREATE TABLE tap_a1 ()', 'DROP TABLE tap_a1', project => 'tap_one');
SELECT migrate.register('a2', 'SELECT 1', 'SELECT 1', down_revision => 'a1', project => 'tap_one');
SELECT * FROM check_test(has_single_head('tap_one'), true,
	'has_single_head(linear)', 'project "tap_one" has a single head', '');
SELECT * FROM check_test(has_single_head('tap_one', 'one head, custom words'), true,
	'has_single_head(linear, description)', 'one head, custom words', '');
SELECT migrate.register('b1', 'SELECT 1', 'SELECT 1', down_revision => 'a1', project => 'tap_one');
SELECT * FROM check_test(has_single_head('tap_one'), false,
	'has_single_head(branched)', 'project "tap_one" has a single head',
	E'        have: 2 heads: a2, b1\n        want: 1 head');
SELECT migrate.configure('tap_empty');
SELECT * FROM check_test(has_single_head('tap_empty'), false,
	'has_single_head(a project without revisions)', 'project "tap_empty" has a single head',
	E'        have: no revisions\n        want: 1 head');
SELECT throws_ok($$SELECT has_single_head('tap_nothing')$$, '42704', 'project "tap_nothing" does not exist',
	'has_single_head() on an unknown project is an error, not a failure');
SET LOCAL migrate.project = 'tap_one';
SELECT * FROM check_test(has_single_head(NULL), false,
	'has_single_head(NULL)', 'project "tap_one" has a single head',
	E'        have: 2 heads: a2, b1\n        want: 1 head');
RESET migrate.project;
SELECT migrate.merge('join', project => 'tap_one');
SELECT * FROM check_test(has_single_head('tap_one'), true, 'has_single_head(merged)');

-- no_pending
SELECT * FROM check_test(no_pending('tap_one'), false,
	'no_pending(nothing applied)', 'project "tap_one" has no pending revisions',
	'        have: 4 pending revisions: a1, b1, a2, ' ||
	(SELECT revision FROM migrate.heads('tap_one')) || E'\n        want: none');
SELECT migrate.upgrade('a2', 'tap_one');
SELECT * FROM check_test(no_pending('tap_one', 'up to date'), false,
	'no_pending(one branch applied)', 'up to date',
	E'        have: 2 pending revisions: b1, ' ||
	(SELECT revision FROM migrate.heads('tap_one')) || E'\n        want: none');
SELECT migrate.upgrade('heads', 'tap_one');
SELECT * FROM check_test(no_pending('tap_one'), true,
	'no_pending(at head)', 'project "tap_one" has no pending revisions', '');
SELECT throws_ok($$SELECT no_pending('tap_nothing')$$, '42704', 'project "tap_nothing" does not exist',
	'no_pending() on an unknown project is an error, not a pass');

-- max_lock_on_existing
CREATE TABLE tap_orders (id int PRIMARY KEY, amount int);
INSERT INTO tap_orders SELECT g, g FROM generate_series(1, 100) g;
SELECT migrate.register('l1', 'CREATE TABLE tap_new (id int); CREATE INDEX ON tap_new (id)', 'DROP TABLE tap_new', project => 'tap_locks');
SELECT migrate.register('l2', 'CREATE INDEX CONCURRENTLY tap_orders_amount ON tap_orders (amount)', 'DROP INDEX tap_orders_amount',
	down_revision => 'l1', project => 'tap_locks');
SELECT migrate.register('l3', 'INSERT INTO tap_orders VALUES (101, 101)', 'DELETE FROM tap_orders WHERE id = 101',
	down_revision => 'l2', project => 'tap_locks');
SELECT * FROM check_test(max_lock_on_existing('tap_locks', 'RowExclusiveLock'), true,
	'max_lock_on_existing(within the limit)',
	'pending revisions of project "tap_locks" take at most RowExclusiveLock on existing relations',
	'    step 2 (l2) not measured: CREATE INDEX CONCURRENTLY cannot run inside a transaction block');
SELECT migrate.register('l4', 'ALTER TABLE tap_orders ADD COLUMN noise float8 DEFAULT random()', 'ALTER TABLE tap_orders DROP COLUMN noise',
	down_revision => 'l3', project => 'tap_locks');
SELECT migrate.register('l5', 'CREATE INDEX tap_orders_noise ON tap_orders (noise)', 'DROP INDEX tap_orders_noise',
	down_revision => 'l4', project => 'tap_locks');
SELECT * FROM check_test(max_lock_on_existing('tap_locks', 'share update exclusive', 'no blocking locks'), false,
	'max_lock_on_existing(too strong)', 'no blocking locks',
	E'    locks stronger than ShareUpdateExclusiveLock:\n' ||
	E'        step 4 (l4): AccessExclusiveLock on public.tap_orders\n' ||
	E'        step 4 (l4): AccessExclusiveLock on public.tap_orders_pkey\n' ||
	E'        step 4 (l4): ShareLock on public.tap_orders\n' ||
	E'        step 5 (l5): ShareLock on public.tap_orders\n' ||
	E'    step 2 (l2) not measured: CREATE INDEX CONCURRENTLY cannot run inside a transaction block');
SELECT * FROM check_test(max_lock_on_existing('tap_locks', 'ACCESS_EXCLUSIVE'), true,
	'max_lock_on_existing(anything goes)',
	'pending revisions of project "tap_locks" take at most AccessExclusiveLock on existing relations');
SELECT migrate.register('l6', 'SELECT * FROM tap_missing', 'SELECT 1', down_revision => 'l5', project => 'tap_locks');
SELECT migrate.register('l7', 'DROP TABLE tap_orders', 'SELECT 1', down_revision => 'l6', project => 'tap_locks');
SELECT * FROM check_test(max_lock_on_existing('tap_locks', 'AccessExclusiveLock'), false,
	'max_lock_on_existing(a step fails)',
	'pending revisions of project "tap_locks" take at most AccessExclusiveLock on existing relations',
	E'    locks stronger than AccessExclusiveLock:\n' ||
	E'        step 6 (l6) failed (42P01): relation "tap_missing" does not exist\n' ||
	E'    step 2 (l2) not measured: CREATE INDEX CONCURRENTLY cannot run inside a transaction block');
SELECT throws_ok($$SELECT max_lock_on_existing('tap_locks', 'table lock')$$, '22023', 'unknown lock mode "table lock"',
	'an unknown lock mode');

-- Each revision is judged by the relations that exist before it runs: on a
-- database without tables, a lock on a table an earlier pending revision
-- makes is a lock on a table in use once that revision is deployed.  A
-- table the revision makes itself is not an existing one.
SELECT migrate.register('f1', 'CREATE TABLE tap_f (id int PRIMARY KEY, v int); CREATE INDEX tap_f_v ON tap_f (v)',
	'DROP TABLE tap_f', project => 'tap_fresh');
SELECT * FROM check_test(max_lock_on_existing('tap_fresh', 'ShareUpdateExclusiveLock'), true,
	'max_lock_on_existing(strong locks on a table the revision makes)',
	'pending revisions of project "tap_fresh" take at most ShareUpdateExclusiveLock on existing relations', '');
SELECT migrate.register('f2', 'CREATE TABLE tap_g (id int)', 'DROP TABLE tap_g', down_revision => 'f1', project => 'tap_fresh');
SELECT migrate.register('f3', 'CREATE INDEX tap_f_id_v ON tap_f (id, v)', 'DROP INDEX tap_f_id_v',
	down_revision => 'f2', project => 'tap_fresh');
SELECT * FROM check_test(max_lock_on_existing('tap_fresh', 'ShareUpdateExclusiveLock'), false,
	'max_lock_on_existing(a table made two revisions earlier)',
	'pending revisions of project "tap_fresh" take at most ShareUpdateExclusiveLock on existing relations',
	E'    locks stronger than ShareUpdateExclusiveLock:\n' ||
	E'        step 3 (f3): ShareLock on public.tap_f (created by an earlier pending revision)');
SELECT migrate.upgrade('f2', 'tap_fresh');
SELECT * FROM check_test(max_lock_on_existing('tap_fresh', 'ShareUpdateExclusiveLock'), false,
	'max_lock_on_existing(a table that exists now)',
	'pending revisions of project "tap_fresh" take at most ShareUpdateExclusiveLock on existing relations',
	E'    locks stronger than ShareUpdateExclusiveLock:\n' ||
	E'        step 1 (f3): ShareLock on public.tap_f');
SELECT is(to_regclass('tap_f_id_v'), NULL, 'the trial left no index behind');
SELECT is((SELECT count(*) FROM information_schema.columns WHERE table_name = 'tap_orders'), 2::bigint,
	'the assertions left nothing behind');

-- lint_clean: migrate.lint() on the project's pending revisions.
SELECT migrate.register('c1', 'CREATE TABLE tap_clean (id int); CREATE INDEX ON tap_clean (id)',
	'DROP TABLE tap_clean', project => 'tap_lint');
SELECT * FROM check_test(lint_clean('tap_lint'), true,
	'lint_clean(safe revisions)', 'pending revisions of project "tap_lint" pass migrate.lint()', '');
SELECT * FROM check_test(lint_clean('tap_lint', 'no hazards'), true,
	'lint_clean(safe revisions, description)', 'no hazards', '');
SELECT migrate.register('c2', 'ALTER TABLE tap_orders RENAME COLUMN amount TO total', NULL,
	down_revision => 'c1', project => 'tap_lint');
SELECT * FROM check_test(lint_clean('tap_lint'), false,
	'lint_clean(hazards)', 'pending revisions of project "tap_lint" pass migrate.lint()',
	E'    revision c2: no-downgrade\n' ||
	'        The revision has no downgrade body: downgrade() refuses to go below it, and what it drops can never be put back by its downgrade.' ||
	E'\n    revision c2: rename: ALTER TABLE tap_orders RENAME COLUMN amount TO total\n' ||
	'        Renames column amount of public.tap_orders to total: the application running now reads and writes the old name until its new release is deployed, and fails meanwhile.');
SET LOCAL migrate.project = 'tap_lint';
SELECT * FROM check_test(lint_clean(NULL), false,
	'lint_clean(NULL): the session''s project, not every project',
	'pending revisions of project "tap_lint" pass migrate.lint()');
RESET migrate.project;
SELECT is((SELECT count(*) FROM pg_catalog.pg_attribute
			WHERE attrelid = 'tap_orders'::regclass AND attname = 'amount'), 1::bigint,
	'lint_clean() leaves the schema as it was');
SELECT throws_ok($$SELECT lint_clean('tap_nothing')$$, '42704', 'project "tap_nothing" does not exist',
	'lint_clean() on an unknown project is an error, not a failure');

-- Privileges: the assertions run with the caller's rights, so one that runs
-- bodies needs the right to migrate.
CREATE ROLE tap_viewer;
SET ROLE tap_viewer;
SELECT has_single_head('tap_one') AS viewer_output \gset
RESET ROLE;
SELECT * FROM check_test(:'viewer_output', true, 'has_single_head() as a role that may not migrate');
SET ROLE tap_viewer;
SELECT throws_ok($$SELECT max_lock_on_existing('tap_locks', 'AccessExclusiveLock')$$, '42501', NULL,
	'but trying revisions is for migrators');
SELECT throws_ok($$SELECT lint_clean('tap_lint')$$, '42501', NULL,
	'and so is linting them');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
