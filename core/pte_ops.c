/*
 * pte_ops.c - installing and zapping one PTE, keeping the page's mapcount,
 * refcount, the swap counts and the rmap backend in step with the entry.
 * Every PTE change of core that maps or unmaps a page goes through here.
 */
#include "core/bug.h"
#include "core/folio.h"
#include "core/huge_memory.h"
#include "core/ksm.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/swap.h"

/* vm_page_prot without write: x86 PAGE_READONLY/PAGE_NONE with A set */
uint64_t vma_pte_bits(const struct vma *vma)
{
	if (!(vma->flags & (VM_READ | VM_WRITE)))
		return PTE_PROTNONE | PTE_A | PTE_NX;
	return PTE_P | PTE_US | PTE_A | PTE_NX;
}

/*
 * pte_install and pte_install_fork: the mapping, then the rmap event.
 * SRC_MM: fork's parent, whose page_table_lock 2.5's copy_page_range()
 * held too (NULL: none).
 */
static int install(struct world *w, struct vma *vma, uint64_t addr,
		   uint64_t *pte, pfn_t pfn, uint64_t bits,
		   enum rmap_event_kind kind, const struct mm *src_mm)
{
	struct page *page = pfn_page(w, pfn);

	BUG_ON(!pte_none(*pte));
	if (pfn != w->phys.zero_pfn) {
		int err = rmap_add(w, pfn, vma, addr);

		if (err)
			return err;
		page->refcount++;
	}
	page->mapcount++;
	folio_note_map(w, pfn, vma->mm);
	set_pte(w, pte, pfn_pte(pfn, bits));
	/*
	 * set_pte_at() under the PTE table's PTL (its PTE now maps the page:
	 * a 6.18 walker of it blocks there), the rmap added before.  2.5
	 * added the PTE-chain entry only now, holding mm->page_table_lock
	 * (op_interleave.h YP_PTE_SET).  The zero page has no rmap: no window.
	 */
	if (pfn != w->phys.zero_pfn)
		MM_YIELD(w, YP_PTE_SET, .ptl = pt_of_slot(pte)[PT_PFN],
			 .pending = pte, .pt_mm = { vma->mm, src_mm });
	/*
	 * fork's copy of a KSM page: its rmap_item before anyone looks (PFN's
	 * struct page again: a walker that ran at the point may have
	 * allocated frames, and the struct page array moves as it grows)
	 */
	if (kind == RMAP_EVENT_FORK_COPY && page_is_ksm(pfn_page(w, pfn)))
		ksm_fork_copy(w, pfn, vma, addr, src_mm);
	if (pfn != w->phys.zero_pfn)
		rmap_event(w, kind, pfn, vma, addr);
	return 0;
}

int pte_install(struct world *w, struct vma *vma, uint64_t addr,
		uint64_t *pte, pfn_t pfn, uint64_t bits)
{
	return install(w, vma, addr, pte, pfn, bits, RMAP_EVENT_ADD, NULL);
}

int pte_install_fork(struct world *w, struct vma *vma, uint64_t addr,
		     uint64_t *pte, pfn_t pfn, uint64_t bits,
		     const struct mm *src_mm)
{
	return install(w, vma, addr, pte, pfn, bits, RMAP_EVENT_FORK_COPY,
		       src_mm);
}

/* the last mapping of a page went; an anon page forgets its anon_vma */
static void page_unmapped(struct world *w, struct page *page, pfn_t pfn)
{
	/*
	 * a page of a large folio keeps the folio's anon_vma while any of it
	 * is mapped (a PMD mapping counts in no page's mapcount)
	 */
	if (page->mapcount == 0 && page->kind == PAGE_ANON &&
	    (!page_is_large(page) ||
	     pfn_page(w, folio_head(w, pfn))->large_mapcount == 0))
		page->mapping = NULL;
	page_put(w, pfn);
}

/*
 * The event comes before page_unmapped: the page tables and the rmap agree
 * once the backend has forgotten the mapping, and a frame freed with a
 * stale entry would end in a BUG_ON before anyone could name the cause.
 */
static void zap(struct world *w, struct vma *vma, uint64_t addr, uint64_t *pte,
		bool event)
{
	uint64_t e = *pte;

	set_pte(w, pte, 0);
	if (pte_present(e)) {
		pfn_t pfn = pte_pfn(e);
		struct page *page = pfn_page(w, pfn);

		BUG_ON(page->mapcount <= 0);
		page->mapcount--;
		if (pfn == w->phys.zero_pfn)
			return;
		folio_note_unmap(w, pfn, vma->mm);
		rmap_remove(w, pfn, vma, addr);
		/* the model's rmap_items are exact: the PTE's goes with it */
		if (page_is_ksm(page))
			ksm_unmapped(w, pfn, vma->mm, addr);
		if (event)
			rmap_event(w, RMAP_EVENT_REMOVE, pfn, vma, addr);
		page_unmapped(w, page, pfn);
	} else if (swp_type(e) == SWP_TYPE_SWAP) {
		swap_put(w, swp_offset(e));
	} else {
		BUG_ON(1);  /* migration entries never outlive an op */
	}
}

void pte_zap(struct world *w, struct vma *vma, uint64_t addr, uint64_t *pte)
{
	zap(w, vma, addr, pte, true);
}

void pte_zap_quiet(struct world *w, struct vma *vma, uint64_t addr,
		   uint64_t *pte)
{
	zap(w, vma, addr, pte, false);
}

struct zap_arg {
	struct vma *vma;
};

static void zap_one(struct world *w, struct mm *mm, uint64_t va, uint64_t *pte,
		    void *arg)
{
	struct zap_arg *za = arg;

	pte_zap(w, za->vma, va, pte);
}

/* zap_pmd_range(): a leaf the range covers whole goes whole */
static void zap_leaf(struct world *w, struct mm *mm, uint64_t haddr,
		     uint64_t *pmd, void *arg)
{
	struct zap_arg *za = arg;

	zap_huge_pmd(w, za->vma, haddr, pmd);
}

void zap_vma_range(struct world *w, struct vma *vma, uint64_t start, uint64_t end)
{
	struct zap_arg za = { vma };

	if (start < vma->start)
		start = vma->start;
	if (end > vma->end)
		end = vma->end;
	/* zap_pmd_range(): a leaf only partly in the range is split first */
	split_huge_pmds_partial(w, vma, start, end);
	/*
	 * the tables stay (unmap_page_range frees none): munmap's
	 * free_pgtables and MADV_DONTNEED's PT_RECLAIM free them, the callers
	 */
	pgtable_range_each(w, vma->mm, start, end, zap_one, zap_leaf, &za);
}
