#!/usr/bin/python3
"""Benchmark of migrate against raw psql and Alembic, in one run.

Run by `make bench` (test/bench/bench.sh), inside a throw-away cluster
(test/cluster.sh sets the PG* variables).  Every migrate figure is printed
beside its baseline measured in the same run, as a median over repeated
runs, with the ratio.  Generated projects and results go to a temporary
directory (or --out), never into the repository.

Workloads:
  1. heavy DDL       N revisions of CREATE TABLE + CREATE INDEX:
                     upgrade('head') against psql -X -q -1 -f of the bodies
  2. overhead        N one-row INSERT revisions: upgrade('head') against
                     psql -1 -f of the bodies plus script()'s version rows
  3. boot no-op      psql -c "SELECT * FROM migrate.upgrade('head')" at head
                     against psql -c 'SELECT 1'; the call alone, server side;
                     current()
  4. graph scale     pending('heads') over a large graph with branches and
                     merges; registering N revisions from one psql script,
                     against inserting the same rows with plain INSERTs
  5. memory          VmHWM of the backend while upgrading N revisions, over
                     its value after the graph is loaded
  6. Alembic         the same revisions as an Alembic project (op.execute)
  7. import, adopt   tools/migrate-import-alembic of an N-revision Alembic
                     project (create_table + create_index each), against
                     `alembic upgrade head --sql` of the same project, per
                     revision (goal: no slower), and against that plus
                     `alembic downgrade head:base --sql` (the importer
                     renders both directions); at 10, 100 and 1,000
                     revisions (--imports); then adopt_alembic() on a
                     database at the largest one's head, against stamp()
                     of the same head
  8. testing         check_reversible() and trial('head') over 100 and
                     1,000 revisions (CREATE TABLE + INDEX, with their
                     downgrades) on a schema of 1,000 other tables, against
                     upgrade('head') + downgrade('base') and upgrade('head')
                     of the same revisions; the peak RSS of the backend that
                     ran check_reversible(), against an idle backend's
  9. schema model    fingerprint() of a schema of N tables, against
                     upgrade('head') building that schema and pg_dump
                     --schema-only of it; diff() of that schema and a copy
                     with one column changed, against pg_dump --schema-only
                     of both (what a client-side diff reads first); the diff
                     property test at a larger size
 10. apply           CALL migrate.apply() of one-row INSERTs and of CREATE
                     INDEX CONCURRENTLY revisions, against upgrade() and
                     psql -f of the same statements
 11. writers         the longest INSERT of 8 writers while apply() builds an
                     index concurrently, against while upgrade() builds the
                     same index plainly
 13. kept data       a column of N rows dropped by upgrade() (its values
                     kept) and brought back by downgrade() (its values put
                     back), against the plain ALTER TABLE ... DROP COLUMN and
                     ADD COLUMN by psql
 12. Citus           upgrade('head') of 20 revisions (distributed tables,
                     ALTER TABLE and CREATE INDEX on 32 shards) on a
                     coordinator and two workers, against psql -1 -f of the
                     same statements to the coordinator (test/bench/citus.py,
                     in test/citus_cluster.sh; skipped, saying why, where
                     Citus cannot be built)

--smoke runs every workload at tiny sizes, for CI: it checks that the
benchmark still runs, not the targets.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg2

PSQL = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)


def timed(cmd):
    """Wall time of a command; its NOTICEs are received and discarded."""
    start = time.perf_counter()
    run(cmd, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def psql(db, *args):
    return PSQL + ["-d", db] + list(args)


def createdb(name, template=None):
    run(["dropdb", "--if-exists", name], stderr=subprocess.DEVNULL)
    cmd = ["createdb", name]
    if template:
        cmd += ["-T", template]
    run(cmd)


def dropdb(name):
    run(["dropdb", "--if-exists", name], stderr=subprocess.DEVNULL)


def connect(db):
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    return conn


def register_chain(path, n, body, prefix="r", down=None):
    """A psql script registering a linear chain of n revisions."""
    with open(path, "w") as f:
        f.write("CREATE EXTENSION IF NOT EXISTS migrate;\n")
        f.write("SET client_min_messages = warning;\n")
        for i in range(1, n + 1):
            parent = f"'{prefix}{i - 1}'" if i > 1 else "NULL"
            downgrade = f"$b${down(i)}$b$" if down else "NULL"
            f.write(
                f"SELECT migrate.register('{prefix}{i}', $b${body(i)}$b$, {downgrade}, "
                f"down_revision => {parent});\n"
            )


def median_ratio(a, b):
    return statistics.median(a) / statistics.median(b)


class Report:
    """The figures of a run.  A smoke run's sizes are too small for the
    targets to mean anything, so it leaves them out."""

    def __init__(self, targets=True):
        self.rows = []
        self.targets = targets

    def add(self, workload, what, migrate_value, baseline_name, baseline_value, unit, target=""):
        if not self.targets:
            target = ""
        ratio = ""
        if baseline_value:
            ratio = f"{migrate_value / baseline_value:.2f}"
        self.rows.append((workload, what, migrate_value, baseline_name, baseline_value, unit, ratio, target))
        fmt = lambda v: "" if v is None else (f"{v:.1f}" if v >= 10 else f"{v:.3f}")
        print(f"  {what}: {fmt(migrate_value)} {unit}"
              + (f" vs {baseline_name} {fmt(baseline_value)} {unit}, ratio {ratio}" if baseline_name else "")
              + (f"  [target {target}]" if target else ""), flush=True)

    def table(self):
        out = ["| workload | measure | migrate | baseline | baseline value | ratio | target |",
               "|---|---|---|---|---|---|---|"]
        fmt = lambda v, u: "" if v is None else (f"{v:.1f} {u}" if v >= 10 else f"{v:.3f} {u}")
        for w, what, mv, bn, bv, unit, ratio, target in self.rows:
            out.append(f"| {w} | {what} | {fmt(mv, unit)} | {bn} | {fmt(bv, unit) if bn else ''} | {ratio} | {target} |")
        return "\n".join(out)


def heavy_ddl(report, work, n, repeats):
    print(f"1. heavy DDL: {n} revisions of CREATE TABLE + CREATE INDEX", flush=True)
    body = lambda i: f"CREATE TABLE t_{i} (id int PRIMARY KEY, v text); CREATE INDEX ON t_{i} (v);"
    reg = os.path.join(work, "ddl_register.sql")
    register_chain(reg, n, body)
    raw = os.path.join(work, "ddl_raw.sql")
    with open(raw, "w") as f:
        for i in range(1, n + 1):
            f.write(body(i) + "\n")
    createdb("bench_ddl_tmpl")
    run(psql("bench_ddl_tmpl", "-f", reg))
    createdb("bench_ddl_raw_tmpl")
    m, b = [], []
    for _ in range(repeats):
        createdb("bench_ddl", "bench_ddl_tmpl")
        m.append(timed(psql("bench_ddl", "-c", "SELECT count(*) FROM migrate.upgrade('head')")))
        createdb("bench_ddl", "bench_ddl_raw_tmpl")
        b.append(timed(psql("bench_ddl", "-1", "-f", raw)))
    dropdb("bench_ddl")
    dropdb("bench_ddl_tmpl")
    dropdb("bench_ddl_raw_tmpl")
    report.add("heavy DDL", f"upgrade('head'), {n} revisions", statistics.median(m) * 1000,
               "psql -1 -f", statistics.median(b) * 1000, "ms", "ratio <= 1.05")


def overhead(report, work, n, repeats):
    print(f"2. tool overhead: {n} one-row INSERT revisions", flush=True)
    body = lambda i: f"INSERT INTO ledger VALUES ({i});"
    reg = os.path.join(work, "ins_register.sql")
    register_chain(reg, n, body)
    createdb("bench_ins_tmpl")
    run(psql("bench_ins_tmpl", "-c", "CREATE TABLE ledger (i int)", "-f", reg))
    conn = connect("bench_ins_tmpl")
    cur = conn.cursor()
    cur.execute("SELECT migrate.script('head', 'base')")
    script = cur.fetchone()[0]
    conn.close()
    raw = os.path.join(work, "ins_raw.sql")
    with open(raw, "w") as f:
        # psql -1 wraps the file; the script's own BEGIN/COMMIT would only warn
        f.write(script.replace("BEGIN;\n", "", 1).replace("COMMIT;\n", ""))
    m, b = [], []
    for _ in range(repeats):
        createdb("bench_ins", "bench_ins_tmpl")
        m.append(timed(psql("bench_ins", "-c", "SET client_min_messages = warning",
                            "-c", "SELECT count(*) FROM migrate.upgrade('head')")))
        createdb("bench_ins", "bench_ins_tmpl")
        b.append(timed(psql("bench_ins", "-1", "-f", raw)))
    dropdb("bench_ins")
    dropdb("bench_ins_tmpl")
    mm, bm = statistics.median(m), statistics.median(b)
    report.add("overhead", f"upgrade('head'), {n} INSERT revisions", mm * 1000,
               "psql -1 -f (bodies + version rows)", bm * 1000, "ms", "ratio <= 1.5")
    report.add("overhead", "per revision, over psql", (mm - bm) / n * 1e6, "", None, "µs", "<= 30 µs")


def boot_noop(report, work, sizes, repeats):
    for n in sizes:
        print(f"3. boot no-op at head, {n} revisions applied", flush=True)
        reg = os.path.join(work, f"noop_{n}.sql")
        register_chain(reg, n, lambda i: "SELECT 1")
        db = f"bench_noop_{n}"
        createdb(db)
        # the run leaves one dead version row per step; a replica boots
        # after autovacuum has removed them, so the benchmark vacuums too
        run(psql(db, "-f", reg, "-c", "SET client_min_messages = warning",
                 "-c", "SELECT count(*) FROM migrate.upgrade('head')",
                 "-c", "VACUUM migrate.version"))
        m, b = [], []
        for _ in range(repeats):
            m.append(timed(psql(db, "-c", "SELECT * FROM migrate.upgrade('head')")))
            b.append(timed(psql(db, "-c", "SELECT 1")))
        report.add("boot no-op", f"psql -c upgrade('head'), {n} revisions", statistics.median(m) * 1000,
                   "psql -c 'SELECT 1'", statistics.median(b) * 1000, "ms", "ratio <= 1.15")

        # server side: the call alone, first in a new backend (cold) and again (warm)
        cold, warm, cur_t, sel = [], [], [], []
        for _ in range(repeats):
            conn = connect(db)
            c = conn.cursor()
            c.execute("SELECT 1")
            t = time.perf_counter()
            c.execute("SELECT * FROM migrate.upgrade('head')")
            cold.append(time.perf_counter() - t)
            for _ in range(5):
                t = time.perf_counter()
                c.execute("SELECT * FROM migrate.upgrade('head')")
                warm.append(time.perf_counter() - t)
                t = time.perf_counter()
                c.execute("SELECT * FROM migrate.current()")
                cur_t.append(time.perf_counter() - t)
                t = time.perf_counter()
                c.execute("SELECT 1")
                sel.append(time.perf_counter() - t)
            conn.close()
        target = "<= 2 ms" if n <= 1000 else "<= 10 ms"
        report.add("boot no-op", f"upgrade('head') call, new backend, {n}", statistics.median(cold) * 1000,
                   "SELECT 1 call", statistics.median(sel) * 1000, "ms", target)

        # what the first call is made of: loading the library (every
        # extension's first call pays it; hstore defines no settings) and
        # the call itself, against the first query on a table of the
        # extension's in a new backend
        load, load_hstore, after_load, first_query = [], [], [], []
        for _ in range(repeats):
            for stmts, into in ((["LOAD 'migrate'"], load), (["LOAD 'hstore'"], load_hstore),
                                (["LOAD 'migrate'", "SELECT * FROM migrate.upgrade('head')"], after_load),
                                (["SELECT * FROM migrate.version WHERE project = 'x'"], first_query)):
                conn = connect(db)
                c = conn.cursor()
                c.execute("SELECT 1")
                for stmt in stmts[:-1]:
                    c.execute(stmt)
                t = time.perf_counter()
                c.execute(stmts[-1])
                into.append(time.perf_counter() - t)
                conn.close()
        report.add("boot no-op", f"of which LOAD 'migrate', new backend", statistics.median(load) * 1000,
                   "LOAD 'hstore'", statistics.median(load_hstore) * 1000, "ms")
        report.add("boot no-op", f"of which the call after LOAD, new backend, {n}", statistics.median(after_load) * 1000,
                   "first SELECT from migrate.version", statistics.median(first_query) * 1000, "ms")
        report.add("boot no-op", f"upgrade('head') call, warm backend, {n}", statistics.median(warm) * 1000,
                   "SELECT 1 call", statistics.median(sel) * 1000, "ms", target)
        report.add("boot no-op", f"current() call, {n}", statistics.median(cur_t) * 1000,
                   "SELECT 1 call", statistics.median(sel) * 1000, "ms", "<= 1 ms")
        dropdb(db)


def graph_scale(report, work, n, nreg, repeats):
    print(f"4. graph scale: pending('heads') over {n} revisions; registering {nreg}", flush=True)
    # a wide graph: 4 parallel branches from one base, merged every 50
    # revisions, each branch keeping its own label-free chain
    path = os.path.join(work, "scale.copy")
    with open(path, "w") as f:
        f.write("r0\t{}\n")
        last = ["r0"]
        i = 1
        while i < n:
            tips = []
            for b in range(4):
                parent = last[0] if len(last) == 1 else last[b]
                for _ in range(12):
                    if i >= n:
                        break
                    f.write(f"r{i}\t{{{parent}}}\n")
                    parent = f"r{i}"
                    i += 1
                tips.append(parent)
            if i >= n:
                break
            f.write(f"r{i}\t{{{','.join(tips)}}}\n")
            last = [f"r{i}"]
            i += 1
    db = "bench_scale"
    createdb(db)
    run(psql(db, "-c", "CREATE EXTENSION migrate",
             "-c", "CREATE TEMP TABLE g (id text, parents text[])",
             "-c", f"\\copy g FROM '{path}'",
             "-c", "INSERT INTO migrate.project (name) VALUES ('default')",
             "-c", "ALTER TABLE migrate.revision DISABLE TRIGGER USER",
             "-c", "INSERT INTO migrate.revision (project, id, down_revision, upgrade_sql, checksum, registered_by, seq) "
                   "SELECT 'default', id, parents, '', "
                   "encode(sha256('\\x00'::bytea), 'hex'), current_user, "
                   "nextval('migrate.seq') FROM g",
             "-c", "ALTER TABLE migrate.revision ENABLE TRIGGER USER",
             "-c", "UPDATE migrate.project SET graph_gen = nextval('migrate.seq')"))
    cold, warm = [], []
    for _ in range(repeats):
        conn = connect(db)
        c = conn.cursor()
        c.execute("SELECT 1")
        t = time.perf_counter()
        c.execute("SELECT count(*) FROM migrate.pending('heads')")
        cold.append(time.perf_counter() - t)
        steps = c.fetchone()[0]
        for _ in range(3):
            t = time.perf_counter()
            c.execute("SELECT count(*) FROM migrate.pending('heads')")
            warm.append(time.perf_counter() - t)
        conn.close()
    report.add("graph scale", f"pending('heads'), {n} revisions ({steps} steps), new backend",
               statistics.median(cold) * 1000, "", None, "ms", "")
    report.add("graph scale", f"pending('heads'), {n} revisions, graph cached",
               statistics.median(warm) * 1000, "", None, "ms", "<= 200 ms")
    dropdb(db)

    # registering: one register() per revision, each its own transaction,
    # against a script inserting the same rows into a copy of
    # migrate.revision (same keys, foreign key and indexes) with plain
    # INSERT statements; and the same scripts in one transaction (psql -1)
    reg = os.path.join(work, "register.sql")
    register_chain(reg, nreg, lambda i: f"CREATE TABLE t_{i} ()")
    ins = os.path.join(work, "register_baseline.sql")
    with open(ins, "w") as f:
        for i in range(1, nreg + 1):
            parent = f"r{i - 1}" if i > 1 else ""
            f.write("INSERT INTO b.revision (project, id, down_revision, upgrade_sql, checksum,"
                    f" registered_by, seq) VALUES ('default', 'r{i}', '{{{parent}}}',"
                    f" $b$CREATE TABLE t_{i} ()$b$, '0', current_user, nextval('b.seq'));\n")
    setup_baseline = ("CREATE SCHEMA b; CREATE SEQUENCE b.seq;"
                      " CREATE TABLE b.project (LIKE migrate.project INCLUDING ALL);"
                      " CREATE TABLE b.revision (LIKE migrate.revision INCLUDING ALL);"
                      " ALTER TABLE b.revision ADD FOREIGN KEY (project) REFERENCES b.project (name);"
                      " INSERT INTO b.project (name) VALUES ('default');")
    times, base, times1, base1 = [], [], [], []
    for _ in range(max(1, repeats - 2)):
        for single, t_m, t_b in ((False, times, base), (True, times1, base1)):
            opt = ["-1"] if single else []
            createdb("bench_reg")
            t_m.append(timed(psql("bench_reg", *opt, "-f", reg)))
            createdb("bench_reg")
            run(psql("bench_reg", "-c", "CREATE EXTENSION migrate", "-c", setup_baseline))
            t_b.append(timed(psql("bench_reg", *opt, "-f", ins)))
    dropdb("bench_reg")
    report.add("graph scale", f"register {nreg} revisions from one psql script",
               statistics.median(times) * 1000, "psql -f of INSERTs of the rows",
               statistics.median(base) * 1000, "ms", "<= 3000 ms")
    report.add("graph scale", f"the same in one transaction (psql -1)",
               statistics.median(times1) * 1000, "psql -1 -f of the INSERTs",
               statistics.median(base1) * 1000, "ms", "")


def memory(report, work, n):
    print(f"5. memory: VmHWM while upgrading {n} revisions", flush=True)
    reg = os.path.join(work, "mem.sql")
    register_chain(reg, n, lambda i: f"INSERT INTO ledger VALUES ({i})")
    db = "bench_mem"
    createdb(db)
    run(psql(db, "-c", "CREATE TABLE ledger (i int)", "-f", reg))
    conn = connect(db)
    c = conn.cursor()
    c.execute("SELECT pg_backend_pid()")
    pid = c.fetchone()[0]

    def hwm():
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        return 0.0

    c.execute("SET client_min_messages = warning")
    c.execute("SELECT count(*) FROM migrate.pending('head')")
    loaded = hwm()
    c.execute("SELECT count(*) FROM migrate.upgrade('head')")
    after = hwm()
    conn.close()
    dropdb(db)
    report.add("memory", f"VmHWM growth upgrading {n} revisions", after - loaded, "", None, "MB", "<= 32 MB")


ALEMBIC_ENV = '''
from alembic import context
from sqlalchemy import create_engine

config = context.config

def run_migrations_online():
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=False)
        with context.begin_transaction():
            context.run_migrations()

run_migrations_online()
'''


def alembic_project(root, n, body):
    os.makedirs(os.path.join(root, "versions"), exist_ok=True)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ALEMBIC_ENV)
    with open(os.path.join(root, "script.py.mako"), "w") as f:
        f.write("")
    for i in range(1, n + 1):
        parent = repr(f"r{i - 1}") if i > 1 else "None"
        with open(os.path.join(root, "versions", f"r{i}.py"), "w") as f:
            f.write(f'"""r{i}"""\nfrom alembic import op\n\nrevision = "r{i}"\n'
                    f"down_revision = {parent}\nbranch_labels = None\ndepends_on = None\n\n"
                    f"def upgrade():\n    op.execute({body(i)!r})\n\n"
                    f"def downgrade():\n    pass\n")
    ini = os.path.join(root, "alembic.ini")
    # host and port as query arguments, so that a socket directory works too
    host = os.environ.get("PGHOST", "localhost")
    url = (f"postgresql+psycopg2://{os.environ['PGUSER']}:{os.environ.get('PGPASSWORD', '')}"
           f"@/bench_alembic?host={host}&port={os.environ.get('PGPORT', '5432')}")
    with open(ini, "w") as f:
        f.write(f"[alembic]\nscript_location = {root}\nsqlalchemy.url = {url}\n")
    return ini


IMPORT_ENV = '''
from alembic import context

context.configure(url="postgresql://", literal_binds=True,
                  dialect_opts={"paramstyle": "named"})
with context.begin_transaction():
    context.run_migrations()
'''


def import_project(root, n):
    """An Alembic project of n revisions written with op.create_table and
    op.create_index, and an env.py for offline (--sql) runs."""
    os.makedirs(os.path.join(root, "versions"), exist_ok=True)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(IMPORT_ENV)
    for i in range(1, n + 1):
        parent = repr(f"r{i - 1}") if i > 1 else "None"
        with open(os.path.join(root, "versions", f"{i:05d}_r{i}.py"), "w") as f:
            f.write(f'"""table {i}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
                    f'revision = "r{i}"\ndown_revision = {parent}\n'
                    f"branch_labels = None\ndepends_on = None\n\n"
                    f"def upgrade():\n"
                    f"    op.create_table('t{i}', sa.Column('id', sa.Integer, primary_key=True),\n"
                    f"        sa.Column('name', sa.Text, nullable=False),\n"
                    f"        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()')))\n"
                    f"    op.create_index('ix_t{i}_name', 't{i}', ['name'], unique=True)\n\n"
                    f"def downgrade():\n"
                    f"    op.drop_index('ix_t{i}_name', table_name='t{i}')\n"
                    f"    op.drop_table('t{i}')\n")
    ini = os.path.join(root, "alembic.ini")
    with open(ini, "w") as f:
        f.write(f"[alembic]\nscript_location = {root}\n")
    return ini


