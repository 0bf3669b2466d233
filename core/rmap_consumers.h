/*
 * rmap_consumers.h - what the kernel uses reverse mapping for, written once
 * against rmap_walk() so every backend runs the same code
 * (rmap_consumers.c).  Each acts on the page mapped at mm:addr and returns
 * -EFAULT when nothing is present there, -EINVAL for the zero page.
 */
#ifndef RMAP_CORE_RMAP_CONSUMERS_H
#define RMAP_CORE_RMAP_CONSUMERS_H

#include <stdint.h>

struct world;
struct mm;

/* folio_referenced: the number of young PTEs, each made old */
int page_age(struct world *w, struct mm *mm, uint64_t addr);
/* try_to_unmap, then out to swap (anon) or dropped from the page cache */
int page_pageout(struct world *w, struct mm *mm, uint64_t addr);
/* try_to_migrate + remove_migration_ptes: every mapping to a new frame */
int page_migrate(struct world *w, struct mm *mm, uint64_t addr);

/*
 * The same on frame PFN (a present page, not the zero page): what an
 * interleaved walker runs (interleave.h).
 */
int folio_age(struct world *w, uint64_t pfn);
int folio_pageout(struct world *w, uint64_t pfn);
/*
 * try_to_unmap(folio, TTU_IGNORE_MLOCK) and nothing after: every mapping
 * of page PFN the rmap walk finds goes (a PMD leaf by zap_huge_pmd); the
 * page stays where it is (collapse_file).  0, or the walk's error.
 */
int folio_unmap_all(struct world *w, uint64_t pfn);
int folio_migrate(struct world *w, uint64_t pfn);

/*
 * split_folio() of the large folio of frame PFN, whole: the split
 * (folio_split, core/folio.h), then remap_page(RMP_USE_SHARED_ZEROPAGE)
 * for an anonymous one: every page that holds only zeroes is mapped by
 * the shared zero page instead, in every PTE an rmap walk finds, and goes.
 */
void split_folio_remap(struct world *w, uint64_t pfn);

#endif /* RMAP_CORE_RMAP_CONSUMERS_H */
