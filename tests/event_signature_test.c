/*
 * event_signature_test.c - one bug, one signature: a backend that breaks
 * its state in remove() (tests/broken_backend.h, linked over ptechain with
 * -Wl,--wrap=rmap_backend) is found through four different syscalls.  The
 * per-op replay files them under four signatures (the syscall that first
 * tripped over the stale entry, or the BUG_ON it ended in); the signing
 * replay (diff_signature_isolated: every frame walk-checked after every
 * rmap event) files all four under walk:remove:failed:ptechain.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz/diff_run.h"
#include "trace/trace.h"
#include "tests/test_util.h"

/* each removes the mapping of page 0x10003000 through another syscall */
static const char *const traces[] = {
	"mmap p0 0x10000000 0x4000 rw anon private\n"
	"write p0 0x10003000\n"
	"munmap p0 0x10000000 0x4000\n",

	"mmap p0 0x10000000 0x4000 rw anon private\n"
	"write p0 0x10003000\n"
	"fork p0 p1\n"
	"madvise p0 0x10003000 0x1000 dontneed\n",

	"mmap p0 0x10000000 0x4000 rw anon private\n"
	"write p0 0x10003000\n"
	"fork p0 p1\n"
	"exit p1\n",

	"mmap p0 0x10000000 0x4000 rw anon private\n"
	"write p0 0x10003000\n"
	"fork p0 p1\n"
	"mremap p1 0x10000000 0x4000 0x3000\n",
};

#define NTRACES (sizeof(traces) / sizeof(traces[0]))

static int full_run(void *arg, char *sig)
{
	struct lockstep ls;
	int r = diff_run(arg, DIFF_FULL, &ls, NULL, NULL);

	if (r == 1)
		snprintf(sig, SIGNATURE_SIZE, "%s", ls.div.signature);
	return r < 0 ? -1 : 0;
}

static bool parse(const char *text, struct op_stream *s)
{
	struct trace_error err;

	ASSERT_EQ(op_stream_init(s), 0);
	ASSERT_EQ(trace_parse("t", text, strlen(text), s, &err), 0);
	return true;
}

static bool test_one_bug_one_signature(void)
{
	char before[NTRACES][SIGNATURE_SIZE], after[SIGNATURE_SIZE];
	unsigned distinct = 0;

	for (unsigned i = 0; i < NTRACES; i++) {
		struct op_stream s;

		ASSERT_TRUE(parse(traces[i], &s));
		ASSERT_EQ(signature_in_child(full_run, &s, before[i]), 0);
		ASSERT_EQ(diff_signature_isolated(&s, after), 0);
		fprintf(stderr, "trace %u: per-op %s, by event %s\n", i,
			before[i], after);
		ASSERT_EQ(strcmp(after, "walk:remove:failed:ptechain"), 0);
		op_stream_free(&s);
		bool seen = false;

		for (unsigned k = 0; k < i; k++)
			seen |= !strcmp(before[k], before[i]);
		distinct += !seen;
	}
	/* what the per-op replay made of it: one bug under several names */
	ASSERT_TRUE(distinct > 1);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(one_bug_one_signature);
	TEST_END();
}
