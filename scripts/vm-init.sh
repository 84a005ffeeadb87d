#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the axaddrspace test VM (busybox). The kernel command line says
# what to do: axas_mode=check (KUnit + userspace tests + guests), kunit
# (KUnit only), guests (the guests only) or shell. Results go to the second serial port, one "@@ <event>" line
# before each section, so that the host never has to pick them out of the
# kernel log on the first port.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

# KCSAN (the debug-6.12 kernel): printk's console hand-over races with
# vprintk_emit() on another CPU, a race of printk's own that two threads
# logging rate-limited bad-input lines trigger now and then. Filter it by
# KCSAN's report filter, by the racing functions' names, so that a KCSAN
# report on the console means a race worth reading.
kcsan=/sys/kernel/debug/kcsan
if [ -e $kcsan ]; then
	for f in vprintk_emit console_lock_spinning_disable_and_check console_flush_all; do
		echo "!$f" >$kcsan
	done
fi

mode=$(sed -n 's/.*axas_mode=\([a-z]*\).*/\1/p' /proc/cmdline)
kmemleak=/sys/kernel/debug/kmemleak
exec 3>/dev/ttyS1
out() { echo "@@ $*" >&3; }

load() {
	insmod "/lib/modules/$1.ko" $2
	out "INSMOD $1 $?"
}

# KUnit prints its KTAP to the kernel log as the suites run at module load;
# markers in the log tell the host where it starts and ends. (The debugfs
# copy of 6.1 keeps only the last parameter of a parameterised case.)
run_kunit() {
	[ -e /lib/modules/axaddrspace_kunit.ko ] || return 0
	echo "axas-kunit: begin" >/dev/kmsg
	load_extra
	load axaddrspace_kunit
	echo "axas-kunit: end" >/dev/kmsg
	out KUNIT
	rmmod axaddrspace_kunit
	out "RMMOD axaddrspace_kunit $?"
}

# Throwaway modules of scripts/harness-selftest.sh, if any.
load_extra() {
	for m in /lib/modules/extra_*.ko; do
		[ -e "$m" ] && load "$(basename "$m" .ko)"
	done
}

# KVM where the VM has it (the stock kernel's modules): kvm_test runs a
# KVM guest on a memory fd; it skips without /dev/kvm.
load_kvm() {
	for m in /lib/modules/kvm[0-9]-*.ko; do
		[ -e "$m" ] && load "$(basename "$m" .ko)"
	done
}

run_selftest() {
	out "SELFTEST $(basename "$1")"
	(cd /tmp && "$1") >&3 2>&1
	out "EXIT $(basename "$1") $?"
}

# lockdown_test locks the kernel down, which only a reboot undoes: last.
run_selftests() {
	load_kvm
	for t in /tests/*; do
		[ -x "$t" ] || continue
		[ "$(basename "$t")" = lockdown_test ] && continue
		run_selftest "$t"
	done
	run_guests
	[ -x /tests/lockdown_test ] && run_selftest /tests/lockdown_test
}

# Guests on the tables: the sample hypervisor runs axas-vmm's guest program
# on a space of the native format (QEMU's SVM walks it), and must refuse
# Intel EPT, which QEMU's TCG cannot run. The 1 GiB the kernel left alone
# (memmap=1G$<hpa> on the command line) backs a 1 GiB leaf.
run_guests() {
	local hpa native
	[ -x /bin/axas-vmm ] && [ -e /lib/modules/axas_hv.ko ] || return 0
	hpa=$(sed -n 's/.*memmap=1G\$\(0x[0-9a-f]*\).*/\1/p' /proc/cmdline)
	# SVM nests as deep as the host pages: 5 levels (8) with LA57, else 7.
	native=7
	grep -qw la57 /proc/cpuinfo && native=8
	load axas_hv
	out "SELFTEST guests"
	axas-vmm --test --native $native --refuse 1 ${hpa:+--linear1g $hpa} >&3 2>&1
	out "EXIT guests $?"
	rmmod axas_hv
	out "RMMOD axas_hv $?"
}

scan_kmemleak() {
	[ -e $kmemleak ] || return 0
	# kmemleak reports only objects older than 5 s: wait, then scan.
	sleep 6
	echo scan >$kmemleak
	out KMEMLEAK
	cat $kmemleak >&3
}

out "BOOT $(uname -r)"
# Forget what boot itself may have left: only leaks from our run count.
[ -e $kmemleak ] && echo clear >$kmemleak
load axaddrspace

if [ "$mode" = shell ]; then
	load_extra
	echo "axaddrspace debug VM: modules in /lib/modules, tests in /tests; 'reboot -f' quits"
	setsid cttyhack sh
elif [ "$mode" = guests ]; then
	run_guests
	rmmod axaddrspace
	out "RMMOD axaddrspace $?"
	out DONE
else
	run_kunit
	[ "$mode" = check ] && run_selftests
	for m in /lib/modules/extra_*.ko; do
		[ -e "$m" ] || continue
		rmmod "$(basename "$m" .ko)"
		out "RMMOD $(basename "$m" .ko) $?"
	done
	rmmod axaddrspace
	out "RMMOD axaddrspace $?"
	scan_kmemleak
	out DONE
fi
exec 3>&-
reboot -f
