/*
 * rmt_run.c - `./rmapfuzz run FILE.rmt...`: execute traces in a simulated
 * world, check their expectations, the oracle's invariants and the rmap
 * backend against the page tables, and print what `./rmapfuzz kernel`
 * (kernel/kernel_main.c) prints for the real kernel, so the two can be
 * diffed.
 *
 * Exit status: 0 all held, 1 an expectation failed or a divergence was
 * found, 2 a file could not be read or parsed (it goes on with the others).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bugs/bugs.h"
#include "core/world.h"
#include "cmd/run_file.h"

static const char usage[] =
	"usage: ./rmapfuzz run [--quiet] [--no-invariants] [--check-all] [--stats] [--no-zero-page]\n"
	"                       [--backend obj|ptechain|anonvma2004|scan|ptechain25]... [--bug NAME] FILE.rmt...\n"
	"\n"
	"Runs each trace (shared/spec/trace-format.md) on one simulated world per\n"
	"rmap backend in lockstep (default: obj and ptechain) and prints every\n"
	"line with its result, expectation outcomes, dumps, divergences between\n"
	"the backends and the page tables, and a summary per file.\n"
	"\n"
	"  --backend NAME   run this backend (repeat for several; alone: one\n"
	"                   backend checked against the oracle only);\n"
	"                   ptechain25 is ptechain with 2.5's window, the chain\n"
	"                   entry added after the PTE (docs/races.md)\n"
	"  --check-all      compare every mapped frame's walks after every op\n"
	"                   (default: the frames the op touched, all at the end)\n"
	"  --stats          print each backend's walk cost before the summary\n"
	"  --quiet          print only failing lines, reports, dumps, summaries\n"
	"  --no-invariants  do not check the oracle's invariants after each op\n"
	"  --no-zero-page   model a kernel that forbids the zero page\n"
	"                   (mm_forbids_zeropage: a read fault of private anon\n"
	"                   memory maps a fresh page), as a host booted with\n"
	"                   pvm_no_zero_page=1 does (`./rmapfuzz kernel --check-host`)\n"
	"  --bug NAME       switch injected bug NAME on (a --config=bugs build;\n"
	"                   --bug list: the suite) and print its canary line,\n"
	"                   'canary NAME reached=R triggered=T', on stderr\n"
	"  --help           this text\n"
	"\n"
	"Exit status: 0 all expectations held and no divergence, 1 otherwise,\n"
	"2 a file could not be read or parsed.\n";

/* Options may stand anywhere; "--" ends them. */
int main(int argc, char **argv)
{
	struct run_opts o = { .quiet = false, .invariants = true };
	int nfiles = 0, rc = RUN_OK;
	bool options = true;

	/* line by line: a crash (BUG_ON, sanitizer) keeps what came before */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!options || a[0] != '-' || !strcmp(a, "-")) {
			argv[1 + nfiles++] = argv[i];   /* files, in order */
		} else if (!strcmp(a, "--")) {
			options = false;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = true;
		} else if (!strcmp(a, "--no-invariants")) {
			o.invariants = false;
		} else if (!strcmp(a, "--no-zero-page")) {
			o.no_zero_page = true;
		} else if (!strcmp(a, "--check-all")) {
			o.check_all = true;
		} else if (!strcmp(a, "--stats")) {
			o.stats = true;
		} else if ((!strcmp(a, "--backend") || !strcmp(a, "--bug")) &&
			   i + 1 == argc) {
			/* not "unknown option": the option is known, its value is missing */
			fprintf(stderr, "rmapfuzz run: %s wants a NAME (%s)\n", a,
				!strcmp(a, "--bug") ? "--bug list: the suite"
				: "obj, ptechain, anonvma2004, scan, ptechain25");
			return RUN_BAD_INPUT;
		} else if (!strcmp(a, "--backend")) {
			const struct rmap_ops *b = rmap_backend(argv[++i]);

			if (!b) {
				fprintf(stderr, "rmapfuzz run: unknown backend '%s' (obj, "
					"ptechain, anonvma2004, scan, ptechain25)\n", argv[i]);
				return RUN_BAD_INPUT;
			}
			if (o.nbackends == RUN_MAX_BACKENDS) {
				fprintf(stderr, "rmapfuzz run: --backend %s: at most %d "
					"backends run in lockstep\n", argv[i],
					RUN_MAX_BACKENDS);
				return RUN_BAD_INPUT;
			}
			o.backends[o.nbackends++] = b;
		} else if (!strcmp(a, "--bug")) {
			int r = bug_switch("rmapfuzz run", argv[++i]);

			if (r)
				return r > 0 ? RUN_OK : RUN_BAD_INPUT;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "rmapfuzz run: unknown option '%s'\n%s", a,
				usage);
			return RUN_BAD_INPUT;
		}
	}
	if (nfiles < 1) {
		fputs(usage, stderr);
		return RUN_BAD_INPUT;
	}
	for (int i = 1; i <= nfiles; i++) {
		int r;

		if (nfiles > 1)
			printf("==> %s\n", argv[i]);
		fflush(stdout);
		/* in a child: a crash shows its op and spares later files */
		r = run_isolated(argv[i], NULL, &o, stdout, stderr, NULL);
		fflush(stdout);
		if (r > rc)
			rc = r;
	}
	bug_canaries_print(stderr, false);
	return rc;
}
