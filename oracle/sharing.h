/*
 * sharing.h - the page-sharing structure of a world at one moment, as data:
 * which (process, address) maps which frame, and what the read-only lines
 * of a trace (expect-*, dump: spec/trace-format.md) say about it.
 *
 * It is world-independent on purpose: the kernel world fills it from
 * /proc/PID/pagemap (kernel/kworld.h), the model from the oracle's
 * page-table scan (oracle/expect.h scan_sharing: frame = pfn, the zero pfn
 * -> SHARING_ZERO); the dump text and the expectation details are written
 * once, here, for both.  Text is exactly `./rmapfuzz run`'s:
 *
 *	frame 1: p0:0x10000000 p1:0x20000000
 *	zero: p0:0x10002000
 *	FAILED: got p0:0x10000000           (expect-map)
 *	FAILED: frames 17 None              (expect-same / expect-diff)
 *	FAILED: frame zero                  (expect-zero / expect-none)
 *
 * Invariants: entries are page-aligned addresses; after sharing_sort() they
 * are ordered by process id, then address, with no duplicate pair; a frame
 * id means nothing across snapshots of different worlds (compare structures
 * with sharing_diff(), which renames frames).
 */
#ifndef RMAP_ORACLE_SHARING_H
#define RMAP_ORACLE_SHARING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/op.h"
#include "trace/trace.h"

/* frame id of the shared zero page */
#define SHARING_ZERO UINT64_MAX

/* sharing_entry.flags: what the world knows beyond the frame (pagemap) */
#define SHARING_EXCLUSIVE  0x1   /* mapped exclusively (PM_MMAP_EXCLUSIVE) */
#define SHARING_FILE       0x2   /* file page or shared anon (PM_FILE) */
#define SHARING_PMD        0x4   /* mapped by a PMD leaf (x86's PS bit; the
				  * kernel's PAGEMAP_SCAN PAGE_IS_HUGE) */
#define SHARING_KSM        0x8   /* a KSM page (issue 20: PageKsm, the
				  * kernel's /proc/kpageflags KPF_KSM); the
				  * dump says "frame N (ksm):" */

/*
 * Large folios (issue 19): an entry knows the folio its frame belongs to,
 * by the frame id of the folio's head, and the folio's size in pages.  Both
 * worlds use page frame numbers as frame ids, so frame - folio is the
 * page's index inside its folio.  A small page is its own folio of 1.
 */
struct sharing_entry {
	uint32_t proc;        /* op stream process id */
	uint32_t flags;       /* SHARING_* */
	uint64_t addr;        /* page-aligned */
	uint64_t frame;       /* world's frame id, or SHARING_ZERO */
	uint64_t folio;       /* frame id of the folio's head (frame if small) */
	uint32_t folio_nr;    /* pages in the folio: 1 for a small page */
};

struct sharing {
	struct sharing_entry *e;
	uint32_t n, cap;
};

/* Append one mapping.  0 or -ENOMEM. */
int sharing_add(struct sharing *s, uint32_t proc, uint64_t addr,
		uint64_t frame, uint32_t flags);
/*
 * Append one mapping of page FRAME of the folio whose head is FOLIO and
 * which holds FOLIO_NR pages (FOLIO <= FRAME < FOLIO + FOLIO_NR).  0,
 * -EINVAL or -ENOMEM.
 */
int sharing_add_folio(struct sharing *s, uint32_t proc, uint64_t addr,
		      uint64_t frame, uint32_t flags, uint64_t folio,
		      uint32_t folio_nr);
/* Empty S, keeping its buffer for reuse. */
void sharing_clear(struct sharing *s);
void sharing_free(struct sharing *s);
/* Order by process id, then address (what the look-ups below need). */
void sharing_sort(struct sharing *s);

/* The frame present at PROC:ADDR (ADDR rounded down to its page). */
bool sharing_frame_at(const struct sharing *s, uint32_t proc, uint64_t addr,
		      uint64_t *frame);

/*
 * The spec's dump of S (sorted), process names from NAMES: mappings sorted
 * by name (strcmp) then address, frames numbered by first mapping, the zero
 * page last; nothing mapped prints one empty line.  Large folios (issue
 * 19, docs/trace-format.md "Large folios in the dump") add a "frames K-L:"
 * line for a run of their pages mapped alike and one "folio" line each,
 * after everything else; with no large folio the text is version 1's,
 * byte for byte.  0 or -ENOMEM.
 */
int sharing_dump(FILE *out, const struct sharing *s,
		 const struct op_stream *names);

/*
 * Evaluate expectation OP (OP_EXPECT_*) of stream ST on S (sorted): *passed,
 * and "passed" or "FAILED: ..." written to DETAIL.  0, -EINVAL (not an
 * expectation, refs out of range) or -ENOMEM.
 */
int sharing_expect(const struct sharing *s, const struct op_stream *st,
		   const struct op *op, bool *passed, FILE *detail);

/*
 * Do A and B (both sorted) have the same structure: the same mappings, and
 * two mappings share a frame in A exactly when they do in B (frame ids
 * renamed, the zero page kept), and the same folio structure: each
 * mapping's page has the same index in a folio of the same size, two
 * mappings share a folio in A exactly when they do in B, and a mapping is
 * by PMD in A exactly when it is in B?  Other flags are not compared.  On a difference
 * returns false and describes the first mapping (in process id, address
 * order) where they part, with both views, in WHY.
 */
bool sharing_same(const struct sharing *a, const struct sharing *b,
		  const struct op_stream *names, char *why, size_t whylen);

/*
 * Partial views: what /proc/PID/pagemap shows without frame numbers (not
 * root): which (process, address) pairs have a present page, and, when
 * ZERO_KNOWN (/proc/kpageflags readable), which of them map the zero page.
 * sharing_reduce_partial() cuts S down to that: every frame becomes
 * SHARING_PRESENT, the zero page too unless ZERO_KNOWN.  Two views reduced
 * alike compare equal under sharing_same() exactly when they have the same
 * present pages (and zero pages, when known), whatever their frames.
 */
#define SHARING_PRESENT 0

void sharing_reduce_partial(struct sharing *s, bool zero_known);

/*
 * Can expectation OP be checked on a partial view?  expect-none asks only
 * for presence, expect-zero for the zero page (ZERO_KNOWN); expect-map,
 * expect-same, expect-diff need frame identity, as a dump does.
 */
bool sharing_expect_partial_ok(const struct op *op, bool zero_known);

#endif /* RMAP_ORACLE_SHARING_H */
