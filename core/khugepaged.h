/*
 * khugepaged.h - MADV_COLLAPSE (khugepaged.c): collapse the aligned
 * 2 MiB ranges of [start, end) of VMA into PMD-mapped THPs, as
 * madvise_collapse() does.  0, or -EINVAL / -ENOMEM / -EBUSY by
 * madvise_collapse_errno().
 */
#ifndef RMAP_CORE_KHUGEPAGED_H
#define RMAP_CORE_KHUGEPAGED_H

#include <stdint.h>

#include "core/mm_types.h"

int madvise_collapse(struct world *w, struct vma *vma, uint64_t start,
		     uint64_t end);

#endif /* RMAP_CORE_KHUGEPAGED_H */
