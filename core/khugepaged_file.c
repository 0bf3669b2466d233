/*
 * khugepaged_file.c - MADV_COLLAPSE of a tmpfs/shmem range (mm/khugepaged.c,
 * 6.18: madvise_collapse -> hpage_collapse_scan_file -> collapse_file ->
 * retract_page_tables, then collapse_pte_mapped_thp in the caller's mm):
 * the range's pages are copied into one new 2 MiB folio that takes their
 * place in the page cache, every PTE that mapped one of them is gone
 * (try_to_unmap), every other mm's PTE table there is freed, and the
 * caller's range is mapped by one PMD.  Every file of the model is tmpfs,
 * as is a shared anonymous mapping's shmem file.
 *
 * The model follows a file THP no further than the op that made it: at
 * the next op it is split back into small pages (file_thps_split, its PMD
 * mappings zapped as __split_huge_pmd() zaps a file PMD) and that op is
 * marked not modelled (world.unmodelled), so the kernel comparison stops
 * before it.  Faults that map a file THP (do_set_pmd, finish_fault's
 * whole-folio PTEs), its split, reclaim and migration are the next step.
 */
#include <errno.h>

#include "core/address_space.h"
#include "core/alloc.h"
#include "core/bug.h"
#include "core/folio.h"
#include "core/huge_memory.h"
#include "core/khugepaged_file.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/rmap_consumers.h"
#include "core/vma.h"

bool retract_addr(const struct vma *vma, uint64_t start, uint64_t *addr)
{
	*addr = vma->start + ((start - vma->pgoff) << PAGE_SHIFT);
	return !vma->anon_vma && !(*addr & ~PMD_MASK) &&
	       vma->end >= *addr + PMD_SIZE;
}

/*
 * retract_page_tables(): every VMA mapping START (the folio's first
 * index) whose 2 MiB there is aligned and inside it loses the PTE table
 * under that PMD, unless it has an anon_vma (a MAP_PRIVATE mapping that
 * was written: its anonymous pages may be in that table); a PMD that is
 * none, a leaf, or has no PMD table (find_pmd_or_thp_or_none) is left.
 * try_to_unmap() emptied the tables of the old pages first.
 */
static void retract_page_tables(struct world *w, struct address_space *mapping,
				uint64_t start)
{
	uint32_t n;
	struct vma **v = i_mmap_vmas(w, mapping, start, start, &n);

	for (uint32_t i = 0; i < n; i++) {
		struct vma *vma = v[i];
		uint64_t addr, *pmd;

		if (!retract_addr(vma, start, &addr))
			continue;
		pmd = pmd_lookup(w, vma->mm, addr);
		if (!pmd || !pgd_table(*pmd))
			continue;
		/* pmdp_collapse_flush + pte_free_defer: the table is empty */
		pgtable_reclaim_pte(w, vma->mm, addr, addr + PMD_SIZE);
		BUG_ON(pgd_table(*pmd));
	}
	core_free(v);
}

/*
 * collapse_pte_mapped_thp(mm, haddr, install_pmd = true) for the caller's
 * VMA: the 2 MiB at HADDR, where the page cache now holds a PMD-order
 * folio, is mapped by one PMD (set_huge_pmd -> do_set_pmd, no write: the
 * PMD has vm_page_prot's permissions, writable in a shared writable
 * tmpfs mapping, which has no write-notify).  A PTE table still there (a
 * VMA with an anon_vma, which retract_page_tables() passed over) must map
 * nothing but the folio's own pages: empty, it is freed; an anonymous
 * page in it aborts (SCAN_FAIL), a swap entry too (SCAN_PTE_NON_PRESENT).
 */
