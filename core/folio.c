/*
 * folio.c - large anonymous folios (folio.h): allocation, the folio-wide
 * mapcounts with their MM ids, freeing with the last reference, the COW
 * reuse rule and split_folio(), each following the 6.18 function named.
 */
#include "bugs/bugs.h"
#include "core/bug.h"
#include "core/folio.h"
#include "core/phys.h"

pfn_t folio_alloc_anon(struct world *w, unsigned order, bool may_fall_back)
{
	return folio_alloc(w, PAGE_ANON, order, may_fall_back);
}

pfn_t folio_alloc(struct world *w, enum page_kind kind, unsigned order,
		  bool may_fall_back)
{
	pfn_t head = frames_alloc_aligned(w, kind, order, may_fall_back);

	if (head) {
		struct page *h = pfn_page(w, head);

		/* both MM-id slots free: Linux's _mm_id_mapcount = -1 */
		h->mm_id[0] = h->mm_id[1] = 0;
		h->mm_id_mapcount[0] = h->mm_id_mapcount[1] = 0;
	}
	return head;
}

static uint32_t mm_id_of(const struct mm *mm)
{
	return mm->pid + 1;     /* 0 is MM_ID_DUMMY */
}

/*
 * folio_add_return_large_mapcount() (include/linux/rmap.h, CONFIG_MM_ID),
 * with real counts where Linux stores count - 1: a new MM takes a free
 * slot, and the folio is "maybe mapped shared" as soon as a second MM maps
 * it; a third MM with both slots taken is counted in _large_mapcount only.
 */
void folio_note_map(struct world *w, pfn_t pfn, const struct mm *mm)
{
	struct page *h;
	uint32_t id = mm_id_of(mm);

	if (!page_is_large(pfn_page(w, pfn)))
		return;
	h = pfn_page(w, folio_head(w, pfn));
	h->large_mapcount++;
	if (h->mm_id[0] == id) {
		h->mm_id_mapcount[0]++;
	} else if (h->mm_id[1] == id) {
		h->mm_id_mapcount[1]++;
	} else if (h->mm_id[0] == 0) {
		h->mm_id[0] = id;
		h->mm_id_mapcount[0] = 1;
		if (h->large_mapcount != 1)     /* other mappings already */
			h->mm_ids_shared = true;
	} else if (h->mm_id[1] == 0) {
		h->mm_id[1] = id;
		h->mm_id_mapcount[1] = 1;
		h->mm_ids_shared = true;        /* slot 0 has mappings too */
	}
}

/*
 * folio_sub_return_large_mapcount(): a slot whose count would go below one
 * is freed (Linux clamps it at -1, "valid corner cases" of mappings added
 * while no slot was free), and only then, or for an MM in no slot, is the
 * folio exclusive again when one slot owns every mapping.  Then
 * __folio_remove_rmap(): a page no longer mapped while the folio still is
 * puts an anonymous folio on the deferred split queue.
 */
void folio_note_unmap(struct world *w, pfn_t pfn, const struct mm *mm)
{
	struct page *page = pfn_page(w, pfn), *h;
	uint32_t id = mm_id_of(mm);

	if (!page_is_large(page))
		return;
	h = pfn_page(w, folio_head(w, pfn));
	BUG_ON(h->large_mapcount <= 0);
	h->large_mapcount--;
	for (int s = 0; s < 2; s++) {
		if (h->mm_id[s] != id)
			continue;
		if (--h->mm_id_mapcount[s] >= 1)
			goto partial;
		h->mm_id_mapcount[s] = 0;
		h->mm_id[s] = 0;
		break;
	}
	if ((h->mm_id[0] && h->mm_id_mapcount[0] == h->large_mapcount) ||
	    (h->mm_id[1] && h->mm_id_mapcount[1] == h->large_mapcount) ||
	    h->large_mapcount == 0)
		h->mm_ids_shared = false;
partial:
	if (page->mapcount == 0 && h->large_mapcount > 0 &&
	    page->kind == PAGE_ANON)
		h->flags |= PG_PARTIALLY_MAPPED;
}

void folio_note_map_pmd(struct world *w, pfn_t head, const struct mm *mm)
{
	pfn_page(w, head)->entire_mapcount++;
	folio_note_map(w, head, mm);
}

