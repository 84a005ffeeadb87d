// SPDX-License-Identifier: GPL-2.0
/*
 * KVM as a consumer of a memory fd: a KVM guest whose memslot is an mmap()
 * of an axaddrspace memory fd, which a space maps too. What the space
 * writes the KVM guest reads, what the KVM guest stores the space reads,
 * and a punch-hole reaches KVM's own page tables (through the mmu
 * notifier of the VMM's mapping). Skips where /dev/kvm is absent (the VMs
 * load kvm_amd where the kernel has it: the stock Debian kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/axaddrspace.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define MEM_SIZE	SZ_2M
#define CODE_GPA	0x1000
#define IN_GPA		0x2000	/* the guest reads it and sends it to port 0x10 */
#define OUT_GPA		0x3000	/* the guest stores 0xbeef there */
#define PORT		0x10

/*
 * Real mode, CS = DS = 0:
 *   mov ax, [IN_GPA]; out PORT, ax; mov word [OUT_GPA], 0xbeef; hlt
 */
static const uint8_t guest_code[] = {
	0xa1, IN_GPA & 0xff, IN_GPA >> 8,
	0xe7, PORT,
	0xc7, 0x06, OUT_GPA & 0xff, OUT_GPA >> 8, 0xef, 0xbe,
	0xf4,
};

FIXTURE(kvm) {
	int dev, space, mfd, kvm, vm, vcpu;
	uint8_t *view;
	struct kvm_run *run;
	size_t run_size;
};

FIXTURE_SETUP(kvm)
{
	struct kvm_userspace_memory_region slot = {
		.memory_size = MEM_SIZE,
	};

	self->dev = -1;
	self->space = -1;
	self->mfd = -1;
	self->kvm = -1;
	self->vm = -1;
	self->vcpu = -1;
	self->view = MAP_FAILED;
	self->run = MAP_FAILED;
	SETUP_NEEDS_MODULE();
	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (self->kvm < 0)
		SKIP_SETUP("no /dev/kvm");
	dev_open(self->dev);
	create(self->dev, 0, SZ_1G, AXAS_FMT_NATIVE, &self->space);
	ASSERT_EQ(0, _create_memory(self->dev, MEM_SIZE, 0, &self->mfd));
	ASSERT_EQ(0, _map_memory(self->space, 0, MEM_SIZE, self->mfd, 0,
				 AXAS_READ | AXAS_WRITE | AXAS_EXEC));
	self->view = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->mfd, 0);
	ASSERT_NE(MAP_FAILED, self->view);

	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	slot.userspace_addr = (uintptr_t)self->view;
	ASSERT_EQ(0, xioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &slot));
	self->vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu);
	self->run_size = ioctl(self->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	self->run = mmap(NULL, self->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, self->run);
	/* The program goes in through the space, not the mmap. */
	ASSERT_EQ(sizeof(guest_code),
		  pwrite(self->space, guest_code, sizeof(guest_code), CODE_GPA));
}

FIXTURE_TEARDOWN(kvm)
{
	if (self->run != MAP_FAILED)
		munmap(self->run, self->run_size);
	if (self->view != MAP_FAILED)
		munmap(self->view, MEM_SIZE);
	close(self->vcpu);
	close(self->vm);
	close(self->kvm);
	close(self->mfd);
	close(self->space);
	close(self->dev);
}

/* Start the vCPU at CODE_GPA in real mode with CS = DS = 0. */
static int vcpu_reset(int vcpu)
{
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct kvm_sregs sregs;

	if (xioctl(vcpu, KVM_GET_SREGS, &sregs))
		return errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	return xioctl(vcpu, KVM_SET_SREGS, &sregs) ?:
	       xioctl(vcpu, KVM_SET_REGS, &regs);
}

/* Run to the OUT: the 16-bit value the guest read at IN_GPA, or -1. */
static int run_to_out(struct kvm_run *run, int vcpu)
{
	uint16_t v;

	if (vcpu_reset(vcpu) || ioctl(vcpu, KVM_RUN, 0) ||
	    run->exit_reason != KVM_EXIT_IO || run->io.port != PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 2)
		return -1;
	memcpy(&v, (uint8_t *)run + run->io.data_offset, sizeof(v));
	return v;
}

static uint16_t space_word(int space, uint64_t gpa)
{
	uint16_t v = 0xdead;

	if (pread(space, &v, sizeof(v), gpa) != sizeof(v))
		return 0xdead;
	return v;
}

/* Both ways through the shared frames, KVM's guest on one side. */
TEST_F(kvm, guest_runs_on_memory_fd)
{
	uint16_t in = 0x1234;

	ASSERT_EQ(sizeof(in), pwrite(self->space, &in, sizeof(in), IN_GPA));
	ASSERT_EQ(0x1234, run_to_out(self->run, self->vcpu));
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_HLT, self->run->exit_reason);
	EXPECT_EQ(0xbeef, space_word(self->space, OUT_GPA));
	EXPECT_EQ(0xbeef, *(uint16_t *)(self->view + OUT_GPA));
}

/* A punch-hole of the memory fd reaches KVM's mapping: the guest reads 0. */
TEST_F(kvm, punch_hole_reaches_kvm)
{
	struct axas_translate t;
	uint16_t in = 0x5678;
	uint32_t handled;

	ASSERT_EQ(sizeof(in), pwrite(self->space, &in, sizeof(in), IN_GPA));
	ASSERT_EQ(0, _fault(self->space, IN_GPA, AXAS_READ, &handled));
	ASSERT_EQ(0x5678, run_to_out(self->run, self->vcpu));
	ASSERT_EQ(0, punch(self->mfd, IN_GPA, SZ_4K));
	EXPECT_EQ(0, run_to_out(self->run, self->vcpu));
	EXPECT_EQ(0, space_word(self->space, IN_GPA));
	/* The space's leaf went too, and faults in the new frame. */
	EXPECT_EQ(ENOENT, _translate(self->space, IN_GPA, &t));
	in = 0x9abc;
	ASSERT_EQ(sizeof(in), pwrite(self->space, &in, sizeof(in), IN_GPA));
	EXPECT_EQ(0x9abc, run_to_out(self->run, self->vcpu));
}

TEST_HARNESS_MAIN
