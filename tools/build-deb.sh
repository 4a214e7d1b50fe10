#!/bin/bash
# Build the Debian packages from a copy of the source tree.
#
#   tools/build-deb.sh [OUTDIR]        (make deb: OUTDIR = dist)
#
# Copies the tree (the files git knows of, committed or not, when it is a
# git work tree; otherwise everything but build products) to a temporary
# directory, runs dpkg-buildpackage -us -uc -b there, and moves the .deb
# files (postgresql-NN-migrate_VERSION_ARCH.deb for each PostgreSQL major of
# debian/pgversions installed here, migrate-bootstrap_VERSION_all.deb) to
# OUTDIR, with the build's log.  The source tree is left as it was.  Checks first that
# debian/changelog carries the version of migrate.control's
# default_version.  DEB_BUILD_OPTIONS is passed on (nocheck skips the
# regression run at build time).
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
cp "$work/build.log" "$out/migrate_${control_version}_build.log"
shopt -s nullglob
debs=("$work"/*.deb)
[ ${#debs[@]} -gt 0 ] || { echo "build-deb: no package was built" >&2; exit 1; }
mv "${debs[@]}" "$out/"
for d in "${debs[@]}"; do
	echo "$out/$(basename "$d")"
done
