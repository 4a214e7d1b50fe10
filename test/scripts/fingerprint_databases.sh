#!/bin/bash
# Two databases built by the same DDL in different orders have the same
# fingerprint (rows and hash, every user schema); one change in one of them
# shows as that one row.  The DDL covers every kind of object the
# fingerprint describes.  On Debian's PostgreSQL 15 every column carries an
# internal attoptions entry (pg_attver=N) that differs between the two
# databases: it must not show.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
psql_q() {
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$@"
}

one=migrate_fp_one
two=migrate_fp_two
for db in "$one" "$two"; do
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb "$db" || exit 1
done
psql_q -d "$one" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fp_db_reader')
	THEN CREATE ROLE fp_db_reader; END IF; END \$\$" || exit 1

# In database one: types first, tables in dependency order, extras last.
psql_q -d "$one" <<'SQL' || exit 1
CREATE EXTENSION migrate;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer DEFAULT 1 NOT NULL CHECK (VALUE > 0);
CREATE TYPE pair AS (x integer, y text COLLATE "C");
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE SEQUENCE counter START 5 INCREMENT 2;
CREATE TABLE account (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL COLLATE "C",
	m app.mood DEFAULT 'ok', n posint, total numeric(10,2) GENERATED ALWAYS AS (n * 2) STORED,
	c int DEFAULT nextval('counter'));
ALTER SEQUENCE counter OWNED BY account.c;
CREATE TABLE child (id serial PRIMARY KEY, account_id bigint REFERENCES account (id) ON DELETE CASCADE,
	note text, CHECK (note <> ''));
CREATE INDEX child_note ON child (lower(note)) WHERE note IS NOT NULL;
CREATE UNLOGGED TABLE ulog (a int) WITH (fillfactor = 70, autovacuum_enabled = false);
CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE INDEX ON parted (v);
CREATE VIEW v AS SELECT id, name FROM account WHERE m = 'happy';
CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM child;
CREATE FUNCTION add1(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 1 $$;
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE PROCEDURE p(x int) LANGUAGE sql BEGIN ATOMIC SELECT add1(x); END;
CREATE TRIGGER t1 BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION trg();
CREATE AGGREGATE mysum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
ALTER TABLE account ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON account FOR SELECT TO PUBLIC USING (name = current_user);
COMMENT ON TABLE account IS 'accounts';
COMMENT ON COLUMN account.name IS 'the name';
COMMENT ON COLUMN v.name IS 'view col';
GRANT SELECT ON account TO fp_db_reader;
GRANT SELECT (note) ON child TO fp_db_reader;
REVOKE EXECUTE ON FUNCTION add1(integer) FROM PUBLIC;
CREATE STATISTICS st (ndistinct) ON id, account_id FROM child;
CREATE RULE r AS ON DELETE TO ulog DO INSTEAD NOTHING;
SQL

# In database two: the same statements, shuffled where dependencies allow,
# with unrelated tables created and dropped in between (other OIDs).
psql_q -d "$two" <<'SQL' || exit 1
CREATE TABLE filler1 (a int, b int, c int);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE AGGREGATE mysum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
CREATE UNLOGGED TABLE ulog (a int) WITH (autovacuum_enabled = false, fillfactor = 70);
CREATE RULE r AS ON DELETE TO ulog DO INSTEAD NOTHING;
CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
CREATE INDEX ON parted (v);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
DROP TABLE filler1;
CREATE TYPE pair AS (x integer, y text COLLATE "C");
CREATE FUNCTION add1(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 1 $$;
CREATE PROCEDURE p(x int) LANGUAGE sql BEGIN ATOMIC SELECT add1(x); END;
REVOKE EXECUTE ON FUNCTION add1(integer) FROM PUBLIC;
CREATE DOMAIN posint AS integer DEFAULT 1 NOT NULL CHECK (VALUE > 0);
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'happy');
ALTER TYPE app.mood ADD VALUE 'ok' AFTER 'sad';
CREATE SEQUENCE counter START 5 INCREMENT 2;
CREATE TABLE account (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL COLLATE "C",
	m app.mood DEFAULT 'ok', n posint, total numeric(10,2) GENERATED ALWAYS AS (n * 2) STORED,
	c int DEFAULT nextval('counter'));
GRANT SELECT ON account TO fp_db_reader;
CREATE POLICY own ON account FOR SELECT TO PUBLIC USING (name = current_user);
ALTER TABLE account ENABLE ROW LEVEL SECURITY;
COMMENT ON COLUMN account.name IS 'the name';
CREATE VIEW v AS SELECT id, name FROM account WHERE m = 'happy';
COMMENT ON COLUMN v.name IS 'view col';
ALTER SEQUENCE counter OWNED BY account.c;
CREATE TABLE child (id serial PRIMARY KEY, account_id bigint, note text);
ALTER TABLE child ADD CHECK (note <> '');
ALTER TABLE child ADD FOREIGN KEY (account_id) REFERENCES account (id) ON DELETE CASCADE;
CREATE STATISTICS st (ndistinct) ON id, account_id FROM child;
CREATE TRIGGER t1 BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION trg();
GRANT SELECT (note) ON child TO fp_db_reader;
CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM child;
CREATE INDEX child_note ON child (lower(note)) WHERE note IS NOT NULL;
COMMENT ON TABLE account IS 'accounts';
CREATE EXTENSION migrate;
SQL

rows() {
	psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c "SELECT kind, name, definition FROM migrate.fingerprint()"
}
hash() {
	psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c "SELECT migrate.fingerprint_hash()"
}

# the internal pg_attver option differs between the databases, when present
attver=$(psql -X -A -t -d "$one" -c "SELECT count(*) FROM pg_attribute
	WHERE attoptions::text LIKE '%pg_attver%' AND attrelid = 'public.account'::regclass")
echo "columns of account with a pg_attver option: $attver"

rows_one=$(rows "$one") || exit 1
rows_two=$(rows "$two") || exit 1
nrows=$(printf '%s\n' "$rows_one" | wc -l)
if [ "$nrows" -lt 50 ]; then
	fail "expected at least 50 rows, got $nrows"
fi
if [ "$rows_one" != "$rows_two" ]; then
	fail "the fingerprints differ:"
	diff <(printf '%s\n' "$rows_one") <(printf '%s\n' "$rows_two")
fi
if [ "$(hash "$one")" != "$(hash "$two")" ]; then
	fail "the hashes differ"
fi
if grep -q pg_attver <<<"$rows_one"; then
	fail "pg_attver shows in the fingerprint"
fi

# one change: one row differs, and the hash
psql_q -d "$two" -c "ALTER TABLE account ALTER COLUMN name SET STATISTICS 200" || exit 1
changed=$(diff <(printf '%s\n' "$rows_one") <(rows "$two") | grep -c '^[<>]')
if [ "$changed" -ne 2 ]; then
	fail "one change should change one row (one line out, one in), got $changed lines"
fi
if [ "$(hash "$one")" = "$(hash "$two")" ]; then
	fail "the hash did not change"
fi

for db in "$one" "$two"; do dropdb "$db"; done
psql_q -c "DROP ROLE IF EXISTS fp_db_reader" >/dev/null 2>&1
if [ "$failures" -gt 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "ok: $nrows rows, equal in both databases; one change shows as one row"
