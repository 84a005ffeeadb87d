# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the axaddrspace build and test scripts. Source it.

AXAS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AXAS_CACHE=${AXAS_CACHE:-$HOME/.cache/axaddrspace}
AXAS_JOBS=${AXAS_JOBS:-$(($(nproc) + 1))}
mkdir -p "$AXAS_CACHE"

die() { echo "axaddrspace: $*" >&2; exit 1; }
log() { [ -n "${AXAS_QUIET:-}" ] || echo "==> $*" >&2; }

# Version of an installed Debian package, empty when not installed.
pkg_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# Unpack the source tarball of Debian's linux-source-$1 once per version.
# Prints the source directory.
kernel_source() {
	local series=$1 ver dir tmp
	ver=$(pkg_version "linux-source-$series")
	[ -n "$ver" ] || die "linux-source-$series is not installed (run scripts/deps.sh)"
	dir=$AXAS_CACHE/src/linux-source-$series-$ver
	if [ ! -e "$dir/.axas-complete" ]; then
		log "unpacking linux-source-$series $ver"
		tmp=$dir.tmp.$$
		rm -rf "$tmp" && mkdir -p "$tmp"
		tar -xJf "/usr/src/linux-source-$series.tar.xz" -C "$tmp" --strip-components=1
		touch "$tmp/.axas-complete"
		rm -rf "$dir" && mv "$tmp" "$dir"
	fi
	echo "$dir"
}

# The stock Debian kernel that linux-headers-amd64 points at: prints
# "<release> <headers dir>".
stock_release() {
	local rel
	rel=$(dpkg-query -W -f='${Depends}\n' linux-headers-amd64 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1)
	[ -n "$rel" ] || die "linux-headers-amd64 is not installed (run scripts/deps.sh)"
	echo "$rel /usr/src/linux-headers-$rel"
}
