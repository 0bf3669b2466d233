/*
 * thp.c - workload 6 (issue 19): the trade-off once one mapping covers 512
 * pages.  Two measurements, every backend:
 *
 *  A. Arcangeli's 100 tasks x 2.7 GiB with 2 MiB pages.  p0 maps the region
 *     private anonymous, MADV_HUGEPAGE, writes each 2 MiB (one PMD-mapped
 *     THP each, do_huge_pmd_anonymous_page) and forks the tasks, which
 *     share every THP through their own PMD (copy_huge_pmd).  PTE chains
 *     keep one entry per PMD mapping (core/rmap_ptechain.c, add_pmd), so
 *     their memory is per PMD, not per PTE; the per-PTE design's cost is
 *     the same mappings counted 512 times (the 4 KiB workload, arcangeli.c).
 *     Shared memory (shmem) has no THP in the model, hence private anon.
 *
 *  B. The walk of a PTE-mapped THP.  p0 maps one 2 MiB THP and forks the
 *     tasks; then every process drops the folio's last page
 *     (MADV_DONTNEED of 4 KiB), which splits its PMD (__split_huge_pmd):
 *     511 PTEs per process map the folio.  Walks of pages of the folio,
 *     before (PMD-mapped) and after (PTE-mapped), in each design; and the
 *     PTE-chain bytes of each state.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/world_memory.h"

#define THP_SIZE (2 * MiB)
#define THP_PAGES (THP_SIZE / PAGE)

struct thp_args {
	const char *backend;
	unsigned tasks;
	uint64_t thps;          /* A: 2 MiB folios of p0's region */
	const struct bench_opts *o;
};

struct thp_result {
	/* A */
	double setup_s, teardown_s;
	struct world_memory mem;
	struct walk_result walk;
	/* B */
	uint64_t pmd_chain_bytes, pte_chain_bytes;
	struct walk_result pmd_walk, pte_walk;
};

static struct op thp_madvise_hugepage(unsigned proc, uint64_t addr,
				      uint64_t len)
{
	struct op op = bop_mmap(proc, addr, len, false, -1);

	op.kind = OP_MADVISE;
	op.prot = 0;
	op.flags = 0;
	op.advice = ADV_HUGEPAGE;
	return op;
}

static struct op thp_dontneed(unsigned proc, uint64_t addr, uint64_t len)
{
	struct op op = thp_madvise_hugepage(proc, addr, len);

	op.advice = ADV_DONTNEED;
	return op;
}

/* p0's region of N THPs at BENCH_BASE, each written once; then TASKS forks */
static void thp_setup(struct world *w, uint64_t n, unsigned tasks)
{
	struct op op = bop_mmap(0, BENCH_BASE, n * THP_SIZE, false, -1);

	bench_apply(w, &op, RES_OK, "mmap private anon");
	op = thp_madvise_hugepage(0, BENCH_BASE, n * THP_SIZE);
	bench_apply(w, &op, RES_OK, "madvise hugepage");
	for (uint64_t i = 0; i < n; i++) {
		op = bop_touch(0, BENCH_BASE + i * THP_SIZE, true);
		bench_apply(w, &op, RES_OK, "write");
	}
	for (unsigned t = 1; t <= tasks; t++) {
		op = bop_fork(0, t);
		bench_apply(w, &op, RES_OK, "fork");
	}
}

/* 64 pages of the first folio, the head and tails, from the last task */
static size_t thp_sample(const struct world *w, unsigned pid, uint64_t *pfns)
{
	size_t n = 0;

	for (uint64_t i = 0; i < THP_PAGES - 1; i += THP_PAGES / 64)
		pfns[n++] = bench_frame(w, pid, BENCH_BASE + i * PAGE);
	return n;
}

