#!/bin/bash
# The Debian packages, built and installed as a user would.
#
# 1. Builds them from a copy of the tree (tools/build-deb.sh, which runs
#    dpkg-buildpackage -us -uc -b in a temporary directory: nothing is left
#    in the source tree) with PG_SUPPORTED_VERSIONS=pgdg in the environment,
#    as on a machine with apt.postgresql.org's postgresql-common (more
#    supported majors than installed ones), and checks their names,
#    versions, contents, dependencies and the build dependencies.
# 2. Installs them with dpkg -i into the system PostgreSQL, checks that the
#    installed files are the package's (dpkg --verify), and runs the
#    pg_regress and isolation suites (make installcheck, from the source's
#    sql/, expected/, specs/ only: no C source, no build products beside
#    them) in a throw-away cluster of that server, then the installed
#    /usr/bin/migrate-bootstrap and /usr/bin/migrate-revision against it.
# 3. Purges the packages and puts back whatever migrate files the system
#    PostgreSQL had before (a source build installed by hand, migrate_tap's
#    files included), so that the machine is left as it was: every file
#    whose name starts with "migrate" in its extension, library and bitcode
#    directories is checked to be back, byte for byte.  When there is no
#    migrate_tap.control there, one is put there first, as a make install
#    would, to see that it comes back (and is removed at the end).  Before
#    installing, tools/build-deb.sh is checked to refuse a build with the
#    build-time regression run while such files are there.
#
# It changes the system PostgreSQL, so test/run.sh runs it before it
# installs the source build (see there).  Steps 2-3 hold the lock file
# $MIGRATE_SYSTEM_LOCK (default /tmp/system-pg.lock) so that two runs on
# one machine do not install into the system PostgreSQL at once; a caller
# that already holds it (flock /tmp/system-pg.lock make test) is not
# waited for.  Needs root (dpkg -i).
set -uo pipefail
cd "$(dirname "$0")/.."
src=$PWD

failures=0
ok() { echo "ok: $1"; }
fail() {
	echo "FAIL: $1"
	failures=$((failures + 1))
}

