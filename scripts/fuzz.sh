#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz: a long run of the model-based fuzzer
# (tools/testing/selftests/axaddrspace/fuzz.c) as the only test of a VM.
#
#   make fuzz [OPS=N] [SEED=S] [THREADS=T] [INJECT=P] [KERNEL=debug|stock]
#
# OPS defaults to 1000000, SEED to the time, THREADS to 4, KERNEL to the
# debug kernel (KASAN, lockdep, kmemleak). INJECT=P adds the runs with
# allocation failures injected into P % of the operations (fuzz -f; the
# debug kernel only); it defaults to 0: the long run is the plain one. The run is judged like a make
# check pass (scripts/vm-results.py): the fuzzer's own result, the module
# unloading, a clean console and no kmemleak report. Logs stay in
# ~/.cache/axaddrspace/run-fuzz/. AXAS_VM_TIMEOUT limits the VM (seconds,
# default 7200).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ops=${OPS:-1000000}
seed=${SEED:-$(date +%s)}
threads=${THREADS:-4}
inject=${INJECT:-0}
kernel=${KERNEL:-debug}
case "$kernel" in debug | stock) ;; *) die "KERNEL must be debug or stock" ;; esac

"$AXAS_TOP/scripts/deps.sh"
eval "$("$AXAS_TOP/scripts/kernel.sh" "$kernel")"
run=$AXAS_CACHE/runs/fuzz-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$run/mods/src" "$run/tests" "$run/bin"
ln -sfn "$run" "$AXAS_CACHE/run-fuzz"

log "building the module against $KDIR and the fuzzer"
build_modules "$KDIR" "$run/mods" || [ $? = 1 ] || die "module build failed"
# The module only: no KUnit suites in this VM.
rm -f "$run/mods/axaddrspace_kunit.ko"
make -s -C "$AXAS_TOP/tools/testing/selftests/axaddrspace" \
	KSFT="$KSRC/tools/testing/selftests" OUTPUT="$run/bin" "$run/bin/fuzz" >/dev/null ||
	die "building the fuzzer failed"
rm -rf "$run/bin/.obj"
cat >"$run/tests/fuzz" <<SH
#!/bin/sh
exec /demo/fuzz -s $seed -n $ops -t $threads -f $inject
SH
chmod +x "$run/tests/fuzz"

make_initramfs "$run/initramfs.cpio.gz" "$run/mods" "$run/tests" "$run/bin"
log "fuzz: seed $seed, $ops ops, $threads threads, injection $inject %, $kernel kernel ($(basename "$IMAGE"))"
start=$(date +%s)
run_vm "$IMAGE" "$run/initramfs.cpio.gz" check "$run" "${AXAS_VM_TIMEOUT:-7200}" || true
sed -n '/^@@ SELFTEST fuzz/,/^@@ EXIT fuzz/p' "$run/results.log" | tr -d '\r' | grep -v '^@@' || true
rc=0
"$AXAS_TOP/scripts/vm-results.py" --label "fuzz-$kernel" --results "$run/results.log" \
	--console "$run/console.log" --ksrc "$KSRC" --counts "$run/counts" || rc=$?
echo "fuzz: seed $seed, $ops ops on the $kernel kernel, VM time $(($(date +%s) - start)) s; logs: $run"
exit $rc
