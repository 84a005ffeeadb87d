#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaging step of make check, counted as one test:
#
#   intree-check.sh <out dir>
#
# 1. dkms.conf's PACKAGE_VERSION equals MODULE_VERSION in src/dev.c;
# 2. scripts/intree.sh drops the sources into a kernel tree (Debian's
#    linux-source-6.1, hard-linked into $AXAS_CACHE/intree/) and
#    "kunit.py run --kunitconfig=drivers/virt/axaddrspace" passes on UML.
#
# Step 2 is cached: a success is recorded under a hash of everything that
# goes into the in-tree build (sources, Kbuild, Kconfig, intree.sh, this
# script, the kernel version) and reused while nothing changed, so a warm
# run costs a hash. A change rebuilds incrementally in the same tree (a
# cold UML build takes several minutes). Prints one "[intree]" line; writes
# "<passed> <failed> <skipped>" to <out dir>/counts (a suite left out on
# UML counts as skipped), the log to <out dir>/kunit.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: $0 <out dir>}
mkdir -p "$out"
result() { # result <PASS|FAIL> <message>
	echo "[intree] $1: $2"
	if [ "$1" = PASS ]; then echo "1 0 ${skip:-0}" >"$out/counts"; else echo "0 1 0" >"$out/counts"; fi
	exit 0
}

dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$AXAS_TOP/dkms.conf")
mod=$(sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' "$AXAS_TOP/src/dev.c")
[ -n "$mod" ] && [ "$dkms" = "$mod" ] ||
	result FAIL "dkms.conf PACKAGE_VERSION '$dkms' != MODULE_VERSION '$mod' in src/dev.c"

# The suites to run on UML, one glob each: all of them.
UML_GLOBS=('axas_npt*' 'axaddrspace_uapi' 'axaddrspace_space' 'axaddrspace_memfile' 'axaddrspace_space_memory')
UML_SKIPPED=

src=$(kernel_source 6.1)
key=$( (basename "$src"
	cd "$AXAS_TOP"
	find Kbuild Kconfig scripts/intree.sh scripts/intree-check.sh include src npt kunit \
		-type f \( -name '*.[ch]' -o -name Kbuild -o -name Kconfig -o -name '*.sh' \) |
		LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)
cache=$AXAS_CACHE/intree
tree=$cache/$(basename "$src")
mkdir -p "$cache"
# One in-tree build at a time: concurrent runs wait, then find the stamp.
exec 8>"$cache/.lock"
flock 8

skip=0
[ -z "$UML_SKIPPED" ] || skip=1
not_run=${UML_SKIPPED:+; not run on UML: $UML_SKIPPED}
if [ -e "$cache/pass-$key" ]; then
	result PASS "kunit.py on UML, drivers/virt/axaddrspace (cached: $(cat "$cache/pass-$key"))$not_run"
fi

if [ ! -e "$tree/.axas-intree" ]; then
	log "intree: hard-linking $(basename "$src") into $tree"
	rm -rf "$tree" "$tree.tmp"
	cp -al "$src" "$tree.tmp"
	touch "$tree.tmp/.axas-intree"
	mv "$tree.tmp" "$tree"
fi
"$AXAS_TOP/scripts/intree.sh" "$tree" >/dev/null
log "intree: kunit.py run --kunitconfig=drivers/virt/axaddrspace (UML; a cold build takes minutes)"
: >"$out/kunit.log"
# One build, then one boot per glob (kunit.py filters with one glob a boot).
rc=0
args=(run --kunitconfig=drivers/virt/axaddrspace --jobs="$AXAS_JOBS")
for glob in "${UML_GLOBS[@]}"; do
	(cd "$tree" && ./tools/testing/kunit/kunit.py "${args[@]}" --timeout=120 "$glob") \
		>>"$out/kunit.log" 2>&1 || rc=$?
	args=(exec)
done
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$out/kunit.log" |
	awk '/Testing complete. Ran/ { n += $5; p += $8 } END { printf "%d tests, %d passed", n, p }')
if [ $rc != 0 ]; then
	sed 's/\x1b\[[0-9;]*m//g' "$out/kunit.log" | grep -E 'error:|FAILED|ERROR|CRASHED|timed out' |
		head -n 20 | sed 's/^/    /'
	result FAIL "kunit.py on UML failed ($summary; log: $out/kunit.log)"
fi
# A stamp stays true for its sources (clones and branches alternate);
# keep the latest twenty. Written first: on a new cache, the glob then
# matches at least this one (an unmatched glob fails ls, and pipefail
# with it).
echo "$summary" >"$cache/pass-$key"
ls -t "$cache"/pass-* | tail -n +21 | xargs -r rm -f
result PASS "kunit.py on UML, drivers/virt/axaddrspace: $summary$not_run"
