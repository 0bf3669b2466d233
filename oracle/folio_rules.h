/*
 * folio_rules.h - the rules of large folios (issue 19), checked once per
 * folio against the page-table scan (folio_rules.c).  Each is one Linux
 * relies on; the category is "folio":
 *
 *   - a large folio is 2^order frames aligned to its size, each page
 *     knowing the folio's order and its own index (folio_page(), the
 *     compound head of every tail);
 *   - _large_mapcount is the number of PTEs that map any of its pages,
 *     and each page's mapcount those that map it (folio_large_mapcount,
 *     page_mapcount);
 *   - the MM-id slots never claim more mappings than there are, and a
 *     folio mapped by two processes is "maybe mapped shared"
 *     (folio_maybe_mapped_shared() may say yes wrongly, never no: COW
 *     reuse of a large folio trusts it);
 *   - an anonymous folio that some but not all of whose pages are mapped
 *     is on the deferred split queue (__folio_remove_rmap ->
 *     deferred_split_folio);
 *
 * (A page's index inside a folio is linearity's: invariants.c.)
 */
#ifndef RMAP_ORACLE_FOLIO_RULES_H
#define RMAP_ORACLE_FOLIO_RULES_H

#include <stddef.h>

#include "core/world.h"
#include "oracle/scan.h"

/*
 * Check every rule on every large folio of W, with S the scan (present
 * entries sorted by pfn).  0 when all hold, else -1 with "folio: ..." in
 * MSG.
 */
int folio_rules_check(const struct world *w, const struct scan *s,
		      char *msg, size_t len);

/*
 * A page with no reference is no leak while another page of its large
 * folio holds one (the folio is freed as one).
 */
bool folio_page_held(const struct world *w, uint64_t pfn);

#endif /* RMAP_ORACLE_FOLIO_RULES_H */
