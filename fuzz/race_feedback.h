/*
 * race_feedback.h - interleavings as coverage (issue 21): the fuzz
 * target tells libFuzzer, through its extra counters, which moment of a
 * race each interleaving met (its page in flight, or a lock that held the
 * walker off): the op and the yield point, the walker, whether it ran or
 * which lock held it off, and where its page was (settled, its PTE or PMD
 * in flight, in a detached table), per world.  Code coverage cannot
 * tell these apart (the same lines run whether a walker is blocked by the
 * anon_vma lock or by a PTL), so without this an input that reaches a new
 * moment of a race is not kept, and a race two mutations deep (a walker
 * of the PTE in flight, then an mremap that merges) is found only by
 * taking both at once.
 */
#ifndef RMAP_FUZZ_RACE_FEEDBACK_H
#define RMAP_FUZZ_RACE_FEEDBACK_H

#include <stdint.h>

#include "oracle/lockstep.h"

/* how many counters (libFuzzer's __libfuzzer_extra_counters section) */
#define RACE_FEATURES 16384

/* the counter of this moment, in [0, RACE_FEATURES) */
uint32_t race_feature(unsigned world, const struct op *op,
		      const struct interleave_outcome *o);

/*
 * count every interleaving's moment of LS's runs (ls->on_interleave); the
 * fuzz target leaves it out when RMAP_NO_RACE_FEEDBACK is set (to measure
 * what it adds: docs/races.md)
 */
void race_feedback_install(struct lockstep *ls);

/* the counters, for tests: RACE_FEATURES of them */
const uint8_t *race_feedback_counters(void);

#endif /* RMAP_FUZZ_RACE_FEEDBACK_H */
