#!/usr/bin/python3
"""Property test of migrate.diff(): random schemas, random mutations of
them, diffed both ways, converging each time.

For each iteration (seeded, reproducible): a random schema S (enum types,
sequences, functions, tables with typed columns, defaults, NOT NULL,
identity, keys, checks, foreign keys, indexes, views, triggers, row level
security and policies, comments and privileges) and a mutation M of it (a
few random changes: tables, columns, types, constraints, indexes, views,
enum values, functions, policies, comments, grants).  Each is written as
DDL in a random order of its independent statements.  Then, both ways:
build schema a from one and b from the other, run diff('a', 'b'), and
check that a now matches b (compare_schemas) and that the diff is empty.

Mutations stay within what diff() can express: columns are added at the
end and only the last one is dropped (PostgreSQL cannot move a column),
enum values are only added when the way back need not remove them (never:
the test adds no enum value, the corpus does), generated columns are not
changed.

  prop.py [--seed N] [--iterations N] [--verbose]

Runs inside a cluster (PG* variables set), in a database of its own.
"""

import argparse
import random
import sys

import psycopg2

DB = "migrate_diff_prop"
ROLES = ["diff_reader", "diff_writer"]
TYPES = ["integer", "bigint", "text", "varchar(20)", "numeric(10,2)", "boolean", "date"]
# type changes with a cast, as (from, to)
RETYPE = [("integer", "bigint"), ("bigint", "integer"), ("integer", "text"), ("text", "varchar(20)"),
          ("varchar(20)", "text"), ("numeric(10,2)", "numeric(12,2)"), ("integer", "numeric(10,2)"),
          ("date", "timestamp"), ("boolean", "text")]
DEFAULTS = {"integer": ["0", "42"], "bigint": ["0", "7"], "text": ["'x'", "''"],
            "varchar(20)": ["'v'"], "numeric(10,2)": ["1.5"], "boolean": ["true", "false"],
            "date": ["'2024-01-01'", "CURRENT_DATE"], "timestamp": ["now()"],
            "numeric(12,2)": ["2.5"]}


class Schema:
    """A schema as data, renderable as DDL."""

    def __init__(self):
        self.enums = {}          # name -> labels
        self.sequences = {}      # name -> increment
        self.functions = {}      # name -> constant it returns
        self.tables = {}         # name -> dict
        self.views = {}          # name -> (table, columns, threshold)
        self.counter = 0

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def copy(self):
        import copy
        return copy.deepcopy(self)


def new_column(rng, s, name):
    typ = rng.choice(TYPES + list(s.enums))
    col = {"name": name, "type": typ, "notnull": rng.random() < 0.3, "default": None,
           "identity": None}
    if typ in DEFAULTS and rng.random() < 0.3:
        col["default"] = rng.choice(DEFAULTS[typ])
    elif typ in s.enums and rng.random() < 0.3:
        col["default"] = f"'{s.enums[typ][0]}'"
    return col


def new_table(rng, s):
    name = s.fresh("t")
    cols = [{"name": "id", "type": "integer", "notnull": True, "default": None,
             "identity": rng.choice([None, "ALWAYS", "BY DEFAULT"])}]
    for _ in range(rng.randint(1, 4)):
        cols.append(new_column(rng, s, s.fresh("c")))
    t = {"name": name, "columns": cols, "pk": rng.random() < 0.8, "checks": {}, "fks": {},
         "indexes": {}, "rls": False, "policies": {}, "comment": None, "grants": set(),
         "trigger": None}
    if s.tables and t["pk"] and rng.random() < 0.4:
        target = rng.choice([x for x in s.tables.values() if x["pk"]] or [None])
        if target:
            col = {"name": s.fresh("ref"), "type": "integer", "notnull": False, "default": None,
                   "identity": None}
            cols.append(col)
            t["fks"][f"{name}_{col['name']}_fk"] = (col["name"], target["name"],
                                                   rng.choice(["NO ACTION", "CASCADE"]))
    return t


