/*
 * khugepaged_file.h - MADV_COLLAPSE of a tmpfs range (khugepaged_file.c):
 * collapse_file() into a new 2 MiB page-cache folio, retract_page_tables()
 * in the other mms, collapse_pte_mapped_thp() in the caller's; and the
 * model's limit: a tmpfs THP lives only until the next op.
 */
#ifndef RMAP_CORE_KHUGEPAGED_FILE_H
#define RMAP_CORE_KHUGEPAGED_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/khugepaged.h"
#include "core/mm_types.h"

/*
 * The aligned 2 MiB at HADDR of file VMA (its offset aligned with its
 * address, as madvise_collapse checked): hpage_collapse_scan_file(), and
 * on SCAN_PTE_MAPPED_HUGEPAGE collapse_pte_mapped_thp(install_pmd): the
 * result madvise_collapse() goes on with.  A range past i_size is not
 * modelled (world.unmodelled, SCAN_FAIL).
 */
enum scan_result collapse_file_range(struct world *w, struct vma *vma,
				     uint64_t haddr);

/*
 * Another task's collapse of the tmpfs range around page PFN (the
 * interleave walker "collapse", core/interleave_run.c): khugepaged's
 * hpage_collapse_scan_file() -> collapse_file() -> retract_page_tables(),
 * with no mm of its own to map the new folio in.  0 when the range is a
 * PMD-order folio now (new or found), else the errno MADV_COLLAPSE would
 * give by madvise_collapse_errno() (-EINVAL: not a tmpfs page, past
 * i_size, a large folio in the way; -EAGAIN: a mapping left; -ENOMEM,
 * -EBUSY as for MADV_COLLAPSE).
 */
int collapse_file_of_page(struct world *w, pfn_t pfn);
/*
 * Does collapse_file_of_page(PFN) walk PFN's rmap (try_to_unmap() in
 * collapse_file()): a small tmpfs page inside i_size, no large folio in
 * its range?  The oracle checks the walk of the walker's moment only then.
 */
bool collapse_file_walks(const struct world *w, pfn_t pfn);

/*
 * At the start of the op after a collapse: every tmpfs THP is split back
 * into small pages, its mappings zapped first (a file PMD's split), and
 * the op marked not modelled (world.unmodelled), so the kernel comparison
 * stops before it.  Only while world.file_thps.
 */
void file_thps_split(struct world *w);

/*
 * Does retract_page_tables() free VMA's PTE table for the file range from
 * index START (its address there 2 MiB aligned, inside the VMA, no
 * anon_vma)?  *ADDR: that address, either way.  The collapse walker's
 * lock rule (core/interleave_run.c retract_meets) asks the same.
 */
bool retract_addr(const struct vma *vma, uint64_t start, uint64_t *addr);

#endif /* RMAP_CORE_KHUGEPAGED_FILE_H */
