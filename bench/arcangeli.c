/*
 * arcangeli.c - workload 1, Arcangeli 2004: N tasks each map S of shared
 * memory and touch every page (Oracle's SGA: 100 tasks x 2.7 GB).  PTE
 * chains keep a pointer per PTE, N x S / 4 KiB of them, 0.53 GiB at the
 * published size, in low memory on a 32-bit kernel: the case that decided
 * against them.  Object-based rmap keeps one i_mmap node per VMA.
 *
 * Setup: p0 maps S of shared anonymous memory (a shmem file), forks tasks
 * p1..pN, and each task reads every page (fault-around maps 16 cached pages
 * per fault, as a real read-mostly SGA would).  Teardown: every task exits,
 * in the order they were forked.  Measured per backend: the rmap bytes and
 * the whole world's bookkeeping per mapped PTE (must fit in 24 GiB at
 * 70.8M PTEs), setup and teardown time, walk time of a sample of pages.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/world_memory.h"

#define PUBLISHED_PTR_BYTES 8   /* a pte_addr_t on a 64-bit machine */

struct arc_args {
	const char *backend;
	unsigned tasks;
	uint64_t pages;
	const struct bench_opts *o;
};

struct arc_result {
	double setup_s, teardown_s;
	struct world_memory mem;
	struct walk_result walk;
};

static void arc_setup(struct world *w, const struct arc_args *a)
{
	struct op op = bop_mmap(0, BENCH_BASE, a->pages * PAGE, true, -1);

	bench_apply(w, &op, RES_OK, "mmap shared");
	for (unsigned t = 1; t <= a->tasks; t++) {
		op = bop_fork(0, t);
		bench_apply(w, &op, RES_OK, "fork");
		for (uint64_t i = 0; i < a->pages; i++) {
			op = bop_touch(t, BENCH_BASE + i * PAGE, false);
			bench_apply(w, &op, RES_OK, "read");
		}
	}
}

/* 64 pages spread over the region, walked from the last task's mapping */
static void arc_walks(struct world *w, const struct arc_args *a,
		      struct walk_result *r)
{
	uint64_t pfns[64];
	size_t n = a->pages < 64 ? (size_t)a->pages : 64;

	for (size_t i = 0; i < n; i++)
		pfns[i] = bench_frame(w, a->tasks,
				      BENCH_BASE + (i * a->pages / n) * PAGE);
	bench_time_walks(w, pfns, n, a->o, r);
}

static void arc_run(const void *arg, void *result)
{
	const struct arc_args *a = arg;
	struct arc_result *r = result;
	struct world *w = bench_world(a->backend);
	double t0 = bench_now();

	arc_setup(w, a);
	r->setup_s = bench_now() - t0;
	world_memory(w, &r->mem);
	arc_walks(w, a, &r->walk);
	r->teardown_s = bench_exit_tasks(w, a->tasks);
	world_free(w);
}

static void arc_header(FILE *f, const struct arc_args *a)
{
	char sz[32], arith[32];
	uint64_t ptes = a->tasks * a->pages;

	fprintf(f, "## 1. Arcangeli 2004: %u tasks x %s of shared memory\n\n",
		a->tasks, fmt_bytes(sz, sizeof(sz), (double)(a->pages * PAGE)));
	fprintf(f, "p0 maps the region shared (shmem), forks %u tasks, each "
		"reads every page: %llu PTEs.  Tasks then exit in fork order.  "
		"The arithmetic of the published figure, one %d-byte PTE "
		"pointer per PTE, gives %s for this run.\n\n", a->tasks,
		(unsigned long long)ptes, PUBLISHED_PTR_BYTES,
		fmt_bytes(arith, sizeof(arith), (double)(ptes * PUBLISHED_PTR_BYTES)));
}

