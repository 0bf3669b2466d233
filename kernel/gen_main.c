/*
 * gen_main.c - `./rmapfuzz gen SEED [NOPS]`: print a random kernel-runnable
 * trace (gen_random.h), NOPS ops (default 80) from SEED, to stdout.
 *
 * SEED and NOPS are checked as a user types them: a sign is refused (strtoull
 * would turn "-1" into 2^64 - 1, and a negative NOPS into a size that runs out
 * of memory), and NOPS is bounded so a typo is an error, not a long wait.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "kernel/gen_random.h"

/* more ops than any kernel comparison uses (tools/kernel_compare.sh: 80) */
#define GEN_MAX_OPS 1000000UL

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ./rmapfuzz gen SEED [NOPS] [--linear] [--thp]\n"
		"\n"
		"Prints a random trace the host kernel can run too (no simulator-only\n"
		"op), NOPS ops (default 80) from SEED, on stdout.  The same SEED and\n"
		"NOPS give the same trace on every host.\n"
		"\n"
		"  SEED      0 to 2^64 - 1 (decimal, or 0x hexadecimal)\n"
		"  NOPS      1 to %lu\n"
		"  --linear  add issue 20's ops: madvise dontfork|dofork|wipeonfork|\n"
		"            keeponfork, mmap ... growsdown and faults below stacks,\n"
		"            uffd-move\n"
		"  --thp     add issue 19's large folios: hugepage regions (4-8 MiB,\n"
		"            2 MiB-aligned), faults, splits across PMD lines, whole-PMD\n"
		"            moves, madvise collapse|nohugepage, forks, thp-sizes\n"
		"\n"
		"Exit status 0, or 2 for a usage error.\n",
		GEN_MAX_OPS);
}

/* *V := the unsigned number S (decimal or 0x), at most MAX; 0 or -1 */
static int parse_number(const char *s, unsigned long long max,
			unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (*end || errno == ERANGE || *v > max) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct op_stream s;
	unsigned long long seed, nops = 80;
	unsigned opts = 0;
	int err;

	/* --linear, --thp anywhere after the command */
	for (int i = 1, n = 1; i <= argc; i++) {
		if (i < argc && !strcmp(argv[i], "--linear"))
			opts |= GEN_LINEAR;
		else if (i < argc && !strcmp(argv[i], "--thp"))
			opts |= GEN_THP;
		else
			argv[n++] = i < argc ? argv[i] : NULL;
		if (i == argc)
			argc = n - 1;
	}

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || argc > 3) {
		usage(stderr);
		return 2;
	}
	if (parse_number(argv[1], ~0ULL, &seed)) {
		fprintf(stderr, "rmapfuzz gen: SEED '%s' is not a number from 0 to 2^64 - 1\n",
			argv[1]);
		return 2;
	}
	if (argc == 3 && (parse_number(argv[2], GEN_MAX_OPS, &nops) || nops == 0)) {
		fprintf(stderr, "rmapfuzz gen: NOPS '%s' is not a number from 1 to %lu\n",
			argv[2], GEN_MAX_OPS);
		return 2;
	}
	if (op_stream_init(&s))
		return 2;
	err = gen_random_trace_opts(seed, (uint32_t)nops, opts, &s);
	printf("# random trace: seed %llu, %llu ops (./rmapfuzz gen%s%s)\n",
	       seed, nops, opts & GEN_LINEAR ? " --linear" : "",
	       opts & GEN_THP ? " --thp" : "");
	if (!err)
		err = trace_print(stdout, &s);
	op_stream_free(&s);
	if (err) {
		fputs("rmapfuzz gen: out of memory\n", stderr);
		return 2;
	}
	return 0;
}
