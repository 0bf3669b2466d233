/*
 * rmap_obj.c - object-based reverse mapping, as Linux does it since 2.6
 * (mm/rmap.c: rmap_walk_anon, rmap_walk_file, vma_address,
 * page_vma_mapped_walk).
 *
 * Nothing is recorded per mapping: a page names its object (page->mapping:
 * an anon_vma for anonymous pages, the address_space for page-cache pages)
 * and its offset (page->index).  A walk asks the object's interval tree for the VMAs
 * whose [vm_pgoff, last page offset] contains the offset, computes
 *
 *	address = vm_start + ((page->index - vm_pgoff) << PAGE_SHIFT)
 *
 * in each, and confirms it by walking that VMA's page table: the arithmetic
 * proposes, the page table decides.
 *
 * The anon_vma tree and i_mmap are mm state kept by core (anon_vma.c,
 * address_space.c): VMA merging, fork and mremap decide by them in either world.  So
 * this backend has no add/remove/move (NULL ops): setting page->mapping at the
 * first fault (__folio_set_anon) and moving it on COW reuse
 * (folio_move_anon_rmap) is done by the fault code for every world.
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/interval_tree.h"
#include "core/ksm.h"
#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/rmap_obj.h"
#include "core/vma.h"

struct obj_walk {
	struct world *w;
	pfn_t pfn;
	uint64_t index;
	struct rmap_walk_control *rwc;
};

/*
 * Where page_vma_mapped_walk() starts in VMA for the page at ADDR, the
 * IDX-th of its folio: vma_address() of the folio, its head's address,
 * no lower than vm_start (mm/internal.h)
 */
static uint64_t pvmw_start(const struct vma *vma, uint64_t addr, uint32_t idx)
{
	uint64_t off = (uint64_t)idx << PAGE_SHIFT;

	return addr - vma->start < off ? vma->start : addr - off;
}

/* vma_address + page_vma_mapped_walk for one candidate VMA */
static bool rmap_one_vma(struct obj_walk *ow, struct vma *vma)
{
	struct world *w = ow->w;
	uint32_t idx = pfn_page(w, ow->pfn)->folio_idx;
	uint64_t addr;
	uint64_t *pte;

	w->stats.vmas_visited++;
	if (ow->index < vma->pgoff || ow->index > vma_last_pgoff(vma))
		return true;
	/* [vm_pgoff, last) instead of [vm_pgoff, last] */
	if (BUG_INJECTED(obj_vma_address_skips_last,
			 ow->index == vma_last_pgoff(vma)))
		return true;
	/* the folio's head below vm_pgoff taken for "not in this VMA" */
	if (BUG_INJECTED(thp_vma_address_below_pgoff,
			 idx > ow->index - vma->pgoff))
		return true;
	addr = vma->start + ((ow->index - vma->pgoff) << PAGE_SHIFT);
	/* a walk that gives up where the folio's first page table is missing */
	if (BUG_INJECTED(pvmw_thp_stops_at_table_gap,
			 idx && !pte_lookup(w, vma->mm, pvmw_start(vma, addr, idx)) &&
			 ((pvmw_start(vma, addr, idx) ^ addr) & PMD_MASK)))
		return true;
	if (ow->rwc->visit)
		ow->rwc->visit(w, vma, addr, ow->rwc->arg);
	/* page_vma_mapped_walk(): a PTE, or a PMD leaf of its folio */
	pte = pvmw_slot(w, vma->mm, addr, ow->pfn);
	w->stats.ptes_checked++;
	if (!pte)
		return true;
	return ow->rwc->rmap_one(w, ow->pfn, vma, addr, pte, ow->rwc->arg);
}

static bool anon_one(struct itree_node *n, void *arg)
{
	return rmap_one_vma(arg, itree_entry(n, struct anon_vma_chain, rb)->vma);
}

static bool file_one(struct itree_node *n, void *arg)
{
	return rmap_one_vma(arg, itree_entry(n, struct vma, shared));
}

static int obj_walk(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc)
{
	struct page *page = pfn_page(w, pfn);
	struct obj_walk ow = { w, pfn, page->index, rwc };

	if (!page->mapping)
		return 0;      /* not mapped anywhere (a swap-cache page) */
	if (page_is_ksm(page))      /* rmap_walk() -> rmap_walk_ksm() */
		return rmap_walk_ksm(w, pfn, rwc);
	if (page->kind == PAGE_ANON) {
		struct anon_vma *av = page->mapping;

		itree_query(&av->rb_root, ow.index, ow.index, anon_one, &ow);
	} else if (page->kind == PAGE_FILE) {
		struct address_space *mapping = page->mapping;

		itree_query(&mapping->i_mmap, ow.index, ow.index, file_one, &ow);
	}
	return 0;
}

/*
 * Deliberate corruption for the tests that prove the lockstep checker
 * catches a broken object rmap: take the nth AVC of the VMA at pid:addr
 * out of its anon_vma's interval tree (the VMA still lists it in its chain,
 * as a half-done anon_vma_chain_link would), and put it back.
 */
static struct anon_vma_chain *avc_at(struct world *w, unsigned pid,
				     uint64_t addr, unsigned nth)
{
	struct mm *mm = mm_get(w, pid);
	struct vma *vma = mm ? vma_lookup(mm, addr) : NULL;

	return vma && nth < vma->navc ? vma->avc[nth] : NULL;
}

static int obj_hide_avc(struct world *w, unsigned pid, uint64_t addr,
			unsigned nth)
{
	struct anon_vma_chain *avc = avc_at(w, pid, addr, nth);

	if (!avc || !itree_remove(&avc->anon_vma->rb_root, &avc->rb))
		return -ENOENT;
	return 0;
}

static int obj_restore_avc(struct world *w, unsigned pid, uint64_t addr,
			   unsigned nth)
{
	struct anon_vma_chain *avc = avc_at(w, pid, addr, nth);

	if (!avc)
		return -ENOENT;
	itree_insert(&avc->anon_vma->rb_root, &avc->rb, avc->vma->pgoff,
		     vma_last_pgoff(avc->vma), avc->vma->serial);
	return 0;
}

static const struct rmap_debug_ops obj_debug_ops = {
	.hide_avc = obj_hide_avc,
	.restore_avc = obj_restore_avc,
};

/* nothing to set up and nothing recorded per mapping: only a walk */
const struct rmap_ops rmap_obj_ops = {
	.name = "obj",
	.walk = obj_walk,
	.debug = &obj_debug_ops,
};

/* ---- rmap_obj.h: through the world's debug hooks, whatever its backend -- */

int rmap_obj_hide_avc(struct world *w, unsigned pid, uint64_t addr, unsigned nth)
{
	const struct rmap_debug_ops *d = rmap_debug(w);

	return d && d->hide_avc ? d->hide_avc(w, pid, addr, nth) : -ENOENT;
}

int rmap_obj_restore_avc(struct world *w, unsigned pid, uint64_t addr,
			 unsigned nth)
{
	const struct rmap_debug_ops *d = rmap_debug(w);

	return d && d->restore_avc ? d->restore_avc(w, pid, addr, nth) : -ENOENT;
}