static void thp_run_arcangeli(const struct thp_args *a, struct thp_result *r)
{
	struct world *w = bench_world(a->backend);
	uint64_t pfns[64];
	double t0 = bench_now();
	size_t n;

	thp_setup(w, a->thps, a->tasks);
	r->setup_s = bench_now() - t0;
	world_memory(w, &r->mem);
	/* 64 pages spread over the region: page k of folio k */
	n = a->thps < 64 ? (size_t)a->thps : 64;
	for (size_t i = 0; i < n; i++)
		pfns[i] = bench_frame(w, a->tasks, BENCH_BASE +
				      (i * a->thps / n) * THP_SIZE + (i % THP_PAGES) * PAGE);
	bench_time_walks(w, pfns, n, a->o, &r->walk);
	r->teardown_s = bench_exit_tasks(w, a->tasks);
	world_free(w);
}

static void thp_run_split(const struct thp_args *a, struct thp_result *r)
{
	struct world *w = bench_world(a->backend);
	struct world_memory m;
	uint64_t pfns[64];
	size_t n;

	thp_setup(w, 1, a->tasks);
	world_memory(w, &m);
	r->pmd_chain_bytes = m.chain_bytes;
	n = thp_sample(w, a->tasks, pfns);
	bench_time_walks(w, pfns, n, a->o, &r->pmd_walk);
	for (unsigned t = 0; t <= a->tasks; t++) {
		struct op op = thp_dontneed(t, BENCH_BASE + THP_SIZE - PAGE, PAGE);

		bench_apply(w, &op, RES_OK, "madvise dontneed (splits the PMD)");
	}
	world_memory(w, &m);
	r->pte_chain_bytes = m.chain_bytes;
	n = thp_sample(w, a->tasks, pfns);
	bench_time_walks(w, pfns, n, a->o, &r->pte_walk);
	world_free(w);
}

static void thp_run(const void *arg, void *result)
{
	const struct thp_args *a = arg;
	struct thp_result *r = result;

	thp_run_arcangeli(a, r);
	thp_run_split(a, r);
}

static void thp_row_a(FILE *f, const char *backend, const struct thp_args *a,
		      const struct thp_result *r, const struct bench_usage *u)
{
	char b1[32], b2[32], t1[32], t2[32], t3[32], rss[32], wall[64];
	double pmds = (double)a->thps * (a->tasks + 1);
	double rmap = bench_rmap_bytes(backend, &r->mem);
	const char *bt = bench_bytes_tag(backend), *mt = bench_mm_tag(backend);

	fprintf(f, "| %s | %.0f | %s%s | %.2f%s | %s | %s%s | %s%s | %s | %.0f | %.0f | %s | %s |\n",
		backend, pmds, fmt_bytes(b1, sizeof(b1), rmap), bt,
		pmds ? rmap / pmds : 0, bt,
		fmt_bytes(b2, sizeof(b2), (double)r->mem.total_bytes),
		fmt_secs(t1, sizeof(t1), r->setup_s), mt,
		fmt_secs(t2, sizeof(t2), r->teardown_s), mt,
		fmt_secs(t3, sizeof(t3), r->walk.walks ?
			 r->walk.seconds / (double)r->walk.walks : 0),
		r->walk.vmas_per_walk, r->walk.ptes_per_walk,
		fmt_bytes(rss, sizeof(rss), (double)u->peak_rss_kib * KiB),
		fmt_wall(wall, sizeof(wall), u));
}

static void thp_row_b(FILE *f, const char *backend, const struct thp_result *r)
{
	char t1[32], t2[32], b1[32], b2[32];
	const struct walk_result *p = &r->pmd_walk, *q = &r->pte_walk;
	double s1 = p->walks ? p->seconds / (double)p->walks : 0;
	double s2 = q->walks ? q->seconds / (double)q->walks : 0;

	fprintf(f, "| %s | %s | %.0f | %.0f | %.0f | %s | %.0f | %.0f | %.0f | %.1fx | %s | %s |\n",
		backend, fmt_secs(t1, sizeof(t1), s1), p->vmas_per_walk,
		p->ptes_per_walk, p->hits_per_walk,
		fmt_secs(t2, sizeof(t2), s2), q->vmas_per_walk,
		q->ptes_per_walk, q->hits_per_walk, s1 > 0 ? s2 / s1 : 0,
		fmt_bytes(b1, sizeof(b1), (double)r->pmd_chain_bytes),
		fmt_bytes(b2, sizeof(b2), (double)r->pte_chain_bytes));
}

