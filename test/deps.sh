#!/bin/bash
# What the test suites need, from Debian's packages (installed when
# missing; as root), and node-postgres from the npm registry.  With --demo,
# only what `make demo` needs: a server, its headers and a compiler.
set -euo pipefail

if [ "${1:-}" = --demo ]; then
	packages=(postgresql-15 postgresql-server-dev-15 build-essential)
else
	packages=(
		postgresql-15
		postgresql-server-dev-15
		postgresql-15-pgtap
		libtap-parser-sourcehandler-pgtap-perl
		python3-alembic
		python3-psycopg2
		# test/scripts/alembic_import.sh: a Flask-Migrate project, and the
		# importer's type check
		python3-flask-migrate
		mypy
		clang
		libclang-rt-14-dev
		build-essential
		# the Debian package (test/package.sh): dpkg-buildpackage, pg_buildext
		dpkg-dev
		debhelper
		postgresql-server-dev-all
		# test/scripts/pgbouncer.sh
		pgbouncer
		# test/scripts/graph_render.sh: dot renders migrate.graph()'s pictures
		graphviz
	)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root: install these packages first: ${missing[*]}" >&2
		exit 1
	fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" = --demo ] && exit 0

# test/scripts/drivers.sh: node-postgres, from the npm registry, into a
# cache of its own (Node.js itself from Debian when there is none)
node_modules=${MIGRATE_NODE_MODULES:-/var/cache/migrate-node}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root: install nodejs and npm first" >&2
		exit 1
	fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
fi
if [ ! -f "$node_modules/node_modules/pg/package.json" ]; then
	echo "installing node-postgres (npm pg@8) into $node_modules"
	mkdir -p "$node_modules"
	npm install --silent --no-audit --no-fund --prefix "$node_modules" pg@8 >/dev/null
fi
