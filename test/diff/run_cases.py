#!/usr/bin/python3
"""The diff corpus: every case in test/diff/cases/NAME/ is checked by
convergence.

A case is source.sql (the schema as it is, maybe with rows) and target.sql
(the schema as it should be), each run with its own schema alone on the
search_path.  For each case, in both directions unless the case says
otherwise:

  1. build schema a from one file and schema b from the other;
  2. run migrate.diff('a', 'b') in one transaction;
  3. a must now match b, compared through the catalogs
     (migrate.compare_schemas: relative fingerprints);
  4. the rows of a's tables survived: same count, and the same values in
     every column whose type did not change;
  5. no object of a depends on one of b (the script must not make the
     source schema refer to the target schema), and the sequences of
     serial and identity columns are not behind their rows;
  6. migrate.diff('a', 'b') is now empty.

A case may hold a file "expect" with lines:
  destructive        the forward script must mark a destructive statement
  not destructive    it must not
  unsupported        the forward script must say what it cannot do (and is
                     then only checked to run, and to converge elsewhere)
  one way: REASON    the backward direction is not checked, for REASON
  contains: TEXT     the forward script must contain TEXT
  lacks: TEXT        the forward script must not contain TEXT
  needs: N           the case needs PostgreSQL N or later (skipped before)

Runs inside the throw-away cluster of test/run.sh (PG* variables set), in a
database of its own.  Prints one line per case and direction; exits non-zero
on any failure.  --case NAME runs one case and prints its scripts.
"""

import argparse
import os
import sys

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
DB = "migrate_diff_cases"
ROLES = ["diff_reader", "diff_writer"]


def connect(db):
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    return conn


def setup():
    conn = connect("postgres")
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS {DB}")
    cur.execute(f"CREATE DATABASE {DB}")
    for role in ROLES:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if not cur.fetchone():
            cur.execute(f"CREATE ROLE {role}")
    conn.close()
    conn = connect(DB)
    cur = conn.cursor()
    cur.execute("SET client_min_messages = warning")
    cur.execute("CREATE EXTENSION migrate")
    # what cases may reference outside their own schema
    cur.execute("""CREATE DOMAIN public.diff_shared_domain AS integer CHECK (VALUE > 0);
                   CREATE TABLE public.diff_shared_table (id int PRIMARY KEY);
                   CREATE FUNCTION public.diff_shared_function(int) RETURNS int
                       LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1'""")
    return conn


def build(cur, schema, sql):
    cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    cur.execute(f"CREATE SCHEMA {schema}")
    cur.execute(f"SET search_path = {schema}")
    if any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines()):
        cur.execute(sql)
    cur.execute("RESET search_path")


def tables(cur, schema):
    """Each table's columns as (name, type), generated columns left out
    (their values follow from the others)."""
    cur.execute("""SELECT c.relname, array_agg(a.attname::text ORDER BY a.attnum),
                          array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attgenerated = ''
                    GROUP BY c.relname""", (schema,))
    return {name: list(zip(names, types)) for name, names, types in cur.fetchall()}


def sort_rows(rows):
    return sorted(rows, key=lambda r: tuple((v is None, v or "") for v in r))


def contents(cur, schema, table, columns):
    """The rows' values in the given columns, as text, sorted."""
    cols = ", ".join('"' + n.replace('"', '""') + '"::text' for n, _ in columns) or "1"
    # ONLY: the rows of a child are the child's
    cur.execute(f'SELECT {cols} FROM ONLY "{schema}"."' + table.replace('"', '""') + '"')
    return sort_rows(cur.fetchall())


def snapshot(cur, schema):
    return {t: (cols, contents(cur, schema, t, cols)) for t, cols in tables(cur, schema).items()}


def check_rows(cur, schema, before, problems):
    """Every table still there has its rows, and the same values in the
    columns kept with the same name and type."""
    after = tables(cur, schema)
    for table, (cols, old) in before.items():
        if table not in after:
            continue
        kept = [c for c in cols if c in after[table]]
        now = contents(cur, schema, table, kept)
        if len(now) != len(old):
            problems.append(f"table {table}: {len(old)} rows before, {len(now)} after")
            continue
        idx = [cols.index(c) for c in kept]
        if kept and sort_rows([tuple(r[i] for i in idx) for r in old]) != now:
            problems.append(f"table {table}: values of {', '.join(n for n, _ in kept)} changed")


def check_no_reference(cur, source, target, problems):
    """The script must leave no object of the source schema depending on an
    object of the target schema: the target is a scratch copy, and what the
    source's objects refer to must be the source's own (or shared)."""
    # the schema of what depends: defaults, triggers, rules and policies
    # have none of their own, their table's is theirs
    cur.execute("""WITH d AS (
                     SELECT d.*, coalesce((pg_identify_object(d.classid, d.objid, 0)).schema,
                              (SELECT c.relnamespace::regnamespace::text FROM pg_class c
                                WHERE c.oid = CASE d.classid
                                  WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
                                  WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
                                  WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)
                                  WHEN 'pg_policy'::regclass THEN (SELECT polrelid FROM pg_policy WHERE oid = d.objid)
                                END)) AS schema
                       FROM pg_depend d WHERE d.deptype IN ('n', 'a'))
                   SELECT pg_describe_object(classid, objid, objsubid),
                          pg_describe_object(refclassid, refobjid, refobjsubid)
                     FROM d
                    WHERE schema = %s
                      AND (pg_identify_object(refclassid, refobjid, 0)).schema = %s""",
                (source, target))
    for obj, ref in cur.fetchall():
        problems.append(f"{obj} refers to {ref}, in the target schema")


