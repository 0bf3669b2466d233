/*
 * anon_vma.h - anon_vma and anon_vma_chain as Linux has them since 2.6.34
 * (anon_vma.c; mm/rmap.c): which VMAs may map which anonymous pages.
 * Failures leave the VMA with no links at all (-ENOMEM).
 */
#ifndef RMAP_CORE_ANON_VMA_H
#define RMAP_CORE_ANON_VMA_H

#include <stdbool.h>

#include "core/mm_types.h"

/*
 * __anon_vma_prepare for a VMA with no anon_vma yet: link it to MERGEABLE,
 * a neighbour's anon_vma the VMA code found reusable, or to a new one when
 * NULL.  Called through anon_vma_prepare() (vma.h).
 */
int anon_vma_attach(struct world *w, struct vma *vma, struct anon_vma *mergeable);
/* link dst to every anon_vma of src (fork: may reuse one as dst's own) */
int anon_vma_clone(struct world *w, struct vma *dst, struct vma *src, bool fork);
/* a fork child's VMA: every anon_vma of the parent's VMA, plus its own */
int anon_vma_fork(struct world *w, struct vma *vma, struct vma *pvma);
void unlink_anon_vmas(struct world *w, struct vma *vma);
/* Is vma linked to anon_vma (through its chain)? */
bool vma_links_anon_vma(const struct vma *vma, const struct anon_vma *av);
/* A VMA of a fork child that still has its parents' anon_vmas linked */
bool vma_is_fork_child(const struct vma *vma);

#endif /* RMAP_CORE_ANON_VMA_H */
