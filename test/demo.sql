-- The demo `make demo` runs in a throw-away cluster.
CREATE EXTENSION migrate;

SELECT migrate.register('a1b2c3d4e5f6',
	upgrade   => $$CREATE TABLE account (id bigint PRIMARY KEY, name text NOT NULL)$$,
	downgrade => $$DROP TABLE account$$,
	message   => 'create account table');
SELECT migrate.register('b2c3d4e5f6a1',
	upgrade   => $$ALTER TABLE account ADD COLUMN email text$$,
	downgrade => $$ALTER TABLE account DROP COLUMN email$$,
	down_revision => 'a1b2c3d4e5f6',
	message   => 'add email');

SELECT * FROM migrate.upgrade('head');
SELECT * FROM migrate.current();
\d account
SELECT * FROM migrate.downgrade('-1');
SELECT * FROM migrate.current();
SELECT revision, operation, heads_before, heads_after, duration FROM migrate.log ORDER BY id;