static enum scan_result collapse_pte_mapped_thp(struct world *w,
						struct vma *vma,
						uint64_t haddr)
{
	struct mm *mm = vma->mm;
	uint64_t *pmd = pmd_lookup(w, mm, haddr), *pte, bits;
	pfn_t head;

	if (pmd && pmd_leaf(*pmd))
		return SCAN_PMD_MAPPED;
	/* thp_vma_allowable_order(TVA_FORCED_COLLAPSE): VM_NOHUGEPAGE only */
	if (haddr < vma->start || haddr + PMD_SIZE > vma->end ||
	    (vma->flags & VM_NOHUGEPAGE))
		return SCAN_VMA_CHECK;
	head = page_cache_lookup(vma->mapping, linear_page_index(vma, haddr));
	if (!head)
		return SCAN_PAGE_NULL;
	if (pfn_page(w, head)->folio_order != THP_PMD_ORDER)
		return SCAN_PAGE_COMPOUND;
	/*
	 * A caller with no PMD table there (nothing of that 1 GiB ever
	 * touched) gets one and the PMD mapping: seen on the 6.18 host
	 * (tests/scenarios/253), where find_pmd_or_thp_or_none()'s
	 * SCAN_PMD_NULL would have dropped the folio unmapped.  An injected
	 * failure of that table is the model's ENOMEM (the one allocation
	 * failure madvise_collapse_errno() names).
	 */
	if (!pmd && pmd_alloc(w, mm, haddr, &pmd))
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	if (pgd_table(*pmd)) {
		pte = pte_lookup(w, mm, haddr);
		for (unsigned i = 0; i < PTRS_PER_PT; i++) {
			if (pte_none(pte[i]))
				continue;
			if (!pte_present(pte[i]))
				return SCAN_PTE_NON_PRESENT;
			/* no page of the new folio is mapped by a PTE yet */
			return SCAN_FAIL;
		}
		pgtable_reclaim_pte(w, mm, haddr, haddr + PMD_SIZE);
		BUG_ON(pgd_table(*pmd));
	}
	w->nofail++;            /* the backend's entry: no failure path here */
	BUG_ON(rmap_add_pmd(w, head, vma, haddr));
	w->nofail--;
	pfn_page(w, head)->refcount++;
	folio_note_map_pmd(w, head, mm);
	bits = vma_pte_bits(vma) | PTE_PSE |
	       ((vma->flags & VM_SHARED) && (vma->flags & VM_WRITE) ? PTE_RW : 0);
	set_pte(w, pmd, pfn_pte(head, bits));
	rmap_event(w, RMAP_EVENT_ADD, head, vma, haddr);
	return SCAN_SUCCEED;
}

/*
 * collapse_file() for a tmpfs range [start, start + 512) of MAPPING whose
 * scan found no large folio: a new PMD-order folio; each present page
 * unmapped everywhere (try_to_unmap) and copied in, each hole a page of
 * zeroes (shmem: nr_none, unless a VMA of the range is registered for
 * missing faults with a userfaultfd: SCAN_EXCEED_NONE_PTE, the old pages
 * left in the cache, unmapped); the folio then takes the range's place in
 * the page cache, the old pages go, and retract_page_tables() runs.
 */
static enum scan_result collapse_file(struct world *w,
				      struct address_space *mapping,
				      uint64_t start)
{
	uint32_t nr_none = 0, n;
	pfn_t head, old;
	struct vma **v;

	head = folio_alloc(w, PAGE_FILE, THP_PMD_ORDER, false);
	if (!head)
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		old = page_cache_lookup(mapping, start + i);
		if (!old) {
			nr_none++;
			continue;
		}
		/*
		 * TTU_IGNORE_MLOCK | TTU_BATCH_FLUSH: every PTE of it goes,
		 * unless the walk misses one: a collapse that races with an
		 * op (the interleave walker "collapse") can find a PTE in
		 * flight in neither table; try_to_unmap() returns nothing,
		 * the reference check below sees the mapping left
		 */
		if (pfn_page(w, old)->mapcount)
			(void)folio_unmap_all(w, old);
		/*
		 * folio_ref_count() == 3 with the pin, the cache, the LRU (the
		 * model's 1: the cache); a mapping left is more: SCAN_PAGE_COUNT,
		 * the pages already unmapped stay so (they fault back in)
		 */
		if (pfn_page(w, old)->refcount != 1) {
			folio_free_unused(w, head);
			return SCAN_PAGE_COUNT;
		}
		pfn_page(w, head + i)->content = pfn_page(w, old)->content;
	}
	if (nr_none) {
		v = i_mmap_vmas(w, mapping, start, start + PTRS_PER_PT - 1, &n);
		for (uint32_t i = 0; i < n; i++)
			if (v[i]->flags & VM_UFFD_MISSING) {
				core_free(v);
				folio_free_unused(w, head);
				return SCAN_EXCEED_NONE_PTE;
			}
		core_free(v);
	}
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		struct page *p = pfn_page(w, head + i);

		old = page_cache_lookup(mapping, start + i);
		p->mapping = mapping;
		p->index = start + i;
		p->refcount = 1;        /* the page cache's reference */
		if (old) {
			page_cache_replace(mapping, start + i, head + i);
			pfn_page(w, old)->mapping = NULL;
			page_put(w, old);
		} else {
			BUG_ON(page_cache_insert(w, mapping, start + i, head + i));
		}
	}
	w->file_thps++;
	retract_page_tables(w, mapping, start);
	return SCAN_PTE_MAPPED_HUGEPAGE;
}

/*
 * hpage_collapse_scan_file()'s look at the range from index START: its
 * first page of a large folio (at slot *AT), or NULL; *PRESENT counts the
 * pages in the cache before it
 */
static const struct page *range_large_folio(const struct world *w,
					    struct address_space *mapping,
					    uint64_t start, uint32_t *at,
					    uint32_t *present)
{
	*present = 0;
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		pfn_t p = page_cache_lookup(mapping, start + i);

		if (p && pfn_page(w, p)->folio_order) {
			*at = i;
			return pfn_page(w, p);
		}
		*present += p != 0;
	}
	return NULL;
}

