#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provide a test kernel and print shell assignments describing it:
#   KDIR=<dir to build modules against>  IMAGE=<bzImage>  KSRC=<source tree>
#
#   kernel.sh debug   debug kernel built from Debian's linux-source-6.1 with
#                     scripts/debug.config, cached under $AXAS_CACHE/kernel and
#                     keyed by source version and fragment hash
#   kernel.sh stock   Debian's stock kernel: linux-headers-amd64 and the
#                     matching linux-image-*-unsigned, unpacked with dpkg -x
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the recipe below changes in a way that changes the kernel.
RECIPE=2

debug_kernel() {
	local src ver hash out tmp missing
	src=$(kernel_source 6.1)
	ver=$(pkg_version linux-source-6.1)
	hash=$( (echo "$RECIPE"; cat "$AXAS_TOP/scripts/debug.config") | sha256sum | cut -c1-12)
	out=$AXAS_CACHE/kernel/debug-$ver-$hash
	if [ ! -e "$out/.axas-complete" ]; then
		log "building the debug kernel (linux-source-6.1 $ver, fragment $hash); this takes a few minutes"
		tmp=$out.tmp
		rm -rf "$tmp" && mkdir -p "$tmp"
		make -s -C "$src" O="$tmp" ARCH=x86_64 allnoconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" \
			"$AXAS_TOP/scripts/debug.config" >/dev/null
		make -s -C "$src" O="$tmp" olddefconfig >/dev/null
		missing=$(grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' \
			"$AXAS_TOP/scripts/debug.config" | grep -vxF -f "$tmp/.config" || true)
		[ -z "$missing" ] || die "debug.config options did not land in .config: $missing"
		if ! make -s -C "$src" O="$tmp" -j"$AXAS_JOBS" all >"$tmp/build.log" 2>&1; then
			tail -n 40 "$tmp/build.log" >&2
			die "debug kernel build failed (log: $tmp/build.log)"
		fi
		touch "$tmp/.axas-complete"
		rm -rf "$out" && mv "$tmp" "$out"
		# Older recipes or sources of the same series are dead weight.
		find "$AXAS_CACHE/kernel" -maxdepth 1 -name 'debug-6.1.*' ! -path "$out" \
			-exec rm -rf {} +
	fi
	echo "KDIR=$out IMAGE=$out/arch/x86/boot/bzImage KSRC=$src"
}

stock_kernel() {
	local rel hdr ver dir deb
	read -r rel hdr < <(stock_release)
	ver=$(pkg_version "linux-headers-$rel")
	dir=$AXAS_CACHE/stock/$rel-$ver
	if [ ! -e "$dir/.axas-complete" ]; then
		log "fetching linux-image-$rel-unsigned $ver (apt-get download, dpkg -x)"
		rm -rf "$dir" && mkdir -p "$dir"
		(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$rel-unsigned=$ver" >/dev/null)
		deb=$(ls "$dir"/*.deb)
		dpkg -x "$deb" "$dir/root"
		rm -rf "$dir/root/lib" "$dir/root/usr"
		rm -f "$deb"
		touch "$dir/.axas-complete"
	fi
	echo "KDIR=$hdr IMAGE=$dir/root/boot/vmlinuz-$rel KSRC=$(kernel_source 6.1)"
}

# One provider at a time: concurrent runs wait instead of building twice.
exec 9>"$AXAS_CACHE/.kernel.lock"
flock 9

case "${1:-}" in
debug) debug_kernel ;;
stock) stock_kernel ;;
*) die "usage: $0 debug|stock" ;;
esac
