#!/usr/bin/python3
"""No object another role creates is ever used by migrate_tap's assertions.

A role that may create objects in public and in a project's target schema
(as doc/privileges.md tells operators to let deployers) tries to capture every
built-in function and operator the assertions call: for each name they use,
it creates look-alikes in both schemas, with pg_catalog's signatures and
with each argument's type changed to another plausible one (a look-alike
with a better-matching argument type wins over pg_catalog's, even with
pg_catalog first on the search_path), and every operator symbol they use
over every pair of those types.  Each look-alike, if it ever ran, would take
a value of a sequence (which no rollback gives back) and raise an error.

Then a superuser runs every assertion of migrate_tap in its passing and
its failing form, and the migrate functions they call: once with those two
schemas first on its search_path (the assertions' own calls must not care;
the revision bodies they run, whose names do resolve through the caller's
search_path, are refused by migrate), once with pg_catalog alone (every
assertion runs its bodies and gives its result).  The sequence must never
have moved, and no output may mention a capture.

Runs inside the throw-away cluster of test/run.sh (PG* variables set).
"""

import os
import re
import subprocess
import sys

import psycopg2

DB = "migrate_capture"
# the types a value in the assertions may have, and plausible near misses
TYPES = ["text", "character varying", "name", "integer", "bigint", "numeric",
         "boolean", "jsonb", "text[]", "name[]", "integer[]", '"char"']
KEYWORDS = {"coalesce", "array", "exists", "case", "when", "then", "else",
            "end", "select", "from", "where", "and", "or", "not", "in",
            "values", "row", "null", "is", "as", "on", "join", "returns",
            "with", "order", "by", "if", "raise", "exception", "using",
            "perform", "return", "for", "loop", "foreach", "begin", "declare",
            "into", "elsif", "operator", "function", "set", "language",
            "ordinality", "filter", "any", "all", "some", "nullif", "greatest",
            "least", "cast", "treat", "position", "substring", "overlay",
            "trim", "extract", "left", "right", "varchar", "char", "numeric"}


def connect(dbname, user=None):
    conn = psycopg2.connect(dbname=dbname, user=user or os.environ.get("PGUSER"))
    conn.autocommit = True
    return conn


