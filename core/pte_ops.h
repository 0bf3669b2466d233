/*
 * pte_ops.h - installing and zapping PTEs with the page's counts, the swap
 * counts and the rmap backend kept in step (pte_ops.c).
 */
#ifndef RMAP_CORE_PTE_OPS_H
#define RMAP_CORE_PTE_OPS_H

#include <stdint.h>

#include "core/mm_types.h"

/* Map pfn at (vma, addr) through *pte with bits; rmap add first. */
int pte_install(struct world *w, struct vma *vma, uint64_t addr,
		uint64_t *pte, pfn_t pfn, uint64_t bits);
/*
 * The same for fork's copy of a parent's PTE, from the parent's SRC_MM (its
 * rmap event differs, and copy_pte_range() holds both tables' locks).
 */
int pte_install_fork(struct world *w, struct vma *vma, uint64_t addr,
		     uint64_t *pte, pfn_t pfn, uint64_t bits,
		     const struct mm *src_mm);
/* Clear one PTE (present or swap), drop its counts and rmap. */
void pte_zap(struct world *w, struct vma *vma, uint64_t addr, uint64_t *pte);
/*
 * pte_zap without the rmap event, for a caller in the middle of replacing
 * the mapping (the COW copy), which tells the observer once it is done.
 */
void pte_zap_quiet(struct world *w, struct vma *vma, uint64_t addr,
		   uint64_t *pte);
/* Zap every PTE of vma in [start, end) and prune empty tables. */
void zap_vma_range(struct world *w, struct vma *vma, uint64_t start, uint64_t end);
/* The PTE bits a new mapping of vma gets (vm_page_prot), without write */
uint64_t vma_pte_bits(const struct vma *vma);

#endif /* RMAP_CORE_PTE_OPS_H */
