/*
 * alloc.c - the allocation points of core and their fault injection.
 *
 * Every object allocation (frames, VMAs, anon_vmas, AVCs, address_spaces, swap slots,
 * backend objects) goes through alloc_should_fail(), so a test can make the
 * Nth one fail and check that the operation returns -ENOMEM with every
 * structure consistent.  Growing the bookkeeping arrays is not an object
 * allocation and is not injected (it aborts on real exhaustion).  The
 * memory itself comes from the world's arena (arena.h), so the count of
 * allocations, and with it fault injection, is the same as with malloc.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/bug.h"
#include "core/mm_types.h"

/* one allocation at SITE, for the trace's fail-nth */
static bool site_fails(struct world *w, enum alloc_site site)
{
	w->site_count[site]++;
	return w->site_fail_at[site] &&
	       w->site_count[site] == w->site_fail_at[site];
}

/* one allocation of any site, for world_fail_nth */
static bool any_fails(struct world *w)
{
	w->alloc_count++;
	return w->fail_at && w->alloc_count == w->fail_at;
}

static bool fired(struct world *w, bool fail)
{
	if (w->nofail)
		return false;
	if (fail)
		w->fail_fired = true;
	return fail;
}

bool alloc_should_fail(struct world *w)
{
	bool site = site_fails(w, ALLOC_SITE_MM);

	return fired(w, any_fails(w) || site);
}

bool backend_atomic_fails(struct world *w)
{
	return fired(w, site_fails(w, ALLOC_SITE_BACKEND));
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		core_bug(__FILE__, __LINE__, "out of host memory");
	return p;
}

void *core_zalloc(struct world *w, size_t size)
{
	if (alloc_should_fail(w))
		return NULL;
	return arena_alloc(&w->arena, size);
}

void *core_xalloc(struct world *w, size_t size)
{
	return arena_alloc(&w->arena, size);
}

void *backend_zalloc(struct world *w, size_t size)
{
	if (fired(w, any_fails(w)))
		return NULL;
	return arena_alloc(&w->arena, size);
}

void core_free(void *p)
{
	arena_free(p);
}

/* the capacity that holds n+1 entries: doubling from 8 */
static ARENA_NO_COVERAGE uint32_t grown_cap(uint32_t cap, uint32_t n)
{
	uint32_t ncap = cap ? cap * 2 : 8;

	while (ncap <= n)
		ncap *= 2;
	return ncap;
}

/* no coverage: whether a reused buffer must grow is no path of the input */
ARENA_NO_COVERAGE void core_array_reserve(struct world *w, void **arr,
					  uint32_t *cap, uint32_t n, size_t elem)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return;
	ncap = grown_cap(*cap, n);
	p = arena_alloc(&w->arena, (size_t)ncap * elem);
	if (*cap)
		memcpy(p, *arr, (size_t)*cap * elem);
	arena_free(*arr);
	*arr = p;
	*cap = ncap;
}

ARENA_NO_COVERAGE void array_reserve(void **arr, uint32_t *cap, uint32_t n,
				     size_t elem)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return;
	ncap = grown_cap(*cap, n);
	p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		core_bug(__FILE__, __LINE__, "out of host memory");
	memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
	*arr = p;
	*cap = ncap;
}