def random_schema(rng):
    s = Schema()
    for _ in range(rng.randint(0, 2)):
        s.enums[s.fresh("e")] = [f"v{i}" for i in range(rng.randint(1, 4))]
    for _ in range(rng.randint(0, 2)):
        s.sequences[s.fresh("seq")] = rng.randint(1, 5)
    for _ in range(rng.randint(0, 2)):
        s.functions[s.fresh("f")] = rng.randint(0, 9)
    for _ in range(rng.randint(1, 5)):
        t = new_table(rng, s)
        s.tables[t["name"]] = t
    for t in s.tables.values():
        decorate(rng, s, t)
    for _ in range(rng.randint(0, 2)):
        add_view(rng, s)
    return s


def decorate(rng, s, t):
    ints = [c["name"] for c in t["columns"] if c["type"] == "integer" and c["name"] != "id"]
    if ints and rng.random() < 0.4:
        t["checks"][f"{t['name']}_chk{len(t['checks'])}"] = f"{rng.choice(ints)} >= 0"
    if rng.random() < 0.5:
        col = rng.choice(t["columns"])["name"]
        t["indexes"][s.fresh("i")] = ([col], rng.random() < 0.2, rng.random() < 0.2)
    if rng.random() < 0.3:
        t["rls"] = True
        t["policies"][s.fresh("p")] = (rng.choice(["ALL", "SELECT"]), "id > 0")
    if rng.random() < 0.3:
        t["comment"] = rng.choice(["a table", "it's here"])
    if rng.random() < 0.3:
        t["grants"].add((rng.choice(ROLES), rng.choice(["SELECT", "INSERT", "UPDATE"])))
    if s.functions and rng.random() < 0.2:
        t["trigger"] = rng.choice(["BEFORE INSERT", "AFTER UPDATE"])


def add_view(rng, s):
    t = rng.choice(list(s.tables.values()))
    cols = rng.sample([c["name"] for c in t["columns"]], k=min(2, len(t["columns"])))
    s.views[s.fresh("v")] = (t["name"], cols, rng.randint(0, 5))


def views_on(s, table):
    return [v for v, (t, _c, _w) in s.views.items() if t == table]


def mutate(rng, s):
    """A few random changes diff() can express."""
    m = s.copy()
    for _ in range(rng.randint(1, 4)):
        rng.choice(MUTATIONS)(rng, m)
    return m


def m_add_table(rng, m):
    t = new_table(rng, m)
    m.tables[t["name"]] = t
    decorate(rng, m, t)


def m_drop_table(rng, m):
    if len(m.tables) < 2:
        return
    name = rng.choice(list(m.tables))
    if any(fk[1] == name for t in m.tables.values() for fk in t["fks"].values()):
        return
    for v in views_on(m, name):
        del m.views[v]
    del m.tables[name]


def m_add_column(rng, m):
    t = rng.choice(list(m.tables.values()))
    t["columns"].append(new_column(rng, m, m.fresh("c")))


def m_drop_last_column(rng, m):
    t = rng.choice(list(m.tables.values()))
    col = t["columns"][-1]["name"]
    used = (col == "id" or any(col == fk[0] for fk in t["fks"].values())
            or any(col in cols for cols, _u, _p in t["indexes"].values())
            or any(col in chk for chk in t["checks"].values())
            or any(col in cols for v, (tt, cols, _w) in m.views.items() if tt == t["name"]))
    if not used:
        t["columns"].pop()


def m_retype(rng, m):
    t = rng.choice(list(m.tables.values()))
    cols = [c for c in t["columns"] if c["name"] != "id" and c["identity"] is None
            and not any(c["name"] == fk[0] for fk in t["fks"].values())
            and not any(c["name"] in chk for chk in t["checks"].values())]
    options = [(c, to) for c in cols for frm, to in RETYPE if c["type"] == frm]
    if options:
        c, to = rng.choice(options)
        c["type"] = to
        c["default"] = None


def m_toggle_not_null(rng, m):
    t = rng.choice(list(m.tables.values()))
    c = rng.choice(t["columns"])
    if c["name"] != "id":
        c["notnull"] = not c["notnull"]


