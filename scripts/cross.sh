#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cross-architecture step of make check (make cross runs it alone):
#
#   cross.sh <out dir> [ARCH...]        ARCH: arm64, riscv64 (default both)
#
# For each architecture:
# 1. the modules build with W=1 and no warning against a kernel tree
#    configured and built with Debian's cross compiler (scripts/kernel.sh
#    cross ARCH, cached: linux-source-6.12 with scripts/cross*.config);
# 2. a QEMU virt machine of that architecture (TCG) boots the kernel with
#    an initramfs holding the modules and scripts/cross-init.c (nolibc) as
#    /init, which loads them: every KUnit suite runs on that architecture,
#    among them the check that AXAS_FMT_NATIVE resolves to its format;
# 3. where the architecture has a guest program (tools/hv/guest_ARCH.S),
#    the same VM loads the sample hypervisor axas_hv.ko and runs axas-vmm
#    --test (a static binary: libc6-dev-ARCH-cross) on the formats of that
#    architecture, as the x86 VMs do.
# The run is judged by scripts/vm-results.py like the x86 VMs (KUnit
# cases, module load and unload, a clean console). Writes
# "<passed> <failed> <skipped>" to <out dir>/counts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: $0 <out dir> [ARCH...]}
shift
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(arm64 riscv64)
TIMEOUT=${AXAS_VM_TIMEOUT:-600}
mkdir -p "$out"
: >"$out/counts"

fail() { # fail <arch> <message>
	echo "[cross-$1] FAIL: $2"
	echo "0 1 0" >>"$out/counts"
}

