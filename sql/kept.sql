--
-- Kept data: a step that drops a column or a table holding rows keeps them;
-- the opposite step of the same revision puts them back.
--
SET migrate.project = 'kept';

CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO people SELECT g, 'person ' || g FROM generate_series(1, 1000) g;

-- The upgrade drops a column with 1000 values; the downgrade brings it
-- back, NOT NULL at once, since the values are back before the next
-- statement of the body.
SELECT migrate.register('k1', 'ALTER TABLE people ADD COLUMN email text', 'ALTER TABLE people DROP COLUMN email');
SELECT count(*) FROM migrate.upgrade('k1');
UPDATE people SET email = 'p' || id || '@example.com';
CREATE TABLE people_before AS SELECT id, email FROM people;
SELECT migrate.register('k2', 'ALTER TABLE people DROP COLUMN email',
	'ALTER TABLE people ADD COLUMN email text; ALTER TABLE people ALTER COLUMN email SET NOT NULL', 'k1');
SELECT revision, operation FROM migrate.upgrade('k2');
SELECT project, revision, step, kind, relation, column_name, rows, bytes > 0 AS sized, size IS NOT NULL AS has_size,
	   kept_by = current_user AS by_me, note
  FROM migrate.kept_data WHERE project = 'kept';
SELECT count(*) FROM migrate.kept_row r JOIN migrate.kept k ON k.id = r.kept WHERE k.project = 'kept';
SELECT revision, operation FROM migrate.downgrade('k1');
SELECT count(*) AS restored FROM people p JOIN people_before b USING (id) WHERE p.email = b.email;
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'people'::regclass AND attname = 'email';
-- put back, no longer kept
SELECT count(*) FROM migrate.kept_data WHERE project = 'kept';
SELECT count(*) FROM migrate.kept_row r JOIN migrate.kept k ON k.id = r.kept WHERE k.project = 'kept';

-- A downgrade drops a column; the next upgrade brings it back.
SELECT migrate.register('k3', 'ALTER TABLE people ADD COLUMN nickname text', 'ALTER TABLE people DROP COLUMN nickname', 'k2');
SELECT count(*) FROM migrate.upgrade('k3');
UPDATE people SET nickname = 'nick ' || id WHERE id <= 500;
SELECT revision, operation FROM migrate.downgrade('k2');
SELECT revision, step, column_name, rows FROM migrate.kept_data WHERE project = 'kept';
SELECT revision, operation FROM migrate.upgrade('k3');
SELECT count(nickname), min(nickname), max(nickname) FROM people;

-- downgrade('base') drops a table; upgrade brings its rows back, and its
-- serial sequence past them.
SET migrate.project = 'kept_table';
SELECT migrate.register('t1', 'CREATE TABLE notes (id serial PRIMARY KEY, body text, at date DEFAULT ''2024-01-01'')',
	'DROP TABLE notes');
SELECT count(*) FROM migrate.upgrade('t1');
INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 300) g;
UPDATE notes SET body = NULL WHERE id = 7;
SELECT revision, operation FROM migrate.downgrade('base');
SELECT revision, step, kind, relation, column_name, rows FROM migrate.kept_data WHERE project = 'kept_table';
SELECT revision, operation FROM migrate.upgrade('head');
SELECT count(*), count(body), min(id), max(id) FROM notes;
SELECT body FROM notes WHERE id IN (7, 8) ORDER BY id;
INSERT INTO notes (body) VALUES ('after') RETURNING id;

-- A table without a primary key goes back whole.
SELECT migrate.register('t2', 'CREATE TABLE tags (name text, weight int)', 'DROP TABLE tags', 't1');
SELECT count(*) FROM migrate.upgrade('t2');
INSERT INTO tags VALUES ('a', 1), ('b', 2), ('a', 1);
SELECT count(*) FROM migrate.downgrade('t1');
SELECT count(*) FROM migrate.upgrade('t2');
SELECT name, weight FROM tags ORDER BY 1, 2;

