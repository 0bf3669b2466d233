/*
 * run_file.c - one .rmt file, or one op stream, through a world (run_file.h).
 *
 * Output, line for line as `./rmapfuzz kernel` prints it:
 *
 *	   3 write p0 0x10000000 => ok -> ok
 *	   4 read p0 0x1000 => ok -> SIGSEGV  FAILED: expected ok
 *	   5 expect-zero p0:0x10001000 -> passed
 *	frame 1: p0:0x10000000 p1:0x10000000           (dump)
 *	N ops, M expectations: P passed, F failed, D divergences
 *
 * and, only here, indented reports after the line that exposed them:
 *
 *	     INVARIANT [sig]: <msg> (after line N)
 *	     DIVERGENCE [sig]: <what each backend and the page tables saw>
 *
 * Every op runs in lockstep on one world per backend (oracle/lockstep.h);
 * results, dumps and expectations are those of the first world, and every
 * world's walks are checked against its page tables.
 *
 * The echoed text is the source line with its comment cut and blanks
 * trimmed, "=> X" included, as kernel_run.py echoes it; a stream run
 * without its text (run_stream) echoes its printed lines.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/op_interleave.h"
#include "core/rmap_ptechain.h"
#include "core/world.h"
#include "trace/file_io.h"
#include "cmd/run_file.h"
#include "fuzz/diff_run.h"
#include "trace/trace.h"
#include "oracle/expect.h"
#include "oracle/lockstep.h"
#include "oracle/scan.h"

struct run {
	const struct run_opts *o;
	FILE *out;
	const struct op_stream *s;
	struct trace_lines lines;   /* the echoed text */
	bool by_index;              /* lines are the printed ops: op I on I + 1 */
	struct lockstep ls;
	bool ls_ready;
	bool reported_early;        /* the divergence is in pending (report_now) */
	char local_pending[RUN_REPORT_TEXT];
	char *pending;              /* o->pending_report, or local_pending */
	/* the reports printed so far: a broken state is shown once */
	char **shown;
	unsigned nshown, cap_shown;
	unsigned ops, passed, failed, divergences;
};

/*
 * The line OP is on: its source line, or its line in the printed stream,
 * where an op with an interleave takes two (trace_print).
 */
static uint32_t line_of(const struct run *r, const struct op *op)
{
	uint32_t line = 0;

	if (!r->by_index)
		return op->line;
	for (const struct op *o = r->s->ops; o <= op; o++)
		line += !op_is_check(o) && o->ilv_walker ? 2 : 1;
	return line;
}

static void echo(struct run *r, const struct op *op, const char *result,
		 const char *extra)
{
	const char *text;
	size_t n = trace_lines_get(&r->lines, line_of(r, op), &text);

	fprintf(r->out, "%4u %.*s -> %s%s\n", line_of(r, op), (int)n, text,
		result, extra);
}

/* What follows "=>" on OP's line, trimmed: kernel_run.py's want.strip() */
static void wanted(const struct run *r, const struct op *op, char *buf,
		   size_t len)
{
	const char *text, *arrow, *end;
	size_t n = trace_lines_get(&r->lines, line_of(r, op), &text);

	buf[0] = '\0';
	arrow = memmem(text, n, "=>", 2);
	if (!arrow)
		return;
	end = text + n;
	arrow += 2;
	while (arrow < end && (*arrow == ' ' || *arrow == '\t'))
		arrow++;
	snprintf(buf, len, "%.*s", (int)(end - arrow), arrow);
}

/* true when DETAIL was reported before; else it is remembered */
static bool shown_before(struct run *r, const char *detail)
{
	char *copy;

	for (unsigned i = 0; i < r->nshown; i++)
		if (!strcmp(r->shown[i], detail))
			return true;
	if (r->nshown == r->cap_shown) {
		unsigned cap = r->cap_shown ? 2 * r->cap_shown : 16;
		char **n = realloc(r->shown, cap * sizeof(*n));

		if (!n)
			return false;   /* shown again rather than lost */
		r->shown = n;
		r->cap_shown = cap;
	}
	copy = strdup(detail);
	if (copy)
		r->shown[r->nshown++] = copy;
	return false;
}

static void shown_free(struct run *r)
{
	for (unsigned i = 0; i < r->nshown; i++)
		free(r->shown[i]);
	free(r->shown);
	r->shown = NULL;
	r->nshown = r->cap_shown = 0;
}

/*
 * the op's divergence, if the lockstep found one, as one report line.  A
 * broken state stays broken: a later op that touches it (or the closing
 * full check) finds it again, word for word; it was shown and counted
 * under the op that broke it, and is not shown again.
 */
