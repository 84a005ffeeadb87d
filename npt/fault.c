// SPDX-License-Identifier: GPL-2.0
/*
 * The fault path: probe a page, then install one 4 KiB leaf with the
 * tables it lacks, built unlinked and linked with one compare-and-exchange
 * so that faults may race under a shared lock. Calls down into the walker
 * and table pages only; map.c uses npt_install_page() for one-page maps.
 */
#include <kunit/visibility.h>
#include <linux/module.h>

#include "npt/npt_priv.h"

/* Tables map_page() builds below an empty entry; tables[i] is at level i. */
struct npt_chain {
	u64 *tables[AXAS_NPT_MAX_LEVELS - 1];
	unsigned int nr;
};

/*
 * Fill tables for levels @level - 1 .. 0 on the path of @gpa, each pointing
 * to the next and the last holding the leaf *@pte; return in *@pte the
 * entry that links them all in one store.
 */
static int npt_chain_build(struct axas_npt *npt, struct npt_chain *chain,
			   u64 gpa, unsigned int level, u64 *pte)
{
	const struct axas_npt_fmt *fmt = npt->cfg.fmt;
	unsigned int i;
	u64 *table;

	while (chain->nr < level) {
		table = npt_table_alloc(npt, 0);
		if (!table)
			return -ENOMEM;
		chain->tables[chain->nr++] = table;
	}
	for (i = 0; i < level; i++) {
		table = chain->tables[i];
		table[axas_npt_index(fmt, gpa, i)] = *pte;
		atomic_long_set(npt_live(table), 1);
		*pte = axas_npt_mk_table(fmt, npt_pa(npt, table));
	}
	return 0;
}

/* Lost the race: empty the chain's tables again for the next attempt. */
static void npt_chain_reset(struct axas_npt *npt, struct npt_chain *chain,
			    u64 gpa, unsigned int level)
{
	unsigned int i;

	for (i = 0; i < level; i++) {
		chain->tables[i][axas_npt_index(npt->cfg.fmt, gpa, i)] = 0;
		atomic_long_set(npt_live(chain->tables[i]), 0);
	}
}

static void npt_chain_free(struct axas_npt *npt, struct npt_chain *chain,
			   unsigned int used)
{
	while (chain->nr > used)
		npt_table_free(npt, chain->tables[--chain->nr], 0);
}

/*
 * Where the install starts: the entry axas_npt_probe() found, if it is still
 * empty (the table holding it stays linked while the caller holds the lock),
 * else a descent from the root.
 */
static u64 *npt_install_start(struct axas_npt *npt, u64 gpa,
			      const struct axas_npt_slot *slot,
			      unsigned int *level, u64 *old)
{
	if (slot) {
		*level = slot->level;
		*old = READ_ONCE(*slot->ptep);
		if (!*old)
			return slot->ptep;
	}
	return npt_descend(npt, gpa, level, old);
}

/**
 * npt_install_page() - install one 4 KiB leaf, building missing tables
 * @npt: the table
 * @gpa: its address, checked
 * @leaf: the leaf entry
 * @slot: the empty entry axas_npt_probe() found for @gpa, or NULL
 *
 * Safe against concurrent installs: the missing tables are built as a
 * chain and linked with one compare-and-exchange. Allocates before it
 * changes anything.
 *
 * Return: 0, -EEXIST or -ENOMEM.
 */
int npt_install_page(struct axas_npt *npt, u64 gpa, u64 leaf,
		     const struct axas_npt_slot *slot)
{
	struct npt_chain chain = { .nr = 0 };
	unsigned int level, used = 0;
	u64 *ptep, old, pte;
	int ret;

	for (;; slot = NULL) {
		ptep = npt_install_start(npt, gpa, slot, &level, &old);
		if (old) {
			ret = -EEXIST;
			break;
		}
		pte = leaf;
		ret = npt_chain_build(npt, &chain, gpa, level, &pte);
		if (ret)
			break;
		if (try_cmpxchg64(ptep, &old, pte)) {
			npt_get(ptep);
			used = level;
			if (used)
				atomic_long_add(used, &npt->table_pages);
			atomic64_add(AXAS_NPT_PAGE_SIZE, &npt->mapped_bytes);
			break;
		}
		npt_chain_reset(npt, &chain, gpa, level);
	}
	npt_chain_free(npt, &chain, used);
	return ret;
}

int axas_npt_map_page(struct axas_npt *npt, u64 gpa, u64 hpa, u32 flags)
{
	return axas_npt_map_page_at(npt, NULL, gpa, hpa, flags);
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_map_page);

int axas_npt_probe(struct axas_npt *npt, u64 gpa, struct axas_npt_slot *slot)
{
	u64 pte;

	npt_assert_held(npt);
	if (npt_check_range(npt, gpa, AXAS_NPT_PAGE_SIZE))
		return -EINVAL;
	slot->ptep = npt_descend(npt, gpa, &slot->level, &pte);
	return pte ? -EEXIST : 0;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_probe);

int axas_npt_map_page_at(struct axas_npt *npt, const struct axas_npt_slot *slot,
			 u64 gpa, u64 hpa, u32 flags)
{
	int ret;

	npt_assert_held(npt);
	ret = npt_check_map(npt, gpa, hpa, AXAS_NPT_PAGE_SIZE, flags);
	if (ret)
		return ret;
	return npt_install_page(npt, gpa,
				axas_npt_mk_leaf(npt->cfg.fmt, hpa, 0, flags), slot);
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_map_page_at);
