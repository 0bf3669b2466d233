/*
 * scaling.c - workload 5, the scaling curves: walk time and rmap memory of
 * every backend
 *   (a) as the sharing degree d of anonymous pages grows (p0 writes M
 *       pages, forks d - 1 children: every page has d mappings, all in one
 *       fork tree), and
 *   (b) as the VMAs on one file grow at a constant one mapping per page
 *       (one process maps a one-page file V times and reads it through
 *       one VMA): the object-based walk pays per VMA, PTE chains per
 *       mapping.
 * Writes scaling.md and, for bench/plots.gp, scaling_sharing.dat and
 * scaling_vmas.dat: one row per point, per backend three columns (walk
 * time in ns, VMAs visited per walk, rmap bytes) in bench_backends order.
 */
#include <string.h>

#include "bench/bench.h"
#include "core/world_memory.h"

#define SHARED_PAGES 256

struct sc_args {
	const char *backend;
	bool by_vmas;          /* curve (b); else (a) */
	unsigned x;            /* d, or V */
	const struct bench_opts *o;
};

struct sc_result {
	double walk_ns, vmas_per_walk, rmap_bytes;
};

static void sc_setup_sharing(struct world *w, unsigned degree, uint64_t *pfns)
{
	struct op op = bop_mmap(0, BENCH_BASE, SHARED_PAGES * PAGE, false, -1);

	bench_apply(w, &op, RES_OK, "mmap");
	for (uint64_t i = 0; i < SHARED_PAGES; i++) {
		op = bop_touch(0, BENCH_BASE + i * PAGE, true);
		bench_apply(w, &op, RES_OK, "write");
		pfns[i] = bench_frame(w, 0, BENCH_BASE + i * PAGE);
	}
	for (unsigned c = 1; c < degree; c++) {
		op = bop_fork(0, c);
		bench_apply(w, &op, RES_OK, "fork");
	}
}

static void sc_setup_vmas(struct world *w, unsigned vmas, uint64_t *pfn)
{
	struct op op = bop_file(0, PAGE);

	bench_apply(w, &op, RES_OK, "file");
	for (unsigned v = 0; v < vmas; v++) {
		op = bop_mmap(0, BENCH_BASE + 2 * v * PAGE, PAGE, true, 0);
		bench_apply(w, &op, RES_OK, "mmap file");
	}
	op = bop_touch(0, BENCH_BASE, false);
	bench_apply(w, &op, RES_OK, "read");
	*pfn = bench_frame(w, 0, BENCH_BASE);
}

static void sc_run(const void *arg, void *result)
{
	const struct sc_args *a = arg;
	struct sc_result *r = result;
	struct world *w = bench_world(a->backend);
	uint64_t pfns[SHARED_PAGES];
	size_t n = a->by_vmas ? 1 : SHARED_PAGES;
	struct world_memory m;
	struct walk_result wr;

	if (a->by_vmas)
		sc_setup_vmas(w, a->x, pfns);
	else
		sc_setup_sharing(w, a->x, pfns);
	world_memory(w, &m);
	r->rmap_bytes = bench_rmap_bytes(a->backend, &m);
	bench_time_walks(w, pfns, n, a->o, &wr);
	r->walk_ns = wr.seconds / (double)wr.walks * 1e9;
	r->vmas_per_walk = wr.vmas_per_walk;
	world_free(w);
}

struct sc_curve {
	const char *name;       /* data file and table */
	const char *title;
	const char *xlabel;
	bool by_vmas;
	const unsigned *xs;
	unsigned nx;
};

/* one point of a curve on every backend: a row of the table and the data */
static int sc_point(const struct sc_curve *c, unsigned x,
		    const struct bench_opts *o, FILE *md, FILE *dat,
		    struct bench_usage *peak)
{
	struct sc_args a = { NULL, c->by_vmas, x, o };
	int failed = 0;

	fprintf(md, "| %u |", x);
	fprintf(dat, "%u", x);
	for (unsigned b = 0; b < bench_nbackends; b++) {
		struct sc_result r = { 0, 0, 0 };
		struct bench_usage u;
		char t[32], by[32];

		a.backend = bench_backends[b];
		if (bench_fork(sc_run, &a, &r, sizeof(r), &u)) {
			failed = 1;
			fprintf(md, " failed |");
			fprintf(dat, " NaN NaN NaN");
			continue;
		}
		if (u.peak_rss_kib > peak->peak_rss_kib)
			peak->peak_rss_kib = u.peak_rss_kib;
		peak->cpu_s += u.cpu_s;
		fprintf(md, " %s, %s%s |", fmt_secs(t, sizeof(t), r.walk_ns * 1e-9),
			fmt_bytes(by, sizeof(by), r.rmap_bytes),
			bench_bytes_tag(a.backend));
		fprintf(dat, " %.1f %.2f %.0f", r.walk_ns, r.vmas_per_walk, r.rmap_bytes);
	}
	fputs("\n", md);
	fputs("\n", dat);
	return failed;
}

static int sc_curve_run(const struct sc_curve *c, const struct bench_opts *o,
			FILE *md)
{
	char name[64], rss[32], wall[64];
	struct bench_usage peak = { 0, 0, 0 };
	double t0 = bench_now();
	int failed = 0;
	FILE *dat;

	snprintf(name, sizeof(name), "%s.dat", c->name);
	dat = bench_open(o, name);
	fprintf(dat, "# %s\n# %s", c->title, c->xlabel);
	fprintf(md, "### %s\n\nEach cell: walk time per page, rmap bytes.\n\n"
		"| %s |", c->title, c->xlabel);
	for (unsigned b = 0; b < bench_nbackends; b++) {
		fprintf(dat, " %s_walk_ns %s_vmas %s_bytes", bench_backends[b],
			bench_backends[b], bench_backends[b]);
		fprintf(md, " %s |", bench_backends[b]);
	}
	fputs("\n|---|", md);
	for (unsigned b = 0; b < bench_nbackends; b++)
		fputs("---|", md);
	fputs("\n", md);
	fputs("\n", dat);
	for (unsigned i = 0; i < c->nx; i++)
		failed |= sc_point(c, c->xs[i], o, md, dat, &peak);
	fclose(dat);
	peak.wall_s = bench_now() - t0;
	fprintf(md, "\nPeak RSS of the largest point: %s; wall time of the "
		"curve: %s.\n\n",
		fmt_bytes(rss, sizeof(rss), (double)peak.peak_rss_kib * KiB),
		fmt_wall(wall, sizeof(wall), &peak));
	bench_provenance(md, true, false);
	return failed;
}

int bench_scaling(const struct bench_opts *o)
{
	static const unsigned degrees[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
	static const unsigned vmas[] = { 1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000 };
	struct sc_curve curves[2] = {
		{ "scaling_sharing", "5a. Walk time and rmap memory vs sharing "
		  "degree (256 anonymous pages, each mapped by d processes)",
		  "sharing degree d", false, degrees, 10 },
		{ "scaling_vmas", "5b. Walk time and rmap memory vs VMAs per "
		  "file (one page, one real mapping)", "VMAs on the file",
		  true, vmas, 10 },
	};
	int failed = 0;
	FILE *md;

	if (o->quick) {
		curves[0].nx = 5;   /* up to 20 */
		curves[1].nx = 5;   /* up to 100 */
	}
	md = bench_open(o, "scaling.md");
	fprintf(md, "## 5. Scaling curves\n\n");
	for (unsigned i = 0; i < 2; i++)
		failed |= sc_curve_run(&curves[i], o, md);
	fclose(md);
	return failed ? -1 : 0;
}
