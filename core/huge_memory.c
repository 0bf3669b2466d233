/*
 * huge_memory.c - PMD-mapped THP (huge_memory.h), following mm/huge_memory.c
 * of Linux 6.18 function by function.
 *
 * The model's representation: a PMD leaf is pfn_pte(head, bits | PSE) in
 * the PMD table; its one folio reference is on the head page's refcount,
 * its mapping counted in the head's entire_mapcount and large_mapcount
 * (folio.h).  PageAnonExclusive is kept on every page of the folio alike
 * while it is PMD-mapped (Linux reads the head's only), so that a split
 * leaves each page with the flag its PTE must have.
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/alloc.h"
#include "core/bug.h"
#include "core/folio.h"
#include "core/huge_memory.h"
#include "core/interleave.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/vma.h"

/*
 * thp_vma_allowable_order(PMD_ORDER) + thp_vma_suitable_order() for an
 * anonymous fault: enabled = madvise and hugepages-2048kB/enabled =
 * madvise (thp-sizes with 2M), a private anonymous VMA with VM_HUGEPAGE,
 * the aligned 2 MiB wholly inside it (no vm_pgoff check for anon)
 */
static bool pmd_thp_allowed(const struct world *w, const struct vma *vma,
			    uint64_t haddr)
{
	return vma_is_anonymous(vma) && !(vma->flags & VM_SHARED) &&
	       (vma->flags & VM_HUGEPAGE) && !(vma->flags & VM_NOHUGEPAGE) &&
	       (w->thp_orders & (1u << THP_PMD_ORDER)) &&
	       haddr >= vma->start && haddr + PMD_SIZE <= vma->end;
}

static uint64_t folio_refs(const struct world *w, pfn_t head)
{
	uint64_t refs = 0;

	for (uint32_t i = 0; i < PTRS_PER_PT; i++)
		refs += (uint64_t)pfn_page(w, head + i)->refcount;
	return refs;
}

static void set_exclusive(struct world *w, pfn_t head, bool exclusive)
{
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		struct page *p = pfn_page(w, head + i);

		if (exclusive)
			p->flags |= PG_ANON_EXCLUSIVE;
		else
			p->flags &= (uint8_t)~PG_ANON_EXCLUSIVE;
	}
}

/*
 * do_huge_pmd_anonymous_page(): a 2 MiB folio mapped by one PMD leaf,
 * writable and dirty in a VM_WRITE VMA.  The page table Linux deposits
 * with it (pte_alloc_one, for a later split) is one allocation that can
 * fail (VM_FAULT_OOM); the folio's own failure falls back to small pages
 * (THP_FAULT_FALLBACK).  A read fault where the zero page may be used
 * would map the huge zero page, which is not modelled: it falls back.
 */
static int do_huge_pmd_anonymous_page(struct world *w, struct vma *vma,
				      uint64_t haddr, uint64_t *pmd,
				      bool write)
{
	uint64_t bits = vma_pte_bits(vma) | PTE_PSE |
			(vma->flags & VM_WRITE ? PTE_RW | PTE_D : 0);
	pfn_t head;
	int err;

	if (!write && !w->no_zero_page)
		return -ENOENT;
	err = anon_vma_prepare(w, vma);
	if (err)
		return err;
	head = folio_alloc_anon(w, THP_PMD_ORDER, true);
	if (!head)
		return -ENOENT;
	if (alloc_should_fail(w)) {     /* pte_alloc_one: the deposit */
		for (uint32_t i = 0; i < PTRS_PER_PT; i++)
			frame_free(w, head + i);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		struct page *p = pfn_page(w, head + i);

		p->mapping = vma->anon_vma;
		p->index = linear_page_index(vma, haddr + ((uint64_t)i << PAGE_SHIFT));
	}
	set_exclusive(w, head, true);   /* folio_add_new_anon_rmap */
	err = rmap_add_pmd(w, head, vma, haddr);
	if (err) {
		for (uint32_t i = 0; i < PTRS_PER_PT; i++)
			frame_free(w, head + i);
		return err;
	}
	pfn_page(w, head)->refcount++;
	folio_note_map_pmd(w, head, vma->mm);
	set_pte(w, pmd, pfn_pte(head, bits));
	rmap_event(w, RMAP_EVENT_ADD, head, vma, haddr);
	return 0;
}

