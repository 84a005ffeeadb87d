#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building and testing axaddrspace needs,
# when any is missing, and the packages named as arguments (make bench
# PROFILE=1 adds linux-perf). Idempotent and quiet; a no-op when all are
# there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	gcc make bc flex bison libelf-dev libssl-dev kmod cpio gzip xz-utils
	python3 sparse clang llvm lld busybox-static qemu-system-x86
	linux-source-6.1 linux-source-6.12 linux-headers-amd64
	gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu qemu-system-arm qemu-system-misc
	libc6-dev-riscv64-cross libc6-dev-arm64-cross
	"$@"
)

missing=()
for p in "${PACKAGES[@]}"; do
	[ -n "$(pkg_version "$p")" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

log "installing ${missing[*]}"
[ "$(id -u)" = 0 ] || die "need root to install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
