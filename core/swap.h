/*
 * swap.h - the simulated swap device and its swap cache (swap.c).  A slot
 * counts the swap PTEs that refer to it; a frame read back in stays in the
 * swap cache while any still do.
 */
#ifndef RMAP_CORE_SWAP_H
#define RMAP_CORE_SWAP_H

#include <stdint.h>

struct world;

/* a free slot with no references yet, or -ENOMEM */
int swap_alloc(struct world *w, uint64_t *slot);
/* one more swap PTE refers to slot (fork copied one) */
void swap_dup(struct world *w, uint64_t slot);
/* One swap PTE of slot is gone; frees the slot (and cache) at zero. */
void swap_put(struct world *w, uint64_t slot);
/* Drop the swap cache's frame; frees the slot too if no PTE refers to it. */
void swap_cache_release(struct world *w, uint64_t slot);

#endif /* RMAP_CORE_SWAP_H */