/*
 * do_huge_pmd_wp_page(): reuse when the head is PageAnonExclusive, or the
 * folio's only reference is this mapping (folio_ref_count == 1: then
 * folio_move_anon_rmap and the flag set); otherwise __split_huge_pmd and
 * VM_FAULT_FALLBACK, and the write is handled again at PTE level (a 4 KiB
 * copy, do_wp_page's large-folio rules).
 */
static int do_huge_pmd_wp_page(struct world *w, struct vma *vma,
			       uint64_t haddr, uint64_t *pmd)
{
	pfn_t head = pte_pfn(*pmd);
	struct page *h = pfn_page(w, head);

	if (!(h->flags & PG_ANON_EXCLUSIVE)) {
		/* reuse counting only the PMD mappings, not a split one's PTEs */
		if (h->kind != PAGE_ANON || (folio_refs(w, head) != 1 &&
		    !BUG_INJECTED(huge_pmd_wp_reuse_pmd_mapcount,
				  h->entire_mapcount == 1))) {
			split_huge_pmd_address(w, vma, haddr);
			return -ENOENT;
		}
		for (uint32_t i = 0; i < PTRS_PER_PT; i++)
			pfn_page(w, head + i)->mapping = vma->anon_vma;
		set_exclusive(w, head, true);
	}
	set_pte(w, pmd, *pmd | PTE_A | PTE_D | PTE_RW);
	return 0;
}

int huge_pmd_fault(struct world *w, struct vma *vma, uint64_t addr,
		   uint64_t *pmd, bool write)
{
	uint64_t haddr = addr & PMD_MASK;

	if (pmd_leaf(*pmd)) {
		/* huge_pmd_set_accessed(), or the write-protect fault */
		if (write && !(*pmd & PTE_RW))
			return do_huge_pmd_wp_page(w, vma, haddr, pmd);
		set_pte(w, pmd, *pmd | PTE_A | (write ? PTE_D : 0));
		return 0;
	}
	if (!pte_none(*pmd) || !pmd_thp_allowed(w, vma, haddr))
		return -ENOENT;
	return do_huge_pmd_anonymous_page(w, vma, haddr, pmd, write);
}

/*
 * __split_huge_pmd_locked() for an anonymous folio, not frozen: the table
 * deposited with the THP takes 512 PTEs of the same pages, each with the
 * PMD's write, young and dirty bits over vm_page_prot; the PTE rmap is
 * added (folio_add_anon_rmap_ptes, exclusive if the PMD's was) before the
 * PMD's is removed (folio_remove_rmap_pmd), and the PMD's folio
 * reference becomes one of the 512 (folio_ref_add(HPAGE_PMD_NR - 1)).
 */
void split_huge_pmd_address(struct world *w, struct vma *vma, uint64_t addr)
{
	uint64_t haddr = addr & PMD_MASK, *pmd, *t, e, bits;
	pfn_t head, table;

	pmd = pmd_lookup_leaf(w, vma->mm, haddr);
	if (!pmd)
		return;
	w->nofail++;
	e = *pmd;
	head = pte_pfn(e);
	table = pte_table_alloc(w, vma->mm, haddr);
	BUG_ON(!table);
	bits = vma_pte_bits(vma) | (e & (PTE_RW | PTE_D));
	if (!(e & PTE_A))
		bits &= ~PTE_A;
	/*
	 * The backend forgets the PMD mapping before it learns the PTEs, so
	 * that each rmap event finds page tables and rmap agreeing; the
	 * counts follow Linux's order (PTEs added, then the PMD removed)
	 */
	set_pte(w, pmd, pfn_pte(table, PTE_TABLE));
	rmap_remove_pmd(w, head, vma, haddr);
	rmap_event(w, RMAP_EVENT_REMOVE, head, vma, haddr);
	t = pfn_page(w, table)->table;
	for (uint32_t i = 0; i < PTRS_PER_PT; i++)
		BUG_ON(pte_install(w, vma, haddr + ((uint64_t)i << PAGE_SHIFT),
				   &t[i], head + i, bits));
	folio_note_unmap_pmd(w, head, vma->mm);
	page_put(w, head);
	w->nofail--;
}

