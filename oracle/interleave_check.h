/*
 * interleave_check.h - the checks of an interleaved walker (issue 21,
 * core/interleave.h), per world:
 *
 *   interleave-walk      at the moment the walker starts, its rmap walk
 *                        finds exactly the present PTEs that map its frame
 *                        (the page-table scan then and there); a walker
 *                        that runs at all holds no lock the op holds (the
 *                        lock model let it run), so nothing it could miss
 *                        is excused
 *   interleave-ptl       the same miss of a page in flight (move_ptes,
 *                        move_huge_pmd), by a walk whose order meets the
 *                        PTL or PMD lock the op holds: the walker got past
 *                        its lock
 *   interleave-pmd       the same miss of a PMD leaf in flight in
 *                        move_huge_pmd(), by a walk that visits the new VMA
 *                        first: the PMD moved without the rmap locks
 *                        need_rmap_locks asked for
 *   interleave-table     the same miss of a page in a whole PTE table in
 *                        flight in move_normal_pmd(), under neither PMD:
 *                        the table moved without the rmap locks
 *   interleave-stale     right after a migrate or unmap walker that
 *                        succeeded, no present PTE maps its frame
 *   interleave-migration-entry  right after it, and after the op, no
 *                        migration entry names the frame any more
 *   interleave-freed-table  when the stalled walker resumes, every PTE
 *                        table a PMD named when it read it at the point is
 *                        still that page table: the op did not free a
 *                        table under a walker whose rmap lock it had to
 *                        wait for (munmap's order)
 *   interleave           every world's interleaving had the same outcome
 *                        (ran, impossible, unreached, ...)
 *
 * Every other check of the op (invariants, walks, page tables) runs after
 * the op as for any op.  Each function returns true and fills *F when a
 * check fails; the lockstep reports it, signed "CHECK:op:backend".
 */
#ifndef RMAP_ORACLE_INTERLEAVE_CHECK_H
#define RMAP_ORACLE_INTERLEAVE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/op.h"
#include "core/world.h"
#include "oracle/scan.h"

struct ilv_finding {
	char check[32];       /* interleave-walk, interleave-stale, ... */
	char detail[900];     /* what the walk and the page tables said */
};

/*
 * World W's walker of frame PFN is about to run (PHASE ILV_BEFORE_WALKER)
 * or has run, for OP.  SCAN is scanned again here; *HITS / *CAP a walk
 * buffer kept between calls (world_rmap_walk_buf).
 */
bool interleave_check_walker(struct world *w, const struct op *op, int phase,
			     uint64_t pfn, struct scan *scan,
			     struct rmap_hit **hits, uint32_t *cap,
			     struct ilv_finding *f);
/* after OP: worlds W[0..n-1] had the same outcome (backend "all") */
bool interleave_check_outcomes(struct world *const *w, unsigned n,
			       struct ilv_finding *f);
/* after OP in world W (SCAN scanned again): no migration entry is left */
bool interleave_check_after_op(struct world *w, const struct op *op,
			       struct scan *scan, struct ilv_finding *f);

#endif /* RMAP_ORACLE_INTERLEAVE_CHECK_H */
