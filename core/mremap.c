/*
 * mremap.c - mremap as Linux 6.18 does it (mm/mremap.c: check_mremap_params,
 * mremap_at, mremap_to, remap_move, remap_is_valid, move_vma, copy_vma,
 * dontunmap_complete).
 *
 *   shrink        unmap the tail, in place
 *   grow          in place if nothing follows, else move (MREMAP_MAYMOVE)
 *   fixed/dontunmap  move to new_addr (or a free area), MAP_FIXED style
 *   fixed, same length  may span several VMAs (6.17): each moves with the
 *                 gaps between them kept
 *
 * A moved range keeps its pages and PTE bits; its new VMA gets
 * vm_pgoff = old vm_pgoff + offset, except an anonymous VMA that never
 * faulted (no anon_vma), which is re-based to new_addr >> PAGE_SHIFT
 * (copy_vma), so the linearity formula keeps holding for every PTE.
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/anon_vma.h"
#include "core/bug.h"
#include "core/huge_memory.h"
#include "core/interleave.h"
#include "core/ksm.h"
#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/syscalls.h"
#include "core/vma.h"

struct remap {
	struct mm *mm;
	uint64_t addr, old_len, new_len, new_addr;
	unsigned flags;
};

/* get_unmapped_area without a hint: the highest gap below MMAP_BASE */
static int unmapped_area_topdown(const struct mm *mm, uint64_t len, uint64_t *out)
{
	uint64_t top = MMAP_BASE;

	if (len > MMAP_BASE)
		return -ENOMEM;
	for (uint32_t i = mm->nvmas; i-- > 0;) {
		const struct vma *v = mm->vmas[i];

		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len) {
			*out = top - len;
			return 0;
		}
		top = v->start;
	}
	if (top >= PAGE_SIZE * 16 && top - PAGE_SIZE * 16 >= len) {
		*out = top - len;
		return 0;
	}
	return -ENOMEM;
}

struct move_arg {
	struct vma *ovma, *nvma;
	uint64_t delta;       /* new address - old address */
	int err;
	uint64_t table;       /* move_one: the PTE table moved last (+1), 0 none */
	uint64_t new_table;   /*   and the table it moved into */
	/*
	 * copy_vma()'s need_rmap_locks: move_ptes() takes the rmap locks
	 * (take_rmap_locks: i_mmap_rwsem and the anon_vma root for write)
	 * when the new VMA may come before the old one in an rmap walk.
	 */
	bool need_rmap_locks;
	/* the rmap walk may visit the new VMA before the old one */
	bool dst_first;
	/*
	 * the injected bug mremap_skips_ksm_unmerge: the range was not
	 * unmerged and its KSM pages move with rmap_items left at the old
	 * addresses, as before 1ff829957316 (no kernel ever moved them)
	 */
	bool ksm_items_stay;
};

static void prealloc_one(struct world *w, struct mm *mm, uint64_t va,
			 uint64_t *pte, void *arg)
{
	struct move_arg *ma = arg;
	uint64_t *npte;

	if (!ma->err)
		ma->err = pte_alloc(w, mm, va + ma->delta, &npte);
}