def check_counters(cur, schema, problems):
    """The sequence of every serial or identity column is not behind the
    values the rows hold: the next row must not collide with them (a
    serial turned identity, or back, keeps counting)."""
    cur.execute("""SELECT c.relname, a.attname,
                          pg_get_serial_sequence(format('%%I.%%I', n.nspname, c.relname), a.attname)
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    WHERE n.nspname = %s AND c.relkind = 'r'
                      AND pg_get_serial_sequence(format('%%I.%%I', n.nspname, c.relname), a.attname) IS NOT NULL""",
                (schema,))
    for table, column, seq in cur.fetchall():
        cur.execute(f'SELECT last_value, is_called FROM {seq}')
        last, called = cur.fetchone()
        cur.execute(f'SELECT max("{column}")::bigint FROM "{schema}"."{table}"')
        top = cur.fetchone()[0]
        if top is not None and (last < top or (last == top and not called)):
            problems.append(f"sequence {seq} of {table}.{column} is at {last}, behind the rows (up to {top})")


def read_expect(path):
    expect = {"flags": set(), "contains": [], "lacks": [], "oneway": None, "needs": 0}
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("contains:"):
                expect["contains"].append(line.split(":", 1)[1].strip())
            elif line.startswith("lacks:"):
                expect["lacks"].append(line.split(":", 1)[1].strip())
            elif line.startswith("needs:"):
                expect["needs"] = int(line.split(":", 1)[1]) * 10000
            elif line.startswith("one way:"):
                expect["oneway"] = line.split(":", 1)[1].strip()
            else:
                expect["flags"].add(line)
    return expect


def run_direction(conn, first, second, expect, forward, verbose):
    """Build a from first and b from second, diff a to b, check."""
    cur = conn.cursor()
    problems = []
    build(cur, "a", first)
    build(cur, "b", second)
    before = snapshot(cur, "a")
    cur.execute("SELECT migrate.diff('a', 'b')")
    script = cur.fetchone()[0]
    if verbose:
        print(f"--- script ({'forward' if forward else 'backward'}):\n{script}")
    if forward:
        flags = expect["flags"]
        if "destructive" in flags and "DESTRUCTIVE" not in script:
            problems.append("expected a statement marked destructive")
        if "not destructive" in flags and "DESTRUCTIVE" in script:
            problems.append("a statement is marked destructive")
        for text in expect["contains"]:
            if text not in script:
                problems.append(f"the script lacks {text!r}")
        for text in expect["lacks"]:
            if text in script:
                problems.append(f"the script contains {text!r}")
        if "unsupported" in flags:
            if "NOT DONE" not in script:
                problems.append("expected a NOT DONE comment")
            return script, problems
    if "NOT DONE" in script:
        problems.append("the script says it cannot do something")
    conn.autocommit = False
    try:
        if script:
            cur.execute(script)
        conn.commit()
    except psycopg2.Error as e:
        conn.rollback()
        problems.append(f"the script failed: {e.pgerror.strip() if e.pgerror else e}")
        return script, problems
    finally:
        conn.autocommit = True
    cur.execute("SELECT kind, name, left_definition, right_definition FROM migrate.compare_schemas('a', 'b')")
    for kind, name, left, right in cur.fetchall():
        problems.append(f"still differs: {kind} {name}: {left!r} vs {right!r}")
    check_rows(cur, "a", before, problems)
    check_no_reference(cur, "a", "b", problems)
    check_counters(cur, "a", problems)
    cur.execute("SELECT migrate.diff('a', 'b')")
    again = cur.fetchone()[0]
    if again != "":
        problems.append(f"diff again is not empty:\n{again}")
    return script, problems


def run_case(conn, name, verbose=False):
    path = os.path.join(CASES, name)
    source = open(os.path.join(path, "source.sql")).read()
    target = open(os.path.join(path, "target.sql")).read()
    expect = read_expect(os.path.join(path, "expect"))
    failures = 0
    if conn.server_version < expect["needs"]:
        print(f"skip {name} (needs PostgreSQL {expect['needs'] // 10000})")
        return 0
    directions = [(source, target, True)]
    if expect["oneway"] is None and "unsupported" not in expect["flags"]:
        directions.append((target, source, False))
    for first, second, forward in directions:
        label = f"{name} ({'forward' if forward else 'backward'})"
        try:
            script, problems = run_direction(conn, first, second, expect, forward, verbose)
        except psycopg2.Error as e:
            problems = [f"error: {e}"]
            script = ""
        if problems:
            failures += 1
            print(f"FAIL {label}")
            for p in problems:
                print(f"    {p}")
            if not verbose:
                print("    script:\n" + "\n".join("      " + l for l in script.splitlines()))
        else:
            print(f"ok   {label}")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", help="run one case, printing its scripts")
    args = ap.parse_args()
    conn = setup()
    names = [args.case] if args.case else sorted(os.listdir(CASES))
    failures = sum(run_case(conn, n, verbose=bool(args.case)) for n in names)
    conn.close()
    print(f"{len(names)} cases, {failures} failed direction(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
