/*
 * gen_main.c - `./rmapfuzz gen SEED [NOPS]`: print a random kernel-runnable
 * trace (gen_random.h), NOPS ops (default 80) from SEED, to stdout.
 */
#include <stdio.h>
#include <stdlib.h>

#include "trace/trace.h"
#include "kernel/gen_random.h"

int main(int argc, char **argv)
{
	struct op_stream s;
	char *end;
	unsigned long long seed;
	unsigned long nops = 80;
	int err;

	if (argc < 2 || argc > 3) {
		fputs("usage: gen_random SEED [NOPS]\n", stderr);
		return 2;
	}
	seed = strtoull(argv[1], &end, 0);
	if (*end || (argc == 3 && ((nops = strtoul(argv[2], &end, 0)) == 0 || *end))) {
		fputs("gen_random: SEED and NOPS are numbers (NOPS > 0)\n", stderr);
		return 2;
	}
	if (op_stream_init(&s))
		return 2;
	err = gen_random_trace(seed, (uint32_t)nops, &s);
	printf("# random trace: seed %llu, %lu ops (./rmapfuzz gen)\n", seed, nops);
	if (!err)
		err = trace_print(stdout, &s);
	op_stream_free(&s);
	if (err) {
		fputs("gen_random: out of memory\n", stderr);
		return 2;
	}
	return 0;
}