# The initramfs: /init, the modules and /axas-vmm if built; /dev/console
# comes from the kernel's built-in initramfs.
cross_initramfs() {
	local dir=$1 root=$1/root
	rm -rf "$root" && mkdir -p "$root/lib/modules" "$root/dev" "$root/proc"
	# shellcheck disable=SC2153 # ARCH and CROSS_COMPILE come from kernel.sh
	"${CROSS_COMPILE}gcc" -static -nostdlib -fno-stack-protector -fno-asynchronous-unwind-tables \
		-Os -Wall -Werror -I"$KSRC/tools/include/nolibc" -I"$KDIR/usr/include" \
		-include nolibc.h -o "$root/init" "$AXAS_TOP/scripts/cross-init.c" -lgcc ||
		return 1
	cp "$dir"/mods/*.ko "$root/lib/modules/"
	[ ! -e "$dir/axas-vmm" ] || cp "$dir/axas-vmm" "$root/"
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$dir/initramfs.cpio.gz"
}

# The one per-architecture place: the QEMU machine, the console, and the
# arguments of axas-vmm --test: the formats the sample hypervisor must run
# there (--format) and some it must refuse (--refuse), empty without a
# guest program for the architecture; hv_kconfig: an option the kernel
# needs for axas-vmm to run; ram and cmdline: the VM's memory and extra
# kernel parameters; refused_qemu and refused_args: a second, short boot
# on a CPU where no guest can run. Sets qemu, console, hv_args, hv_kconfig,
# ram, cmdline, refused_qemu, refused_args.
cross_arch() { # cross_arch <arch>
	hv_args="" hv_kconfig="" ram=1G cmdline="" refused_args=""
	refused_qemu=()
	case "$1" in
	arm64)
		qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57)
		console=ttyAMA0
		# VHE at EL2 needs virtualization=on, and -cpu max (52-bit
		# PARange) walks both stage-2 formats.
		if [ -e "$AXAS_TOP/tools/hv/guest_arm64.S" ]; then
			# shellcheck disable=SC2054 # -M takes a comma list
			qemu=(qemu-system-aarch64 -M virt,virtualization=on -cpu max)
			# RAM at 1 GiB; mem=1G leaves the second GiB to the
			# guests' 1 GiB linear leaf.
			ram=2G cmdline="mem=1G"
			hv_args="--native 4 --format 3 --format 4 --refuse 5 --linear1g 0x80000000"
			# And a short boot where EL2 is not Linux's (no VHE,
			# 44-bit PARange): axas_hv refuses, native is 3.
			refused_qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57)
			refused_args="--hv-refused --native 3"
		fi ;;
	riscv64)
		# QEMU 7.2's H extension is on by default; its hgatp takes
		# mode 10 (Sv57x4), so all three G-stage formats run.
		qemu=(qemu-system-riscv64 -M virt -bios default)
		console=ttyS0
		# glibc's riscv64 code (setjmp, at least) uses the FPU: without
		# CONFIG_FPU the static axas-vmm dies of SIGILL.
		hv_kconfig=CONFIG_FPU
		# RAM is at 2 GiB: with mem=1G the kernel leaves the second
		# GiB alone, host memory for the guests' 1 GiB linear leaf.
		ram=2G cmdline="mem=1G"
		[ ! -e "$AXAS_TOP/tools/hv/guest_riscv64.S" ] ||
			hv_args="--native 9 --format 5 --format 6 --format 9 --refuse 7 --linear1g 0xc0000000" ;;
	esac
}

# <dir>/axas-vmm for <arch>, from a private copy of tools/hv (next to the
# copy of the sources that build_modules made).
cross_vmm() { # cross_vmm <arch> <dir>
	local src=$2/mods/src
	rm -rf "$src/tools" && cp -r "$AXAS_TOP/tools" "$src/"
	make -s -C "$src/tools/hv" ARCH="$1" CROSS_COMPILE="$CROSS_COMPILE" \
		OUTPUT="$(cd "$2" && pwd)/" >"$2/vmm-build.log" 2>&1
}

cross_vm() { # cross_vm <arch> <dir>
	local rc=0 args="" line
	[ -z "$hv_args" ] || args=" -- $hv_args"
	# printk.devkmsg=on: the init's many /dev/kmsg lines are not ratelimited.
	line="console=$console panic=-1 loglevel=7 printk.devkmsg=on${cmdline:+ $cmdline}$args"
	timeout --foreground -k 10 "$TIMEOUT" "${qemu[@]}" -accel tcg -smp 2 -m "$ram" \
		-nodefaults -no-reboot -display none -serial file:"$2/console.log" \
		-kernel "$IMAGE" -initrd "$2/initramfs.cpio.gz" -append "$line" \
		</dev/null >"$2/qemu.log" 2>&1 || rc=$?
	[ $rc -ne 124 ] || echo "VM did not finish within ${TIMEOUT}s" >>"$2/qemu.log"
	# The init's "@@" lines, out of the kernel log; "@@| <line>" is a line
	# of the program it runs, the body of the section it is in.
	sed -n -e 's/^\[ *[0-9.]*\] \(@@ .*\)$/\1/p' \
		-e 's/^\[ *[0-9.]*\] @@| \(.*\)$/\1/p' "$2/console.log" |
		tr -d '\r' >"$2/results.log"
}

one_arch() {
	local arch=$1 dir=$out/$1 warn=0
	mkdir -p "$dir/mods"
	eval "$("$AXAS_TOP/scripts/kernel.sh" cross "$arch")"
	log "cross-$arch: building the modules against $KDIR"
	build_modules "$KDIR" "$dir/mods" W=1 ARCH="$ARCH" CROSS_COMPILE="$CROSS_COMPILE" ||
		warn=$?
	if [ $warn = 2 ]; then
		fail "$arch" "module build against $KDIR"
		return
	fi
	if [ $warn = 1 ]; then
		fail "$arch" "module build has warnings:"
		grep 'warning:' "$dir/mods/build.log" | sed 's/^/    /'
	else
		echo "[cross-$arch] ok: W=1 module build with ${CROSS_COMPILE}gcc"
		echo "1 0 0" >>"$out/counts"
	fi
	cross_arch "$arch"
	rm -f "$dir/axas-vmm"
	if [ -n "$hv_args" ] && [ -n "$hv_kconfig" ] && ! grep -qx "$hv_kconfig=y" "$KDIR/.config"; then
		fail "$arch" "guests: the kernel lacks $hv_kconfig=y (scripts/cross-$arch.config), which axas-vmm needs"
		hv_args=""
	fi
	if [ -n "$hv_args" ]; then
		if cross_vmm "$arch" "$dir"; then
			echo "[cross-$arch] ok: axas-vmm built with ${CROSS_COMPILE}gcc"
			echo "1 0 0" >>"$out/counts"
		else
			fail "$arch" "building axas-vmm:"
			sed 's/^/    /' "$dir/vmm-build.log"
			hv_args=""
		fi
	fi
	cross_initramfs "$dir" || { fail "$arch" "building the nolibc /init"; return; }
	log "cross-$arch: booting $(basename "$IMAGE") under qemu (TCG)"
	cross_vm "$arch" "$dir"
	"$AXAS_TOP/scripts/vm-results.py" --label "cross-$arch" --results "$dir/results.log" \
		--console "$dir/console.log" --ksrc "$KSRC" --counts "$dir/counts" || true
	cat "$dir/counts" >>"$out/counts"
	[ -n "$refused_args" ] && [ -n "$hv_args" ] && refused_boot "$arch" "$dir"
	return 0
}

# The short boot of cross_arch's refused_qemu, judged on its own.
refused_boot() { # refused_boot <arch> <dir>
	local d=$2/refused
	mkdir -p "$d"
	cp "$2/initramfs.cpio.gz" "$d/"
	qemu=("${refused_qemu[@]}") hv_args=$refused_args ram=1G cmdline=""
	log "cross-$1: a short boot on ${qemu[*]: -1}, where no guest can run"
	cross_vm "$1" "$d"
	"$AXAS_TOP/scripts/vm-results.py" --label "cross-$1-${qemu[*]: -1}" --results "$d/results.log" \
		--console "$d/console.log" --ksrc "$KSRC" --counts "$d/counts" || true
	cat "$d/counts" >>"$out/counts"
}

for a in "${archs[@]}"; do
	one_arch "$a"
done
awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }' "$out/counts" >"$out/counts.sum"
mv "$out/counts.sum" "$out/counts"
read -r p f _ <"$out/counts"
echo "[cross] ${archs[*]}: $p passed, $f failed"
[ "$f" = 0 ]
