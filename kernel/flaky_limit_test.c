/*
 * flaky_limit_test.c - the flaky limit (kernel/kcompare.h
 * kcompare_flaky_over): a batch fails when MORE than the percentage of
 * its compared traces were flaky, exactly that many passes.  No root: the
 * arithmetic only; //tests:kcompare_flaky_test runs it on the kernel.
 */
#include <stdio.h>

#include "kernel/kcompare.h"
#include "tests/assert.h"

static bool test_default_is_one_percent(void)
{
	ASSERT_EQ(KCOMPARE_FLAKY_MAX_PERCENT, 1);
	ASSERT_FALSE(kcompare_flaky_over(0, 0, KCOMPARE_FLAKY_MAX_PERCENT));
	ASSERT_FALSE(kcompare_flaky_over(0, 1, KCOMPARE_FLAKY_MAX_PERCENT));
	/* one of fewer than 100 is more than 1% */
	ASSERT_TRUE(kcompare_flaky_over(1, 1, KCOMPARE_FLAKY_MAX_PERCENT));
	ASSERT_TRUE(kcompare_flaky_over(1, 99, KCOMPARE_FLAKY_MAX_PERCENT));
	ASSERT_FALSE(kcompare_flaky_over(1, 100, KCOMPARE_FLAKY_MAX_PERCENT));
	/* compare_random's CI batch: 2 of 200 pass, 3 fail */
	ASSERT_FALSE(kcompare_flaky_over(2, 200, KCOMPARE_FLAKY_MAX_PERCENT));
	ASSERT_TRUE(kcompare_flaky_over(3, 200, KCOMPARE_FLAKY_MAX_PERCENT));
	return true;
}

static bool test_the_edges_of_max_flaky(void)
{
	ASSERT_FALSE(kcompare_flaky_over(1, 4, 25));   /* exactly 25% */
	ASSERT_TRUE(kcompare_flaky_over(1, 4, 24));
	ASSERT_TRUE(kcompare_flaky_over(1, 1000, 0));  /* 0: none allowed */
	ASSERT_FALSE(kcompare_flaky_over(7, 7, 100));  /* 100: all allowed */
	/* a campaign's execs: no overflow at billions */
	ASSERT_FALSE(kcompare_flaky_over(40000000UL, 4000000000UL, 1));
	ASSERT_TRUE(kcompare_flaky_over(40000001UL, 4000000000UL, 1));
	return true;
}

int main(void)
{
	static bool (*const tests[])(void) = {
		test_default_is_one_percent,
		test_the_edges_of_max_flaky,
	};
	unsigned failed = 0, n = sizeof(tests) / sizeof(tests[0]);

	for (unsigned i = 0; i < n; i++)
		failed += !tests[i]();
	printf("%u passed, %u failed\n", n - failed, failed);
	return failed != 0;
}
