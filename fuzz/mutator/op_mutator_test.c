/*
 * op_mutator_test.c - the op-level mutator's promises (op_mutator.h) over
 * many random inputs, with a fixed seed and a fixed count, so the test is
 * deterministic: every output fits in MAX, decodes, and round-trips
 * (decode, encode, decode gives the same stream); the same seed gives the
 * same bytes; most mutations change the stream; the moves next to a
 * mapping and the fork trees happen; nothing crashes (under
 * ASan + UBSan in ./rmapfuzz test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/codec/codec.h"
#include "fuzz/mutator/op_mutator.h"
#include "fuzz/trace/trace.h"

#define ROUNDS     6000u
#define MAX_LEN    4096u
#define TEST_SEED  0x5eed0012ull

static uint64_t rng_state = TEST_SEED;

static uint64_t next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int failures;

static void fail(const char *what, uint32_t round, const char *why)
{
	if (failures++ < 10)
		fprintf(stderr, "op_mutator_test: round %u: %s%s%s\n", round,
			what, why ? ": " : "", why ? why : "");
}

/* decode(DATA) round-trips through encode; its op count in *NOPS */
static void check_stream(const uint8_t *data, size_t len, uint32_t round,
			 uint32_t *nops)
{
	struct op_stream s1, s2;
	uint8_t *bytes = NULL;
	size_t blen = 0;
	char why[256] = "";

	op_stream_init(&s1);
	op_stream_init(&s2);
	if (decode_ops(data, len, NULL, &s1))
		fail("does not decode", round, NULL);
	else if (encode_ops(&s1, NULL, &bytes, &blen, why, sizeof(why)))
		fail("decoded stream does not encode", round, why);
	else if (decode_ops(bytes, blen, NULL, &s2))
		fail("re-encoded stream does not decode", round, NULL);
	else if (!op_stream_equal(&s1, &s2, why, sizeof(why)))
		fail("no round trip", round, why);
	*nops = s1.nops;
	free(bytes);
	op_stream_free(&s1);
	op_stream_free(&s2);
}

/*
 * What the two structural moves make (op_mutator.c): mremaps to a fixed
 * address that ends where an earlier mapping starts or starts where it
 * ends; forks and exits.
 */
struct shape {
	uint32_t adjacent, forks, exits;
};

static struct shape shape_of(const uint8_t *data, size_t len)
{
	struct shape sh = { 0, 0, 0 };
	struct op_stream s;

	op_stream_init(&s);
	if (decode_ops(data, len, NULL, &s) == 0) {
		for (uint32_t i = 0; i < s.nops; i++) {
			const struct op *op = &s.ops[i];

			sh.forks += op->kind == OP_FORK;
			sh.exits += op->kind == OP_EXIT;
			if (op->kind != OP_MREMAP || !(op->flags & OPF_FIXED))
				continue;
			for (uint32_t j = 0; j < i; j++) {
				const struct op *m = &s.ops[j];

				if (m->kind == OP_MMAP &&
				    (op->addr2 == m->addr + m->len ||
				     op->addr2 + op->newlen == m->addr)) {
					sh.adjacent++;
					break;
				}
			}
		}
	}
	op_stream_free(&s);
	return sh;
}

static size_t random_input(uint8_t *buf)
{
	size_t len = next() % 600;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)next();
	return len;
}

int main(void)
{
	static uint8_t cur[MAX_LEN], other[MAX_LEN], again[MAX_LEN], out[MAX_LEN],
		       before[MAX_LEN];
	size_t len = 0, olen, alen, xlen;
	uint32_t changed = 0, nops, spliced = 0, moved_next = 0, trees = 0;

	for (uint32_t round = 0; round < ROUNDS; round++) {
		uint64_t seed = next();
		size_t max = next() % 4 ? MAX_LEN : 64 + next() % 256;

		/* a fresh random input now and then, else keep evolving */
		if (round % 50 == 0 || len > max)
			len = random_input(cur) % (max + 1);
		memcpy(again, cur, len);
		memcpy(before, cur, len);
		alen = op_mutate(again, len, max, seed);
		olen = op_mutate(cur, len, max, seed);
		if (olen > max)
			fail("longer than MAX", round, NULL);
		if (olen != alen || memcmp(cur, again, olen))
			fail("not deterministic", round, NULL);
		changed += olen != len || memcmp(before, cur, olen);
		{
			struct shape was = shape_of(before, len);
			struct shape now = shape_of(cur, olen);

			moved_next += now.adjacent > was.adjacent;
			trees += now.forks >= was.forks + 2 &&
				 now.exits > was.exits;
		}
		len = olen;
		check_stream(cur, len, round, &nops);

		if (round % 3 == 0) {
			size_t blen = random_input(other);

			xlen = op_crossover(cur, len, other, blen, out, max, seed);
			if (xlen > max)
				fail("crossover longer than MAX", round, NULL);
			if (op_crossover(cur, len, other, blen, again, max, seed) != xlen ||
			    memcmp(out, again, xlen))
				fail("crossover not deterministic", round, NULL);
			check_stream(out, xlen, round, &nops);
			/* a splice that gave A back unchanged did nothing */
			spliced += xlen != len || memcmp(out, cur, xlen);
		}
	}
	printf("op_mutator_test: %u rounds, %u changed the input, %u splices "
	       "that changed A, %u added a move next to a mapping, %u a fork tree, "
	       "%d failures\n", ROUNDS, changed, spliced, moved_next, trees,
	       failures);
	if (changed < ROUNDS / 4)
		fail("too few mutations change anything", ROUNDS, NULL);
	if (spliced < ROUNDS / 3 / 4)
		fail("too few crossovers change the input", ROUNDS, NULL);
	if (moved_next < ROUNDS / 200)
		fail("too few moves next to a mapping", ROUNDS, NULL);
	if (trees < ROUNDS / 200)
		fail("too few fork trees", ROUNDS, NULL);
	return failures ? 1 : 0;
}