/*
 * hpage_collapse_scan_file(): the range [start, start + 512) of the page
 * cache.  A PMD-order folio already there, starting at START, is
 * SCAN_PTE_MAPPED_HUGEPAGE (the caller maps it); any other large folio
 * SCAN_PAGE_COMPOUND; a range with no page at all SCAN_TRUNCATED
 * (collapse_file's first index: "extent has been truncated or
 * hole-punched, and is now completely empty").  MADV_COLLAPSE has no
 * max_ptes_none.  (The model's tmpfs has no swapped-out pages: its
 * pageout drops a page.)
 */
static enum scan_result scan_file(struct world *w,
				  struct address_space *mapping, uint64_t start)
{
	uint32_t present, i;
	const struct page *pg = range_large_folio(w, mapping, start, &i,
						  &present);

	if (pg)
		return pg->folio_order == THP_PMD_ORDER &&
		       pg->folio_idx == 0 && i == 0 ?
		       SCAN_PTE_MAPPED_HUGEPAGE : SCAN_PAGE_COMPOUND;
	if (!present)
		return SCAN_TRUNCATED;
	return collapse_file(w, mapping, start);
}

enum scan_result collapse_file_range(struct world *w, struct vma *vma,
				     uint64_t haddr)
{
	uint64_t start = linear_page_index(vma, haddr);
	enum scan_result r;

	/*
	 * Not modelled: a range past i_size (the folio would reach beyond
	 * EOF, which the 6.18 fault paths treat apart)
	 */
	if (start + PTRS_PER_PT > mapping_pages(vma->mapping)) {
		w->unmodelled = "MADV_COLLAPSE of a tmpfs range past i_size "
				"is not modelled";
		return SCAN_FAIL;
	}
	r = scan_file(w, vma->mapping, start);
	/* madvise_collapse(): SCAN_PTE_MAPPED_HUGEPAGE -> the caller maps it */
	if (r == SCAN_PTE_MAPPED_HUGEPAGE)
		r = collapse_pte_mapped_thp(w, vma, haddr);
	return r;
}

/*
 * the collapse of the range around PFN that collapse_file_of_page() can
 * try: a tmpfs page (an anonymous page has no file range, and khugepaged's
 * anon collapse takes the mm's mmap_lock for write, which the op holds),
 * inside i_size (collapse_file_range: past it is not modelled)
 */
static bool collapse_of_page_possible(const struct world *w, pfn_t pfn)
{
	const struct page *page = pfn_page(w, pfn);

	return page->kind == PAGE_FILE && page->mapping &&
	       (page->index | (PTRS_PER_PT - 1)) <
	       mapping_pages(page->mapping);
}

bool collapse_file_walks(const struct world *w, pfn_t pfn)
{
	const struct page *page = pfn_page(w, pfn);
	uint64_t start = page->index & ~(uint64_t)(PTRS_PER_PT - 1);
	uint32_t at, present;

	if (!collapse_of_page_possible(w, pfn))
		return false;
	/* scan_file(): a large folio in the range stops it before any walk */
	return !range_large_folio(w, page->mapping, start, &at, &present);
}

int collapse_file_of_page(struct world *w, pfn_t pfn)
{
	const struct page *page = pfn_page(w, pfn);
	uint64_t start = page->index & ~(uint64_t)(PTRS_PER_PT - 1);
	enum scan_result r;

	if (!collapse_of_page_possible(w, pfn))
		return madvise_collapse_errno(SCAN_FAIL);
	r = scan_file(w, page->mapping, start);
	return r == SCAN_PTE_MAPPED_HUGEPAGE ? 0 : madvise_collapse_errno(r);
}

/* every mapping of the file THP at HEAD zapped, then the folio split */
static void split_one(struct world *w, pfn_t head)
{
	/*
	 * __split_huge_pmd_locked() for a file PMD: the mapping goes (no PTE
	 * table replaces it: the pages fault in again); PTEs of its pages
	 * (none yet: nothing maps one by PTE in the op that made it) too
	 */
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		if (!page_mapcount(w, head + i))
			continue;
		BUG_ON(folio_unmap_all(w, head + i));
	}
	folio_split(w, head);
}

void file_thps_split(struct world *w)
{
	for (pfn_t pfn = 1; w->file_thps && pfn < w->phys.nframes; pfn++) {
		const struct page *p = pfn_page(w, pfn);

		if (p->kind != PAGE_FILE || !p->folio_order || p->folio_idx)
			continue;
		split_one(w, pfn);
		w->file_thps--;
	}
	/*
	 * one counted may be gone: the collapse walker made it inside an op
	 * that then dropped its file (the last mapping of a shared anonymous
	 * range unmapped), the THP with it
	 */
	w->file_thps = 0;
	w->unmodelled = "a tmpfs THP after the op that collapsed it (its "
			"faults, split, reclaim) is not modelled";
}