if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: the package test installs packages with dpkg -i: run it as root"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-package.XXXXXX") || exit 1
chmod 755 "$work"
installed=()
backup_list=()
restore() {
	# the packages go, and what was there before comes back
	if [ ${#installed[@]} -gt 0 ]; then
		dpkg --purge "${installed[@]}" >"$work/purge.log" 2>&1 || cat "$work/purge.log"
		installed=()
	fi
	local f
	for f in "${backup_list[@]+"${backup_list[@]}"}"; do
		mkdir -p "$(dirname "$f")"
		cp -a "$work/backup$f" "$f"
	done
	backup_list=()
}
planted=()
unplant() {
	local f
	for f in "${planted[@]+"${planted[@]}"}"; do
		rm -f "$f"
	done
	planted=()
}
# the modification times of the directories the packages write into, put
# back last (installing and purging changes them)
dir_times=()
restore_dir_times() {
	local e
	for e in "${dir_times[@]+"${dir_times[@]}"}"; do
		[ -d "${e#*|}" ] && touch -m -d "@${e%%|*}" "${e#*|}"
	done
	dir_times=()
}
trap 'restore; unplant; restore_dir_times; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" migrate.control)
tap_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" migrate_tap.control)
arch=$(dpkg --print-architecture)

# --- 1. build
echo "--- building from a copy of the tree"
before_status=$(git status --porcelain --ignored 2>/dev/null | LC_ALL=C sort)
start=$(date +%s)
# Without the build-time regression run (nocheck): it runs in
# pg_virtualenv, whose server finds the extension's files of an earlier
# make install into the same PostgreSQL before the built ones, so that it
# tests a mixture on a developer's machine.  Step 2 runs the same suites
# against the installed package, with nothing else there.
if ! PG_SUPPORTED_VERSIONS=pgdg DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }nocheck" \
	bash tools/build-deb.sh "$work/debs" >"$work/built.txt"; then
	echo "FAIL: tools/build-deb.sh (with PG_SUPPORTED_VERSIONS=pgdg)"
	exit 1
fi
ok "built in $(($(date +%s) - start)) s, with PG_SUPPORTED_VERSIONS=pgdg: $(xargs -n1 basename <"$work/built.txt" | tr '\n' ' ')"
# what it printed is what is in the output directory
if [ "$(xargs -n1 basename <"$work/built.txt" | LC_ALL=C sort)" = "$(ls "$work/debs" | LC_ALL=C sort)" ]; then
	ok "tools/build-deb.sh lists every file it leaves in the output directory"
else
	fail "tools/build-deb.sh printed $(tr '\n' ' ' <"$work/built.txt"), the directory holds $(ls "$work/debs" | tr '\n' ' ')"
fi
# the build-time regression run needs a server: postgresql-all, unless nocheck
build_depends=$(sed -n 's/^Build-Depends: //p' debian/control)
if grep -q 'postgresql-all <!nocheck>' <<<"$build_depends" &&
	[ "$(sed -n 's/^Build-Depends: //p' debian/control.in)" = "$build_depends" ]; then
	ok "Build-Depends: $build_depends"
else
	fail "Build-Depends lacks postgresql-all <!nocheck>, or control and control.in differ: $build_depends"
fi
if dpkg-checkbuilddeps -P nocheck debian/control >"$work/builddeps" 2>&1; then
	ok "dpkg-checkbuilddeps -P nocheck: the build dependencies are met"
else
	fail "dpkg-checkbuilddeps -P nocheck: $(cat "$work/builddeps")"
fi
after_status=$(git status --porcelain --ignored 2>/dev/null | LC_ALL=C sort)
[ "$before_status" = "$after_status" ] && ok "the source tree is as before the build (git status)" ||
	fail "the build changed the source tree: $(diff <(echo "$before_status") <(echo "$after_status"))"

# one extension package per PostgreSQL major of debian/pgversions whose
# postgresql-server-dev-NN is installed here, as pg_buildext counts them
majors=$(cd "$src" && PG_SUPPORTED_VERSIONS=installed pg_buildext supported-versions)
[ -n "$majors" ] || { echo "FAIL: no PostgreSQL major to package for"; exit 1; }
debs=()
for v in $majors; do
	deb=$work/debs/postgresql-$v-migrate_${version}_$arch.deb
	if [ -f "$deb" ]; then
		ok "postgresql-$v-migrate_${version}_$arch.deb (version from migrate.control)"
		debs+=("$deb")
	else
		fail "no postgresql-$v-migrate_${version}_$arch.deb"
	fi
	contents=$(dpkg-deb -c "$deb" 2>/dev/null | awk '{print $6}')
	for f in "./usr/lib/postgresql/$v/lib/migrate.so" \
		"./usr/share/postgresql/$v/extension/migrate.control" \
		"./usr/share/postgresql/$v/extension/migrate--$version.sql"; do
		grep -qx "$f" <<<"$contents" || fail "postgresql-$v-migrate lacks $f"
	done
	# make install's copies of the scripts stay out: one package has them
	for script in migrate-bootstrap migrate-revision; do
		grep -q "bin/$script\$" <<<"$contents" &&
			fail "postgresql-$v-migrate ships a $script too (the migrate-bootstrap package has it)"
	done
	depends=$(dpkg-deb -f "$deb" Depends)
	grep -q "postgresql-$v" <<<"$depends" && ok "postgresql-$v-migrate depends on: $depends" ||
		fail "postgresql-$v-migrate does not depend on postgresql-$v: $depends"
	suggests=$(dpkg-deb -f "$deb" Suggests)
	grep -qx "postgresql-$v-pgtap" <<<"$suggests" && ok "postgresql-$v-migrate suggests $suggests (for migrate_tap)" ||
		fail "postgresql-$v-migrate does not suggest postgresql-$v-pgtap: '$suggests'"
	for f in "./usr/share/postgresql/$v/extension/migrate_tap.control" \
		"./usr/share/postgresql/$v/extension/migrate_tap--$tap_version.sql"; do
		grep -qx "$f" <<<"$contents" || fail "postgresql-$v-migrate lacks $f"
	done
done
boot_deb=$work/debs/migrate-bootstrap_${version}_all.deb
# (listings are read whole before grep: with pipefail, grep -q leaving
# early would fail the pipeline)
boot_contents=$(dpkg-deb -c "$boot_deb" 2>/dev/null)
if [ -f "$boot_deb" ] && grep -q '\./usr/bin/migrate-bootstrap$' <<<"$boot_contents"; then
	ok "migrate-bootstrap_${version}_all.deb ships /usr/bin/migrate-bootstrap"
	debs+=("$boot_deb")
else
	fail "no migrate-bootstrap_${version}_all.deb with /usr/bin/migrate-bootstrap"
fi
grep -q '\./usr/bin/migrate-revision$' <<<"$boot_contents" &&
	ok "migrate-bootstrap_${version}_all.deb ships /usr/bin/migrate-revision" ||
	fail "migrate-bootstrap_${version}_all.deb lacks /usr/bin/migrate-revision"

# --- the system lock, unless a process above us holds it already
lock=${MIGRATE_SYSTEM_LOCK:-/tmp/system-pg.lock}
held_by_ancestor() {
	[ -e "$lock" ] || return 1
	local inode holders p
	inode=$(stat -c %i "$lock")
	holders=$(awk -v ino="$inode" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == ino) print $5 }' /proc/locks)
	[ -n "$holders" ] || return 1
	p=$$
	while [ "$p" -gt 1 ]; do
		grep -qx "$p" <<<"$holders" && return 0
		p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) || return 1
	done
	return 1
}
if held_by_ancestor; then
	echo "the system PostgreSQL lock $lock is held by our caller"
