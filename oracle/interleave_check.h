/*
 * interleave_check.h - the checks of an interleaved walker (issue 21,
 * core/interleave.h), per world:
 *
 *   interleave-walk      at the moment the walker starts, its rmap walk
 *                        finds exactly the present PTEs that map its frame
 *                        (the page-table scan then and there); a walker
 *                        that runs at all holds no lock the op holds
 *                        (the lock model let it run), so nothing it could
 *                        miss is excused
 *   interleave-stale     right after a migrate or unmap walker that
 *                        succeeded, no present PTE maps its frame
 *   interleave-migration-entry  right after it and after the op, no
 *                        migration entry names the frame any more
 *   interleave           every world's interleaving had the same outcome
 *                        (ran, impossible, unreached, ...)
 *
 * Every other check of the op (invariants, walks, page tables) runs after
 * the op as for any op.  Signed "CHECK:op:backend".
 */
#ifndef RMAP_ORACLE_INTERLEAVE_CHECK_H
#define RMAP_ORACLE_INTERLEAVE_CHECK_H

#include <stdint.h>

#include "core/op.h"
#include "oracle/lockstep.h"

/* world I's walker is about to run (PHASE ILV_BEFORE_WALKER) or ran */
void interleave_check_walker(struct lockstep *ls, unsigned i,
			     const struct op *op, uint32_t index, int phase,
			     uint64_t pfn);
/* after the op: the outcomes agree, no migration entry is left */
void interleave_check_op(struct lockstep *ls, const struct op *op,
			 uint32_t index);

#endif /* RMAP_ORACLE_INTERLEAVE_CHECK_H */
