/*
 * interleave_run.c - the slow path of MM_YIELD (interleave.h): at the Nth
 * pass of the armed yield point, decide from the lock model whether the
 * walker could run there (interleave.h says which locks each walker
 * takes), and run it.  No header of its own: interleave.h, which the mm
 * code includes, depends on nothing of core, so the yield points add no
 * include circle.
 *
 * The walker runs whole, at the point: it stands for a walker that took its
 * locks there.  It is disarmed first, so the walker's own yield points (a
 * migration's) pass without running anything.
 */
#include <errno.h>
#include <string.h>

#include "bugs/bugs.h"
#include "core/folio.h"
#include "core/address_space.h"
#include "core/alloc.h"
#include "core/interleave.h"
#include "core/khugepaged_file.h"
#include "core/ksm.h"
#include "core/mm_types.h"
#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/rmap_consumers.h"

static const struct anon_vma *root_of(const struct anon_vma *av)
{
	return av ? av->root : NULL;
}

/*
 * does page table TABLE hold a present entry of frame PFN: a PTE of it,
 * or a PMD leaf of its folio (the PMD lock of a PMD table)?
 */
static bool table_maps(const struct world *w, pfn_t table, pfn_t pfn)
{
	const struct page *t = pfn_page(w, table);

	if (t->kind != PAGE_PGTABLE || (t->pt_level != 1 && t->pt_level != 2))
		return false;
	for (unsigned i = 0; i < PTRS_PER_PT; i++) {
		uint64_t e = t->table[i];

		if (!pte_present(e))
			continue;
		if (t->pt_level == 1 && pte_pfn(e) == pfn)
			return true;
		if (t->pt_level == 2 && pmd_leaf(e) && pfn >= pte_pfn(e) &&
		    pfn - pte_pfn(e) < PTRS_PER_PT)
			return true;
	}
	return false;
}

/* the slot of detached PTE table TABLE that maps PFN, or -1 */
static int detached_slot(const struct world *w, pfn_t table, pfn_t pfn)
{
	const struct page *t = pfn_page(w, table);

	for (unsigned i = 0; i < PTRS_PER_PT; i++)
		if (pte_present(t->table[i]) && pte_pfn(t->table[i]) == pfn)
			return (int)i;
	return -1;
}

/* is PFN among the pages in flight in move_ptes() or move_huge_pmd()? */
static bool moving(const struct yield_locks *held, pfn_t pfn)
{
	return held->moving && pfn >= held->moving_pfn &&
	       pfn - held->moving_pfn < (held->moving_nr ? held->moving_nr : 1);
}

struct meets_arg {
	const struct yield_locks *held;
	bool met;
};

static bool meets_one(struct world *w, pfn_t pfn, struct vma *vma,
		      uint64_t addr, uint64_t *pte, void *arg)
{
	struct meets_arg *m = arg;

	(void)w; (void)pfn; (void)addr; (void)pte;
	if (vma->mm == m->held->pt_mm[0] || vma->mm == m->held->pt_mm[1])
		m->met = true;
	return !m->met;
}

/*
 * 2.5's walker at YP_PTE_SET: does its chain (the PTE just set not on it
 * yet) name a PTE in an mm whose page_table_lock the op holds?
 */
static bool chain_meets_held_mm(struct world *w, pfn_t pfn,
				const struct yield_locks *held)
{
	struct meets_arg m = { held, false };
	struct rmap_walk_control rwc = { meets_one, &m, NULL };

	w->ilv.pending = held->pending;
	rmap_walk(w, pfn, &rwc);
	w->ilv.pending = NULL;
	return m.met;
}

/*
 * The lock of HELD that a walker of frame PFN would block on, or NULL.
 * The walker's side, mm/rmap.c: folio lock (try_to_migrate/try_to_unmap
 * callers, folio_referenced's folio_trylock), then rmap_walk_anon's
 * anon_vma_lock_read of the root or rmap_walk_file's i_mmap_lock_read, then
 * page_vma_mapped_walk's PTL of each table that maps the folio.
 *
 * The model's walkers take a table's PTL before they look at its PTE, as
 * remove_migration_pte() does (PVMW_SYNC | PVMW_MIGRATION, mm/migrate.c:
 * Hugh Dickins' 2011 "mm: fix race between mremap and removing migration
 * entry" stopped it peeking before the lock).  try_to_migrate(),
 * try_to_unmap() and folio_referenced() peek (page_vma_mapped_walk's
 * map_pte() skips a none PTE without the lock) and can miss a PTE in
 * flight; their callers survive that (the folio stays mapped: migration
 * fails, reclaim keeps it), a missed migration entry they do not.
 */
