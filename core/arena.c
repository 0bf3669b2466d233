/*
 * arena.c - a world's memory (arena.h): size-class slabs cut front to back,
 * first-in first-out free queues with a quarantine, big blocks for the rest,
 * and ASan poisoning of everything not handed out.
 *
 * Invariants:
 *   - a slot is handed out only from its class's current slab (front to
 *     back) or from its class's free queue; slab_fill[i] covers every byte
 *     of slab i handed out since the last reset, so a reset poisons exactly
 *     what was used;
 *   - a live header-class object has a header with HDR_LIVE and its own
 *     arena; freeing it makes it HDR_FREE, so a second free is a BUG;
 *   - host memory is only ever taken (slab_get, big_alloc, the metadata
 *     arrays), never given back before arena_release.
 *
 * The header and the queue links lie in poisoned memory: only the
 * ARENA_NO_ASAN accessors below read or write them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/bug.h"

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define poison(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define is_poisoned(p) __asan_address_is_poisoned(p)
#else
#define poison(p, n)   ((void)(p), (void)(n))
#define unpoison(p, n) ((void)(p), (void)(n))
#define is_poisoned(p) ((void)(p), 0)
#endif

#define ARENA_NO_ASAN __attribute__((no_sanitize_address))
#define HDR        16u
#define NONE       UINT32_MAX
#define ARENA_BIG  0xffffu
#define HDR_LIVE   0x11feu
#define HDR_FREE   0xf4eeu

struct arena_hdr {
	struct arena *arena;
	uint32_t size;          /* the object's bytes */
	uint16_t cls;           /* size class, or ARENA_BIG */
	uint16_t state;         /* HDR_LIVE or HDR_FREE */
};

_Static_assert(sizeof(struct arena_hdr) == HDR, "the header is two granules");

/* slot bytes of each class, header included; then the aligned blocks */
static const uint32_t class_size[ARENA_NCLASSES] = {
	32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512,
	640, 768, 896, 1024, 1280, 1536, 2048, 2560, 3072, 4096, 5120, 6144,
	8192, 12288, 16384,
	4096, 8192, 16384,
};

/* ---- the poisoned parts: header and queue link ------------------------- */

static ARENA_NO_ASAN ARENA_NO_COVERAGE void hdr_set(char *slot, struct arena *a,
						    uint32_t size, uint16_t cls,
						    uint16_t state)
{
	struct arena_hdr *h = (struct arena_hdr *)slot;

	h->arena = a;
	h->size = size;
	h->cls = cls;
	h->state = state;
}

static ARENA_NO_ASAN ARENA_NO_COVERAGE void hdr_get(const void *obj,
						    struct arena **a,
						    uint16_t *cls,
						    uint16_t *state)
{
	const struct arena_hdr *h =
		(const struct arena_hdr *)((const char *)obj - HDR);

	*a = h->arena;
	*cls = h->cls;
	*state = h->state;
}

static ARENA_NO_ASAN ARENA_NO_COVERAGE void hdr_mark_free(void *obj)
{
	((struct arena_hdr *)((char *)obj - HDR))->state = HDR_FREE;
}

/* a queued slot's link to the next: in the object, behind the header */
static ARENA_NO_ASAN ARENA_NO_COVERAGE void **link_of(char *slot, unsigned c)
{
	return (void **)(slot + (c < ARENA_NHDR ? HDR : 0));
}

static ARENA_NO_ASAN ARENA_NO_COVERAGE void link_set(char *slot, unsigned c,
						     void *next)
{
	*link_of(slot, c) = next;
}

static ARENA_NO_ASAN ARENA_NO_COVERAGE void *link_get(char *slot, unsigned c)
{
	return *link_of(slot, c);
}

/* ---- host memory ------------------------------------------------------- */

static ARENA_NO_COVERAGE void *host_realloc(struct arena *a, void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q)
		core_bug(__FILE__, __LINE__, "out of host memory");
	a->host_allocs++;
	return q;
}

