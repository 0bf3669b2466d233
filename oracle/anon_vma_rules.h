/*
 * anon_vma_rules.h - what the anon_vma / anon_vma_chain structures and the
 * interval trees look like between operations (anon_vma_rules.c), as
 * Linux's mm/rmap.c asserts or relies on since the January 2026 anon_vma
 * clean-up ("mm/rmap: improve anon_vma_clone(), unlink_anon_vmas()
 * comments, add asserts", "remove unnecessary root lock dance in anon_vma
 * clone, unmap", "skip unfaulted VMAs on anon_vma clone, unlink"), and the
 * counting rule of 2555283eb40d (num_children / num_active_vmas).  The
 * checks of check_anon_vma_clone() and unlink_anon_vmas() that hold at
 * rest, each a category of invariants.h:
 *
 *   anon_vma-chain  for every VMA of a live process:
 *                   - no anon_vma, no chain (check_anon_vma_clone:
 *                     !src->anon_vma && !list_empty(&src->anon_vma_chain);
 *                     unlink_anon_vmas: "Unfaulted is a no-op");
 *                   - its anon_vma is live and among its chain (every
 *                     clone copies src->anon_vma's AVC; fork's own is
 *                     linked by anon_vma_fork, a reused one is one of the
 *                     chain: maybe_reuse_anon_vma);
 *                   - every AVC names this VMA, a live anon_vma whose root
 *                     is the root of the VMA's anon_vma (anon_vma_clone and
 *                     unlink_anon_vmas lock that one root: "all anon_vma's
 *                     share the same root"), and no anon_vma twice (a clone
 *                     establishes a chain into an empty one:
 *                     VM_WARN_ON_ONCE(!list_empty(&dst->anon_vma_chain)));
 *                   - the chain runs newest to oldest: an anon_vma's
 *                     parent comes after it, so the root is last and is
 *                     freed last (unlink_anon_vmas)
 *                   - VMAs that share their anon_vma link the same
 *                     anon_vmas (a split, copy or merge clones the whole
 *                     chain; anon_vma_prepare reuses only a singular one,
 *                     d0e9fe1758f2; fork only one no VMA owns,
 *                     2555283eb40d): what CVE-2022-42703 broke
 *   anon_vma-count  for every live anon_vma: num_active_vmas is the number
 *                   of VMAs whose anon_vma it is; num_children the number
 *                   of live anon_vmas whose parent it is (a root counts its
 *                   self-parent link); refcount 1 + the anon_vmas it is the
 *                   root of (anon_vma_fork: get_anon_vma(root)); at least
 *                   one VMA links it (unlink_anon_vmas puts an anon_vma whose
 *                   tree empties, after VM_WARN_ON(num_children) and
 *                   VM_WARN_ON(num_active_vmas)); parent and root are live
 *                   and share its root, a root being its own parent
 *   itree-key       every AVC is in its anon_vma's interval tree and every
 *                   file VMA in its file's i_mmap, keyed by the VMA's
 *                   current [vm_pgoff, last page offset]
 *                   (anon_vma_interval_tree_verify, CONFIG_DEBUG_VM_RB), and
 *                   the trees hold nothing else (their counts match)
 *
 * Not checkable at rest, so not here: the call-time asserts of
 * check_anon_vma_clone() that compare dst with src (same mm unless fork,
 * dst->anon_vma == src->anon_vma unless fork, a singular src chain when an
 * unfaulted VMA merges).
 */
#ifndef RMAP_ORACLE_ANON_VMA_RULES_H
#define RMAP_ORACLE_ANON_VMA_RULES_H

#include <stddef.h>

#include "core/world.h"

/*
 * Check every rule above on W.  Returns 0 when all hold, else -1 with
 * "CATEGORY: details" in msg (the first violation, in a fixed order: VMAs
 * by pid and address, then anon_vmas in the world's list order).
 */
int anon_vma_rules_check(const struct world *w, char *msg, size_t len);

#endif /* RMAP_ORACLE_ANON_VMA_RULES_H */
