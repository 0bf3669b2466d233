/*
 * invariants.h - properties of a world that hold after every operation,
 * checked against the page-table scan (scan.h):
 *   - mapcount of every frame equals the number of PTEs the scan finds;
 *   - refcount = mapcount + page cache + swap cache references;
 *   - no present PTE points at a free frame or a page-table frame;
 *   - every PTE satisfies the linearity formula for its VMA:
 *     addr == vm_start + ((page->index - vm_pgoff) << 12);
 *   - every anonymous page's anon_vma is reachable from every VMA mapping it;
 *   - page tables and frames of exited processes are freed; no frame leaks;
 *   - the interval trees (anon_vma, i_mmap) are well formed;
 *   - each page table's used-slot bitmap (which the scan follows) has a
 *     bit set exactly for the entries that are not none.
 * A violation is reported as "CATEGORY: details": the category (linearity,
 * mapcount, refcount, anon_vma, pgtable, pgtable-bitmap, leak, ...) is
 * stable across inputs and goes into divergence signatures.
 */
#ifndef RMAP_ORACLE_INVARIANTS_H
#define RMAP_ORACLE_INVARIANTS_H

#include <stddef.h>

#include "core/world.h"
#include "oracle/scan.h"

/*
 * Check every invariant of W (using S, a fresh scan of W).  Returns 0 when
 * all hold, else -1 with a one-line description in msg.
 */
int invariants_check(const struct world *w, const struct scan *s,
		     char *msg, size_t msglen);

#endif /* RMAP_ORACLE_INVARIANTS_H */
