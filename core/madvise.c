/*
 * madvise.c - madvise(MADV_DONTNEED) (mm/madvise.c: madvise_walk_vmas,
 * madvise_dontneed_single_vma): the PTEs of the range go, the VMAs stay.
 *
 * It walks the VMAs of the range in order and, unlike mprotect, goes on
 * past holes, reporting -ENOMEM only at the end.
 */
#include <errno.h>

#include "core/pte_ops.h"
#include "core/syscalls.h"
#include "core/vma.h"

int do_madvise_dontneed(struct world *w, struct mm *mm, uint64_t start, uint64_t len_in)
{
	uint64_t len = PAGE_ALIGN(len_in), end, pos;
	bool hole = false;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	pos = start;
	while (pos < end) {
		struct vma *vma = vma_find(mm, pos, NULL);

		if (!vma || vma->start >= end) {
			hole = true;
			break;
		}
		if (vma->start > pos)
			hole = true;
		pos = vma->start > pos ? vma->start : pos;
		zap_vma_range(w, vma, pos, vma->end < end ? vma->end : end);
		pos = vma->end;
	}
	return hole ? -ENOMEM : 0;
}