static void report_divergence(struct run *r, const struct op *op)
{
	const struct divergence *d = &r->ls.div;

	if (!r->ls.diverged)
		return;
	r->ls.diverged = false;     /* report each op's own */
	if (r->o->first_signature && !r->o->first_signature[0])
		snprintf(r->o->first_signature, sizeof(d->signature), "%s", d->signature);
	if (r->reported_early) {
		/* found inside the op: shown under it, now it is echoed */
		r->reported_early = false;
		fputs(r->pending, r->out);
		r->pending[0] = '\0';
		shown_before(r, d->detail);
	} else if (shown_before(r, d->detail)) {
		return;
	} else if (!strncmp(d->check, "invariant-", 10)) {
		fprintf(r->out, "     INVARIANT [%s]: %s (after line %u)\n",
			d->signature, d->detail, line_of(r, op));
	} else {
		fprintf(r->out, "     DIVERGENCE [%s]: %s (after line %u)\n",
			d->signature, d->detail, line_of(r, op));
	}
	r->divergences++;
}

/*
 * Signing mode: a divergence found after an rmap event inside an op is
 * kept at once, before the broken state can crash the rest of the op, and
 * printed under the op when it is echoed (report_divergence), or by
 * run_isolated under the op's CRASH line.
 */
static void report_now(struct lockstep *ls)
{
	struct run *r = (struct run *)((char *)ls - offsetof(struct run, ls));
	const struct divergence *d = &ls->div;

	if (strncmp(d->check, "walk-after-", 11))
		return;     /* a per-op check: reported after the op */
	snprintf(r->pending, RUN_REPORT_TEXT,
		 "     DIVERGENCE [%s]: %s (during line %u)\n",
		 d->signature, d->detail, line_of(r, &r->s->ops[d->op_index]));
	r->reported_early = true;
}

/*
 * What became of OP's interleave line (world 0's outcome; the lockstep
 * checks that every world's is the same), printed under the op, and its
 * "=> OUTCOME" checked: an expectation like any other.
 */
static void report_interleave(struct run *r, const struct op *op)
{
	struct interleave_outcome o;
	char what[96] = "", name[32];
	bool failed;

	world_interleave_outcome(r->ls.w[0], &o);
	/* "pte-slot" is no lock: the walk goes to the PTE where it stays
	 * (core/interleave_run.c, move_normal_pmd's table in flight) */
	if (o.status == INTERLEAVE_IMPOSSIBLE &&
	    strcmp(o.blocked_by, "pte-slot") == 0)
		snprintf(what, sizeof(what), " (pte-slot: the walk finds the "
			 "PTE in its slot of the moving table)");
	else if (o.status == INTERLEAVE_IMPOSSIBLE)
		snprintf(what, sizeof(what), " (%s holds the %s lock)",
			 op_kind_name(op->kind), o.blocked_by);
	else if (o.status == INTERLEAVE_RAN)
		snprintf(what, sizeof(what), " (%s -> %s)",
			 ilv_walker_name(o.walker),
			 trace_result_name(o.walker == ILV_WALKER_AGE ||
					   o.walker == ILV_WALKER_STALLED ? OP_AGE
					   : o.walker == ILV_WALKER_COLLAPSE ?
					   OP_MADVISE : OP_MIGRATE, o.result,
					   name));
	failed = op->ilv_expect && op->ilv_expect != o.status;
	if (op->ilv_expect) {
		r->passed += !failed;
		r->failed += failed;
	}
	if (r->o->quiet && !failed)
		return;
	fprintf(r->out, "     interleave %s %s:0x%llx at %s:%u -> %s%s%s%s\n",
		ilv_walker_name(op->ilv_walker),
		op_stream_proc_name(r->s, op->ilv_proc),
		(unsigned long long)op->ilv_addr, yield_point_name(op->ilv_point),
		op->ilv_nth ? op->ilv_nth : 1, ilv_status_name(o.status), what,
		failed ? "  FAILED: expected " : "",
		failed ? ilv_status_name(op->ilv_expect) : "");
}

static int run_operation(struct run *r, const struct op *op, uint32_t index)
{
	char name[32], want[64], extra[96] = "";
	bool failed = false;
	int res;

	if (r->o->current_op) {
		const char *text;
		size_t n = trace_lines_get(&r->lines, line_of(r, op), &text);

		snprintf(r->o->current_op, RUN_OP_TEXT, "%4u %.*s",
			 line_of(r, op), (int)n, text);
	}
	res = lockstep_apply(&r->ls, op, index);

	r->ops++;
	if (op->flags & OPF_HAS_EXPECT) {
		if (res == op->expect) {
			r->passed++;
		} else {
			r->failed++;
			failed = true;
			wanted(r, op, want, sizeof(want));
			snprintf(extra, sizeof(extra), "  FAILED: expected %s",
				 want);
		}
	}
	if (!r->o->quiet || failed || r->ls.diverged)
		echo(r, op, trace_result_name(op->kind, res, name), extra);
	if (op->ilv_walker)
		report_interleave(r, op);
	report_divergence(r, op);
	return 0;
}

