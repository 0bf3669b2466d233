/*
 * expect.c - the expect-* lines of a trace (expect.h).
 *
 * Whether an expectation holds on the page tables, and the detail text, is
 * sharing_expect() on the scan taken as a sharing snapshot (oracle/sharing.h,
 * the code that judges the kernel world too).  The model adds its second
 * view: the backend's rmap walk.  expect-map compares the walk with the
 * trace as well; every other expectation still cross-checks the walk of
 * each frame it looks at, so a backend bug shows at the first line that
 * touches the frame.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "oracle/expect.h"
#include "oracle/walk_check.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * " p0:0x1000 p1:0x2000": the set H of N mappings sorted as strings, as
 * sharing.c sorts the scan's; " failed: REASON" for a walk that
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
	FILE *report;
	struct check_outcome *out;
};

/* Cross-check the frame mapped at PID:ADDR, if any.  0 or -ENOMEM. */
static int cross_check(struct ctx *c, unsigned pid, uint64_t addr)
{
	const char *name = op_stream_proc_name(c->s, pid);
	char about[64];
	uint64_t pfn;
	int r;

	if (!world_frame_at(c->w, pid, addr, &pfn))
		return 0;
	snprintf(about, sizeof(about), "%s:0x%" PRIx64, name ? name : "?", addr);
	r = check_walk_vs_scan(c->w, c->sc, c->s, pfn, about, c->report);
	if (r < 0)
		return r;
	c->out->divergences += (unsigned)r;
	return 0;
}

/*
 * expect-map's second view: does the backend's walk of the frame at the
 * expectation's address find exactly the trace's set?  *WALK_OK; when it
 * does not, "FAILED: walk(BACKEND) got ..." into DETAIL.  Cross-checks the
 * frame as every expectation does.
 */
static int walk_expect_map(struct ctx *c, const struct op *op, bool *walk_ok,
			   FILE *detail)
{
	struct walk_check wc = { 0 };   /* nothing mapped: both views empty */
	uint32_t nwant = op->nrefs;
	struct rmap_hit *want = malloc((nwant ? nwant : 1) * sizeof(*want));
	uint64_t pfn;
	int err = 0;

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
	*walk_ok = !wc.walk_err && rmap_hits_equal(wc.walk, wc.nwalk, want, nwant);
	if (!err && !*walk_ok) {
		fprintf(detail, "FAILED: walk(%s) got", world_backend_name(c->w));
		err = put_set(detail, c->s, wc.walk, wc.nwalk, wc.walk_err);
	}
	free(want);
	walk_check_free(&wc);
	return err;
}

/* the scan's verdict (sharing_expect), then the walk's */
static int expect_on(struct ctx *c, const struct sharing *sh,
		     const struct op *op, FILE *detail)
{
	char *scan_text = NULL, *walk_text = NULL;
	size_t slen = 0, wlen = 0;
	FILE *sf = open_memstream(&scan_text, &slen);
	FILE *wf = open_memstream(&walk_text, &wlen);
	bool scan_ok = false, walk_ok = true, same;
	uint64_t f1 = 0, f2 = 0;
	int err = sf && wf ? 0 : -ENOMEM;

	if (!err)
		err = sharing_expect(sh, c->s, op, &scan_ok, sf);
	if (!err && op->kind == OP_EXPECT_MAP) {
		err = walk_expect_map(c, op, &walk_ok, wf);
	} else if (!err) {
		err = cross_check(c, op->proc, op->addr);
		/* the second frame of a pair, unless it is the same one */
		same = world_frame_at(c->w, op->proc, op->addr, &f1) &&
		       world_frame_at(c->w, op->proc2, op->addr2, &f2) && f1 == f2;
		if (!err && (op->kind == OP_EXPECT_SAME || op->kind == OP_EXPECT_DIFF) &&
		    !same)
			err = cross_check(c, op->proc2, op->addr2);
	}
	if ((sf && fclose(sf)) || (wf && fclose(wf)))
		err = err ? err : -ENOMEM;
	if (!err) {
		c->out->passed = scan_ok && walk_ok;
		/* a scan failure is told first: it is the truth's */
		fputs(!scan_ok || walk_ok ? scan_text : walk_text, detail);
	}
	free(scan_text);
	free(walk_text);
	return err;
}

int check_expect(struct world *w, const struct scan *sc,
		 const struct op_stream *s, const struct op *op,
		 struct check_outcome *out)
{
	size_t dlen = 0, rlen = 0;
	struct ctx c = { w, sc, s, NULL, out };
	struct sharing sh = { 0 };
	FILE *detail;
	int err;

	memset(out, 0, sizeof(*out));
	if (op->kind < OP_EXPECT_MAP || op->kind > OP_EXPECT_NONE)
		return -EINVAL;
	if (op->kind == OP_EXPECT_MAP &&
	    (uint64_t)op->refs + op->nrefs > s->nrefs)
		return -EINVAL;
	detail = open_memstream(&out->detail, &dlen);
	c.report = open_memstream(&out->report, &rlen);
	err = detail && c.report ? scan_sharing(w, sc, world_zero_pfn(w), &sh) : -ENOMEM;
	if (!err)
		err = expect_on(&c, &sh, op, detail);
	sharing_free(&sh);
	if (detail && fclose(detail))
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
