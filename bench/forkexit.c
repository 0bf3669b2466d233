/*
 * forkexit.c - workload 4, fork and exit: what PTE chains cost on the paths
 * every process takes.  At fork each copied PTE of an anonymous page is a
 * new chain entry (a page mapped once turns from a direct pointer into a
 * 64-byte block); at exit each zapped PTE is a chain search and removal.
 * Object-based rmap pays per VMA (anon_vma_fork, unlink_anon_vmas), not
 * per page.  The published anchors (the 10,000-shells and SDET figures)
 * are from 2.5, where one-cache-line pte_chain blocks made exit 3-4x
 * faster than one list node per PTE: a PTE-chain-vs-PTE-chain figure; the
 * model has the blocks only, so what is measured is blocks vs objects.
 *
 * Two process sizes: a shell (M pages written, fork + exit repeated R
 * times, as a shell script runs 10,000 commands) and a large process.
 * Each iteration: p0 forks p1, p1 exits at once.
 */
#include <string.h>

#include "bench/bench.h"
#include "core/world_memory.h"

struct fe_size {
	const char *label;
	uint64_t pages;
	unsigned rounds;
};

struct fe_args {
	const char *backend;
	struct fe_size size;
};

struct fe_result {
	double fork_s, exit_s;       /* over all rounds */
	uint64_t chain_peak_bytes;
};

static void fe_run(const void *arg, void *result)
{
	const struct fe_args *a = arg;
	struct fe_result *r = result;
	struct world *w = bench_world(a->backend);
	struct op op = bop_mmap(0, BENCH_BASE, a->size.pages * PAGE, false, -1);
	struct world_memory m;

	bench_apply(w, &op, RES_OK, "mmap");
	for (uint64_t i = 0; i < a->size.pages; i++) {
		op = bop_touch(0, BENCH_BASE + i * PAGE, true);
		bench_apply(w, &op, RES_OK, "write");
	}
	for (unsigned i = 0; i < a->size.rounds; i++) {
		double t0 = bench_now(), t1;

		op = bop_fork(0, 1);
		bench_apply(w, &op, RES_OK, "fork");
		t1 = bench_now();
		op = bop_exit(1);
		bench_apply(w, &op, RES_OK, "exit");
		r->fork_s += t1 - t0;
		r->exit_s += bench_now() - t1;
	}
	world_memory(w, &m);
	r->chain_peak_bytes = m.chain_peak_bytes;
	world_free(w);
}

static void fe_row(FILE *f, const char *backend, const struct fe_args *a,
		   const struct fe_result *r, const struct fe_result *obj,
		   const struct bench_usage *u)
{
	char t1[32], t2[32], t3[32], b[32], rss[32], wall[64];
	const char *mt = bench_mm_tag(backend);
	double n = a->size.rounds, total = r->fork_s + r->exit_s;
	double obj_total = obj ? obj->fork_s + obj->exit_s : 0;

	fprintf(f, "| %s | %s | %s%s | %s%s | %s%s | ", a->size.label, backend,
		fmt_secs(t1, sizeof(t1), r->fork_s / n), mt,
		fmt_secs(t2, sizeof(t2), r->exit_s / n), mt,
		fmt_secs(t3, sizeof(t3), total / n), mt);
	if (obj && obj->fork_s > 0 && obj->exit_s > 0)
		fprintf(f, "%.2f%s | %.2f%s | %.2f%s | ", r->fork_s / obj->fork_s,
			mt, r->exit_s / obj->exit_s, mt, total / obj_total, mt);
	else
		fprintf(f, "- | - | - | ");
	fprintf(f, "%s | %s | %s |\n",
		fmt_bytes(b, sizeof(b), (double)r->chain_peak_bytes),
		fmt_bytes(rss, sizeof(rss), (double)u->peak_rss_kib * KiB),
		fmt_wall(wall, sizeof(wall), u));
}

/* one process size on every backend; rows against obj's times */
static int fe_size_rows(FILE *f, const struct fe_size *size)
{
	struct fe_args a = { NULL, *size };
	struct fe_result r[8], *obj = NULL;
	struct bench_usage u[8];
	int ok[8], failed = 0;

	for (unsigned b = 0; b < bench_nbackends; b++) {
		a.backend = bench_backends[b];
		memset(&r[b], 0, sizeof(r[b]));
		ok[b] = bench_fork(fe_run, &a, &r[b], sizeof(r[b]), &u[b]) == 0;
		failed |= !ok[b];
		if (ok[b] && !strcmp(a.backend, "obj"))
			obj = &r[b];
	}
	for (unsigned b = 0; b < bench_nbackends; b++) {
		a.backend = bench_backends[b];
		if (ok[b])
			fe_row(f, a.backend, &a, &r[b], obj, &u[b]);
		else
			fprintf(f, "| %s | %s | failed | | | | | | | | |\n",
				size->label, a.backend);
	}
	return failed ? -1 : 0;
}

int bench_forkexit(const struct bench_opts *o)
{
	struct fe_size sizes[2] = {
		{ "shell, 256 pages x 10000", 256, 10000 },
		{ "large, 262144 pages x 20", 262144, 20 },
	};
	int failed = 0;
	FILE *f;

	if (o->quick) {
		sizes[0] = (struct fe_size){ "shell, 256 pages x 200", 256, 200 };
		sizes[1] = (struct fe_size){ "large, 2560 pages x 5", 2560, 5 };
	}
	f = bench_open(o, "forkexit.md");
	fprintf(f, "## 4. Fork and exit of a process with M written pages\n\n"
		"p0 writes M private anonymous pages, then forks p1 and p1 "
		"exits, R times; times are per fork / exit, ratios are the "
		"backend's time over obj's.\n\n");
	fprintf(f, "| figure | published | measured |\n|---|---|---|\n"
		"| exit of 10,000 shells, one-cache-line pte_chain blocks vs one "
		"node per PTE (2.5, commit 9dc8af80) | 3-4x faster | not "
		"modelled (blocks only); ptechain vs obj below |\n\n");
	fprintf(f, "| process | backend | fork | exit | fork + exit "
		"| fork vs obj | exit vs obj | fork + exit vs obj "
		"| chain blocks peak | peak RSS | wall |\n"
		"|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned i = 0; i < 2; i++)
		failed |= fe_size_rows(f, &sizes[i]) != 0;
	fputc('\n', f);
	bench_provenance(f, false, true);
	fclose(f);
	return failed ? -1 : 0;
}