/* move_ptes: the entry moves as it is; the backend follows it */
static void move_one(struct world *w, struct mm *mm, uint64_t va,
		     uint64_t *pte, void *arg)
{
	struct move_arg *ma = arg;
	uint64_t *npte, e;

	/*
	 * move_page_tables(): each PMD's worth of PTEs moves in one
	 * move_ptes() call, which takes the rmap locks (need_rmap_locks) and
	 * both PTLs and drops them all at its end: between two tables an rmap
	 * walker may run, with nothing held.
	 */
	/*
	 * get_extent() ends a batch at the next PMD boundary of the old range
	 * or of the new one, whichever comes first: a new batch starts where
	 * either table changes.
	 */
	if (ma->table && (ma->table != (va >> (PAGE_SHIFT + 9)) + 1 ||
			  ma->new_table != (va + ma->delta) >> (PAGE_SHIFT + 9)))
		MM_YIELD(w, YP_MREMAP_BETWEEN_TABLES);
	ma->table = (va >> (PAGE_SHIFT + 9)) + 1;
	ma->new_table = (va + ma->delta) >> (PAGE_SHIFT + 9);
	npte = pte_lookup(w, mm, va + ma->delta);
	e = *pte;
	BUG_ON(!npte || !pte_none(*npte));
	set_pte(w, pte, 0);
	/*
	 * move_ptes(): ptep_get_and_clear() took the entry from the old table
	 * and set_pte_at() has not yet put it in the new one; both PTLs are
	 * held, and the rmap locks if need_rmap_locks.  A walker that visits
	 * the new VMA first (it does not hold those locks) finds the PTE in
	 * neither (interleave.h, moving_src_first).
	 */
	MM_YIELD(w, YP_MREMAP_MOVE_PTE,
		 .anon_vma = ma->need_rmap_locks ? ma->ovma->anon_vma : NULL,
		 .i_mmap = ma->need_rmap_locks ? ma->ovma->mapping : NULL,
		 .ptl = pt_of_slot(pte)[PT_PFN], .ptl2 = pt_of_slot(npte)[PT_PFN],
		 .moving = pte_present(e), .moving_pfn = pte_pfn(e),
		 .moving_src_first = !ma->dst_first, .moving_pid = mm->pid,
		 .moving_from = va, .moving_to = va + ma->delta);
	set_pte(w, npte, e);
	if (pte_present(e) && page_is_ksm(pfn_page(w, pte_pfn(e))) &&
	    !ma->ksm_items_stay)
		ksm_pte_moved(w, pte_pfn(e), ma->ovma, va, ma->nvma,
			      va + ma->delta);
	if (pte_present(e) && pte_pfn(e) != w->phys.zero_pfn) {
		rmap_move(w, pte_pfn(e), ma->ovma, va, ma->nvma, va + ma->delta);
		rmap_event_move(w, pte_pfn(e), ma->nvma, va, va + ma->delta);
	}
}

/*
 * move_page_tables() at a PMD leaf: moved whole by move_huge_pmd() when
 * the extent is the full 2 MiB at both ends (both addresses aligned, the
 * whole leaf inside the range: split_leaves_for_move split the others);
 * when the new PMD slot is not none, split and moved by PTEs instead.
 */
static void move_leaf(struct world *w, struct mm *mm, uint64_t haddr,
		      uint64_t *pmd, void *arg)
{
	struct move_arg *ma = arg;
	uint64_t *t;

	if (ma->table && ma->table != (haddr >> (PAGE_SHIFT + 9)) + 1)
		MM_YIELD(w, YP_MREMAP_BETWEEN_TABLES);
	/*
	 * move_page_tables(): take_rmap_locks() around move_pgt_entry(
	 * HPAGE_PMD, ...) when need_rmap_locks, as around move_ptes() (the
	 * rule itself, dst_first: mremap_merge_skips_rmap_locks forgets it for
	 * move_ptes() only, so that each bug has its own window).  The bug
	 * moves the PMD without them (the state before Shutemov's 2014 fix,
	 * when move_page_tables() took them for move_ptes() only).
	 */
	bool rmap_locked = ma->dst_first &&
		!BUG_INJECTED(move_huge_pmd_skips_rmap_locks, true);

	if (!move_huge_pmd(w, ma->ovma, haddr, ma->nvma, haddr + ma->delta,
			   rmap_locked, !ma->dst_first)) {
		ma->table = (haddr >> (PAGE_SHIFT + 9)) + 1;
		ma->new_table = (haddr + ma->delta) >> (PAGE_SHIFT + 9);
		return;
	}
	split_huge_pmd_address(w, ma->ovma, haddr);
	t = pte_lookup(w, mm, haddr);
	for (unsigned i = 0; i < PTRS_PER_PT; i++)
		if (t[i])
			move_one(w, mm, haddr + ((uint64_t)i << PAGE_SHIFT),
				 &t[i], ma);
}

static void prealloc_leaf(struct world *w, struct mm *mm, uint64_t haddr,
			  uint64_t *pmd, void *arg)
{
	struct move_arg *ma = arg;
	uint64_t *npmd;

	if (!ma->err)
		ma->err = pmd_alloc(w, mm, haddr + ma->delta, &npmd);
}