def import_adopt(report, work, sizes, repeats):
    importer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                            "tools", "migrate-import-alembic")
    for n in sizes:
        print(f"7. import, {n} revisions", flush=True)
        root = os.path.join(work, f"import_{n}")
        ini = import_project(root, n)
        alembic_cmd = [sys.executable, "-m", "alembic", "-c", ini]
        imp, up, down = [], [], []
        # each import into a directory of its own: removing the last one's
        # files just before would put the file system's work for that on the
        # import's clock; the three commands take turns, so that a change in
        # the shared host's load falls on all of them
        for i in range(repeats):
            out = os.path.join(work, f"import_{n}_out{i}")
            imp.append(timed([importer, "-c", ini, "--project", "bench", "-o", out]))
            up.append(timed(alembic_cmd + ["upgrade", "head", "--sql"]))
            down.append(timed(alembic_cmd + ["downgrade", "head:base", "--sql"]))
        # per revision, so that sizes compare.  The importer renders both
        # directions; `upgrade head --sql` renders one (the goal is stated
        # against it), and with `downgrade head:base --sql` both.
        report.add("import", f"migrate-import-alembic, per revision of {n} (both directions)",
                   statistics.median(imp) * 1000 / n, "alembic upgrade head --sql",
                   statistics.median(up) * 1000 / n, "ms", "ratio <= 1.0")
        both = [u + d for u, d in zip(up, down)]
        report.add("import", f"the same, per revision of {n}",
                   statistics.median(imp) * 1000 / n,
                   "alembic upgrade head --sql + downgrade head:base --sql",
                   statistics.median(both) * 1000 / n, "ms")

    # adoption, of the largest project's import
    n = sizes[-1]
    out = os.path.join(work, f"import_{n}_out{repeats - 1}")
    print(f"7. adopt, {n} revisions", flush=True)
    db = "bench_adopt"
    createdb(db)
    script = os.path.join(work, f"import_{n}.sql")
    with open(script, "w") as f:
        f.write("CREATE EXTENSION migrate;\nSET client_min_messages = warning;\n")
        for name in sorted(os.listdir(out)):
            with open(os.path.join(out, name)) as g:
                f.write(g.read())
        f.write("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);\n"
                f"INSERT INTO alembic_version VALUES ('r{n}');\n")
    run(psql(db, "-1", "-f", script))
    conn = connect(db)
    cur = conn.cursor()
    cur.execute("SET client_min_messages = warning")
    adopt, stamp = [], []
    for _ in range(repeats):
        for sql_, times in (("SELECT count(*) FROM migrate.adopt_alembic(NULL, 'bench')", adopt),
                            (f"SELECT count(*) FROM migrate.stamp('r{n}', 'bench')", stamp)):
            cur.execute("BEGIN")
            cur.execute("SELECT count(*) FROM migrate.stamp('base', 'bench', purge => true)")
            start = time.perf_counter()
            cur.execute(sql_)
            times.append(time.perf_counter() - start)
            cur.execute("ROLLBACK")
    conn.close()
    dropdb(db)
    report.add("import", f"adopt_alembic(), {n} revisions registered",
               statistics.median(adopt) * 1000, f"stamp('r{n}')", statistics.median(stamp) * 1000, "ms")


