#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provide a test kernel and print shell assignments describing it:
#   KDIR=<dir to build modules against>  IMAGE=<bzImage>  KSRC=<source tree>
#
#   kernel.sh debug [SERIES]
#                     debug kernel built from Debian's linux-source-SERIES
#                     (6.1 unless given; 6.12 too) with scripts/debug.config
#                     and a sanitizer: debug-kasan.config for 6.1,
#                     debug-kcsan.config for 6.12; cached under $AXAS_CACHE/kernel and keyed by series,
#                     source version and fragment hash
#   kernel.sh cross ARCH
#                     arm64 or riscv64 test kernel from linux-source-6.12,
#                     built with Debian's cross compiler and
#                     scripts/cross.config + scripts/cross-ARCH.config
#   kernel.sh stock   Debian's stock kernel: linux-headers-amd64 and the
#                     matching linux-image-*-unsigned, unpacked with dpkg -x
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the recipe below changes in a way that changes the kernel.
RECIPE=2

# build_tree <out> <src> <make args> <fragment>...: allnoconfig plus the
# fragments, every line of which must land in .config, then "make all" and
# the UAPI headers (for the cross VMs' init); <out> appears complete or
# not at all.
build_tree() {
	local out=$1 src=$2 args=$3 tmp=$1.tmp missing
	shift 3
	rm -rf "$tmp" && mkdir -p "$tmp"
	# shellcheck disable=SC2086 # $args is a list of make variables
	make -s -C "$src" O="$tmp" $args allnoconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" "$@" >/dev/null
	# shellcheck disable=SC2086
	make -s -C "$src" O="$tmp" $args olddefconfig >/dev/null
	missing=$(cat "$@" | grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' |
		grep -vxF -f "$tmp/.config" || true)
	[ -z "$missing" ] || die "config fragment options did not land in .config: $missing"
	# shellcheck disable=SC2086
	if ! make -s -C "$src" O="$tmp" $args -j"$AXAS_JOBS" all headers >"$tmp/build.log" 2>&1; then
		tail -n 40 "$tmp/build.log" >&2
		die "kernel build failed (log: $tmp/build.log)"
	fi
	touch "$tmp/.axas-complete"
	rm -rf "$out" && mv "$tmp" "$out"
}

# fragment_hash <file>...: the cache key of a recipe.
fragment_hash() {
	(echo "$RECIPE"; cat "$@") | sha256sum | cut -c1-12
}

# The sanitizer of each debug kernel: KASAN and KCSAN exclude each other,
# so one series runs each.
debug_sanitizer() {
	case "$1" in
	6.1) echo kasan ;;
	*) echo kcsan ;;
	esac
}

debug_kernel() {
	local series=$1 src ver out frags
	src=$(kernel_source "$series")
	ver=$(pkg_version "linux-source-$series")
	frags=("$AXAS_TOP/scripts/debug.config"
	       "$AXAS_TOP/scripts/debug-$(debug_sanitizer "$series").config")
	out=$AXAS_CACHE/kernel/debug-$ver-$(fragment_hash "${frags[@]}")
	[ -e "$out/.axas-complete" ] || build_lock build
	if [ ! -e "$out/.axas-complete" ]; then
		log "building the debug kernel (linux-source-$series $ver, $(debug_sanitizer "$series")); this takes a few minutes"
		build_tree "$out" "$src" ARCH=x86_64 "${frags[@]}"
		# Older recipes or sources of the same series are dead weight.
		find "$AXAS_CACHE/kernel" -maxdepth 1 -name "debug-$series.*" ! -path "$out" \
			-exec rm -rf {} +
	fi
	echo "KDIR=$out IMAGE=$out/arch/x86/boot/bzImage KSRC=$src"
}

# A kernel for another architecture, built with Debian's cross compiler
# from linux-source-$CROSS_SERIES; prints ARCH and CROSS_COMPILE too.
CROSS_SERIES=6.12
cross_kernel() {
	local arch=$1 karch cc src ver out frags
	case "$arch" in
	arm64) karch=arm64 cc=aarch64-linux-gnu- ;;
	riscv64) karch=riscv cc=riscv64-linux-gnu- ;;
	*) die "cross kernels: arm64 or riscv64, not '$arch'" ;;
	esac
	src=$(kernel_source $CROSS_SERIES)
	ver=$(pkg_version "linux-source-$CROSS_SERIES")
	frags=("$AXAS_TOP/scripts/cross.config" "$AXAS_TOP/scripts/cross-$arch.config")
	out=$AXAS_CACHE/kernel/cross-$arch-$ver-$(fragment_hash "${frags[@]}")
	[ -e "$out/.axas-complete" ] || build_lock build
	if [ ! -e "$out/.axas-complete" ]; then
		log "building the $arch kernel (linux-source-$CROSS_SERIES $ver, ${cc}gcc)"
		build_tree "$out" "$src" "ARCH=$karch CROSS_COMPILE=$cc" "${frags[@]}"
		find "$AXAS_CACHE/kernel" -maxdepth 1 -name "cross-$arch-*" ! -path "$out" \
			-exec rm -rf {} +
	fi
	echo "KDIR=$out IMAGE=$out/arch/$karch/boot/Image KSRC=$src ARCH=$karch CROSS_COMPILE=$cc"
}

# KVM for AMD and what it needs, named kvm<N>-<name>.ko in load order, so
# that the stock VM can run KVM on a memory fd (kvm_test). Compressed
# modules (.ko.xz) would need unpacking: Debian 12 ships them plain.
stock_kvm_modules() { # stock_kvm_modules <modules/kernel dir> <out dir>
	local n=0 m
	for m in virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp arch/x86/kvm/kvm-amd; do
		[ -e "$1/$m.ko" ] || return 0
		cp "$1/$m.ko" "$2/kvm$n-$(basename "$m").ko"
		n=$((n + 1))
	done
}

stock_kernel() {
	local rel hdr ver dir deb
	read -r rel hdr < <(stock_release)
	ver=$(pkg_version "linux-headers-$rel")
	dir=$AXAS_CACHE/stock/$rel-$ver
	# .axas-kvm: a cache from before the KVM modules were kept is fetched again.
	[ -e "$dir/.axas-kvm" ] || build_lock stock
	if [ ! -e "$dir/.axas-kvm" ]; then
		log "fetching linux-image-$rel-unsigned $ver (apt-get download, dpkg -x)"
		rm -rf "$dir" && mkdir -p "$dir/kvm"
		(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$rel-unsigned=$ver" >/dev/null)
		deb=$(ls "$dir"/*.deb)
		dpkg -x "$deb" "$dir/root"
		stock_kvm_modules "$dir/root/lib/modules/$rel/kernel" "$dir/kvm"
		rm -rf "$dir/root/lib" "$dir/root/usr"
		rm -f "$deb"
		touch "$dir/.axas-complete" "$dir/.axas-kvm"
	fi
	echo "KDIR=$hdr IMAGE=$dir/root/boot/vmlinuz-$rel KSRC=$(kernel_source 6.1) KVM_KO=$dir/kvm"
}

# One build at a time: concurrent runs wait instead of building twice, and
# look again once they hold the lock. A kernel in the cache needs no lock,
# so a run never waits for the build of another kernel.
build_lock() {
	exec 9>"$AXAS_CACHE/.kernel-$1.lock"
	flock 9
}

case "${1:-}" in
debug) debug_kernel "${2:-6.1}" ;;
cross) cross_kernel "${2:-}" ;;
stock) stock_kernel ;;
*) die "usage: $0 debug [6.1|6.12] | cross arm64|riscv64 | stock" ;;
esac
