-- Branches, merges, several bases, depends_on, labels, relative walks and
-- stamps, as tables of steps: (project, n, command, target) -> the
-- revisions run, in order, and the version rows after it, or the SQLSTATE.
--
-- The expected values are what Alembic 1.8.1 does on the same graphs (run
-- through test/graph/alembic_ref.py, which drives the real Alembic), except
-- where migrate deliberately differs: there the comment says so.
\i test/pgtap/setup.inc
SELECT * FROM no_plan();

-- g1: two branches from one base: a -> b1 -> c1 (label left), a -> b2 -> c2
-- (label right), registered in that order; later a merge m of c1 and c2.
SELECT migrate.register('a', '', '', project => 'g1');
SELECT migrate.register('b1', '', '', down_revision => 'a', branch_labels => 'left', project => 'g1');
SELECT migrate.register('c1', '', '', down_revision => 'b1', project => 'g1');
SELECT migrate.register('b2', '', '', down_revision => 'a', branch_labels => 'right', project => 'g1');
SELECT migrate.register('c2', '', '', down_revision => 'b2', project => 'g1');

-- g2: a diamond: a -> b1, a -> b2, m merges both; then c1, c2 branch from m.
SELECT migrate.register('a', '', '', project => 'g2');
SELECT migrate.register('b1', '', '', down_revision => 'a', project => 'g2');
SELECT migrate.register('b2', '', '', down_revision => 'a', project => 'g2');
SELECT migrate.register('m', '', '', down_revision => 'b1 b2', project => 'g2');
SELECT migrate.register('c1', '', '', down_revision => 'm', project => 'g2');
SELECT migrate.register('c2', '', '', down_revision => 'm', project => 'g2');

-- g3: depends_on across branches: y1 depends on x1 (two bases, labelled).
SELECT migrate.register('x1', '', '', branch_labels => 'xl', project => 'g3');
SELECT migrate.register('y1', '', '', branch_labels => 'yl', depends_on => 'x1', project => 'g3');
SELECT migrate.register('y2', '', '', down_revision => 'y1', project => 'g3');
SELECT migrate.register('x2', '', '', down_revision => 'x1', project => 'g3');

-- g4: a three-way merge.
SELECT migrate.register('a', '', '', project => 'g4');
SELECT migrate.register('b', '', '', down_revision => 'a', project => 'g4');
SELECT migrate.register('c', '', '', down_revision => 'a', project => 'g4');
SELECT migrate.register('d', '', '', down_revision => 'a', project => 'g4');
SELECT migrate.register('m', '', '', down_revision => 'b, c, d', project => 'g4');

-- g5: two independent bases, each labelled.
SELECT migrate.register('r1', '', '', branch_labels => 'one', project => 'g5');
SELECT migrate.register('r2', '', '', down_revision => 'r1', project => 'g5');
SELECT migrate.register('s1', '', '', branch_labels => 'two', project => 'g5');
SELECT migrate.register('s2', '', '', down_revision => 's1', project => 'g5');

-- One command on a project: the revisions it ran (or stamped), and the
-- version rows after it in registration order, or the SQLSTATE it raised.
CREATE FUNCTION pg_temp.step(p text, op text, target text,
							 OUT ran text, OUT rows_after text, OUT state text)
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		IF op = 'upgrade' THEN
			SELECT coalesce(string_agg(revision, ' ' ORDER BY ord), '') INTO ran
			  FROM migrate.upgrade(target, p) WITH ORDINALITY AS s(revision, operation, message, duration, ord);
		ELSIF op = 'downgrade' THEN
			SELECT coalesce(string_agg(revision, ' ' ORDER BY ord), '') INTO ran
			  FROM migrate.downgrade(target, p) WITH ORDINALITY AS s(revision, operation, message, duration, ord);
		ELSIF op = 'stamp' THEN
			SELECT coalesce(string_agg(coalesce(revision, 'base'), ' ' ORDER BY ord), '') INTO ran
			  FROM migrate.stamp(target, p) WITH ORDINALITY AS s(revision, operation, message, duration, ord);
		ELSIF op = 'stamp purge' THEN
			SELECT coalesce(string_agg(coalesce(revision, 'base'), ' ' ORDER BY ord), '') INTO ran
			  FROM migrate.stamp(target, p, purge => true) WITH ORDINALITY AS s(revision, operation, message, duration, ord);
		END IF;
	EXCEPTION WHEN OTHERS THEN
		state := SQLSTATE;
	END;
	SELECT coalesce(string_agg(v.revision, ' ' ORDER BY r.seq), '') INTO rows_after
	  FROM migrate.version v
	  JOIN migrate.revision r ON r.project = v.project AND r.id = v.revision
	 WHERE v.project = p;
END
$$;

