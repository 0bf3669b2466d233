/*
 * vanriel.c - workload 2, van Riel 2010 (commit 5beb49305251, the
 * anon_vma_chain): one parent, C children, each child COWs every one of
 * the M pages of one private anonymous VMA.  With the 2004 design every
 * page of the fork tree points at the one anon_vma, so a walk visits all
 * C + 1 VMAs ("O(N)"); with anon_vma_chain a page COWed by a child points
 * at the child's own anon_vma and the walk visits about 2 (published).
 *
 * Setup: p0 maps M pages and writes them, forks p1..pC, then each child
 * writes all M pages.  Measured per backend: VMAs visited, PTEs read and
 * time per walk, for a sample of the children's COWed pages and for the
 * parent's own pages (which still point at the root anon_vma, linked by
 * every VMA of the tree in both object-based designs).
 */
#include <string.h>

#include "bench/bench.h"
#include "core/world_memory.h"

#define SAMPLE_CHILDREN 100
#define SAMPLE_PAGES    10

struct vr_args {
	const char *backend;
	unsigned children;
	uint64_t pages;
	const struct bench_opts *o;
};

struct vr_result {
	double setup_s;
	double rmap_bytes;
	struct walk_result cowed, parent;
};

static void vr_setup(struct world *w, const struct vr_args *a)
{
	struct op op = bop_mmap(0, BENCH_BASE, a->pages * PAGE, false, -1);

	bench_apply(w, &op, RES_OK, "mmap");
	for (uint64_t i = 0; i < a->pages; i++) {
		op = bop_touch(0, BENCH_BASE + i * PAGE, true);
		bench_apply(w, &op, RES_OK, "parent write");
	}
	for (unsigned c = 1; c <= a->children; c++) {
		op = bop_fork(0, c);
		bench_apply(w, &op, RES_OK, "fork");
	}
	for (unsigned c = 1; c <= a->children; c++)
		for (uint64_t i = 0; i < a->pages; i++) {
			op = bop_touch(c, BENCH_BASE + i * PAGE, true);
			bench_apply(w, &op, RES_OK, "child COW");
		}
}

/* SAMPLE_PAGES pages of pid, spread over the VMA, appended at pfns[*n] */
static void vr_sample(const struct world *w, const struct vr_args *a,
		      unsigned pid, uint64_t *pfns, size_t *n)
{
	uint64_t k = a->pages < SAMPLE_PAGES ? a->pages : SAMPLE_PAGES;

	for (uint64_t i = 0; i < k; i++)
		pfns[(*n)++] = bench_frame(w, pid, BENCH_BASE + (i * a->pages / k) * PAGE);
}

static void vr_run(const void *arg, void *result)
{
	const struct vr_args *a = arg;
	struct vr_result *r = result;
	struct world *w = bench_world(a->backend);
	uint64_t pfns[SAMPLE_CHILDREN * SAMPLE_PAGES];
	unsigned step = a->children > SAMPLE_CHILDREN ? a->children / SAMPLE_CHILDREN : 1;
	size_t n = 0;
	struct world_memory m;
	double t0 = bench_now();

	vr_setup(w, a);
	r->setup_s = bench_now() - t0;
	world_memory(w, &m);
	r->rmap_bytes = bench_rmap_bytes(a->backend, &m);
	for (unsigned c = 1; c <= a->children && n < SAMPLE_CHILDREN * SAMPLE_PAGES; c += step)
		vr_sample(w, a, c, pfns, &n);
	bench_time_walks(w, pfns, n, a->o, &r->cowed);
	n = 0;
	vr_sample(w, a, 0, pfns, &n);
	bench_time_walks(w, pfns, n, a->o, &r->parent);
	world_free(w);
}

static void vr_row(FILE *f, const char *backend, const struct vr_result *r,
		   const struct bench_usage *u)
{
	char t1[32], t2[32], t3[32], b[32], rss[32], wall[64];

	fprintf(f, "| %s | %.2f | %.2f | %s | %.1f | %s | %s%s | %s%s | %s | %s |\n",
		backend, r->cowed.vmas_per_walk, r->cowed.ptes_per_walk,
		fmt_secs(t1, sizeof(t1), r->cowed.seconds / (double)r->cowed.walks),
		r->parent.vmas_per_walk,
		fmt_secs(t2, sizeof(t2), r->parent.seconds / (double)r->parent.walks),
		fmt_bytes(b, sizeof(b), r->rmap_bytes), bench_bytes_tag(backend),
		fmt_secs(t3, sizeof(t3), r->setup_s), bench_mm_tag(backend),
		fmt_bytes(rss, sizeof(rss), (double)u->peak_rss_kib * KiB),
		fmt_wall(wall, sizeof(wall), u));
}

static void vr_anchor(FILE *f, const struct vr_args *a,
		      const struct vr_result *r, const int *ok)
{
	fprintf(f, "| figure | published | measured |\n|---|---|---|\n");
	for (unsigned b = 0; b < bench_nbackends; b++) {
		const char *name = bench_backends[b];

		if (!ok[b])
			continue;
		if (!strcmp(name, "obj"))
			fprintf(f, "| VMAs visited per walk of a COWed page, "
				"anon_vma_chain (obj) | about 2 | %.2f |\n",
				r[b].cowed.vmas_per_walk);
		else if (!strcmp(name, "anonvma2004"))
			fprintf(f, "| VMAs visited per walk of a COWed page, "
				"2004 single anon_vma (anonvma2004) | O(N): "
				"N = %u VMAs here | %.2f |\n", a->children + 1,
				r[b].cowed.vmas_per_walk);
	}
	fputc('\n', f);
}

int bench_vanriel(const struct bench_opts *o)
{
	struct vr_args a = { NULL, 1000, 1000, o };
	struct vr_result r[8];
	struct bench_usage u[8];
	int ok[8], failed = 0;
	FILE *f;

	if (o->quick) {
		a.children = 30;
		a.pages = 100;
	}
	for (unsigned b = 0; b < bench_nbackends; b++) {
		a.backend = bench_backends[b];
		ok[b] = bench_fork(vr_run, &a, &r[b], sizeof(r[b]), &u[b]) == 0;
		failed |= !ok[b];
	}
	f = bench_open(o, "vanriel.md");
	fprintf(f, "## 2. van Riel 2010: 1 parent, %u children, each COWs "
		"%llu pages\n\n", a.children, (unsigned long long)a.pages);
	fprintf(f, "p0 writes %llu pages of one private anonymous VMA, forks "
		"%u children, then every child writes every page.  Walks: "
		"%u pages in each of up to %u children (COWed), and %u of the "
		"parent's pages, which still point at the root anon_vma.\n\n",
		(unsigned long long)a.pages, a.children, SAMPLE_PAGES,
		SAMPLE_CHILDREN, SAMPLE_PAGES);
	vr_anchor(f, &a, r, ok);
	fprintf(f, "| backend | COWed page: VMAs / walk | PTEs read / walk "
		"| walk time | parent's page: VMAs / walk | walk time "
		"| rmap bytes | set up | peak RSS | wall |\n"
		"|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned b = 0; b < bench_nbackends; b++) {
		if (ok[b])
			vr_row(f, bench_backends[b], &r[b], &u[b]);
		else
			fprintf(f, "| %s | failed | | | | | | | | |\n", bench_backends[b]);
	}
	fprintf(f, "\nptechain and scan visit no VMA through an object: "
		"ptechain reads the PTEs its chain lists, scan reads every PTE "
		"of every process.\n\n");
	bench_provenance(f, true, true);
	fclose(f);
	return failed ? -1 : 0;
}
