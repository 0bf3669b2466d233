/*
 * khugepaged.c - MADV_COLLAPSE for anonymous memory (mm/khugepaged.c:
 * madvise_collapse -> hpage_collapse_scan_pmd -> collapse_huge_page), the
 * synchronous collapse of each 2 MiB-aligned range inside the advised
 * range into a new PMD-mapped THP, with a collapse_control that is not
 * khugepaged's: max_ptes_none, max_ptes_swap and max_ptes_shared do not
 * apply, swap entries are read in first, nothing needs to be young.
 *
 * Checked on the 6.18 host: an advised range with no page table (PMD
 * none) is EINVAL; read-only PTEs collapse (no SCAN_PAGE_RO any more);
 * pages shared with a child collapse (the child keeps the old ones); a VMA
 * not madvised hugepage collapses too (the advice is MADV_COLLAPSE itself,
 * also under PR_THP_DISABLE_EXCEPT_ADVISED); a range holding no whole
 * aligned 2 MiB does nothing and returns 0.
 *
 * File and shmem VMAs: which may collapse, and a range with no aligned
 * 2 MiB (madvise_collapse below); their collapse in the page cache is
 * khugepaged_file.c's.
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/bug.h"
#include "core/fault.h"
#include "core/folio.h"
#include "core/huge_memory.h"
#include "core/interleave.h"
#include "core/khugepaged.h"
#include "core/khugepaged_file.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/vma.h"

int madvise_collapse_errno(enum scan_result r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return -ENOMEM;
	case SCAN_EXCEED_NONE_PTE:
		return -EBUSY;
	/* "Resource temporary unavailable - trying again might succeed" */
	case SCAN_PAGE_COUNT:
		return -EAGAIN;
	default:
		return -EINVAL;
	}
}

/*
 * collapse_huge_page() once the scan said yes: swap entries read in
 * (__collapse_huge_page_swapin), the VMA revalidated (it must have an
 * anon_vma), the PTEs' pages copied into a new 2 MiB folio and unmapped
 * (__collapse_huge_page_copy_succeeded: none and zero-page entries give
 * zeroed pages), the PTE table withdrawn, and the folio mapped by a PMD
 * (folio_add_new_anon_rmap exclusive; mk_huge_pmd on vm_page_prot, dirty,
 * writable in a VM_WRITE VMA).
 */
static enum scan_result collapse_huge_page(struct world *w, struct vma *vma,
					   uint64_t haddr, bool unmapped)
{
	struct mm *mm = vma->mm;
	uint64_t *pte, *pmd, bits, pmd_entry;
	pfn_t head;

	head = folio_alloc_anon(w, THP_PMD_ORDER, false);
	if (!head)
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	for (uint64_t i = 0; unmapped && i < PTRS_PER_PT; i++) {
		uint64_t a = haddr + (i << PAGE_SHIFT);
		uint64_t *p = pte_lookup(w, mm, a);

		if (p && pte_is_swap(*p) && handle_access(w, mm, a, false)) {
			folio_free_unused(w, head);
			return SCAN_FAIL;
		}
	}
	if (!vma->anon_vma) {
		folio_free_unused(w, head);
		return SCAN_PAGE_ANON;
	}
	/*
	 * anon_vma_lock_write(vma->anon_vma) ("Prevent all access to
	 * pagetables with the exception of gup_fast later handled by the
	 * ptep_clear_flush and the VM handled by the anon_vma lock +
	 * PG_lock"), then pmdp_collapse_flush(): the PTE table leaves its PMD.
	 * Until set_pmd_at() below no walk reaches the small pages through
	 * the page tables; __collapse_huge_page_isolate() locks them next,
	 * then the anon_vma lock is dropped ("All pages are isolated and
	 * locked so anon_vma rmap can't run anymore").  The bug detaches the
	 * table without the lock.
	 */
	pmd = pmd_lookup(w, mm, haddr);
	pmd_entry = *pmd;
	set_pte(w, pmd, 0);
	MM_YIELD(w, YP_COLLAPSE_FLUSHED,
		 .anon_vma = BUG_INJECTED(collapse_skips_anon_vma_lock, true) ?
			     NULL : vma->anon_vma,
		 .detached = pte_pfn(pmd_entry), .detached_pid = mm->pid,
		 .detached_va = haddr);
	/*
	 * The model copies and unmaps the small pages through the table where
	 * it was (pte_zap keeps the rmap and the page tables in step), then
	 * sets the huge PMD: no walker runs between, so none can tell the
	 * table was put back for the copy.
	 */
	set_pte(w, pmd, pmd_entry);
	pte = pte_lookup(w, mm, haddr);
	for (uint64_t i = 0; i < PTRS_PER_PT; i++) {
		if (!pte[i])
			continue;
		/* __collapse_huge_page_copy: the contents come along */
		if (pte_pfn(pte[i]) != w->phys.zero_pfn)
			pfn_page(w, head + i)->content =
				pfn_page(w, pte_pfn(pte[i]))->content;
		pte_zap(w, vma, haddr + (i << PAGE_SHIFT), &pte[i]);
	}
	/* the emptied PTE table goes (it is the one Linux deposits); the
	 * PMD table above it stays */
	free_pgtables(w, mm, haddr, haddr + PMD_SIZE, haddr, haddr + PMD_SIZE);
	w->nofail++;
	BUG_ON(pmd_alloc(w, mm, haddr, &pmd));
	w->nofail--;
	for (uint32_t i = 0; i < PTRS_PER_PT; i++) {
		struct page *p = pfn_page(w, head + i);

		p->mapping = vma->anon_vma;
		p->index = linear_page_index(vma, haddr + ((uint64_t)i << PAGE_SHIFT));
		p->flags = PG_ANON_EXCLUSIVE;
	}
	w->nofail++;            /* the backend's entry: no failure path here */
	BUG_ON(rmap_add_pmd(w, head, vma, haddr));
	w->nofail--;
	pfn_page(w, head)->refcount++;
	folio_note_map_pmd(w, head, mm);
	bits = vma_pte_bits(vma) | PTE_PSE | PTE_D |
	       (vma->flags & VM_WRITE ? PTE_RW : 0);
	set_pte(w, pmd, pfn_pte(head, bits));
	rmap_event(w, RMAP_EVENT_ADD, head, vma, haddr);
	return SCAN_SUCCEED;
}

