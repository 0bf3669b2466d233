/*
 * diff_run_test.c - the signatures the crash tools and the campaign agree on
 * (fuzz/diff_run.h): read off every kind of failing output (the target's
 * own line, a core BUG_ON, AddressSanitizer, LeakSanitizer, UBSan, a bare
 * crash), found in a child process for each kind of failure it can have,
 * and empty for a stream that does not diverge.
 *
 * The sanitizer failures are real ones where the build has the sanitizers
 * (the asan config builds ASan, LeakSanitizer and UBSan together).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/diff_run.h"
#include "trace/trace.h"
#include "tests/test_util.h"

/* gcc says so with a macro, clang with __has_feature */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

static bool sig_is(const char *text, const char *want)
{
	char sig[SIGNATURE_SIZE];

	crash_signature(text, sig);
	ASSERT_EQ(strcmp(sig, want), 0);
	return true;
}

static bool test_signatures_read_off_crash_output(void)
{
	ASSERT_TRUE(sig_is("trace...\nDIVERGENCE SIGNATURE: walk:mremap:ptechain\nop index: 3\n",
			   "walk:mremap:ptechain"));
	ASSERT_TRUE(sig_is("BUG at core/vma.c:184: vma_find(mm) != vma\n",
			   "bug:core/vma.c:184"));
	/* a sanitizer report is signed by where it happened, not the op */
	ASSERT_TRUE(sig_is("==1==ERROR: AddressSanitizer: heap-use-after-free on address\n"
			   "READ of size 8 at 0x1 thread T0\n"
			   "    #0 0x4f2 in ptechain_walk core/rmap_ptechain.c:340\n"
			   "    #1 0x4f3 in rmap_walk core/rmap.c:16\n",
			   "asan:heap-use-after-free:ptechain_walk"));
	ASSERT_TRUE(sig_is("==1==ERROR: AddressSanitizer: heap-use-after-free on address\n",
			   "asan:heap-use-after-free:?"));
	ASSERT_TRUE(sig_is("core/fault.c:12:5: runtime error: signed integer overflow\n",
			   "ubsan:core/fault.c:12:5"));
	ASSERT_TRUE(sig_is("==1==ERROR: LeakSanitizer: detected memory leaks\n"
			   "Direct leak of 64 byte(s) in 1 object(s) allocated from:\n"
			   "    #0 0x1 in __interceptor_malloc\n"
			   "    #1 0x2 in xcalloc core/alloc.c:20\n"
			   "    #2 0x3 in vma_dup core/vma.c:40\n",
			   "leak:detected:vma_dup"));
	ASSERT_TRUE(sig_is("==12== ERROR: libFuzzer: timeout after 10 seconds\n",
			   "timeout"));
	ASSERT_TRUE(sig_is("==12== ERROR: libFuzzer: out-of-memory (used: 2100Mb)\n",
			   "oom"));
	ASSERT_TRUE(sig_is("==1==ERROR: AddressSanitizer: requested allocation size "
			   "0xfffffffffffff000 exceeds maximum supported size\n"
			   "    #0 0x1 in malloc\n"
			   "SUMMARY: AddressSanitizer: allocation-size-too-big in malloc\n",
			   "oom"));
	ASSERT_TRUE(sig_is("Segmentation fault\n", "crash"));
	ASSERT_TRUE(sig_is("", "crash"));
	/* the target's own line wins over what a teardown printed after it */
	ASSERT_TRUE(sig_is("DIVERGENCE SIGNATURE: result:fork:all\nBUG at core/x.c:1: y\n",
			   "result:fork:all"));
	/* a report in the middle of other output */
	ASSERT_TRUE(sig_is("   1 mmap p0 0x0 0x1000 rw anon private -> ok\n"
			   "core/pgtable.c:40:9: runtime error: shift exponent 64\n"
			   "    #0 0x1 in f core/pgtable.c:40\n",
			   "ubsan:core/pgtable.c:40:9"));
	return true;
}

/* ---- failures in a child ---------------------------------------------- */