/*
 * Does move_page_tables() move the PTE table of the PMD at HADDR whole
 * (move_pgt_entry(NORMAL_PMD) -> move_normal_pmd())?  When get_extent() is
 * a whole PMD (the range covers it, and its destination is 2 MiB aligned
 * too), the old PMD slot holds a PTE table and the new one is none
 * (alloc_new_pmd() makes only the PMD table; a table a neighbour kept there
 * makes it fall back to move_ptes()).  Then the old range's PMD is none
 * after the move: seen on the 6.18 host, a later fault in a DONTUNMAP'd
 * old range maps a PMD THP there (corpus/regressions/
 * mremap_moves_whole_pte_table.rmt, found by a kernel-engine campaign).
 */
static bool table_moves_whole(struct world *w, struct mm *mm,
			      const struct remap *r, uint64_t delta,
			      uint64_t haddr)
{
	uint64_t *opmd, *npmd;

	if (haddr < r->addr || haddr + PMD_SIZE > r->addr + r->old_len ||
	    ((haddr + delta) & ~PMD_MASK))
		return false;
	opmd = pmd_lookup(w, mm, haddr);
	if (!opmd || !pgd_table(*opmd))
		return false;
	npmd = pmd_lookup(w, mm, haddr + delta);
	return !npmd || pte_none(*npmd);
}

/*
 * move_normal_pmd(): the table moves, its PTEs with it; each page's rmap
 * follows as move_ptes() would have it (a PTE-chain entry names the PTE's
 * slot, which does not change; KSM's rmap_items name addresses, which do)
 */
static void move_table(struct world *w, struct mm *mm, uint64_t haddr,
		       struct move_arg *ma)
{
	uint64_t *t, *opmd, *npmd, pmd_entry;
	/*
	 * move_page_tables(): move_pgt_entry(NORMAL_PMD, ..., true) takes the
	 * rmap locks around every whole-table move, whatever need_rmap_locks
	 * says, since Aneesh Kumar K.V's "mm/mremap: hold the rmap lock in
	 * write mode when moving page table entries." (97113eb39fa7, 2021):
	 * move_normal_pmd() holds only the PMD locks, not the PTE table's, so
	 * a walk of the old VMA first does not wait for it as it waits for
	 * move_ptes().  The bug takes them only when need_rmap_locks, as
	 * 2c91bd4a4e2e (the PMD move, 2018) did until then.
	 */
	bool rmap_locked = !BUG_INJECTED(move_normal_pmd_skips_rmap_locks,
					 !ma->need_rmap_locks);

