/*
 * vma.h - the VMA set of an mm (vma.c): a sorted array with binary-search
 * lookup, and split and merge by Linux's rules (mm/vma.c).  Accessors of a
 * single struct vma (vma_pages, linear_page_index, ...) are in mm_types.h.
 */
#ifndef RMAP_CORE_VMA_H
#define RMAP_CORE_VMA_H

#include <stdint.h>

#include "core/mm_types.h"

/* First VMA with end > addr (Linux find_vma), or NULL; its index in *idx. */
struct vma *vma_find(const struct mm *mm, uint64_t addr, uint32_t *idx);
/* The VMA containing addr, or NULL (vma_lookup). */
struct vma *vma_lookup(const struct mm *mm, uint64_t addr);
struct vma *vma_alloc(struct world *w);
void vma_insert(struct mm *mm, struct vma *vma);
/* Remove from the mm, unlink anon_vmas and the file, free (no PTE work). */
void vma_destroy(struct world *w, struct vma *vma);
/* Split so that a VMA boundary lies at addr (no-op if one does). */
int vma_split_at(struct world *w, struct mm *mm, uint64_t addr);
/* Undo a vma_split_at(addr) of ours: the two halves become one again. */
void vma_unsplit(struct world *w, struct mm *mm, uint64_t addr);
/* Merge vma with its neighbours where Linux would (mm/vma.c rules). */
struct vma *vma_merge_neighbours(struct world *w, struct vma *vma);
/* Change a linked VMA's range, re-keying it in i_mmap and its anon_vmas. */
void vma_set_range(struct vma *vma, uint64_t start, uint64_t end, uint64_t pgoff);

#endif /* RMAP_CORE_VMA_H */
