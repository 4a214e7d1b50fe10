#!/bin/bash
# make test works from a checkout that no other user can read, as a clone
# under /root (mode 700) is: the suites that run something as another user
# (runuser: the cluster's owner runs migrate-bootstrap, the standby,
# pgbouncer) are run again from a copy of the tree in a mode-700 directory.
# A suite that hands that user a file of the checkout fails here.
#
# Runs inside the throw-away cluster of test/run.sh (PG* variables set).
set -uo pipefail
cd "$(dirname "$0")/../.."

priv=$(mktemp -d)
trap 'rm -rf "$priv"' EXIT
chmod 700 "$priv"
mkdir "$priv/clone"
# the tree as it is (committed or not), without build products
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$priv/clone"
else
	tar --exclude='*.o' --exclude='*.bc' --exclude='*.so' -cf - . | tar -xf - -C "$priv/clone"
fi
chmod 700 "$priv/clone"

# what the checkout finds beside itself (../shared: PostgreSQL 16 and 18
# built from source, Citus), the copy is told where it is
orig=$PWD
copy_env=()
if [ -x "$orig/../shared/postgres/build.sh" ]; then
	for m in 16 18; do
		prefix=$("$orig/../shared/postgres/build.sh" "$m" 2>/dev/null) &&
			copy_env+=("MIGRATE_PG${m}_PREFIX=$prefix")
	done
fi
[ -f "$orig/../shared/citus/build.sh" ] && copy_env+=("MIGRATE_CITUS_BUILD=$orig/../shared/citus/build.sh")

status=0
n=0
for script in "$priv"/clone/test/scripts/*.sh; do
	name=$(basename "$script" .sh)
	[ "$name" = private_checkout ] && continue
	grep -q 'runuser' "$script" || continue
	n=$((n + 1))
	echo "--- $name, from $priv/clone (mode 700)"
	(cd "$priv/clone" && env ${copy_env[@]+"${copy_env[@]}"} BOOTSTRAP_TRIALS=2 bash "test/scripts/$name.sh") >"$priv/$name.log" 2>&1
	result=$?
	if [ $result = 0 ]; then
		echo "ok: $name passes from a private checkout"
	elif [ $result = 77 ] && [ ${#copy_env[@]} = 0 ]; then
		# nothing beside the checkout either: the suite skips there too
		echo "ok: $name skips from a private checkout as from this one: $(tail -1 "$priv/$name.log")"
	else
		echo "FAIL: $name fails from a private checkout:"
		tail -30 "$priv/$name.log"
		status=1
	fi
done
if [ "$n" -eq 0 ]; then
	echo "FAIL: no suite runs anything as another user: this test checks nothing"
	exit 1
fi
exit $status
