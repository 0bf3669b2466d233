/*
 * rmap_ptechain.h - what the PTE-chain backend (rmap_ptechain.c) shows
 * beyond its ops table: its memory accounting, and one deliberate
 * corruption for the tests that prove the differential checker sees a
 * broken chain.  Both go through the world's debug hooks (rmap.h), so
 * they ask whatever backend the world runs.
 */
#ifndef RMAP_CORE_RMAP_PTECHAIN_H
#define RMAP_CORE_RMAP_PTECHAIN_H

#include <stdint.h>

#include "core/world.h"

/* The chain blocks of one world, as the slab of struct pte_chain would be. */
struct ptechain_stats {
	uint64_t bytes;       /* chain blocks in use, 64 bytes each */
	uint64_t peak_bytes;  /* the most bytes ever in use at once */
	uint64_t blocks;      /* chain blocks in use */
	uint64_t direct;      /* pages whose one mapping sits in page->rmap */
};

/* Zeros unless W's backend keeps chains (its chain_stats debug hook). */
void rmap_ptechain_stats(const struct world *w, struct ptechain_stats *out);

/*
 * Test hook: forget the newest entry of frame PFN's chain without touching
 * any PTE, so the walk misses a mapping the page tables still have.
 * 0, or -ENOENT (no entry, not a frame, or a backend without chains).
 */
int rmap_ptechain_drop_entry(struct world *w, uint64_t pfn);

#endif /* RMAP_CORE_RMAP_PTECHAIN_H */
