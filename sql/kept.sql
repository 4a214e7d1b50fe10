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

-- A column that is there when the opposite step begins (added again by
-- hand meanwhile) was not brought back by it: its values stay as they are,
-- and the kept ones stay kept.
SET migrate.project = 'kept_there';
CREATE TABLE hand (id int PRIMARY KEY, note text);
INSERT INTO hand SELECT g, 'kept ' || g FROM generate_series(1, 5) g;
SELECT migrate.register('h1', 'ALTER TABLE hand DROP COLUMN note',
	'CREATE INDEX hand_id ON hand (id); ALTER TABLE hand ADD COLUMN IF NOT EXISTS note text');
SELECT count(*) FROM migrate.upgrade('h1');
ALTER TABLE hand ADD COLUMN note text;
UPDATE hand SET note = 'live ' || id;
SELECT count(*) FROM migrate.downgrade('base');
SELECT id, note FROM hand ORDER BY id;
SELECT revision, column_name, rows FROM migrate.kept_data WHERE project = 'kept_there';

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

-- Values are written and read back under fixed settings: a body (or a
-- session) with another DateStyle or extra_float_digits neither changes
-- nor rounds them.
SET migrate.project = 'kept_styles';
CREATE TABLE styled (id int PRIMARY KEY, day date, ratio float8, span interval);
INSERT INTO styled VALUES (1, '2020-03-04', 0.1::float8 + 0.2::float8, '-1 day +2 hours');
CREATE TABLE styled_before AS SELECT * FROM styled;
SELECT migrate.register('s1', $$SET DateStyle = 'SQL, DMY'; SET extra_float_digits = 0; SET IntervalStyle = sql_standard;
	ALTER TABLE styled DROP COLUMN day, DROP COLUMN ratio, DROP COLUMN span$$,
	$$SET DateStyle = 'SQL, MDY'; ALTER TABLE styled ADD COLUMN day date, ADD COLUMN ratio float8, ADD COLUMN span interval$$);
SELECT count(*) FROM migrate.upgrade('s1');
SELECT count(*) FROM migrate.downgrade('base');
SELECT s.day = b.day AS same_day, s.ratio = b.ratio AS same_ratio, s.span = b.span AS same_span
  FROM styled s JOIN styled_before b USING (id);

-- What is kept is what the type's output function writes: a cast to text
-- that the owner of a column's type created is not called (it would run
-- as the body's runner).  Nor does a dropped table's row set take in the
-- rows of the tables that inherit from it.
CREATE ROLE kept_caster;
CREATE SCHEMA kept_cast AUTHORIZATION kept_caster;
SET ROLE kept_caster;
CREATE TYPE kept_cast.mood AS ENUM ('sad', 'ok');
CREATE FUNCTION kept_cast.mood_text(kept_cast.mood) RETURNS text LANGUAGE plpgsql
	AS $$BEGIN RAISE EXCEPTION 'the cast of role % ran as %', 'kept_caster', current_user; END$$;
CREATE CAST (kept_cast.mood AS text) WITH FUNCTION kept_cast.mood_text(kept_cast.mood);
CREATE TABLE kept_cast.moods (id int PRIMARY KEY, m kept_cast.mood);
INSERT INTO kept_cast.moods VALUES (1, 'sad'), (2, 'ok');
RESET ROLE;
SET migrate.project = 'kept_cast';
SELECT migrate.register('c1', 'ALTER TABLE kept_cast.moods DROP COLUMN m', 'ALTER TABLE kept_cast.moods ADD COLUMN m kept_cast.mood');
SELECT count(*) FROM migrate.upgrade('c1');
SELECT r.key, r.vals FROM migrate.kept_row r JOIN migrate.kept k ON k.id = r.kept
 WHERE k.project = 'kept_cast' ORDER BY r.key;
SELECT count(*) FROM migrate.downgrade('base');
SELECT id, m FROM kept_cast.moods ORDER BY id;
CREATE TABLE family (id int, who text);
CREATE TABLE family_child () INHERITS (family);
INSERT INTO family VALUES (1, 'parent');
INSERT INTO family_child VALUES (2, 'child');
SELECT migrate.register('c2', 'DROP TABLE family CASCADE', 'CREATE TABLE family (id int, who text)', 'c1');
SELECT count(*) FROM migrate.upgrade('c2');
SELECT revision, relation, rows FROM migrate.kept_data WHERE project = 'kept_cast';
SELECT count(*) FROM migrate.downgrade('c1');
SELECT id, who FROM family ORDER BY id;
-- The owner of a table whose column a superuser's revision drops and adds
-- back does not get its trigger run as that superuser: rows are read and
-- put back as the table's owner.
CREATE ROLE kept_tabowner;
CREATE SCHEMA kept_owned AUTHORIZATION kept_tabowner;
SET ROLE kept_tabowner;
CREATE TABLE kept_owned.t (id int PRIMARY KEY, c text);
INSERT INTO kept_owned.t VALUES (1, 'x');
CREATE FUNCTION kept_owned.who() RETURNS trigger LANGUAGE plpgsql
	AS $$BEGIN RAISE NOTICE 'trigger of kept_tabowner runs as %, superuser: %', current_user,
		(SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user); RETURN NEW; END$$;