	if (ma->table)
		MM_YIELD(w, YP_MREMAP_BETWEEN_TABLES);
	ma->table = (haddr >> (PAGE_SHIFT + 9)) + 1;
	ma->new_table = (haddr + ma->delta) >> (PAGE_SHIFT + 9);
	/*
	 * move_page_tables() chose move_pgt_entry(NORMAL_PMD) from what
	 * get_old_pmd() read, holding mmap_lock alone: the rmap locks and the
	 * PMD locks come later (take_rmap_locks, move_normal_pmd's pmd_lock).
	 * retract_page_tables() takes neither mmap_lock nor, of this mm,
	 * anything held here: it may free the table now (CVE-2024-50066).
	 */
	MM_YIELD(w, YP_MREMAP_TABLE_CHOSEN);
	opmd = pmd_lookup(w, mm, haddr);
	npmd = pmd_lookup(w, mm, haddr + ma->delta);
	BUG_ON(!opmd || !npmd || !pte_none(*npmd));
	/*
	 * move_normal_pmd(), under both PMD locks: "Racing with collapse?"
	 * (6fa1066fc5d0, Jann Horn and David Hildenbrand, 2024): a PMD that
	 * no longer holds a page table is not moved (return false), and
	 * move_page_tables() finds pmd_none(*old_pmd) and goes on to the next
	 * extent: nothing of this one is moved, no table is made for it.  Only
	 * retract_page_tables() changes the PMD without mmap_lock, and it
	 * leaves it none.  The bug (move_normal_pmd_skips_recheck) moves what
	 * it reads under the lock all the same, as before that fix.
	 */
	if (!pgd_table(*opmd) &&
	    !BUG_INJECTED(move_normal_pmd_skips_recheck, true)) {
		BUG_ON(!pte_none(*opmd));
		return;
	}
	/*
	 * move_normal_pmd(): pmd_clear(old_pmd), then pmd_populate(new_pmd):
	 * between them the table, and every PTE in it, is under neither PMD
	 * (interleave.h, detached_to).
	 */
	pmd_entry = pgtable_detach_pte_table(w, mm, haddr);
	MM_YIELD(w, YP_MREMAP_MOVE_TABLE,
		 .anon_vma = rmap_locked ? ma->ovma->anon_vma : NULL,
		 .i_mmap = rmap_locked ? ma->ovma->mapping : NULL,
		 .ptl = pt_of_slot(opmd)[PT_PFN], .ptl2 = pt_of_slot(npmd)[PT_PFN],
		 .detached = pte_pfn(pmd_entry), .detached_pid = mm->pid,
		 .detached_va = haddr, .detached_to = haddr + ma->delta);
	if (!pmd_entry) {
		/*
		 * the bug's pmd_populate(mm, new_pmd, pmd_pgtable(pmd)) of the
		 * none PMD it read: pmd_pgtable(0) is frame 0's page, now the
		 * new PMD's "page table" ("on x86, you can end up with
		 * physical page 0 mapped as a page table", 6fa1066fc5d0); the
		 * oracle's page-table scan reports it (pgtable-entry)
		 */
		set_pte(w, npmd, pfn_pte(0, PTE_TABLE));
		return;
	}
	pgtable_attach_pte_table(w, mm, haddr + ma->delta, pmd_entry);
	t = pte_lookup(w, mm, haddr + ma->delta);
	for (unsigned i = 0; i < PTRS_PER_PT; i++) {
		uint64_t va = haddr + ((uint64_t)i << PAGE_SHIFT), e = t[i];

		if (!pte_present(e) || pte_pfn(e) == w->phys.zero_pfn)
			continue;
		if (page_is_ksm(pfn_page(w, pte_pfn(e))) && !ma->ksm_items_stay)
			ksm_pte_moved(w, pte_pfn(e), ma->ovma, va, ma->nvma,
				      va + ma->delta);
		rmap_event_move(w, pte_pfn(e), ma->nvma, va, va + ma->delta);
	}
}

/*
 * Each PMD's worth of [r->addr, r->addr + r->old_len) in address order: a
 * PTE table that moves whole to TABLE, the rest entry by entry to ONE and
 * LEAF (pgtable_range_each).
 */
static void each_pmd_of_move(struct world *w, struct mm *mm,
			     const struct remap *r, struct move_arg *ma,
			     void (*table)(struct world *, struct mm *,
					   uint64_t, struct move_arg *),
			     pte_fn one, pmd_fn leaf)
{
	uint64_t end = r->addr + r->old_len;

	for (uint64_t a = r->addr; a < end;) {
		uint64_t next = (a & PMD_MASK) + PMD_SIZE;

		if (next > end)
			next = end;
		if (table_moves_whole(w, mm, r, ma->delta, a & PMD_MASK))
			table(w, mm, a, ma);
		else
			pgtable_range_each(w, mm, a, next, one, leaf, ma);
		a = next;
	}
}

/* the destination's PMD table for a PTE table that will move whole */
static void prealloc_table(struct world *w, struct mm *mm, uint64_t haddr,
			   struct move_arg *ma)
{
	uint64_t *npmd;

	if (!ma->err)
		ma->err = pmd_alloc(w, mm, haddr + ma->delta, &npmd);
}

/*
 * move_page_tables(), for each extent (split where the old range or the
 * new one crosses a PMD line, get_extent()) whose old PMD holds a PTE
 * table (get_old_pmd() non-none), empty or not: alloc_new_pmd() and
 * pte_alloc() of the new one before move_ptes() moves what there is.  So
 * the destination gets a PTE table wherever the source had one, even for
 * a part with no PTE (seen on the 6.18 host: a later UFFDIO_MOVE finds it,
 * corpus/regressions/mremap_allocates_dst_tables_for_empty_src.rmt).
 */