def alembic(report, work, sizes, repeats):
    try:
        import alembic as _  # noqa: F401
    except ImportError:
        print("6. Alembic: not installed (python3-alembic); column skipped", flush=True)
        return
    for n in sizes:
        print(f"6. Alembic side by side: {n} revisions", flush=True)
        body = lambda i: f"CREATE TABLE a_{i} (id int PRIMARY KEY, v text)"
        root = os.path.join(work, f"alembic_{n}")
        ini = alembic_project(root, n, body)
        reg = os.path.join(work, f"alembic_reg_{n}.sql")
        register_chain(reg, n, body)
        createdb("bench_alembic_tmpl")
        run(psql("bench_alembic_tmpl", "-f", reg))
        a, m = [], []
        for _ in range(repeats):
            createdb("bench_alembic")
            a.append(timed([sys.executable, "-m", "alembic", "-c", ini, "upgrade", "head"]))
            createdb("bench_alembic", "bench_alembic_tmpl")
            m.append(timed(psql("bench_alembic", "-c", "SET client_min_messages = warning",
                                "-c", "SELECT count(*) FROM migrate.upgrade('head')")))
        report.add("Alembic", f"upgrade head, {n} revisions", statistics.median(m) * 1000,
                   "alembic upgrade head", statistics.median(a) * 1000, "ms", "")
        if n == max(sizes):
            # bench_alembic is at head through migrate; Alembic gets its own
            # database at head for its no-op
            createdb("bench_alembic_noop")
            ini_noop = ini + ".noop"
            with open(ini) as f, open(ini_noop, "w") as g:
                g.write(f.read().replace("/bench_alembic?", "/bench_alembic_noop?"))
            run([sys.executable, "-m", "alembic", "-c", ini_noop, "upgrade", "head"])
            na, nm = [], []
            for _ in range(repeats):
                na.append(timed([sys.executable, "-m", "alembic", "-c", ini_noop, "upgrade", "head"]))
                nm.append(timed(psql("bench_alembic", "-c", "SELECT * FROM migrate.upgrade('head')")))
            report.add("Alembic", f"no-op upgrade head, {n} revisions", statistics.median(nm) * 1000,
                       "alembic upgrade head", statistics.median(na) * 1000, "ms", "")
            dropdb("bench_alembic_noop")
        dropdb("bench_alembic")
        dropdb("bench_alembic_tmpl")


