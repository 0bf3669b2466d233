/*
 * swap.c - a simulated swap device with its swap cache.
 *
 * A slot counts the swap PTEs that refer to it.  A frame read back in stays
 * in the swap cache (slot.cache) while other swap PTEs still refer to the
 * slot, so the next process to fault on it maps the same frame, as Linux's
 * swap cache does; when the last swap PTE goes, slot and cache entry go.
 */
#include <errno.h>

#include "core/alloc.h"
#include "core/bug.h"
#include "core/mm_types.h"
#include "core/phys.h"
#include "core/swap.h"

int swap_alloc(struct world *w, uint64_t *slot)
{
	struct swap *sw = &w->swap;

	if (alloc_should_fail(w))
		return -ENOMEM;
	if (sw->nfree) {
		*slot = sw->free[--sw->nfree];
	} else {
		uint32_t cap = (uint32_t)sw->nslots, n = (uint32_t)sw->nslots;

		if (n == 0)
			n = 1;    /* slot 0 is never used */
		core_array_reserve(w, (void **)&sw->slots, &cap, n,
				   sizeof(struct swap_slot));
		*slot = n;
		sw->nslots = cap;
		/* slots [n+1, cap) are new and free */
		for (uint64_t s = cap; s-- > (uint64_t)n + 1;) {
			uint32_t fcap = (uint32_t)sw->cap_free;

			core_array_reserve(w, (void **)&sw->free, &fcap,
					   (uint32_t)sw->nfree, sizeof(uint64_t));
			sw->cap_free = fcap;
			sw->free[sw->nfree++] = s;
		}
	}
	sw->slots[*slot].count = 0;
	sw->slots[*slot].cache = 0;
	return 0;
}

void swap_dup(struct world *w, uint64_t slot)
{
	BUG_ON(w->swap.slots[slot].count <= 0);
	w->swap.slots[slot].count++;
}

static void swap_free_slot(struct world *w, uint64_t slot)
{
	struct swap *sw = &w->swap;
	uint32_t fcap = (uint32_t)sw->cap_free;

	core_array_reserve(w, (void **)&sw->free, &fcap, (uint32_t)sw->nfree,
			   sizeof(uint64_t));
	sw->cap_free = fcap;
	sw->free[sw->nfree++] = slot;
}

void swap_cache_release(struct world *w, uint64_t slot)
{
	struct swap_slot *s = &w->swap.slots[slot];

	if (s->cache) {
		struct page *page = pfn_page(w, s->cache);
		pfn_t pfn = s->cache;

		page->flags &= (uint8_t)~PG_SWAPCACHE;
		page->swap = 0;
		s->cache = 0;
		page_put(w, pfn);
	}
	if (s->count == 0)
		swap_free_slot(w, slot);
}

void swap_put(struct world *w, uint64_t slot)
{
	struct swap_slot *s = &w->swap.slots[slot];

	BUG_ON(s->count <= 0);
	if (--s->count == 0)
		swap_cache_release(w, slot);
}