CREATE TEMP TABLE steps (p text, n int, op text, target text, ran text, rows_after text, state text);
INSERT INTO steps VALUES
	-- g1: branches
	('g1',  1, 'upgrade',   'head',       NULL,             '',      '55000'),  -- several heads
	('g1',  2, 'upgrade',   'heads',      'a b2 c2 b1 c1',  'c1 c2', NULL),     -- last head's branch first
	('g1',  3, 'downgrade', '-1',         NULL,             'c1 c2', '55000'),  -- migrate refuses; Alembic picks a row
	('g1',  4, 'downgrade', 'left@-1',    'c1',             'b1 c2', NULL),
	('g1',  5, 'downgrade', 'c2',         '',               'b1 c2', NULL),     -- already a row: no-op
	('g1',  6, 'downgrade', 'base',       'b1 c2 b2 a',     '',      NULL),     -- first row's branch drained first
	('g1',  7, 'upgrade',   'left@head',  'a b1 c1',        'c1',    NULL),
	('g1',  8, 'upgrade',   'right@+1',   'b2',             'c1 b2', NULL),
	('g1',  9, 'upgrade',   'right@head', 'c2',             'c1 c2', NULL),
	('g1', 10, 'downgrade', 'b1',         'c1',             'b1 c2', NULL),
	('g1', 11, 'upgrade',   'c1',         'c1',             'c1 c2', NULL),
	('g1', 12, 'upgrade',   '+1',         NULL,             'c1 c2', '55000'),  -- Ambiguous upgrade
	('g1', 13, 'upgrade',   'a+1',        NULL,             'c1 c2', '22023'),  -- Ambiguous walk up a branch point
	('g1', 14, 'upgrade',   'b1:c1',      NULL,             'c1 c2', '22023'),  -- Range revision not allowed
	('g1', 15, 'upgrade',   'nope@head',  NULL,             'c1 c2', '42704'),  -- no such branch
	('g1', 16, 'upgrade',   'left@c2',    NULL,             'c1 c2', '42704'),  -- not a member of branch left
	-- g2: diamond, then branching from the merge point
	('g2',  1, 'upgrade',   'heads',      'a b2 b1 m c2 c1', 'c1 c2', NULL),
	('g2',  2, 'downgrade', 'm',          'c1 c2',          'm',     NULL),
	('g2',  3, 'downgrade', '-1',         NULL,             'm',     '22023'),  -- Ambiguous walk down a merge
	('g2',  4, 'downgrade', 'b1',         'm',              'b1 b2', NULL),     -- unmerge
	('g2',  5, 'downgrade', 'b2',         '',               'b1 b2', NULL),
	('g2',  6, 'upgrade',   'c1',         'm c1',           'c1',    NULL),     -- merge, then on
	('g2',  7, 'upgrade',   'm+1',        NULL,             'c1',    '22023'),  -- Ambiguous walk up from m
	('g2',  8, 'downgrade', 'base',       'c1 m b1 b2 a',   '',      NULL),
	('g2',  9, 'upgrade',   'b1',         'a b1',           'b1',    NULL),
	('g2', 10, 'upgrade',   'm',          'b2 m',           'm',     NULL),
	-- g3: depends_on absorbs the row of what it depends on, and gives it back
	('g3',  1, 'upgrade',   'yl@head',    'x1 y1 y2',       'y2',    NULL),
	('g3',  2, 'upgrade',   'xl@head',    'x2',             'y2 x2', NULL),
	('g3',  3, 'downgrade', 'xl@base',    'y2 y1 x2 x1',    '',      NULL),     -- dependents come down too
	('g3',  4, 'upgrade',   'heads',      'x1 x2 y1 y2',    'y2 x2', NULL),
	('g3',  5, 'downgrade', 'x1',         'x2',             'y2',    NULL),
	('g3',  6, 'downgrade', 'y1',         'y2',             'y1',    NULL),     -- y1 implies x1
	-- g4: three-way merge
	('g4',  1, 'upgrade',   'm',          'a d c b m',      'm',     NULL),
	('g4',  2, 'downgrade', 'c',          'm',              'b c d', NULL),
	('g4',  3, 'downgrade', 'base',       'b c d a',        '',      NULL),
	('g4',  4, 'upgrade',   'c',          'a c',            'c',     NULL),
	('g4',  5, 'upgrade',   'heads',      'd b m',          'm',     NULL),
	-- g5: several bases, labels, stamps
	('g5',  1, 'upgrade',   'heads',      's1 s2 r1 r2',    'r2 s2', NULL),
	('g5',  2, 'downgrade', 'one@-1',     'r2',             'r1 s2', NULL),
	('g5',  3, 'downgrade', 'two@base',   's2 s1',          'r1',    NULL),
	('g5',  4, 'upgrade',   'two@+1',     's1',             'r1 s1', NULL),
	('g5',  5, 'upgrade',   'one@+1',     'r2',             'r2 s1', NULL),
	('g5',  6, 'stamp purge', 'base',     '',               '',      NULL),     -- purged: nothing left to stamp
	('g5',  7, 'stamp',     'r1, s2',     'r1 s2',          'r1 s2', NULL),     -- several targets: two new rows
	('g5',  8, 'stamp',     'two@base',   'base',           'r1',    NULL),     -- removes that branch's row
	('g5',  9, 'stamp',     'r2',         'r2',             'r2',    NULL),     -- replaces the ancestor row
	('g5', 10, 'stamp',     'two@head',   's2',             'r2 s2', NULL),     -- a new branch row
	('g5', 11, 'stamp',     'r1',         'r1',             'r1 s2', NULL),     -- moves the row down
	('g5', 12, 'stamp',     'nope',       NULL,             'r1 s2', '42704'),
	('g5', 13, 'upgrade',   '',           NULL,             'r1 s2', '42704');

