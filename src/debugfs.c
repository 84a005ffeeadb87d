// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: axaddrspace/summary, the module-wide totals, and one directory
 * per space fd, named <pid>-<fd> as KVM names its VMs', with an info file
 * (the lines of the space fd's fdinfo).
 *
 * Lifetime, as in KVM: a space's directory goes before the space can be
 * freed (when its fd is released, before the file's reference is
 * dropped), debugfs_remove_recursive() waits for the readers inside the
 * file's operations, and an open info file holds a reference on the space
 * (kref_get_unless_zero()) until it is closed. Without debugfs every
 * debugfs_create_*() fails and everything here does nothing.
 */
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "space.h"

static struct dentry *axas_debugfs_root;

/* Every live space, for the totals of the summary. */
static LIST_HEAD(axas_spaces);
static DEFINE_MUTEX(axas_spaces_lock);

/**
 * axas_debugfs_track() - count a new space in the summary
 * @as: the space, fully initialised
 */
void axas_debugfs_track(struct axas *as)
{
	mutex_lock(&axas_spaces_lock);
	list_add_tail(&as->node, &axas_spaces);
	mutex_unlock(&axas_spaces_lock);
}

/**
 * axas_debugfs_untrack() - undo axas_debugfs_track() for a space going away
 * @as: the space, its last reference gone
 *
 * Waits for a summary reading @as; called without @as->lock held.
 */
void axas_debugfs_untrack(struct axas *as)
{
	mutex_lock(&axas_spaces_lock);
	list_del(&as->node);
	mutex_unlock(&axas_spaces_lock);
}

/* Module-wide totals over the live spaces. */
struct axas_totals {
	u64 spaces;
	u64 areas;
	u64 mapped_bytes;
	u64 table_pages;
	u64 alloc_pages;
	u64 faults_handled;
};

static void axas_totals_get(struct axas_totals *t)
{
	struct axas_info info;
	struct axas *as;

	memset(t, 0, sizeof(*t));
	mutex_lock(&axas_spaces_lock);
	list_for_each_entry(as, &axas_spaces, node) {
		axas_get_info(as, &info);
		t->spaces++;
		t->areas += info.nr_areas;
		t->mapped_bytes += info.mapped_bytes;
		t->table_pages += info.table_pages;
		t->alloc_pages += info.alloc_pages;
		t->faults_handled += info.faults_handled;
	}
	mutex_unlock(&axas_spaces_lock);
}

static int axas_summary_show(struct seq_file *m, void *unused)
{
	struct axas_totals t;

	axas_totals_get(&t);
	seq_printf(m, "spaces:\t%llu\n", t.spaces);
	seq_printf(m, "areas:\t%llu\n", t.areas);
	seq_printf(m, "mapped_bytes:\t%llu\n", t.mapped_bytes);
	seq_printf(m, "table_pages:\t%llu\n", t.table_pages);
	seq_printf(m, "alloc_pages:\t%llu\n", t.alloc_pages);
	seq_printf(m, "faults_handled:\t%llu\n", t.faults_handled);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(axas_summary);

/* What one open of an info file shows. */
struct axas_info_reader {
	struct axas *as;
	bool show_hpa;
};

static int axas_info_show(struct seq_file *m, void *unused)
{
	struct axas_info_reader *r = m->private;

	axas_seq_info(m, r->as, r->show_hpa);
	return 0;
}

/* The opener's privilege decides on host addresses, asked without audit. */
static int axas_info_open(struct inode *inode, struct file *file)
{
	struct axas_info_reader *r;
	struct axas *as = inode->i_private;
	int ret;

	if (!kref_get_unless_zero(&as->ref))
		return -ENOENT;
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		axas_put(as);
		return -ENOMEM;
	}
	r->as = as;
	r->show_hpa = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	ret = single_open(file, axas_info_show, r);
	if (ret) {
		kfree(r);
		axas_put(as);
	}
	return ret;
}

static int axas_info_release(struct inode *inode, struct file *file)
{
	struct axas_info_reader *r = ((struct seq_file *)file->private_data)->private;

	single_release(inode, file);
	axas_put(r->as);
	kfree(r);
	return 0;
}

static const struct file_operations axas_info_fops = {
	.owner		= THIS_MODULE,
	.open		= axas_info_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= axas_info_release,
};

/**
 * axas_debugfs_space_add() - the debugfs directory of a new space fd
 * @as: the space
 * @fd: its fd number in the creating process, not installed yet
 *
 * Named <pid>-<fd> after the creating process. A name still taken (the fd
 * number of a space whose file outlived its fd) leaves the space without
 * a directory, as KVM's VMs.
 */
void axas_debugfs_space_add(struct axas *as, int fd)
{
	char name[24];

	if (IS_ERR_OR_NULL(axas_debugfs_root))
		return;
	snprintf(name, sizeof(name), "%d-%d", task_tgid_nr(current), fd);
	as->debugfs = debugfs_create_dir(name, axas_debugfs_root);
	debugfs_create_file("info", 0444, as->debugfs, as, &axas_info_fops);
}

/**
 * axas_debugfs_space_remove() - remove the debugfs directory of a space
 * @as: the space, still referenced by the caller
 *
 * Returns when no reader is inside the directory's file operations; open
 * info files keep their own reference.
 */
void axas_debugfs_space_remove(struct axas *as)
{
	debugfs_remove_recursive(as->debugfs);
	as->debugfs = NULL;
}

/**
 * axas_debugfs_init() - create axaddrspace/ in debugfs, at module load
 *
 * Failure (no debugfs) is not an error: the module works without it.
 */
void axas_debugfs_init(void)
{
	axas_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("summary", 0444, axas_debugfs_root, NULL,
			    &axas_summary_fops);
}

/**
 * axas_debugfs_exit() - remove axaddrspace/ from debugfs, at module unload
 */
void axas_debugfs_exit(void)
{
	debugfs_remove_recursive(axas_debugfs_root);
	axas_debugfs_root = NULL;
}