static const char *blocking_lock(struct world *w, pfn_t pfn,
				 const struct yield_locks *held)
{
	const struct page *page = pfn_page(w, pfn);

	if (held->folio[0] == pfn || held->folio[1] == pfn)
		return "folio";
	/* rmap_walk_ksm takes each rmap_item's anon_vma */
	if (page_is_ksm(page) && held->anon_vma && !held->anon_vma_read &&
	    ksm_page_locks_anon_vma(w, pfn, root_of(held->anon_vma)))
		return "anon_vma";
	if (page->kind == PAGE_ANON && !page_is_ksm(page) && held->anon_vma &&
	    !held->anon_vma_read &&
	    root_of(held->anon_vma) == root_of(page->mapping))
		return "anon_vma";
	if (page->kind == PAGE_FILE && held->i_mmap && !held->i_mmap_read &&
	    held->i_mmap == page->mapping)
		return "i_mmap_rwsem";
	/*
	 * 2.5's PTE chains at YP_PTE_SET (rmap_ops.add_after_set, mm/rmap.c
	 * of 2.6.0): the walker holds pte_chain_lock(page), which
	 * page_add_rmap() has not taken yet, and try_to_unmap_one() /
	 * page_referenced_one() trylock the page_table_lock of each chain
	 * entry's mm: an entry in an mm the op holds makes it give up
	 * (SWAP_AGAIN, the page kept), reported as that lock.  The PTE just
	 * set is not on the chain: its lock is not met (the PTL rule below
	 * is 6.18's page_vma_mapped_walk(), which reaches it through the VMA).
	 */
	if (held->pending && w->rmap->add_after_set)
		return chain_meets_held_mm(w, pfn, held) ? "page_table_lock"
							  : NULL;
	if (held->ptl && table_maps(w, held->ptl, pfn))
		return "ptl";
	if (held->ptl2 && table_maps(w, held->ptl2, pfn))
		return "ptl";
	/*
	 * collapse_huge_page()'s detached PTE table: an object-based walk finds
	 * the PMD none and goes on (only the anon_vma lock, above, keeps it
	 * out).  A walk that goes to the PTE's own place (PTE chains) reaches
	 * the table without the PMD and meets its PTL, which collapse takes
	 * (pte_offset_map_lock) for __collapse_huge_page_isolate() right after
	 * the flush: the model does not split the isolate and the copy from
	 * the flush, so such a walker waits for the whole collapse.
	 */
	/*
	 * move_normal_pmd()'s table in flight (detached_to) is another
	 * matter: the PTE-chain walk goes to the PTE's slot in the moving
	 * table, whose own PTL move_normal_pmd() does not take (it holds the
	 * PMD locks), and finds the PTE there: it cannot miss it.  The model
	 * does not run it there ("pte-slot": nothing in flight for that
	 * design), as the check of the walk's moment would want the PTE in a
	 * page table the scan reaches.
	 */
	if (held->detached && w->rmap->walk_by_pte &&
	    table_maps(w, held->detached, pfn))
		return held->detached_to ? "pte-slot" : "ptl";
	/*
	 * The PTE in flight in move_ptes(): a walker whose walk order puts the
	 * old VMA first blocks on its PTL (move_ptes holds it) and then finds
	 * the PTE in the new VMA, visited later ("We expect to see destination
	 * VMA after source one", the reasoning of 38a76013ad80 and of
	 * Arcangeli's 2011 fix).  Only a walk that visits the new VMA first can
	 * see the PTE in neither: it needs the rmap locks to exclude it.  A
	 * design whose walk goes to the PTE's place (PTE chains: the chain
	 * entry still names the old slot until move_ptes() updates it under
	 * the same lock) always meets the lock.
	 */
	/*
	 * move_huge_pmd() the same with both PMD locks (pmd_lock): a walk of
	 * the old VMA first waits on the old PMD's, a PTE-chain walk goes to
	 * the PMD slot (Shutemov's 2014 move_huge_pmd fix: "We expect to see
	 * destination VMA after source one to work correctly").
	 */
	if (moving(held, pfn) &&
	    (held->moving_src_first || w->rmap->walk_by_pte) &&
	    !BUG_INJECTED(remove_migration_pte_peeks,
			  w->ilv.walker == ILV_WALKER_MIGRATE))
		return "ptl";
	return NULL;
}

