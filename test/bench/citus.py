#!/usr/bin/python3
"""The Citus workload of the benchmark, run inside test/citus_cluster.sh.

  citus.py N REPEATS OUT.json

On the coordinator of a fresh three-node cluster (PG* variables name it),
N revisions, alternately creating a distributed table colocated with
`events` and adding a column and an index to `events` (32 shards each, on
two workers), are run by upgrade('head') and, as the baseline, the same
statements by `psql -1 -f` to the coordinator; each run starts from the
same state.  Writes the wall times, in milliseconds, to OUT.json.
test/bench/bench.py reports them.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

PSQL = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]


def run(*args):
    subprocess.run(PSQL + list(args), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def timed(*args):
    start = time.perf_counter()
    run(*args)
    return (time.perf_counter() - start) * 1000


def body(i):
    if i % 2:
        return (f"CREATE TABLE t_{i} (id bigint PRIMARY KEY, event_id bigint, v text); "
                f"SELECT create_distributed_table('t_{i}', 'id', colocate_with => 'events');")
    return f"ALTER TABLE events ADD COLUMN c_{i} int; CREATE INDEX events_c_{i} ON events (c_{i});"


def main():
    n, repeats, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    work = tempfile.mkdtemp(prefix="migrate-bench-citus-")
    register = os.path.join(work, "register.sql")
    raw = os.path.join(work, "raw.sql")
    reset = os.path.join(work, "reset.sql")
    with open(register, "w") as f:
        f.write("SET client_min_messages = warning;\n")
        for i in range(1, n + 1):
            parent = f"'c{i - 1}'" if i > 1 else "NULL"
            f.write(f"SELECT migrate.register('c{i}', $b${body(i)}$b$, NULL, down_revision => {parent});\n")
    with open(raw, "w") as f:
        for i in range(1, n + 1):
            f.write(body(i) + "\n")
    # the state each run starts from: events alone, at base
    with open(reset, "w") as f:
        f.write("SET client_min_messages = warning;\n")
        for i in range(1, n + 1, 2):
            f.write(f"DROP TABLE IF EXISTS t_{i};\n")
        f.write("DROP TABLE IF EXISTS events;\n"
                "CREATE TABLE events (id bigint PRIMARY KEY, v text);\n"
                "SELECT create_distributed_table('events', 'id', shard_count => 32);\n"
                "SELECT migrate.stamp('base');\n")
    run("-c", "CREATE EXTENSION migrate", "-f", register)
    migrate, psql = [], []
    for _ in range(repeats):
        run("-f", reset)
        migrate.append(timed("-c", "SELECT count(*) FROM migrate.upgrade('head')"))
        run("-f", reset)
        psql.append(timed("-1", "-f", raw))
    with open(out, "w") as f:
        json.dump({"migrate_ms": migrate, "psql_ms": psql}, f)


if __name__ == "__main__":
    main()
