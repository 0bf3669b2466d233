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
#include "oracle/walk_check.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * " p0:0x1000 p1:0x2000": the set H of N mappings sorted as strings, as
 * Python sorts it (kernel_run.py's text); " failed: REASON" for a walk that
 * failed with WALK_ERR.
 */
static int put_set(FILE *f, const struct op_stream *s,
		   const struct rmap_hit *h, uint32_t n, int walk_err)
{
	char **str;
	int err = 0;

	if (walk_err) {
		fprintf(f, " failed: %s", strerror(-walk_err));
		return 0;
	}
	str = calloc(n ? n : 1, sizeof(*str));
	if (!str)
		return -ENOMEM;
	for (uint32_t i = 0; i < n && !err; i++) {
		const char *name = op_stream_proc_name(s, h[i].pid);

		if (asprintf(&str[i], "%s:0x%" PRIx64, name ? name : "?",
			     h[i].addr) < 0) {
			str[i] = NULL;
			err = -ENOMEM;
		}
	}
	if (!err) {
		qsort(str, n, sizeof(*str), cmp_str);
		for (uint32_t i = 0; i < n; i++)
			fprintf(f, " %s", str[i]);
	}
	for (uint32_t i = 0; i < n; i++)
		free(str[i]);
	free(str);
	return err;
}

int check_walk_vs_scan(struct world *w, const struct scan *sc,
		       const struct op_stream *s, uint64_t pfn,
		       const char *about, FILE *report)
{
	struct walk_check c;
	int err = walk_check(w, sc, pfn, &c);

	if (!err && !c.agree) {
		fprintf(report, "     DIVERGENCE: %s frame %" PRIu64 ": scan",
			about, pfn);
		err = put_set(report, s, c.scan, c.nscan, 0);
		fprintf(report, "; walk(%s)", world_backend_name(w));
		if (!err)
			err = put_set(report, s, c.walk, c.nwalk, c.walk_err);
		fputc('\n', report);
		if (!err)
			err = 1;
	}
	walk_check_free(&c);
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
	struct walk_check wc = { 0 };   /* nothing mapped: both views empty */
	struct rmap_hit *want;
	uint32_t nwant = op->nrefs;
	bool scan_ok, walk_ok;
	uint64_t pfn;
	int err = 0;

	if ((uint64_t)op->refs + op->nrefs > c->s->nrefs)
		return -EINVAL;
	want = malloc((nwant ? nwant : 1) * sizeof(*want));
	if (!want)
		return -ENOMEM;
	for (uint32_t i = 0; i < nwant; i++)
		want[i] = (struct rmap_hit){ c->s->refs[op->refs + i].proc,
					     c->s->refs[op->refs + i].addr };
	rmap_hits_sort(want, nwant);

	if (world_frame_at(c->w, op->proc, op->addr, &pfn)) {
		err = walk_check(c->w, c->sc, pfn, &wc);
		if (!err)
			err = cross_check(c, op->proc, op->addr);
	}
	if (!err) {
		scan_ok = rmap_hits_equal(wc.scan, wc.nscan, want, nwant);
		walk_ok = !wc.walk_err &&
			  rmap_hits_equal(wc.walk, wc.nwalk, want, nwant);
		c->out->passed = scan_ok && walk_ok;
		if (c->out->passed) {
			fputs("passed", c->detail);
		} else if (!scan_ok) {
			fputs("FAILED: got", c->detail);
			err = put_set(c->detail, c->s, wc.scan, wc.nscan, 0);
		} else {
			fprintf(c->detail, "FAILED: walk(%s) got",
				world_backend_name(c->w));
			err = put_set(c->detail, c->s, wc.walk, wc.nwalk,
				      wc.walk_err);
		}
	}
	free(want);
	walk_check_free(&wc);
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
