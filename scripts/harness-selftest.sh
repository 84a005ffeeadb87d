#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Proves that the test harness fails when it should (make harness-selftest).
# Builds the throwaway modules of scripts/harness-selftest/ against the debug
# kernel and runs "check.sh --kunit" once clean and once with each of them
# loaded: a failing KUnit case, a KASAN report and a kmemleak leak must each
# turn the run red, with the matching reason in its output.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$AXAS_TOP/scripts/deps.sh"
eval "$("$AXAS_TOP/scripts/kernel.sh" debug)"
build=$AXAS_CACHE/harness-selftest
rm -rf "$build" && cp -r "$AXAS_TOP/scripts/harness-selftest" "$build"
make -s -C "$KDIR" M="$build" modules >/dev/null || die "building the throwaway modules failed"

bad=0
expect() { # expect <pass|fail> <grep pattern> <extra module or "">
	local want=$1 pattern=$2 ko=$3 out rc=0
	out=$(AXAS_EXTRA_KO="${ko:+$build/$ko}" "$AXAS_TOP/scripts/check.sh" --kunit 2>&1) || rc=$?
	if { [ "$want" = pass ] && [ $rc = 0 ]; } ||
	   { [ "$want" = fail ] && [ $rc != 0 ] && grep -qE "$pattern" <<<"$out"; }; then
		echo "ok: ${ko:-no extra module}: run ${want}ed as it must ($(tail -n1 <<<"$out"))"
	else
		echo "NOT OK: ${ko:-no extra module}: expected the run to $want (exit $rc)"
		sed 's/^/    /' <<<"$out"
		bad=1
	fi
}

expect pass '' ''
expect fail 'FAIL: KUnit harness_selftest.harness_fail_test' extra_kunit_fail.ko
expect fail 'BUG: KASAN' extra_kasan.ko
expect fail 'FAIL: kmemleak' extra_leak.ko
[ $bad = 0 ] && echo "harness self-test: all three failure kinds are caught"
exit $bad
