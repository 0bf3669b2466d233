/*
 * fork.c - fork and exit (kernel/fork.c dup_mmap, mm/memory.c
 * copy_page_range / copy_present_pte, mm/mmap.c exit_mmap).
 *
 * fork copies every VMA but the VM_DONTCOPY ones (MADV_DONTFORK), links the
 * child's copy into the anon_vma tree (anon_vma_fork) and copies the PTEs
 * only where vma_needs_copy() says so: the VMA has an anon_vma.  A
 * VM_WIPEONFORK VMA (MADV_WIPEONFORK) is copied empty, with no anon_vma.  Private pages are write-protected in parent and
 * child (COW); the child's PTEs start old (pte_mkold) and, in shared
 * mappings, clean.  A failed fork tears the half-built child down.
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/alloc.h"
#include "core/anon_vma.h"
#include "core/bug.h"
#include "core/huge_memory.h"
#include "core/interleave.h"
#include "core/ksm.h"
#include "core/pgtable.h"
#include "core/pte_ops.h"
#include "core/swap.h"
#include "core/syscalls.h"
#include "core/vma.h"

struct copy_arg {
	struct vma *src, *dst;
	int err;
};

/* copy_nonpresent_pte / copy_present_pte */
static void copy_one(struct world *w, struct mm *mm, uint64_t va,
		     uint64_t *spte, void *arg)
{
	struct copy_arg *ca = arg;
	uint64_t e = *spte, *dpte;
	int err;

	if (ca->err)
		return;
	err = pte_alloc(w, ca->dst->mm, va, &dpte);
	if (err)
		goto fail;
	if (!pte_present(e)) {
		swap_dup(w, swp_offset(e));
		set_pte(w, dpte, e);
		return;
	}
	if (is_cow_mapping(ca->src->flags)) {
		bool writable = e & PTE_RW;

		/*
		 * copy_present_pte(): a writable PTE of a COW mapping is
		 * write-protected in parent and child (ptep_set_wrprotect).  The
		 * bug leaves the parent's writable, which changes something only
		 * where it was writable: a page already COW-shared or read-only
		 * (the zero page) is copied alike either way.
		 */
		e &= ~PTE_RW;
		if (!BUG_INJECTED(fork_keeps_parent_writable, writable) && writable)
			set_pte(w, spte, e);
	}
	if (ca->src->flags & VM_SHARED)
		e &= ~PTE_D;
	e &= ~PTE_A;
	pfn_page(w, pte_pfn(e))->flags &= (uint8_t)~PG_ANON_EXCLUSIVE;
	err = pte_install_fork(w, ca->dst, va, dpte, pte_pfn(e),
			       e & ~PTE_PFN_MASK, ca->src->mm);
	if (!err)
		return;
fail:
	ca->err = err;
}

/* copy_pmd_range(): a PMD leaf is copied whole (copy_huge_pmd) */
static void copy_leaf(struct world *w, struct mm *mm, uint64_t haddr,
		      uint64_t *spmd, void *arg)
{
	struct copy_arg *ca = arg;

	if (!ca->err)
		ca->err = copy_huge_pmd(w, ca->dst, ca->src, haddr, spmd);
}

/*
 * copy_page_range() of SRC into the child's VMA (ca->dst), one PMD at a
 * time (copy_pmd_range): a PMD leaf is copied whole; a PMD that holds a
 * PTE table, empty or not, gets the child's table first
 * (copy_pte_range(): pte_alloc_map_lock() before it looks at a PTE), then
 * its PTEs.  Seen on the 6.18 host: MADV_COLLAPSE in the child finds that
 * empty table (corpus/regressions/fork_copies_empty_pte_tables.rmt).
 */
static void copy_range(struct world *w, struct copy_arg *ca)
{
	struct vma *src = ca->src;

	for (uint64_t a = src->start; a < src->end && !ca->err;) {
		uint64_t next = (a & PMD_MASK) + PMD_SIZE, *pmd, *dpte;

		if (next > src->end)
			next = src->end;
		pmd = pmd_lookup(w, src->mm, a);
		if (pmd && pgd_table(*pmd))
			ca->err = pte_alloc(w, ca->dst->mm, a, &dpte);
		if (!ca->err)
			pgtable_range_each(w, src->mm, a, next, copy_one,
					   copy_leaf, ca);
		a = next;
	}
}

