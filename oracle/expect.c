/*
 * expect.c - the expect-* lines of a trace (expect.h).
 *
 * Frames come from world_frame_at (the world's own page tables); who maps a
 * frame comes from two independent places, the oracle's scan and the
 * backend's rmap walk.  expect-map compares both with the trace; every other
 * expectation still cross-checks the walk of each frame it looks at, so a
 * backend bug shows at the first line that touches the frame.
 *
 * Details read as kernel_run.py's do ("got p0:0x1000 p1:0x2000",
 * "frames 17 None"), so that a failing line looks the same on both sides.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/trace/trace.h"
#include "oracle/expect.h"

/* A set of mappings: (pid, addr) sorted by pid, then address. */
struct hits {
	struct rmap_hit *h;
	uint32_t n;
	int err;              /* the walk failed with -err: a backend bug */
};

static int hit_cmp(const void *a, const void *b)
{
	const struct rmap_hit *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool hits_equal(const struct hits *a, const struct hits *b)
{
	if (a->n != b->n || a->err != b->err)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->h[i].pid != b->h[i].pid || a->h[i].addr != b->h[i].addr)
			return false;
	return true;
}

/* The scan's view of PFN.  0 or -ENOMEM. */
static int scan_hits(const struct scan *sc, uint64_t pfn, struct hits *out)
{
	uint32_t first = 0, n = scan_frame(sc, pfn, &first);

	out->n = 0;
	out->h = malloc((n ? n : 1) * sizeof(*out->h));
	if (!out->h)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		out->h[i] = (struct rmap_hit){ sc->e[first + i].pid,
					       sc->e[first + i].addr };
	out->n = n;
	qsort(out->h, n, sizeof(*out->h), hit_cmp);
	return 0;
}

/*
 * The backend's view of PFN.  0, or -ENOMEM.  A walk that fails otherwise
 * finds nothing and keeps its error for the report.
 */
