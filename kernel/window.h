/*
 * window.h - the kernel world's safety rule: trace memory lives in an
 * address window [lo, hi) that holds none of the worker's own mappings,
 * and an op may run only when it cannot map, unmap or change anything
 * outside it (kworld.c asks before every op).
 *
 * An op may run when every range it acts on lies, in whole pages, inside
 * the window, or when the kernel is sure to refuse or ignore the range
 * before it looks at any mapping (an unaligned address, an empty range, a
 * range where no process can map, a length it checks against TASK_SIZE
 * first).  A move the kernel places itself (mremap without MREMAP_FIXED)
 * takes only free space, wherever that is.
 */
#ifndef RMAP_KERNEL_WINDOW_H
#define RMAP_KERNEL_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/op.h"

struct kwindow {
	uint64_t lo, hi;      /* page-aligned, lo < hi */
	uint64_t user_top;    /* the host's TASK_SIZE (kwindow_user_top) */
};

/*
 * The host's TASK_SIZE_MAX (arch/x86/include/asm/page_64_types.h): one page
 * below 2^47, or below 2^56 when the CPU has LA57 (5-level paging is then
 * assumed: a higher top only makes more ops skip).
 */
uint64_t kwindow_user_top(void);

/* May OP (mmap, munmap, mprotect, madvise, mremap) run on the host? */
bool kwindow_op_ok(const struct kwindow *w, const struct op *op);

/* Is ADDR (a load or store) inside the window? */
bool kwindow_has(const struct kwindow *w, uint64_t addr);

/*
 * Why the kernel world does not run OP (kworld_apply skips it, "-> skip"),
 * or NULL when it does: an allocation failure on demand (fail-nth), an op
 * the host has no call for (migrate, pageout, age), or, for the range ops,
 * a range kwindow_op_ok refuses.  A trace whose every op runs is
 * kernel-checked (tests/trace_marks_test.sh, kernel/runnable_main.c).
 */
const char *kwindow_op_skip(const struct kwindow *w, const struct op *op);
/* ... the part that does not depend on where OP acts (kworld_apply asks it first) */
const char *kwindow_host_cannot(const struct op *op);

#endif /* RMAP_KERNEL_WINDOW_H */
