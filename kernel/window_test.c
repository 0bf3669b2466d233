/*
 * window_test.c - the kernel world's safety rule (kernel/window.h): an op
 * runs only when it cannot act outside the address window, or when the
 * kernel refuses its range before looking at any mapping.  Oracle: the
 * argument checks of Linux 6.18 listed in kernel/window.c, by hand.
 */
#include <stdio.h>

#include "kernel/window.h"
#include "tests/assert.h"

static const struct kwindow w = { 0x10000, 0x7fe00000, (1ULL << 47) - 4096 };

static struct op op_of(unsigned kind, uint64_t addr, uint64_t len)
{
	return (struct op){ .kind = (uint8_t)kind, .addr = addr, .len = len };
}

static bool test_inside_and_edges(void)
{
	struct op o = op_of(OP_MMAP, 0x10000, 0x7fdf0000);

	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* the whole window */
	o.len += 1;                                   /* a page past it */
	ASSERT_FALSE(kwindow_op_ok(&w, &o));
	o = op_of(OP_MUNMAP, 0xf000, 0x2000);        /* a page below it */
	ASSERT_FALSE(kwindow_op_ok(&w, &o));
	ASSERT_TRUE(kwindow_has(&w, 0x7fdfffff));
	ASSERT_FALSE(kwindow_has(&w, 0x7fe00000));
	ASSERT_FALSE(kwindow_has(&w, 0));
	return true;
}

static bool test_refused_before_any_mapping(void)
{
	struct op o = op_of(OP_MUNMAP, 0x7ffff0000800, 0x1000);

	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* unaligned: EINVAL */
	o = op_of(OP_MADVISE, 0x100000000000, 0);
	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* empty */
	o = op_of(OP_MMAP, 0xffff800000000000, 0x1000);
	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* nothing maps there */
	o = op_of(OP_MMAP, 0x10000000, 0xffffffffffff0000);
	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* wraps: ENOMEM */
	o = op_of(OP_MUNMAP, 0x10000000, 0x7ffff0000000);
	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* past TASK_SIZE */
	o = op_of(OP_MMAP, 0x100000000000, 0x1000);
	o.off = 0x800;
	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* offset: EINVAL */
	return true;
}

static bool test_walkers_past_the_top_do_not_run(void)
{
	struct op o = op_of(OP_MADVISE, 0x10000000, 0x7ffff0000000);

	ASSERT_FALSE(kwindow_op_ok(&w, &o));         /* would zap on */
	o.kind = OP_MPROTECT;
	ASSERT_FALSE(kwindow_op_ok(&w, &o));
	o.len = 0xfffffffffffff000;                  /* wraps: ENOMEM */
	ASSERT_TRUE(kwindow_op_ok(&w, &o));
	o = op_of(OP_MPROTECT, 0x100000000000, 0x1000);
	ASSERT_FALSE(kwindow_op_ok(&w, &o));
	return true;
}

static bool test_mremap(void)
{
	struct op o = op_of(OP_MREMAP, 0x10000000, 0x2000);

	o.newlen = 0x3000;
	ASSERT_TRUE(kwindow_op_ok(&w, &o));          /* grows in the window */
	o.addr = 0x7fdfe000;
	ASSERT_FALSE(kwindow_op_ok(&w, &o));         /* grows past it */
	o.flags = OPF_MAYMOVE;
	ASSERT_FALSE(kwindow_op_ok(&w, &o));         /* may grow in place */
	o.addr = 0x10000000;
	o.newlen = 0x7ffffffff000;                   /* cannot grow there */
	ASSERT_TRUE(kwindow_op_ok(&w, &o));
	o = op_of(OP_MREMAP, 0x10000000, 0x2000);
	o.newlen = 0x2000;
	o.flags = OPF_MAYMOVE | OPF_FIXED;
	o.addr2 = 0x300000000000;
	ASSERT_FALSE(kwindow_op_ok(&w, &o));         /* moves out */
	o.addr2 = 0x20000000;
	ASSERT_TRUE(kwindow_op_ok(&w, &o));
	o.addr = 0x7fdff000;                         /* takes from outside */
	ASSERT_FALSE(kwindow_op_ok(&w, &o));
	return true;
}

int main(void)
{
	static bool (*const tests[])(void) = {
		test_inside_and_edges,
		test_refused_before_any_mapping,
		test_walkers_past_the_top_do_not_run,
		test_mremap,
	};
	unsigned failed = 0, n = sizeof(tests) / sizeof(tests[0]);

	for (unsigned i = 0; i < n; i++)
		failed += !tests[i]();
	printf("%u passed, %u failed\n", n - failed, failed);
	return failed != 0;
}