def m_default(rng, m):
    t = rng.choice(list(m.tables.values()))
    c = rng.choice(t["columns"])
    if c["identity"] is None and c["type"] in DEFAULTS:
        c["default"] = rng.choice(DEFAULTS[c["type"]] + [None])


def m_identity(rng, m):
    t = rng.choice(list(m.tables.values()))
    t["columns"][0]["identity"] = rng.choice([None, "ALWAYS", "BY DEFAULT"])


def m_index(rng, m):
    t = rng.choice(list(m.tables.values()))
    if t["indexes"] and rng.random() < 0.5:
        del t["indexes"][rng.choice(list(t["indexes"]))]
    else:
        cols = rng.sample([c["name"] for c in t["columns"]], k=min(len(t["columns"]), rng.randint(1, 2)))
        t["indexes"][m.fresh("i")] = (cols, False, rng.random() < 0.3)


def m_check(rng, m):
    t = rng.choice(list(m.tables.values()))
    if t["checks"]:
        name = rng.choice(list(t["checks"]))
        if rng.random() < 0.5:
            del t["checks"][name]
        else:
            t["checks"][name] = t["checks"][name].replace(">= 0", ">= -1")


def m_view(rng, m):
    if m.views and rng.random() < 0.5:
        name = rng.choice(list(m.views))
        table, cols, w = m.views[name]
        m.views[name] = (table, cols, w + 1) if rng.random() < 0.5 else (table, cols[::-1], w)
    else:
        add_view(rng, m)


def m_function(rng, m):
    if m.functions:
        m.functions[rng.choice(list(m.functions))] += 1
    else:
        m.functions[m.fresh("f")] = 1


def m_security(rng, m):
    t = rng.choice(list(m.tables.values()))
    choice = rng.randint(0, 3)
    if choice == 0:
        t["rls"] = not t["rls"]
    elif choice == 1:
        if t["policies"]:
            del t["policies"][rng.choice(list(t["policies"]))]
        else:
            t["policies"][m.fresh("p")] = ("ALL", "id > 0")
    elif choice == 2:
        t["comment"] = rng.choice([None, "changed", "a table"])
    else:
        grant = (rng.choice(ROLES), rng.choice(["SELECT", "INSERT", "DELETE"]))
        t["grants"] ^= {grant}


def m_sequence(rng, m):
    if m.sequences and rng.random() < 0.5:
        name = rng.choice(list(m.sequences))
        m.sequences[name] += 1
    else:
        m.sequences[m.fresh("seq")] = 1


MUTATIONS = [m_add_table, m_drop_table, m_add_column, m_drop_last_column, m_retype,
             m_toggle_not_null, m_default, m_identity, m_index, m_check, m_view, m_function,
             m_security, m_sequence]


def column_sql(c):
    sql = f"{c['name']} {c['type']}"
    if c["identity"]:
        sql += f" GENERATED {c['identity']} AS IDENTITY"
    if c["default"] is not None:
        sql += f" DEFAULT {c['default']}"
    if c["notnull"]:
        sql += " NOT NULL"
    return sql