static void prealloc_dst_tables(struct world *w, struct mm *mm,
				const struct remap *r, struct move_arg *ma)
{
	uint64_t end = r->addr + r->old_len, *pmd, *npte;

	for (uint64_t a = r->addr; a < end && !ma->err;) {
		uint64_t next = (a & PMD_MASK) + PMD_SIZE;
		uint64_t dnext = ((a + ma->delta) & PMD_MASK) + PMD_SIZE;

		if (dnext - ma->delta < next)
			next = dnext - ma->delta;
		if (next > end)
			next = end;
		pmd = pmd_lookup(w, mm, a);
		if (pmd && pgd_table(*pmd) &&
		    !table_moves_whole(w, mm, r, ma->delta, a & PMD_MASK))
			ma->err = pte_alloc(w, mm, a + ma->delta, &npte);
		a = next;
	}
}

/* the leaves of [addr, addr + len) that cannot move whole are split */
static void split_leaves_for_move(struct world *w, struct vma *vma,
				  uint64_t addr, uint64_t len, uint64_t delta)
{
	for (uint64_t a = addr & PMD_MASK; a < addr + len; a += PMD_SIZE)
		if (a < addr || a + PMD_SIZE > addr + len ||
		    ((a + delta) & ~PMD_MASK))
			split_huge_pmd_address(w, vma, a);
}

/* copy_vma without the merge (vma_merge_copy, by the caller) */
static struct vma *copy_vma(struct world *w, struct vma *vma, uint64_t addr,
			    uint64_t new_addr, uint64_t new_len, bool dontunmap)
{
	struct vma *nv = vma_dup(w, vma);

	if (!nv)
		return NULL;
	nv->start = new_addr;
	nv->end = new_addr + new_len;
	nv->pgoff = linear_page_index(vma, addr);
	/*
	 * copy_vma(): an unfaulted anonymous VMA takes the vm_pgoff of its new
	 * address.  The bug keeps the old one, which changes something only
	 * where the two differ (a VMA moved back to where its vm_pgoff points
	 * keeps it either way).
	 */
	if (vma_is_anonymous(vma) && !vma->anon_vma &&
	    !BUG_INJECTED(mremap_unfaulted_keeps_pgoff,
			  nv->pgoff != new_addr >> PAGE_SHIFT))
		nv->pgoff = new_addr >> PAGE_SHIFT;
	/* the moved VMA without the source's anon_vma state */
	if (BUG_INJECTED(mremap_dontunmap_no_anon_vma,
			 dontunmap && vma->anon_vma)) {
		nv->anon_vma = NULL;
	} else if (anon_vma_clone(w, nv, vma, false)) {
		vma_free(nv);
		return NULL;
	}
	vma_link(w, vma->mm, nv);
	vma_note_event(w, nv, VMA_EV_COPY);
	return nv;
}

/* after the PTEs moved: what becomes of the source VMA (now empty) */
static void release_source(struct world *w, struct remap *r, struct vma *vma,
			   const struct vma *nv)
{
	if (r->flags & MREMAP_DONTUNMAP) {
		/*
		 * dontunmap_complete: the whole source VMA, never split.  6.18
		 * clears only VM_LOCKED_MASK there (0e59f47c15ce reverted the
		 * VM_ACCOUNT clearing of 6.16), which the model has no use for:
		 * the old VMA keeps its flags and merges as before.
		 */
		if (nv != vma && r->addr == vma->start && r->addr + r->old_len == vma->end)
			unlink_anon_vmas(w, vma);
	} else if (r->old_len) {
		/*
		 * unmap_source_vma; old_len == 0 duplicated a shared mapping and
		 * unmaps nothing.  Only when the destination merged into the source
		 * piece itself can this split again; if that cannot be allocated
		 * the source stays mapped, without its pages, as in Linux.
		 */
		if (do_munmap(w, r->mm, r->addr, r->old_len))
			w->fail_fallback = true;  /* mremap succeeds all the same */
	}
}

