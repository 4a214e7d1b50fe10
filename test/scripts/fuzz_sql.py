#!/usr/bin/python3
"""Hostile input through every SQL entry point of migrate.

Sends tens of thousands of random and adversarial strings as targets, ids,
parents, labels, ranges and project names, to every function, against a
project with branches, merges, several bases, depends_on and labels.  Each
call must either succeed or fail with an ordinary SQLSTATE: never an
internal error (XX000), never a lost connection.  At the end the server log
must show no crash and the postmaster must not have restarted.

Every call runs in a transaction that is rolled back, so the graph stays as
set up and each input meets the same state.  Seeded, so a failure repeats.

Usage: fuzz_sql.py [--calls N] [--seed S] [--log SERVER_LOG]
"""

import argparse
import random
import sys

import psycopg2

GRAPH = [
    # id, down_revision, depends_on, branch_labels
    ("a1b2", None, None, "trunk"),
    ("b2c3", "a1b2", None, None),
    ("c3d4", "b2c3", None, "left"),
    ("c3e5", "b2c3", None, "right"),
    ("d4f6", "c3d4, c3e5", None, None),
    ("x1", None, None, "other"),
    ("x2y3", "x1", "b2c3", None),
    ("e5a7", "d4f6", "x2y3", None),
    ("e5b8", "d4f6", None, None),
]

TOKENS = ["head", "heads", "base", "@", "+", "-", ":", ",", " ", "a1b2", "b2c3", "c3", "c3d4",
          "d4", "left", "right", "trunk", "other", "x1", "e5", "1", "2", "99", "0", "-1", "+1",
          "current", "@head", "@base", "@-1", "@+2", "a", "x", "%", "_", ".", "\\", "'", '"']

ODD = [
    "", " ", "@", "@@", "@@@", "+", "-", "+-1", "-+1", "--1", "++1", "+0", "-0", "1",
    "-99999999999999999999", "+99999999999999999999", "9" * 400, "-" + "9" * 400,
    "head@head@head", "@head", "head@", "base-999", "heads+1", "heads-1", "base+0",
    ":", "::", ":::", "a:b:c", "head:", ":base", "current:current", "heads:base",
    "left@right@head", "left@@head", "left@+-1", "left@-", "left@+", "x1@e5a7",
    "a1b2+1+1", "a1b2-1-1", "a1b2@a1b2@a1b2", "d4f6-1", "d4f6+1", "e5a7-3", "x2y3-2",
    "'; DROP TABLE migrate.revision; --", "$$", "$q$ SELECT 1 $q$", "%s%s%n%x", "%",
    "\\", "\\x00", "null", "NULL", "true", "1e999", "NaN", "0x10",
    "\u00e9t\u00e9", "\u2603", "\U0001F600", "\u202e", "\u0000".replace("\u0000", ""),
    "a" * 255, "a" * 256, "a" * 10000, "a1b2," * 2000, "head " * 500, "@" * 5000,
    "\t\n\r", "a1b2\n", " head ", "HEAD", "Base", "heads,heads", "a1b2, a1b2",
]


def random_string(rng):
    r = rng.random()
    if r < 0.3:
        return rng.choice(ODD)
    if r < 0.7:
        return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 6)))
    if r < 0.85:
        # printable garbage, any length
        n = rng.choice([1, 2, 3, 5, 10, 50, 300, 3000])
        return "".join(chr(rng.randint(32, 126)) for _ in range(n))
    # unicode garbage, no NUL (text cannot hold it), no surrogates
    n = rng.choice([1, 4, 20, 200])
    out = []
    while len(out) < n:
        c = rng.randint(1, 0x10FFFF)
        if 0xD800 <= c <= 0xDFFF:
            continue
        out.append(chr(c))
    return "".join(out)


