/*
 * alloc.h - the allocation points of core and their fault injection
 * (alloc.c).  Every allocation of a simulated object (frames, VMAs,
 * anon_vmas, AVCs, address spaces, swap slots, backend objects) counts
 * through alloc_should_fail(), so a test can make the Nth one fail.  Growing
 * bookkeeping arrays is not injected: it aborts on real host exhaustion.
 *
 * A world's memory is its arena (arena.h): core_zalloc, backend_zalloc,
 * core_xalloc and core_array_reserve take from it, core_free gives back to
 * it.  Only the struct world itself and what core hands to its callers
 * (xcalloc, array_reserve: the host heap) are not in it.
 */
#ifndef RMAP_CORE_ALLOC_H
#define RMAP_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct world;

/* Counts one mm allocation; true when fault injection says it must fail. */
bool alloc_should_fail(struct world *w);
/*
 * The same for an allocation the caller falls back from when it fails
 * (a large folio: the fault takes a smaller one, as alloc_anon_folio does
 * with __GFP_NORETRY): a failure fired here is not the op's ENOMEM, and
 * world_fail_fell_back() says so.
 */
bool alloc_should_fail_fallback(struct world *w);
/* zeroed mm object in w's arena, honouring fault injection (NULL = -ENOMEM) */
void *core_zalloc(struct world *w, size_t size);
/* zeroed backend memory in w's arena: only world_fail_nth fails it */
void *backend_zalloc(struct world *w, size_t size);
/*
 * A backend's first, non-sleeping attempt (GFP_ATOMIC) at what it then
 * allocates with backend_zalloc: counts one ALLOC_SITE_BACKEND allocation,
 * true when the trace's fail-nth N backend says it fails.
 */
bool backend_atomic_fails(struct world *w);
/* zeroed memory of w's arena, bookkeeping: not an injection point */
void *core_xalloc(struct world *w, size_t size);
/* back to the arena: what core_zalloc, backend_zalloc, core_xalloc or
 * core_array_reserve gave; NULL is ignored */
void core_free(void *p);
/* Grow *arr (of elem bytes, in w's arena) to hold n+1 entries. */
void core_array_reserve(struct world *w, void **arr, uint32_t *cap, uint32_t n,
			size_t elem);
/* Grow *arr (of elem bytes, host heap) to hold n+1 entries; aborts on OOM. */
void array_reserve(void **arr, uint32_t *cap, uint32_t n, size_t elem);
/* calloc that never fails (aborts on real OOM): not an injection point */
void *xcalloc(size_t n, size_t size);

#endif /* RMAP_CORE_ALLOC_H */
