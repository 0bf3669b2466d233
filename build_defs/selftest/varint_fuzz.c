/*
 * Oracle: every varint the decoder accepts re-encodes to exactly the bytes it
 * consumed (the decoder accepts canonical encodings only).
 */
#include <stdlib.h>
#include <string.h>

#include "build_defs/fuzz_entry.h"
#include "build_defs/selftest/varint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size > 0) {
		uint8_t buf[VARINT_MAX_LEN];
		uint64_t v;
		size_t n = varint_decode(data, size, &v);

		if (n == 0)
			return 0;
		if (varint_encode(v, buf) != n || memcmp(buf, data, n) != 0)
			abort();
		data += n;
		size -= n;
	}
	return 0;
}
