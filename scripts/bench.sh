#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the performance figures of issue 6 (Documentation/
# performance.rst). Boots Debian's stock kernel in a throwaway QEMU VM
# (TCG, 2 vCPUs, 3 GiB), loads the module and runs tools/bench/bench,
# which prints the table. Exits 0 when the benchmark ran, whatever the
# figures say: benchmarks are never assertions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$AXAS_TOP/scripts/deps.sh"
eval "$("$AXAS_TOP/scripts/kernel.sh" stock)"
run=$AXAS_CACHE/runs/bench-$$
mkdir -p "$run/mods/src" "$run/tests"
trap 'rm -rf "$run"' EXIT

log "building the module against $KDIR and tools/bench"
build_modules "$KDIR" "$run/mods" || [ $? = 1 ] || die "module build failed"
make -s -C "$AXAS_TOP/tools/bench" OUTPUT="$run/tests" >/dev/null

make_initramfs "$run/initramfs.cpio.gz" "$run/mods" "$run/tests"
log "booting $(basename "$IMAGE") under QEMU (TCG, 2 vCPUs, 3 GiB); host load: $(cut -d' ' -f1-3 /proc/loadavg)"
AXAS_VM_MEM=3G run_vm "$IMAGE" "$run/initramfs.cpio.gz" check "$run" \
	"${AXAS_VM_TIMEOUT:-1800}" || true
log "host load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
sed -n '/^@@ SELFTEST bench/,/^@@ EXIT bench/p' "$run/results.log" | tr -d '\r' |
	grep -v '^@@'
status=$(sed -n 's/^@@ EXIT bench \([0-9]*\).*/\1/p' "$run/results.log" | tr -d '\r')
if [ "${status:-1}" != 0 ]; then
	echo "bench: FAILED to run (status ${status:-none}); console: see below" >&2
	tail -n 30 "$run/console.log" >&2
	exit 1
fi