CREATE TRIGGER t_who BEFORE UPDATE ON kept_owned.t FOR EACH ROW EXECUTE FUNCTION kept_owned.who();
RESET ROLE;
SELECT migrate.register('o1', 'ALTER TABLE kept_owned.t DROP COLUMN c', 'ALTER TABLE kept_owned.t ADD COLUMN c text', project => 'kept_owned');
SELECT count(*) FROM migrate.upgrade('o1', 'kept_owned');
SELECT count(*) FROM migrate.downgrade('base', 'kept_owned');
SELECT id, c FROM kept_owned.t;
-- An owner that may no longer read its table (USAGE on its schema
-- revoked): nothing can be kept, and the step fails, saying why (42501).
CREATE SCHEMA kept_unreadable;
GRANT USAGE, CREATE ON SCHEMA kept_unreadable TO kept_tabowner;
SET ROLE kept_tabowner;
CREATE TABLE kept_unreadable.t (id int PRIMARY KEY, c text);
INSERT INTO kept_unreadable.t VALUES (1, 'x');
RESET ROLE;
REVOKE USAGE ON SCHEMA kept_unreadable FROM kept_tabowner;
SELECT migrate.register('o2', 'ALTER TABLE kept_unreadable.t DROP COLUMN c', 'ALTER TABLE kept_unreadable.t ADD COLUMN c text', 'o1', project => 'kept_owned');
SELECT count(*) FROM migrate.upgrade('o2', 'kept_owned');
\echo :LAST_ERROR_SQLSTATE
SELECT count(c) FROM kept_unreadable.t;
-- A temporary table is not kept: its rows could come back only in its own
-- session, whose temporary schema is another session's later.
CREATE TEMPORARY TABLE kept_scratch (id int PRIMARY KEY, v text);
INSERT INTO kept_scratch VALUES (1, 'x');
SELECT migrate.register('o3', 'DROP TABLE pg_temp.kept_scratch', 'CREATE TEMPORARY TABLE kept_scratch (id int PRIMARY KEY, v text)', 'o1', project => 'kept_owned');
SELECT count(*) FROM migrate.upgrade('o3', 'kept_owned');
SELECT revision, relation FROM migrate.kept_data WHERE project = 'kept_owned' ORDER BY id;
-- ALTER TABLE ... DROP COLUMN on a view fails: nothing is read to keep.
CREATE VIEW styled_v AS SELECT id, day FROM styled;
SELECT migrate.register('c3', 'ALTER TABLE styled_v DROP COLUMN day', 'SELECT 1', 'c2');
SELECT count(*) FROM migrate.upgrade('c3');
DROP VIEW styled_v;

-- A partitioned table's rows go back through it once the statements after
-- its CREATE TABLE have made its partitions again; a partition dropped
-- with it is not kept twice.  Rows no partition takes by the end of the
-- body stay kept.
SET migrate.project = 'kept_parts';
CREATE TABLE parts (id int, v text) PARTITION BY RANGE (id);
CREATE TABLE parts_low PARTITION OF parts FOR VALUES FROM (0) TO (10);
CREATE TABLE parts_high PARTITION OF parts FOR VALUES FROM (10) TO (20);
INSERT INTO parts VALUES (1, 'a'), (11, 'b'), (2, 'c');
SELECT migrate.register('p1', 'DROP TABLE parts_low, parts',
	$$CREATE TABLE parts (id int, v text) PARTITION BY RANGE (id);
	CREATE TABLE parts_low PARTITION OF parts FOR VALUES FROM (0) TO (10);
	CREATE TABLE parts_high PARTITION OF parts FOR VALUES FROM (10) TO (20)$$);
SELECT count(*) FROM migrate.upgrade('p1');
SELECT revision, relation, rows FROM migrate.kept_data WHERE project = 'kept_parts';
SELECT count(*) FROM migrate.downgrade('base');
SELECT tableoid::regclass AS partition, id, v FROM parts ORDER BY id;
SELECT count(*) FROM migrate.kept_data WHERE project = 'kept_parts';
SET migrate.project = 'kept_parts2';
SELECT migrate.register('q1', 'DROP TABLE parts',
	$$CREATE TABLE parts (id int, v text) PARTITION BY RANGE (id);
	CREATE TABLE parts_low PARTITION OF parts FOR VALUES FROM (0) TO (10)$$);
SELECT count(*) FROM migrate.upgrade('q1');
SELECT count(*) FROM migrate.downgrade('base');
SELECT count(*) FROM parts;
SELECT relation, rows, note FROM migrate.kept_data WHERE project = 'kept_parts2';

-- Who.  Kept rows may hold secrets: only migrators read them.  Putting
-- rows back runs as the table's owner (the project's run_as here, which
-- made it), whose triggers fire with its own rights.
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
SELECT migrate.purge_kept('0', p) FROM unnest(ARRAY['kept', 'kept_table', 'kept_seed', 'kept_there', 'kept_retype', 'kept_match', 'kept_nokey', 'kept_who', 'kept_styles', 'kept_cast', 'kept_parts', 'kept_parts2', 'kept_owned']) p;
DROP TABLE people, people_before, notes, tags, colors, hand, scores, items, pairs, plain, old_rows;
DROP TABLE secrets, seen;
DROP TABLE styled, styled_before, family, parts CASCADE;
DROP SCHEMA kept_cast CASCADE;
DROP SCHEMA kept_owned CASCADE;
DROP SCHEMA kept_unreadable CASCADE;
DROP FUNCTION note_who();
DROP ROLE kept_app, kept_outsider, kept_caster, kept_tabowner;
