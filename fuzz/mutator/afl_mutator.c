/*
 * afl_mutator.c - the op-level mutator (op_mutator.h) as an AFL++ custom
 * mutator: built as librmap_afl_mutator.so, loaded with
 * AFL_CUSTOM_MUTATOR_LIBRARY=.../librmap_afl_mutator.so.  AFL++ keeps its
 * own mutations too unless AFL_CUSTOM_MUTATOR_ONLY=1.
 *
 * The API (AFL++ docs/custom_mutators.md): afl_custom_init gets AFL's seed
 * (-s), every later choice comes from a generator it seeds, so a campaign
 * with a fixed -s mutates the same way.  afl_custom_fuzz splices with
 * ADD_BUF (another corpus entry) half of the time it is given one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/mutator/op_mutator.h"

struct afl_op_mutator {
	uint64_t rng;           /* splitmix64 state */
	uint8_t *buf;           /* the output, reused across calls */
	size_t cap;
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
		       uint8_t **out_buf, uint8_t *add_buf,
		       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

static uint64_t next_seed(struct afl_op_mutator *m)
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct afl_op_mutator *m = calloc(1, sizeof(*m));

	if (m)
		m->rng = seed;
	return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
		       uint8_t **out_buf, uint8_t *add_buf,
		       size_t add_buf_size, size_t max_size)
{
	struct afl_op_mutator *m = data;
	uint64_t seed = next_seed(m);
	size_t len;

	if (m->cap < max_size) {
		uint8_t *grown = realloc(m->buf, max_size);

		if (!grown) {
			*out_buf = buf;
			return buf_size;
		}
		m->buf = grown;
		m->cap = max_size;
	}
	if (add_buf && add_buf_size && (seed & 1)) {
		len = op_crossover(buf, buf_size, add_buf, add_buf_size,
				   m->buf, max_size, seed >> 1);
	} else {
		len = buf_size < max_size ? buf_size : max_size;
		memcpy(m->buf, buf, len);
		len = op_mutate(m->buf, len, max_size, seed >> 1);
	}
	*out_buf = m->buf;
	return len;
}

void afl_custom_deinit(void *data)
{
	struct afl_op_mutator *m = data;

	if (m)
		free(m->buf);
	free(m);
}
