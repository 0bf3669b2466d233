/*
 * morton.c - workload 3, Andrew Morton's 2003 worst case for object-based
 * file rmap: P processes each with V VMAs on one file.  To unmap one page
 * the object-based walk visits every VMA whose range covers the page's
 * offset, P * V of them (10^6 at 1,000 x 1,000), computing an address and
 * looking a PTE up in each; PTE chains read only the PTEs that really map
 * the page.
 *
 * Setup: a one-page file; p0 maps it V times (MAP_SHARED, one VMA per mmap,
 * a page apart so nothing could merge), forks p1..p(P-1), and every process
 * reads the page through its first VMA only: the page has P mappings among
 * P * V VMAs.  Measured per backend: VMAs visited, PTEs read and time per
 * walk of that page, and the time of one unmap of it (pageout: the
 * try_to_unmap walk, then the page leaves the cache).
 */
#include <string.h>

#include "bench/bench.h"
#include "core/world_memory.h"

struct mo_args {
	const char *backend;
	unsigned procs, vmas;
	const struct bench_opts *o;
};

struct mo_result {
	double setup_s, unmap_s;
	uint64_t vmas, mappings;
	double rmap_bytes;
	struct walk_result walk;
};

static void mo_setup(struct world *w, const struct mo_args *a)
{
	struct op op = bop_file(0, PAGE);

	bench_apply(w, &op, RES_OK, "file");
	for (unsigned v = 0; v < a->vmas; v++) {
		op = bop_mmap(0, BENCH_BASE + 2 * v * PAGE, PAGE, true, 0);
		bench_apply(w, &op, RES_OK, "mmap file");
	}
	for (unsigned p = 1; p < a->procs; p++) {
		op = bop_fork(0, p);
		bench_apply(w, &op, RES_OK, "fork");
	}
	for (unsigned p = 0; p < a->procs; p++) {
		op = bop_touch(p, BENCH_BASE, false);
		bench_apply(w, &op, RES_OK, "read");
	}
}

static void mo_run(const void *arg, void *result)
{
	const struct mo_args *a = arg;
	struct mo_result *r = result;
	struct world *w = bench_world(a->backend);
	struct world_memory m;
	struct op op = bop_pageout(0, BENCH_BASE);
	uint64_t pfn;
	double t0 = bench_now();

	mo_setup(w, a);
	r->setup_s = bench_now() - t0;
	world_memory(w, &m);
	r->vmas = m.file_vmas;
	r->rmap_bytes = bench_rmap_bytes(a->backend, &m);
	pfn = bench_frame(w, 0, BENCH_BASE);
	bench_time_walks(w, &pfn, 1, a->o, &r->walk);
	r->mappings = (uint64_t)(r->walk.hits_per_walk + 0.5);
	t0 = bench_now();
	bench_apply(w, &op, RES_OK, "pageout");
	r->unmap_s = bench_now() - t0;
	world_free(w);
}

static void mo_row(FILE *f, const char *backend, const struct mo_result *r,
		   const struct bench_usage *u)
{
	char vmas[32], visited[32], read[32], walk[32], unmap[32], rmap[32];
	char setup[32], rss[32], wall[64];

	fprintf(f, "| %s | %s | %llu | %s | %s | %s | %s | %s%s | %s%s | %s | %s |\n",
		backend, fmt_count(vmas, sizeof(vmas), (double)r->vmas),
		(unsigned long long)r->mappings,
		fmt_count(visited, sizeof(visited), r->walk.vmas_per_walk),
		fmt_count(read, sizeof(read), r->walk.ptes_per_walk),
		fmt_secs(walk, sizeof(walk), r->walk.seconds / (double)r->walk.walks),
		fmt_secs(unmap, sizeof(unmap), r->unmap_s),
		fmt_bytes(rmap, sizeof(rmap), r->rmap_bytes), bench_bytes_tag(backend),
		fmt_secs(setup, sizeof(setup), r->setup_s), bench_mm_tag(backend),
		fmt_bytes(rss, sizeof(rss), (double)u->peak_rss_kib * KiB),
		fmt_wall(wall, sizeof(wall), u));
}

static void mo_anchor(FILE *f, const struct mo_args *a,
		      const struct mo_result *r, const int *ok)
{
	char n[32];

	fprintf(f, "| figure | published | measured |\n|---|---|---|\n");
	for (unsigned b = 0; b < bench_nbackends; b++)
		if (ok[b] && !strcmp(bench_backends[b], "obj"))
			fprintf(f, "| VMAs visited to unmap one page, %u x %u VMAs "
				"(obj) | 1000 x 1000 = 10^6 | %s |\n", a->procs,
				a->vmas, fmt_count(n, sizeof(n), r[b].walk.vmas_per_walk));
	for (unsigned b = 0; b < bench_nbackends; b++)
		if (ok[b] && !strcmp(bench_backends[b], "ptechain"))
			fprintf(f, "| PTEs read to unmap it (ptechain) | the real "
				"mappings only | %s (%llu mappings) |\n",
				fmt_count(n, sizeof(n), r[b].walk.ptes_per_walk),
				(unsigned long long)r[b].mappings);
	fputc('\n', f);
}

int bench_morton(const struct bench_opts *o)
{
	struct mo_args a = { NULL, 1000, 1000, o };
	struct mo_result r[8];
	struct bench_usage u[8];
	int ok[8], failed = 0;
	FILE *f;

	if (o->quick) {
		a.procs = 20;
		a.vmas = 20;
	}
	for (unsigned b = 0; b < bench_nbackends; b++) {
		a.backend = bench_backends[b];
		ok[b] = bench_fork(mo_run, &a, &r[b], sizeof(r[b]), &u[b]) == 0;
		failed |= !ok[b];
	}
	f = bench_open(o, "morton.md");
	fprintf(f, "## 3. Morton 2003: %u processes x %u VMAs on one file\n\n",
		a.procs, a.vmas);
	fprintf(f, "A one-page file mapped %u times by each of %u processes "
		"(MAP_SHARED, one VMA per mmap); each process reads the page "
		"through one VMA, so it has %u mappings.  Walk: world_rmap_walk "
		"of the page; unmap: one pageout of it (try_to_unmap).\n\n",
		a.vmas, a.procs, a.procs);
	mo_anchor(f, &a, r, ok);
	fprintf(f, "| backend | VMAs on the file | mappings | VMAs / walk "
		"| PTEs read / walk | walk time | unmap time | rmap bytes "
		"| set up | peak RSS | wall |\n"
		"|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned b = 0; b < bench_nbackends; b++) {
		if (ok[b])
			mo_row(f, bench_backends[b], &r[b], &u[b]);
		else
			fprintf(f, "| %s | failed | | | | | | | | | |\n", bench_backends[b]);
	}
	fprintf(f, "\nobj and anonvma2004 walk file pages the same way "
		"(i_mmap).  scan visits every VMA of every process.\n\n");
	bench_provenance(f, true, true);
	fclose(f);
	return failed ? -1 : 0;
}
