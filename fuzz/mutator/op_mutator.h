/*
 * op_mutator.h - the op-level mutator of the fuzz inputs, one implementation
 * for libFuzzer (libfuzzer_hooks.c) and AFL++ (afl_mutator.c).
 *
 * An input is decoded into its op stream (trace/codec.h), changed as a stream
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
 * of randomness); each move, alone (op_mutate_moves), does what it says.  A stream that does not fit in MAX loses ops from its end;
 * when nothing can be encoded the input comes back unchanged.
 */
#ifndef RMAP_FUZZ_MUTATOR_OP_MUTATOR_H
#define RMAP_FUZZ_MUTATOR_OP_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * The moves one mutation picks from (splicing two streams is op_crossover).
 * Each is a bit of a move mask: op_mutate uses them all; a mask of one lets
 * op_mutator_test see what each move does on its own, through the same
 * choice and the same code, since the moves overlap in their effects (an
 * mremap retouched by OP_MOVE_MREMAP may land next to a mapping too).
 */
enum op_move {
	OP_MOVE_INSERT,         /* a random op at a random place */
	OP_MOVE_DELETE,         /* 1..4 consecutive ops */
	OP_MOVE_DUPLICATE,      /* a run of 1..4 ops copied elsewhere */
	OP_MOVE_SWAP,           /* two ops trade places */
	OP_MOVE_RETARGET,       /* an op's address: one named before it */
	OP_MOVE_MREMAP,         /* an mremap's flags, new length, target */
	OP_MOVE_FAIL_NTH,       /* an op's fail-nth set, changed or cleared */
	OP_MOVE_PROC,           /* an op's process: another one made before */
	OP_MOVE_ADJACENT,       /* an mremap moving a range next to another */
	OP_MOVE_FORK_TREE,      /* forks, exits, writes, mprotects */
	OP_MOVE_LENGTH,         /* an op's length (an mremap's new length) */
	OP_MOVE_INTERLEAVE,     /* an op's interleaving set, moved or cleared */
	OP_MOVE_ROUND_TRIP,     /* a fixed mremap's move back, maybe raced */
	OP_MOVE_COLLAPSE,       /* THP streams: a written PMD collapsed,
				 * maybe raced */
	OP_MOVE_TABLE_GAP,      /* THP streams: one whole PMD inside a
				 * mapped range dropped (MADV_DONTNEED) */
	OP_MOVE_COUNT
};

#define OP_MOVE_BIT(move)  (1u << (move))
#define OP_MOVES_ALL       (OP_MOVE_BIT(OP_MOVE_COUNT) - 1)

/*
 * Mutate DATA[0..SIZE) in place (the buffer holds MAX bytes); the new size.
 * op_mutate(...) is op_mutate_moves(..., OP_MOVES_ALL, NULL).  MOVES: the
 * moves allowed (each keeps its weight among those allowed); none allowed:
 * the same stream comes back, encoded again.  *DONE (may be NULL): the
 * moves applied.
 */
size_t op_mutate(uint8_t *data, size_t size, size_t max, uint64_t seed);
size_t op_mutate_moves(uint8_t *data, size_t size, size_t max, uint64_t seed,
		       unsigned moves, unsigned *done);

/*
 * The ops of A before a boundary, then those of B from a boundary (and
 * sometimes a mutation on top), encoded into OUT (MAX bytes); its size.
 * op_crossover(...) is op_crossover_moves(..., OP_MOVES_ALL): MOVES are
 * the moves that mutation on top may make (0: a splice alone).
 */
size_t op_crossover(const uint8_t *a, size_t alen, const uint8_t *b,
		    size_t blen, uint8_t *out, size_t max, uint64_t seed);
size_t op_crossover_moves(const uint8_t *a, size_t alen, const uint8_t *b,
			  size_t blen, uint8_t *out, size_t max,
			  uint64_t seed, unsigned moves);

#endif /* RMAP_FUZZ_MUTATOR_OP_MUTATOR_H */
