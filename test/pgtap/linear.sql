-- A linear history of five revisions: every target form, as a table of
-- (state before, command, target) -> (revisions run, state after), and the
-- errors users will type, with their SQLSTATEs.
\i test/pgtap/setup.inc
SELECT * FROM no_plan();

SET migrate.project = 'tap_linear';
CREATE TABLE ledger (n serial, entry text);
SELECT migrate.register('l1', $$INSERT INTO ledger (entry) VALUES ('up l1')$$,
	$$INSERT INTO ledger (entry) VALUES ('down l1')$$, message => 'one');
SELECT migrate.register('l2', $$INSERT INTO ledger (entry) VALUES ('up l2')$$,
	$$INSERT INTO ledger (entry) VALUES ('down l2')$$, down_revision => 'l1', message => 'two');
SELECT migrate.register('l3', $$INSERT INTO ledger (entry) VALUES ('up l3')$$,
	$$INSERT INTO ledger (entry) VALUES ('down l3')$$, down_revision => 'l2', message => 'three');
SELECT migrate.register('l4', $$INSERT INTO ledger (entry) VALUES ('up l4')$$,
	$$INSERT INTO ledger (entry) VALUES ('down l4')$$, down_revision => 'l3', message => 'four');
SELECT migrate.register('l5', $$INSERT INTO ledger (entry) VALUES ('up l5')$$,
	$$INSERT INTO ledger (entry) VALUES ('down l5')$$, down_revision => 'l4', message => 'five');

-- Put the project at a state, run one command, report what ran and where it
-- ended, and check the ledger saw exactly those bodies.
CREATE FUNCTION pg_temp.run_case(start text, op text, target text,
								 OUT ran text, OUT after text, OUT ledger_ok boolean)
LANGUAGE plpgsql AS $$
DECLARE
	mark int;
BEGIN
	PERFORM migrate.downgrade('base');
	IF start <> 'base' THEN
		PERFORM migrate.upgrade(start);
	END IF;
	SELECT coalesce(max(n), 0) INTO mark FROM ledger;
	IF op = 'upgrade' THEN
		SELECT coalesce(string_agg(revision, ' ' ORDER BY ord), '') INTO ran
		  FROM migrate.upgrade(target) WITH ORDINALITY AS u(revision, operation, message, duration, ord);
	ELSE
		SELECT coalesce(string_agg(revision, ' ' ORDER BY ord), '') INTO ran
		  FROM migrate.downgrade(target) WITH ORDINALITY AS u(revision, operation, message, duration, ord);
	END IF;
	SELECT coalesce(string_agg(c, ' ' ORDER BY c), '') INTO after FROM migrate.current() AS c;
	SELECT coalesce(string_agg(split_part(entry, ' ', 2), ' ' ORDER BY n), '') = ran
		   AND bool_and(entry LIKE (CASE op WHEN 'upgrade' THEN 'up %' ELSE 'down %' END)) IS NOT false
	  INTO ledger_ok FROM ledger WHERE n > mark;
END
$$;

CREATE TEMP TABLE cases (start text, op text, target text, ran text, after text);
INSERT INTO cases VALUES
	('base', 'upgrade',   'head',   'l1 l2 l3 l4 l5', 'l5'),
	('base', 'upgrade',   'heads',  'l1 l2 l3 l4 l5', 'l5'),
	('base', 'upgrade',   '+1',     'l1',             'l1'),
	('base', 'upgrade',   '+5',     'l1 l2 l3 l4 l5', 'l5'),
	('l2',   'upgrade',   '+2',     'l3 l4',          'l4'),
	('l2',   'upgrade',   'l4',     'l3 l4',          'l4'),
	('l2',   'upgrade',   'l2',     '',               'l2'),
	('l4',   'upgrade',   'l2',     '',               'l4'),  -- older target: no-op, as Alembic
	('l4',   'upgrade',   'base',   '',               'l4'),
	('l5',   'upgrade',   'head',   '',               'l5'),
	('base', 'upgrade',   'l1+2',   'l1 l2 l3',       'l3'),
	('l1',   'upgrade',   'l5-1',   'l2 l3 l4',       'l4'),
	('base', 'upgrade',   'head-1', 'l1 l2 l3 l4',    'l4'),
	('base', 'upgrade',   'base+2', 'l1 l2',          'l2'),
	('base', 'upgrade',   'base-1', 'l1 l2 l3 l4 l5', 'l5'),  -- counts down from the head
	('l5',   'downgrade', '-1',     'l5',             'l4'),
	('l5',   'downgrade', '-5',     'l5 l4 l3 l2 l1', ''),
	('l5',   'downgrade', 'base',   'l5 l4 l3 l2 l1', ''),
	('l4',   'downgrade', 'l2',     'l4 l3',          'l2'),
	('l4',   'downgrade', 'l4',     '',               'l4'),
	('l4',   'downgrade', 'head-3', 'l4 l3',          'l2'),
	('l4',   'downgrade', 'l3-2',   'l4 l3 l2',       'l1'),
	('base', 'downgrade', 'base',   '',               ''),
	('l3',   'downgrade', 'l1+1',   'l3',             'l2');

