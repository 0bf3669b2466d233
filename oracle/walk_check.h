/*
 * walk_check.h - the one comparison of a backend's rmap walk of a frame
 * with the truth, the page-table scan's view of it (scan.h).  The lockstep
 * checker, the trace's expectations and the tests all ask it, and report
 * the two views it hands back in their own words.
 *
 * Both views are sets of (process, address), sorted by pid then address,
 * so they compare entry by entry and print side by side.  The walk agrees
 * when it succeeded and found exactly the scan's set.
 */
#ifndef RMAP_ORACLE_WALK_CHECK_H
#define RMAP_ORACLE_WALK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/world.h"
#include "oracle/scan.h"

struct walk_check {
	uint64_t pfn;
	struct rmap_hit *scan;   /* what the page tables say maps pfn */
	uint32_t nscan;
	struct rmap_hit *walk;   /* what the backend's walk found */
	uint32_t nwalk;
	int walk_err;            /* 0, or the walk's -errno (walk then empty) */
	bool agree;              /* walk_err == 0 and the two sets are equal */
	uint32_t cap_scan, cap_walk;  /* entries the two buffers hold */
};

/*
 * Walk frame PFN of W through its backend (world_rmap_walk) and compare
 * with S, a scan of W as it is now.  0 and *OUT filled (free it with
 * walk_check_free, also after an error), or -ENOMEM when the views could
 * not be stored: a failed walk is an answer (walk_err), not an error.
 */
int walk_check(struct world *w, const struct scan *s, uint64_t pfn,
	       struct walk_check *out);
/*
 * The same into C's buffers, kept from an earlier walk_check or
 * walk_check_again (or all zero): for a checker that compares many frames.
 */
int walk_check_again(struct world *w, const struct scan *s, uint64_t pfn,
		     struct walk_check *c);
void walk_check_free(struct walk_check *c);

/* Sort a set of mappings by pid, then address (the order of both views). */
void rmap_hits_sort(struct rmap_hit *h, uint32_t n);
/* Two sorted sets of mappings are equal. */
bool rmap_hits_equal(const struct rmap_hit *a, uint32_t na,
		     const struct rmap_hit *b, uint32_t nb);
/*
 * " p0:0x1000 p1:0x2000" (pids as numbers), or " (none)" for no mapping,
 * into BUF, cut short at LEN; returns what snprintf returned last.
 */
int rmap_hits_format(char *buf, size_t len, const struct rmap_hit *h,
		     uint32_t n);

#endif /* RMAP_ORACLE_WALK_CHECK_H */
