/*
 * rmap_anonvma2004.c - object-based rmap as Andrea Arcangeli's anon_vma
 * first had it (Linux 2.6.7 to 2.6.33, mm/rmap.c: page_referenced_anon,
 * try_to_unmap_anon, vma_address): one anon_vma per fork tree, a plain
 * list of every VMA of that tree, and an anonymous page's walk that visits
 * the whole list.  It is the "O(N)" half of van Riel's 2010 comparison; the
 * anon_vma_chain design that replaced it is rmap_obj.c.
 *
 * The 2004 design:
 *
 *   page->mapping --> anon_vma  (one for p0's VMA and every copy forked
 *                        |       from it, whichever process COWed the page)
 *                        head: vma(p0) <-> vma(p1) <-> vma(p2) <-> ... vma(pN)
 *
 *   walk(page): for every vma on anon_vma->head
 *                 address = vm_start + ((index - vm_pgoff) << PAGE_SHIFT)
 *                 outside [vm_start, vm_end): next VMA (vma_address -EFAULT)
 *                 else look the PTE up; it maps the page: rmap_one
 *
 * A page COWed by one child among 1,000 costs a visit to all 1,001 VMAs.
 *
 * The model keeps the 2.6.34 state (anon_vma.c): a tree of anon_vmas with
 * one root per fork tree, and an AVC per (VMA, anon_vma).  That state holds
 * the 2004 list exactly: every VMA linked to an anon_vma is also linked to
 * that anon_vma's root (inductively: __anon_vma_prepare links a VMA to a
 * new root, or to a neighbour's anon_vma only when the neighbour's chain
 * is that one root; anon_vma_clone copies every link of its source, root
 * included; anon_vma_fork clones the parent's links, root included, before
 * adding the child's own), and the VMAs linked to the root are exactly the
 * VMAs of the fork tree that anon_vma_link() put on the one 2004 anon_vma:
 * the ones forked from, split from or moved from a VMA with an anon_vma, and
 * the VMA that first faulted.  One case differs: a VMA that faults next to
 * a compatible VMA whose chain holds several anon_vmas (a forked one) got
 * that neighbour's anon_vma in 2.6.7 (find_mergeable_anon_vma) and gets a
 * new root here (reusable_anon_vma of 6.18 wants a one-link chain), so the
 * 2004 list would be that much longer than the root's set.  So a walk takes page->mapping->root and
 * visits every AVC of the root's interval tree, whatever its range: the
 * tree is used as the 2004 list was, not as an index.  Nothing is kept per
 * mapping, so add/remove/move have nothing to do, as in rmap_obj.c.
 *
 * File pages are walked as rmap_obj.c walks them (i_mmap, an interval tree
 * in the model where 2.6.7 had a prio_tree: the same VMAs match).
 *
 * Invariant the checker relies on: every VMA that maps an anonymous page is
 * linked to the root of page->mapping (oracle/invariants.c checks the link
 * to page->mapping itself; the root follows from the induction above).
 */
#include "core/anon_vma.h"
#include "core/interval_tree.h"
#include "core/ksm.h"
#include "core/mm_types.h"
#include "core/pgtable.h"
#include "core/rmap.h"

/*
 * Nothing to do at add/remove/move/move_frame (NULL ops): the design keeps
 * no per-page state of its own beyond page->mapping, which core keeps.
 */
struct list_walk {
	struct world *w;
	pfn_t pfn;
	uint64_t index;
	struct rmap_walk_control *rwc;
};

/* vma_address (2.6.7) + the PTE check of page_check_address */
static bool list_walk_one(struct itree_node *n, void *arg)
{
	struct list_walk *lw = arg;
	struct world *w = lw->w;
	struct vma *vma = itree_entry(n, struct anon_vma_chain, rb)->vma;
	uint64_t addr, *pte;

	w->stats.vmas_visited++;
	if (lw->index < vma->pgoff || lw->index > vma_last_pgoff(vma))
		return true;
	addr = vma->start + ((lw->index - vma->pgoff) << PAGE_SHIFT);
	if (lw->rwc->visit)
		lw->rwc->visit(w, vma, addr, lw->rwc->arg);
	/* page_vma_mapped_walk(): a PTE, or a PMD leaf of its folio */
	pte = pvmw_slot(w, vma->mm, addr, lw->pfn);
	w->stats.ptes_checked++;
	if (!pte)
		return true;
	return lw->rwc->rmap_one(w, lw->pfn, vma, addr, pte, lw->rwc->arg);
}

static int anonvma2004_walk(struct world *w, pfn_t pfn,
			    struct rmap_walk_control *rwc)
{
	struct page *page = pfn_page(w, pfn);
	struct list_walk lw = { w, pfn, page->index, rwc };
	struct anon_vma *root;

	if (page->kind != PAGE_ANON)
		return rmap_obj_ops.walk(w, pfn, rwc);
	if (!page->mapping)
		return 0;      /* not mapped anywhere (a swap-cache page) */
	/*
	 * 2.6.7 had no KSM (2.6.32 brought it, with its own rmap_items, which
	 * name (mm, address) whatever the anon_vma design): a KSM page is
	 * walked through its stable node here too.
	 */
	if (page_is_ksm(page))
		return rmap_walk_ksm(w, pfn, rwc);
	root = ((struct anon_vma *)page->mapping)->root;
	/* the whole range: list_for_each_entry(vma, &anon_vma->head, ...) */
	itree_query(&root->rb_root, 0, UINT64_MAX, list_walk_one, &lw);
	return 0;
}

const struct rmap_ops rmap_anonvma2004_ops = {
	.name = "anonvma2004",
	.walk = anonvma2004_walk,
};
