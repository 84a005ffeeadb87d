#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make htmldocs: validate every kernel-doc comment with the kernel's
# scripts/kernel-doc, then build Documentation/ as HTML with sphinx-build
# (Documentation/conf.py) into Documentation/output/html.
#
# Environment: KSRC, a kernel source tree that provides
# Documentation/sphinx/kerneldoc.py and scripts/kernel-doc (default: the
# unpacked linux-source-6.1 of make check). Without sphinx-build
# (apt-get install python3-sphinx) only the kernel-doc check runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The files that Documentation/kernel-api.rst pulls kernel-doc from.
KDOC_FILES=(include/linux/axaddrspace.h include/uapi/linux/axaddrspace.h
	    src/space.c src/access.c src/info.c src/ioctl.c)

ksrc=${KSRC:-$(kernel_source 6.1)}
[ -x "$ksrc/scripts/kernel-doc" ] || die "no scripts/kernel-doc in $ksrc (set KSRC)"
cd "$AXAS_TOP"
out=$("$ksrc/scripts/kernel-doc" -none "${KDOC_FILES[@]}" 2>&1)
[ -z "$out" ] || { echo "$out" >&2; die "kernel-doc warnings"; }
log "kernel-doc: ${KDOC_FILES[*]}: clean"

command -v sphinx-build >/dev/null ||
	{ log "sphinx-build not found (apt-get install python3-sphinx): HTML skipped"; exit 0; }
dest=Documentation/output
AXAS_KSRC=$ksrc sphinx-build -q -b html -d "$dest/doctrees" Documentation "$dest/html"
log "HTML: $AXAS_TOP/$dest/html/index.html"