/*
 * Linux's copy_vma() merges the destination against the source VMA whole:
 * move_vma() splits it only when it unmaps the old range.  The model
 * splits first, so when the merge takes in the source piece (an unfaulted
 * anonymous source moved next to itself: its vm_pgoff is the new address
 * then) and brings it a neighbour's anon_vma (vma_expand's dup_anon_vma),
 * the parts split off the source (SPLIT_START: the one ending at
 * r->addr, SPLIT_END: the one starting at r->addr + old_len) were in that
 * merge too in Linux, and keep the anon_vma when the unmap splits them
 * off again.  A part with an anon_vma already had the source's, which the
 * merge had to match.  Seen on the 6.18 host (kernel_compare.sh seed
 * 62400: the part later refused a merge as a fork child; scenario 239).
 */
static void source_parts_take_anon_vma(struct world *w, struct remap *r,
				       struct vma *merged, bool split_start,
				       bool split_end)
{
	struct vma *part[2] = {
		split_start ? vma_lookup(r->mm, r->addr - PAGE_SIZE) : NULL,
		split_end ? vma_lookup(r->mm, r->addr + r->old_len) : NULL,
	};

	for (int i = 0; i < 2; i++) {
		if (!part[i] || part[i] == merged || part[i]->anon_vma)
			continue;
		/* dup_anon_vma does not fail after the merge's checks here:
		 * the model allocates nothing it could be refused */
		part[i]->anon_vma = merged->anon_vma;
		w->nofail++;
		BUG_ON(anon_vma_clone(w, part[i], merged, false));
		w->nofail--;
		vma_note_event(w, part[i], VMA_EV_MERGE);
	}
}

static int move_vma(struct world *w, struct remap *r)
{
	struct mm *mm = r->mm;
	bool unmap = !(r->flags & MREMAP_DONTUNMAP) && r->old_len;
	struct vma *vma, *nv;
	struct move_arg ma = { NULL, NULL, r->new_addr - r->addr, 0, 0, 0, false, false, false };
	bool split_start = false, split_end = false;
	int err = 0;

	/*
	 * prep_move_vma(): "Advise KSM to break any KSM pages in the area to
	 * be moved" (ksm_madvise(MADV_UNMERGEABLE) with a dummy flags word, so
	 * VM_MERGEABLE stays): rmap_items record addresses, and a KSM page
	 * must not turn up where it was never merged.
	 */
	vma = vma_lookup(mm, r->addr);
	/*
	 * the bug: the KSM pages of a mergeable VMA move as they are, as
	 * before "ksm: prevent mremap move poisoning" (1ff829957316, 2.6.32):
	 * their rmap_items keep the old addresses (ksm_items_stay)
	 */
	ma.ksm_items_stay = BUG_INJECTED(mremap_skips_ksm_unmerge,
		(vma->flags & VM_MERGEABLE) &&
		ksm_range_maps_ksm(w, vma, r->addr, r->addr + r->old_len));
	if ((vma->flags & VM_MERGEABLE) && !ma.ksm_items_stay) {
		uint32_t dummy = vma->flags;

		err = ksm_madvise(w, vma, r->addr, r->addr + r->old_len,
				  ADV_UNMERGEABLE, &dummy);
		if (err)
			return err;
	}

	/*
	 * Split the source where it will be unmapped, so that the unmap after
	 * the move needs no allocation: a failure is reported before anything
	 * moved.  (The destination of a fixed move was unmapped first, so the
	 * VMAs next to it are the same split or not.)
	 */
	if (unmap && vma_lookup(mm, r->addr)->start != r->addr) {
		err = vma_split_at(w, mm, r->addr);
		split_start = !err;
	}
	if (unmap && !err && vma_lookup(mm, r->addr)->end > r->addr + r->old_len) {
		err = vma_split_at(w, mm, r->addr + r->old_len);
		split_end = !err;
	}
	/* the destination's page tables: after these nothing can fail */
	vma = vma_lookup(mm, r->addr);
	ma.ovma = vma;
	if (!err) {
		split_leaves_for_move(w, vma, r->addr, r->old_len, ma.delta);
		each_pmd_of_move(w, mm, r, &ma, prealloc_table, prealloc_one,
				 prealloc_leaf);
		prealloc_dst_tables(w, mm, r, &ma);
	}
	nv = err || ma.err ? NULL : copy_vma(w, vma, r->addr, r->new_addr,
					     r->new_len,
					     r->flags & MREMAP_DONTUNMAP);
	if (!nv) {
		pgtable_prune(w, mm, r->new_addr, r->new_addr + r->new_len);
		/* nothing moved: the source VMA is made whole again */
		if (split_end)
			vma_unsplit(w, mm, r->addr + r->old_len);
		if (split_start)
			vma_unsplit(w, mm, r->addr);
		return err ? err : ma.err ? ma.err : -ENOMEM;
	}
	/*
	 * copy_vma merges at the destination before anything moves, against
	 * the source as it still is: flags not yet changed by dontunmap, and
	 * possibly the source itself (an unfaulted anonymous VMA moved next to
	 * itself), which is then the VMA the PTEs move within.
	 */
	nv = vma_merge_copy(w, nv);
	vma = vma_lookup(mm, r->addr);
	if (nv == vma && nv->anon_vma)
		source_parts_take_anon_vma(w, r, nv, split_start, split_end);
	ma.ovma = vma;
	ma.nvma = nv;
	/*
	 * copy_vma() (mm/vma.c, 6.18): a new VMA of its own is inserted after
	 * the old one in the rmap trees, so the walk order is old then new and
	 * move_ptes() needs no rmap lock; a destination merged into a
	 * neighbour keeps that VMA's place: need_rmap_locks =
	 * new_vma->vm_pgoff <= vma->vm_pgoff.  The bug forgets the merged case
	 * (the state before Arcangeli's 2011 fix).
	 */
	ma.dst_first = (nv->start != r->new_addr ||
			nv->end != r->new_addr + r->new_len) &&
		       nv->pgoff <= vma->pgoff;
	ma.need_rmap_locks = ma.dst_first &&
		!BUG_INJECTED(mremap_merge_skips_rmap_locks, true);
	each_pmd_of_move(w, mm, r, &ma, move_table, move_one, move_leaf);
	/*
	 * move_vma(): move_page_tables() is done, the PTEs are in the new VMA;
	 * the old range is unmapped after (do_vmi_munmap), with no lock held
	 * in between.
	 */
	MM_YIELD(w, YP_MREMAP_MOVED);
	/*
	 * move_page_tables() leaves the old range's page tables in place,
	 * empty; only the unmap of the old range frees them (free_pgtables,
	 * in release_source's do_munmap), as far as no neighbour's span
	 * touches them.  With MREMAP_DONTUNMAP the old VMA stays and so do
	 * its tables: a later fault there finds its PMD not none and maps no
	 * PMD THP (seen on the 6.18 host: scenario 234, found by a
	 * kernel-engine campaign)
	 */
	release_source(w, r, vma, nv);
	return 0;
}