SELECT unnest(ARRAY[
		is(r.state, s.state, format('%s #%s %s(%L): %s', s.p, s.n, s.op, s.target,
								   coalesce('fails with ' || s.state, 'succeeds'))),
		is(r.ran, s.ran, format('%s #%s %s(%L) runs [%s]', s.p, s.n, s.op, s.target, s.ran)),
		is(r.rows_after, s.rows_after, format('%s #%s %s(%L) leaves rows [%s]', s.p, s.n, s.op, s.target, s.rows_after))])
  FROM (SELECT * FROM steps ORDER BY p, n) s,
	   LATERAL pg_temp.step(s.p, s.op, s.target) r;

-- Listings, in registration order as Alembic lists them.
SELECT results_eq($$SELECT revision FROM migrate.heads('g1')$$, ARRAY['c1', 'c2'], 'heads of g1');
SELECT results_eq($$SELECT revision FROM migrate.bases('g5')$$, ARRAY['r1', 's1'], 'bases of g5');
SELECT results_eq($$SELECT revision, children FROM migrate.branches('g1')$$,
	$$VALUES ('a', ARRAY['b1', 'b2'])$$, 'branch points of g1 and their children');
SELECT results_eq($$SELECT revision FROM migrate.history(NULL, 'g1')$$,
	ARRAY['c1', 'b1', 'c2', 'b2', 'a'], 'history of g1, newest first');
SELECT results_eq($$SELECT revision FROM migrate.history('b1:c1', 'g1')$$,
	ARRAY['c1', 'b1'], 'history over a range');
SELECT results_eq($$SELECT revision FROM migrate.history(':b2', 'g1')$$,
	ARRAY['b2', 'a'], 'history up to a revision');
SELECT results_eq($$SELECT revision FROM migrate.heads('g3')$$, ARRAY['y2', 'x2'], 'heads of g3: a depended-on revision is still a head');
SELECT results_eq($$SELECT revision FROM migrate.heads('g3', resolve_dependencies => true)$$, ARRAY['y2', 'x2'], 'real heads of g3');
SELECT results_eq($$SELECT revision FROM migrate.show('heads', 'g1')$$, ARRAY['c1', 'c2'], 'show heads');
SELECT results_eq($$SELECT revision, is_merge_point, is_branch_point FROM migrate.show('m', 'g2')$$,
	$$VALUES ('m', true, true)$$, 'show a merge that is also a branch point');
SELECT results_eq($$SELECT branch_labels FROM migrate.show('c1', 'g1')$$,
	$$VALUES (ARRAY['left'])$$, 'a label spreads to the descendants of its revision');

-- current() lists the dependency tips the rows imply (g3: y2 implies x1).
SELECT migrate.downgrade('base', 'g3');
SELECT migrate.upgrade('yl@head', 'g3');
SELECT set_eq($$SELECT * FROM migrate.current('g3')$$, ARRAY['x1', 'y2'], 'current() shows the dependency tip x1');
SELECT results_eq($$SELECT revision FROM migrate.version WHERE project = 'g3'$$, ARRAY['y2'], 'but only y2 has a row');

-- pending() is the plan without running it.
SELECT results_eq($$SELECT step, revision FROM migrate.pending('heads', 'g3')$$,
	$$VALUES (1, 'x2')$$, 'pending() of g3');
SELECT results_eq($$SELECT * FROM migrate.current('g3')$$, $$SELECT * FROM migrate.current('g3')$$, 'pending() ran nothing');

-- revision() and merge(): generated ids on top of the heads.
SELECT throws_ok($$SELECT migrate.revision('on top', '', project => 'g1')$$, '55000', NULL,
	'revision() refuses to guess among several heads');
SELECT matches(migrate.merge('join', project => 'g1'), '^[0-9a-f]{12}$', 'merge() returns a generated id');
SELECT results_eq($$SELECT down_revision FROM migrate.revision r JOIN migrate.heads('g1') h ON h.revision = r.id WHERE r.project = 'g1'$$,
	$$VALUES (ARRAY['c1', 'c2'])$$, 'the merge joins the two heads and is the only head');
SELECT matches(migrate.revision('on top', 'SELECT 1', project => 'g1'), '^[0-9a-f]{12}$', 'revision() on the single head');
SELECT is((SELECT count(*)::int FROM migrate.heads('g1')), 1, 'still one head');
SELECT throws_ok($$SELECT migrate.merge('nothing to join', 'c1', project => 'g1')$$, '22023', NULL,
	'merge() needs two revisions');

SELECT * FROM finish();
ROLLBACK;
