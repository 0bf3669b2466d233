/* LEB128 varints: the self-test library of the build infrastructure. */
#include "build_defs/selftest/varint.h"

size_t varint_encode(uint64_t v, uint8_t *out)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

size_t varint_decode(const uint8_t *buf, size_t len, uint64_t *v)
{
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < len && i < VARINT_MAX_LEN; i++) {
		uint64_t bits = buf[i] & 0x7f;

		/* The 10th byte may carry only the top bit of a uint64_t. */
		if (i == VARINT_MAX_LEN - 1 && bits > 1)
			return 0;
		r |= bits << (7 * i);
		if (!(buf[i] & 0x80)) {
			/* Canonical form only: no trailing zero groups. */
			if (i > 0 && bits == 0)
				return 0;
			*v = r;
			return i + 1;
		}
	}
	return 0;
}
