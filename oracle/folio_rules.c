/*
 * folio_rules.c - the rules of large folios (folio_rules.h), read from
 * struct page and the scan, never from a backend.
 */
#include "core/mm_types.h"
#include "oracle/folio_rules.h"
#include "oracle/invariant_fail.h"

bool folio_page_held(const struct world *w, uint64_t pfn)
{
	const struct page *pg = pfn_page(w, pfn);
	uint64_t head = pfn - pg->folio_idx, nr = 1ULL << pg->folio_order;

	for (uint64_t i = 0; pg->folio_order && i < nr; i++)
		if (pfn_page(w, head + i)->refcount > 0)
			return true;
	return false;
}

/* one folio: HEAD's pages, with the scan's entries from index K on */
static int check_folio(const struct world *w, const struct scan *s,
		       uint64_t head, uint32_t k, char *msg, size_t len)
{
	const struct page *h = pfn_page(w, head);
	uint64_t nr = 1ULL << h->folio_order;
	int64_t ptes = 0, pmds = 0;
	uint32_t pid0 = UINT32_MAX;
	bool two_mms = false, some_unmapped = false;

	if (head & (nr - 1))
		return invariant_fail(msg, len, "folio",
			"frame %llu: a %llu-page folio not aligned to its size",
			(unsigned long long)head, (unsigned long long)nr);
	for (uint64_t i = 0; i < nr; i++) {
		const struct page *p = head + i < w->phys.nframes ?
				       pfn_page(w, head + i) : NULL;

		if (!p || p->kind != h->kind ||
		    p->folio_order != h->folio_order || p->folio_idx != i)
			return invariant_fail(msg, len, "folio",
				"frame %llu: page %llu of the %llu-page folio "
				"at frame %llu is not one of its pages",
				(unsigned long long)(head + i),
				(unsigned long long)i, (unsigned long long)nr,
				(unsigned long long)head);
		if (p->mapcount == 0)
			some_unmapped = true;
	}
	for (; k < s->n && s->e[k].pfn < head + nr; k++) {
		/* a PMD leaf counts once, by its entry for the head */
		if (s->e[k].pmd) {
			pmds += s->e[k].pfn == head;
		} else {
			ptes++;
		}
		if (pid0 == UINT32_MAX)
			pid0 = s->e[k].pid;
		else if (s->e[k].pid != pid0)
			two_mms = true;
	}
	if (h->large_mapcount != ptes + pmds || h->entire_mapcount != pmds)
		return invariant_fail(msg, len, "folio",
			"frame %llu: _large_mapcount %d, _entire_mapcount %d "
			"but %lld PTEs and %lld PMDs map the folio",
			(unsigned long long)head, h->large_mapcount,
			h->entire_mapcount, (long long)ptes, (long long)pmds);
	if (h->mm_id_mapcount[0] + h->mm_id_mapcount[1] > h->large_mapcount ||
	    h->mm_id_mapcount[0] < 0 || h->mm_id_mapcount[1] < 0)
		return invariant_fail(msg, len, "folio",
			"frame %llu: MM-id slots count %d + %d mappings of %d",
			(unsigned long long)head, h->mm_id_mapcount[0],
			h->mm_id_mapcount[1], h->large_mapcount);
	if (two_mms && !h->mm_ids_shared)
		return invariant_fail(msg, len, "folio",
			"frame %llu: mapped by two processes but not maybe "
			"mapped shared", (unsigned long long)head);
	if (h->kind == PAGE_ANON && ptes && !pmds && some_unmapped &&
	    !(h->flags & PG_PARTIALLY_MAPPED))
		return invariant_fail(msg, len, "folio",
			"frame %llu: partially mapped anonymous folio not on "
			"the deferred split queue", (unsigned long long)head);
	return 0;
}

int folio_rules_check(const struct world *w, const struct scan *s,
		      char *msg, size_t len)
{
	uint32_t k = 0;

	for (uint64_t pfn = 1; pfn < w->phys.nframes; pfn++) {
		const struct page *p = pfn_page(w, pfn);

		if (p->kind == PAGE_FREE || p->folio_order == 0 ||
		    p->folio_idx != 0)
			continue;
		while (k < s->n && s->e[k].pfn < pfn)
			k++;
		if (check_folio(w, s, pfn, k, msg, len))
			return -1;
		pfn += (1ULL << p->folio_order) - 1;
	}
	return 0;
}