/*
 * folio_remove_rmap_pmd(): the large mapcount as for a PTE; when the last
 * entire mapping goes and some pages are still mapped by PTEs but not all
 * ("nr < nr_pmdmapped"), an anonymous folio is partially mapped
 */
void folio_note_unmap_pmd(struct world *w, pfn_t head, const struct mm *mm)
{
	struct page *h = pfn_page(w, head);
	uint32_t nr = page_folio_nr(h);

	BUG_ON(h->entire_mapcount <= 0);
	h->entire_mapcount--;
	h->mapcount++;          /* folio_note_unmap reads the page's own */
	folio_note_unmap(w, head, mm);
	h->mapcount--;
	if (h->entire_mapcount || !h->large_mapcount || h->kind != PAGE_ANON)
		return;
	for (uint32_t i = 0; i < nr; i++)
		if (pfn_page(w, head + i)->mapcount == 0)
			h->flags |= PG_PARTIALLY_MAPPED;
}

void folio_free_unused(struct world *w, pfn_t head)
{
	uint32_t nr = page_folio_nr(pfn_page(w, head));

	for (uint32_t i = 0; i < nr; i++)
		frame_free(w, head + i);
}

void folio_page_released(struct world *w, pfn_t pfn)
{
	pfn_t head = folio_head(w, pfn);
	uint32_t nr = page_folio_nr(pfn_page(w, pfn));

	for (uint32_t i = 0; i < nr; i++)
		if (pfn_page(w, head + i)->refcount > 0)
			return;
	/* folio_put's last reference: the whole folio goes */
	for (uint32_t i = 0; i < nr; i++)
		frame_free(w, head + i);
}

bool folio_maybe_mapped_shared(const struct world *w, pfn_t pfn)
{
	const struct page *page = pfn_page(w, pfn);

	if (!page_is_large(page))
		return page->mapcount > 1;
	return pfn_page(w, folio_head(w, pfn))->mm_ids_shared;
}

bool folio_can_reuse_large_anon(const struct world *w, pfn_t pfn,
				const struct mm *mm)
{
	pfn_t head = folio_head(w, pfn);
	const struct page *h = pfn_page(w, head);
	uint32_t nr = page_folio_nr(h);
	int64_t refs = 0;

	(void)mm;
	/* "just free up a large folio if only a single page is mapped" */
	if (h->large_mapcount <= 1)
		return false;
	/*
	 * Every reference a mapping's (folio_large_mapcount ==
	 * folio_ref_count): a swap-cache reference makes it no.  Linux first
	 * tries folio_free_swap(), which fails while any PTE is still a swap
	 * entry; the simulator puts large folios in no swap cache (pageout
	 * splits them first, as MADV_PAGEOUT of part of one does).
	 */
	for (uint32_t i = 0; i < nr; i++)
		refs += pfn_page(w, head + i)->refcount;
	/* the counts alone, without the MM ids, say yes to a shared folio */
	if (h->mm_ids_shared &&
	    !BUG_INJECTED(large_folio_reuse_ignores_shared,
			  refs == h->large_mapcount))
		return false;
	return refs == h->large_mapcount;
}

/*
 * __split_unmapped_folio / __split_folio_to_order to 0 as split_folio()
 * does for an anonymous folio whose mappings stay (remap_page() puts them
 * back as they were): each page keeps its mapcount, refcount, index,
 * anon_vma and PageAnonExclusive; the deferred split queue forgets the
 * folio; a page that no one references is freed (the tails free_folio_and
 * _swap_cache drops after the split).
 */
void folio_split(struct world *w, pfn_t pfn)
{
	pfn_t head = folio_head(w, pfn);
	uint32_t nr = page_folio_nr(pfn_page(w, pfn));

	if (nr == 1)
		return;
	for (uint32_t i = 0; i < nr; i++) {
		struct page *p = pfn_page(w, head + i);

		p->folio_order = 0;
		p->folio_idx = 0;
		p->large_mapcount = 0;
		p->entire_mapcount = 0;
		p->mm_id[0] = p->mm_id[1] = 0;
		p->mm_id_mapcount[0] = p->mm_id_mapcount[1] = 0;
		p->mm_ids_shared = false;
		p->flags &= (uint8_t)~PG_PARTIALLY_MAPPED;
	}
	for (uint32_t i = 0; i < nr; i++)
		if (pfn_page(w, head + i)->refcount == 0)
			frame_free(w, head + i);
}