SELECT unnest(ARRAY[
		is(r.ran, c.ran, format('%s: %s(%L) runs [%s]', c.start, c.op, c.target, c.ran)),
		is(r.after, c.after, format('%s: %s(%L) ends at [%s]', c.start, c.op, c.target, c.after)),
		ok(r.ledger_ok, format('%s: %s(%L) ran exactly those bodies', c.start, c.op, c.target))])
  FROM cases c, LATERAL pg_temp.run_case(c.start, c.op, c.target) r;

-- Errors: (state, command, target) -> SQLSTATE and message.
CREATE TEMP TABLE error_cases (start text, op text, target text, sqlstate text, message text);
INSERT INTO error_cases VALUES
	('base', 'upgrade',   'nope',  '42704', 'Can''t locate revision identified by ''nope'''),
	('base', 'upgrade',   'l6',    '42704', 'Can''t locate revision identified by ''l6'''),
	('l5',   'upgrade',   '+1',    '22023', 'Relative revision +1 didn''t produce 1 migrations'),
	('base', 'upgrade',   '+6',    '22023', 'Relative revision +6 didn''t produce 6 migrations'),
	('l2',   'upgrade',   '-1',    '22023', 'Relative revision -1 didn''t produce 1 migrations'),
	('l2',   'downgrade', '-3',    '22023', 'Relative revision -3 didn''t produce 3 migrations'),
	('base', 'downgrade', '-1',    '22023', 'Relative revision -1 didn''t produce 1 migrations'),
	('l2',   'downgrade', '+1',    '22023', 'Relative revision +1 didn''t produce 1 migrations'),
	('l2',   'downgrade', 'l4',    '22023', 'Destination l4 is not a valid downgrade target from current head(s)'),
	('l2',   'upgrade',   'l1:l3', '22023', 'Range revision not allowed'),
	('base', 'upgrade',   '',      '42704', 'Can''t locate revision identified by '''''),
	('base', 'upgrade',   '@@',    '42704', NULL),
	('base', 'upgrade',   '+-1',   '42704', NULL),
	('base', 'upgrade',   '-99999999999999999999', '22023', NULL);

SELECT throws_ok(
	format('SELECT pg_temp.run_case(%L, %L, %L)', e.start, e.op, e.target),
	e.sqlstate, e.message,
	format('%s: %s(%L) fails with %s', e.start, e.op, e.target, e.sqlstate))
  FROM error_cases e;

-- After every error the state is what it was before the call.
SELECT migrate.downgrade('base');
SELECT migrate.upgrade('l2');
SELECT throws_ok($$SELECT migrate.upgrade('nope')$$, '42704');
SELECT results_eq($$SELECT * FROM migrate.current()$$, ARRAY['l2'], 'a failed call changes nothing');

-- A project that does not exist is an error for every function that reads
-- or runs one; a project configured but without revisions reads as empty
-- and cannot be run.
SELECT throws_ok($$SELECT migrate.upgrade('head', project => 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'upgrade of an unknown project');
SELECT throws_ok($$SELECT migrate.downgrade('base', project => 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'downgrade of an unknown project');
SELECT throws_ok($$SELECT migrate.stamp('base', project => 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'stamp of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.current('tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'current() of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.heads('tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'heads() of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.bases('tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'bases() of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.branches('tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'branches() of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.history(project => 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'history() of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.show('head', 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'show() of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.pending('head', 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'pending() of an unknown project');
SELECT throws_ok($$SELECT migrate.script('head', 'base', 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'script() of an unknown project');
SELECT throws_ok($$SELECT * FROM migrate.verify('tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'verify() of an unknown project');
SELECT throws_ok($$SELECT migrate.merge(project => 'tap_empty')$$, '42704',
	'project "tap_empty" does not exist', 'merge() in an unknown project');
SELECT migrate.configure('tap_empty');
SELECT is_empty($$SELECT * FROM migrate.current('tap_empty')$$, 'current() of a project without revisions is empty');
SELECT is_empty($$SELECT * FROM migrate.heads('tap_empty')$$, 'heads() of a project without revisions is empty');
SELECT is_empty($$SELECT * FROM migrate.history(project => 'tap_empty')$$, 'history() of a project without revisions is empty');
SELECT is_empty($$SELECT * FROM migrate.verify('tap_empty')$$, 'verify() finds nothing wrong with it');
SELECT throws_ok($$SELECT migrate.upgrade('head', project => 'tap_empty')$$, '42704',
	'project "tap_empty" has no revisions', 'upgrade of a project without revisions');
SELECT throws_ok($$SELECT * FROM migrate.pending('head', 'tap_empty')$$, '42704',
	'project "tap_empty" has no revisions', 'pending() of a project without revisions');

SELECT * FROM finish();
ROLLBACK;