-- A revision that creates a table and fills it with rows of its own: those
-- go in first (a table's kept rows wait for the end of the body), and the
-- kept rows with their keys stay kept, reported; the others go back.
SET migrate.project = 'kept_seed';
SELECT migrate.register('s1', $$CREATE TABLE colors (id serial PRIMARY KEY, name text);
INSERT INTO colors (name) VALUES ('red'), ('green')$$, 'DROP TABLE colors');
SELECT count(*) FROM migrate.upgrade('s1');
UPDATE colors SET name = 'crimson' WHERE id = 1;
INSERT INTO colors (name) VALUES ('blue');
SELECT count(*) FROM migrate.downgrade('base');
SELECT count(*) FROM migrate.upgrade('s1');
SELECT id, name FROM colors ORDER BY id;
-- the sequence moved past the row that went back
INSERT INTO colors (name) VALUES ('after') RETURNING id;
SELECT revision, rows, note FROM migrate.kept_data WHERE project = 'kept_seed';
SELECT r.vals FROM migrate.kept_row r JOIN migrate.kept k ON k.id = r.kept
 WHERE k.project = 'kept_seed' ORDER BY r.vals;

-- A column retyped in between is reported, not put back, and stays kept.
SET migrate.project = 'kept_retype';
CREATE TABLE scores (id int PRIMARY KEY, points int);
INSERT INTO scores SELECT g, g * 2 FROM generate_series(1, 100) g;
SELECT migrate.register('r1', 'ALTER TABLE scores DROP COLUMN points', 'ALTER TABLE scores ADD COLUMN points bigint');
SELECT count(*) FROM migrate.upgrade('r1');
SELECT revision, operation FROM migrate.downgrade('base');
SELECT count(points) FROM scores;
SELECT revision, column_name, rows, note FROM migrate.kept_data WHERE project = 'kept_retype';

-- Rows that no longer match stay kept; those that match go back.
SET migrate.project = 'kept_match';
CREATE TABLE items (id int PRIMARY KEY, label text);
INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10) g;
SELECT migrate.register('m1', 'ALTER TABLE items DROP COLUMN label', 'ALTER TABLE items ADD COLUMN label text');
SELECT count(*) FROM migrate.upgrade('m1');
DELETE FROM items WHERE id > 7;
SELECT count(*) FROM migrate.downgrade('base');
SELECT id, label FROM items ORDER BY id;
SELECT revision, rows, note FROM migrate.kept_data WHERE project = 'kept_match';
SELECT r.key, r.vals FROM migrate.kept_row r JOIN migrate.kept k ON k.id = r.kept
 WHERE k.project = 'kept_match' ORDER BY r.key;

-- Without a primary key, a dropped column's rows are matched by their
-- other columns; two rows alike but for the dropped column are not
-- guessed at.
SET migrate.project = 'kept_nokey';
CREATE TABLE pairs (a int, b text);
INSERT INTO pairs VALUES (1, 'x'), (2, 'y'), (3, 'z'), (4, 'u'), (4, 'v');
SELECT migrate.register('n1', 'ALTER TABLE pairs DROP COLUMN b', 'ALTER TABLE pairs ADD COLUMN b text');
SELECT count(*) FROM migrate.upgrade('n1');
SELECT count(*) FROM migrate.downgrade('base');
SELECT a, b FROM pairs ORDER BY a, b;
SELECT rows, note FROM migrate.kept_data WHERE project = 'kept_nokey';

