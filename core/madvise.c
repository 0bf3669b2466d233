/*
 * madvise.c - madvise (mm/madvise.c): MADV_DONTNEED
 * (madvise_dontneed_single_vma: the PTEs of the range go, the VMAs stay)
 * and the advices that decide what fork copies (madvise_vma_behavior:
 * MADV_DONTFORK / MADV_DOFORK set and clear VM_DONTCOPY, MADV_WIPEONFORK /
 * MADV_KEEPONFORK VM_WIPEONFORK; dup_mmap() in fork.c reads them), and
 * KSM's MADV_MERGEABLE / MADV_UNMERGEABLE (ksm_madvise, core/ksm.c).
 *
 * Both walk the VMAs of the range in order (madvise_walk_vmas) and, unlike
 * mprotect, go on past holes, reporting -ENOMEM only at the end; an error
 * of one VMA stops the walk at once, keeping the earlier VMAs' changes.
 */
#include <errno.h>

#include "core/khugepaged.h"
#include "core/ksm.h"
#include "core/op.h"
#include "core/pgtable.h"
#include "core/pte_ops.h"
#include "core/syscalls.h"
#include "core/vma.h"

typedef int (*madvise_visit_fn)(struct world *w, struct vma *vma,
				uint64_t start, uint64_t end, int advice);

/* madvise_walk_vmas + the argument checks of do_madvise before it */
static int madvise_walk_vmas(struct world *w, struct mm *mm, uint64_t start,
			     uint64_t len_in, madvise_visit_fn visit, int advice)
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
		uint64_t stop;
		int err;

		if (!vma || vma->start >= end) {
			hole = true;
			break;
		}
		if (vma->start > pos)
			hole = true;
		pos = vma->start > pos ? vma->start : pos;
		stop = vma->end < end ? vma->end : end;
		err = visit(w, vma, pos, stop, advice);
		if (err)
			return err;
		pos = stop;
	}
	return hole ? -ENOMEM : 0;
}

static int dontneed_one(struct world *w, struct vma *vma, uint64_t start,
			uint64_t end, int advice)
{
	(void)advice;
	zap_vma_range(w, vma, start, end);
	/* madvise_dontneed_single_vma: zap_details.reclaim_pt = true */
	pgtable_reclaim_pte(w, vma->mm, start < vma->start ? vma->start : start,
			    end > vma->end ? vma->end : end);
	return 0;
}

int do_madvise_dontneed(struct world *w, struct mm *mm, uint64_t start, uint64_t len_in)
{
	return madvise_walk_vmas(w, mm, start, len_in, dontneed_one, ADV_DONTNEED);
}

/*
 * madvise_vma_behavior for the fork advices, then madvise_update_vma: the
 * range is split off (vma_modify_flags), takes its new flags and merges with
 * its neighbours again, as mprotect_fixup does.  VM_DONTCOPY and
 * VM_WIPEONFORK are not in VM_IGNORE_MERGE: VMAs that differ in them do not
 * merge.
 */
static int fork_advice_one(struct world *w, struct vma *vma, uint64_t start,
			   uint64_t end, int advice)
{
	struct mm *mm = vma->mm;
	uint32_t newflags = vma->flags;
	int err;

	switch (advice) {
	case ADV_DONTFORK:
		newflags |= VM_DONTCOPY;
		break;
	case ADV_DOFORK:        /* VM_IO, refused there, is never modelled */
		newflags &= ~(uint32_t)VM_DONTCOPY;
		break;
	case ADV_WIPEONFORK:    /* private anonymous memory only */
		if (vma->mapping || (vma->flags & VM_SHARED))
			return -EINVAL;
		newflags |= VM_WIPEONFORK;
		break;
	case ADV_HUGEPAGE:      /* hugepage_madvise() (mm/khugepaged.c) */
		newflags = (newflags & ~(uint32_t)VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case ADV_NOHUGEPAGE:
		newflags = (newflags & ~(uint32_t)VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	case ADV_MERGEABLE:     /* ksm_madvise() (mm/ksm.c) */
	case ADV_UNMERGEABLE:
		err = ksm_madvise(w, vma, start, end, advice, &newflags);
		if (err)
			return err;
		break;
	default:                /* ADV_KEEPONFORK; VM_DROPPABLE is not modelled */
		newflags &= ~(uint32_t)VM_WIPEONFORK;
		break;
	}
	if (newflags == vma->flags)
		return 0;
	err = vma_modify_flags(w, mm, start, end, newflags, &vma);
	if (err)
		return err;
	vma_merge_neighbours(w, vma);
	return 0;
}

int do_madvise_fork(struct world *w, struct mm *mm, uint64_t start, uint64_t len_in,
		    int advice)
{
	return madvise_walk_vmas(w, mm, start, len_in, fork_advice_one, advice);
}

static int collapse_one(struct world *w, struct vma *vma, uint64_t start,
			uint64_t end, int advice)
{
	(void)advice;
	return madvise_collapse(w, vma, start, end);
}

/* MADV_COLLAPSE: madvise_walk_vmas -> madvise_collapse (khugepaged.c) */
int do_madvise_collapse(struct world *w, struct mm *mm, uint64_t start,
			uint64_t len_in)
{
	return madvise_walk_vmas(w, mm, start, len_in, collapse_one,
				 ADV_COLLAPSE);
}
