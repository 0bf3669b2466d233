/*
 * arena.h - the host memory of one world (arena.c).  Every object core
 * allocates for a world (VMAs, anon_vmas, AVCs, address_spaces, mms, PTE
 * chain blocks, page-table pages, struct page and the other bookkeeping
 * arrays) comes from the world's arena, and a world is reset, not freed,
 * between fuzz inputs: the arena's memory stays with it and is handed out
 * again, so running an input makes no host allocation once the arena has
 * grown to what the inputs need.
 *
 *   slabs      ARENA_SLAB bytes each, ARENA_SLAB-aligned, each cut into
 *              slots of one size class; a slot is a 16-byte header (arena,
 *              class, size, live or free) then the object
 *   aligned    classes of naturally aligned blocks with no header (the
 *              8 KiB of a page-table page: pgtable.h's pt_of_slot masks)
 *   big        an object larger than the largest slot gets a block of its
 *              own, kept for reuse like the slabs
 *
 * A freed object waits on its class's queue, first in first out, and is
 * handed out again only once ARENA_QUARANTINE others wait behind it (or
 * when the class would otherwise need a new slab): a stale pointer keeps
 * pointing at poisoned memory for a while, as with ASan's quarantine.
 *
 * Under ASan (ARENA_ASAN) everything not handed out is poisoned, as LLVM's
 * BumpPtrAllocator does with its slabs: slab space never used, every slot
 * header (so there is a redzone of at least 16 bytes between two objects),
 * the slack between an object's end and its slot's end, the unused part of
 * an aligned block, freed objects while they wait, and everything after a
 * reset.  An out-of-bounds or use-after-free access inside the arena is
 * then reported (use-after-poison) instead of reading a neighbour.
 *
 * Deterministic: nothing the simulator computes depends on where an
 * object lies, so a reused arena gives the same frame numbers and results
 * as a fresh one.  Arena functions carry no fuzzer coverage
 * (ARENA_NO_COVERAGE): whether a slab is new or reused must not look like
 * a new path to the fuzzer.
 */
#ifndef RMAP_CORE_ARENA_H
#define RMAP_CORE_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARENA_SLAB       (64u * 1024)
#define ARENA_QUARANTINE 32          /* freed objects that wait per class */
#define ARENA_NHDR       30          /* size classes with a header */
#define ARENA_NALIGNED   3           /* aligned classes: 4, 8, 16 KiB */
#define ARENA_NCLASSES   (ARENA_NHDR + ARENA_NALIGNED)

/* ASan is on (gcc defines __SANITIZE_ADDRESS__, clang has the feature) */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#if !defined(ARENA_ASAN) && defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#endif

/* no libFuzzer / -fsanitize-coverage counters in a function (clang >= 13) */
#if defined(__clang__) && __clang_major__ >= 13
#define ARENA_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define ARENA_NO_COVERAGE
#endif

struct arena_class {
	uint32_t slab;           /* index of the slab being cut, or UINT32_MAX */
	uint32_t used;           /* bytes of it handed out so far */
	void *free_head, *free_tail;  /* the queue of freed slots */
	uint32_t nfree;
};

struct arena_big {
	void *mem;               /* header, then the object */
	size_t cap;              /* bytes of mem */
	bool live;
};

/* what an arena holds, for tests and for counting host allocations */
struct arena_stats {
	uint32_t slabs;          /* slabs owned (in use or kept) */
	uint32_t slabs_used;     /* slabs handed to a class since the last reset */
	uint32_t big;            /* big blocks owned */
	uint64_t host_allocs;    /* malloc calls made for slabs and blocks, ever */
	uint64_t bytes;          /* host bytes owned */
};

struct arena {
	struct arena_class cls[ARENA_NCLASSES];
	char **slabs;            /* [0, nslabs_used) in use, the rest kept */
	uint32_t *slab_fill;     /* bytes of each slab handed out since reset */
	uint32_t nslabs, nslabs_used, cap_slabs;
	struct arena_big *big;
	uint32_t nbig, cap_big;
	uint64_t host_allocs;
};

void arena_init(struct arena *a);
/* Every object gone at once; the memory stays, poisoned, for reuse. */
void arena_reset(struct arena *a);
/* The memory back to the host (the arena is then as arena_init left it). */
void arena_release(struct arena *a);

/* SIZE zeroed bytes, 16-aligned; aborts on host exhaustion (never NULL). */
void *arena_alloc(struct arena *a, size_t size);
/* Back to its arena (found from the header); NULL is ignored. */
void arena_free(void *p);
/*
 * A SIZE-aligned block of SIZE bytes (4096, 8192 or 16384), of which the
 * first USED are zeroed and usable; free it with arena_free_aligned.
 */
void *arena_alloc_aligned(struct arena *a, size_t size, size_t used);
void arena_free_aligned(struct arena *a, void *p, size_t size);

void arena_stats(const struct arena *a, struct arena_stats *out);

#endif /* RMAP_CORE_ARENA_H */