def q(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


def names_used(conn):
    """Function and operator names in the bodies of migrate_tap's functions."""
    bodies = [r[0] for r in q(conn, """
        SELECT p.prosrc FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
               AND d.objid = p.oid AND d.deptype = 'e'
          JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
         WHERE e.extname = 'migrate_tap'""")]
    text = "\n".join(bodies)
    # string literals and comments say nothing about calls
    text = re.sub(r"--[^\n]*", " ", text)
    text = re.sub(r"E?'(?:[^']|'')*'", "''", text)
    funcs = {m.lower() for m in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", text)}
    funcs -= KEYWORDS
    ops = set(re.findall(r"OPERATOR\(pg_catalog\.([^)]+)\)", text))
    ops |= set(re.findall(r"(\|\||<>|>=|<=|!=|~~|[=<>])", re.sub(r"OPERATOR\([^)]*\)", " ", text)))
    ops.discard(":=")
    return sorted(funcs), sorted(ops)


def capture_function(schema, name, argtypes, rettype, serial):
    args = ", ".join(argtypes)
    return f"""
CREATE FUNCTION {schema}.{name}({args}) RETURNS {rettype} LANGUAGE plpgsql AS $c$
BEGIN
    PERFORM pg_catalog.nextval('capture_attacker.captured');
    RAISE EXCEPTION 'captured: {schema}.{name}({args}) #{serial}';
END
$c$"""


def create_captures(conn, funcs, ops):
    """As the attacker: look-alikes of every name used, in both schemas."""
    created = 0
    serial = 0
    stmts = []
    for name in funcs:
        sigs = q(conn, """
            SELECT ARRAY(SELECT pg_catalog.format_type(t, NULL)
                           FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) t),
                   pg_catalog.format_type(p.prorettype, NULL)
              FROM pg_catalog.pg_proc p
             WHERE p.proname = %s AND p.prokind = 'f'
               AND p.pronamespace <> 'migrate'::pg_catalog.regnamespace""", (name,))
        variants = set()
        for argtypes, rettype in sigs:
            if rettype in ("anyelement", "anyarray", "anycompatible", "anycompatiblearray",
                           "anynonarray", "record", "trigger", "void", "internal", "cstring"):
                rettype = "text"
            concrete = [t if not t.startswith(("any", '"any"')) else "text" for t in argtypes]
            if all(not t.startswith(("internal", "cstring")) for t in concrete):
                variants.add((tuple(concrete), rettype))
            for i in range(len(argtypes)):
                for t in TYPES:
                    alt = list(concrete)
                    alt[i] = t
                    variants.add((tuple(alt), rettype))
        for argtypes, rettype in sorted(variants):
            for schema in ("public", "capture_live"):
                serial += 1
                stmts.append(capture_function(schema, name, argtypes, rettype, serial))
    for op in ops:
        for left in TYPES:
            for right in TYPES:
                for schema in ("public", "capture_live"):
                    serial += 1
                    fn = f"capture_op_{serial}"
                    stmts.append(capture_function(schema, fn, [left, right], "boolean", serial))
                    stmts.append(f"CREATE OPERATOR {schema}.{op} (FUNCTION = {schema}.{fn}, "
                                 f"LEFTARG = {left}, RIGHTARG = {right})")
    for stmt in stmts:
        try:
            q(conn, stmt)
            created += 1
        except psycopg2.Error:
            # the same signature exists there already (migrate_tap's own)
            pass
    return created


SETUP = """
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
CREATE EXTENSION migrate;
CREATE EXTENSION migrate_tap;
CREATE ROLE capture_attacker LOGIN;
CREATE SCHEMA capture_live;
GRANT CREATE, USAGE ON SCHEMA public, capture_live TO capture_attacker;
CREATE SCHEMA capture_attacker AUTHORIZATION capture_attacker;
"""

# The assertions are called schema-qualified and with exact argument types:
# what the caller's own calls resolve to is the caller's search_path's
# business.  pgTAP lives in a schema of its own, which the attacker cannot
# write: pgTAP's functions resolve what they call through the search_path
# (doc/privileges.md says to install it where only trusted roles create objects).
# migrate_tap is in public, beside the attacker's look-alikes of its own
# functions.
SETUP_RUN = r"""
SET search_path = tap;
SELECT tap.no_plan();
SET search_path = pg_catalog;
CREATE SCHEMA cap_app;
SELECT migrate.configure('cap', target_schema => 'cap_app');
SELECT migrate.register('c1', 'CREATE TABLE item (id integer PRIMARY KEY, name text CHECK (lower(name) <> ''root''))',
                        'DROP TABLE item', project => 'cap');
SELECT migrate.register('c2', 'CREATE INDEX item_name ON item (name)', 'DROP INDEX item_name',
                        down_revision => 'c1', project => 'cap');
SELECT migrate.register('c3', 'ALTER TABLE item ADD COLUMN note text', 'ALTER TABLE item DROP COLUMN note',
                        down_revision => 'c2', project => 'cap');
SELECT migrate.configure('cap_nontx', target_schema => 'cap_app');
SELECT migrate.register('n1', 'CREATE TABLE note (id integer PRIMARY KEY, body text)', 'DROP TABLE note',
                        project => 'cap_nontx');
SELECT migrate.register('n2', 'CREATE INDEX CONCURRENTLY note_body ON note (body)',
                        'DROP INDEX note_body', down_revision => 'n1', project => 'cap_nontx',
                        transactional => false);
SELECT migrate.register('x1', 'SELECT 1', 'SELECT 1', project => 'cap_branched');
SELECT migrate.register('x2', 'SELECT 1', 'SELECT 1', down_revision => 'x1', project => 'cap_branched');
SELECT migrate.register('x3', 'SELECT 1', 'SELECT 1', down_revision => 'x1', project => 'cap_branched');
SELECT migrate.configure('cap_empty');
SELECT migrate.register('f1', 'SELECT * FROM no_such_table', 'SELECT 1', project => 'cap_failing');
CREATE SCHEMA capture_reference;
CREATE TABLE capture_reference.item (id integer PRIMARY KEY, name text);
"""

# every assertion, passing and failing
ASSERTIONS = r"""
SELECT public.has_single_head('cap'::text);
SELECT public.has_single_head('cap'::text, 'described'::text);
SELECT public.has_single_head('cap_branched'::text);
SELECT public.has_single_head('cap_empty'::text);
SELECT public.no_pending('cap'::text);
SELECT public.no_pending('cap'::text, 'described'::text);
SELECT public.max_lock_on_existing('cap'::text, 'AccessExclusiveLock'::text);
SELECT public.max_lock_on_existing('cap'::text, 'access share'::text, 'described'::text);
SELECT public.max_lock_on_existing('cap_failing'::text, 'AccessExclusiveLock'::text);
SELECT public.max_lock_on_existing('cap_nontx'::text, 'ShareLock'::text);
SELECT public.revisions_are_reversible('cap'::text);
SELECT public.revisions_are_reversible('cap'::text, 'described'::text);
SELECT public.revisions_are_reversible('cap_failing'::text);
SELECT public.schema_matches('cap'::text, 'capture_reference'::name);
SELECT public.schema_matches('cap'::text, 'capture_reference'::name, 'described'::text);
SELECT public.schema_matches('cap'::text, 'cap_app'::name, 'capture_reference'::name, 'described'::text);
SELECT public.schema_matches('cap_failing'::text, 'capture_reference'::name);
SELECT public.lint_clean('cap'::text);
SELECT public.lint_clean('cap_failing'::text, 'lint described'::text);
"""

# the superuser's search_path with the attacker's schemas first: the
# assertions' own calls must not care, and the bodies they run are refused
# (a body's names resolve through the caller's search_path, and migrate
# refuses one whose search_path holds another role's objects)
HOSTILE = "SET search_path = capture_live, public, pg_catalog;\n" + ASSERTIONS

# the superuser's own search_path is pg_catalog only: every assertion runs
# its bodies and gives its result
BENIGN = "SET search_path = pg_catalog;\n" + ASSERTIONS + r"""
SELECT * FROM migrate.trial('head', 'cap');
SELECT * FROM migrate.check_reversible('cap');
SELECT * FROM migrate.status;
SELECT * FROM migrate.lint('cap');
SELECT revision FROM migrate.upgrade('head', 'cap');
INSERT INTO cap_app.item SELECT g, 'item ' || g, 'note' FROM pg_catalog.generate_series(1, 10) g;
SELECT revision FROM migrate.downgrade('c2', 'cap');
SELECT revision FROM migrate.upgrade('head', 'cap');
SELECT 'notes back: ' || pg_catalog.count(note) FROM cap_app.item;
CALL migrate.apply('head', 'cap_nontx');
SELECT public.no_pending('cap'::text);
SELECT * FROM migrate.verify('cap');
CALL migrate.apply_downgrade('base', 'cap_nontx');
SELECT revision FROM migrate.downgrade('base', 'cap');
"""


def main():
    subprocess.run(["dropdb", "--if-exists", DB], check=True, capture_output=True)
    subprocess.run(["createdb", DB], check=True)
    failures = 0
    try:
        su = connect(DB)
        for stmt in SETUP.strip().split(";\n"):
            q(su, stmt)
        funcs, ops = names_used(su)
        attacker = connect(DB, "capture_attacker")
        q(attacker, "CREATE SEQUENCE capture_attacker.captured")
        q(attacker, "GRANT USAGE ON SCHEMA capture_attacker TO PUBLIC")
        q(attacker, "GRANT USAGE, UPDATE ON SEQUENCE capture_attacker.captured TO PUBLIC")
        created = create_captures(attacker, funcs, ops)
        print(f"capture: {len(funcs)} function names and {len(ops)} operators used by migrate_tap; "
              f"{created} look-alikes created by another role in public and capture_live")
        if len(funcs) < 10 or not ops or created < 1000:
            print("FAIL: too few names found to make the test mean anything")
            return 1
        res = subprocess.run(["psql", "-X", "-d", DB, "-At"],
                             input=SETUP_RUN + HOSTILE + BENIGN,
                             capture_output=True, text=True)
        output = res.stdout + res.stderr
        captured = q(su, "SELECT is_called FROM capture_attacker.captured")[0][0]
        if captured or re.search(r"ERROR:\s+captured:", output):
            print("FAIL: a look-alike of another role ran as the superuser")
            print(output)
            failures += 1
        # the run must have done what it says, or it proves nothing
        for want in (r"step 1 \(c1\) failed \(42501\): schema \"capture_live\" on the search_path of the bodies",
                     r"ok \d+ - project \"cap\" has a single head",
                     r"not ok \d+ - project \"cap_branched\" has a single head",
                     r"have: no revisions",
                     r"not ok \d+ - project \"cap\" has no pending revisions",
                     r"ok \d+ - pending revisions of project \"cap\" are reversible",
                     r"not ok \d+ - pending revisions of project \"cap_failing\" are reversible",
                     r"ok \d+ - pending revisions of project \"cap\" take at most AccessExclusiveLock on existing relations",
                     r"step 3 \(c3\): AccessExclusiveLock on cap_app.item \(created by an earlier pending revision\)",
                     r"not ok \d+ - pending revisions of project \"cap_failing\" take at most",
                     r"step 2 \(n2\) not measured: non-transactional revision",
                     r"not ok \d+ - the migrations of project \"cap\" build the schema of capture_reference",
                     r"column item.note: only in cap_app: text",
                     r"ok \d+ - pending revisions of project \"cap\" pass migrate.lint\(\)",
                     r"not ok \d+ - lint described",
                     r"notes back: 10",
                     r"ok \d+ - project \"cap\" has no pending revisions"):
            if not re.search(r"(^|\n)(# +)?" + want, output):
                print(f"FAIL: the run did not show: {want}")
                failures += 1
        if failures:
            print(output)
        else:
            print("ok: no look-alike ran; every assertion gave its result")
    finally:
        subprocess.run(["dropdb", "--if-exists", DB], capture_output=True)
        subprocess.run(["psql", "-X", "-q", "-c", "DROP ROLE IF EXISTS capture_attacker"],
                       capture_output=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
