/*
 * bench_main.c - the trade-off benchmark's program: runs the workloads of
 * issue 9 on every backend and writes one Markdown table per workload (and
 * the data files of the scaling plots) under --out.  bench/run_bench.sh
 * (`./rmapfuzz bench`) builds it -O2 without sanitizers, runs it, draws the
 * plots and gathers the tables.
 *
 *   bench_main [--quick] [--out DIR] [WORKLOAD...]
 *
 * WORKLOAD: arcangeli, vanriel, morton, forkexit, scaling (default: all).
 * Each configuration runs in a child process of its own, so its peak RSS
 * is its own; the exit status is 1 when any configuration failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/bench.h"

struct workload {
	const char *name;
	int (*run)(const struct bench_opts *o);
	const char *what;
};

static const struct workload workloads[] = {
	{ "arcangeli", bench_arcangeli, "N tasks x S shared memory: PTE-chain bytes" },
	{ "vanriel", bench_vanriel, "1 parent, C children COWing M pages: VMAs per walk" },
	{ "morton", bench_morton, "P processes x V VMAs on one file: unmap of one page" },
	{ "forkexit", bench_forkexit, "fork + exit of a process of M pages" },
	{ "scaling", bench_scaling, "walk time and rmap memory vs sharing and VMAs" },
	{ "thp", bench_thp, "N tasks x S in 2 MiB THPs; walks of a PTE-mapped THP" },
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_main [--quick] [--out DIR] [WORKLOAD...]\n\n"
		"Runs each workload on every backend (obj, anonvma2004, ptechain, scan)\n"
		"and writes DIR/WORKLOAD.md (default DIR: out/bench).  Workloads:\n");
	for (unsigned i = 0; i < NWORKLOADS; i++)
		fprintf(f, "  %-10s %s\n", workloads[i].name, workloads[i].what);
}

static const struct workload *find_workload(const char *name)
{
	for (unsigned i = 0; i < NWORKLOADS; i++)
		if (!strcmp(workloads[i].name, name))
			return &workloads[i];
	return NULL;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

static int run_one(const struct workload *wl, const struct bench_opts *o)
{
	double t0 = bench_now();
	int err;

	fprintf(stderr, "bench: %s ...\n", wl->name);
	err = wl->run(o);
	fprintf(stderr, "bench: %s %s in %.1f s\n", wl->name,
		err ? "FAILED" : "done", bench_now() - t0);
	return err;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { false, "out/bench", 0.2, 2.0 };
	const struct workload *chosen[NWORKLOADS];
	unsigned nchosen = 0;
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			o.quick = true;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			o.out_dir = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (find_workload(argv[i]) && nchosen < NWORKLOADS) {
			chosen[nchosen++] = find_workload(argv[i]);
		} else {
			fprintf(stderr, "bench_main: bad argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (o.quick) {
		o.walk_budget = 0.02;
		o.walk_cap = 0.2;
	}
	if (make_dirs(o.out_dir)) {
		fprintf(stderr, "bench_main: cannot create %s\n", o.out_dir);
		return 2;
	}
	for (unsigned i = 0; i < NWORKLOADS && !nchosen; i++)
		chosen[i] = &workloads[i];
	nchosen = nchosen ? nchosen : NWORKLOADS;
	for (unsigned i = 0; i < nchosen; i++)
		failed |= run_one(chosen[i], &o) != 0;
	return failed ? 1 : 0;
}
