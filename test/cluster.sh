#!/bin/bash
# Run a command against a throw-away PostgreSQL cluster.
#
#   test/cluster.sh [-o NAME=VALUE]... COMMAND [ARG]...
#
# The server is the one whose pg_config is $PG_CONFIG (default: pg_config
# on PATH), so the same suites run against Debian's PostgreSQL 15 or a
# PostgreSQL 18 built from source.  The cluster lives in a fresh directory
# under ${TMPDIR:-/tmp}, listens on a Unix socket there and on 127.0.0.1 at
# a free port, and is stopped and removed when COMMAND ends, however it
# ends.  COMMAND sees PGHOST, PGPORT, PGUSER, PGDATABASE and PGDATA, the
# server's bindir first on PATH, and MIGRATE_PGCTL: a command that runs that
# server's pg_ctl on this cluster (as the cluster's owner), for scripts that
# restart or stop it.  Exits with COMMAND's status.
#
# initdb refuses to run as root, so as root the cluster belongs to the
# "postgres" system user (created by Debian's postgresql-common).
set -uo pipefail

opts=()
while [ $# -gt 0 ]; do
	case $1 in
		-o) opts+=("$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
	esac
done
if [ $# -eq 0 ]; then
	echo "usage: $0 [-o NAME=VALUE]... COMMAND [ARG]..." >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
pg_config=${PG_CONFIG:-pg_config}
bindir=$("$pg_config" --bindir) || { echo "cluster.sh: $pg_config does not answer" >&2; exit 2; }

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

dir=$(mktemp -d "${TMPDIR:-/tmp}/migrate-cluster.XXXXXX") || exit 2
chmod 755 "$dir"
mkdir "$dir/data" "$dir/socket"
chown "$owner" "$dir/data" "$dir/socket"
chmod 700 "$dir/data"

cleanup() {
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust \
	--no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	exit 2
fi

# a port nobody listens on: random in 20000..59999, checked
port=
for _ in $(seq 1 50); do
	candidate=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
		port=$candidate
		break
	fi
done
[ -n "$port" ] || { echo "cluster.sh: no free port" >&2; exit 2; }

{
	echo "port = $port"
	echo "listen_addresses = '127.0.0.1'"
	echo "unix_socket_directories = '$dir/socket'"
	echo "fsync = off"
	echo "max_connections = 100"
	echo "max_prepared_transactions = 10"
	echo "log_line_prefix = '%m [%p] %q%a '"
	for o in "${opts[@]+"${opts[@]}"}"; do
		echo "${o%%=*} = '${o#*=}'"
	done
} >>"$dir/data/postgresql.conf"

if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start >/dev/null; then
	cat "$dir/data/server.log" >&2
	exit 2
fi

export PGHOST="$dir/socket" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
export PGDATA="$dir/data"
export PATH="$bindir:$PATH"
if [ "$owner" = "$(id -un)" ]; then
	export MIGRATE_PGCTL="$bindir/pg_ctl -D $dir/data -l $dir/data/server.log"
else
	export MIGRATE_PGCTL="runuser -u $owner -- $bindir/pg_ctl -D $dir/data -l $dir/data/server.log"
fi
unset PGPASSWORD PGSERVICE PGOPTIONS

"$@"
