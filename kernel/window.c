/*
 * window.c - the address-window rule of the kernel world (window.h).
 *
 * What each call checks before it looks at any mapping decides what may
 * run with a range outside the window (Linux 6.18):
 *   mmap     len > TASK_SIZE, addr > TASK_SIZE - len: -ENOMEM, before
 *            offset_in_page(addr) (__get_unmapped_area); off unaligned:
 *            -EINVAL first (x86 sys_mmap)
 *   munmap   unaligned, start > TASK_SIZE, len > TASK_SIZE - start: -EINVAL
 *            (do_vmi_munmap)
 *   mprotect unaligned: -EINVAL; end <= start: -ENOMEM; past TASK_SIZE it
 *            walks on up to the first hole
 *   madvise  unaligned, end < start: -EINVAL; past TASK_SIZE it walks on,
 *            across holes (madvise_walk_vmas)
 *   uffd-move unaligned, len 0, a range below mmap_min_addr or past
 *            TASK_SIZE: -EINVAL, for DST and SRC (validate_range)
 *   mremap   unaligned old or new address, new_len > TASK_SIZE,
 *            new_addr > TASK_SIZE - new_len: -EINVAL (check_mremap_params);
 *            growing in place past TASK_SIZE cannot happen (vma_expandable)
 */
#include <stdio.h>
#include <string.h>

#include "kernel/window.h"

#define PAGE 4096ULL

/* what a call checks before it looks at any mapping */
#define REFUSES_WRAP      0x1   /* a range that wraps past 2^64 */
#define REFUSES_PAST_TOP  0x2   /* a range that ends past TASK_SIZE */

/* read once per process: kworld_start and the kernel fuzz decoder ask per input */
uint64_t kwindow_user_top(void)
{
	static uint64_t top;
	FILE *f;
	char line[4096];
	bool la57 = false;

	if (top)
		return top;
	f = fopen("/proc/cpuinfo", "r");
	while (f && !la57 && fgets(line, sizeof(line), f))
		la57 = !strncmp(line, "flags", 5) && strstr(line, " la57");
	if (f)
		fclose(f);
	top = (la57 ? 1ULL << 56 : 1ULL << 47) - PAGE;
	return top;
}

bool kwindow_has(const struct kwindow *w, uint64_t addr)
{
	return addr >= w->lo && addr < w->hi;
}

/* May a call with REFUSES act on [addr, addr + len)?  See window.h. */
static bool range_ok(const struct kwindow *w, uint64_t addr, uint64_t len,
		     unsigned refuses)
{
	uint64_t end;

	if (len == 0 || (addr & (PAGE - 1)) || addr >= w->user_top)
		return true;
	if (__builtin_add_overflow(addr, len, &end) ||
	    __builtin_add_overflow(end, PAGE - 1, &end))
		return refuses & REFUSES_WRAP;
	end &= ~(PAGE - 1);
	if (end > w->user_top && (refuses & REFUSES_PAST_TOP))
		return true;
	return addr >= w->lo && end <= w->hi;
}

bool kwindow_op_ok(const struct kwindow *w, const struct op *op)
{
	const unsigned both = REFUSES_WRAP | REFUSES_PAST_TOP;

	switch (op->kind) {
	case OP_MMAP:
		return (op->off & (PAGE - 1)) ||
		       range_ok(w, op->addr, op->len, both);
	case OP_MUNMAP:
		return range_ok(w, op->addr, op->len, both);
	case OP_MPROTECT:
	case OP_MADVISE:
		return range_ok(w, op->addr, op->len, REFUSES_WRAP);
	case OP_UFFD_MOVE:
		/* userfaultfd's validate_range() refuses both before anything */
		return range_ok(w, op->addr, op->len, both) &&
		       range_ok(w, op->addr2, op->len, both);
	case OP_MREMAP:
		/* the old range may hold several VMAs (a 6.17+ move) */
		if (!range_ok(w, op->addr, op->len, 0))
			return false;
		if (op->flags & OPF_FIXED)
			return range_ok(w, op->addr2, op->newlen, both);
		/* growing in place: [addr, addr + newlen) */
		return range_ok(w, op->addr, op->newlen, both);
	default:
		return true;
	}
}

const char *kwindow_host_cannot(const struct op *op)
{
	/* the model's ENOMEM would be compared with a call that succeeds */
	if (op->fail_nth)
		return "the host kernel cannot fail an allocation on demand "
		       "(fail-nth)";
	/* the host runs each system call whole: no walker can be put inside */
	if (op->ilv_walker)
		return "the host kernel cannot interleave an rmap walker with an "
		       "operation (interleave)";
	switch (op->kind) {
	case OP_MIGRATE:
	case OP_PAGEOUT:
	case OP_AGE:
		return "the host kernel cannot run it (no simulated swap, "
		       "migration or aging)";
	default:
		return NULL;
	}
}

const char *kwindow_op_skip(const struct kwindow *w, const struct op *op)
{
	const char *why = kwindow_host_cannot(op);

	if (why)
		return why;
	if (!kwindow_op_ok(w, op))
		return "reaches outside the kernel runner's address window";
	return NULL;
}
