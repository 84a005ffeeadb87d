// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the memory fds (src/memfile.c) as the space side sees them
 * through memfile.h: creation, folios made on demand, the 2 MiB order, and
 * the punch-hole's protocol with its bindings and the fault sequence.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rwsem.h>
#include <linux/axaddrspace.h>

#include "src/compat.h"
#include "src/memfile.h"

#define K4	0x1000ULL
#define M2	0x200000ULL

/* A mapper that records what the file asks of it. */
struct tbind {
	struct axas_mem_binding b;
	struct file *file;
	unsigned long seq;	/* a fault's axas_memfile_inval_begin() */
	int calls;
	pgoff_t start, end;
	bool retry;		/* axas_memfile_inval_retry(seq) in the call */
	bool locked;		/* the invalidate lock held for writing */
};

static void tbind_invalidate(struct axas_mem_binding *b, pgoff_t start,
			     pgoff_t end)
{
	struct tbind *t = container_of(b, struct tbind, b);

	t->calls++;
	t->start = start;
	t->end = end;
	t->retry = axas_memfile_inval_retry(t->file, t->seq);
	/* Held for writing: a reader's trylock fails. */
	t->locked = !down_read_trylock(&t->file->f_mapping->invalidate_lock);
	if (!t->locked)
		up_read(&t->file->f_mapping->invalidate_lock);
}

static const struct axas_mem_binding_ops tbind_ops = {
	.invalidate = tbind_invalidate,
};

static void tbind_init(struct tbind *t, struct file *file)
{
	memset(t, 0, sizeof(*t));
	t->b.ops = &tbind_ops;
	t->file = file;
	axas_memfile_bind(file, &t->b);
}

static struct file *tfile(struct kunit *test, u64 size, u32 flags)
{
	struct file *file = axas_memfile_create(size, flags);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "create: %ld", PTR_ERR(file));
	return file;
}

/* Whether the page cache holds a folio at @index. */
static bool tcached(struct file *file, pgoff_t index)
{
	struct folio *folio = axas_filemap_find(file->f_mapping, index, false);

	if (!folio)
		return false;
	folio_put(folio);
	return true;
}

/* Every byte of page @index of @folio is @c. */
static bool tfilled(struct folio *folio, pgoff_t index, u8 c)
{
	u8 *p = kmap_local_page(folio_file_page(folio, index));
	bool ok = !memchr_inv(p, c, PAGE_SIZE);

	kunmap_local(p);
	return ok;
}

static void tfill(struct folio *folio, pgoff_t index, u8 c)
{
	u8 *p = kmap_local_page(folio_file_page(folio, index));

	memset(p, c, PAGE_SIZE);
	kunmap_local(p);
}

static void memfile_create_errors_test(struct kunit *test)
{
	static const u64 bad_sizes[] = { 0, 1, K4 - 1, K4 + 1, M2 + 512,
					 (u64)MAX_LFS_FILESIZE + 1, ~0ULL };
	struct file *file;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++)
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(axas_memfile_create(bad_sizes[i], 0)),
				    -EINVAL, "size %#llx", bad_sizes[i]);
	KUNIT_EXPECT_EQ(test, PTR_ERR(axas_memfile_create(K4, 1U << 1)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(axas_memfile_create(K4, 1U << 31)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(axas_memfile_create(K4, ~0U)), -EINVAL);

	file = tfile(test, 3 * K4, AXAS_MEMORY_HUGE);
	KUNIT_EXPECT_TRUE(test, axas_is_memfile(file));
	KUNIT_EXPECT_EQ(test, axas_memfile_size(file), 3 * K4);
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(file)), 3 * K4);
	KUNIT_EXPECT_TRUE(test, (file->f_mode & (FMODE_READ | FMODE_WRITE)) ==
			  (FMODE_READ | FMODE_WRITE));
	fput(file);
}

static void memfile_get_folio_test(struct kunit *test)
{
	struct file *file = tfile(test, 4 * K4, 0);
	struct folio *folio, *again;

	KUNIT_EXPECT_FALSE(test, tcached(file, 2));
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 2, &folio), 0);
	KUNIT_EXPECT_EQ(test, folio_order(folio), 0U);
	KUNIT_EXPECT_EQ(test, folio->index, 2UL);
	KUNIT_EXPECT_TRUE(test, folio_test_uptodate(folio));
	KUNIT_EXPECT_FALSE(test, folio_test_locked(folio));
	KUNIT_EXPECT_TRUE(test, tfilled(folio, 2, 0));
	KUNIT_EXPECT_TRUE(test, tcached(file, 2));
	/* Only that page was made. */
	KUNIT_EXPECT_FALSE(test, tcached(file, 1));
	KUNIT_EXPECT_FALSE(test, tcached(file, 3));
	/* The same folio the next time, with what was written to it. */
	tfill(folio, 2, 0x5a);
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 2, &again), 0);
	KUNIT_EXPECT_PTR_EQ(test, again, folio);
	KUNIT_EXPECT_TRUE(test, tfilled(again, 2, 0x5a));
	folio_put(again);
	folio_put(folio);

	/* Beyond the size: nothing made. */
	KUNIT_EXPECT_EQ(test, axas_memfile_get_folio(file, 4, &folio), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_memfile_get_folio(file, ULONG_MAX, &folio),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, tcached(file, 4));
	fput(file);
}

