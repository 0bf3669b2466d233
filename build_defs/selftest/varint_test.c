/* Unit test of the self-test library: round trips and rejected inputs. */
#include <stdbool.h>
#include <stdio.h>

#include "build_defs/selftest/varint.h"

#define ASSERT_TRUE(e)                                                     \
	do {                                                               \
		if (!(e)) {                                                \
			fprintf(stderr, "%s:%d:%s: ASSERT_TRUE(%s) failed\n", \
				__FILE__, __LINE__, __func__, #e);         \
			return false;                                      \
		}                                                          \
	} while (0)

static bool test_round_trip(void)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 300, 1ull << 35,
					 UINT64_MAX };
	uint8_t buf[VARINT_MAX_LEN];

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		size_t n = varint_encode(vals[i], buf);
		uint64_t v = 0;

		ASSERT_TRUE(varint_decode(buf, n, &v) == n);
		ASSERT_TRUE(v == vals[i]);
		ASSERT_TRUE(varint_decode(buf, n - 1, &v) == 0);
	}
	return true;
}

static bool test_rejects_bad_input(void)
{
	static const uint8_t overlong[] = { 0x80, 0x00 };
	static const uint8_t overflow[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
					    0xff, 0xff, 0xff, 0xff, 0x02 };
	uint64_t v;

	ASSERT_TRUE(varint_decode(overlong, sizeof(overlong), &v) == 0);
	ASSERT_TRUE(varint_decode(overflow, sizeof(overflow), &v) == 0);
	ASSERT_TRUE(varint_decode(overflow, 0, &v) == 0);
	return true;
}

int main(void)
{
	int failed = 0;

	failed += !test_round_trip();
	failed += !test_rejects_bad_input();
	printf("varint_test: %d failed\n", failed);
	return failed ? 1 : 0;
}