/*
 * retract_page_tables() of the file range from index START of MAPPING
 * takes the PMD lock and the PTE table's lock of each VMA whose table
 * there it frees (same alignment rules as core/khugepaged_file.c's): does
 * the op hold TABLE, one of those (a PTE table it would free, or the PMD
 * table above one)?
 */
static bool retract_meets(struct world *w, const struct address_space *m,
			  uint64_t start, pfn_t table)
{
	const struct page *t;
	struct vma **v;
	uint32_t n;
	bool met = false;

	if (!table)
		return false;
	t = pfn_page(w, table);
	if (t->kind != PAGE_PGTABLE || (t->pt_level != 1 && t->pt_level != 2))
		return false;
	v = i_mmap_vmas(w, (struct address_space *)m, start, start, &n);
	for (uint32_t i = 0; i < n && !met; i++) {
		uint64_t addr;

		if (!retract_addr(v[i], start, &addr) || v[i]->mm != t->pt_mm)
			continue;
		met = t->pt_level == 1 ? t->pt_va == addr :
		      addr - t->pt_va < (PMD_SIZE << 9);
	}
	core_free(v);
	return met;
}

/*
 * The lock of HELD that the collapse walker would block on, or NULL.  Its
 * side (mm/khugepaged.c, 6.18): collapse_file() locks each page of the
 * range (folio_lock / folio_trylock), try_to_unmap() walks each mapped
 * page as the other walkers do (blocking_lock, page by page), and
 * retract_page_tables() takes i_mmap_rwsem for read, then the PMD lock
 * and the PTE table's lock of each table it frees.  It takes no
 * mmap_lock of the mms it frees tables in: an op's mmap_lock does not
 * keep it out (CVE-2024-50066).
 */
static const char *collapse_blocking_lock(struct world *w, pfn_t pfn,
					  const struct yield_locks *held)
{
	const struct page *page = pfn_page(w, pfn);
	const struct address_space *m = page->mapping;
	uint64_t start = page->index & ~(uint64_t)(PTRS_PER_PT - 1);
	const char *lk;

	if (page->kind != PAGE_FILE || !m)
		return NULL;    /* nothing to collapse (collapse_file_of_page) */
	if (held->i_mmap == m && !held->i_mmap_read)
		return "i_mmap_rwsem";
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		pfn_t p = page_cache_lookup(m, start + i);

		if (p && (p == pfn || pfn_page(w, p)->mapcount ||
			  held->folio[0] == p || held->folio[1] == p) &&
		    (lk = blocking_lock(w, p, held)))
			return lk;
	}
	if (retract_meets(w, m, start, held->ptl) ||
	    retract_meets(w, m, start, held->ptl2))
		return "ptl";
	return NULL;
}

/*
 * Points where the model cannot run the collapse walker: the op holds a
 * pointer into a PTE table the collapse may free, where the kernel
 * rechecks the PMD under its lock afterwards (move_ptes()'s
 * pte_offset_map_lock() returning NULL; truncate's zap_pte_range() per
 * VMA) and the model does not.  Reported "unmodelled", never run, never
 * counted as survived.  (wp_before_replace is not among them: the
 * faulting VMA has its anon_vma by then, so retract_page_tables() leaves
 * its table, and the model rechecks the PTE as wp_page_copy()'s
 * pte_same() does.)
 */
static bool collapse_unmodelled(enum yield_point point)
{
	return point == YP_MREMAP_BETWEEN_TABLES ||
	       point == YP_TRUNCATE_BETWEEN_VMAS;
}

