/*
 * huge_memory.h - PMD-mapped THP (issue 19; huge_memory.c): the 2 MiB
 * anonymous folio that a fault in a hugepage VMA maps with one PMD leaf,
 * and what Linux does to such a mapping in mm/huge_memory.c: fault, COW,
 * fork, zap, mprotect, split.  Every operation that meets a PMD leaf
 * either handles it whole (the range covers its 2 MiB) or splits it into
 * a PTE table first (__split_huge_pmd), as the kernel does.
 */
#ifndef RMAP_CORE_HUGE_MEMORY_H
#define RMAP_CORE_HUGE_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mm_types.h"

/*
 * The fault at ADDR of VMA, whose PMD slot is *PMD (none, or a leaf):
 * do_huge_pmd_anonymous_page() when the slot is none and a 2 MiB folio may
 * be had there, the leaf's own fault (young, dirty, do_huge_pmd_wp_page)
 * when it is a leaf.  -ENOENT: nothing huge here, the caller goes on at
 * PTE level (the fallback, also after a COW split).
 */
int huge_pmd_fault(struct world *w, struct vma *vma, uint64_t addr,
		   uint64_t *pmd, bool write);

/*
 * __split_huge_pmd() for the PMD leaf that maps ADDR in VMA, if there is
 * one: it becomes a PTE table mapping the same pages with the same bits;
 * the folio stays whole.  Never fails (the deposited table).
 */
void split_huge_pmd_address(struct world *w, struct vma *vma, uint64_t addr);

/*
 * split_huge_pmd_if_needed() of vma_adjust_trans_huge(): a VMA boundary
 * about to be made at ADDR inside a PMD leaf's 2 MiB splits it.
 */
void split_huge_pmd_if_needed(struct world *w, struct vma *vma,
			      uint64_t addr);

/* the leaves only partly inside [start, end) of VMA are split */
void split_huge_pmds_partial(struct world *w, struct vma *vma, uint64_t start,
			     uint64_t end);

/* every leaf in [start, end) of VMA is split (ops that work per page) */
void split_huge_pmds(struct world *w, struct vma *vma, uint64_t start,
		     uint64_t end);

/*
 * unmap_folio(TTU_SPLIT_HUGE_PMD): every PMD mapping of the folio of PFN,
 * found by an rmap walk, is split.
 */
void split_folio_pmds(struct world *w, pfn_t pfn);

/* zap_huge_pmd(): the leaf at HADDR of VMA goes; the folio may with it */
void zap_huge_pmd(struct world *w, struct vma *vma, uint64_t haddr,
		  uint64_t *pmd);

/*
 * copy_huge_pmd(): fork's copy of the parent's leaf *SPMD at HADDR into
 * DST (the child's VMA): both write-protected, the folio shared (no page
 * exclusive).  0 or -ENOMEM (the child's tables, the backend's entry).
 */
int copy_huge_pmd(struct world *w, struct vma *dst, struct vma *src,
		  uint64_t haddr, uint64_t *spmd);

/*
 * move_huge_pmd() (mremap): the leaf at OLD_ADDR of OVMA moves to NEW_ADDR
 * of NVMA, both 2 MiB aligned.  0, or -ENOMEM (a table at the new place).
 * RMAP_LOCKED: move_page_tables() holds the rmap locks around it
 * (need_rmap_locks); SRC_FIRST: an rmap walk visits OVMA before NVMA (the
 * yield point mremap_move_pmd's lock model, interleave.h).
 */
int move_huge_pmd(struct world *w, struct vma *ovma, uint64_t old_addr,
		  struct vma *nvma, uint64_t new_addr, bool rmap_locked,
		  bool src_first);

#endif /* RMAP_CORE_HUGE_MEMORY_H */