static int finds_divergence(void *arg, char *sig)
{
	strcpy(sig, "walk:mremap:ptechain");
	return 0;
}

static int finds_nothing(void *arg, char *sig)
{
	return 0;
}

static int runs_out_of_memory(void *arg, char *sig)
{
	return -1;
}

static int hits_bug_on(void *arg, char *sig)
{
	fprintf(stderr, "BUG at core/vma.c:184: vma_find(mm) != vma\n");
	abort();
}

static int dies_silently(void *arg, char *sig)
{
	signal(SIGABRT, SIG_DFL);
	abort();
}

#ifdef SANITIZED
static int uses_after_free(void *arg, char *sig)
{
	char *volatile p = malloc(8);

	free(p);
	return p[0];
}

static void *volatile last_block;

/*
 * LeakSanitizer scans the stack and registers conservatively: a block's
 * address left in a dead stack slot or a register makes it reachable, and
 * the leak unseen (this test failed once so under load).  So the blocks
 * are made in a frame of their own, many of them, and the stack they left
 * is overwritten before the check.
 */
static __attribute__((noinline)) void drop_blocks(void)
{
	for (int i = 0; i < 16; i++) {
		last_block = malloc(64);
		last_block = NULL;
	}
}

static __attribute__((noinline)) void scrub_stack(void)
{
	volatile char junk[8192];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0;
}

static int leaks(void *arg, char *sig)
{
	drop_blocks();
	scrub_stack();
	return 0;
}

static int overflows(void *arg, char *sig)
{
	volatile int big = 0x7fffffff;
	int sum = big + 1;

	return sum == 0;
}
#endif

static bool child_sig_is(int (*run)(void *arg, char *sig), const char *want)
{
	char sig[SIGNATURE_SIZE] = "x";

	ASSERT_EQ(signature_in_child(run, NULL, sig), 0);
	if (strncmp(sig, want, strlen(want)))
		fprintf(stderr, "signature '%s', want '%s...'\n", sig, want);
	ASSERT_EQ(strncmp(sig, want, strlen(want)), 0);
	return true;
}

static bool test_every_failure_in_a_child_has_its_signature(void)
{
	ASSERT_TRUE(child_sig_is(finds_divergence, "walk:mremap:ptechain"));
	ASSERT_TRUE(child_sig_is(finds_nothing, ""));
	ASSERT_TRUE(child_sig_is(runs_out_of_memory, "crash"));
	ASSERT_TRUE(child_sig_is(hits_bug_on, "bug:core/vma.c:184"));
	ASSERT_TRUE(child_sig_is(dies_silently, "crash"));
#ifdef SANITIZED
	ASSERT_TRUE(child_sig_is(uses_after_free, "asan:heap-use-after-free:"));
	ASSERT_TRUE(child_sig_is(leaks, "leak:detected:drop_blocks"));
	ASSERT_TRUE(child_sig_is(overflows, "ubsan:tests/diff_run_test.c:"));
#endif
	return true;
}

static bool test_clean_stream_has_no_signature(void)
{
	static const char text[] =
		"mmap p0 0x10000000 0x4000 rw anon private\n"
		"write p0 0x10000000\n"
		"fork p0 p1\n"
		"mremap p1 0x10000000 0x4000 0x4000 maymove fixed 0x20000000\n"
		"write p1 0x20000000\n"
		"pageout p0 0x10000000\n"
		"read p1 0x20001000\n";
	struct op_stream s;
	struct trace_error err;
	char sig[SIGNATURE_SIZE] = "x";

	ASSERT_EQ(op_stream_init(&s), 0);
	ASSERT_EQ(trace_parse("clean", text, sizeof(text) - 1, &s, &err), 0);
	ASSERT_EQ(diff_signature_isolated(&s, sig), 0);
	ASSERT_EQ(sig[0], '\0');
	op_stream_free(&s);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(signatures_read_off_crash_output);
	TEST(every_failure_in_a_child_has_its_signature);
	TEST(clean_stream_has_no_signature);
	TEST_END();
}
