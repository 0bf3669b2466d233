/*
 * libfuzzer_hooks.c - libFuzzer's custom mutator hooks on the op-level
 * mutator (op_mutator.h).  Linking this file into a target is the switch:
 * //fuzz:rmap_diff_fuzz_mut has it, //fuzz:rmap_diff_fuzz does not.
 *
 * A quarter of the mutations stay libFuzzer's own (LLVMFuzzerMutate): they
 * tune the numbers inside an op, its dictionary entries and comparisons,
 * which the op level does not.  The seed libFuzzer passes picks everything,
 * so -seed=S replays the same campaign.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/mutator/op_mutator.h"

/* libFuzzer's; weak so that a replay build (no libFuzzer) links too */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
	__attribute__((weak));

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	if (LLVMFuzzerMutate && seed % 4 == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	return op_mutate(data, size, max_size, seed);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed)
{
	return op_crossover(data1, size1, data2, size2, out, max_out_size,
			    seed);
}