/* the published figure beside this run's, labelled with the run's own size */
static void arc_anchor(FILE *f, const struct arc_args *a,
		       const struct arc_result *pc)
{
	char b[32], n[32], sz[32];
	double ptes = (double)pc->mem.mapped_ptes;

	fprintf(f, "| figure | published (100 tasks x 2.7 GB) | measured "
		"(ptechain) |\n|---|---|---|\n");
	fprintf(f, "| PTE-chain memory, %u tasks x %s | 0.53 GiB of PTE "
		"pointers (70.8M x 8 B) | %s for %s PTEs, ", a->tasks,
		fmt_bytes(sz, sizeof(sz), (double)(a->pages * PAGE)),
		fmt_bytes(b, sizeof(b), (double)pc->mem.chain_bytes),
		fmt_count(n, sizeof(n), ptes));
	fprintf(f, "%.2f B per PTE (64-byte blocks of 7 entries) |\n\n",
		ptes ? (double)pc->mem.chain_bytes / ptes : 0);
}

static void arc_row(FILE *f, const char *backend, const struct arc_result *r,
		    const struct bench_usage *u)
{
	char n1[32], b1[32], b2[32], t1[32], t2[32], t3[32], rss[32], wall[64];
	double ptes = (double)r->mem.mapped_ptes;
	double rmap = bench_rmap_bytes(backend, &r->mem);

	const char *bt = bench_bytes_tag(backend), *mt = bench_mm_tag(backend);

	fprintf(f, "| %s | %s | %s%s | %.2f%s | %s%s | %.1f%s | %s%s | %s%s | %s | %.0f | %.0f | %s | %s |\n",
		backend, fmt_count(n1, sizeof(n1), ptes), fmt_bytes(b1, sizeof(b1), rmap),
		bt, ptes ? rmap / ptes : 0, bt,
		fmt_bytes(b2, sizeof(b2), (double)r->mem.total_bytes), mt,
		ptes ? (double)r->mem.total_bytes / ptes : 0, mt,
		fmt_secs(t1, sizeof(t1), r->setup_s), mt,
		fmt_secs(t2, sizeof(t2), r->teardown_s), mt,
		fmt_secs(t3, sizeof(t3), r->walk.walks ? r->walk.seconds / (double)r->walk.walks : 0),
		r->walk.vmas_per_walk, r->walk.ptes_per_walk,
		fmt_bytes(rss, sizeof(rss), (double)u->peak_rss_kib * KiB),
		fmt_wall(wall, sizeof(wall), u));
}

int bench_arcangeli(const struct bench_opts *o)
{
	struct arc_args a = { NULL, 100, (uint64_t)(2.7 * (double)GiB) / PAGE, o };
	struct arc_result r[8], *pc = NULL;
	struct bench_usage u[8];
	int ok[8], failed = 0;
	FILE *f;

	if (o->quick) {
		a.tasks = 10;
		a.pages = 16 * MiB / PAGE;
	}
	for (unsigned b = 0; b < bench_nbackends; b++) {
		a.backend = bench_backends[b];
		ok[b] = bench_fork(arc_run, &a, &r[b], sizeof(r[b]), &u[b]) == 0;
		failed |= !ok[b];
		if (ok[b] && !strcmp(a.backend, "ptechain"))
			pc = &r[b];
	}
	f = bench_open(o, "arcangeli.md");
	arc_header(f, &a);
	if (pc)
		arc_anchor(f, &a, pc);
	fprintf(f, "| backend | PTEs | rmap bytes | rmap B/PTE | world bookkeeping "
		"| bookkeeping B/PTE | set up | tear down | walk / page "
		"| VMAs / walk | PTEs read / walk | peak RSS | wall |\n"
		"|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned b = 0; b < bench_nbackends; b++) {
		if (ok[b])
			arc_row(f, bench_backends[b], &r[b], &u[b]);
		else
			fprintf(f, "| %s | failed | | | | | | | | | | | |\n",
				bench_backends[b]);
	}
	fprintf(f, "\nWorld bookkeeping: struct page array, page tables "
		"(8 KiB per table: 512 entries and the simulator's used-slot "
		"bitmap, 16 B per PTE), VMAs, page cache index, anon_vmas, AVCs, "
		"chain blocks.  Walks: %s of sampled pages of the last task.\n\n",
		"world_rmap_walk");
	bench_provenance(f, true, true);
	fclose(f);
	return failed ? -1 : 0;
}