/* An expectation holds when it holds in every world. */
static int run_check(struct run *r, const struct op *op)
{
	struct check_outcome c[LOCKSTEP_MAX_WORLDS];
	bool passed = true;
	unsigned div = 0;
	int err = 0;

	if (op->kind == OP_DUMP)
		return check_dump(r->out, r->ls.w[0], &r->ls.scan[0],
				  world_zero_pfn(r->ls.w[0]), r->s);
	for (unsigned i = 0; i < r->ls.nworlds; i++) {
		err = check_expect(r->ls.w[i], &r->ls.scan[i], r->s, op, &c[i]);
		if (err) {
			while (i-- > 0)
				check_outcome_free(&c[i]);
			return err;
		}
		passed &= c[i].passed;
		div += c[i].divergences;
	}
	if (passed)
		r->passed++;
	else
		r->failed++;
	r->divergences += div;
	if (!r->o->quiet || !passed || div)
		echo(r, op, c[0].detail, "");
	for (unsigned i = 0; i < r->ls.nworlds; i++) {
		if (i > 0 && c[i].passed != c[0].passed)
			fprintf(r->out, "     %s: %s\n",
				world_backend_name(r->ls.w[i]), c[i].detail);
		fputs(c[i].report, r->out);
		check_outcome_free(&c[i]);
	}
	return 0;
}

/* what the walks cost in each world (the checker's walks included) */
static void print_stats(struct run *r)
{
	for (unsigned i = 0; i < r->ls.nworlds; i++) {
		struct walk_stats ws;
		struct ptechain_stats ps;

		world_walk_stats(r->ls.w[i], &ws);
		rmap_ptechain_stats(r->ls.w[i], &ps);
		fprintf(r->out, "stats %s: %llu walks, %.2f VMAs visited and %.2f "
			"PTEs checked per walk", world_backend_name(r->ls.w[i]),
			(unsigned long long)ws.walks,
			ws.walks ? (double)ws.vmas_visited / (double)ws.walks : 0.0,
			ws.walks ? (double)ws.ptes_checked / (double)ws.walks : 0.0);
		if (ps.peak_bytes)
			fprintf(r->out, ", chain blocks %llu bytes (peak %llu)",
				(unsigned long long)ps.bytes,
				(unsigned long long)ps.peak_bytes);
		fputc('\n', r->out);
	}
}

static int run_ops(struct run *r)
{
	static const struct rmap_ops *both[2];
	const struct rmap_ops *const *b = r->o->backends;
	unsigned n = r->o->nbackends;
	int err;

	if (n == 0) {
		both[0] = rmap_backend("obj");
		both[1] = rmap_backend("ptechain");
		b = both;
		n = 2;
	}
	struct world_config cfg = { .max_frames = r->o->max_frames,
				    .no_zero_page = r->o->no_zero_page };

	err = lockstep_init(&r->ls, b, n, &cfg);
	if (err)
		return err;
	r->ls_ready = true;
	r->ls.no_invariants = !r->o->invariants;
	r->ls.check_all = r->o->check_all;
	r->ls.sign_events = r->o->sign_events;
	r->ls.on_divergence = report_now;
	for (uint32_t i = 0; i < r->s->nops; i++) {
		const struct op *op = &r->s->ops[i];

		err = op_is_check(op) ? run_check(r, op) : run_operation(r, op, i);
		if (err)
			return err;
		if (r->o->stop_at_first && (r->failed || r->divergences)) {
			fprintf(r->out, "stopped at the first failure (line %u)\n",
				line_of(r, op));
			break;
		}
	}
	/* a last full check: every mapped frame, every backend */
	if (r->s->nops && !(r->o->stop_at_first && (r->failed || r->divergences))) {
		lockstep_check_all(&r->ls, &r->s->ops[r->s->nops - 1],
				   r->s->nops - 1);
		report_divergence(r, &r->s->ops[r->s->nops - 1]);
	}
	if (r->o->stats)
		print_stats(r);
	fprintf(r->out, "%u ops, %u expectations: %u passed, %u failed, "
		"%u divergences\n", r->ops, r->passed + r->failed, r->passed,
		r->failed, r->divergences);
	return 0;
}

