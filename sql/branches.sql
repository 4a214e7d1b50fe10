--
-- migrate.branches(): each branch point and what branches from it, as
-- `alembic branches`.
--
SET migrate.project = 'branches_demo';

-- No such project yet.
SELECT * FROM migrate.branches();
\echo :LAST_ERROR_SQLSTATE

SELECT migrate.register('p1', '', '', message => 'base');
-- A line has no branch point.
SELECT migrate.register('p2', '', '', down_revision => 'p1');
SELECT * FROM migrate.branches();

-- Two children of p1, then a third from p2's sibling: two branch points.
SELECT migrate.register('p3', '', '', down_revision => 'p1', branch_labels => 'side',
	message => 'side branch');
SELECT migrate.register('p4', '', '', down_revision => 'p3');
SELECT migrate.register('p5', '', '', down_revision => 'p3');
SELECT * FROM migrate.branches();

-- A dependency is not a branch.
SELECT migrate.register('p6', '', '', down_revision => 'p2', depends_on => 'p4');
SELECT revision, children FROM migrate.branches();