/* a slab for a class: a kept one if any, else a new one */
static ARENA_NO_COVERAGE uint32_t slab_get(struct arena *a)
{
	if (a->nslabs_used == a->nslabs) {
		char *s = aligned_alloc(ARENA_SLAB, ARENA_SLAB);

		if (!s)
			core_bug(__FILE__, __LINE__, "out of host memory");
		a->host_allocs++;
		poison(s, ARENA_SLAB);
		if (a->nslabs == a->cap_slabs) {
			a->cap_slabs = a->cap_slabs ? 2 * a->cap_slabs : 16;
			a->slabs = host_realloc(a, a->slabs, a->cap_slabs * sizeof(char *));
			a->slab_fill = host_realloc(a, a->slab_fill,
						    a->cap_slabs * sizeof(uint32_t));
		}
		a->slabs[a->nslabs++] = s;
	}
	a->slab_fill[a->nslabs_used] = 0;
	return a->nslabs_used++;
}

/* ---- slots ------------------------------------------------------------- */

static ARENA_NO_COVERAGE char *queue_pop(struct arena_class *k, unsigned c)
{
	char *slot = k->free_head;

	k->free_head = link_get(slot, c);
	if (!k->free_head)
		k->free_tail = NULL;
	k->nfree--;
	return slot;
}

static ARENA_NO_COVERAGE void queue_push(struct arena *a, unsigned c,
					  char *slot)
{
	struct arena_class *k = &a->cls[c];

	poison(slot, class_size[c]);
	link_set(slot, c, NULL);
	if (k->free_tail)
		link_set(k->free_tail, c, slot);
	else
		k->free_head = slot;
	k->free_tail = slot;
	k->nfree++;
}

/* a poisoned slot of class c */
static ARENA_NO_COVERAGE char *slot_take(struct arena *a, unsigned c)
{
	struct arena_class *k = &a->cls[c];
	uint32_t size = class_size[c];
	char *slot;

	if (k->nfree > ARENA_QUARANTINE)
		return queue_pop(k, c);
	if (k->slab == NONE || k->used + size > ARENA_SLAB) {
		if (k->nfree)
			return queue_pop(k, c);
		k->slab = slab_get(a);
		k->used = 0;
	}
	slot = a->slabs[k->slab] + k->used;
	k->used += size;
	a->slab_fill[k->slab] = k->used;
	return slot;
}

