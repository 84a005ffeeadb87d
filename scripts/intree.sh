#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Drop the axaddrspace sources into a kernel tree:
#
#   scripts/intree.sh <kernel tree>
#
# creates <tree>/drivers/virt/axaddrspace (Kbuild, Kconfig, .kunitconfig,
# include/, src/, npt/, kunit/) and hooks it into drivers/virt/Kconfig and
# drivers/virt/Makefile. Idempotent: a second run refreshes the sources and
# leaves the hooks alone. Files are replaced, never edited in place, so the
# tree may be a hard-linked copy (cp -al) of another. Afterwards, from <tree>:
#
#   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/virt/axaddrspace
#
# runs the KUnit suites on UML, and "make menuconfig" shows the driver under
# Device Drivers -> Virtualization drivers.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:?usage: $0 <kernel tree>}
virt=$tree/drivers/virt
[ -f "$virt/Kconfig" ] && [ -f "$virt/Makefile" ] ||
	{ echo "intree.sh: $tree is not a kernel source tree (no drivers/virt)" >&2; exit 1; }
dest=$virt/axaddrspace

new=$virt/.axaddrspace.new
rm -rf "$new"
mkdir -p "$new"
cp "$top/Kbuild" "$top/Kconfig" "$new/"
# Sources only: objects of an out-of-tree build must not leak into the tree.
(cd "$top" && find include src npt kunit -type f \( -name '*.c' -o -name '*.h' \) -print0 |
	cpio -0 -pd --quiet "$new")

cat >"$new/.kunitconfig" <<'EOF'
CONFIG_KUNIT=y
CONFIG_VIRT_DRIVERS=y
CONFIG_AXADDRSPACE=y
CONFIG_AXADDRSPACE_KUNIT_TEST=y
EOF

# Files whose content did not change keep their old copy and its time, so
# that a rebuild in the tree recompiles only what changed; files gone from
# the sources disappear.
if [ -d "$dest" ]; then
	(cd "$new" && find . -type f) | while read -r f; do
		if cmp -s "$new/$f" "$dest/$f"; then cp -p "$dest/$f" "$new/$f"; fi
	done
fi
rm -rf "$dest"
mv "$new" "$dest"

# drivers/virt/Kconfig wraps its entries in "if VIRT_DRIVERS ... endif":
# the source line goes before the last endif.
if ! grep -q '^source "drivers/virt/axaddrspace/Kconfig"' "$virt/Kconfig"; then
	awk -v n="$(grep -n '^endif' "$virt/Kconfig" | tail -n1 | cut -d: -f1)" '
		NR == n { print "source \"drivers/virt/axaddrspace/Kconfig\"\n" }
		{ print }' "$virt/Kconfig" >"$virt/Kconfig.axas" &&
		mv "$virt/Kconfig.axas" "$virt/Kconfig"
	grep -q '^source "drivers/virt/axaddrspace/Kconfig"' "$virt/Kconfig" ||
		{ echo "intree.sh: could not hook $virt/Kconfig" >&2; exit 1; }
fi
if ! grep -q '^obj-$(CONFIG_AXADDRSPACE)' "$virt/Makefile"; then
	{ cat "$virt/Makefile"; printf 'obj-$(CONFIG_AXADDRSPACE)\t+= axaddrspace/\n'; } \
		>"$virt/Makefile.axas" && mv "$virt/Makefile.axas" "$virt/Makefile"
fi

# The headers where a merged driver keeps them: the in-kernel API in
# include/linux (found before include/uapi, which would otherwise answer
# <linux/axaddrspace.h> with the UAPI header), the UAPI header where 'make
# headers' exports it; and the selftests where kselftest finds them
# (TARGETS=axaddrspace; their Makefile uses lib.mk when it sits there).
install -D -m 0644 "$top/include/linux/axaddrspace.h" "$tree/include/linux/axaddrspace.h"
install -D -m 0644 "$top/include/uapi/linux/axaddrspace.h" "$tree/include/uapi/linux/axaddrspace.h"
kst=$tree/tools/testing/selftests/axaddrspace
rm -rf "$kst" && mkdir -p "$kst"
src=$top/tools/testing/selftests/axaddrspace
{ git -C "$src" ls-files 2>/dev/null || (cd "$src" && find . -maxdepth 1 -type f -printf '%P\n'); } |
	while read -r f; do cp "$src/$f" "$kst/"; done

echo "axaddrspace: sources in $dest; run from $tree:"
echo "  ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/virt/axaddrspace"
echo "  make headers && make -C tools/testing/selftests TARGETS=axaddrspace run_tests"
