/*
 * rmap_obj.h - test hooks of the object-based backend (rmap_obj.c): a
 * deliberate corruption, to prove the lockstep checker catches it.
 */
#ifndef RMAP_CORE_RMAP_OBJ_H
#define RMAP_CORE_RMAP_OBJ_H

#include <stdint.h>

#include "core/world.h"

/*
 * Take the nth AVC (0: newest) of the VMA mapping pid:addr out of its
 * anon_vma's interval tree, leaving it in the VMA's chain (-ENOENT if there
 * is none, or the world's backend has no such hook: struct rmap_debug_ops);
 * restore puts it back.  Restore before the VMA goes away.
 */
int rmap_obj_hide_avc(struct world *w, unsigned pid, uint64_t addr, unsigned nth);
int rmap_obj_restore_avc(struct world *w, unsigned pid, uint64_t addr,
			 unsigned nth);

#endif /* RMAP_CORE_RMAP_OBJ_H */