static int walk_hits(struct world *w, uint64_t pfn, struct hits *out)
{
	struct rmap_hit *h = NULL;
	int n = world_rmap_walk(w, pfn, &h);

	if (n < 0) {
		free(h);
		*out = (struct hits){ NULL, 0, n };
		return n == -ENOMEM ? n : 0;
	}
	out->h = h;
	out->n = (uint32_t)n;
	qsort(out->h, out->n, sizeof(*out->h), hit_cmp);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* " p0:0x1000 p1:0x2000": the set sorted as strings, as Python sorts it. */
static int put_set(FILE *f, const struct op_stream *s, const struct hits *hs)
{
	char **str;
	int err = 0;

	if (hs->err) {
		fprintf(f, " failed: %s", strerror(-hs->err));
		return 0;
	}
	str = calloc(hs->n ? hs->n : 1, sizeof(*str));
	if (!str)
		return -ENOMEM;
	for (uint32_t i = 0; i < hs->n && !err; i++) {
		const char *name = op_stream_proc_name(s, hs->h[i].pid);

		if (asprintf(&str[i], "%s:0x%" PRIx64, name ? name : "?",
			     hs->h[i].addr) < 0) {
			str[i] = NULL;
			err = -ENOMEM;
		}
	}
	if (!err) {
		qsort(str, hs->n, sizeof(*str), cmp_str);
		for (uint32_t i = 0; i < hs->n; i++)
			fprintf(f, " %s", str[i]);
	}
	for (uint32_t i = 0; i < hs->n; i++)
		free(str[i]);
	free(str);
	return err;
}

int check_walk_vs_scan(struct world *w, const struct scan *sc,
		       const struct op_stream *s, uint64_t pfn,
		       const char *about, FILE *report)
{
	struct hits scan = { 0 }, walk = { 0 };
	int err = scan_hits(sc, pfn, &scan);

	if (!err)
		err = walk_hits(w, pfn, &walk);
	if (!err && !hits_equal(&scan, &walk)) {
		fprintf(report, "     DIVERGENCE: %s frame %" PRIu64 ": scan",
			about, pfn);
		err = put_set(report, s, &scan);
		fprintf(report, "; walk(%s)", world_backend_name(w));
		if (!err)
			err = put_set(report, s, &walk);
		fputc('\n', report);
		if (!err)
			err = 1;
	}
	free(scan.h);
	free(walk.h);
	return err;
}

/* ---- the expectations -------------------------------------------------- */

struct ctx {
	struct world *w;
	const struct scan *sc;
	const struct op_stream *s;
	FILE *detail, *report;
	struct check_outcome *out;
};

/* "p0:0x1000" for reports */
static void ref_text(const struct ctx *c, unsigned pid, uint64_t addr,
		     char buf[64])
{
	const char *name = op_stream_proc_name(c->s, pid);

	snprintf(buf, 64, "%s:0x%" PRIx64, name ? name : "?", addr);
}

/* Cross-check the frame mapped at PID:ADDR, if any.  0 or -ENOMEM. */
static int cross_check(struct ctx *c, unsigned pid, uint64_t addr)
{
	char about[64];
	uint64_t pfn;
	int r;

	if (!world_frame_at(c->w, pid, addr, &pfn))
		return 0;
	ref_text(c, pid, addr, about);
	r = check_walk_vs_scan(c->w, c->sc, c->s, pfn, about, c->report);
	if (r < 0)
		return r;
	c->out->divergences += (unsigned)r;
	return 0;
}

/* The frame at PID:ADDR as kernel_run.py prints it: pfn, "zero" or None. */
static void frame_text(const struct ctx *c, unsigned pid, uint64_t addr,
		       char buf[32])
{
	uint64_t pfn;

	if (!world_frame_at(c->w, pid, addr, &pfn))
		snprintf(buf, 32, "None");
	else if (pfn == world_zero_pfn(c->w))
		snprintf(buf, 32, "zero");
	else
		snprintf(buf, 32, "%" PRIu64, pfn);
}

static int expect_map(struct ctx *c, const struct op *op)
{
	struct hits want = { 0 }, scan = { 0 }, walk = { 0 };
	uint64_t pfn;
	int err = 0;

	if ((uint64_t)op->refs + op->nrefs > c->s->nrefs)
		return -EINVAL;
	want.h = malloc((op->nrefs ? op->nrefs : 1) * sizeof(*want.h));
	if (!want.h)
		return -ENOMEM;
	for (uint32_t i = 0; i < op->nrefs; i++)
		want.h[i] = (struct rmap_hit){ c->s->refs[op->refs + i].proc,
					       c->s->refs[op->refs + i].addr };
	want.n = op->nrefs;
	qsort(want.h, want.n, sizeof(*want.h), hit_cmp);

	if (world_frame_at(c->w, op->proc, op->addr, &pfn)) {
		err = scan_hits(c->sc, pfn, &scan);
		if (!err)
			err = walk_hits(c->w, pfn, &walk);
		if (!err)
			err = cross_check(c, op->proc, op->addr);
	}
	if (!err) {
		c->out->passed = hits_equal(&scan, &want) &&
				 hits_equal(&walk, &want);
		if (c->out->passed) {
			fputs("passed", c->detail);
		} else if (!hits_equal(&scan, &want)) {
			fputs("FAILED: got", c->detail);
			err = put_set(c->detail, c->s, &scan);
		} else {
			fprintf(c->detail, "FAILED: walk(%s) got",
				world_backend_name(c->w));
			err = put_set(c->detail, c->s, &walk);
		}
	}
	free(want.h);
	free(scan.h);
	free(walk.h);
	return err;
}

static int expect_pair(struct ctx *c, const struct op *op)
{
	uint64_t f1 = 0, f2 = 0;
	bool m1 = world_frame_at(c->w, op->proc, op->addr, &f1);
	bool m2 = world_frame_at(c->w, op->proc2, op->addr2, &f2);
	char t1[32], t2[32];
	int err;

	c->out->passed = m1 && m2 &&
			 (f1 == f2) == (op->kind == OP_EXPECT_SAME);
	if (c->out->passed) {
		fputs("passed", c->detail);
	} else {
		frame_text(c, op->proc, op->addr, t1);
		frame_text(c, op->proc2, op->addr2, t2);
		fprintf(c->detail, "FAILED: frames %s %s", t1, t2);
	}
	err = cross_check(c, op->proc, op->addr);
	if (!err && !(m1 && m2 && f1 == f2))   /* one frame: checked once */
		err = cross_check(c, op->proc2, op->addr2);
	return err;
}

static int expect_one(struct ctx *c, const struct op *op)
{
	uint64_t pfn = 0;
	bool mapped = world_frame_at(c->w, op->proc, op->addr, &pfn);
	char t[32];

	if (op->kind == OP_EXPECT_ZERO)
		c->out->passed = mapped && pfn == world_zero_pfn(c->w);
	else
		c->out->passed = !mapped;
	if (c->out->passed) {
		fputs("passed", c->detail);
	} else {
		frame_text(c, op->proc, op->addr, t);
		fprintf(c->detail, "FAILED: frame %s", t);
	}
	return cross_check(c, op->proc, op->addr);
}

int check_expect(struct world *w, const struct scan *sc,
		 const struct op_stream *s, const struct op *op,
		 struct check_outcome *out)
{
	size_t dlen = 0, rlen = 0;
	struct ctx c = { w, sc, s, NULL, NULL, out };
	int err;

	memset(out, 0, sizeof(*out));
	if (op->kind < OP_EXPECT_MAP || op->kind > OP_EXPECT_NONE)
		return -EINVAL;
	c.detail = open_memstream(&out->detail, &dlen);
	c.report = open_memstream(&out->report, &rlen);
	if (!c.detail || !c.report) {
		err = -ENOMEM;
		goto out;
	}
	switch (op->kind) {
	case OP_EXPECT_MAP:
		err = expect_map(&c, op);
		break;
	case OP_EXPECT_SAME:
	case OP_EXPECT_DIFF:
		err = expect_pair(&c, op);
		break;
	default:
		err = expect_one(&c, op);
		break;
	}
out:
	if (c.detail && fclose(c.detail))
		err = -ENOMEM;
	if (c.report && fclose(c.report))
		err = -ENOMEM;
	if (err)
		check_outcome_free(out);
	return err;
}

void check_outcome_free(struct check_outcome *o)
{
	free(o->detail);
	free(o->report);
	o->detail = o->report = NULL;
}
