#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The axaddrspace test run (make check, make kunit, make vm).
#
#   check.sh           static analysis (scripts/lint.sh); the 6.1 debug
#                      kernel: KUnit + userspace tests; the stock Debian
#                      kernel: userspace tests; the 6.12 debug kernel: KUnit
#                      + userspace tests; arm64 and riscv64: module builds
#                      and KUnit under QEMU (scripts/cross.sh); the in-tree
#                      UML KUnit run; one summary line
#   check.sh --kunit   debug kernel, KUnit only
#   check.sh --shell   debug kernel with the modules loaded and a shell
#   check.sh --stock   the stock kernel pass only: the quickest VM run of
#                      the userspace tests while developing
#
# Environment: AXAS_CACHE (default ~/.cache/axaddrspace) holds kernels and
# the logs of the last run; AXAS_VM_TIMEOUT limits each VM (seconds);
# AXAS_EXTRA_KO names extra modules to load in the debug VM (used by
# scripts/harness-selftest.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=check
case "${1:-}" in
--kunit) mode=kunit ;;
--shell) mode=shell ;;
--stock) mode=stock ;;
"") ;;
*) die "usage: $0 [--kunit|--shell|--stock]" ;;
esac

# Each run logs into its own directory, so that runs never collide;
# run-<mode> points at the latest one.
RUN=$AXAS_CACHE/runs/$mode-$(date +%Y%m%d-%H%M%S)-$$
TIMEOUT=${AXAS_VM_TIMEOUT:-600}
passed=0 failed=0 skipped=0

# The userspace tests into $2, and the sample VMM (tools/hv) into the
# overlay merged into the VMs' root.
build_selftests() {
	make -s -C "$AXAS_TOP/tools/testing/selftests/axaddrspace" \
		KSFT="$1/tools/testing/selftests" OUTPUT="$2" >/dev/null ||
		die "building the userspace tests failed"
	mkdir -p "$RUN/overlay/bin"
	make -s -C "$AXAS_TOP/tools/hv" OUTPUT="$RUN/overlay/bin/" >/dev/null ||
		die "building tools/hv failed"
}

