#!/bin/bash
# `make bench`: install what is missing, build, install, and run the
# benchmark in a throw-away cluster.  `make bench BENCH_ARGS=--smoke` runs it
# at tiny sizes (CI does, so that it cannot rot).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/deps.sh
make -s WERROR=1 >/dev/null
make -s install >/dev/null
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bash test/cluster.sh /usr/bin/python3 test/bench/bench.py "$@"
