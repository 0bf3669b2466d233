/*
 * empty_fuzz.c - a fuzz target that does nothing, built exactly as
 * rmap_diff_fuzz is: the baseline of the engine's own cost per exec, for
 * tools/bench_fuzz.sh.
 */
#include "build_defs/fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return 0;
}
