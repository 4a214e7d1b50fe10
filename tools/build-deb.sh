#!/bin/bash
# Build the Debian packages from a copy of the source tree.
#
#   tools/build-deb.sh [OUTDIR]        (make deb: OUTDIR = dist)
#
# Copies the tree (the files git knows of, committed or not, when it is a
# git work tree; otherwise everything but build products) to a temporary
# directory, runs dpkg-buildpackage -us -uc -b there, and moves what it
# made to OUTDIR: postgresql-NN-migrate_VERSION_ARCH.deb (the extension and
# migrate_tap) and its -dbgsym package for each PostgreSQL major NN of
# debian/pgversions whose postgresql-server-dev-NN is installed here,
# migrate-bootstrap_VERSION_all.deb, and the build's log
# migrate_VERSION_build.log; it prints their paths.  The source tree is left
# as it was.
#
# The majors are the installed ones whatever postgresql-common's list of
# supported majors says (PG_SUPPORTED_VERSIONS=installed; on a machine with
# apt.postgresql.org's postgresql-common that list is longer), and the
# copy's debian/control is generated for them (PG_UPDATECONTROL=yes).
#
# Checks first that debian/changelog carries the version of
# migrate.control's default_version.  DEB_BUILD_OPTIONS is passed on:
# nocheck (or the nocheck build profile, which it implies and which is
# implied by it) skips the regression run at build time.  That run needs
# postgresql-all, and is refused while the system PostgreSQL has migrate
# files of its own (a make install, an installed package): its server
# would load them instead of the built ones.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/dist}

for tool in dpkg-buildpackage dpkg-parsechangelog pg_buildext dh; do
	command -v "$tool" >/dev/null || {
		echo "build-deb: $tool is missing (apt-get install dpkg-dev debhelper postgresql-server-dev-all)" >&2
		exit 1
	}
done

control_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$src/migrate.control")
deb_version=$(cd "$src" && dpkg-parsechangelog -S Version)
if [ "$deb_version" != "$control_version" ]; then
	echo "build-deb: debian/changelog is at version $deb_version, migrate.control's default_version is $control_version;" >&2
	echo "add a debian/changelog entry for $control_version (dch -v $control_version)" >&2
	exit 1
fi

export PG_SUPPORTED_VERSIONS=installed PG_UPDATECONTROL=yes
majors=$(cd "$src" && pg_buildext supported-versions)
[ -n "$majors" ] || {
	echo "build-deb: no PostgreSQL major of debian/pgversions has its postgresql-server-dev-NN installed" >&2
	exit 1
}

# the regression run at build time: both spellings of nocheck, or neither
nocheck=0
case " ${DEB_BUILD_OPTIONS:-} ${DEB_BUILD_PROFILES:-} " in
	*" nocheck "*) nocheck=1 ;;
esac
if [ "$nocheck" -eq 1 ]; then
	export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }nocheck"
	export DEB_BUILD_PROFILES="${DEB_BUILD_PROFILES:+$DEB_BUILD_PROFILES }nocheck"
else
	for v in $majors; do
		found=$(find "/usr/share/postgresql/$v/extension" "/usr/lib/postgresql/$v/lib" \
			-maxdepth 1 -name 'migrate*' -print 2>/dev/null | LC_ALL=C sort)
		if [ -n "$found" ]; then
			echo "build-deb: the build-time regression run would load the migrate files of PostgreSQL $v's own" \
				"directories instead of the built files: $(echo $found)" >&2
			echo "(from a make install, or an installed postgresql-$v-migrate): remove them," \
				"or build without the run, DEB_BUILD_OPTIONS=nocheck" >&2
			exit 1
		fi
	done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/migrate-$control_version"
tree=$work/migrate-$control_version
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# (files deleted but not yet committed are left out)
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar -c --null -T - -f - | tar -x -C "$tree")
else
	(cd "$src" && tar -c --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
		--exclude=results --exclude=output_iso --exclude=dist . | tar -x -C "$tree")
fi

(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	cat "$work/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
mkdir -p "$out"
log=$out/migrate_${control_version}_build.log
cp "$work/build.log" "$log"
shopt -s nullglob
debs=("$work"/*.deb)
[ ${#debs[@]} -gt 0 ] || { echo "build-deb: no package was built" >&2; exit 1; }
mv "${debs[@]}" "$out/"
for d in "${debs[@]}"; do
	echo "$out/$(basename "$d")"
done
echo "$log"