add_counts() {
	local p f s
	read -r p f s <"$1"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# One VM pass: pass <label> <KDIR> <IMAGE> <KSRC> <vm mode>
pass() {
	local label=$1 kdir=$2 image=$3 ksrc=$4 vmmode=$5 dir=$RUN/$1 ko warn=0
	mkdir -p "$dir/mods"
	log "$label: building the modules against $kdir"
	build_modules "$kdir" "$dir/mods" W=1 || warn=$?
	if [ $warn = 2 ]; then
		echo "[$label] FAIL: module build against $kdir"
		failed=$((failed + 1))
		return
	fi
	for ko in ${AXAS_EXTRA_KO:-}; do cp "$ko" "$dir/mods/"; done
	# The stock kernel's own KVM, for kvm_test (vm-init.sh loads kvm*.ko).
	[ "$label" != stock ] || cp "$KVM_KO"/*.ko "$dir/mods/" 2>/dev/null || true
	make_initramfs "$dir/initramfs.cpio.gz" "$dir/mods" "$RUN/tests" "" "$RUN/overlay"
	[ "$vmmode" = shell ] && { run_vm "$image" "$dir/initramfs.cpio.gz" shell "$dir"; exit 0; }
	log "$label: booting $(basename "$image") under QEMU (TCG)"
	run_vm "$image" "$dir/initramfs.cpio.gz" "$vmmode" "$dir" "$TIMEOUT" || true
	"$AXAS_TOP/scripts/vm-results.py" --label "$label" --results "$dir/results.log" \
		--console "$dir/console.log" --ksrc "$ksrc" --counts "$dir/counts" || true
	if [ $warn = 1 ]; then
		echo "[$label] FAIL: module build has warnings:"
		grep 'warning:' "$dir/mods/build.log" | sed 's/^/    /'
		echo "0 1 0" >>"$dir/counts"
	else
		echo "1 0 0" >>"$dir/counts"
	fi
	add_counts <(awk '{ p += $1; f += $2; s += $3 } END { print p, f, s }' "$dir/counts")
}

# The stock kernel (5-level paging under -cpu max) once more with no5lvl,
# the guests only: SVM then nests 4 levels, native is format 7.
no5lvl_pass() { # no5lvl_pass <IMAGE> <KSRC>
	local dir=$RUN/stock-no5lvl
	mkdir -p "$dir"
	log "stock-no5lvl: the guests on a 4-level boot of the stock kernel"
	AXAS_VM_APPEND=no5lvl run_vm "$1" "$RUN/stock/initramfs.cpio.gz" guests "$dir" "$TIMEOUT" || true
	"$AXAS_TOP/scripts/vm-results.py" --label stock-no5lvl --results "$dir/results.log" \
		--console "$dir/console.log" --ksrc "$2" --counts "$dir/counts" || true
	add_counts "$dir/counts"
}

"$AXAS_TOP/scripts/deps.sh"
mkdir -p "$RUN/tests" "$RUN/overlay"
ln -sfn "$RUN" "$AXAS_CACHE/run-$mode"
# Keep the logs of the last ten runs, and of every run still going: each
# holds a lock on its .active file for as long as it lives.
exec 7>"$RUN/.active"
flock 7
for old in $(ls -dt "$AXAS_CACHE"/runs/*/ | tail -n +11); do
	( flock -n 6 && rm -rf "$old" ) 6>"$old/.active" || true
done
# Static analysis (scripts/lint.sh): one test line per check.
if [ $mode = check ]; then
	log "lint: W=1, sparse, clang, checkpatch --strict, kernel-doc"
	"$AXAS_TOP/scripts/lint.sh" --counts "$RUN/lint.counts" || true
	[ -s "$RUN/lint.counts" ] || { echo "[lint] FAIL: lint.sh did not finish"; echo "0 1 0" >"$RUN/lint.counts"; }
	add_counts "$RUN/lint.counts"
fi
if [ $mode = stock ]; then
	eval "$("$AXAS_TOP/scripts/kernel.sh" stock)"
	build_selftests "$KSRC" "$RUN/tests"
	pass stock "$KDIR" "$IMAGE" "$KSRC" check
	no5lvl_pass "$IMAGE" "$KSRC"
	echo "logs: $RUN"
	echo "$passed passed, $failed failed"
	[ $failed = 0 ]
	exit
fi
eval "$("$AXAS_TOP/scripts/kernel.sh" debug 6.1)"
debug_ksrc=$KSRC
[ $mode = kunit ] || build_selftests "$KSRC" "$RUN/tests"
pass debug-6.1 "$KDIR" "$IMAGE" "$KSRC" "$mode"
if [ $mode = check ]; then
	eval "$("$AXAS_TOP/scripts/kernel.sh" stock)"
	pass stock "$KDIR" "$IMAGE" "$debug_ksrc" check
	no5lvl_pass "$IMAGE" "$debug_ksrc"
	# The same userspace tests: the ABI does not depend on the kernel.
	eval "$("$AXAS_TOP/scripts/kernel.sh" debug 6.12)"
	pass debug-6.12 "$KDIR" "$IMAGE" "$KSRC" check
	"$AXAS_TOP/scripts/cross.sh" "$RUN/cross" || true
	[ -s "$RUN/cross/counts" ] || { echo "[cross] FAIL: cross.sh did not finish"; echo "0 1 0" >"$RUN/cross/counts"; }
	add_counts "$RUN/cross/counts"
	# Packaging: the in-tree KUnit run on UML, cached (scripts/intree-check.sh).
	"$AXAS_TOP/scripts/intree-check.sh" "$RUN/intree" || true
	[ -s "$RUN/intree/counts" ] || { echo "[intree] FAIL: intree-check.sh did not finish"; echo "0 1 0" >"$RUN/intree/counts"; }
	add_counts "$RUN/intree/counts"
fi

echo "logs: $RUN"
[ $skipped = 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
