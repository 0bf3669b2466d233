/*
 * differ.h - the comparing half of the lockstep checker (differ.c): given
 * the worlds after an op (and, in fast mode, their journals of page-table
 * writes), find the first check that fails and record it as the
 * divergence, with its report and signature (lockstep.h).  The executor
 * (lockstep.c) decides what to run and when; nothing here changes a world.
 *
 * Each function records at most the first divergence (ls->diverged stays
 * set), so calling them in the executor's fixed order reports the same
 * divergence for an input whatever engine runs it.
 */
#ifndef RMAP_ORACLE_DIFFER_H
#define RMAP_ORACLE_DIFFER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/op.h"
#include "oracle/lockstep.h"

/* every world returned what world 0 returned (RES[i] of world i) */
void differ_check_results(struct lockstep *ls, const struct op *op,
			  uint32_t index, const int *res);
/*
 * fast mode: the worlds' journals hold the same writes (as sets).  false
 * when a journal overflowed: the op then needs the full checks instead.
 */
bool differ_check_journals(struct lockstep *ls, const struct op *op,
			   uint32_t index);
/*
 * fast mode: each frame a journaled write touched, walked in every world,
 * and the kernel's page rules on it (invariants_check_frame)
 */
void differ_check_touched(struct lockstep *ls, const struct op *op,
			  uint32_t index);
/* fast mode: the invariants an op can break off the frames it wrote */
void differ_check_op_invariants(struct lockstep *ls, const struct op *op,
				uint32_t index);
/*
 * full mode, on fresh scans (ls->scan): invariants, identical page tables,
 * and every world's walk against its scan for the frames the op may have
 * changed, or for every mapped frame when ALL (or OP is NULL).
 */
void differ_check_op(struct lockstep *ls, const struct op *op, uint32_t index,
		     bool all);

/*
 * signing mode: after rmap event EV of world I during OP, every frame the
 * page tables map, and the event's own frames, walked in world I against a
 * fresh scan of it; a disagreement is signed "walk:EVENT:backend".
 */
void differ_check_event(struct lockstep *ls, unsigned i, const struct op *op,
			uint32_t index, const struct rmap_event *ev);

/*
 * signing mode, an event of an interleaved walker (the op half done): only
 * what is wrong at any moment, a PTE-walk design's walk of the event's own
 * frame listing one mapping twice, signed as differ_check_event signs it
 * ("walk:EVENT:dup:backend"), so one bug is one signature whether the
 * walker ran between ops or inside one.
 */
void differ_check_walker_event(struct lockstep *ls, unsigned i,
			       const struct op *op, uint32_t index,
			       const struct rmap_event *ev);

/*
 * Record a divergence found by another checker of the op (the interleave
 * checks, interleave_check.h): CHECK and BACKEND sign it as every check's
 * "check:op:backend", DETAIL is what each side saw.
 */
void differ_report(struct lockstep *ls, const struct op *op, uint32_t index,
		   const char *check, const char *backend, const char *detail);

#endif /* RMAP_ORACLE_DIFFER_H */
