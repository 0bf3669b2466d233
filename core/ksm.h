/*
 * ksm.h - Kernel Samepage Merging (mm/ksm.c), issue 20: the one place where
 * Linux gives the linearity formula up.  A KSM page merges identical
 * anonymous pages of unrelated processes at unrelated addresses; its
 * mapping is a stable node, and each rmap_item of the node names one
 * (mm, address) that maps it, so rmap_walk_ksm() needs no formula.
 *
 *	stable node (one per content)          rmap_items (one per mapping)
 *	  kpfn -> the KSM page  --hlist-->  (p0, 0x10000000, anon_vma A)
 *	  content                           (p1, 0x20005000, anon_vma B)
 *
 * The structures are public for oracle/ (its KSM rules); only ksm.c
 * changes them.
 */
#ifndef RMAP_CORE_KSM_H
#define RMAP_CORE_KSM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mm_types.h"

struct rmap_walk_control;

/*
 * struct ksm_rmap_item: one scanned address of one mm (its rmap_list, by
 * address).  Stable when head is set: (mm, address) then maps head's page,
 * and anon_vma is the VMA's there (rmap_walk_ksm looks the VMA up in its
 * interval tree).  Otherwise it carries the checksum of the last scan and
 * whether it is in this pass's unstable tree.
 */
struct ksm_rmap_item {
	struct ksm_rmap_item *rmap_list;  /* next in the mm's list, by address */
	struct mm *mm;
	uint64_t address;
	struct anon_vma *anon_vma;        /* stable: vma->anon_vma when merged */
	struct ksm_stable_node *head;     /* stable: its node, else NULL */
	struct ksm_rmap_item *hlist;      /* stable: next rmap_item of head */
	uint64_t oldchecksum;             /* the content seen last pass ... */
	bool has_checksum;                /* ... if any */
	bool unstable;                    /* in this pass's unstable tree */
};

/* struct ksm_stable_node: the mapping of one KSM page */
struct ksm_stable_node {
	pfn_t kpfn;                       /* the KSM page */
	uint64_t content;                 /* what it holds (the tree's key) */
	struct ksm_rmap_item *hlist;      /* its rmap_items, newest first */
	int32_t rmap_hlist_len;
	struct ksm_stable_node *next;     /* world->ksm_stable */
};

/* folio_test_ksm */
static inline bool page_is_ksm(const struct page *page)
{
	return page->kind == PAGE_ANON && (page->flags & PG_KSM);
}

/*
 * ksm_madvise(): MADV_MERGEABLE (ADV_MERGEABLE) sets VM_MERGEABLE in
 * *newflags where the VMA is compatible (__ksm_enter at the mm's first);
 * MADV_UNMERGEABLE unmerges [start, end) first (unmerge_ksm_pages), then
 * clears it.  0 or -ENOMEM (a copy that could not be made).
 */
int ksm_madvise(struct world *w, struct vma *vma, uint64_t start,
		uint64_t end, int advice, uint32_t *newflags);
/* unmerge_ksm_pages: break_ksm() on every KSM page mapped in [start, end) */
int ksm_unmerge_range(struct world *w, struct vma *vma, uint64_t start,
		      uint64_t end);
/* does [start, end) of VMA map a KSM page? (allocates nothing) */
bool ksm_range_maps_ksm(struct world *w, struct vma *vma, uint64_t start,
			uint64_t end);
/* ksm_fork(): a child of an mm in KSM's list enters it too */
void ksm_fork(struct world *w, struct mm *child, const struct mm *parent);
/*
 * fork copied a PTE of KSM page pfn from the parent's PARENT_MM to (vma,
 * addr): its rmap_item
 */
void ksm_fork_copy(struct world *w, pfn_t pfn, struct vma *vma, uint64_t addr,
		   const struct mm *parent_mm);
/*
 * mremap moved a PTE of KSM page pfn from (ovma, oaddr) to (nvma, naddr)
 * in a VMA that was not unmerged first (not VM_MERGEABLE: a fork child's
 * copy of a page merged in place): its rmap_item follows the PTE.
 */
void ksm_pte_moved(struct world *w, pfn_t pfn, struct vma *ovma,
		   uint64_t oaddr, struct vma *nvma, uint64_t naddr);
/* the PTE at (mm, addr) that mapped KSM page pfn is gone (pte_ops.c) */
void ksm_unmapped(struct world *w, pfn_t pfn, struct mm *mm, uint64_t addr);
/*
 * reuse_ksm_page() of Linux 5.1-5.7 (gone with 09854ba94c6a's do_wp_page
 * simplification; the model never calls it but with the injected bug
 * ksm_reuse_keeps_index): a KSM page mapped by one PTE becomes that
 * VMA's own anonymous page again (page_move_anon_rmap) and takes the
 * index of its address (page->index = linear_page_index(vma, address)),
 * unless KEEP_INDEX
 */
void ksm_reuse_page(struct world *w, pfn_t pfn, struct vma *vma,
		    uint64_t addr, bool keep_index);
/* ksm_exit(): the mm leaves KSM's list, its rmap_items go */
void ksm_exit(struct world *w, struct mm *mm);
/* folio_migrate_ksm(): the stable node follows its page to frame to */
void ksm_migrate(struct world *w, pfn_t from, pfn_t to);
/* "ksm-scan": ksmd's full scans until one merges nothing more (RES_OK) */
int ksm_scan(struct world *w);
/* rmap_walk_ksm(): every mapping of a KSM page through its rmap_items */
int rmap_walk_ksm(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc);
/* true when a walk of KSM page pfn takes anon_vma root's lock */
bool ksm_page_locks_anon_vma(const struct world *w, pfn_t pfn,
			     const struct anon_vma *root);

#endif /* RMAP_CORE_KSM_H */