CALLS = [
    ("upgrade", "SELECT count(*) FROM migrate.upgrade(%s, 'fuzz')", 1),
    ("downgrade", "SELECT count(*) FROM migrate.downgrade(%s, 'fuzz')", 1),
    ("stamp", "SELECT count(*) FROM migrate.stamp(%s, 'fuzz')", 1),
    ("stamp purge", "SELECT count(*) FROM migrate.stamp(%s, 'fuzz', true)", 1),
    ("show", "SELECT count(*) FROM migrate.show(%s, 'fuzz')", 1),
    ("pending", "SELECT count(*) FROM migrate.pending(%s, 'fuzz')", 1),
    ("history", "SELECT count(*) FROM migrate.history(%s, 'fuzz')", 1),
    ("script", "SELECT length(migrate.script(%s, %s, 'fuzz'))", 2),
    ("graph format", "SELECT length(migrate.graph('fuzz', %s))", 1),
    ("graph project", "SELECT length(migrate.graph(%s, 'mermaid'))", 1),
    ("merge", "SELECT migrate.merge('m', %s, 'fuzz')", 1),
    ("register id", "SELECT migrate.register(%s, 'SELECT 1', NULL, 'a1b2', project => 'fuzz')", 1),
    ("register parents", "SELECT migrate.register('zz99', 'SELECT 1', NULL, %s, project => 'fuzz')", 1),
    ("register deps", "SELECT migrate.register('zz99', 'SELECT 1', NULL, 'a1b2', depends_on => %s, project => 'fuzz')", 1),
    ("register labels", "SELECT migrate.register('zz99', 'SELECT 1', NULL, 'a1b2', branch_labels => %s, project => 'fuzz')", 1),
    ("register then upgrade", "SELECT migrate.register('zz99', 'SELECT 1', NULL, %s, depends_on => %s, project => 'fuzz'); "
                              "SELECT count(*) FROM migrate.upgrade('heads', 'fuzz')", 2),
    ("revision", "SELECT migrate.revision('r', 'SELECT 1', NULL, %s, project => 'fuzz')", 1),
    ("current project", "SELECT count(*) FROM migrate.current(%s)", 1),
    ("verify project", "SELECT count(*) FROM migrate.verify(%s)", 1),
    ("heads project", "SELECT count(*) FROM migrate.heads(%s)", 1),
    ("upgrade project", "SELECT count(*) FROM migrate.upgrade('head', %s)", 1),
    ("configure", "SELECT migrate.configure('fuzz', %s)", 1),
    ("fingerprint", "SELECT count(*) FROM migrate.fingerprint(ARRAY[%s, 'public'])", 1),
    ("schema_fingerprint", "SELECT count(*) FROM migrate.schema_fingerprint(%s)", 1),
    ("compare_schemas", "SELECT count(*) FROM migrate.compare_schemas('public', %s)", 1),
    ("diff", "SELECT length(migrate.diff(%s, %s))", 2),
    ("autogenerate", "SELECT migrate.autogenerate(%s, %s, 'x', 'fuzz', true)", 2),
]


def setup(conn):
    cur = conn.cursor()
    cur.execute("SET client_min_messages = warning")
    cur.execute("DROP EXTENSION IF EXISTS migrate CASCADE")
    cur.execute("CREATE EXTENSION migrate")
    for rid, down, deps, labels in GRAPH:
        cur.execute("SELECT migrate.register(%s, 'SELECT 1', 'SELECT 1', %s, NULL, %s, %s, 'fuzz')",
                    (rid, down, deps, labels))
    cur.execute("SELECT count(*) FROM migrate.upgrade('c3d4', 'fuzz')")
    cur.execute("SELECT count(*) FROM migrate.upgrade('x1', 'fuzz')")
    # schemas named like tokens, for fingerprint, diff and autogenerate
    cur.execute("DROP SCHEMA IF EXISTS x, a CASCADE; CREATE SCHEMA x; CREATE TABLE x.t (a int); CREATE SCHEMA a;"
                " CREATE TABLE a.t (a bigint, b text); CREATE VIEW a.v AS SELECT b FROM a.t")
    conn.commit()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--log", help="server log to search for crashes")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    # only what the server logs from now on counts
    log_offset = 0
    if args.log:
        with open(args.log, "rb") as f:
            log_offset = f.seek(0, 2)

    conn = psycopg2.connect("")
    setup(conn)
    cur = conn.cursor()
    cur.execute("SELECT pg_postmaster_start_time()")
    started = cur.fetchone()[0]
    conn.commit()

    ok = errors = 0
    states = {}
    bad = []
    for i in range(args.calls):
        name, sql, nargs = CALLS[i % len(CALLS)]
        values = tuple(random_string(rng) for _ in range(nargs))
        try:
            cur.execute(sql, values)
            ok += 1
        except psycopg2.Error as e:
            if e.pgcode is None:
                bad.append((name, values, f"no SQLSTATE: {e}"))
                break
            states[e.pgcode] = states.get(e.pgcode, 0) + 1
            errors += 1
            if e.pgcode.startswith("XX"):
                bad.append((name, values, f"{e.pgcode}: {e.pgerror}"))
        conn.rollback()
        if len(bad) > 20:
            break

    try:
        cur.execute("SELECT pg_postmaster_start_time()")
        restarted = cur.fetchone()[0] != started
    except psycopg2.Error as e:
        restarted = True
        bad.append(("final check", (), f"connection lost: {e}"))

    crashed = []
    if args.log:
        with open(args.log, errors="replace") as f:
            f.seek(log_offset)
            crashed = [line.strip() for line in f
                       if "terminated by signal" in line or "server process" in line and "exited with exit code" in line]

    print(f"{ok + errors} calls through {len(CALLS)} entry points: {ok} succeeded, {errors} failed with a SQLSTATE "
          f"({', '.join(f'{k} x{v}' for k, v in sorted(states.items()))})")
    print(f"postmaster restarted: {'yes' if restarted else 'no'}; crash lines in the server log: {len(crashed)}")
    for name, values, what in bad[:20]:
        print(f"FAIL: {name}{tuple(v[:80] for v in values)}: {what}")
    for line in crashed[:5]:
        print(f"FAIL: server log: {line}")
    if bad or restarted or crashed:
        sys.exit(1)


if __name__ == "__main__":
    main()
