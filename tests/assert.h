/*
 * assert.h - the assertions every test here uses: on failure they print
 * file:line:function, the expression and (comparisons) both values, then
 * make the test function return false.  No dependency, so the tests of the
 * trace layer use them too; tests/test_util.h adds the runner and worlds.
 */
#ifndef RMAP_TESTS_ASSERT_H
#define RMAP_TESTS_ASSERT_H

#include <stdbool.h>

void tu_fail_at(const char *file, int line, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define ASSERT_TRUE(expr)						\
	do {								\
		if (!(expr)) {						\
			tu_fail_at(__FILE__, __LINE__, __func__,	\
				   "%s is false", #expr);		\
			return false;					\
		}							\
	} while (0)

#define ASSERT_FALSE(expr) ASSERT_TRUE(!(expr))

#define TU_ASSERT_CMP(a, b, op)						\
	do {								\
		unsigned long long tu_a_ = (unsigned long long)(a);	\
		unsigned long long tu_b_ = (unsigned long long)(b);	\
		if (!(tu_a_ op tu_b_)) {				\
			tu_fail_at(__FILE__, __LINE__, __func__,	\
				   "%s %s %s: %lld (0x%llx) vs %lld (0x%llx)", \
				   #a, #op, #b, (long long)tu_a_, tu_a_, \
				   (long long)tu_b_, tu_b_);		\
			return false;					\
		}							\
	} while (0)

/* integer or pointer comparisons, values printed signed and in hex */
#define ASSERT_EQ(a, b) TU_ASSERT_CMP(a, b, ==)
#define ASSERT_NE(a, b) TU_ASSERT_CMP(a, b, !=)

#endif /* RMAP_TESTS_ASSERT_H */
