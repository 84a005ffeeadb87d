/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The formats as the tests know them, from formats.rst and userspace-api.rst
 * and independent of npt/: the one table every parameterised suite
 * iterates, engine and space suites alike (defined in npt_util.c).
 */
#ifndef _AXAS_KUNIT_FORMATS_H
#define _AXAS_KUNIT_FORMATS_H

#include <linux/types.h>

#define NPT_T_FORMATS	9

enum npt_family {
	NPT_T_EPT,
	NPT_T_ARM,
	NPT_T_RISCV,
	NPT_T_NPT,
};

/* One golden leaf: Documentation/formats.rst, worked out by hand. */
struct npt_golden {
	u64 hpa;
	unsigned int level;
	u32 flags;
	u64 pte;
};

#define NPT_T_GOLDEN	5

/**
 * struct npt_tcase - a format as the tests know it, from formats.rst/userspace-api.rst
 * @id: AXAS_FMT_* number
 * @name: for the parameter description
 * @family: which table of formats.rst
 * @levels: table levels
 * @root_pages: 4 KiB pages of the root
 * @gpa_bits: input address bits
 * @pa_bits: output address bits
 * @hw_ctl: expected hw_ctl
 * @eptp_low: EPT: bits ORed into the root address to make the EPTP
 * @hgatp_mode: RISC-V: hgatp.MODE
 * @table_low: the non-address bits of a table entry
 * @golden: leaves with their exact entries
 */
struct npt_tcase {
	u32 id;
	const char *name;
	enum npt_family family;
	unsigned int levels;
	unsigned int root_pages;
	unsigned int gpa_bits;
	unsigned int pa_bits;
	u64 hw_ctl;
	u64 eptp_low;
	u64 hgatp_mode;
	u64 table_low;
	struct npt_golden golden[NPT_T_GOLDEN];
};

extern const struct npt_tcase npt_tcases[NPT_T_FORMATS];
void npt_tcase_desc(const struct npt_tcase *tc, char *desc);

/* The hardware root value (EPTP, VTTBR_EL2, hgatp) for a root at @root. */
u64 npt_tcase_hw_root(const struct npt_tcase *tc, u64 root);

/* Flags as a format represents them (formats.rst). */
u32 npt_t_canon(const struct npt_tcase *tc, u32 flags);

/* Whether the format accepts AXAS_EXEC without AXAS_READ on this host. */
bool npt_t_exec_only(const struct npt_tcase *tc);

/* @flags, with AXAS_READ added to an execute-only request the format refuses. */
u32 npt_t_flags(const struct npt_tcase *tc, u32 flags);

#endif /* _AXAS_KUNIT_FORMATS_H */
