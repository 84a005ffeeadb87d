// SPDX-License-Identifier: GPL-2.0
/*
 * The space fd: an anonymous-inode file per address space, like a KVM VM
 * fd. This file owns its whole life: the per-user count of open space
 * fds, the creation (AXAS_CREATE_SPACE on the device fd), the ioctls, which
 * copy and check arguments (sizes, padding, privileges) and call the
 * in-kernel API, pread and pwrite into guest memory, and the release.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/xarray.h>

#include "dev.h"
#include "space.h"
#include "uarg.h"

static unsigned int max_spaces;
module_param(max_spaces, uint, 0644);
MODULE_PARM_DESC(max_spaces,
		 "Limit on space fds one user (uid) has open at once, 0 for no limit (default: 0)");

/*
 * Open space fds per user: the kuid's value -> xa_mk_value(count), only
 * users with a space fd open. Counted also without a limit, so that one set
 * later applies to the fds already open.
 */
static DEFINE_MUTEX(axas_uid_lock);
static DEFINE_XARRAY(axas_uid_spaces);

/*
 * The fd side of the space limit: a slot per open space fd of @uid, while
 * it has fewer than @limit (0: no limit). Return: 0, -ENOSPC or -ENOMEM.
 */
VISIBLE_IF_KUNIT int axas_dev_space_slot(kuid_t uid, unsigned int limit)
{
	unsigned long key = __kuid_val(uid), n;
	int ret = -ENOSPC;

	mutex_lock(&axas_uid_lock);
	n = xa_to_value(xa_load(&axas_uid_spaces, key));
	if (!limit || n < limit)
		ret = xa_err(xa_store(&axas_uid_spaces, key, xa_mk_value(n + 1),
				      GFP_KERNEL_ACCOUNT));
	mutex_unlock(&axas_uid_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(axas_dev_space_slot);

/**
 * axas_dev_space_closed() - give back the slot of a space fd
 * @uid: the user that created it: file->f_cred->uid of the space file
 *
 * For the space fd's release, which may run in any task (the fd may have
 * been passed on): the creator's credentials stay with the file.
 */
VISIBLE_IF_KUNIT void axas_dev_space_closed(kuid_t uid)
{
	unsigned long key = __kuid_val(uid), n;

	mutex_lock(&axas_uid_lock);
	n = xa_to_value(xa_load(&axas_uid_spaces, key));
	if (n > 1)	/* replaces the entry in place: allocates nothing */
		xa_store(&axas_uid_spaces, key, xa_mk_value(n - 1), GFP_KERNEL);
	else if (!WARN_ON_ONCE(!n))
		xa_erase(&axas_uid_spaces, key);
	mutex_unlock(&axas_uid_lock);
}
EXPORT_SYMBOL_IF_KUNIT(axas_dev_space_closed);

static int axas_release_file(struct inode *inode, struct file *file)
{
	/* Before the put: a debugfs reader must not outlive the space. */
	axas_debugfs_space_remove(file->private_data);
	axas_put(file->private_data);
	/* f_cred is the creator's, wherever the fd went since. */
	axas_dev_space_closed(file->f_cred->uid);
	return 0;
}

static ssize_t axas_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t ret = axas_rw_iter(iocb->ki_filp->private_data, iocb->ki_pos,
				   to, false);

	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static ssize_t axas_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t ret = axas_rw_iter(iocb->ki_filp->private_data, iocb->ki_pos,
				   from, true);

	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

/*
 * Whether host addresses are shown to the caller: a question, not a
 * privileged operation, so no audit record; asked once per call.
 */
static bool axas_show_hpa(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

/* /proc/<pid>/fdinfo/<fd>: host addresses only for CAP_SYS_ADMIN readers. */
static void axas_show_fdinfo(struct seq_file *m, struct file *file)
{
	axas_seq_info(m, file->private_data, axas_show_hpa());
}

static long axas_ioc_map_linear(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_map_linear arg = *(struct axas_map_linear *)karg;

	if (arg.pad || arg.reserved)
		return axas_bad_space(as, "map_linear: nonzero pad or reserved");
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	/* Host memory through pwrite: what lockdown refuses /dev/mem. */
	if (security_locked_down(LOCKDOWN_DEV_MEM))
		return -EPERM;
	return axas_map_linear(as, arg.gpa, arg.hpa, arg.size, arg.flags);
}

static long axas_ioc_map_alloc(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_map_alloc arg = *(struct axas_map_alloc *)karg;

	if (arg.pad || arg.reserved)
		return axas_bad_space(as, "map_alloc: nonzero pad or reserved");
	return axas_map_alloc(as, arg.gpa, arg.size, arg.flags);
}

static long axas_ioc_map_memory(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_map_memory arg = *(struct axas_map_memory *)karg;
	struct file *file;
	long ret;

	if (arg.reserved[0] || arg.reserved[1])
		return axas_bad_space(as, "map_memory: nonzero reserved");
	file = fget(arg.fd);
	if (!file)
		return -EBADF;
	ret = axas_map_memory(as, arg.gpa, arg.size, file, arg.offset, arg.flags);
	fput(file);
	return ret;
}

static long axas_ioc_discard(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_range arg = *(struct axas_range *)karg;

	if (arg.op_flags || arg.pad)
		return axas_bad_space(as, "discard: unknown op_flags %#x or nonzero pad",
				      arg.op_flags);
	return axas_discard(as, arg.gpa, arg.size);
}

static long axas_ioc_unmap(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_range arg = *(struct axas_range *)karg;

	if (arg.op_flags || arg.pad)
		return axas_bad_space(as, "unmap: unknown op_flags %#x or nonzero pad",
				      arg.op_flags);
	return axas_unmap(as, arg.gpa, arg.size);
}

static long axas_ioc_protect(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_protect arg = *(struct axas_protect *)karg;

	if (arg.pad)
		return axas_bad_space(as, "protect: nonzero pad");
	return axas_protect_checked(as, arg.gpa, arg.size, arg.flags);
}

/* The outputs of @arg from @t; the host address only if @show_hpa. */
static void axas_translate_out(struct axas_translate *arg,
			       const struct axas_translation *t, bool show_hpa)
{
	arg->hpa = show_hpa ? t->hpa : 0;
	arg->page_size = t->page_size;
	arg->area_start = t->area_start;
	arg->area_size = t->area_size;
	arg->flags = t->flags;
	arg->backend = t->backend;
	arg->reserved = 0;
}

static long axas_ioc_translate(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_translate *arg = karg;
	struct axas_translation t;
	int ret;

	if (arg->op_flags)
		return axas_bad_space(as, "translate: unknown op_flags %#x",
				      arg->op_flags);
	ret = axas_translate(as, arg->gpa, &t);
	if (ret)
		return ret;
	axas_translate_out(arg, &t, axas_show_hpa());
	return 0;
}

/* Elements a batch translates between two copies from and to userspace. */
#define AXAS_BATCH_CHUNK	64

/* One batch element: outputs all 0 when its gpa has no translation. */
static void axas_translate_elem(struct axas *as, struct axas_translate *e,
				bool show_hpa)
{
	struct axas_translation t;

	if (axas_translate(as, e->gpa, &t))
		memset(&t, 0, sizeof(t));
	axas_translate_out(e, &t, show_hpa);
}

/* Unknown op_flags in any of @k elements refuse them; @first numbers @buf[0]. */
static int axas_batch_check(struct axas *as, const struct axas_translate *buf,
			    u32 k, u32 first)
{
	u32 i = 0;

	while (i < k && !buf[i].op_flags)
		i++;
	if (i == k)
		return 0;
	return axas_bad_space(as, "translate_batch: element %u: unknown op_flags %#x",
			      first + i, buf[i].op_flags);
}

/*
 * Translate @n elements at @uents, AXAS_BATCH_CHUNK at a time through
 * @buf; *@done counts the leading elements written back.
 */
static int axas_translate_chunks(struct axas *as, struct axas_translate *buf,
				 struct axas_translate __user *uents, u32 n,
				 u32 *done)
{
	bool show_hpa = axas_show_hpa();
	unsigned long bytes, left;
	u32 i, k;
	int ret;

	for (*done = 0; *done < n; *done += k) {
		k = min_t(u32, n - *done, AXAS_BATCH_CHUNK);
		bytes = k * sizeof(*buf);
		if (copy_from_user(buf, uents + *done, bytes))
			return -EFAULT;
		ret = axas_batch_check(as, buf, k, *done);
		if (ret)
			return ret;
		for (i = 0; i < k; i++)
			axas_translate_elem(as, &buf[i], show_hpa);
		left = copy_to_user(uents + *done, buf, bytes);
		if (left) {
			*done += (bytes - left) / sizeof(*buf);
			return -EFAULT;
		}
		cond_resched();
	}
	return 0;
}

/* Writes its one output, count, itself: also when it fails midway. */
static long axas_ioc_translate_batch(struct axas *as, void *karg,
				     void __user *uarg)
{
	struct axas_translate_batch __user *ubatch = uarg;
	struct axas_translate_batch arg = *(struct axas_translate_batch *)karg;
	struct axas_translate *buf;
	u32 done = 0;
	int ret = 0;

	if (arg.flags || arg.reserved[0] || arg.reserved[1])
		return axas_bad_space(as, "translate_batch: unknown flags %#x or nonzero reserved",
				      arg.flags);
	if (arg.count > AXAS_TRANSLATE_BATCH_MAX)
		return axas_bad_space(as, "translate_batch: count %u above %u",
				      arg.count, AXAS_TRANSLATE_BATCH_MAX);
	if (arg.count) {
		buf = kmalloc_array(min_t(u32, arg.count, AXAS_BATCH_CHUNK),
				    sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		ret = axas_translate_chunks(as, buf, u64_to_user_ptr(arg.entries),
					    arg.count, &done);
		kfree(buf);
	}
	if (put_user(done, &ubatch->count))
		return -EFAULT;
	return ret;
}

/*
 * Both inputs in one user-access window, which also clears @handled: a
 * write-back that could only fail after the fault mapped a frame would
 * break "a failed call leaves the space as it was".
 */
static int axas_get_fault(struct axas_fault __user *ufault,
			  struct axas_npf_info *npf)
{
	if (!user_access_begin(ufault, sizeof(*ufault)))
		return -EFAULT;
	unsafe_get_user(npf->gpa, &ufault->gpa, efault);
	unsafe_get_user(npf->access, &ufault->access, efault);
	unsafe_put_user(0, &ufault->handled, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* Writes its one output, handled, itself (axas_get_fault()). */
static long axas_ioc_fault(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_npf_info npf;
	bool handled;
	int ret;

	ret = axas_get_fault(uarg, &npf);
	if (ret)
		return ret;
	ret = axas_handle_page_fault(as, &npf, &handled);
	if (ret)
		return ret;
	/* Only @handled is an output: one store instead of the struct. */
	return put_user((u32)handled,
			&((struct axas_fault __user *)uarg)->handled) ? -EFAULT : 0;
}

static long axas_ioc_info(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_info *info = karg;

	axas_get_info(as, info);
	if (!axas_show_hpa()) {
		info->root_hpa = 0;
		info->hw_root = 0;
	}
	return 0;
}

/* Areas a listing copies between two copies to userspace. */
#define AXAS_AREAS_CHUNK	64
/* A listing restarts this often when writers change the areas meanwhile. */
#define AXAS_AREAS_TRIES	8

/*
 * List the areas to @uareas in pieces, outside the lock, as one state of
 * the space: a piece from another generation restarts the listing. What
 * an abandoned attempt wrote beyond the final list is zeroed.
 */
static int axas_areas_copy(struct axas *as, struct axas_areas_chunk *chunk,
			   struct axas_area __user *uareas, u32 capacity,
			   bool show_hpa, u32 *count)
{
	unsigned int gen, tries = 0;
	u32 i, written, stale = 0;

restart:
	if (tries++ == AXAS_AREAS_TRIES)
		return -EAGAIN;
	chunk->next = 0;
	for (written = 0;; written += chunk->n) {
		stale = max(stale, written);
		chunk->capacity = min_t(u32, capacity - written, AXAS_AREAS_CHUNK);
		axas_get_areas_chunk(as, chunk);
		if (!written)
			gen = chunk->gen;
		else if (chunk->gen != gen)
			goto restart;
		for (i = 0; i < chunk->n && !show_hpa; i++)
			chunk->buf[i].hpa = 0;
		if (copy_to_user(uareas + written, chunk->buf,
				 sizeof(*chunk->buf) * chunk->n))
			return -EFAULT;
		if (chunk->done || written + chunk->n == capacity)
			break;
		cond_resched();
	}
	written += chunk->n;
	if (stale > written &&
	    clear_user(uareas + written, (stale - written) * sizeof(*uareas)))
		return -EFAULT;
	*count = chunk->total;
	return 0;
}

static long axas_ioc_areas(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_areas_chunk chunk = {};
	struct axas_areas *arg = karg;
	int ret;

	if (arg->op_flags || arg->pad)
		return axas_bad_space(as, "get_areas: unknown op_flags %#x or nonzero pad",
				      arg->op_flags);
	chunk.buf = kmalloc_array(AXAS_AREAS_CHUNK, sizeof(*chunk.buf),
				  GFP_KERNEL);
	if (!chunk.buf)
		return -ENOMEM;
	ret = axas_areas_copy(as, &chunk, u64_to_user_ptr(arg->areas),
			      arg->capacity, axas_show_hpa(), &arg->count);
	kfree(chunk.buf);
	return ret;
}

struct axas_dump_user {
	struct axas_table_page __user *pages;
	u32 capacity;
	u32 n;
};

/*
 * Copied under the space's lock, which a page fault must not wait under: a
 * fault on a mapping of a memory fd takes its invalidate lock, which ranks
 * above (locking.rst). So page faults are off; the ioctl faults the page
 * in without the lock and dumps again.
 */
static int axas_dump_user_one(void *arg, const struct axas_table_page *page)
{
	struct axas_dump_user *d = arg;
	unsigned long left;

	if (d->n < d->capacity) {
		pagefault_disable();
		left = __copy_to_user_inatomic(d->pages + d->n, page, sizeof(*page));
		pagefault_enable();
		if (left)
			return -EFAULT;
	}
	d->n++;
	return 0;
}

/* Dump, faulting in the caller's page that stopped a try, until one succeeds. */
static long axas_dump_user(struct axas *as, struct axas_dump_user *d)
{
	long ret;

	if (!access_ok(d->pages, (size_t)d->capacity * sizeof(*d->pages)))
		return -EFAULT;
	for (;;) {
		d->n = 0;
		ret = axas_dump_tables(as, axas_dump_user_one, d);
		if (ret != -EFAULT)
			return ret;
		if (fault_in_writeable((char __user *)(d->pages + d->n),
				       sizeof(*d->pages)))
			return -EFAULT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
}

static long axas_ioc_dump(struct axas *as, void *karg, void __user *uarg)
{
	struct axas_dump *arg = karg;
	struct axas_dump_user d;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (arg->op_flags || arg->pad)
		return axas_bad_space(as, "dump_tables: unknown op_flags %#x or nonzero pad",
				      arg->op_flags);
	d.pages = u64_to_user_ptr(arg->pages);
	d.capacity = arg->capacity;
	ret = axas_dump_user(as, &d);
	if (ret < 0)
		return ret;
	arg->count = ret;
	return 0;
}

static long axas_ioc_clear(struct axas *as, void *karg, void __user *uarg)
{
	return axas_clear(as);
}

static long axas_ioc_check_extension(struct axas *as, void *karg,
				     void __user *uarg)
{
	return axas_check_extension(as, (unsigned long)uarg);
}

/**
 * struct axas_space_ioc - one ioctl of a space fd
 * @ioc: its command and version 1's struct size
 * @fn: the handler, with the argument in the module's layout at @karg
 *	(after axas_ioc_copy_in()) and the caller's at @uarg (or the integer
 *	argument of an _IO command)
 * @copy_out: write @karg back on success; handlers that write their
 *	outputs themselves (also on failure) leave it false
 */
struct axas_space_ioc {
	struct axas_ioc ioc;
	long (*fn)(struct axas *as, void *karg, void __user *uarg);
	bool copy_out;
};

static const struct axas_space_ioc axas_space_iocs[] = {
	{ { AXAS_CHECK_EXTENSION, 0 }, axas_ioc_check_extension, false },
	{ { AXAS_MAP_LINEAR, 40 }, axas_ioc_map_linear, false },
	{ { AXAS_MAP_ALLOC, 32 }, axas_ioc_map_alloc, false },
	{ { AXAS_UNMAP, 16 }, axas_ioc_unmap, false },
	{ { AXAS_PROTECT, 24 }, axas_ioc_protect, false },
	{ { AXAS_TRANSLATE, 56 }, axas_ioc_translate, true },
	{ { AXAS_HANDLE_FAULT, 16 }, axas_ioc_fault, false },
	{ { AXAS_GET_INFO, 128 }, axas_ioc_info, true },
	{ { AXAS_CLEAR, 0 }, axas_ioc_clear, false },
	{ { AXAS_GET_AREAS, 16 }, axas_ioc_areas, true },
	{ { AXAS_DUMP_TABLES, 16 }, axas_ioc_dump, true },
	{ { AXAS_TRANSLATE_BATCH, 32 }, axas_ioc_translate_batch, false },
	{ { AXAS_MAP_MEMORY, 48 }, axas_ioc_map_memory, false },
	{ { AXAS_DISCARD, 24 }, axas_ioc_discard, false },
};

/* The largest argument of a space fd ioctl, on the stack. */
union axas_space_arg {
	struct axas_map_linear map_linear;
	struct axas_map_alloc map_alloc;
	struct axas_range range;
	struct axas_protect protect;
	struct axas_translate translate;
	struct axas_fault fault;
	struct axas_info info;
	struct axas_areas areas;
	struct axas_dump dump;
	struct axas_translate_batch batch;
};

static const struct axas_space_ioc *axas_space_ioc_find(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(axas_space_iocs); i++)
		if (axas_ioc_match(&axas_space_iocs[i].ioc, cmd))
			return &axas_space_iocs[i];
	return NULL;
}

/* Dispatch on the command's type, number and direction, any struct size. */
static long axas_space_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	const struct axas_space_ioc *d = axas_space_ioc_find(cmd);
	void __user *uarg = (void __user *)arg;
	union axas_space_arg karg;
	long ret;

	if (!d)
		return -ENOTTY;
	ret = axas_ioc_copy_in(&d->ioc, cmd, &karg, uarg);
	if (ret)
		return ret;
	ret = d->fn(file->private_data, &karg, uarg);
	if (ret || !d->copy_out)
		return ret;
	return axas_ioc_copy_out(&d->ioc, cmd, &karg, uarg);
}

static const struct file_operations axas_space_fops = {
	.owner		= THIS_MODULE,
	.release	= axas_release_file,
	.unlocked_ioctl	= axas_space_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.read_iter	= axas_read_iter,
	.write_iter	= axas_write_iter,
	.llseek		= default_llseek,
	.show_fdinfo	= axas_show_fdinfo,
};

/**
 * axas_space_file() - wrap a space in a new anonymous-inode file
 * @as: the space; the file takes over the caller's reference
 *
 * Return: the file, or an ERR_PTR.
 */
static struct file *axas_space_file(struct axas *as)
{
	struct file *file;

	file = anon_inode_getfile("axaddrspace", &axas_space_fops, as,
				  O_RDWR | O_CLOEXEC);
	if (!IS_ERR(file))
		file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	return file;
}

static const struct axas_ioc axas_ioc_create = { AXAS_CREATE_SPACE, 48 };

static struct axas *axas_dev_new_space(unsigned int cmd, void __user *uarg)
{
	struct axas_create arg;
	int ret;

	ret = axas_ioc_copy_in(&axas_ioc_create, cmd, &arg, uarg);
	if (ret)
		return ERR_PTR(ret);
	if (arg.reserved[0] || arg.reserved[1] || arg.reserved[2])
		return ERR_PTR(axas_bad("create: nonzero reserved"));
	return axas_create(arg.base, arg.size, arg.format, arg.flags);
}

/**
 * axas_space_fd_create() - AXAS_CREATE_SPACE: a new space and its fd
 * @cmd: the command, with the caller's struct size
 * @uarg: the caller's struct axas_create
 *
 * The KVM order (kvm_dev_ioctl_create_vm()): count the fd against the
 * user's limit, reserve the fd, build the space and its file, install
 * last; each failure undoes exactly the steps before it.
 *
 * Return: the new fd, or -ENOSPC, -EMFILE, -EINVAL, -E2BIG, -EFAULT,
 * -ENOMEM.
 */
long axas_space_fd_create(unsigned int cmd, void __user *uarg)
{
	kuid_t uid = current_uid();
	struct file *file;
	struct axas *as;
	int fd, ret;

	ret = axas_dev_space_slot(uid, READ_ONCE(max_spaces));
	if (ret)
		return ret;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto put_slot;
	}
	as = axas_dev_new_space(cmd, uarg);
	if (IS_ERR(as)) {
		ret = PTR_ERR(as);
		goto put_fd;
	}
	file = axas_space_file(as);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_space;
	}
	axas_debugfs_space_add(as, fd);
	fd_install(fd, file);
	return fd;

put_space:
	axas_put(as);
put_fd:
	put_unused_fd(fd);
put_slot:
	axas_dev_space_closed(uid);
	return ret;
}

/**
 * axas_space_fd_cmd() - whether a device fd command creates a space fd
 * @cmd: the command, with any struct size
 *
 * Return: true for AXAS_CREATE_SPACE.
 */
bool axas_space_fd_cmd(unsigned int cmd)
{
	return axas_ioc_match(&axas_ioc_create, cmd);
}

/**
 * axas_space_fd_exit() - module exit: no space fd is left
 */
void axas_space_fd_exit(void)
{
	xa_destroy(&axas_uid_spaces);
}

/* The space's format at @as, or 0 for the device fd (@as NULL). */
static u32 axas_space_format(struct axas *as)
{
	struct axas_info info;

	if (!as)
		return 0;
	axas_get_info(as, &info);
	return info.format;
}

/**
 * axas_check_extension() - AXAS_CHECK_EXTENSION on the device or a space fd
 * @as: the space of a space fd, which may answer for its format; NULL for
 *	the device fd
 * @cap: AXAS_CAP_*
 *
 * Return: the capability's value, 0 for one this module does not know.
 */
long axas_check_extension(struct axas *as, unsigned long cap)
{
	u32 format = axas_space_format(as);

	switch (cap) {
	case AXAS_CAP_FORMATS:
		return GENMASK(AXAS_FMT_MAX, AXAS_FMT_X86_EPT4);
	case AXAS_CAP_MAX_SPACES:
		return READ_ONCE(max_spaces);
	case AXAS_CAP_TRANSLATE_BATCH:
		return AXAS_TRANSLATE_BATCH_MAX;
	case AXAS_CAP_MEMORY:
		return 1;
	case AXAS_CAP_EPT_EXEC_ONLY:
		if (format && format != AXAS_FMT_X86_EPT4 && format != AXAS_FMT_X86_EPT5)
			return 0;
		return axas_npt_ept_exec_only();
	default:
		return 0;
	}
}

/**
 * axas_get_from_fd() - the space behind a space fd of /dev/axaddrspace
 * @fd: a file descriptor of the calling process
 *
 * Lets a hypervisor module use a space that a VMM created.
 *
 * Return: the space with a new reference (drop it with axas_put()), or
 * ERR_PTR(-EBADF) if @fd is not an open file, ERR_PTR(-EINVAL) if it is
 * not a space fd.
 */
struct axas *axas_get_from_fd(int fd)
{
	struct file *file = fget(fd);
	struct axas *as;

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &axas_space_fops) {
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	as = file->private_data;
	axas_get(as);
	fput(file);
	return as;
}
EXPORT_SYMBOL_NS_GPL(axas_get_from_fd, AXADDRSPACE_NS);
