/*
 * scan.c - the oracle's page-table scan: every present PTE of every live
 * process, found by walking the x86-64 tables from each root, grouped by
 * frame.  It reads only page tables, never a backend's structures, so it is
 * the truth both rmap walks are checked against.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/internal.h"
#include "oracle/scan.h"

struct scan_ctx {
	struct scan *s;
	int err;
};

static void scan_one(const struct world *w, const struct mm *mm, uint64_t va,
		     uint64_t pte, void *arg)
{
	struct scan_ctx *c = arg;
	struct scan *s = c->s;

	(void)w;
	if (!pte_present(pte) || c->err)
		return;
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 256;
		struct scan_entry *e = realloc(s->e, cap * sizeof(*e));

		if (!e) {
			c->err = -ENOMEM;
			return;
		}
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n++] = (struct scan_entry){ pte_pfn(pte), mm->pid, va, pte };
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

int scan_world(const struct world *w, struct scan *s)
{
	struct scan_ctx c = { s, 0 };

	s->n = 0;
	for (uint32_t pid = 0; pid < w->nmms; pid++) {
		const struct mm *mm = w->mms[pid];

		if (mm && mm->alive)
			pte_range_each_const(w, mm, 0, TASK_SIZE + PAGE_SIZE, scan_one, &c);
	}
	if (!c.err && s->n)
		qsort(s->e, s->n, sizeof(*s->e), entry_cmp);
	return c.err;
}

void scan_free(struct scan *s)
{
	free(s->e);
	s->e = NULL;
	s->n = s->cap = 0;
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
