/*
 * folio.h - large anonymous folios (issue 19): 2^order physically
 * contiguous frames, aligned to their size, that Linux allocates, maps,
 * counts and frees as one (include/linux/mm.h, mm/rmap.c, mm/huge_memory.c).
 *
 * The simulator keeps its per-page struct page; a large folio adds, in
 * every page, its order and the page's index in the folio, and in the head
 * page the folio-wide counts (mm_types.h).  What stays per page: mapcount
 * (Linux's per-page _mapcount), refcount (Linux's one folio refcount is the
 * sum), PG_ANON_EXCLUSIVE (PageAnonExclusive is per page), index.
 *
 * Mappings: by PTEs (mTHP, orders 2 to 8, and a 2 MiB folio after its
 * PMD was split) and by PMD leaves (core/huge_memory.h).
 */
#ifndef RMAP_CORE_FOLIO_H
#define RMAP_CORE_FOLIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mm_types.h"

static inline bool page_is_large(const struct page *p)
{
	return p->folio_order != 0;
}

static inline uint32_t page_folio_nr(const struct page *p)
{
	return 1u << p->folio_order;
}

/* the head frame of the folio PFN belongs to (PFN itself if small) */
static inline pfn_t folio_head(const struct world *w, pfn_t pfn)
{
	return pfn - pfn_page(w, pfn)->folio_idx;
}

/*
 * page_mapcount() (include/linux/mm.h, with per-page mapcounts): the page's
 * own PTE mappings and the PMD mappings of its folio, each of which maps
 * every page of it (folio_entire_mapcount)
 */
static inline int32_t page_mapcount(const struct world *w, pfn_t pfn)
{
	const struct page *p = pfn_page(w, pfn);

	return p->mapcount + (page_is_large(p) ?
			      pfn_page(w, folio_head(w, pfn))->entire_mapcount : 0);
}

/*
 * A new anonymous folio of 2^ORDER frames (ORDER >= 1), aligned, its pages
 * PAGE_ANON with no counts; 0 when memory (or fail-nth) says no.  One
 * allocation for fail-nth, as vma_alloc_folio() is one; MAY_FALL_BACK
 * when the caller takes something smaller on failure (a fault).
 */
pfn_t folio_alloc_anon(struct world *w, unsigned order, bool may_fall_back);
/* the same for a folio of KIND (PAGE_FILE: collapse_file's new folio) */
pfn_t folio_alloc(struct world *w, enum page_kind kind, unsigned order,
		  bool may_fall_back);
/*
 * A folio of folio_alloc*() that was never mapped nor cached goes back
 * whole (a collapse's rollback: folio_put of the new folio)
 */
void folio_free_unused(struct world *w, pfn_t head);

/*
 * The mapcount of page PFN went up (down) by one through a PTE of MM:
 * keep the folio's _large_mapcount and MM-id slots as
 * folio_add_return_large_mapcount() / folio_sub_return_large_mapcount()
 * do, and on an unmap that leaves the folio partially mapped, queue it for
 * deferred split (__folio_remove_rmap -> deferred_split_folio).  Nothing
 * for a small page.
 */
void folio_note_map(struct world *w, pfn_t pfn, const struct mm *mm);
void folio_note_unmap(struct world *w, pfn_t pfn, const struct mm *mm);

/*
 * The same for a PMD mapping of the 2 MiB folio at HEAD
 * (folio_add_anon_rmap_pmd / folio_remove_rmap_pmd): _entire_mapcount
 * with the large mapcount; the PMD's one folio reference is the head's.
 */
void folio_note_map_pmd(struct world *w, pfn_t head, const struct mm *mm);
void folio_note_unmap_pmd(struct world *w, pfn_t head, const struct mm *mm);

/*
 * Page PFN of a large folio dropped its last reference: free the folio if
 * none of its pages holds one any more (folio_put's last reference).
 */
void folio_page_released(struct world *w, pfn_t pfn);

/* folio_maybe_mapped_shared() for the folio of PFN (CONFIG_MM_ID) */
bool folio_maybe_mapped_shared(const struct world *w, pfn_t pfn);

/*
 * __wp_can_reuse_large_anon_folio() (mm/memory.c, 6.18): may a write fault
 * by MM reuse its page of the large anon folio of PFN instead of copying?
 */
bool folio_can_reuse_large_anon(const struct world *w, pfn_t pfn,
				const struct mm *mm);

/*
 * split_folio() (split_huge_page_to_list_to_order, to order 0): every page
 * of the folio of PFN becomes a small folio keeping its counts, flags and
 * index; the pages no one references are freed.  Nothing for a small page.
 */
void folio_split(struct world *w, pfn_t pfn);

#endif /* RMAP_CORE_FOLIO_H */
