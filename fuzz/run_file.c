/*
 * run_file.c - one .rmt file through a world (run_file.h).
 *
 * Output, line for line as kernel_run.py prints it:
 *
 *	   3 write p0 0x10000000 => ok -> ok
 *	   4 read p0 0x1000 => ok -> SIGSEGV  FAILED: expected ok
 *	   5 expect-zero p0:0x10001000 -> passed
 *	frame 1: p0:0x10000000 p1:0x10000000           (dump)
 *	N ops, M expectations: P passed, F failed, D divergences
 *
 * and, only here, indented reports after the line that exposed them:
 *
 *	     INVARIANT: <msg> (after line N)
 *	     DIVERGENCE: p0:0x1000 frame 17: scan ...; walk(obj) ...
 *
 * The echoed text is the source line with its comment cut and blanks
 * trimmed, "=> X" included, as kernel_run.py echoes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/world.h"
#include "fuzz/check.h"
#include "fuzz/run_file.h"
#include "fuzz/trace.h"
#include "oracle/invariants.h"
#include "oracle/scan.h"

struct run {
	const struct run_opts *o;
	FILE *out;
	struct op_stream s;
	struct trace_lines lines;
	struct world *w;
	struct scan sc;
	bool scan_fresh;      /* sc describes w as it is now */
	bool invariants;      /* still checking (off after the first break) */
	unsigned ops, passed, failed, divergences;
};

/* Read all of PATH; NULL with errno set on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, r;
	int e;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			p = realloc(buf, cap);
			if (!p) {
				e = ENOMEM;
				goto fail;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	if (ferror(f)) {
		e = errno ? errno : EIO;
		goto fail;
	}
	fclose(f);
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	errno = e;
	return NULL;
}

static int fresh_scan(struct run *r)
{
	if (!r->scan_fresh && scan_world(r->w, &r->sc))
		return -ENOMEM;
	r->scan_fresh = true;
	return 0;
}

static void echo(struct run *r, const struct op *op, const char *result,
		 const char *extra)
{
	const char *text;
	size_t n = trace_lines_get(&r->lines, op->line, &text);

	fprintf(r->out, "%4u %.*s -> %s%s\n", op->line, (int)n, text, result,
		extra);
}

/* What follows "=>" on OP's line, trimmed: kernel_run.py's want.strip() */
static void wanted(const struct run *r, const struct op *op, char *buf,
		   size_t len)
{
	const char *text, *arrow, *end;
	size_t n = trace_lines_get(&r->lines, op->line, &text);

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

static int run_operation(struct run *r, const struct op *op)
{
	char name[32], want[64], extra[96] = "", msg[512];
	int res = world_apply(r->w, op);
	bool failed = false;

	r->ops++;
	r->scan_fresh = false;
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
	if (!r->o->quiet || failed)
		echo(r, op, trace_result_name(op->kind, res, name), extra);
	if (!r->invariants)
		return 0;
	if (fresh_scan(r))
		return -ENOMEM;
	msg[0] = '\0';
	if (invariants_check(r->w, &r->sc, msg, sizeof(msg))) {
		fprintf(r->out, "     INVARIANT: %s (after line %u)\n", msg,
			op->line);
		r->divergences++;
		r->invariants = false;   /* one is enough: the rest follows */
	}
	return 0;
}

static int run_check(struct run *r, const struct op *op)
{
	struct check_outcome c;
	int err;

	if (fresh_scan(r))
		return -ENOMEM;
	if (op->kind == OP_DUMP)
		return check_dump(r->out, &r->sc, world_zero_pfn(r->w), &r->s);
	err = check_expect(r->w, &r->sc, &r->s, op, &c);
	if (err)
		return err;
	if (c.passed)
		r->passed++;
	else
		r->failed++;
	r->divergences += c.divergences;
	if (!r->o->quiet || !c.passed || c.divergences)
		echo(r, op, c.detail, "");
	fputs(c.report, r->out);
	check_outcome_free(&c);
	return 0;
}

static int run_ops(struct run *r)
{
	struct world_config cfg = { 0 };

	r->w = world_new(&cfg);
	if (!r->w)
		return -ENOMEM;
	r->invariants = r->o->invariants;
	for (uint32_t i = 0; i < r->s.nops; i++) {
		const struct op *op = &r->s.ops[i];
		int err = op_is_check(op) ? run_check(r, op)
					  : run_operation(r, op);

		if (err)
			return err;
	}
	fprintf(r->out, "%u ops, %u expectations: %u passed, %u failed, "
		"%u divergences\n", r->ops, r->passed + r->failed, r->passed,
		r->failed, r->divergences);
	return 0;
}

int run_file(const char *path, const struct run_opts *o, FILE *out,
	     FILE *errf)
{
	struct run r = { .o = o, .out = out };
	struct trace_error perr;
	char msg[512];
	size_t len = 0;
	char *text = slurp(path, &len);
	int rc = RUN_BAD_INPUT;

	if (!text) {
		fprintf(errf, "%s: cannot read: %s\n", path, strerror(errno));
		return RUN_BAD_INPUT;
	}
	if (op_stream_init(&r.s) || trace_lines_init(&r.lines, text, len)) {
		fprintf(errf, "%s: out of memory\n", path);
		goto out;
	}
	if (trace_parse(path, text, len, &r.s, &perr)) {
		trace_error_format(&perr, msg, sizeof(msg));
		fprintf(errf, "%s\n", msg);
		goto out;
	}
	if (run_ops(&r)) {
		fflush(out);
		fprintf(errf, "%s: out of memory running the trace\n", path);
		goto out;
	}
	rc = r.failed || r.divergences ? RUN_FAILED : RUN_OK;
out:
	if (r.w)
		world_free(r.w);
	scan_free(&r.sc);
	trace_lines_free(&r.lines);
	op_stream_free(&r.s);
	free(text);
	return rc;
}