/* where frame PFN is as the op passes the point (enum ilv_page_state) */
static uint8_t page_state(const struct world *w, pfn_t pfn,
			  const struct yield_locks *held)
{
	if (moving(held, pfn))
		return held->moving_nr ? ILV_PAGE_PMD :
		       held->moving_src_first ? ILV_PAGE_PTE_SRC_FIRST :
		       ILV_PAGE_PTE_DST_FIRST;
	if (held->detached && detached_slot(w, held->detached, pfn) >= 0)
		return ILV_PAGE_DETACHED;
	return ILV_PAGE_SETTLED;
}

static bool count_one(struct world *w, pfn_t pfn, struct vma *vma,
		      uint64_t addr, uint64_t *pte, void *arg)
{
	(void)w; (void)pfn; (void)vma; (void)addr; (void)pte;
	(*(int32_t *)arg)++;
	return true;
}

static int walk(struct world *w, unsigned walker, pfn_t pfn)
{
	/* its try_to_unmap() missing a mapping fails it (SCAN_PAGE_COUNT) */
	if (walker == ILV_WALKER_COLLAPSE)
		return collapse_file_of_page(w, pfn);
	/*
	 * try_to_migrate() and try_to_unmap() leave a folio mapped when their
	 * walk misses a mapping (a race's walk: the oracle reported it when
	 * the walker started); migrate_folio_unmap() and shrink_folio_list()
	 * then see folio_mapped() and give up, the folio stays where it is
	 * (-EAGAIN), never freed under the mapping the walk missed.
	 */
	if (walker != ILV_WALKER_AGE && walker != ILV_WALKER_STALLED) {
		int32_t found = 0;
		struct rmap_walk_control rwc = { count_one, &found, NULL };

		if (!rmap_walk(w, pfn, &rwc) && found < page_mapcount(w, pfn))
			return -EAGAIN;
	}
	/*
	 * A page of a large folio (armed only at mremap_move_pmd, world.c
	 * interleave_arm): folio_referenced() ages it (the PMD's young bit);
	 * migrating or reclaiming it whole is not modelled (Linux migrates a
	 * PMD-mapped THP with PMD migration entries, or splits it first): the
	 * walker gives up, the folio stays as it is, as a THP migration that
	 * fails (-EBUSY).  Its walk is what the oracle checks when it starts.
	 */
	if (page_is_large(pfn_page(w, pfn)) && walker != ILV_WALKER_AGE &&
	    walker != ILV_WALKER_STALLED)
		return -EBUSY;
	switch (walker) {	/* ILV_WALKER_STALLED: folio_referenced */
	case ILV_WALKER_MIGRATE:
		return folio_migrate(w, pfn);
	case ILV_WALKER_UNMAP:
		return folio_pageout(w, pfn);
	default:
		return folio_age(w, pfn);
	}
}

/*
 * The walker is another task: the op's fail-nth (syzkaller's fail_nth is
 * per task), and world_fail_nth's count of the ops' allocations, neither
 * count nor fail the walker's allocations.
 */
static int run_walker(struct world *w, unsigned walker, pfn_t pfn)
{
	uint64_t count[ALLOC_NSITES], fail_at[ALLOC_NSITES];
	uint64_t all = w->alloc_count, all_fail_at = w->fail_at;
	int res;

	memcpy(count, w->site_count, sizeof(count));
	memcpy(fail_at, w->site_fail_at, sizeof(fail_at));
	memset(w->site_fail_at, 0, sizeof(w->site_fail_at));
	w->fail_at = 0;
	res = walk(w, walker, pfn);
	memcpy(w->site_count, count, sizeof(count));
	memcpy(w->site_fail_at, fail_at, sizeof(fail_at));
	w->alloc_count = all;
	w->fail_at = all_fail_at;
	return res;
}

