# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the axaddrspace build and test scripts. Source it.

AXAS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AXAS_CACHE=${AXAS_CACHE:-$HOME/.cache/axaddrspace}
AXAS_JOBS=${AXAS_JOBS:-$(($(nproc) + 1))}
mkdir -p "$AXAS_CACHE"

die() { echo "axaddrspace: $*" >&2; exit 1; }
log() { [ -n "${AXAS_QUIET:-}" ] || echo "==> $*" >&2; }

# Version of an installed Debian package, empty when not installed.
pkg_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# Unpack the source tarball of Debian's linux-source-$1 once per version.
# Prints the source directory.
kernel_source() {
	local series=$1 ver dir tmp
	ver=$(pkg_version "linux-source-$series")
	[ -n "$ver" ] || die "linux-source-$series is not installed (run scripts/deps.sh)"
	dir=$AXAS_CACHE/src/linux-source-$series-$ver
	if [ ! -e "$dir/.axas-complete" ]; then
		log "unpacking linux-source-$series $ver"
		tmp=$dir.tmp.$$
		rm -rf "$tmp" && mkdir -p "$tmp"
		tar -xJf "/usr/src/linux-source-$series.tar.xz" -C "$tmp" --strip-components=1
		touch "$tmp/.axas-complete"
		rm -rf "$dir" && mv "$tmp" "$dir"
	fi
	echo "$dir"
}

# The stock Debian kernel that linux-headers-amd64 points at: prints
# "<release> <headers dir>".
stock_release() {
	local rel
	rel=$(dpkg-query -W -f='${Depends}\n' linux-headers-amd64 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1)
	[ -n "$rel" ] || die "linux-headers-amd64 is not installed (run scripts/deps.sh)"
	echo "$rel /usr/src/linux-headers-$rel"
}

# make_initramfs <out.cpio.gz> <dir of .ko files> [<dir of test binaries>
#                [<dir copied to /demo> [<dir merged into />]]]
# A busybox initramfs with scripts/vm-init.sh as /init.
make_initramfs() {
	local out=$1 mods=$2 tests=${3:-} extra=${4:-} overlay=${5:-} root
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules,tests}
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	cp "$AXAS_TOP/scripts/vm-init.sh" "$root/init"
	cp "$mods"/*.ko "$root/lib/modules/"
	[ -z "$tests" ] || find "$tests" -maxdepth 1 -type f -exec cp {} "$root/tests/" \;
	[ -z "$extra" ] || cp -r "$extra" "$root/demo"
	[ -z "$overlay" ] || cp -a "$overlay/." "$root/"
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
	rm -rf "$root"
}

# run_vm <kernel image> <initramfs> <mode> <log dir> [<timeout s>]
# Boots QEMU (TCG, $AXAS_VM_CPUS vCPUs, default 4, $AXAS_VM_MEM of memory,
# default 3G, and any further QEMU options in $AXAS_VM_QEMU_ARGS): console
# on <log dir>/console.log, results channel on <log dir>/results.log. Mode
# "shell" uses the terminal. The kernel keeps the 1 GiB at 2 GiB out of
# its own use (memmap=): host memory for the guests' 1 GiB linear leaf.
# $AXAS_VM_APPEND adds kernel parameters.
run_vm() {
	local image=$1 initrd=$2 mode=$3 logs=$4 limit=${5:-900} rc=0
	local append="console=ttyS0 panic=-1 loglevel=7 no_timer_check axas_mode=$mode"
	append+=' memmap=1G$0x80000000'${AXAS_VM_APPEND:+ $AXAS_VM_APPEND}
	# shellcheck disable=SC2206 # AXAS_VM_QEMU_ARGS is a list of options
	local qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp "${AXAS_VM_CPUS:-4}" -m "${AXAS_VM_MEM:-3G}" -nodefaults
		    -no-reboot -display none -kernel "$image" -initrd "$initrd"
		    ${AXAS_VM_QEMU_ARGS:-})
	mkdir -p "$logs"
	if [ "$mode" = shell ]; then
		"${qemu[@]}" -append "$append" -serial mon:stdio -serial file:"$logs/results.log"
		return
	fi
	timeout --foreground -k 10 "$limit" "${qemu[@]}" -append "$append" \
		-serial file:"$logs/console.log" -serial file:"$logs/results.log" \
		</dev/null >"$logs/qemu.log" 2>&1 || rc=$?
	[ $rc -ne 124 ] || echo "VM did not finish within ${limit}s" >>"$logs/qemu.log"
	return $rc
}

# copy_sources <dir>: a private copy of the module sources, so that builds
# against several kernels never share object files; objects of an in-place
# build (which may belong to another kernel) are left behind.
copy_sources() {
	mkdir -p "$1"
	cp -r "$AXAS_TOP"/{Kbuild,Kconfig,Makefile,include,src,npt,kunit,samples} "$1/"
	find "$1" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod' \
		-o -name '*.mod.c' \) -delete
}

# build_modules <KDIR> <out> [make args]: builds the modules in <out>/src,
# log in <out>/build.log, and copies the .ko files to <out>. Returns 2 (and
# prints the log) if the build fails, 1 if it has warnings.
build_modules() {
	local kdir=$1 out=$2 src=$2/src
	shift 2
	copy_sources "$src"
	if ! make -s -C "$src" KDIR="$kdir" "$@" >"$out/build.log" 2>&1; then
		sed 's/^/    /' "$out/build.log"
		return 2
	fi
	find "$src" -name "*.ko" -exec cp {} "$out/" \;
	! grep -q 'warning:' "$out/build.log"
}
