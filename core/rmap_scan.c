/*
 * rmap_scan.c - the brute-force backend: no reverse map at all; a walk scans
 * every page table of every live process for PTEs of the frame, as Linux 2.4
 * did before rmap.  It needs no bookkeeping, so it is the reference the real
 * backends are measured against (the oracle keeps its own, separate scan).
 */
#include "core/pgtable.h"
#include "core/rmap.h"

struct scan_arg {
	struct rmap_walk_control *rwc;
	struct vma *vma;
	pfn_t pfn;
	bool stop;
};

static void scan_pte(struct world *w, struct mm *mm, uint64_t va,
		     uint64_t *pte, void *arg)
{
	struct scan_arg *sa = arg;

	w->stats.ptes_checked++;
	if (sa->stop || !pte_present(*pte) || pte_pfn(*pte) != sa->pfn)
		return;
	if (!sa->rwc->rmap_one(w, sa->pfn, sa->vma, va, pte, sa->rwc->arg))
		sa->stop = true;
}

/* a PMD leaf maps pfn when pfn is in its 2 MiB folio */
static void scan_pmd(struct world *w, struct mm *mm, uint64_t haddr,
		     uint64_t *pmd, void *arg)
{
	struct scan_arg *sa = arg;
	pfn_t head = pte_pfn(*pmd);

	w->stats.ptes_checked++;
	if (sa->stop || sa->pfn < head || sa->pfn >= head + PTRS_PER_PT)
		return;
	if (!sa->rwc->rmap_one(w, sa->pfn, sa->vma,
			       haddr + ((sa->pfn - head) << PAGE_SHIFT), pmd,
			       sa->rwc->arg))
		sa->stop = true;
}

static int scan_walk(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc)
{
	struct scan_arg sa = { rwc, NULL, pfn, false };

	for (uint32_t pid = 0; pid < w->nmms && !sa.stop; pid++) {
		struct mm *mm = mm_get(w, pid);

		for (uint32_t i = 0; mm && i < mm->nvmas && !sa.stop; i++) {
			sa.vma = mm->vmas[i];
			w->stats.vmas_visited++;
			pgtable_range_each(w, mm, sa.vma->start, sa.vma->end,
					   scan_pte, scan_pmd, &sa);
		}
	}
	return 0;
}

/* no reverse map to keep: only a walk */
const struct rmap_ops rmap_scan_ops = {
	.name = "scan",
	.walk = scan_walk,
};