/*
 * check_prep_vma (remap_is_valid before 6.17): only for a remap that maps
 * something new, i.e. grows or moves; checked before the destination of a
 * fixed move is unmapped.
 */
static int check_prep_vma(struct remap *r, const struct vma *vma)
{
	if (r->new_len <= r->old_len &&
	    !(r->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return 0;
	/* what moves: a shrinking move shrinks first (kernel checked: a
	 * fixed shrink whose old range spans VMAs succeeds) */
	uint64_t moved = r->old_len < r->new_len ? r->old_len : r->new_len;

	if (!r->old_len && !(vma->flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if (moved > vma->end - r->addr)
		return -EFAULT;
	if (r->new_len <= r->old_len)
		return 0;
	if (linear_page_index(vma, r->addr) + (r->new_len >> PAGE_SHIFT) <
	    linear_page_index(vma, r->addr))
		return -EINVAL;
	return 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a + alen > b && b + blen > a;
}

/*
 * mremap_to: the move to a fixed address (or, dontunmap only, a free one);
 * the range checks were made before (check_prep_vma), before anything at
 * the destination is unmapped.
 */
static int mremap_to(struct world *w, struct remap *r)
{
	int err;

	if (r->flags & MREMAP_FIXED) {
		err = do_munmap(w, r->mm, r->new_addr, r->new_len);
		if (err)
			return err;
		if (!vma_lookup(r->mm, r->addr))
			return -EFAULT;
	}
	if (r->old_len > r->new_len) {
		err = do_munmap(w, r->mm, r->addr + r->new_len, r->old_len - r->new_len);
		if (err)
			return err;
		r->old_len = r->new_len;
	}
	if (!vma_lookup(r->mm, r->addr))
		return -EFAULT;
	if (!(r->flags & MREMAP_FIXED)) {
		err = unmapped_area_topdown(r->mm, r->new_len, &r->new_addr);
		if (err)
			return err;
	}
	return move_vma(w, r);
}

/*
 * remap_move: a fixed move without resize over every VMA of the range; no
 * gap is allowed before the first VMA, the gaps between VMAs are kept.
 */
static int remap_move(struct world *w, struct remap *r)
{
	uint64_t start = r->addr, end = r->addr + r->old_len;
	uint64_t target = r->new_addr, last_end = 0;
	bool seen = false;

	for (;;) {
		/* the walk goes on where the last piece ended (its VMA may have
		 * grown since: the destination can merge into it) */
		uint64_t pos = seen ? last_end : start;
		struct vma *vma = pos < end ? vma_find(r->mm, pos, NULL) : NULL;
		struct remap piece = *r;
		uint64_t a, len, offset;
		int err;

		if (!vma || vma->start >= end)
			break;
		if (!seen && start < vma->start)
			return -EFAULT;
		a = vma->start > pos ? vma->start : pos;
		len = (end < vma->end ? end : vma->end) - a;
		offset = seen ? a - last_end : 0;
		last_end = vma->end;
		piece.addr = a;
		piece.old_len = piece.new_len = len;
		piece.new_addr = target + offset;
		err = check_prep_vma(&piece, vma);
		if (!err)
			err = mremap_to(w, &piece);
		if (err)
			return err;
		seen = true;
		target = piece.new_addr + len;
	}
	return seen ? 0 : -EFAULT;
}

/* mremap_at: resize in place, moving only if it must and may */
static int mremap_at(struct world *w, struct remap *r, struct vma *vma)
{
	uint64_t delta;
	int err;

	if (r->new_len == r->old_len)
		return 0;
	if (r->new_len < r->old_len)
		return do_munmap(w, r->mm, r->addr + r->new_len, r->old_len - r->new_len);
	delta = r->new_len - r->old_len;
	if (vma->end - r->addr == r->old_len && vma->end + delta > vma->end &&
	    vma->end + delta <= TASK_SIZE) {
		struct vma *next = vma_find(r->mm, vma->end, NULL);

		if (!next || next->start >= vma->end + delta) {
			vma_merge_extend(w, vma, delta);
			return 0;
		}
	}
	if (!(r->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	err = unmapped_area_topdown(r->mm, r->new_len, &r->new_addr);
	if (err)
		return err;
	return move_vma(w, r);
}

int do_mremap(struct world *w, struct mm *mm, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, unsigned flags, uint64_t new_addr)
{
	struct remap r = { mm, addr, 0, 0, 0, flags };
	struct vma *vma;
	int err;

	/*
	 * do_mremap page-aligns both lengths before check_mremap_params (the
	 * 6.17 rework), so DONTUNMAP's no-resize rule compares aligned
	 * lengths: 0x800 and 0x1000 are the same one page.  Every check here
	 * is EINVAL, so their order does not show.
	 */
	r.old_len = PAGE_ALIGN(old_len);
	r.new_len = PAGE_ALIGN(new_len);
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (!r.new_len || r.new_len > TASK_SIZE)
		return -EINVAL;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		if (new_addr > TASK_SIZE - r.new_len || (new_addr & ~PAGE_MASK))
			return -EINVAL;
		if (!(flags & MREMAP_MAYMOVE))
			return -EINVAL;
		if ((flags & MREMAP_DONTUNMAP) && r.old_len != r.new_len)
			return -EINVAL;
		if (overlaps(addr, r.old_len, new_addr, r.new_len))
			return -EINVAL;
		r.new_addr = new_addr;
	}
	vma = vma_lookup(mm, addr);
	if (!vma)
		return -EFAULT;
	if ((flags & MREMAP_FIXED) && r.old_len == r.new_len)
		return remap_move(w, &r);
	err = check_prep_vma(&r, vma);
	if (err)
		return err;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return mremap_to(w, &r);
	return mremap_at(w, &r, vma);
}