/*
 * The stalled walker (ILV_WALKER_STALLED): folio_referenced() preempted in
 * its walk.  mm/rmap.c rmap_walk_anon() takes the anon_vma root's rwsem
 * for read (rmap_walk_file() i_mmap_rwsem) and, for each VMA of the
 * interval tree that covers the folio's index, page_vma_mapped_walk()
 * reads the PMD (pmdp_get_lockless) and then maps the PTE table it names
 * (map_pte -> pte_offset_map_lock): nothing keeps the task from being
 * preempted between the two, only the rmap lock keeps the table there.
 * free_pgtables() (mm/memory.c, 6.18) unlinks each VMA from the anon_vma
 * and i_mmap (unlink_anon_vmas, unlink_file_vma_batch_add: "Hide vma from
 * rmap and truncate_pagecache before freeing pgtables") before
 * free_pgd_range() frees its tables, and the unlink waits for the
 * walker's read lock: the walker maps its tables before they go (Hugh
 * Dickins, a8fb5618dab7 "mm: unlink_file_vma, remove_vma", 2.6.15: "so
 * we can be sure that any page tables traversed by rmap and vmtruncate
 * are stable").
 *
 * The model stalls it only at munmap's and exit's points (unmap_zapped,
 * unmap_between_vmas), where every later write lock of an rmap lock the
 * op takes before the unmap is done passes MM_RMAP_LOCK (vma_destroy's
 * unlinks) and the unmap's end passes MM_UNSTALL; elsewhere it is
 * "unmodelled".  A PTE-chain or scan walk visits no VMA (struct
 * rmap_walk_control's visit) and keeps no table: 2.5's page_referenced()
 * reaches each PTE through its chain entry under pte_chain_lock, which
 * the zap of that PTE (page_remove_rmap) must take first.
 */
static bool stalled_modelled(enum yield_point point)
{
	return point == YP_UNMAP_ZAPPED || point == YP_UNMAP_BETWEEN_VMAS;
}

static bool keep_none(struct world *w, pfn_t pfn, struct vma *vma,
		      uint64_t addr, uint64_t *pte, void *arg)
{
	(void)w; (void)pfn; (void)vma; (void)addr; (void)pte; (void)arg;
	return true;
}

/* page_vma_mapped_walk()'s PMD read: keep the PTE table it names */
static void keep_table(struct world *w, struct vma *vma, uint64_t addr,
		       void *arg)
{
	struct interleave *ilv = arg;
	const uint64_t *pmd = pmd_lookup(w, vma->mm, addr);

	if (!pmd || !pgd_table(*pmd) || ilv->nkept == ILV_KEPT_MAX)
		return;
	ilv->kept[ilv->nkept++] = (struct ilv_kept){ vma->mm->pid, addr,
						     pte_pfn(*pmd) };
}

static void stall(struct world *w)
{
	struct rmap_walk_control rwc = { keep_none, &w->ilv, keep_table };
	const struct page *page = pfn_page(w, w->ilv.pfn);

	w->ilv.held_root = page->kind == PAGE_ANON && !page_is_ksm(page) ?
			   root_of(page->mapping) : NULL;
	w->ilv.held_mapping = page->kind == PAGE_FILE ? page->mapping : NULL;
	w->ilv.nkept = 0;
	rmap_walk(w, w->ilv.pfn, &rwc);
	w->ilv.stalled = true;
}

/* is kept table K still the PTE table its PMD named when it was read? */
static bool kept_intact(const struct world *w, const struct ilv_kept *k)
{
	const struct page *t = pfn_page(w, k->table);

	return t->kind == PAGE_PGTABLE && t->pt_level == 1 && t->pt_mm &&
	       t->pt_mm->pid == k->pid && t->pt_va == (k->va & PMD_MASK);
}

/* the walker's observed run: the oracle before, the walk, the oracle after */
static void observed_run(struct world *w, struct interleave *ilv)
{
	if (w->ilv_observer)
		w->ilv_observer(w->ilv_observer_arg, w, ILV_BEFORE_WALKER, ilv->pfn);
	ilv->result = run_walker(w, ilv->walker, ilv->pfn);
	if (w->ilv_observer)
		w->ilv_observer(w->ilv_observer_arg, w, ILV_AFTER_WALKER, ilv->pfn);
}

/*
 * The stalled walker resumes: page_vma_mapped_walk() maps each kept table
 * (the first that is not a page table any more is its finding, the oracle
 * reports it), then the walk goes on as folio_referenced()'s.  Its folio
 * reference kept the frame; a frame the model freed meanwhile (its last
 * mapping zapped) is frame-gone, not walked.
 */