-- keep_dropped_data => false keeps nothing; the column is just dropped.
SET migrate.project = 'kept_off';
CREATE TABLE plain (id int PRIMARY KEY, v text);
INSERT INTO plain SELECT g, 'v' FROM generate_series(1, 10) g;
SELECT migrate.configure('kept_off', keep_dropped_data => false);
SELECT keep_dropped_data FROM migrate.project WHERE name = 'kept_off';
SELECT changed_at AS off_at FROM migrate.project WHERE name = 'kept_off' \gset
SELECT migrate.configure('kept_off', keep_dropped_data => false);
SELECT changed_at = :'off_at' AS unchanged FROM migrate.project WHERE name = 'kept_off';
SELECT migrate.register('f1', 'ALTER TABLE plain DROP COLUMN v', 'ALTER TABLE plain ADD COLUMN v text');
SELECT revision, operation FROM migrate.upgrade('f1');
SELECT count(*) FROM migrate.kept WHERE project = 'kept_off';
SELECT count(*) FROM migrate.downgrade('base');
SELECT count(v) FROM plain;
-- reset: the default, on
SELECT migrate.configure('kept_off', reset => '{keep_dropped_data}');
SELECT keep_dropped_data FROM migrate.project WHERE name = 'kept_off';

-- purge_kept(): by project and age.
SET migrate.project = 'kept_purge';
CREATE TABLE old_rows (id int PRIMARY KEY, v int);
INSERT INTO old_rows VALUES (1, 1);
SELECT migrate.register('p1', 'ALTER TABLE old_rows DROP COLUMN v', 'ALTER TABLE old_rows ADD COLUMN v int');
SELECT count(*) FROM migrate.upgrade('p1');
SELECT migrate.purge_kept('1 day', 'kept_purge');
SELECT migrate.purge_kept('0');
SELECT count(*) FROM migrate.kept WHERE project = 'kept_purge';
SELECT migrate.purge_kept(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.purge_kept('-1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.purge_kept('0', '');
\echo :LAST_ERROR_SQLSTATE

-- Who.  Kept rows may hold secrets: only migrators read them.  Putting
-- rows back runs as the body's runner (the project's run_as here), whose
-- triggers fire with its own rights.
CREATE ROLE kept_app;
CREATE ROLE kept_outsider;
GRANT CREATE ON SCHEMA public TO kept_app;
SET migrate.project = 'kept_who';
SELECT migrate.configure('kept_who', run_as => 'kept_app');
SELECT migrate.register('w1', $$CREATE TABLE secrets (id int PRIMARY KEY, token text);
	CREATE TABLE seen (who name, n int);
	CREATE FUNCTION note_who() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN INSERT INTO seen VALUES (current_user, 1); RETURN NULL; END';
	CREATE TRIGGER secrets_seen AFTER UPDATE ON secrets FOR EACH STATEMENT EXECUTE FUNCTION note_who()$$,
	'DROP TABLE secrets, seen; DROP FUNCTION note_who()');
SELECT count(*) FROM migrate.upgrade('w1');
INSERT INTO secrets SELECT g, 'secret ' || g FROM generate_series(1, 5) g;
SELECT migrate.register('w2', 'ALTER TABLE secrets DROP COLUMN token', 'ALTER TABLE secrets ADD COLUMN token text', 'w1');
SELECT count(*) FROM migrate.upgrade('w2');
SELECT kept_by = current_user AS by_caller FROM migrate.kept WHERE project = 'kept_who';
SET ROLE kept_outsider;
SELECT count(*) FROM migrate.kept_row;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM migrate.kept;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM migrate.kept_data;
\echo :LAST_ERROR_SQLSTATE
SELECT migrate.purge_kept('0', 'kept_who');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) FROM migrate.downgrade('w1');
SELECT count(token) FROM secrets;
SELECT who, n FROM seen;
-- the scratch table the rows went through is gone
SELECT count(*) FROM pg_class WHERE relname LIKE 'migrate_kept_%';
REVOKE CREATE ON SCHEMA public FROM kept_app;

-- Clean up.
RESET migrate.project;
SELECT migrate.purge_kept('0', p) FROM unnest(ARRAY['kept', 'kept_table', 'kept_seed', 'kept_retype', 'kept_match', 'kept_nokey', 'kept_who']) p;
DROP TABLE people, people_before, notes, tags, colors, scores, items, pairs, plain, old_rows;
DROP TABLE secrets, seen;
DROP FUNCTION note_who();
DROP ROLE kept_app, kept_outsider;
