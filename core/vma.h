/*
 * vma.h - the VMA set of an mm (vma.c): a sorted array with binary-search
 * lookup, split and merge by Linux's rules (mm/vma.c), and the merge rule
 * for anon_vmas (which neighbour's a faulting VMA shares).  Accessors of a
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
/* A zeroed VMA with a new serial, or NULL for -ENOMEM; vma_free undoes it. */
struct vma *vma_alloc(struct world *w);
void vma_free(struct vma *vma);
/* vm_area_dup: a copy of orig, linked nowhere yet (NULL for -ENOMEM). */
struct vma *vma_dup(struct world *w, const struct vma *orig);
void vma_insert(struct world *w, struct mm *mm, struct vma *vma);
/* Insert a vma_dup() copy into mm, and into its file's i_mmap with a reference. */
void vma_link(struct world *w, struct mm *mm, struct vma *vma);
/* Remove from the mm, unlink anon_vmas and i_mmap, free (no PTE work). */
void vma_destroy(struct world *w, struct vma *vma);
/* Split so that a VMA boundary lies at addr (no-op if one does). */
int vma_split_at(struct world *w, struct mm *mm, uint64_t addr);
/* Split [start, end) out of its VMA and give it NEWFLAGS (no merge). */
int vma_modify_flags(struct world *w, struct mm *mm, uint64_t start,
		     uint64_t end, uint32_t newflags, struct vma **out);
/* Undo a vma_split_at(addr) of ours: the two halves become one again. */
void vma_unsplit(struct world *w, struct mm *mm, uint64_t addr);
/* Merge vma with its neighbours where Linux would (mm/vma.c rules). */
struct vma *vma_merge_neighbours(struct world *w, struct vma *vma);
/* The same for the range copy_vma just made (vma_merge_new_range). */
struct vma *vma_merge_copy(struct world *w, struct vma *vma);
/*
 * mremap's in-place growth (vma_merge_extend): vma grows by delta (the
 * caller checked the room) and merges with next where Linux would; returns
 * the VMA that holds the range.
 */
struct vma *vma_merge_extend(struct world *w, struct vma *vma, uint64_t delta);
/* Change a linked VMA's range, re-keying it in i_mmap and its anon_vmas. */
/* Records that the current op tries EV (world->vma_event), done or not. */
void vma_note_try(struct world *w, enum vma_event ev);
/* Records EV as VMA's last structural change, made by the current op. */
void vma_note_event(struct world *w, struct vma *vma, enum vma_event ev);
/* EV's name for signatures ("vma_merge", ...); NULL for VMA_EV_NONE */
const char *vma_event_name(unsigned ev);
void vma_set_range(struct vma *vma, uint64_t start, uint64_t end, uint64_t pgoff);
/*
 * The same, passing yield point vma_adjust (core/interleave.h) while the
 * VMA is out of the rmap trees, holding the locks vma_prepare() takes;
 * W NULL: no yield point.
 */
struct world;
void vma_adjust_range(struct world *w, struct vma *vma, uint64_t start,
		      uint64_t end, uint64_t pgoff);
/*
 * anon_vma_prepare: give a faulting VMA its anon_vma, a neighbour's where
 * Linux would reuse it (find_mergeable_anon_vma), else a new one.
 */
int anon_vma_prepare(struct world *w, struct vma *vma);

#endif /* RMAP_CORE_VMA_H */