else
	exec 9>>"$lock"
	echo "waiting for the system PostgreSQL lock $lock"
	flock 9
fi

# --- 2. install into the system PostgreSQL
echo "--- installing into the system PostgreSQL"
for p in migrate-bootstrap $(for v in $majors; do echo "postgresql-$v-migrate"; done); do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ]; then
		echo "FAIL: $p is installed on this machine already; the test would replace it (remove it first)"
		exit 1
	fi
done
# every file of the system PostgreSQL a source build of migrate installs
# (make install: migrate and migrate_tap), with its checksum
migrate_files() {
	local v
	for v in $majors; do
		find "/usr/share/postgresql/$v/extension" "/usr/lib/postgresql/$v/lib" -maxdepth 1 -name 'migrate*' -type f
		find "/usr/lib/postgresql/$v/lib/bitcode" -maxdepth 1 -name 'migrate*' 2>/dev/null |
			xargs -r -I{} find {} -type f
	done | LC_ALL=C sort
}
snapshot() { migrate_files | xargs -r sha256sum; }
system_dirs() {
	local v
	for v in $majors; do
		echo "/usr/share/postgresql/$v/extension"
		echo "/usr/lib/postgresql/$v/lib"
		echo "/usr/lib/postgresql/$v/lib/bitcode"
		find "/usr/lib/postgresql/$v/lib/bitcode" -mindepth 1 -maxdepth 1 -name 'migrate*' -type d 2>/dev/null |
			xargs -r -I{} find {} -type d
	done | LC_ALL=C sort
}
dir_snapshot() { system_dirs | while IFS= read -r d; do [ -d "$d" ] && stat -c '%.9Y|%n' "$d"; done; }
found_before=$(snapshot)
found_dirs=$(dir_snapshot)
mapfile -t dir_times <<<"$found_dirs"
# a developer's migrate_tap files, which the package ships too: if there
# are none, one as make install would leave it
for v in $majors; do
	f=/usr/share/postgresql/$v/extension/migrate_tap.control
	if [ ! -e "$f" ]; then
		{ cat migrate_tap.control; echo "# put here by test/package.sh, as a make install would"; } >"$f"
		planted+=("$f")
	fi