def testing(report, work, sizes, tables, repeats):
    """check_reversible() and trial('head') of N revisions (CREATE TABLE +
    INDEX, with their downgrades) on a database that already holds a schema
    of `tables` tables the revisions do not touch: what they cost must follow
    what the revisions change, not the size of the database.  Baselines:
    upgrade('head') then downgrade('base') of the same revisions, in one
    psql; upgrade('head') alone for trial().  Then the peak RSS (VmHWM) of
    the backend that ran check_reversible() over the largest N, against that
    of an idle backend."""
    body = lambda i: f"CREATE TABLE r_{i} (id int PRIMARY KEY, v text); CREATE INDEX r_{i}_v ON r_{i} (v);"
    down = lambda i: f"DROP TABLE r_{i};"
    schema = os.path.join(work, "testing_schema.sql")
    with open(schema, "w") as f:
        f.write(schema_ddl(tables))
    for n in sizes:
        print(f"8. testing migrations: {n} revisions of CREATE TABLE + INDEX, with downgrades,"
              f" on a schema of {tables} tables", flush=True)
        reg = os.path.join(work, f"testing_register_{n}.sql")
        register_chain(reg, n, body, down=down)
        createdb("bench_testing_tmpl")
        run(psql("bench_testing_tmpl", "-1", "-f", schema))
        run(psql("bench_testing_tmpl", "-f", reg, "-c", "VACUUM ANALYZE"))
        # what is timed must be a clean pass over every revision
        conn = connect("bench_testing_tmpl")
        cur = conn.cursor()
        cur.execute("SELECT count(*) FILTER (WHERE ok), count(*) FROM migrate.check_reversible()")
        ok, total = cur.fetchone()
        conn.close()
        if (ok, total) != (n, n):
            raise SystemExit(f"check_reversible() passed {ok} of {total} revisions, expected {n} of {n}")
        ud, u, c, t = [], [], [], []
        for _ in range(repeats):
            createdb("bench_testing", "bench_testing_tmpl")
            ud.append(timed(psql("bench_testing", "-c", "SET client_min_messages = warning",
                                 "-c", "SELECT count(*) FROM migrate.upgrade('head')",
                                 "-c", "SELECT count(*) FROM migrate.downgrade('base')")))
            createdb("bench_testing", "bench_testing_tmpl")
            u.append(timed(psql("bench_testing", "-c", "SET client_min_messages = warning",
                                "-c", "SELECT count(*) FROM migrate.upgrade('head')")))
            createdb("bench_testing", "bench_testing_tmpl")
            c.append(timed(psql("bench_testing", "-c", "SELECT count(*) FROM migrate.check_reversible()")))
            createdb("bench_testing", "bench_testing_tmpl")
            t.append(timed(psql("bench_testing", "-c", "SET client_min_messages = warning",
                                "-c", "SELECT count(*) FROM migrate.trial('head')")))
        report.add("testing", f"check_reversible(), {n} revisions, {tables} other tables",
                   statistics.median(c) * 1000, "upgrade('head') + downgrade('base')",
                   statistics.median(ud) * 1000, "ms", "ratio <= 3")
        report.add("testing", f"trial('head'), {n} revisions, {tables} other tables",
                   statistics.median(t) * 1000, "upgrade('head')", statistics.median(u) * 1000,
                   "ms", "ratio <= 1.2")
        if n == max(sizes):
            createdb("bench_testing", "bench_testing_tmpl")
            idle = connect("bench_testing")
            idle.cursor().execute("SELECT 1")
            idle_hwm = vm_hwm(backend_pid(idle))
            conn = connect("bench_testing")
            cur = conn.cursor()
            cur.execute("SELECT 1")
            cur.execute("SELECT count(*) FROM migrate.check_reversible()")
            hwm = vm_hwm(backend_pid(conn))
            conn.close()
            idle.close()
            report.add("testing", f"check_reversible(), {n} revisions: peak RSS (VmHWM) of its backend",
                       hwm, "an idle backend's", idle_hwm, "MB", "<= idle + 64 MB")
        dropdb("bench_testing")
        dropdb("bench_testing_tmpl")


