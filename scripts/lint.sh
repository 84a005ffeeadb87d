#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: static analysis of axaddrspace, each check one test line.
#
#   w1           W=1 build against the stock Debian headers, no warning
#   sparse       make C=2 (every file through sparse), no warning or error
#   clang        LLVM=1 W=1 build, no warning
#   checkpatch   checkpatch.pl --strict on every C source and header
#   kernel-doc   kernel-doc -none on the public headers
#
#   lint.sh [--counts FILE]   FILE gets "<passed> <failed> <skipped>"
#
# The builds run in a private copy of the sources (as in check.sh), so
# they never share objects with other builds. checkpatch comes from
# Debian's linux-source-6.12, kernel-doc from 6.1. Kernel code (src, npt,
# kunit, include, samples) is judged by every checkpatch rule; userspace
# sources (tools/) skip the types that only make sense in the kernel (see
# TOOLS_IGNORE).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

counts=
[ "${1:-}" = --counts ] && counts=$2

# Kernel-only idioms a userspace program cannot or should not follow:
# BIT()/__printf() do not exist there, PRIx64 and friends are not CamelCase,
# kselftest's SKIP(return, ...) is flow control in a macro by design, a
# function returning an errno to its caller returns it positive, and
# "usage:" in usage() is not an embedded function name.
TOOLS_IGNORE=BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,CAMELCASE,MACRO_WITH_FLOW_CONTROL
TOOLS_IGNORE=$TOOLS_IGNORE,USE_NEGATIVE_ERRNO,EMBEDDED_FUNCTION_NAME,VOLATILE

passed=0 failed=0
result() {
	local name=$1 ok=$2 out=$3
	if [ "$ok" = 0 ]; then
		passed=$((passed + 1))
		echo "[lint] ok: $name"
	else
		failed=$((failed + 1))
		echo "[lint] FAIL: $name"
		sed 's/^/    /' "$out" | head -n 60
	fi
}

ksrc=$(kernel_source 6.1)
# checkpatch from the newer tree: its rules are a superset (6.1's misses
# MACRO_ARG_UNUSED, for one).
cpsrc=$(kernel_source 6.12)
read -r _ hdr < <(stock_release)
work=$(mktemp -d "$AXAS_CACHE/lint.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The sources as git sees them when in a clone, else as they lie.
sources() {
	if git -C "$AXAS_TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$AXAS_TOP" ls-files -- "$@"
	else
		(cd "$AXAS_TOP" && find "$@" -type f)
	fi
}

# build <name> <make args...>: a private copy, built from scratch.
build() {
	local name=$1 src=$work/$1
	shift
	copy_sources "$src"
	make -s -C "$src" KDIR="$hdr" "$@" >"$work/$name.log" 2>&1
}

# The three builds run in parallel; each is judged on its own log.
# Debian's headers know no KUnit: the KUnit module is built only with a
# KUnit kernel, so the lint builds cover axaddrspace.ko.
build w1 W=1 & p1=$!
build sparse C=2 W=1 & p2=$!
if command -v clang >/dev/null && command -v ld.lld >/dev/null; then
	build clang LLVM=1 W=1 & p3=$!
else
	p3=
	echo "clang or ld.lld missing (scripts/deps.sh installs them)" >"$work/clang.log"
fi

# checkpatch, four files per process, meanwhile.
mapfile -t kfiles < <(sources 'src/*.[ch]' 'npt/*.[ch]' 'kunit/*.[ch]' 'include/*.h' 'samples/*.[ch]' \
	'scripts/harness-selftest/*.[ch]')
mapfile -t ufiles < <(sources 'tools/*.[ch]' 'scripts/*.c')
cp_run() {
	(cd "$AXAS_TOP" && printf '%s\n' "$@" | xargs -r -P "$AXAS_JOBS" -n 4 \
		"$cpsrc/scripts/checkpatch.pl" --strict --no-tree --terse --no-summary \
		--show-types "${cp_args[@]}" -f)
}
# The two places that test the kernel version (an out-of-tree module
# builds on several; checkpatch's rule is for code merged into one) are
# judged without LINUX_VERSION_CODE and the constant comparison it makes.
version_files=(src/compat.h include/linux/axaddrspace.h)
mapfile -t kfiles < <(printf '%s\n' "${kfiles[@]}" | grep -vxF -f <(printf '%s\n' "${version_files[@]}"))
cp_args=()
cp_run "${kfiles[@]}" >"$work/checkpatch.log" 2>&1 || true
cp_args=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
cp_run "${version_files[@]}" >>"$work/checkpatch.log" 2>&1 || true
cp_args=(--ignore "$TOOLS_IGNORE")
cp_run "${ufiles[@]}" >>"$work/checkpatch.log" 2>&1 || true
grep -q . "$work/checkpatch.log" && cp_ok=1 || cp_ok=0

(cd "$AXAS_TOP" && "$ksrc/scripts/kernel-doc" -none include/linux/axaddrspace.h \
	include/uapi/linux/axaddrspace.h npt/npt.h npt/fmt.h samples/hv/axas_hv.h samples/hv/hv.h) >"$work/kernel-doc.log" 2>&1 &&
	! grep -q . "$work/kernel-doc.log" && kd_ok=0 || kd_ok=1

w1_ok=0 sp_ok=0 cl_ok=0
wait $p1 || w1_ok=1
wait $p2 || sp_ok=1
if [ -n "$p3" ]; then wait "$p3" || cl_ok=1; else cl_ok=1; fi
# Modpost's BTF note is not a warning; anything with "warning:" or
# "error:" is, and so is any sparse message (file:line:col: ...).
grep -qE 'warning:|error:' "$work/w1.log" && w1_ok=1
grep -qE 'warning:|error:|^[^ ]+:[0-9]+:[0-9]+: ' "$work/sparse.log" && sp_ok=1
grep -qE 'warning:|error:' "$work/clang.log" && cl_ok=1

result "W=1 build against $hdr" $w1_ok "$work/w1.log"
result "sparse (C=2)" $sp_ok "$work/sparse.log"
result "clang (LLVM=1 W=1)" $cl_ok "$work/clang.log"
result "checkpatch --strict (${#kfiles[@]} kernel, ${#ufiles[@]} userspace files)" \
	$cp_ok "$work/checkpatch.log"
result "kernel-doc -none on the headers" $kd_ok "$work/kernel-doc.log"
[ -z "$counts" ] || echo "$passed $failed 0" >"$counts"
echo "[lint] $passed passed, $failed failed"
[ $failed = 0 ]
