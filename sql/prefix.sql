--
-- Ids by prefix, as Alembic resolves them: a unique prefix of an id longer
-- than three characters; an ambiguous prefix lists its candidates.
--
SET migrate.project = 'prefixes';
SELECT migrate.register('ae1027a6acf', 'CREATE TABLE p1 ()', 'DROP TABLE p1');
SELECT migrate.register('ae10b5e2c4d', 'CREATE TABLE p2 ()', 'DROP TABLE p2', down_revision => 'ae1027a6acf');
SELECT migrate.register('1975ea83b712', 'CREATE TABLE p3 ()', 'DROP TABLE p3', down_revision => 'ae10b5e2c4d');

-- Unique prefixes.
SELECT revision FROM migrate.upgrade('ae102');
SELECT revision FROM migrate.upgrade('1975');
SELECT revision FROM migrate.downgrade('ae10b');

-- Ambiguous: the message Alembic prints, the candidates in the detail.
SELECT * FROM migrate.downgrade('ae10');
\echo :LAST_ERROR_SQLSTATE

-- Short unknown names get Alembic's hint about four characters.
SELECT * FROM migrate.upgrade('zz');
\echo :LAST_ERROR_SQLSTATE

SELECT revision FROM migrate.downgrade('base');
RESET migrate.project;
