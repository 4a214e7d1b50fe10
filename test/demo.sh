#!/bin/bash
# `make demo`: install what is missing, build, install, start a throw-away
# cluster and run a small migration in it, printing what psql prints.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/deps.sh --demo
make -s WERROR=1 >/dev/null
make -s install >/dev/null
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bash test/cluster.sh psql -X -v ON_ERROR_STOP=1 -e -f test/demo.sql
