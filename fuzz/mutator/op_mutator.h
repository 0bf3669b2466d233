/*
 * op_mutator.h - the op-level mutator of the fuzz inputs, one implementation
 * for libFuzzer (libfuzzer_hooks.c) and AFL++ (afl_mutator.c).
 *
 * An input is decoded into its op stream (fuzz/codec), changed as a stream
 * (insert, delete, duplicate, swap ops; retarget an address to a recently
 * mapped one; change an mremap's flags and lengths; set, change or clear a
 * fail-nth; change an op's process or length; move a mapped range next to
 * another; insert a fork tree with exits; splice two streams at op
 * boundaries), repaired so that every name is created before it is used,
 * and encoded again.  Byte mutations rarely keep an op's boundaries; these
 * always do.
 *
 * Invariants (op_mutator_test.c checks them): the output decodes, and
 * encode(decode(output)) decodes to the same stream; its size is at most
 * MAX; the same arguments give the same bytes (the seed is the only source
 * of randomness).  A stream that does not fit in MAX loses ops from its end;
 * when nothing can be encoded the input comes back unchanged.
 */
#ifndef RMAP_FUZZ_MUTATOR_OP_MUTATOR_H
#define RMAP_FUZZ_MUTATOR_OP_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Mutate DATA[0..SIZE) in place (the buffer holds MAX bytes); the new size.
 */
size_t op_mutate(uint8_t *data, size_t size, size_t max, uint64_t seed);

/*
 * The ops of A before a boundary, then those of B from a boundary (and
 * sometimes a mutation on top), encoded into OUT (MAX bytes); its size.
 */
size_t op_crossover(const uint8_t *a, size_t alen, const uint8_t *b,
		    size_t blen, uint8_t *out, size_t max, uint64_t seed);

#endif /* RMAP_FUZZ_MUTATOR_OP_MUTATOR_H */
