#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the performance figures of Documentation/performance.rst. Boots Debian's stock kernel in a throwaway QEMU VM
# (TCG, 2 vCPUs, 3 GiB), loads the module and runs tools/bench/bench,
# which prints the table. Exits 0 when the benchmark ran, whatever the
# figures say: benchmarks are never assertions. PROFILE=1 instead runs
# figure 1's two sides under perf (scripts/bench-profile.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# perf and the libraries it links, merged into the initramfs at their
# host paths; the bench binary becomes /usr/bin/axas-bench and
# scripts/bench-profile.sh the VM's /tests/bench.
profile_overlay() {
	local root=$1 lib
	mkdir -p "$root/usr/bin"
	cp /usr/bin/perf "$root/usr/bin/perf"
	for lib in $(ldd /usr/bin/perf | grep -o '/[^ ]*'); do
		cp -L --parents "$lib" "$root/"
	done
	mv "$run/tests/bench" "$root/usr/bin/axas-bench"
	cp "$AXAS_TOP/scripts/bench-profile.sh" "$run/tests/bench"
}

if [ -n "${PROFILE:-}" ]; then
	"$AXAS_TOP/scripts/deps.sh" linux-perf
else
	"$AXAS_TOP/scripts/deps.sh"
fi
eval "$("$AXAS_TOP/scripts/kernel.sh" stock)"
run=$AXAS_CACHE/runs/bench-$$
mkdir -p "$run/mods/src" "$run/tests"
trap 'rm -rf "$run"' EXIT

log "building the module against $KDIR and tools/bench"
build_modules "$KDIR" "$run/mods" || [ $? = 1 ] || die "module build failed"
make -s -C "$AXAS_TOP/tools/bench" OUTPUT="$run/tests" >/dev/null
overlay=$run/overlay
mkdir -p "$overlay/usr/bin"
if [ -n "${PROFILE:-}" ]; then
	profile_overlay "$overlay"
else
	# The guest's first touch (samples/hv) against a process's, in the
	# same VM: 64 MiB of 4 KiB pages each, three times.
	make -s -C "$AXAS_TOP/tools/hv" OUTPUT="$overlay/usr/bin/" >/dev/null
	cat >"$run/tests/guest_bench" <<'SH'
#!/bin/sh
insmod /lib/modules/axas_hv.ko || exit
for i in 1 2 3; do /usr/bin/axas-vmm --bench --pages 16384 || exit; done
rmmod axas_hv
SH
	chmod +x "$run/tests/guest_bench"
fi

make_initramfs "$run/initramfs.cpio.gz" "$run/mods" "$run/tests" "" "$overlay"
# Guest RAM backed by the host before boot: neither side pays the host's
# first touch of a guest frame, which otherwise lands on whichever side
# runs on fresh frames first.
export AXAS_VM_QEMU_ARGS=-mem-prealloc
log "booting $(basename "$IMAGE") under QEMU (TCG, 2 vCPUs, 3 GiB); host load: $(cut -d' ' -f1-3 /proc/loadavg)"
AXAS_VM_MEM=3G run_vm "$IMAGE" "$run/initramfs.cpio.gz" check "$run" \
	"${AXAS_VM_TIMEOUT:-1800}" || true
log "host load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
sed -n '/^@@ SELFTEST bench/,/^@@ EXIT bench/p; /^@@ SELFTEST guest_bench/,/^@@ EXIT guest_bench/p' \
	"$run/results.log" | tr -d '\r' | grep -v '^@@'
status=$(sed -n 's/^@@ EXIT bench \([0-9]*\).*/\1/p' "$run/results.log" | tr -d '\r')
gstatus=$(sed -n 's/^@@ EXIT guest_bench \([0-9]*\).*/\1/p' "$run/results.log" | tr -d '\r')
[ -n "${PROFILE:-}" ] || [ "${gstatus:-1}" = 0 ] || status=${gstatus:-1}
if [ "${status:-1}" != 0 ]; then
	echo "bench: FAILED to run (status ${status:-none}); console: see below" >&2
	tail -n 30 "$run/console.log" >&2
	exit 1
fi
