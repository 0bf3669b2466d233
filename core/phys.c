/*
 * phys.c - physical memory: frames with their struct page, a deterministic
 * allocator and the shared zero page.
 *
 * Frames are handed out lowest-new first, freed frames are reused last-in
 * first-out; nothing depends on addresses of host memory, so every world fed
 * the same ops owns the same frame numbers.  Frame 0 is never used (a PTE
 * of 0 means "none"); frame 1 is the zero page.  The struct pages, the
 * free stack and the tables live in the world's arena (arena.h).
 */
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/bug.h"
#include "core/folio.h"
#include "core/pgtable.h"
#include "core/phys.h"

#define DEFAULT_FRAME_LIMIT (1ULL << 18)  /* 1 GiB of simulated memory */

void phys_init(struct world *w, uint64_t limit)
{
	struct phys *ph = &w->phys;

	ph->limit = limit ? limit : DEFAULT_FRAME_LIMIT;
	ph->nframes = 2;
	ph->pages = core_xalloc(w, 64 * sizeof(struct page));
	ph->zero_pfn = 1;
	ph->pages[1].kind = PAGE_ZERO;
	ph->pages[1].refcount = 1;
	ph->used = 1;
}

static pfn_t frame_take(struct world *w)
{
	struct phys *ph = &w->phys;

	if (ph->nfree)
		return ph->free[--ph->nfree];
	if ((ph->nframes & (ph->nframes - 1)) == 0 && ph->nframes >= 64) {
		struct page *p = core_xalloc(w, 2 * ph->nframes * sizeof(*p));

		memcpy(p, ph->pages, ph->nframes * sizeof(*p));
		core_free(ph->pages);
		ph->pages = p;
	}
	return ph->nframes++;
}

/*
 * a zeroed table: 512 entries, the used-slot bitmap, its frame (pgtable.h);
 * the rest of the PT_ALLOC block is unused and stays poisoned
 */
static uint64_t *pt_table_alloc(struct world *w, pfn_t pfn)
{
	uint64_t *t = arena_alloc_aligned(&w->arena, PT_ALLOC,
					  PT_META_END * sizeof(uint64_t));

	t[PT_PFN] = pfn;
	return t;
}

pfn_t frame_alloc(struct world *w, enum page_kind kind)
{
	struct phys *ph = &w->phys;
	struct page *page;
	pfn_t pfn;

	if (ph->used >= ph->limit || alloc_should_fail(w))
		return 0;
	pfn = frame_take(w);
	ph->used++;
	page = &ph->pages[pfn];
	memset(page, 0, sizeof(*page));
	page->kind = kind;
	if (kind == PAGE_PGTABLE)
		page->table = pt_table_alloc(w, pfn);
	return pfn;
}

/* room in the struct page array for frames below END (it doubles) */
static void pages_reserve(struct world *w, uint64_t end)
{
	struct phys *ph = &w->phys;
	uint64_t cap = 64;

	while (cap < ph->nframes)
		cap *= 2;
	if (end <= cap)
		return;
	while (cap < end)
		cap *= 2;
	struct page *p = core_xalloc(w, cap * sizeof(*p));

	memcpy(p, ph->pages, ph->nframes * sizeof(*p));
	core_free(ph->pages);
	ph->pages = p;
}

/*
 * 2^order contiguous frames aligned to their size, from the frames never
 * used yet (the freed ones are scattered): the frames skipped to align go
 * on the free stack, lowest last, so later small allocations take them
 * lowest first.  Deterministic like frame_alloc.
 */
pfn_t frames_alloc_aligned(struct world *w, enum page_kind kind, unsigned order)
{
	struct phys *ph = &w->phys;
	uint64_t nr = 1ULL << order, start;

	if (ph->used + nr > ph->limit || alloc_should_fail(w))
		return 0;
	start = (ph->nframes + nr - 1) & ~(nr - 1);
	pages_reserve(w, start + nr);
	for (uint64_t pfn = start; pfn-- > ph->nframes;) {
		memset(&ph->pages[pfn], 0, sizeof(ph->pages[pfn]));
		core_array_reserve(w, (void **)&ph->free, &ph->cap_free,
				   (uint32_t)ph->nfree, sizeof(pfn_t));
		ph->free[ph->nfree++] = pfn;
	}
	ph->nframes = start + nr;
	ph->used += nr;
	for (uint64_t i = 0; i < nr; i++) {
		struct page *page = &ph->pages[start + i];

		memset(page, 0, sizeof(*page));
		page->kind = kind;
		page->folio_order = (uint8_t)order;
		page->folio_idx = (uint32_t)i;
	}
	return start;
}

void frame_free(struct world *w, pfn_t pfn)
{
	struct phys *ph = &w->phys;
	struct page *page = &ph->pages[pfn];

	BUG_ON(pfn == 0 || pfn == ph->zero_pfn || page->kind == PAGE_FREE);
	BUG_ON(page->mapcount != 0);
	BUG_ON(page->rmap != NULL);
	if (page->table)
		arena_free_aligned(&w->arena, page->table, PT_ALLOC);
	memset(page, 0, sizeof(*page));
	page->kind = PAGE_FREE;
	core_array_reserve(w, (void **)&ph->free, &ph->cap_free, (uint32_t)ph->nfree,
			   sizeof(pfn_t));
	ph->free[ph->nfree++] = pfn;
	ph->used--;
}

void page_put(struct world *w, pfn_t pfn)
{
	struct page *page = pfn_page(w, pfn);

	if (pfn == w->phys.zero_pfn)
		return;
	BUG_ON(page->refcount <= 0);
	if (--page->refcount == 0) {
		if (page_is_large(page))
			folio_page_released(w, pfn);    /* the folio's last? */
		else
			frame_free(w, pfn);
	}
}
