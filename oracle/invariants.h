/*
 * invariants.h - properties of a world that hold after every operation,
 * checked against the page-table scan (scan.h):
 *   - mapcount of every frame equals the number of PTEs the scan finds;
 *   - refcount = mapcount + page cache + swap cache references;
 *   - no present PTE points at a free frame or a page-table frame;
 *   - every PTE satisfies the linearity formula for its VMA:
 *     addr == vm_start + ((page->index - vm_pgoff) << 12);
 *   - every anonymous page's anon_vma is reachable from every VMA mapping it,
 *     and a swap-cache page's from every VMA whose swap entry refers to it
 *     (what a swap-in there will map);
 *   - page tables and frames of exited processes are freed; no frame leaks;
 *   - every entry of a PGD, PUD or PMD that is not a leaf names a page
 *     table of the level below (pgtable-entry);
 *   - the interval trees (anon_vma, i_mmap) are well formed;
 *   - each page table's used-slot bitmap (which the scan follows) has a
 *     bit set exactly for the entries that are not none;
 * and the kernel's own semantic rules, which see bugs in the mm code both
 * backends share (the worlds then agree, so only an invariant can):
 *   - how a page may be mapped (page_rules.h): truncate, ptc-anon-rw,
 *     ptc-anon-file, cow-wp, anon-exclusive;
 *   - the anon_vma and interval-tree structures at rest (anon_vma_rules.h):
 *     anon_vma-chain, anon_vma-count, itree-key.
 * A violation is reported as "CATEGORY: details": the category (linearity,
 * mapcount, refcount, anon_vma, pgtable, pgtable-bitmap, leak, and those
 * above) is stable across inputs and goes into divergence signatures.  The
 * structural checks run first, then the page rules, then the anon_vma
 * rules, so an input that breaks several reports the same one every time.
 *
 * Where they run (lockstep.h): all of them after every op in full mode and
 * at the end of a stream; in fast mode, per op, the page rules on each
 * frame the op's page-table writes touched and, after a file op, the
 * truncate rule on that file's mappings past its end.
 */
#ifndef RMAP_ORACLE_INVARIANTS_H
#define RMAP_ORACLE_INVARIANTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/op.h"
#include "core/world.h"
#include "oracle/scan.h"

/*
 * Check every invariant of W (using S, a fresh scan of W).  Returns 0 when
 * all hold, else -1 with a one-line description in msg.
 */
int invariants_check(const struct world *w, const struct scan *s,
		     char *msg, size_t msglen);

/*
 * The same in the middle of an op (the signing replay asks when a walk
 * disagrees at an rmap event): the structure (page tables, VMAs,
 * anon_vmas, interval trees, mapcounts), not the refcounts and the page
 * rules (page_rules.h), which are in flux there (a page unmapped is put
 * later, as Linux's TLB batching does; truncate cuts i_size before it
 * zaps).  Skipping those checks, not their messages, keeps one in flux
 * from hiding a broken mapcount.
 */
int invariants_check_midop(const struct world *w, const struct scan *s,
			   char *msg, size_t msglen);

/*
 * Fast mode, per op: the page rules (page_rules.h) on frame PFN, mapped
 * at the N places MAPS (an rmap walk's, already checked against the
 * mapcount); the PTEs are read from the page tables, and a place whose PTE
 * does not map PFN is left to the walk check.  0, or -1 with msg.
 */
int invariants_check_frame(const struct world *w, uint64_t pfn,
			   const struct rmap_hit *maps, uint32_t n,
			   char *msg, size_t msglen);

/*
 * The non-leaf entry E at address VA of process PID, in a table of LEVEL
 * (4 PGD, 3 PUD, 2 PMD), names a page table of the level below (a PMD
 * leaf, a none or a PTE-level entry: nothing to check).  0, or -1 with
 * msg "pgtable-entry: ...".  The full checks take it from the scan
 * (scan.h, bad_tables); fast mode asks it of each table the op wrote.
 */
int invariants_check_table_entry(const struct world *w, uint32_t pid,
				 uint64_t va, int level, uint64_t e,
				 char *msg, size_t len);

/*
 * Fast mode, per op: the rules an op can break away from the frames it
 * wrote: after a file op (a truncation spares a PTE by not writing it),
 * truncate on every entry of the file's VMAs past its end.  0, or -1.
 */
int invariants_check_op(const struct world *w, const struct op *op,
			char *msg, size_t msglen);

#endif /* RMAP_ORACLE_INVARIANTS_H */