def backend_pid(conn):
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    return cur.fetchone()[0]


def vm_hwm(pid):
    """The peak resident set of a process, in MB (shared buffers it touched
    included)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def kept_data(report, work, rows, repeats):
    print(f"13. kept data: a column of {rows} rows dropped and brought back", flush=True)
    createdb("bench_kept_tmpl")
    run(psql("bench_kept_tmpl",
             "-c", "CREATE EXTENSION migrate",
             "-c", "CREATE TABLE kt (id int PRIMARY KEY, v text)",
             "-c", f"INSERT INTO kt SELECT g, 'value ' || g FROM generate_series(1, {rows}) g",
             "-c", "VACUUM ANALYZE kt",
             "-c", "SELECT migrate.register('k1', 'ALTER TABLE kt DROP COLUMN v', 'ALTER TABLE kt ADD COLUMN v text')"))
    quiet = "SET client_min_messages = warning"
    drop, back, plain_drop, plain_add = [], [], [], []
    for _ in range(repeats):
        createdb("bench_kept", "bench_kept_tmpl")
        drop.append(timed(psql("bench_kept", "-c", quiet, "-c", "SELECT count(*) FROM migrate.upgrade('k1')")))
        back.append(timed(psql("bench_kept", "-c", quiet, "-c", "SELECT count(*) FROM migrate.downgrade('base')")))
        conn = connect("bench_kept")
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM kt WHERE v = 'value ' || id")
        (restored,) = cur.fetchone()
        conn.close()
        if restored != rows:
            raise SystemExit(f"kept data: {restored} of {rows} values came back")
        createdb("bench_kept", "bench_kept_tmpl")
        plain_drop.append(timed(psql("bench_kept", "-c", "ALTER TABLE kt DROP COLUMN v")))
        plain_add.append(timed(psql("bench_kept", "-c", "ALTER TABLE kt ADD COLUMN v text")))
    dropdb("bench_kept")
    dropdb("bench_kept_tmpl")
    report.add("kept data", f"upgrade() dropping a column of {rows} rows, values kept",
               statistics.median(drop) * 1000, "psql ALTER TABLE DROP COLUMN",
               statistics.median(plain_drop) * 1000, "ms", "")
    report.add("kept data", f"downgrade() bringing it back, values put back",
               statistics.median(back) * 1000, "psql ALTER TABLE ADD COLUMN",
               statistics.median(plain_add) * 1000, "ms", "")


def apply_runs(report, work, n, nidx, rows, repeats):
    print(f"10. CALL migrate.apply(): {n} one-row INSERTs; {nidx} CREATE INDEX CONCURRENTLY"
          f" on {rows} rows", flush=True)
    reg = os.path.join(work, "apply_register.sql")
    register_chain(reg, n, lambda i: f"INSERT INTO t VALUES ({i});")
    createdb("bench_apply_tmpl")
    run(psql("bench_apply_tmpl", "-c", "CREATE TABLE t (id int)", "-f", reg))
    u, a = [], []
    for _ in range(repeats):
        createdb("bench_apply", "bench_apply_tmpl")
        u.append(timed(psql("bench_apply", "-c", "SET client_min_messages = warning",
                            "-c", "SELECT count(*) FROM migrate.upgrade('head')")))
        createdb("bench_apply", "bench_apply_tmpl")
        a.append(timed(psql("bench_apply", "-c", "SET client_min_messages = warning",
                            "-c", "CALL migrate.apply('head')")))
    report.add("apply", f"`CALL migrate.apply()`, {n} one-row INSERTs (a commit each)",
               statistics.median(a) * 1000, "upgrade('head')", statistics.median(u) * 1000, "ms", "")

    # the same index builds, typed into psql (each statement commits) and
    # run as non-transactional revisions, each in a background worker
    stmts = [f"CREATE INDEX CONCURRENTLY big_{i} ON big ((v + {i}));" for i in range(1, nidx + 1)]
    plain = os.path.join(work, "apply_plain.sql")
    with open(plain, "w") as f:
        f.write("\n".join(stmts) + "\n")
    reg = os.path.join(work, "apply_register_cic.sql")
    with open(reg, "w") as f:
        f.write("SET client_min_messages = warning;\n")
        for i, stmt in enumerate(stmts, 1):
            parent = f"'c{i - 1}'" if i > 1 else "NULL"
            f.write(f"SELECT migrate.register('c{i}', $b${stmt}$b$, NULL, down_revision => {parent},"
                    f" transactional => false);\n")
    createdb("bench_apply_tmpl")
    run(psql("bench_apply_tmpl", "-c", "CREATE EXTENSION migrate",
             "-c", f"CREATE TABLE big AS SELECT g AS v FROM generate_series(1, {rows}) g",
             "-c", "VACUUM ANALYZE big", "-f", reg))
    p, c = [], []
    for _ in range(repeats):
        createdb("bench_apply", "bench_apply_tmpl")
        p.append(timed(psql("bench_apply", "-f", plain)))
        createdb("bench_apply", "bench_apply_tmpl")
        c.append(timed(psql("bench_apply", "-c", "SET client_min_messages = warning",
                            "-c", "CALL migrate.apply('head')")))
    dropdb("bench_apply")
    dropdb("bench_apply_tmpl")
    pm, cm = statistics.median(p), statistics.median(c)
    report.add("apply", f"`CALL migrate.apply()`, {nidx} × CREATE INDEX CONCURRENTLY, {rows} rows",
               cm * 1000, "`psql -f` of the statements", pm * 1000, "ms", "")
    report.add("apply", "per non-transactional revision, over psql (worker start, commits)",
               (cm - pm) / nidx * 1000, None, None, "ms", "")


def writer_stalls(report, work, rows, seconds):
    """The longest INSERT of 8 writers while CALL apply() builds an index
    with CREATE INDEX CONCURRENTLY, against while upgrade() builds the same
    index on a twin table with a plain CREATE INDEX, in the same run.  (The
    test suite checks the lock instead: test/scripts/apply.sh.)"""
    print(f"11. writers during an index build: {rows} rows, 8 clients inserting", flush=True)
    db = "bench_stall"
    createdb(db)
    run(psql(db, "-c", "CREATE EXTENSION migrate", "-c", f"""
        CREATE TABLE orders (id bigserial PRIMARY KEY, customer int, note text);
        CREATE TABLE orders_twin (id bigserial PRIMARY KEY, customer int, note text);
        INSERT INTO orders (customer, note) SELECT g % 10000, 'order ' || g FROM generate_series(1, {rows}) g;
        INSERT INTO orders_twin (customer, note) SELECT customer, note FROM orders;
        SET client_min_messages = warning;
        SELECT migrate.register('s1', 'CREATE INDEX CONCURRENTLY orders_customer ON orders (customer)',
            'DROP INDEX CONCURRENTLY orders_customer', transactional => false, project => 'shop');
        SELECT migrate.register('t1', 'CREATE INDEX orders_twin_customer ON orders_twin (customer)',
            'DROP INDEX orders_twin_customer', project => 'twin');""",
             "-c", "VACUUM ANALYZE orders", "-c", "VACUUM ANALYZE orders_twin"))
    script = os.path.join(work, "stall_insert.sql")
    with open(script, "w") as f:
        f.write("\\set c random(1, 10000)\n"
                "INSERT INTO orders (customer, note) VALUES (:c, 'live');\n"
                "INSERT INTO orders_twin (customer, note) VALUES (:c, 'live');\n")
    logs = os.path.join(work, "stall")
    os.makedirs(logs, exist_ok=True)
    writers = subprocess.Popen(["pgbench", "-n", "-c", "8", "-j", "2", "-T", str(seconds), "-f", script,
                                "-l", "--log-prefix=writers", "-d", db],
                               cwd=logs, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    windows = []
    for cmd in ("CALL migrate.apply('head', 'shop')", "SELECT count(*) FROM migrate.upgrade('head', 'twin')"):
        start = time.time()
        run(psql(db, "-c", "SET client_min_messages = warning", "-c", cmd))
        windows.append((start, time.time()))
        time.sleep(1)
    writers.wait()
    longest = [0.0, 0.0]
    for name in os.listdir(logs):
        with open(os.path.join(logs, name)) as f:
            for line in f:
                # client transaction latency(us) script epoch(s) epoch-us
                fields = line.split()
                if len(fields) < 6:
                    continue
                latency = int(fields[2]) / 1e6
                end = int(fields[4]) + int(fields[5]) / 1e6
                for i, (a, b) in enumerate(windows):
                    if a <= end <= b + latency:
                        longest[i] = max(longest[i], latency)
    dropdb(db)
    report.add("apply", f"longest INSERT of 8 writers while `CALL migrate.apply()` builds an index CONCURRENTLY, {rows} rows",
               longest[0] * 1000, "while upgrade() builds it with a plain CREATE INDEX", longest[1] * 1000, "ms",
               "far below 1")


def schema_ddl(n):
    """N tables with a key, a few columns, a default, a check, an index and a
    foreign key to the previous table: the kind of schema an application has."""
    out = []
    for i in range(1, n + 1):
        fk = f", prev_id bigint REFERENCES t_{i - 1} (id)" if i > 1 else ""
        out.append(f"CREATE TABLE t_{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                   f" name text NOT NULL, amount numeric(12,2) DEFAULT 0 CHECK (amount >= 0),"
                   f" created timestamptz NOT NULL DEFAULT now(){fk});")
        out.append(f"CREATE INDEX t_{i}_name ON t_{i} (name);")
    return "\n".join(out) + "\n"


def schema_model(report, work, n, repeats):
    print(f"9. schema model: fingerprint of {n} tables", flush=True)
    ddl = schema_ddl(n)
    reg = os.path.join(work, "schema_register.sql")
    with open(reg, "w") as f:
        f.write("CREATE EXTENSION IF NOT EXISTS migrate;\n")
        f.write(f"SELECT migrate.register('s1', $b${ddl}$b$);\n")
    createdb("bench_schema_tmpl")
    run(psql("bench_schema_tmpl", "-f", reg))
    up = []
    for _ in range(repeats):
        createdb("bench_schema", "bench_schema_tmpl")
        up.append(timed(psql("bench_schema", "-c", "SELECT count(*) FROM migrate.upgrade('head')")))
    fp, dump = [], []
    for _ in range(repeats):
        fp.append(timed(psql("bench_schema", "-c",
                             "SELECT count(*) FROM migrate.fingerprint(ARRAY['public'])")))
        dump.append(timed(["pg_dump", "--schema-only", "-n", "public", "-d", "bench_schema",
                           "-f", os.devnull]))
    report.add("schema model", f"fingerprint, {n} tables", statistics.median(fp) * 1000,
               "upgrade('head') building them", statistics.median(up) * 1000, "ms")
    report.add("schema model", f"fingerprint, {n} tables", statistics.median(fp) * 1000,
               "pg_dump --schema-only", statistics.median(dump) * 1000, "ms")

    # the same schema again as "desired", one column changed
    path = os.path.join(work, "schema_desired.sql")
    with open(path, "w") as f:
        f.write("CREATE SCHEMA desired; SET search_path = desired;\n" + ddl)
        f.write(f"ALTER TABLE t_{max(1, n // 2)} ALTER COLUMN amount TYPE numeric(14,2);\n")
    run(psql("bench_schema", "-1", "-f", path))
    conn = connect("bench_schema")
    cur = conn.cursor()
    cur.execute("SELECT migrate.diff('public', 'desired')")
    script = cur.fetchone()[0]
    conn.close()
    statements = sum(1 for line in script.splitlines() if line.startswith("ALTER TABLE"))
    df, dump2 = [], []
    for _ in range(repeats):
        df.append(timed(psql("bench_schema", "-c", "SELECT length(migrate.diff('public', 'desired'))")))
        dump2.append(timed(["pg_dump", "--schema-only", "-n", "public", "-n", "desired",
                            "-d", "bench_schema", "-f", os.devnull]))
    report.add("schema model", f"diff, {n} tables each, one column changed ({statements} ALTER)",
               statistics.median(df) * 1000, "pg_dump --schema-only of both",
               statistics.median(dump2) * 1000, "ms")
    dropdb("bench_schema")
    dropdb("bench_schema_tmpl")


def diff_property(report, iterations):
    print(f"9. diff property test: {iterations} random schema pairs, both ways", flush=True)
    here = os.path.dirname(os.path.abspath(__file__))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, os.path.join(here, "..", "diff", "prop.py"),
                           "--iterations", str(iterations), "--seed", "1"],
                          stdout=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no output)", flush=True)
    report.add("schema model", f"diff property test, {iterations} pairs both ways"
               f" ({'passed' if done.returncode == 0 else 'FAILED'})",
               elapsed * 1000 / iterations, "", None, "ms per pair")


def citus(report, n, repeats):
    print(f"12. Citus: upgrade('head') of {n} revisions on a coordinator and two workers", flush=True)
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "citus.json")
        p = subprocess.run(["bash", os.path.join(here, "..", "citus_cluster.sh"), sys.executable,
                            os.path.join(here, "citus.py"), str(n), str(repeats), out],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode == 77:
            reasons = [line for line in p.stdout.splitlines() if line.startswith("skipped:")]
            print("  " + (reasons[-1] if reasons else "skipped"), flush=True)
            return
        if p.returncode != 0:
            print(p.stdout, flush=True)
            raise SystemExit(f"the Citus workload failed (status {p.returncode})")
        with open(out) as f:
            times = json.load(f)
    report.add("Citus", f"upgrade('head'), {n} revisions, 3 nodes", statistics.median(times["migrate_ms"]),
               "psql -1 -f to the coordinator", statistics.median(times["psql_ms"]), "ms", "ratio <= 1.05")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    ap.add_argument("--out", help="directory for generated projects and the result table")
    ap.add_argument("--only", help="comma-separated workloads to run: "
                    "ddl,overhead,noop,scale,memory,alembic,imports,testing,schema,apply,kept,citus (default: all)")
    ap.add_argument("--imports", type=lambda v: sorted(int(n) for n in v.split(",")),
                    metavar="N[,N...]",
                    help="project sizes of the import workload (default: 10,100,1000; "
                         "10 with --smoke)")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    wanted = lambda name: only is None or name in only

    if args.smoke:
        sizes = dict(ddl=5, ins=20, noop=[10, 20], scale=200, reg=20, mem=20, alembic=[3], testing=[10], testing_tables=20, schema=20, imports=[10],
                     prop=3, apply=10, cic=2, cic_rows=1000, stall_rows=20000, stall_seconds=6,
                     kept=2000, citus=2, repeats=2)
    else:
        sizes = dict(ddl=1000, ins=10000, noop=[1000, 10000], scale=100000, reg=10000, mem=10000,
                     alembic=[10, 100, 1000], testing=[100, 1000], testing_tables=1000, schema=1000, imports=[10, 100, 1000], prop=300,
                     apply=1000, cic=20, cic_rows=100000, stall_rows=1000000,
                     stall_seconds=40, kept=1000000, citus=20, repeats=5)
    work = args.out or tempfile.mkdtemp(prefix="migrate-bench-")
    os.makedirs(work, exist_ok=True)
    report = Report(targets=not args.smoke)
    r = sizes["repeats"]
    if wanted("ddl"):
        heavy_ddl(report, work, sizes["ddl"], r)
    if wanted("overhead"):
        overhead(report, work, sizes["ins"], r)
    if wanted("noop"):
        boot_noop(report, work, sizes["noop"], max(r, 2) * 4)
    if wanted("scale"):
        graph_scale(report, work, sizes["scale"], sizes["reg"], r)
    if wanted("memory"):
        memory(report, work, sizes["mem"])
    if wanted("alembic"):
        alembic(report, work, sizes["alembic"], r)
    if wanted("testing"):
        testing(report, work, sizes["testing"], sizes["testing_tables"], min(r, 3))
    if wanted("schema"):
        schema_model(report, work, sizes["schema"], r)
        diff_property(report, sizes["prop"])
    if wanted("imports"):
        import_adopt(report, work, args.imports or sizes["imports"], r)
    if wanted("apply"):
        apply_runs(report, work, sizes["apply"], sizes["cic"], sizes["cic_rows"], r)
        writer_stalls(report, work, sizes["stall_rows"], sizes["stall_seconds"])
    if wanted("kept"):
        kept_data(report, work, sizes["kept"], min(r, 3))
    if wanted("citus"):
        citus(report, sizes["citus"], r)

    table = report.table()
    print()
    print(table)
    with open(os.path.join(work, "results.md"), "w") as f:
        f.write(table + "\n")
    print(f"\ngenerated projects and results.md in {work}")


if __name__ == "__main__":
    main()
