/*
 * phys.h - physical memory (phys.c): frames with their struct page, handed
 * out deterministically, and the shared zero page.  Frame 0 is never used
 * (a PTE of 0 means "none"); pfn_page() (mm_types.h) finds a frame's page.
 */
#ifndef RMAP_CORE_PHYS_H
#define RMAP_CORE_PHYS_H

#include <stdint.h>

#include "core/mm_types.h"

/* No frame in use but the zero page (the memory is the world's arena's). */
void phys_init(struct world *w, uint64_t limit);
/* A free frame of the given kind (refcount 0), or 0 for -ENOMEM. */
pfn_t frame_alloc(struct world *w, enum page_kind kind);
void frame_free(struct world *w, pfn_t pfn);
/*
 * 2^ORDER contiguous free frames aligned to 2^ORDER, each of KIND with its
 * folio_order and folio_idx set (a large folio: core/folio.h); the first,
 * or 0 for -ENOMEM.  One allocation for fault injection.
 */
pfn_t frames_alloc_aligned(struct world *w, enum page_kind kind, unsigned order);
/* Drop one reference; frees the frame when the last goes. */
void page_put(struct world *w, pfn_t pfn);

#endif /* RMAP_CORE_PHYS_H */