static ARENA_NO_COVERAGE unsigned class_of(size_t slot)
{
	unsigned lo = 0, hi = ARENA_NHDR - 1;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (class_size[mid] < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- big blocks -------------------------------------------------------- */

static ARENA_NO_COVERAGE void *big_alloc(struct arena *a, size_t size)
{
	size_t need = HDR + ((size + 15) & ~(size_t)15);
	struct arena_big *best = NULL;
	char *obj;

	if (size > UINT32_MAX)
		core_bug(__FILE__, __LINE__, "arena: object too large");
	for (uint32_t i = 0; i < a->nbig; i++)
		if (!a->big[i].live && a->big[i].cap >= need &&
		    (!best || a->big[i].cap < best->cap))
			best = &a->big[i];
	if (!best) {
		if (a->nbig == a->cap_big) {
			a->cap_big = a->cap_big ? 2 * a->cap_big : 8;
			a->big = host_realloc(a, a->big, a->cap_big * sizeof(*a->big));
		}
		best = &a->big[a->nbig++];
		best->cap = (need + 4095) & ~(size_t)4095;
		best->mem = host_realloc(a, NULL, best->cap);
		poison(best->mem, best->cap);
	}
	best->live = true;
	hdr_set(best->mem, a, (uint32_t)size, ARENA_BIG, HDR_LIVE);
	obj = (char *)best->mem + HDR;
	unpoison(obj, size);
	memset(obj, 0, size);
	return obj;
}

static ARENA_NO_COVERAGE void big_free(struct arena *a, void *obj)
{
	char *mem = (char *)obj - HDR;

	for (uint32_t i = 0; i < a->nbig; i++) {
		if (a->big[i].mem != mem)
			continue;
		hdr_mark_free(obj);
		a->big[i].live = false;
		poison(mem, a->big[i].cap);
		return;
	}
	core_bug(__FILE__, __LINE__, "arena: big block not found");
}

/* ---- arena.h ----------------------------------------------------------- */

ARENA_NO_COVERAGE void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
	for (unsigned c = 0; c < ARENA_NCLASSES; c++)
		a->cls[c].slab = NONE;
}

ARENA_NO_COVERAGE void arena_reset(struct arena *a)
{
	for (uint32_t i = 0; i < a->nslabs_used; i++)
		poison(a->slabs[i], a->slab_fill[i]);
	a->nslabs_used = 0;
	memset(a->cls, 0, sizeof(a->cls));
	for (unsigned c = 0; c < ARENA_NCLASSES; c++)
		a->cls[c].slab = NONE;
	for (uint32_t i = 0; i < a->nbig; i++) {
		if (a->big[i].live)
			poison(a->big[i].mem, a->big[i].cap);
		a->big[i].live = false;
	}
}

ARENA_NO_COVERAGE void arena_release(struct arena *a)
{
	for (uint32_t i = 0; i < a->nslabs; i++)
		free(a->slabs[i]);
	for (uint32_t i = 0; i < a->nbig; i++)
		free(a->big[i].mem);
	free(a->slabs);
	free(a->slab_fill);
	free(a->big);
	arena_init(a);
}

ARENA_NO_COVERAGE void *arena_alloc(struct arena *a, size_t size)
{
	size_t slot_bytes = HDR + ((size + 15) & ~(size_t)15);
	unsigned c;
	char *slot;

	if (slot_bytes > class_size[ARENA_NHDR - 1])
		return big_alloc(a, size);
	if (slot_bytes < class_size[0])
		slot_bytes = class_size[0];
	c = class_of(slot_bytes);
	slot = slot_take(a, c);
	hdr_set(slot, a, (uint32_t)size, (uint16_t)c, HDR_LIVE);
	unpoison(slot + HDR, size);
	memset(slot + HDR, 0, size);
	return slot + HDR;
}

ARENA_NO_COVERAGE void arena_free(void *p)
{
	struct arena *a;
	uint16_t cls, state;

	if (!p)
		return;
	hdr_get(p, &a, &cls, &state);
	if (state != HDR_LIVE || !a)
		core_bug(__FILE__, __LINE__, "arena: free of an object not live in an arena");
	if (cls == ARENA_BIG) {
		big_free(a, p);
		return;
	}
	hdr_mark_free(p);
	queue_push(a, cls, (char *)p - HDR);
}

static ARENA_NO_COVERAGE unsigned aligned_class(size_t size)
{
	for (unsigned c = ARENA_NHDR; c < ARENA_NCLASSES; c++)
		if (class_size[c] == size)
			return c;
	core_bug(__FILE__, __LINE__, "arena: no such aligned size");
}

ARENA_NO_COVERAGE void *arena_alloc_aligned(struct arena *a, size_t size,
					    size_t used)
{
	char *p;

	BUG_ON(used > size);
	p = slot_take(a, aligned_class(size));
	unpoison(p, used);
	memset(p, 0, used);
	return p;
}

ARENA_NO_COVERAGE void arena_free_aligned(struct arena *a, void *p, size_t size)
{
	/* a block waiting on its queue is poisoned from its first byte */
	BUG_ON(is_poisoned(p));
	queue_push(a, aligned_class(size), p);
}

ARENA_NO_COVERAGE void arena_stats(const struct arena *a,
				   struct arena_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->slabs = a->nslabs;
	out->slabs_used = a->nslabs_used;
	out->big = a->nbig;
	out->host_allocs = a->host_allocs;
	out->bytes = (uint64_t)a->nslabs * ARENA_SLAB;
	for (uint32_t i = 0; i < a->nbig; i++)
		out->bytes += a->big[i].cap;
}