/* The order of the folio made at @index. */
static unsigned int torder(struct kunit *test, struct file *file, pgoff_t index)
{
	struct folio *folio;
	unsigned int order;

	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, index, &folio), 0);
	order = folio_order(folio);
	KUNIT_EXPECT_TRUE(test, tfilled(folio, index, 0));
	KUNIT_EXPECT_EQ(test, folio->index, ALIGN_DOWN(index, 1UL << order));
	folio_put(folio);
	return order;
}

static void memfile_huge_test(struct kunit *test)
{
	/* 4 MiB and 12 KiB: two aligned 2 MiB ranges, then a short tail. */
	struct file *huge = tfile(test, 2 * M2 + 3 * K4, AXAS_MEMORY_HUGE);
	struct file *small = tfile(test, 2 * M2, 0);
	unsigned int want = IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) ? 9 : 0;
	struct folio *folio;

	KUNIT_EXPECT_EQ(test, torder(test, huge, 5), want);
	KUNIT_EXPECT_EQ(test, torder(test, huge, 511), want);	/* the same */
	KUNIT_EXPECT_EQ(test, torder(test, huge, 512 + 100), want);
	/* The tail holds no 2 MiB. */
	KUNIT_EXPECT_EQ(test, torder(test, huge, 1024), 0U);
	KUNIT_EXPECT_EQ(test, torder(test, huge, 1026), 0U);
	KUNIT_EXPECT_EQ(test, axas_memfile_get_folio(huge, 1027, &folio), -EINVAL);
	/* Without the flag: 4 KiB everywhere. */
	KUNIT_EXPECT_EQ(test, torder(test, small, 0), 0U);
	KUNIT_EXPECT_EQ(test, torder(test, small, 700), 0U);
	fput(small);
	fput(huge);
}

/* Pages [0, n) made and written with their number + 1. */
static void tpopulate(struct kunit *test, struct file *file, pgoff_t n)
{
	struct folio *folio;
	pgoff_t i;

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, i, &folio), 0);
		tfill(folio, i, i + 1);
		folio_put(folio);
	}
}

static void memfile_punch_test(struct kunit *test)
{
	struct file *file = tfile(test, 8 * K4, 0);
	struct tbind a, b;
	struct folio *folio;

	tpopulate(test, file, 8);
	tbind_init(&a, file);
	tbind_init(&b, file);

	/* Refused: nothing invalidated, nothing freed. */
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 1, K4), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, K4, K4 + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, K4, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 7 * K4, 2 * K4), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 9 * K4, K4), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, K4, ~0ULL - 0xfff), -EINVAL);
	KUNIT_EXPECT_EQ(test, a.calls + b.calls, 0);
	KUNIT_EXPECT_TRUE(test, tcached(file, 0) && tcached(file, 7));

	/* Pages 2..4: each binding told once, under the lock. */
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 2 * K4, 3 * K4), 0);
	KUNIT_EXPECT_EQ(test, a.calls, 1);
	KUNIT_EXPECT_EQ(test, b.calls, 1);
	KUNIT_EXPECT_EQ(test, a.start, 2UL);
	KUNIT_EXPECT_EQ(test, a.end, 5UL);
	KUNIT_EXPECT_EQ(test, b.start, 2UL);
	KUNIT_EXPECT_EQ(test, b.end, 5UL);
	KUNIT_EXPECT_TRUE(test, a.locked);
	KUNIT_EXPECT_TRUE(test, b.locked);
	/* The range freed, its neighbours kept with their data. */
	KUNIT_EXPECT_TRUE(test, tcached(file, 1));
	KUNIT_EXPECT_FALSE(test, tcached(file, 2));
	KUNIT_EXPECT_FALSE(test, tcached(file, 3));
	KUNIT_EXPECT_FALSE(test, tcached(file, 4));
	KUNIT_EXPECT_TRUE(test, tcached(file, 5));
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 1, &folio), 0);
	KUNIT_EXPECT_TRUE(test, tfilled(folio, 1, 2));
	folio_put(folio);
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 5, &folio), 0);
	KUNIT_EXPECT_TRUE(test, tfilled(folio, 5, 6));
	folio_put(folio);
	/* A page of the hole comes back zeroed. */
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 3, &folio), 0);
	KUNIT_EXPECT_TRUE(test, tfilled(folio, 3, 0));
	folio_put(folio);

	/* The whole file. */
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, 8 * K4), 0);
	KUNIT_EXPECT_EQ(test, a.calls, 2);
	KUNIT_EXPECT_EQ(test, a.start, 0UL);
	KUNIT_EXPECT_EQ(test, a.end, 8UL);
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0UL);

	axas_memfile_unbind(file, &a.b);
	axas_memfile_unbind(file, &b.b);
	fput(file);
}

