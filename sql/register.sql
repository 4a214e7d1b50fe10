--
-- migrate.register(): the rules a bootstrap script relies on.
--
SET migrate.project = 'reg';

-- A child may be registered before its parent; the graph is checked when used.
SELECT migrate.register('r2', 'CREATE TABLE r2 ()', 'DROP TABLE r2', down_revision => 'r1');
SELECT * FROM migrate.upgrade('head');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('r1', 'CREATE TABLE r1 ()', 'DROP TABLE r1', message => 'first');

-- Registering the same content again is a no-op: nothing is written.
SELECT seq AS r1_seq, registered_at AS r1_at FROM migrate.revision
 WHERE project = 'reg' AND id = 'r1' \gset
SELECT migrate.register('r1', 'CREATE TABLE r1 ()', 'DROP TABLE r1', message => 'first');
SELECT seq = :r1_seq AS same_seq, registered_at = :'r1_at' AS same_time
  FROM migrate.revision WHERE project = 'reg' AND id = 'r1';

-- Other content for a revision not yet applied: refused unless replace => true.
SELECT migrate.register('r1', 'CREATE TABLE r1 (id int)', 'DROP TABLE r1', message => 'first');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('r1', 'CREATE TABLE r1 (id int)', 'DROP TABLE r1', message => 'first', replace => true);
SELECT seq = :r1_seq AS keeps_its_place FROM migrate.revision WHERE project = 'reg' AND id = 'r1';

-- Lists are comma- or space-separated.
SELECT migrate.register('r3', '', '', down_revision => ' r2 ', branch_labels => 'main, trunk');
SELECT down_revision, branch_labels FROM migrate.revision WHERE project = 'reg' AND id = 'r3';

SELECT revision FROM migrate.upgrade('head');

-- An applied revision is immutable: the error shows both checksums.
SELECT migrate.register('r1', 'CREATE TABLE r1 (id bigint)', 'DROP TABLE r1', message => 'first');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('r1', 'CREATE TABLE r1 (id bigint)', 'DROP TABLE r1', message => 'first', replace => true);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('r2', 'CREATE TABLE r2 ()', 'DROP TABLE r2', down_revision => 'r1', message => 'now with a message');
\echo :LAST_ERROR_SQLSTATE

-- Ids and labels that break the grammar, or are reserved.
SELECT migrate.register('a-b', '');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('a@b+c', '');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('head', '');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('', '');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register(repeat('x', 256), '');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('ok1', '', down_revision => 'r1:r2');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('ok1', '', branch_labels => 'base');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('ok1', '', down_revision => 'r1, r1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('ok1', '', down_revision => 'ok1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('ok1', '', depends_on => 'ok1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register(NULL, '');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('ok1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.register('ok1', '', project => '');
\echo :LAST_ERROR_SQLSTATE

-- Nothing of the refused calls was stored.
SELECT id FROM migrate.revision WHERE project = 'reg' ORDER BY seq;

SELECT revision FROM migrate.downgrade('base');
RESET migrate.project;
