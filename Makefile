# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of axaddrspace.ko (and axaddrspace_kunit.ko when the
# target kernel has CONFIG_KUNIT). Kbuild holds the object lists; this file
# only drives kbuild and the test scripts.
#
#   make [KDIR=<kernel tree or headers>]   build the modules
#   make clean
#   make install  modules_install + depmod for KDIR's kernel, and the UAPI
#                 header into /usr/include/linux (root)
#   make htmldocs Documentation/ as HTML (sphinx-build; KSRC=<kernel source>)
#   make intree KTREE=<kernel source>  drop the sources into drivers/virt
#   make demo     a throwaway VM acting out a small VMM (README.md)
#   make fuzz [OPS=N SEED=S THREADS=T INJECT=P KERNEL=debug|stock]  a long fuzzer run
#   make lint     W=1, sparse, clang, checkpatch --strict, kernel-doc
#   make cross [ARCHS="arm64 riscv64"]  cross-builds, KUnit under QEMU per arch
#   make bench [PROFILE=1]  performance figures against Linux's mm, or
#                 perf profiles of figure 1 (Documentation/performance.rst)
#   make check    the full test run (README.md); make kunit; make vm

KDIR ?= /lib/modules/$(shell uname -r)/build

# The KUnit module is built whenever the target kernel has KUnit.
kunit := $(shell grep -qs '^CONFIG_KUNIT=y' $(KDIR)/include/config/auto.conf && echo m)
KBUILD_ARGS := CONFIG_AXADDRSPACE=m $(if $(kunit),CONFIG_AXADDRSPACE_KUNIT_TEST=m)
# The release of the kernel at KDIR (not necessarily the running one).
KRELEASE = $(or $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(shell uname -r))

.PHONY: all modules kdir-check clean check kunit vm demo bench harness-selftest help

all modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

kdir-check:
	@test -f $(KDIR)/Makefile || { echo "axaddrspace: no kernel build tree at $(KDIR): install linux-headers-$(shell uname -r) or set KDIR=<path>" >&2; exit 1; }

clean:
	@if [ -f $(KDIR)/Makefile ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	@find . \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '*.order' -o -name Module.symvers \) -delete

.PHONY: install htmldocs intree

# Installs into /lib/modules/<release>/updates (INSTALL_MOD_PATH=<root> to
# stage it elsewhere). The udev rule and DKMS: Documentation/admin-guide.rst.
# The UAPI header goes where userspace compilers look (INSTALL_HDR_PATH,
# default /usr/include under INSTALL_MOD_PATH).
INSTALL_HDR_PATH ?= $(INSTALL_MOD_PATH)/usr/include

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KRELEASE)
	install -D -m 0644 include/uapi/linux/axaddrspace.h $(INSTALL_HDR_PATH)/linux/axaddrspace.h

htmldocs:
	@scripts/htmldocs.sh

intree:
	@test -n "$(KTREE)" || { echo "usage: make intree KTREE=<kernel source tree>" >&2; exit 1; }
	@scripts/intree.sh $(KTREE)

check:
	@scripts/check.sh

kunit:
	@scripts/check.sh --kunit

vm:
	@scripts/check.sh --shell

demo:
	@scripts/demo.sh

.PHONY: fuzz lint cross

fuzz:
	@OPS=$(OPS) SEED=$(SEED) THREADS=$(THREADS) INJECT=$(INJECT) KERNEL=$(KERNEL) scripts/fuzz.sh

lint:
	@scripts/lint.sh

cross:
	@scripts/cross.sh $${AXAS_CACHE:-$$HOME/.cache/axaddrspace}/run-cross $(ARCHS)

bench:
	@PROFILE=$(PROFILE) scripts/bench.sh

harness-selftest:
	@scripts/harness-selftest.sh

help:
	@sed -n '3,/^$$/p' Makefile
