#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a throwaway QEMU VM with Debian's stock kernel, the module and
# an axasctl script (scripts/demo/vmm.axas) that acts like a small VMM
# setting up a guest; then the sample hypervisor runs a real guest that
# axas-vmm sets up. Prints the session; exits non-zero if any step fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$AXAS_TOP/scripts/deps.sh"
eval "$("$AXAS_TOP/scripts/kernel.sh" stock)"
run=$AXAS_CACHE/runs/demo-$$
mkdir -p "$run/mods/src" "$run/tests"
trap 'rm -rf "$run"' EXIT

log "building the module against $KDIR and axasctl"
build_modules "$KDIR" "$run/mods" || [ $? = 1 ] || die "module build failed"
make -s -C "$AXAS_TOP/tools/axasctl" OUTPUT="$run/demo" >/dev/null
make -s -C "$AXAS_TOP/tools/hv" OUTPUT="$run/demo/" >/dev/null

# The boot image: 4 KiB with a recognisable header.
{ printf 'AXAS-DEMO-BOOT-IMAGE\n'; head -c 4075 /dev/zero; } >"$run/demo/boot.img"
cp "$AXAS_TOP/scripts/demo/vmm.axas" "$run/demo/"
cat >"$run/tests/demo" <<'SH'
#!/bin/sh
/demo/axasctl -f /demo/vmm.axas || exit
# Then a guest runs: the sample hypervisor (samples/hv) enters it on a
# space axas-vmm made; it prints through its MMIO console and touches a
# lazy area.
echo
echo "# insmod axas_hv.ko; axas-vmm"
insmod /lib/modules/axas_hv.ko || exit
/demo/axas-vmm
rc=$?
rmmod axas_hv
exit $rc
SH
chmod +x "$run/tests/demo"

make_initramfs "$run/initramfs.cpio.gz" "$run/mods" "$run/tests" "$run/demo"
log "booting $(basename "$IMAGE") under QEMU (TCG)"
run_vm "$IMAGE" "$run/initramfs.cpio.gz" check "$run" 300 || true
sed -n '/^@@ SELFTEST demo/,/^@@ EXIT demo/p' "$run/results.log" | tr -d '\r' |
	grep -v '^@@'
status=$(sed -n 's/^@@ EXIT demo \([0-9]*\).*/\1/p' "$run/results.log" | tr -d '\r')
rmmod=$(sed -n 's/^@@ RMMOD axaddrspace \([0-9]*\).*/\1/p' "$run/results.log" | tr -d '\r')
if [ "${status:-1}" = 0 ] && [ "${rmmod:-1}" = 0 ]; then
	echo "demo: done, the module unloaded cleanly"
else
	echo "demo: FAILED (script status ${status:-none}, rmmod ${rmmod:-none})"
	exit 1
fi
