/*
 * race_feedback_test.c - the fuzz target's interleaving feedback
 * (fuzz/race_feedback.h) tells moments apart that code coverage cannot:
 *
 *   - a walker of the PTE in flight held off by the PTL move_ptes() holds
 *     and one held off by the rmap locks of a merging move each count
 *     another counter; one of a page not in flight that runs counts none
 *     (no race's moment);
 *   - the same trace counts the same counters again (determinism), and a
 *     trace without an interleaving counts none;
 *   - per world: obj and ptechain meet the same moment differently where
 *     their walks differ, and each is counted.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz/diff_run.h"
#include "fuzz/race_feedback.h"
#include "trace/trace.h"
#include "tests/test_util.h"

/* the PTE of 0x10001000 in flight, the old VMA walked first: ptl */
static const char in_flight[] =
	"mmap p0 0x10000000 0x3000 rw anon private\n"
	"write p0 0x10001000\n"
	"interleave migrate p0:0x10001000 at mremap_move_pte\n"
	"mremap p0 0x10001000 0x1000 0x1000 maymove fixed 0x30000000\n";

/* moved back into its old place, merging: the rmap locks keep it off */
static const char merging[] =
	"mmap p0 0x10000000 0x3000 rw anon private\n"
	"write p0 0x10000000\n"
	"write p0 0x10001000\n"
	"write p0 0x10002000\n"
	"mremap p0 0x10001000 0x1000 0x1000 maymove fixed 0x30000000\n"
	"interleave migrate p0:0x30000000 at mremap_move_pte\n"
	"mremap p0 0x30000000 0x1000 0x1000 maymove fixed 0x10001000\n";

/* another page, settled: the walker runs (not a race's moment) */
static const char settled[] =
	"mmap p0 0x10000000 0x3000 rw anon private\n"
	"write p0 0x10001000\n"
	"mmap p0 0x50000000 0x1000 rw anon private\n"
	"write p0 0x50000000\n"
	"interleave age p0:0x50000000 at mremap_move_pte\n"
	"mremap p0 0x10001000 0x1000 0x1000 maymove fixed 0x30000000\n";

static const char no_interleave[] =
	"mmap p0 0x10000000 0x3000 rw anon private\n"
	"write p0 0x10001000\n"
	"mremap p0 0x10001000 0x1000 0x1000 maymove fixed 0x30000000\n";

/* which counters TEXT's run moved: a bitmap of RACE_FEATURES bytes */
static bool features(struct lockstep *ls, const char *text, uint8_t *moved)
{
	static uint8_t before[RACE_FEATURES];
	const uint8_t *c = race_feedback_counters();
	struct trace_error err;
	struct op_stream s;

	memcpy(before, c, RACE_FEATURES);
	ASSERT_EQ(op_stream_init(&s), 0);
	ASSERT_EQ(trace_parse("t", text, strlen(text), &s, &err), 0);
	ASSERT_EQ(diff_run_again(ls, &s, DIFF_FAST, NULL, NULL), 0);
	op_stream_free(&s);
	for (uint32_t i = 0; i < RACE_FEATURES; i++)
		moved[i] = c[i] != before[i];
	return true;
}

static unsigned nset(const uint8_t *m)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < RACE_FEATURES; i++)
		n += m[i];
	return n;
}

static bool same(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, RACE_FEATURES) == 0;
}

static bool test_moments_apart(void)
{
	static uint8_t a[RACE_FEATURES], a2[RACE_FEATURES], b[RACE_FEATURES],
		       c[RACE_FEATURES], none[RACE_FEATURES];
	struct lockstep ls;

	ASSERT_EQ(diff_init(&ls), 0);
	race_feedback_install(&ls);
	ASSERT_TRUE(features(&ls, in_flight, a));
	ASSERT_TRUE(features(&ls, in_flight, a2));
	ASSERT_TRUE(features(&ls, merging, b));
	ASSERT_TRUE(features(&ls, settled, c));
	ASSERT_TRUE(features(&ls, no_interleave, none));
	fprintf(stderr, "counters moved: in flight %u, merging %u, settled %u, "
		"none %u\n", nset(a), nset(b), nset(c), nset(none));
	/* one counter per world at most, for one interleaved op */
	ASSERT_TRUE(nset(a) >= 1 && nset(a) <= 2);
	ASSERT_TRUE(same(a, a2));
	ASSERT_TRUE(nset(b) >= 1 && !same(a, b));
	ASSERT_EQ(nset(c), 0u);
	ASSERT_EQ(nset(none), 0u);
	lockstep_fini(&ls);
	return true;
}

/* the key's parts each move the counter */
static bool test_feature_parts(void)
{
	struct op op = { .kind = OP_MREMAP };
	struct interleave_outcome o = { .status = INTERLEAVE_IMPOSSIBLE,
					.walker = 1, .point = 2,
					.blocked_by = "ptl",
					.page_state = ILV_PAGE_PTE_SRC_FIRST };
	uint32_t base = race_feature(0, &op, &o);
	struct interleave_outcome p = o;

	ASSERT_TRUE(base < RACE_FEATURES);
	ASSERT_TRUE(race_feature(1, &op, &o) != base);
	p.blocked_by = "anon_vma";
	ASSERT_TRUE(race_feature(0, &op, &p) != base);
	p = o;
	p.page_state = ILV_PAGE_PTE_DST_FIRST;
	ASSERT_TRUE(race_feature(0, &op, &p) != base);
	p = o;
	p.status = INTERLEAVE_RAN;
	p.blocked_by = NULL;
	ASSERT_TRUE(race_feature(0, &op, &p) != base);
	p = o;
	p.walker = 2;
	ASSERT_TRUE(race_feature(0, &op, &p) != base);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(feature_parts);
	TEST(moments_apart);
	TEST_END();
}