/*
 * hpage_collapse_scan_pmd() for MADV_COLLAPSE: find_pmd_or_thp_or_none
 * (no PMD table: PMD_NULL; a none PMD: PMD_NONE; a leaf: PMD_MAPPED),
 * then every PTE: swap entries counted, none and zero-page entries
 * allowed unless the VMA is registered with a userfaultfd
 * (userfaultfd_armed: EXCEED_NONE_PTE).
 */
static enum scan_result scan_pmd(struct world *w, struct vma *vma,
				 uint64_t haddr)
{
	struct mm *mm = vma->mm;
	uint64_t *pmd = pmd_lookup(w, mm, haddr), *pte;
	bool unmapped = false;

	if (!pmd)
		return SCAN_PMD_NULL;
	if (pmd_leaf(*pmd))
		return SCAN_PMD_MAPPED;
	if (pte_none(*pmd))
		return SCAN_PMD_NONE;
	pte = pte_lookup(w, mm, haddr);
	for (unsigned i = 0; i < PTRS_PER_PT; i++) {
		if (pte_is_swap(pte[i])) {
			unmapped = true;
			continue;
		}
		if (pte_none(pte[i]) || pte_pfn(pte[i]) == w->phys.zero_pfn) {
			if (vma->flags & VM_UFFD_MISSING)
				return SCAN_EXCEED_NONE_PTE;
			continue;
		}
	}
	return collapse_huge_page(w, vma, haddr, unmapped);
}

int madvise_collapse(struct world *w, struct vma *vma, uint64_t start,
		     uint64_t end)
{
	uint64_t hstart = (start + PMD_SIZE - 1) & PMD_MASK;
	uint64_t hend = end & PMD_MASK;
	enum scan_result last_fail = SCAN_FAIL;
	uint64_t thps = 0;

	/*
	 * thp_vma_allowable_order(vma, vm_flags, 0, PMD_ORDER): not from a
	 * page fault, so the VMA must hold an aligned 2 MiB somewhere (the
	 * !in_pf size check: thp_vma_suitable_order at vm_end - 2 MiB)
	 */
	if ((vma->flags & VM_NOHUGEPAGE) || vma->end - vma->start < PMD_SIZE ||
	    ((vma->end - PMD_SIZE) & PMD_MASK) < vma->start)
		return -EINVAL;
	/*
	 * A file VMA (every file of the model is tmpfs, as is the shmem of a
	 * shared anonymous mapping): __thp_vma_allowable_orders() asks
	 * shmem_allowable_huge_orders(), which a forced collapse passes unless
	 * shmem_enabled is "deny" (the host's is "never"), and
	 * thp_vma_suitable_order() wants the file's offset aligned with the
	 * address to 2 MiB; no anon_vma is needed.  A range with no whole
	 * aligned 2 MiB then returns 0, or EINVAL when its aligned start
	 * passes its end, as below (seen on the 6.18 host: scenario 235,
	 * found by a kernel-engine campaign).  Each aligned 2 MiB is then
	 * collapsed in the page cache (khugepaged_file.c), with the results
	 * handled as for anonymous memory below.
	 */
	if (!vma_is_anonymous(vma)) {
		if ((((vma->start >> PAGE_SHIFT) - vma->pgoff) &
		     (PTRS_PER_PT - 1)) != 0)
			return -EINVAL;
	}
	/*
	 * __thp_vma_allowable_orders(): "if (!vma->anon_vma) return (smaps
	 * || in_pf) ? orders : 0": an anonymous VMA never faulted cannot
	 * collapse
	 */
	else if (!vma->anon_vma) {
		return -EINVAL;
	}
	for (uint64_t addr = hstart; addr < hend; addr += PMD_SIZE) {
		enum scan_result r = vma_is_anonymous(vma) ?
				     scan_pmd(w, vma, addr) :
				     collapse_file_range(w, vma, addr);

		if (w->unmodelled)
			return -EINVAL;
		switch (r) {
		case SCAN_SUCCEED:
		case SCAN_PMD_MAPPED:
			thps++;
			break;
		/* the whitelisted results: go on */
		case SCAN_PMD_NULL:
		case SCAN_PTE_NON_PRESENT:
		case SCAN_PAGE_NULL:
		case SCAN_PAGE_COUNT:
		case SCAN_PAGE_COMPOUND:
			last_fail = r;
			break;
		default:
			last_fail = r;
			goto out;
		}
	}
out:
	/*
	 * "thps == ((hend - hstart) >> HPAGE_PMD_SHIFT)" in unsigned longs:
	 * a range inside one 2 MiB that is not aligned at its start has
	 * hstart past hend, the difference wraps, and the call is EINVAL
	 * (SCAN_FAIL); an aligned start gives hstart == hend and 0
	 */
	if (hstart > hend)
		return madvise_collapse_errno(SCAN_FAIL);
	return thps == (hend - hstart) / PMD_SIZE ? 0 : madvise_collapse_errno(last_fail);
}
