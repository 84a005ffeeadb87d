#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench PROFILE=1: /tests/bench of the VM. Runs figure 1's work of
# each side alone (axas-bench fault-ours, fault-linux) under perf record
# with the cpu-clock software event, which needs no PMU, and prints where
# the time goes: self time per symbol, then time under the symbols that
# split figure 1 into its parts.
# perf and axas-bench come in /usr/bin (scripts/bench.sh).
export PATH=/usr/bin:$PATH
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
PARTS='entry_SYSCALL_64_after_hwframe|do_syscall_64|clear_page_erms|clear_page_rep|clear_page_orig|get_page_from_freelist|__alloc_pages|__memcg_kmem_charge_page|__mem_cgroup_charge|axas_alloc_fault|axas_npt_map_page|axas_npt_query|axas_area_find|__do_sys_ioctl|axas_space_ioctl|handle_mm_fault|do_anonymous_page|entry_SYSCALL_64|asm_exc_page_fault|exc_page_fault|syscall_exit_to_user_mode|folio_add_lru|lru_add_drain|page_add_new_anon_rmap|folio_add_new_anon_rmap|release_pages|free_unref_page|__free_pages|down_read|up_read|fault_range|touch_range'
for side in ours linux; do
	data=/tmp/perf-$side.data
	echo "== fault-$side"
	perf record -q -e cpu-clock -F 4000 -g -o $data -- axas-bench fault-$side || exit 1
	echo "-- self time, by symbol"
	perf report -i $data --stdio -q --no-children --sort sym --percent-limit 0.7 \
		-g none 2>/dev/null | sed '/^$/d'
	echo "-- time under each part (children included)"
	perf report -i $data --stdio -q --children --sort sym -g none 2>/dev/null |
		grep -E "\\] ($PARTS)\$" | sed '/^$/d'
done
