/*
 * expect.h - the read-only lines of a trace evaluated against a world: the
 * expect-* lines and dump (spec/trace-format.md).  Shared by rmt_run
 * (`./rmapfuzz run`) and the repro command.
 *
 * Two views of "who maps this frame" are compared on every expectation:
 *   - the oracle's page-table scan (oracle/scan.h), the truth, taken as a
 *     sharing snapshot (oracle/sharing.h): whether the expectation holds
 *     and its detail text are sharing_expect()'s, the same code that judges
 *     the kernel world;
 *   - the world's rmap walk (world_rmap_walk), what the backend believes.
 * An expectation holds only when both agree with it; when the two disagree
 * with each other that is a divergence, reported with both sets.
 *
 * Text is the kernel world's (kernel/), so that runs against the real
 * kernel and against the simulator can be diffed line by line: mappings are
 * "NAME:0xADDR", frames in details are decimal pfns, "zero" or "None".
 */
#ifndef RMAP_ORACLE_EXPECT_H
#define RMAP_ORACLE_EXPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/op.h"
#include "core/world.h"
#include "trace/trace.h"
#include "oracle/scan.h"
#include "oracle/sharing.h"

struct check_outcome {
	bool passed;
	unsigned divergences;  /* frames whose walk and scan disagree */
	char *detail;          /* "passed" or "FAILED: ..."; malloc'd */
	char *report;          /* "     DIVERGENCE: ...\n" lines, or ""; malloc'd */
};

/*
 * Evaluate expectation OP (OP_EXPECT_*) of stream S on W, with SC a scan of W
 * in its current state.  0 and *OUT filled (free with check_outcome_free),
 * or -ENOMEM / -EINVAL (OP is not an expectation).
 */
int check_expect(struct world *w, const struct scan *sc,
		 const struct op_stream *s, const struct op *op,
		 struct check_outcome *out);
void check_outcome_free(struct check_outcome *o);

/*
 * Compare the rmap walk of frame PFN with the scan.  Returns 0 when they
 * agree, 1 when they do not (and writes one DIVERGENCE line naming ABOUT,
 * e.g. "p0:0x1000", to REPORT), or -ENOMEM.
 */
int check_walk_vs_scan(struct world *w, const struct scan *sc,
		       const struct op_stream *s, uint64_t pfn,
		       const char *about, FILE *report);

/*
 * OUT (cleared first, sorted) := the mappings of the scan SC of world W:
 * frame = pfn, ZERO_PFN as SHARING_ZERO, each page's folio as W has it (W
 * NULL: a scan made by hand, every page small).  0 or -ENOMEM.
 */
int scan_sharing(const struct world *w, const struct scan *sc,
		 uint64_t zero_pfn, struct sharing *out);

/*
 * The sharing state in the spec's dump format, from the scan SC
 * (sharing_dump of scan_sharing: frames numbered in the order of their
 * first mapping by process name, then address; the zero page last; one
 * empty line when nothing is mapped).  0 or -ENOMEM.
 */
int check_dump(FILE *out, const struct world *w, const struct scan *sc,
	       uint64_t zero_pfn, const struct op_stream *s);

#endif /* RMAP_ORACLE_EXPECT_H */