void mm_unstall(struct world *w)
{
	struct interleave *ilv = &w->ilv;
	const struct page *page = pfn_page(w, ilv->pfn);

	ilv->stalled = false;
	for (uint8_t i = 0; i < ilv->nkept && !ilv->table_freed; i++)
		if (!kept_intact(w, &ilv->kept[i])) {
			ilv->table_freed = true;
			ilv->freed = ilv->kept[i];
		}
	if (page->kind != PAGE_ANON && page->kind != PAGE_FILE) {
		ilv->status = INTERLEAVE_FRAME_GONE;
		if (w->ilv_observer && ilv->table_freed)
			w->ilv_observer(w->ilv_observer_arg, w,
					ILV_BEFORE_WALKER, ilv->pfn);
		return;
	}
	observed_run(w, ilv);
}

void mm_rmap_lock_write(struct world *w, const struct anon_vma *av,
			const struct address_space *mapping)
{
	const struct page *page = pfn_page(w, w->ilv.pfn);
	bool meets;

	/*
	 * the locks it took at the point (a frame the model freed since
	 * keeps them); a KSM page's walk, rmap_walk_ksm, takes each
	 * rmap_item's anon_vma in turn (blocking_lock()'s rule)
	 */
	if (av && page_is_ksm(page))
		meets = ksm_page_locks_anon_vma(w, w->ilv.pfn, root_of(av));
	else
		meets = (av && w->ilv.held_root &&
			 root_of(av) == w->ilv.held_root) ||
			(mapping && mapping == w->ilv.held_mapping);
	if (meets)
		mm_unstall(w);
}

void mm_yield(struct world *w, enum yield_point point,
	      const struct yield_locks *held)
{
	struct interleave *ilv = &w->ilv;
	const struct page *page;

	if (point != ilv->point || ++ilv->passes != ilv->nth)
		return;
	ilv->armed = false;
	page = pfn_page(w, ilv->pfn);
	if (page->kind != PAGE_ANON && page->kind != PAGE_FILE) {
		ilv->status = INTERLEAVE_FRAME_GONE;
		return;
	}
	if (ilv->walker == ILV_WALKER_COLLAPSE && collapse_unmodelled(point)) {
		ilv->status = INTERLEAVE_UNMODELLED;
		return;
	}
	if (ilv->walker == ILV_WALKER_STALLED && !stalled_modelled(point)) {
		ilv->status = INTERLEAVE_UNMODELLED;
		return;
	}
	ilv->page_state = page_state(w, ilv->pfn, held);
	ilv->blocked_by = ilv->walker == ILV_WALKER_COLLAPSE ?
			  collapse_blocking_lock(w, ilv->pfn, held) :
			  blocking_lock(w, ilv->pfn, held);
	if (ilv->blocked_by) {
		ilv->status = INTERLEAVE_IMPOSSIBLE;
		return;
	}
	ilv->status = INTERLEAVE_RAN;
	if (moving(held, ilv->pfn)) {
		uint64_t off = (ilv->pfn - held->moving_pfn) << PAGE_SHIFT;

		ilv->in_flight = true;
		ilv->in_flight_past_ptl = held->moving_src_first ||
					  w->rmap->walk_by_pte;
		ilv->in_flight_kind = held->moving_nr ? ILV_IN_FLIGHT_PMD
						      : ILV_IN_FLIGHT_PTE;
		ilv->in_flight_pid = held->moving_pid;
		ilv->in_flight_from = held->moving_from + off;
		ilv->in_flight_to = held->moving_to + off;
	} else if (held->detached) {
		int i = detached_slot(w, held->detached, ilv->pfn);

		if (i >= 0) {
			uint64_t off = (uint64_t)i << PAGE_SHIFT;

			ilv->in_flight = true;
			ilv->in_flight_kind = held->detached_to ?
					      ILV_IN_FLIGHT_MOVED_TABLE :
					      ILV_IN_FLIGHT_TABLE;
			ilv->in_flight_pid = held->detached_pid;
			ilv->in_flight_from = held->detached_va + off;
			ilv->in_flight_to = (held->detached_to ?
					     held->detached_to :
					     held->detached_va) + off;
		}
	}
	if (ilv->walker == ILV_WALKER_STALLED) {
		/* it walks as age when it resumes; the armed flag stays off:
		 * MM_RMAP_LOCK and MM_UNSTALL test ilv.stalled */
		stall(w);
		return;
	}
	/* the walk of an add_after_set design skips it (rmap.h) */
	ilv->pending = held->pending;
	observed_run(w, ilv);
	ilv->pending = NULL;
}