void split_huge_pmd_if_needed(struct world *w, struct vma *vma, uint64_t addr)
{
	uint64_t haddr = addr & PMD_MASK;

	if ((addr & ~PMD_MASK) && haddr >= vma->start &&
	    haddr + PMD_SIZE <= vma->end)
		split_huge_pmd_address(w, vma, addr);
}

void split_huge_pmds_partial(struct world *w, struct vma *vma, uint64_t start,
			     uint64_t end)
{
	split_huge_pmd_if_needed(w, vma, start);
	split_huge_pmd_if_needed(w, vma, end);
}

void split_huge_pmds(struct world *w, struct vma *vma, uint64_t start,
		     uint64_t end)
{
	for (uint64_t a = start & PMD_MASK; a < end; a += PMD_SIZE)
		if (a >= vma->start && a + PMD_SIZE <= vma->end)
			split_huge_pmd_address(w, vma, a);
}

void zap_huge_pmd(struct world *w, struct vma *vma, uint64_t haddr,
		  uint64_t *pmd)
{
	pfn_t head = pte_pfn(*pmd);

	set_pte(w, pmd, 0);
	rmap_remove_pmd(w, head, vma, haddr);
	rmap_event(w, RMAP_EVENT_REMOVE, head, vma, haddr);
	folio_note_unmap_pmd(w, head, vma->mm);
	page_put(w, head);
}

int copy_huge_pmd(struct world *w, struct vma *dst, struct vma *src,
		  uint64_t haddr, uint64_t *spmd)
{
	pfn_t head = pte_pfn(*spmd);
	uint64_t *dpmd;
	int err = pmd_alloc(w, dst->mm, haddr, &dpmd);

	if (err)
		return err;
	if (alloc_should_fail(w))       /* pte_alloc_one: the deposit */
		return -ENOMEM;
	err = rmap_add_pmd(w, head, dst, haddr);
	if (err)
		return err;
	/* folio_try_dup_anon_rmap_pmd: the folio is shared from now on */
	if (!BUG_INJECTED(copy_huge_pmd_keeps_exclusive,
			  pfn_page(w, head)->flags & PG_ANON_EXCLUSIVE))
		set_exclusive(w, head, false);
	pfn_page(w, head)->refcount++;
	folio_note_map_pmd(w, head, dst->mm);
	if (*spmd & PTE_RW)             /* pmdp_set_wrprotect */
		set_pte(w, spmd, *spmd & ~PTE_RW);
	set_pte(w, dpmd, *spmd & ~(PTE_RW | PTE_A));    /* pmd_mkold */
	rmap_event(w, RMAP_EVENT_FORK_COPY, head, dst, haddr);
	return 0;
}

/*
 * move_huge_pmd(): the leaf moves as it is when the new PMD slot is none;
 * else the caller splits and moves PTEs (move_page_tables' fallback).
 */
