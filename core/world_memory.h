/*
 * world_memory.h - what a world's bookkeeping costs in host memory, by
 * structure, for the trade-off benchmark (bench/): the rmap state of each
 * design next to what every design pays (frames, page tables, VMAs).
 *
 * Bytes are the simulator's own structures (sizeof in this model, the
 * allocation sizes it asks malloc for, not malloc's overhead); counts are
 * the objects alive now.  Reading it walks every process, VMA, anon_vma and
 * frame once: call it between operations, not inside a timed loop.
 */
#ifndef RMAP_CORE_WORLD_MEMORY_H
#define RMAP_CORE_WORLD_MEMORY_H

#include <stdint.h>

#include "core/world.h"

struct world_memory {
	/* every design */
	uint64_t frames;            /* frames in use, zero page included */
	uint64_t page_bytes;        /* the struct page array (its capacity) */
	uint64_t pgtables;          /* page-table frames */
	uint64_t pgtable_bytes;     /* their host memory (entries + bitmap) */
	uint64_t mapped_ptes;       /* present PTEs mapping a frame (sum of
	                             * mapcounts, zero page included) */
	uint64_t vmas;              /* VMAs of live processes */
	uint64_t vma_bytes;         /* struct vma, mm VMA arrays, struct mm */
	uint64_t cache_bytes;       /* page-cache index entries */
	/* object-based rmap state (kept by core in every world) */
	uint64_t anon_vmas;         /* live anon_vmas */
	uint64_t root_anon_vmas;    /* ... that are roots: one per fork tree */
	uint64_t anon_vma_bytes;
	uint64_t avcs;              /* anon_vma_chains */
	uint64_t avc_bytes;         /* the AVCs and the VMAs' AVC arrays */
	uint64_t anon_vma_vmas;     /* VMAs with an anon_vma */
	uint64_t file_vmas;         /* VMAs in some i_mmap tree */
	uint64_t i_mmap_node_bytes; /* their tree nodes (inside struct vma) */
	/* PTE chains (0 unless the world runs ptechain) */
	uint64_t chain_bytes;       /* pte_chain blocks in use */
	uint64_t chain_peak_bytes;
	uint64_t total_bytes;       /* everything above that is host memory */
};

void world_memory(const struct world *w, struct world_memory *out);

#endif /* RMAP_CORE_WORLD_MEMORY_H */