static int dup_vma(struct world *w, struct mm *child, struct vma *src)
{
	struct vma *vma = vma_dup(w, src);
	struct copy_arg ca;
	int err;

	if (!vma)
		return -ENOMEM;
	/* dup_mmap(): tmp->vm_mm = mm, before anon_vma_fork() */
	vma->mm = child;
	if (src->flags & VM_WIPEONFORK) {
		/*
		 * dup_mmap(): "VM_WIPEONFORK gets a clean slate in the child":
		 * no anon_vma until the child faults, and copy_page_range() is
		 * not called; the child's VMA keeps the flag.
		 */
		vma->anon_vma = NULL;
		vma_link(w, child, vma);
		return 0;
	}
	/*
	 * The order before object-based anon rmap: the PTEs are copied, then
	 * the child's VMA is linked into the anon_vma.  The end state is the
	 * same; only a walker that runs in between (an interleaving) misses
	 * the child's copies.
	 */
	if (BUG_INJECTED(fork_copy_before_anon_vma_fork, src->anon_vma != NULL)) {
		vma->anon_vma = NULL;
		vma_link(w, child, vma);
		ca = (struct copy_arg){ src, vma, 0 };
		copy_range(w, &ca);
		MM_YIELD(w, YP_FORK_LINK_COPY);
		return ca.err ? ca.err : anon_vma_fork(w, vma, src);
	}
	err = anon_vma_fork(w, vma, src);
	if (err) {
		vma_free(vma);
		return err;
	}
	vma_link(w, child, vma);
	/*
	 * dup_mmap(): anon_vma_fork() has linked the child's VMA into the
	 * anon_vma tree (and i_mmap), and copy_page_range() has not copied a
	 * PTE yet; neither holds a lock across the gap.  Linked first, so that
	 * a walker that runs during or after the copy finds the child's PTEs.
	 */
	MM_YIELD(w, YP_FORK_LINK_COPY);
	if (!src->anon_vma)     /* vma_needs_copy() */
		return 0;
	ca = (struct copy_arg){ src, vma, 0 };
	copy_range(w, &ca);
	return ca.err;
}

int do_fork(struct world *w, struct mm *parent, uint32_t child_pid)
{
	struct mm *child;

	if (child_pid >= w->nmms) {
		uint32_t cap = w->nmms;

		core_array_reserve(w, (void **)&w->mms, &cap, child_pid, sizeof(void *));
		w->nmms = cap;
	}
	if (w->mms[child_pid] && w->mms[child_pid]->alive)
		return -EEXIST;
	child = core_zalloc(w, sizeof(*child));
	if (!child)
		return -ENOMEM;
	child->pid = child_pid;
	child->alive = true;
	if (w->mms[child_pid]) {
		core_free(w->mms[child_pid]->vmas);
		core_free(w->mms[child_pid]);
	}
	w->mms[child_pid] = child;
	ksm_fork(w, child, parent);     /* dup_mmap, before the VMAs */
	for (uint32_t i = 0; i < parent->nvmas; i++) {
		int err;

		/* dup_mmap(): a VM_DONTCOPY VMA is not in the child at all */
		if (parent->vmas[i]->flags & VM_DONTCOPY)
			continue;
		err = dup_vma(w, child, parent->vmas[i]);

		if (err) {
			do_exit(w, child);
			return err;
		}
		/* dup_mmap()'s loop: one VMA copied, the next not yet */
		MM_YIELD(w, YP_FORK_BETWEEN_VMAS);
	}
	return 0;
}

/* exit_mmap: unmap everything, free the page tables */
void do_exit(struct world *w, struct mm *mm)
{
	while (mm->nvmas) {
		struct vma *vma = mm->vmas[mm->nvmas - 1];

		zap_vma_range(w, vma, vma->start, vma->end);
		/* exit_mmap(): unmap_vmas() done, free_pgtables() and
		 * remove_vma() to come (the model prunes per VMA) */
		MM_YIELD(w, YP_UNMAP_ZAPPED);
		vma_destroy(w, vma);
		MM_YIELD(w, YP_UNMAP_BETWEEN_VMAS);
	}
	pgtable_prune(w, mm, 0, TASK_SIZE + PAGE_SIZE);
	MM_UNSTALL(w);
	BUG_ON(mm->pgd != 0);
	ksm_exit(w, mm);
	mm->alive = false;
}