int move_huge_pmd(struct world *w, struct vma *ovma, uint64_t old_addr,
		  struct vma *nvma, uint64_t new_addr, bool rmap_locked,
		  bool src_first)
{
	uint64_t *opmd = pmd_lookup_leaf(w, ovma->mm, old_addr), *npmd, e;
	pfn_t head;
	int err;

	BUG_ON(!opmd);
	err = pmd_alloc(w, nvma->mm, new_addr, &npmd);
	if (err)
		return err;
	if (!pte_none(*npmd))
		return -EEXIST;
	opmd = pmd_lookup_leaf(w, ovma->mm, old_addr);
	e = *opmd;
	head = pte_pfn(e);
	set_pte(w, opmd, 0);
	/*
	 * move_huge_pmd(): pmdp_huge_get_and_clear() took the leaf from the
	 * old PMD table and set_pmd_at() has not yet put it in the new one:
	 * its 512 pages are mapped in neither.  Both PMD locks are held
	 * (__pmd_trans_huge_lock, pmd_lockptr of the new), and the rmap locks
	 * if need_rmap_locks: move_page_tables() takes them around
	 * move_pgt_entry(HPAGE_PMD) since Shutemov's 2014 "mm, thp: close race
	 * between mremap() and split_huge_page()" (dd18dbc2d42a).  A walker
	 * that visits the new VMA first finds the folio mapped nowhere unless
	 * those locks keep it out (interleave.h, moving_src_first).
	 */
	MM_YIELD(w, YP_MREMAP_MOVE_PMD,
		 .anon_vma = rmap_locked ? ovma->anon_vma : NULL,
		 .i_mmap = rmap_locked ? ovma->mapping : NULL,
		 .ptl = pt_of_slot(opmd)[PT_PFN], .ptl2 = pt_of_slot(npmd)[PT_PFN],
		 .moving = true, .moving_pfn = head, .moving_nr = PTRS_PER_PT,
		 .moving_src_first = src_first, .moving_pid = ovma->mm->pid,
		 .moving_from = old_addr, .moving_to = new_addr);
	set_pte(w, npmd, e);
	rmap_move_pmd(w, head, ovma, old_addr, nvma, new_addr);
	rmap_event_move(w, head, nvma, old_addr, new_addr);
	return 0;
}

struct pmd_maps {
	struct vma *vma[64];
	uint64_t addr[64];
	uint32_t n;
};

static bool note_pmd(struct world *w, pfn_t pfn, struct vma *vma,
		     uint64_t addr, uint64_t *pte, void *arg)
{
	struct pmd_maps *pm = arg;

	if (pt_level_of_slot(w, pte) == 2 && pm->n < 64) {
		pm->vma[pm->n] = vma;
		pm->addr[pm->n++] = addr & PMD_MASK;
	}
	return true;
}

static bool pmd_before(const struct vma *a, uint64_t aa, const struct vma *b,
		       uint64_t ba)
{
	return a->mm->pid != b->mm->pid ? a->mm->pid < b->mm->pid : aa < ba;
}

/*
 * unmap_folio() with TTU_SPLIT_HUGE_PMD, as split_folio() begins: an
 * rmap walk of the folio splits every PMD mapping it finds.  A fork tree
 * has at most a few: 64 are enough for any trace the harness runs, and
 * more are split by the next walk (the loop).
 */
void split_folio_pmds(struct world *w, pfn_t pfn)
{
	pfn_t head = pfn - pfn_page(w, pfn)->folio_idx;
	struct rmap_walk_control rwc = { note_pmd, NULL, NULL };

	for (;;) {
		struct pmd_maps pm = { .n = 0 };

		rwc.arg = &pm;
		if (pfn_page(w, head)->entire_mapcount == 0 ||
		    rmap_walk(w, head, &rwc) || pm.n == 0)
			return;
		/*
		 * in (pid, address) order, not the walk's: backends walk in
		 * their own orders, and the splits allocate page tables, which
		 * every world must number alike (the lockstep compares them)
		 */
		for (uint32_t i = 1; i < pm.n; i++)
			for (uint32_t j = i; j > 0 && pmd_before(pm.vma[j], pm.addr[j],
							       pm.vma[j - 1],
							       pm.addr[j - 1]); j--) {
				struct vma *v = pm.vma[j];
				uint64_t a = pm.addr[j];

				pm.vma[j] = pm.vma[j - 1];
				pm.addr[j] = pm.addr[j - 1];
				pm.vma[j - 1] = v;
				pm.addr[j - 1] = a;
			}
		for (uint32_t i = 0; i < pm.n; i++)
			split_huge_pmd_address(w, pm.vma[i], pm.addr[i]);
	}
}