/* A 4 KiB punch in a 2 MiB folio: that page reads zeros, the rest is kept. */
static void memfile_punch_huge_test(struct kunit *test)
{
	struct file *file = tfile(test, M2, AXAS_MEMORY_HUGE);
	struct folio *folio;

	tpopulate(test, file, 4);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, K4, K4), 0);
	/* Split and freed, or zeroed where the split failed. */
	folio = axas_filemap_find(file->f_mapping, 1, false);
	if (folio) {
		KUNIT_EXPECT_TRUE(test, tfilled(folio, 1, 0));
		folio_put(folio);
	}
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 1, &folio), 0);
	KUNIT_EXPECT_TRUE(test, tfilled(folio, 1, 0));
	folio_put(folio);
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 0, &folio), 0);
	KUNIT_EXPECT_TRUE(test, tfilled(folio, 0, 1));
	folio_put(folio);
	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, 2, &folio), 0);
	KUNIT_EXPECT_TRUE(test, tfilled(folio, 2, 3));
	folio_put(folio);
	/* All of it: nothing left. */
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, M2), 0);
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0UL);
	fput(file);
}

/* The fault sequence: a fault that began before a punch-hole retries. */
static void memfile_retry_test(struct kunit *test)
{
	struct file *file = tfile(test, 4 * K4, 0);
	unsigned long seq, later;
	struct tbind a;

	tbind_init(&a, file);
	seq = axas_memfile_inval_begin(file);
	a.seq = seq;
	KUNIT_EXPECT_FALSE(test, axas_memfile_inval_retry(file, seq));
	/* Nothing to wait for. */
	axas_memfile_inval_wait(file);

	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, K4), 0);
	/* During the invalidation: the count. */
	KUNIT_EXPECT_EQ(test, a.calls, 1);
	KUNIT_EXPECT_TRUE(test, a.retry);
	/* After it: the sequence. */
	KUNIT_EXPECT_TRUE(test, axas_memfile_inval_retry(file, seq));
	later = axas_memfile_inval_begin(file);
	KUNIT_EXPECT_NE(test, later, seq);
	KUNIT_EXPECT_FALSE(test, axas_memfile_inval_retry(file, later));

	/* A refused punch changes nothing. */
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, 5 * K4), -EINVAL);
	KUNIT_EXPECT_FALSE(test, axas_memfile_inval_retry(file, later));

	/* A fault begun during the invalidation retries too. */
	a.seq = later;
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, K4, K4), 0);
	KUNIT_EXPECT_TRUE(test, a.retry);
	KUNIT_EXPECT_TRUE(test, axas_memfile_inval_retry(file, later));
	axas_memfile_unbind(file, &a.b);
	fput(file);
}

static void memfile_unbind_test(struct kunit *test)
{
	struct file *file = tfile(test, 4 * K4, 0);
	struct tbind a, b;

	tbind_init(&a, file);
	tbind_init(&b, file);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, K4), 0);
	KUNIT_EXPECT_EQ(test, a.calls, 1);
	KUNIT_EXPECT_EQ(test, b.calls, 1);

	axas_memfile_unbind(file, &a.b);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, 2 * K4), 0);
	KUNIT_EXPECT_EQ(test, a.calls, 1);
	KUNIT_EXPECT_EQ(test, b.calls, 2);
	KUNIT_EXPECT_EQ(test, b.end, 2UL);

	/* Bound again: told again. */
	axas_memfile_bind(file, &a.b);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, K4), 0);
	KUNIT_EXPECT_EQ(test, a.calls, 2);
	KUNIT_EXPECT_EQ(test, b.calls, 3);

	axas_memfile_unbind(file, &a.b);
	axas_memfile_unbind(file, &b.b);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(file, 0, K4), 0);
	KUNIT_EXPECT_EQ(test, a.calls, 2);
	KUNIT_EXPECT_EQ(test, b.calls, 3);
	fput(file);
}

static struct kunit_case memfile_cases[] = {
	KUNIT_CASE(memfile_create_errors_test),
	KUNIT_CASE(memfile_get_folio_test),
	KUNIT_CASE(memfile_huge_test),
	KUNIT_CASE(memfile_punch_test),
	KUNIT_CASE(memfile_punch_huge_test),
	KUNIT_CASE(memfile_retry_test),
	KUNIT_CASE(memfile_unbind_test),
	{}
};

static struct kunit_suite memfile_suite = {
	.name = "axaddrspace_memfile",
	.test_cases = memfile_cases,
};

kunit_test_suite(memfile_suite);