static void thp_tables(FILE *f, const struct thp_args *a,
		       const struct thp_result *r, const struct bench_usage *u,
		       const int *ok)
{
	char sz[32], arith[32];
	double pmds = (double)a->thps * (a->tasks + 1);

	fprintf(f, "## 6. Large folios: %u tasks x %s in 2 MiB THPs\n\n",
		a->tasks, fmt_bytes(sz, sizeof(sz), (double)(a->thps * THP_SIZE)));
	fprintf(f, "A. p0 maps the region private anonymous with "
		"MADV_HUGEPAGE, writes each 2 MiB (%llu PMD-mapped THPs) and "
		"forks %u tasks, which share them by PMD (copy_huge_pmd): %.0f "
		"PMD mappings, standing for %.0f PTEs.  One PTE-chain entry per "
		"PTE, the 4 KiB design, would take %s of %d-byte pointers for "
		"them.  Tasks then exit in fork order.\n\n",
		(unsigned long long)a->thps, a->tasks, pmds, pmds * THP_PAGES,
		fmt_bytes(arith, sizeof(arith), pmds * THP_PAGES * 8), 8);
	fprintf(f, "| backend | PMD mappings | rmap bytes | rmap B/PMD "
		"| world bookkeeping | set up | tear down | walk / page "
		"| VMAs / walk | PTEs read / walk | peak RSS | wall |\n"
		"|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned b = 0; b < bench_nbackends; b++) {
		if (ok[b])
			thp_row_a(f, bench_backends[b], a, &r[b], &u[b]);
		else
			fprintf(f, "| %s | failed | | | | | | | | | | |\n",
				bench_backends[b]);
	}
	fprintf(f, "\nB. One 2 MiB THP of p0, shared by PMD with %u forked "
		"tasks; then each of the %u processes drops the folio's last "
		"page (MADV_DONTNEED), which splits its PMD: 511 PTEs each.  "
		"Walks of 64 pages of the folio (head and tails) from the last "
		"task, PMD-mapped, then PTE-mapped; hits are the mappings each "
		"walk finds.\n\n", a->tasks, a->tasks + 1);
	fprintf(f, "| backend | PMD-mapped: walk / page | VMAs | PTEs read "
		"| hits | PTE-mapped: walk / page | VMAs | PTEs read | hits "
		"| PTE / PMD time | chain bytes, PMD-mapped "
		"| chain bytes, PTE-mapped |\n"
		"|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned b = 0; b < bench_nbackends; b++) {
		if (ok[b])
			thp_row_b(f, bench_backends[b], &r[b]);
		else
			fprintf(f, "| %s | failed | | | | | | | | | | |\n",
				bench_backends[b]);
	}
	fprintf(f, "\nWalks: world_rmap_walk, the mean over the timed "
		"passes of one run (bench_time_walks).  Chain bytes: ptechain's "
		"blocks (0 for the others).\n\n");
	bench_provenance(f, true, true);
}

int bench_thp(const struct bench_opts *o)
{
	struct thp_args a = { NULL, 100, (uint64_t)(2.7 * (double)GiB) / THP_SIZE, o };
	struct thp_result *r = calloc(bench_nbackends, sizeof(*r));
	struct bench_usage u[8];
	int ok[8], failed = 0;
	FILE *f;

	if (!r)
		return -1;
	if (o->quick) {
		a.tasks = 10;
		a.thps = 8;
	}
	for (unsigned b = 0; b < bench_nbackends; b++) {
		a.backend = bench_backends[b];
		ok[b] = bench_fork(thp_run, &a, &r[b], sizeof(r[b]), &u[b]) == 0;
		failed |= !ok[b];
	}
	f = bench_open(o, "thp.md");
	thp_tables(f, &a, r, u, ok);
	fclose(f);
	free(r);
	return failed ? -1 : 0;
}
