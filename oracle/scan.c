/*
 * scan.c - the oracle's page-table scan: every present PTE of every live
 * process, found by walking the x86-64 tables from each root, grouped by
 * frame.  It reads only page tables, never a backend's structures, so it is
 * the truth both rmap walks are checked against.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm_types.h"
#include "core/pgtable.h"
#include "oracle/scan.h"

static int push(struct scan_entry **e, uint32_t *n, uint32_t *cap,
		const struct scan_entry *x)
{
	if (*n == *cap) {
		uint32_t c = *cap ? *cap * 2 : 256;
		struct scan_entry *ne = realloc(*e, c * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		*e = ne;
		*cap = c;
	}
	(*e)[(*n)++] = *x;
	return 0;
}

/* the part of the address space a walk covers: [start, end) */
struct span {
	uint64_t start, end;
};

/*
 * A PMD leaf (the x86 PS bit at level 2: issue 19) maps 512 pages: an
 * entry for each, at its own address, with the leaf's raw entry and pmd
 * set, inside SP.
 */
static int push_leaf(uint32_t pid, uint64_t va, uint64_t e,
		     const struct span *sp, struct scan *s)
{
	for (uint64_t i = 0; i < PTRS_PER_PT; i++) {
		uint64_t a = va + (i << PAGE_SHIFT);
		struct scan_entry x = { pte_pfn(e) + i, pid, a, e, true };

		if (a < sp->start || a >= sp->end)
			continue;
		if (push(&s->all, &s->nall, &s->cap_all, &x))
			return -ENOMEM;
	}
	return 0;
}

/* is frame PFN a page table of LEVEL (4 PGD .. 1 PTE)? */
static bool is_table(const struct world *w, uint64_t pfn, int level)
{
	const struct page *p;

	if (pfn >= w->phys.nframes)
		return false;
	p = pfn_page(w, pfn);
	return p->kind == PAGE_PGTABLE && p->pt_level == level;
}

/*
 * The oracle's own walk: level 4 (PGD) down to the PTE tables, entry by
 * entry in address order, skipping empty slots with the table's used-slot
 * bitmap (core/pgtable.h; invariants.c checks it against the entries),
 * trusting nothing else of core.  Entries outside SP are skipped.
 */
static int walk_table(const struct world *w, uint32_t pid, pfn_t table,
		      int level, uint64_t base, const struct span *sp,
		      struct scan *s)
{
	const uint64_t *t = w->phys.pages[table].table;
	const uint64_t *used = t + PTRS_PER_PT;
	unsigned shift = PAGE_SHIFT + 9 * (unsigned)(level - 1);

	s->tables++;
	for (unsigned word = 0; word < PTRS_PER_PT / 64; word++) {
		for (uint64_t bits = used[word]; bits; bits &= bits - 1) {
			unsigned i = word * 64 + (unsigned)__builtin_ctzll(bits);
			uint64_t e = t[i], va = base + ((uint64_t)i << shift);
			struct scan_entry x = { 0, pid, va, e, false };

			if (va >= sp->end || va + (1ULL << shift) <= sp->start)
				continue;
			if (level == 2 && pmd_leaf(e)) {
				/* a PMD leaf: one entry per page it maps */
				if (push_leaf(pid, va, e, sp, s))
					return -ENOMEM;
				continue;
			}
			if (level > 1) {
				if (!(e & PTE_P))
					continue;
				if (!is_table(w, pte_pfn(e), level - 1)) {
					if (!s->bad_tables++) {
						s->bad = x;
						s->bad_level = level;
					}
					continue;
				}
				if (walk_table(w, pid, pte_pfn(e), level - 1, va, sp, s))
					return -ENOMEM;
				continue;
			}
			if (pte_present(e))
				x.pfn = pte_pfn(e);
			if (push(&s->all, &s->nall, &s->cap_all, &x))
				return -ENOMEM;
		}
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct scan_entry *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* room for N entries in e and for at[0, nat): 0 or -ENOMEM */
static int reserve_sort(struct scan *s, uint32_t n, uint64_t nat)
{
	if (n > s->cap) {
		struct scan_entry *e = realloc(s->e, n * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->e = e;
		s->cap = n;
	}
	if (nat > s->cap_at) {
		uint32_t *at = realloc(s->at, nat * sizeof(*at));

		if (!at)
			return -ENOMEM;
		s->at = at;
		s->cap_at = nat;
	}
	return 0;
}

/*
 * e: the present entries of all, sorted by frame, then pid and address.
 * all is in pid then address order, so a stable counting sort by frame
 * gives that order without comparing (nor a qsort buffer per scan); a frame
 * number past the world's frames (a broken PTE, reported by the
 * invariants) sorts with qsort instead.
 */
static int sort_by_frame(const struct world *w, struct scan *s)
{
	uint64_t nframes = w->phys.nframes;
	uint32_t n = 0;
	bool in_range = true;

	for (uint32_t k = 0; k < s->nall; k++) {
		if (!pte_present(s->all[k].pte))
			continue;
		in_range &= s->all[k].pfn < nframes;
		n++;
	}
	if (reserve_sort(s, n, in_range ? nframes + 1 : 0))
		return -ENOMEM;
	s->n = n;
	if (!in_range) {
		for (uint32_t k = 0, i = 0; k < s->nall; k++)
			if (pte_present(s->all[k].pte))
				s->e[i++] = s->all[k];
		qsort(s->e, n, sizeof(*s->e), entry_cmp);
		return 0;
	}
	memset(s->at, 0, (nframes + 1) * sizeof(*s->at));
	for (uint32_t k = 0; k < s->nall; k++)
		if (pte_present(s->all[k].pte))
			s->at[s->all[k].pfn + 1]++;
	for (uint64_t pfn = 1; pfn <= nframes; pfn++)
		s->at[pfn] += s->at[pfn - 1];
	for (uint32_t k = 0; k < s->nall; k++)
		if (pte_present(s->all[k].pte))
			s->e[s->at[s->all[k].pfn]++] = s->all[k];
	return 0;
}

int scan_world(const struct world *w, struct scan *s)
{
	const struct span all = { 0, UINT64_MAX };

	s->n = s->nall = 0;
	s->tables = s->bad_tables = 0;
	for (uint32_t pid = 0; pid < w->nmms; pid++) {
		const struct mm *mm = w->mms[pid];

		if (mm && mm->alive && mm->pgd &&
		    walk_table(w, pid, mm->pgd, 4, 0, &all, s))
			return -ENOMEM;
	}
	return sort_by_frame(w, s);
}

int scan_range(const struct world *w, uint32_t pid, uint64_t start,
	       uint64_t end, struct scan *s)
{
	const struct mm *mm = pid < w->nmms ? w->mms[pid] : NULL;
	const struct span sp = { start, end };

	s->n = s->nall = 0;
	s->tables = s->bad_tables = 0;
	if (mm && mm->alive && mm->pgd && start < end &&
	    walk_table(w, pid, mm->pgd, 4, 0, &sp, s))
		return -ENOMEM;
	return sort_by_frame(w, s);
}

void scan_free(struct scan *s)
{
	free(s->e);
	free(s->all);
	free(s->at);
	memset(s, 0, sizeof(*s));
}

uint32_t scan_frame(const struct scan *s, uint64_t pfn, uint32_t *first)
{
	uint32_t lo = 0, hi = s->n, n = 0;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (s->e[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < s->n && s->e[lo + n].pfn == pfn)
		n++;
	return n;
}