def render(rng, s):
    """DDL for s, independent statements in a random order."""
    first = []
    for name, labels in s.enums.items():
        first.append(f"CREATE TYPE {name} AS ENUM ({', '.join(repr(l) for l in labels)})")
    for name, inc in s.sequences.items():
        first.append(f"CREATE SEQUENCE {name} INCREMENT {inc}")
    for name, value in s.functions.items():
        first.append(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN "
                     f"PERFORM {value}; RETURN NEW; END$$")
    rng.shuffle(first)
    tables, later = [], []
    for t in s.tables.values():
        cols = ", ".join(column_sql(c) for c in t["columns"])
        pk = ", PRIMARY KEY (id)" if t["pk"] else ""
        tables.append(f"CREATE TABLE {t['name']} ({cols}{pk})")
        for name, expr in t["checks"].items():
            later.append(f"ALTER TABLE {t['name']} ADD CONSTRAINT {name} CHECK ({expr})")
        for name, (col, ref, action) in t["fks"].items():
            later.append(f"ALTER TABLE {t['name']} ADD CONSTRAINT {name} FOREIGN KEY ({col}) "
                         f"REFERENCES {ref} ON DELETE {action}")
        for name, (cols, unique, partial) in t["indexes"].items():
            where = f" WHERE {cols[0]} IS NOT NULL" if partial else ""
            later.append(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {t['name']} "
                         f"({', '.join(cols)}){where}")
        if t["rls"]:
            later.append(f"ALTER TABLE {t['name']} ENABLE ROW LEVEL SECURITY")
        for name, (cmd, using) in t["policies"].items():
            later.append(f"CREATE POLICY {name} ON {t['name']} FOR {cmd} USING ({using})")
        if t["comment"]:
            later.append(f"COMMENT ON TABLE {t['name']} IS '{t['comment'].replace(chr(39), chr(39) * 2)}'")
        for role, priv in sorted(t["grants"]):
            later.append(f"GRANT {priv} ON {t['name']} TO {role}")
        if t["trigger"] and s.functions:
            fn = sorted(s.functions)[0]
            later.append(f"CREATE TRIGGER {t['name']}_trg {t['trigger']} ON {t['name']} "
                         f"FOR EACH ROW EXECUTE FUNCTION {fn}()")
    # tables in an order that respects nothing but themselves (foreign keys come later)
    rng.shuffle(tables)
    rng.shuffle(later)
    views = [f"CREATE VIEW {name} AS SELECT {', '.join(cols)} FROM {table} WHERE id > {w}"
             for name, (table, cols, w) in s.views.items()]
    rng.shuffle(views)
    return ";\n".join(first + tables + later + views) + ";\n"


def setup():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS {DB}")
    cur.execute(f"CREATE DATABASE {DB}")
    for role in ROLES:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if not cur.fetchone():
            cur.execute(f"CREATE ROLE {role}")
    conn.close()
    conn = psycopg2.connect(dbname=DB)
    conn.autocommit = True
    conn.cursor().execute("SET client_min_messages = warning; CREATE EXTENSION migrate")
    return conn


def build(cur, schema, ddl):
    cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    cur.execute(f"SET search_path = {schema}")
    cur.execute(ddl)
    cur.execute("RESET search_path")


def converge(conn, first, second):
    """Problems found diffing a (from first) to b (from second)."""
    cur = conn.cursor()
    build(cur, "a", first)
    build(cur, "b", second)
    cur.execute("SELECT migrate.diff('a', 'b')")
    script = cur.fetchone()[0]
    if "NOT DONE" in script:
        return script, ["the script says it cannot do something"]
    conn.autocommit = False
    try:
        if script:
            cur.execute(script)
        conn.commit()
    except psycopg2.Error as e:
        conn.rollback()
        return script, [f"the script failed: {e.pgerror or e}"]
    finally:
        conn.autocommit = True
    cur.execute("SELECT kind, name, left_definition, right_definition FROM migrate.compare_schemas('a', 'b')")
    problems = [f"still differs: {r}" for r in cur.fetchall()]
    cur.execute("SELECT migrate.diff('a', 'b')")
    again = cur.fetchone()[0]
    if again:
        problems.append(f"diff again is not empty:\n{again}")
    return script, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--iterations", type=int, default=40)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    conn = setup()
    failures = 0
    for i in range(args.iterations):
        seed = args.seed + i
        rng = random.Random(seed)
        original = random_schema(rng)
        mutated = mutate(rng, original)
        ddl_a, ddl_b = render(rng, original), render(rng, mutated)
        for label, first, second in (("forward", ddl_a, ddl_b), ("backward", ddl_b, ddl_a)):
            try:
                script, problems = converge(conn, first, second)
            except psycopg2.Error as e:
                script, problems = "", [f"error: {e}"]
            if problems:
                failures += 1
                print(f"FAIL seed {seed} ({label}): {len(problems)} problem(s)")
                for p in problems:
                    print(f"    {p}")
                print("--- from:\n" + first + "--- to:\n" + second + "--- script:\n" + script)
            elif args.verbose:
                print(f"ok   seed {seed} ({label})")
    print(f"{args.iterations} random schema pairs from seed {args.seed}, both ways: "
          f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