/* R, its stream and lines set up, through the lockstep: a RUN_* status. */
static int run(struct run *r, const char *path, FILE *errf)
{
	int err;

	r->pending = r->o->pending_report ? r->o->pending_report : r->local_pending;
	r->pending[0] = '\0';
	err = run_ops(r);

	if (err) {
		fflush(r->out);
		fprintf(errf, "%s: cannot run the trace: %s\n", path,
			strerror(-err));
	}
	if (r->ls_ready)
		lockstep_fini(&r->ls);
	shown_free(r);
	if (err)
		return RUN_BAD_INPUT;
	return r->failed || r->divergences ? RUN_FAILED : RUN_OK;
}

/* The trace TEXT (LEN bytes) named PATH in messages. */
static int run_text(const char *path, const char *text, size_t len,
		    const struct run_opts *o, FILE *out, FILE *errf)
{
	struct run r = { .o = o, .out = out };
	struct op_stream s;
	struct trace_error perr;
	char msg[512];
	int rc = RUN_BAD_INPUT;

	r.s = &s;
	if (op_stream_init(&s) || trace_lines_init(&r.lines, text, len)) {
		fprintf(errf, "%s: out of memory\n", path);
	} else if (trace_parse(path, text, len, &s, &perr)) {
		trace_error_format(&perr, msg, sizeof(msg));
		fprintf(errf, "%s\n", msg);
	} else {
		rc = run(&r, path, errf);
	}
	trace_lines_free(&r.lines);
	op_stream_free(&s);
	return rc;
}

int run_file(const char *path, const struct run_opts *o, FILE *out,
	     FILE *errf)
{
	size_t len = 0;
	char *text = read_whole_file(path, &len);
	int rc;

	if (!text) {
		fprintf(errf, "%s: cannot read: %s\n", path, strerror(errno));
		return RUN_BAD_INPUT;
	}
	/* a parse error would quote its raw bytes */
	if (len && !file_is_text(text, len)) {
		fprintf(errf, "%s: a binary file, not a trace (text): "
			"./rmapfuzz repro %s runs a binary fuzz input, "
			"./rmapfuzz decode %s prints it as a trace\n", path,
			path, path);
		free(text);
		return RUN_BAD_INPUT;
	}
	rc = run_text(path, text, len, o, out, errf);
	free(text);
	return rc;
}

int run_stream(const char *path, const struct op_stream *s,
	       const struct run_opts *o, FILE *out, FILE *errf)
{
	struct run r = { .o = o, .out = out, .s = s, .by_index = true };
	size_t len = 0;
	char *text = trace_print_text(s, &len);
	int rc = RUN_BAD_INPUT;

	if (!text || trace_lines_init(&r.lines, text, len))
		fprintf(errf, "%s: out of memory\n", path);
	else
		rc = run(&r, path, errf);
	trace_lines_free(&r.lines);
	free(text);
	return rc;
}

struct isolated {
	const char *path;
	const struct op_stream *s;
	const struct run_opts *o;
	FILE *out, *err;
};

static int isolated_child(void *arg)
{
	struct isolated *a = arg;

	setvbuf(a->out, NULL, _IOLBF, 0);
	if (a->s)
		return run_stream(a->path, a->s, a->o, a->out, a->err);
	return run_file(a->path, a->o, a->out, a->err);
}

int run_isolated(const char *path, const struct op_stream *s,
		 const struct run_opts *o, FILE *out, FILE *errf, char *sig)
{
	struct run_opts co = *o;
	struct isolated a = { path, s, &co, out, errf };
	char csig[SIGNATURE_SIZE] = "";
	int rc;

	/* the child writes the op under way where the parent can read it */
	co.current_op = mmap(NULL, RUN_OP_TEXT + RUN_REPORT_TEXT,
			     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			     -1, 0);
	if (co.current_op == MAP_FAILED) {
		fprintf(errf, "%s: cannot run it: %s\n", path, strerror(errno));
		return RUN_BAD_INPUT;
	}
	co.current_op[0] = '\0';
	co.pending_report = co.current_op + RUN_OP_TEXT;
	co.pending_report[0] = '\0';
	fflush(out);
	rc = run_in_child(isolated_child, &a, csig);
	if (rc == -2) {
		fprintf(errf, "%s: cannot run it in a child process\n", path);
		rc = RUN_BAD_INPUT;
	} else if (rc == -1) {
		fprintf(out, "%s -> CRASH\n%s     CRASH [%s] (the report is on "
			"stderr)\n", co.current_op[0] ? co.current_op : "   ?",
			co.pending_report, csig);
		rc = RUN_FAILED;
	}
	fflush(out);
	if (sig)
		snprintf(sig, SIGNATURE_SIZE, "%s", csig);
	munmap(co.current_op, RUN_OP_TEXT + RUN_REPORT_TEXT);
	return rc;
}
