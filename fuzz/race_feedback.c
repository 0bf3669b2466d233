/*
 * race_feedback.c - see race_feedback.h.
 */
#include <string.h>

#include "core/interleave.h"
#include "core/op_interleave.h"
#include "fuzz/race_feedback.h"

/*
 * libFuzzer reads every byte of this section after each input as it reads
 * the compiler's 8-bit counters (FuzzerExtraCounters.cpp: the section's
 * __start_/__stop_ symbols); in other builds (AFL++, replay) it is only
 * memory that nobody reads.
 */
__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t counters[RACE_FEATURES];

/* the lock a blocked walker met, as a small number (0: none) */
static unsigned lock_index(const char *lock)
{
	static const char *const locks[] = {
		"folio", "anon_vma", "i_mmap_rwsem", "ptl",
	};

	if (!lock)
		return 0;
	for (unsigned i = 0; i < sizeof(locks) / sizeof(locks[0]); i++)
		if (!strcmp(lock, locks[i]))
			return i + 1;
	return 7;
}

_Static_assert(YP_MAX <= 32 && ILV_WALKER_MAX <= 8 &&
	       INTERLEAVE_STATUS_MAX <= 8 && ILV_PAGE_STATE_MAX <= 8,
	       "race_feature()'s key has 5 bits of point, 3 of walker, "
	       "status and page state");

uint32_t race_feature(unsigned world, const struct op *op,
		      const struct interleave_outcome *o)
{
	uint64_t key = world & 1;

	key = key * 64 + (op->kind & 63);
	key = key * 32 + (o->point & 31);
	key = key * 8 + (o->walker & 7);
	key = key * 8 + ((unsigned)o->status & 7);
	key = key * 8 + lock_index(o->blocked_by);
	key = key * 8 + (o->page_state & 7);
	/* Fibonacci hashing: nearby keys far apart, few collisions */
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 50) % RACE_FEATURES;
}

static void count(unsigned world, const struct op *op,
		  const struct interleave_outcome *o)
{
	uint8_t *c;

	/*
	 * Only a race's moments: the walker's page in flight, or a lock that
	 * held the walker off.  A walker that ran on a settled page, or found
	 * no page, or never reached its point, tells nothing code coverage
	 * does not, and counting those too filled the corpus with inputs that
	 * differ only there (measured: docs/races.md, "Interleavings as
	 * coverage").
	 */
	if (o->page_state == ILV_PAGE_SETTLED &&
	    o->status != INTERLEAVE_IMPOSSIBLE)
		return;
	c = &counters[race_feature(world, op, o)];

	if (*c < 255)
		(*c)++;
}

void race_feedback_install(struct lockstep *ls)
{
	ls->on_interleave = count;
}

const uint8_t *race_feedback_counters(void)
{
	return counters;
}
