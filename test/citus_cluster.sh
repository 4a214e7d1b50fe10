#!/bin/bash
# Run a command against a throw-away Citus cluster: a coordinator and two
# workers.
#
#   test/citus_cluster.sh COMMAND [ARG]...
#
# Citus 13.2.2 is built for the PostgreSQL whose pg_config is $PG_CONFIG
# (default: pg_config on PATH) and installed into it by
# ../shared/citus/build.sh, beside the checkout ($MIGRATE_CITUS_BUILD names
# another; the build is cached, see the script).  Where it cannot be -- no
# build script, a major Citus 13.2.2 does not support (it supports 15, 16
# and 17), a failed build -- this says why on stderr and exits 77, which the
# test harness counts as skipped.
#
# The three servers live in a fresh directory under ${TMPDIR:-/tmp}, listen
# on a Unix socket there and on 127.0.0.1 at free ports (the nodes reach
# each other there), preload Citus, send nothing anywhere (no statistics
# collection), and are stopped and removed when COMMAND ends, however it
# ends.  As root they belong to the "postgres" system user, as in
# test/cluster.sh.  Citus is created in database postgres on each node, the
# coordinator is in the metadata, and both workers are added.  COMMAND sees
# PGHOST, PGPORT (the coordinator), PGUSER and PGDATABASE,
# MIGRATE_CITUS_WORKERS (the two workers' ports), MIGRATE_CITUS_DATA (the
# three data directories, coordinator first), MIGRATE_CITUS_PGCTL (the
# command that runs their pg_ctl, as their owner) and the server's bindir
# first on PATH.  Exits with COMMAND's status.
set -uo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG]..." >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pg_config=${PG_CONFIG:-pg_config}
bindir=$("$pg_config" --bindir) || { echo "citus_cluster.sh: $pg_config does not answer" >&2; exit 2; }
major=$("$pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
build=${MIGRATE_CITUS_BUILD:-$(dirname "$root")/shared/citus/build.sh}

case $major in
	15 | 16 | 17) ;;
	*)
		echo "skipped: Citus 13.2.2 supports PostgreSQL 15, 16 and 17; this server is PostgreSQL $major" >&2
		exit 77
		;;
esac
if [ ! -f "$build" ]; then
	echo "skipped: no Citus build script at $build (the Citus sources sit beside the checkout, in ../shared/citus)" >&2
	exit 77
fi

owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	if ! id -u "$owner" >/dev/null 2>&1; then
		useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$owner" || exit 2
	fi
fi
as_owner() {
	if [ "$owner" = "$(id -un)" ]; then
		"$@"
	else
		runuser -u "$owner" -- "$@"
	fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/migrate-citus.XXXXXX") || exit 2
chmod 755 "$dir"
mkdir "$dir/socket"
chown "$owner" "$dir/socket"
nodes=(coordinator worker1 worker2)

cleanup() {
	for node in "${nodes[@]}"; do
		if [ -f "$dir/$node/postmaster.pid" ]; then
			as_owner "$bindir/pg_ctl" -D "$dir/$node" -m immediate -w stop >/dev/null 2>&1
		fi
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "Citus 13.2.2 for PostgreSQL $major: $build (minutes the first time, then cached)"
if ! PG_CONFIG=$pg_config bash "$build" >/dev/null 2>"$dir/build.log"; then
	tail -n 30 "$dir/build.log" >&2
	echo "skipped: Citus 13.2.2 could not be built for PostgreSQL $major (above, the end of $build's output)" >&2
	exit 77
fi

# three ports nobody listens on: random in 20000..59999, checked
ports=()
for _ in $(seq 1 100); do
	[ ${#ports[@]} -eq 3 ] && break
	candidate=$((20000 + RANDOM % 40000))
	[[ " ${ports[*]-} " == *" $candidate "* ]] && continue
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
		ports+=("$candidate")
	fi
done
[ ${#ports[@]} -eq 3 ] || { echo "citus_cluster.sh: no free ports" >&2; exit 2; }

for i in 0 1 2; do
	data=$dir/${nodes[$i]}
	mkdir "$data"
	chown "$owner" "$data"
	chmod 700 "$data"
	if ! as_owner "$bindir/initdb" -D "$data" -U postgres -A trust \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		exit 2
	fi
	{
		echo "port = ${ports[$i]}"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$dir/socket'"
		echo "shared_preload_libraries = 'citus'"
		echo "citus.local_hostname = '127.0.0.1'"
		echo "citus.enable_statistics_collection = off"
		echo "fsync = off"
		echo "shared_buffers = 32MB"
		echo "max_connections = 100"
		echo "max_prepared_transactions = 20"
		echo "log_line_prefix = '%m [%p] %q%a '"
	} >>"$data/postgresql.conf"
	if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null; then
		cat "$data/server.log" >&2
		exit 2
	fi
done

export PGHOST="$dir/socket" PGPORT="${ports[0]}" PGUSER=postgres PGDATABASE=postgres
export PATH="$bindir:$PATH"
unset PGPASSWORD PGSERVICE PGOPTIONS

for port in "${ports[@]}"; do
	if ! psql -X -q -v ON_ERROR_STOP=1 -p "$port" -c "SET client_min_messages = warning" \
		-c "CREATE EXTENSION citus" >/dev/null; then
		echo "citus_cluster.sh: CREATE EXTENSION citus failed on port $port" >&2
		exit 2
	fi
done
if ! psql -X -q -v ON_ERROR_STOP=1 \
	-c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', ${ports[0]})" \
	-c "SELECT pg_catalog.citus_add_node('127.0.0.1', ${ports[1]})" \
	-c "SELECT pg_catalog.citus_add_node('127.0.0.1', ${ports[2]})" >/dev/null; then
	echo "citus_cluster.sh: the workers could not be added" >&2
	exit 2
fi

export MIGRATE_CITUS_WORKERS="${ports[1]} ${ports[2]}"
export MIGRATE_CITUS_DATA="$dir/coordinator $dir/worker1 $dir/worker2"
if [ "$owner" = "$(id -un)" ]; then
	export MIGRATE_CITUS_PGCTL="$bindir/pg_ctl"
else
	export MIGRATE_CITUS_PGCTL="runuser -u $owner -- $bindir/pg_ctl"
fi

"$@"
