/*
 * diff_run_test.c - the signatures the crash tools agree on
 * (fuzz/diff_run.h): read off a failing run's output (the target's own
 * line, a core BUG_ON, sanitizer reports), and empty for a stream that
 * does not diverge, in process or in a child.
 */
#include <string.h>

#include "fuzz/diff_run.h"
#include "fuzz/trace/trace.h"
#include "tests/test_util.h"

static bool sig_is(const char *text, const char *want)
{
	char sig[96];

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
	ASSERT_TRUE(sig_is("==1==ERROR: AddressSanitizer: heap-use-after-free on address\n",
			   "asan:heap-use-after-free"));
	ASSERT_TRUE(sig_is("core/fault.c:12:5: runtime error: signed integer overflow\n",
			   "ubsan:core/fault.c:12:5"));
	ASSERT_TRUE(sig_is("==1==ERROR: LeakSanitizer: detected memory leaks\n",
			   "leak:detected"));
	ASSERT_TRUE(sig_is("Segmentation fault\n", "crash"));
	/* the target's own line wins over what a teardown printed after it */
	ASSERT_TRUE(sig_is("DIVERGENCE SIGNATURE: result:fork:all\nBUG at core/x.c:1: y\n",
			   "result:fork:all"));
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
	char sig[96] = "x";

	ASSERT_EQ(op_stream_init(&s), 0);
	ASSERT_EQ(trace_parse("clean", text, sizeof(text) - 1, &s, &err), 0);
	ASSERT_EQ(diff_signature(&s, sig), 0);
	ASSERT_EQ(sig[0], '\0');
	strcpy(sig, "x");
	ASSERT_EQ(diff_signature_isolated(&s, sig), 0);
	ASSERT_EQ(sig[0], '\0');
	op_stream_free(&s);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(signatures_read_off_crash_output);
	TEST(clean_stream_has_no_signature);
	TEST_END();
}