done
before=$(snapshot)
[ ${#planted[@]} -eq 0 ] || echo "put ${planted[*]} there, as a make install would"

# with such files there, the build-time regression run would load them
# instead of the built ones: tools/build-deb.sh refuses it, at once
if env -u DEB_BUILD_OPTIONS -u DEB_BUILD_PROFILES bash tools/build-deb.sh "$work/refused" >"$work/refused.log" 2>&1; then
	fail "tools/build-deb.sh built with its regression run although migrate files are in the system PostgreSQL"
elif grep -q "the build-time regression run would load .*migrate.* instead of the built files" "$work/refused.log" &&
	grep -q "DEB_BUILD_OPTIONS=nocheck" "$work/refused.log"; then
	ok "tools/build-deb.sh refuses the build-time regression run: $(head -1 "$work/refused.log")"
else
	fail "tools/build-deb.sh failed otherwise: $(cat "$work/refused.log")"
fi

# files of a source build (make install) are kept aside and put back
while IFS= read -r f; do
	[ -n "$f" ] || continue
	mkdir -p "$work/backup$(dirname "$f")"
	cp -a "$f" "$work/backup$f"
	backup_list+=("$f")
done < <(migrate_files)
[ ${#backup_list[@]} -eq 0 ] || echo "kept aside ${#backup_list[@]} file(s) of an earlier make install"
for deb in "${debs[@]}"; do
	installed+=("$(dpkg-deb -f "$deb" Package)")
done
if ! dpkg -i "${debs[@]}" >"$work/install.log" 2>&1; then
	cat "$work/install.log"
	echo "FAIL: dpkg -i"
	exit 1
fi
ok "dpkg -i: ${installed[*]}"
if verify=$(dpkg --verify "${installed[@]}" 2>&1) && [ -z "$verify" ]; then
	ok "dpkg --verify: every installed file is the package's"
else
	fail "dpkg --verify reports changed files: $verify"
fi

# installcheck from a directory that holds only the tests and the Makefile
# that names them: nothing there could be used in place of the package
mkdir "$work/check"
cp -r Makefile migrate.control sql expected specs "$work/check/"
for v in $majors; do
	pgc=/usr/lib/postgresql/$v/bin/pg_config
	owner_of=$(dpkg -S "$("$pgc" --pkglibdir)/migrate.so" 2>/dev/null | cut -d: -f1)
	[ "$owner_of" = "postgresql-$v-migrate" ] && ok "$("$pgc" --pkglibdir)/migrate.so belongs to $owner_of" ||
		fail "migrate.so of PostgreSQL $v belongs to '$owner_of'"
	cat >"$work/check/run.sh" <<'EOF'
set -u
cd "$1"
if make -s installcheck; then
	echo "installcheck passed"
else
	cat regression.diffs output_iso/regression.diffs 2>/dev/null
	exit 1
fi
# the installed migrate-bootstrap against the installed extension
mkdir -p boot
cat >boot/0001.sql <<'SQL'
SELECT migrate.register('p1', upgrade => $$CREATE TABLE packaged (id int)$$, downgrade => $$DROP TABLE packaged$$,
                        message => 'from the package');
SQL
createdb packaged || exit 1
/usr/bin/migrate-bootstrap -d packaged --project pkg boot &&
	[ "$(psql -X -A -t -d packaged -c "SELECT extversion FROM pg_extension WHERE extname = 'migrate'")" = "$2" ] &&
	[ "$(psql -X -A -t -d packaged -c "SELECT string_agg(c, ',') FROM migrate.current('pkg') c")" = p1 ] &&
	# and the installed migrate-revision, beside it, on the same directory
	PGDATABASE=packaged /usr/bin/migrate-revision -m 'from the package' --project pkg boot &&
	grep -qxF "    down_revision => 'p1'," boot/0002_from_the_package.sql
EOF
	start=$(date +%s)
	if PG_CONFIG=$pgc bash "$src/test/cluster.sh" bash "$work/check/run.sh" "$work/check" "$version" >"$work/check.log" 2>&1; then
		ok "PostgreSQL $v: installcheck (pg_regress and isolation) and /usr/bin/migrate-bootstrap and migrate-revision pass against the installed package ($(($(date +%s) - start)) s)"
	else
		cat "$work/check.log"
		fail "PostgreSQL $v: installcheck or migrate-bootstrap against the installed package"
	fi
	grep -E "^ *All [0-9]+ tests passed|^# All [0-9]+ tests passed" "$work/check.log" | sed 's/^ */    /'
done

# --- 3. remove, and leave the machine as it was
removed=("${installed[@]}")
restore
after=$(snapshot)
if [ "$after" = "$before" ]; then
	ok "every migrate file of the system PostgreSQL is back as it was ($(grep -c . <<<"$before") file(s), migrate_tap's included)"
else
	fail "the system PostgreSQL's migrate files differ from before: $(diff <(echo "$before") <(echo "$after"))"
fi
unplant
[ "$(snapshot)" = "$found_before" ] && ok "and the files put there for the test are gone" ||
	fail "the system PostgreSQL's migrate files are not as found: $(diff <(echo "$found_before") <(snapshot))"
restore_dir_times
[ "$(dir_snapshot)" = "$found_dirs" ] && ok "its directories have their modification times back" ||
	fail "directories differ from before: $(diff <(echo "$found_dirs") <(dir_snapshot))"
left=0
for p in "${removed[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] && left=1
done
for v in $majors; do
	if [ -e "/usr/lib/postgresql/$v/lib/migrate.so" ] && ! [ -e "$work/backup/usr/lib/postgresql/$v/lib/migrate.so" ]; then
		left=1
	fi
done
[ "$left" -eq 0 ] && ok "packages purged; the system PostgreSQL has the migrate files it had before (${#removed[@]} package(s) removed)" ||
	fail "the packages or their files are still there"

echo "package: $failures failure(s)"
[ "$failures" -eq 0 ]
