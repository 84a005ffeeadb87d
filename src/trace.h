/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of axaddrspace: one event per change of a space and per
 * nested page fault, each naming the space by its id (struct axas.id, the
 * axas-id of fdinfo). Compiled in with CONFIG_TRACEPOINTS; a static key
 * each, so that a disabled event costs a patched-out jump.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM axaddrspace

#if !defined(_AXAS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _AXAS_TRACE_H

#include <linux/tracepoint.h>

#include "space.h"

#define axas_show_backend(b)					\
	__print_symbolic(b, { AXAS_BACKEND_LINEAR, "linear" },	\
			 { AXAS_BACKEND_ALLOC, "alloc" })

TRACE_EVENT(axas_space_create,
	    TP_PROTO(const struct axas *as, u32 format),
	    TP_ARGS(as, format),
	TP_STRUCT__entry(__field(u64, id)
			 __field(u64, base)
			 __field(u64, size)
			 __field(u32, format)),
	TP_fast_assign(__entry->id = as->id;
		       __entry->base = as->base;
		       __entry->size = as->size;
		       __entry->format = format;),
	TP_printk("id=%llu base=%#llx size=%#llx format=%u", __entry->id,
		  __entry->base, __entry->size, __entry->format)
);

TRACE_EVENT(axas_space_destroy,
	    TP_PROTO(const struct axas *as),
	    TP_ARGS(as),
	TP_STRUCT__entry(__field(u64, id)),
	TP_fast_assign(__entry->id = as->id;),
	TP_printk("id=%llu", __entry->id)
);

TRACE_EVENT(axas_map,
	    TP_PROTO(const struct axas *as, u32 backend, u64 gpa, u64 size,
		     u32 flags, int ret),
	    TP_ARGS(as, backend, gpa, size, flags, ret),
	TP_STRUCT__entry(__field(u64, id)
			 __field(u64, gpa)
			 __field(u64, size)
			 __field(u32, backend)
			 __field(u32, flags)
			 __field(int, ret)),
	TP_fast_assign(__entry->id = as->id;
		       __entry->gpa = gpa;
		       __entry->size = size;
		       __entry->backend = backend;
		       __entry->flags = flags;
		       __entry->ret = ret;),
	TP_printk("id=%llu %s gpa=%#llx size=%#llx flags=%#x ret=%d",
		  __entry->id, axas_show_backend(__entry->backend),
		  __entry->gpa, __entry->size, __entry->flags, __entry->ret)
);

TRACE_EVENT(axas_unmap,
	    TP_PROTO(const struct axas *as, u64 gpa, u64 size, int ret),
	    TP_ARGS(as, gpa, size, ret),
	TP_STRUCT__entry(__field(u64, id)
			 __field(u64, gpa)
			 __field(u64, size)
			 __field(int, ret)),
	TP_fast_assign(__entry->id = as->id;
		       __entry->gpa = gpa;
		       __entry->size = size;
		       __entry->ret = ret;),
	TP_printk("id=%llu gpa=%#llx size=%#llx ret=%d", __entry->id,
		  __entry->gpa, __entry->size, __entry->ret)
);

TRACE_EVENT(axas_protect,
	    TP_PROTO(const struct axas *as, u64 gpa, u64 size, u32 flags, int ret),
	    TP_ARGS(as, gpa, size, flags, ret),
	TP_STRUCT__entry(__field(u64, id)
			 __field(u64, gpa)
			 __field(u64, size)
			 __field(u32, flags)
			 __field(int, ret)),
	TP_fast_assign(__entry->id = as->id;
		       __entry->gpa = gpa;
		       __entry->size = size;
		       __entry->flags = flags;
		       __entry->ret = ret;),
	TP_printk("id=%llu gpa=%#llx size=%#llx flags=%#x ret=%d",
		  __entry->id, __entry->gpa, __entry->size, __entry->flags,
		  __entry->ret)
);

TRACE_EVENT(axas_fault,
	    TP_PROTO(const struct axas *as, u64 gpa, u32 access, int ret,
		     bool handled, bool new_frame),
	    TP_ARGS(as, gpa, access, ret, handled, new_frame),
	TP_STRUCT__entry(__field(u64, id)
			 __field(u64, gpa)
			 __field(u32, access)
			 __field(int, ret)
			 __field(bool, handled)
			 __field(bool, new_frame)),
	TP_fast_assign(__entry->id = as->id;
		       __entry->gpa = gpa;
		       __entry->access = access;
		       __entry->ret = ret;
		       __entry->handled = handled;
		       __entry->new_frame = new_frame;),
	TP_printk("id=%llu gpa=%#llx access=%#x ret=%d handled=%d new_frame=%d",
		  __entry->id, __entry->gpa, __entry->access, __entry->ret,
		  __entry->handled, __entry->new_frame)
);

TRACE_EVENT(axas_flush,
	    TP_PROTO(const struct axas *as, u64 gpa, u64 size),
	    TP_ARGS(as, gpa, size),
	TP_STRUCT__entry(__field(u64, id)
			 __field(u64, gpa)
			 __field(u64, size)),
	TP_fast_assign(__entry->id = as->id;
		       __entry->gpa = gpa;
		       __entry->size = size;),
	TP_printk("id=%llu gpa=%#llx size=%#llx", __entry->id, __entry->gpa,
		  __entry->size)
);

#endif /* _AXAS_TRACE_H */

/* Out of tree: found through the -I of the module's root (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH src
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
