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

/* mm/khugepaged.c's, the ones the model reaches */
enum scan_result {
	SCAN_FAIL,
	SCAN_SUCCEED,
	SCAN_PMD_NULL,
	SCAN_PMD_NONE,
	SCAN_PMD_MAPPED,
	SCAN_EXCEED_NONE_PTE,
	SCAN_PTE_NON_PRESENT,
	SCAN_PTE_MAPPED_HUGEPAGE,
	SCAN_PAGE_NULL,
	SCAN_PAGE_COUNT,
	SCAN_PAGE_ANON,
	SCAN_PAGE_COMPOUND,
	SCAN_VMA_CHECK,
	SCAN_ALLOC_HUGE_PAGE_FAIL,
	SCAN_TRUNCATED,
};

int madvise_collapse(struct world *w, struct vma *vma, uint64_t start,
		     uint64_t end);

/* madvise_collapse_errno(): the errno MADV_COLLAPSE gives for result R */
int madvise_collapse_errno(enum scan_result r);

#endif /* RMAP_CORE_KHUGEPAGED_H */
