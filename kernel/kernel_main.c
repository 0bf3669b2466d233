/*
 * kernel_main.c - `./rmapfuzz kernel FILE.rmt...`: run traces on the host
 * kernel (kworld.h) and print exactly what `./rmapfuzz run` prints for
 * them, so the two outputs diff line by line:
 *
 *	   3 write p0 0x10000000 => ok -> ok
 *	   5 expect-zero p0:0x10001000 -> passed
 *	frame 1: p0:0x10000000 p1:0x10000000           (dump)
 *	N ops, M expectations: P passed, F failed, 0 divergences
 *
 * An op the host cannot run (migrate, pageout, age) or that reaches
 * outside the runner's address window prints "-> skip", with the reason
 * on stderr; its "=> RESULT" is not checked.
 *
 * Exit status as run's: 0 all expectations held, 1 one failed, 2 a file
 * could not be read or parsed, or the host cannot run the kernel world
 * (not root, no frame numbers), or a worker died or timed out.
 *
 * --compare (`./rmapfuzz run --kernel`): the model and the kernel side by
 * side instead (kcompare.h); each op echoed with the model's result, each
 * check line with "same", and at the first op whose result or sharing
 * differs, the divergence in the lockstep's format and both views:
 *
 *	   7 mremap p1 0x10000000 0x7000 0x8000 -> EFAULT
 *	     DIVERGENCE [kernel:mremap:result]: model (obj) returned EFAULT,
 *	         kernel returned ok (after line 7)
 *	     model:  (dump)   kernel:  (dump)
 *	7 ops compared: 1 divergence
 *
 * A difference is seen twice before it is reported: the trace runs again
 * op by op (kcompare_confirm), and a sharing difference that run does not
 * show is flaky (kcompare.h), printed with the first run's report:
 *
 *	     flaky, not seen again: DIVERGENCE [kernel:read:sharing]: ...
 *	7 ops compared: flaky (differed once, agreed when run again)
 *
 * and counted: with more than one file a last line sums them up,
 *
 *	97 files compared: 56 agree, 30 differ, 11 stopped early, 0 flaky
 *
 * and the run fails (exit 1) when more than --max-flaky percent of the
 * files compared (default KCOMPARE_FLAKY_MAX_PERCENT, 1) were flaky; one
 * flaky file of fewer than 100 is already more.
 *
 * Where the two agree, the trace's own "=> RESULT" and expect-* lines are
 * checked as well (against the agreed result, and the kernel's sharing at
 * the line): a wrong expectation fails the file even though nothing
 * diverged ("..., but FAILED: ...", and "; N of the trace's expectations
 * failed on both" in the summary).  --fast checks only model against
 * kernel.
 *
 * Exit status: 0 they agree, 1 a divergence, an expectation both broke or
 * too many flaky files, 2 as
 * above, 3 the kernel did not run an op (outside the window,
 * migrate/pageout/age): compared only up to it.
 *
 * --partial, for a host whose pagemap has present bits but no frame numbers
 * (not root): results are checked in full, the sharing only as far as
 * presence goes (kworld_config.partial): which (process, address) pairs
 * have a present page, and the zero page only when /proc/kpageflags is
 * readable.  Dumps and the expect-* lines that need frame identity print
 * "partial: ..." and count neither way; the first line and every summary
 * say the run was partial.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "trace/file_io.h"
#include "trace/trace.h"
#include "kernel/kcompare.h"
#include "kernel/kworld.h"
#include "oracle/sharing.h"

enum { RUN_OK = 0, RUN_FAILED = 1, RUN_BAD_INPUT = 2, RUN_STOPPED = 3 };

struct opts {
	bool quiet;
	bool compare;         /* the model and the kernel side by side */
	bool fast;            /* compare: sharing sampled, first op found after */
	bool partial;         /* --partial: presence only (cfg.partial) */
	unsigned max_flaky;   /* --max-flaky: percent of files compared */
	struct kworld_config cfg;
};

/* compare mode: the files by outcome (the summary and the flaky limit) */
struct tally {
	unsigned agree, differ, stopped, flaky;
};

struct run {
	const struct opts *o;
	const char *path;
	struct op_stream s;
	struct trace_lines lines;
	struct kworld *k;
	struct sharing snap;
	unsigned ops, passed, failed;
	unsigned unchecked;   /* partial: checks that need frame identity */
	struct tally *tally;  /* compare mode: this file's outcome counted */
	/* compare mode: the trace's failed expectations are shown, not
	 * counted (echo_compared says why) */
	bool expect_uncounted;
};

/* the summary's note on a partial run */
static const char *partial_note(const struct opts *o)
{
	return o->cfg.partial ? " (partial: presence of pages only, no frame "
				"identity)" : "";
}

static void echo(struct run *r, const struct op *op, const char *result,
		 const char *extra)
{
	const char *text;
	size_t n = trace_lines_get(&r->lines, op->line, &text);

	printf("%4u %.*s -> %s%s\n", op->line, (int)n, text, result, extra);
}

/* What follows "=>" on OP's line, trimmed, as run prints it. */
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
	for (arrow += 2; arrow < end && (*arrow == ' ' || *arrow == '\t');)
		arrow++;
	snprintf(buf, len, "%.*s", (int)(end - arrow), arrow);
}

static int run_operation(struct run *r, const struct op *op)
{
	struct kworld_result kr;
	char name[32], want[64], extra[96] = "";
	int err = kworld_apply(r->k, op, &kr);
	bool failed = false;

	if (err)
		return err;
	r->ops++;
	if (kr.skipped) {
		fprintf(stderr, "%s:%u: %s skipped: %s\n", r->path, op->line,
			op_kind_name(op->kind), kr.note);
		if (!r->o->quiet)
			echo(r, op, "skip", "");
		return 0;
	}
	if (op->flags & OPF_HAS_EXPECT) {
		if (kr.res == op->expect) {
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
		echo(r, op, trace_result_name(op->kind, kr.res, name), extra);
	return 0;
}

/*
 * Expectation OP of R's trace on SNAP: *PASSED, and its "passed" or
 * "FAILED: ..." text in *DETAIL (malloc'd, or NULL).  0 or -errno.
 */
static int judge(const struct run *r, const struct sharing *snap,
		 const struct op *op, bool *passed, char **detail)
{
	size_t len = 0;
	FILE *f;
	int err;

	*detail = NULL;
	f = open_memstream(detail, &len);
	if (!f)
		return -ENOMEM;
	err = sharing_expect(snap, &r->s, op, passed, f);
	if (fclose(f) && !err)
		err = -ENOMEM;
	return err;
}

static int run_check(struct run *r, const struct op *op)
{
	char *detail = NULL;
	bool passed = false;
	int err = kworld_snapshot(r->k, &r->snap);

	if (err)
		return err;
	if (r->o->cfg.partial && (op->kind == OP_DUMP ||
	    !sharing_expect_partial_ok(op, kworld_sees_zero_page(r->k)))) {
		r->unchecked++;
		if (!r->o->quiet)
			echo(r, op, "partial: not checkable without frame "
			     "numbers", "");
		return 0;
	}
	if (op->kind == OP_DUMP)
		return sharing_dump(stdout, &r->snap, &r->s);
	err = judge(r, &r->snap, op, &passed, &detail);
	if (!err) {
		if (passed)
			r->passed++;
		else
			r->failed++;
		if (!r->o->quiet || !passed)
			echo(r, op, detail, "");
	}
	free(detail);
	return err;
}

static int run_ops(struct run *r)
{
	struct kworld_config cfg = r->o->cfg;
	char why[256];
	int err;

	cfg.names = &r->s;
	err = kworld_start(&cfg, &r->k, why, sizeof(why));

	if (err) {
		fprintf(stderr, "%s: cannot start the kernel world: %s\n",
			r->path, why);
		return RUN_BAD_INPUT;
	}
	for (uint32_t i = 0; i < r->s.nops; i++) {
		const struct op *op = &r->s.ops[i];

		err = op_is_check(op) ? run_check(r, op) : run_operation(r, op);
		if (err) {
			fflush(stdout);
			fprintf(stderr, "%s:%u: kernel runner: %s\n", r->path,
				op->line, kworld_error(r->k)[0] ?
				kworld_error(r->k) : strerror(-err));
			return RUN_BAD_INPUT;
		}
	}
	printf("%u ops, %u expectations: %u passed, %u failed, 0 divergences",
	       r->ops, r->passed + r->failed, r->passed, r->failed);
	if (r->o->cfg.partial)
		printf("; partial: %u checks not checkable without frame "
		       "numbers", r->unchecked);
	putchar('\n');
	return r->failed ? RUN_FAILED : RUN_OK;
}

/*
 * compare mode: an expect-* line the model and the kernel agree on, judged
 * against the kernel's view of that moment (kcompare compared the sharing
 * there): "" when it holds (or cannot be judged: partial), else its
 * "FAILED: ..." text in BUF.  The two agreeing is not the trace's
 * expectation holding: a trace written wrong would otherwise pass.
 */
static const char *compared_expect(struct run *r, const struct kcompare *c,
				   const struct op *op, char *buf, size_t len)
{
	char *detail = NULL;
	bool passed = true;

	buf[0] = '\0';
	if (op->kind == OP_DUMP || (r->o->cfg.partial &&
	    !sharing_expect_partial_ok(op, kworld_sees_zero_page(c->kernel))))
		return buf;
	/* an error (refs out of range) is the parser's to report */
	if (!judge(r, &c->kernel_view, op, &passed, &detail) && !passed)
		snprintf(buf, len, "%s", detail ? detail : "FAILED");
	free(detail);
	return buf;
}

/*
 * compare mode: each line as it was compared (model's result, or "same"),
 * and, where the two agree, the trace's own "=> RESULT" and expect-* lines
 * checked too (counted in r->failed; the summary says so and exits 1)
 */
static void echo_compared(struct run *r, const struct kcompare *c, uint32_t i)
{
	const struct op *op = &r->s.ops[i];
	char name[32], want[64], extra[1200] = "";
	bool failed_here = c->diverged && c->div.op_index == i;
	const char *uncounted = r->expect_uncounted ?
		" (not counted: this host maps no zero page, which the "
		"trace may assume)" : "";
	bool failed = false;

	if (!failed_here && op_is_check(op)) {
		char detail[1100];

		if (compared_expect(r, c, op, detail, sizeof(detail))[0]) {
			failed = true;
			snprintf(extra, sizeof(extra), ", but %s%s", detail,
				 uncounted);
		}
	} else if (!failed_here && (op->flags & OPF_HAS_EXPECT) &&
		   c->model_res != op->expect) {
		failed = true;
		wanted(r, op, want, sizeof(want));
		snprintf(extra, sizeof(extra), "  FAILED: expected %s%s", want,
			 uncounted);
	}
	r->failed += failed && !uncounted[0];
	if (r->o->quiet && !failed_here && !extra[0])
		return;
	if (op_is_check(op))
		echo(r, op, failed_here ? "differs" : "same",
		     extra[0] ? extra : r->o->cfg.partial ?
		     " (partial: present pages)" : "");
	else
		echo(r, op, trace_result_name(op->kind, c->model_res, name),
		     extra);
}

/* the summary's note on expectations the model and the kernel both broke */
static const char *failed_note(const struct run *r, char *buf, size_t len)
{
	if (!r->failed)
		return "";
	snprintf(buf, len, "; %u of the trace's expectations failed on both",
		 r->failed);
	return buf;
}

/* The summary and exit status of a comparison that ran to its end. */
static int compare_outcome(struct run *r, struct kcompare *c, uint32_t ops)
{
	char note[96];

	if (c->diverged) {
		r->tally->differ++;
		kcompare_print_divergence(c, stdout);
		kcompare_print_views(c, stdout);
		printf("%u ops compared: 1 divergence%s\n", ops,
		       partial_note(r->o));
		return RUN_FAILED;
	}
	if (c->flaky) {
		r->tally->flaky++;
		kcompare_print_divergence(c, stdout);
		printf("%u ops compared: flaky (differed once, agreed when run "
		       "again)%s%s\n", ops, failed_note(r, note, sizeof(note)),
		       partial_note(r->o));
		return r->failed ? RUN_FAILED : RUN_OK;
	}
	if (c->stopped && c->not_compared) {
		r->tally->stopped++;
		fprintf(stderr, "%s:%u: %s\n", r->path,
			r->s.ops[c->stop_index].line, c->stop_note);
		printf("%u ops compared: not compared after line %u: %s%s%s\n",
		       ops, r->s.ops[c->stop_index].line, c->stop_note,
		       failed_note(r, note, sizeof(note)), partial_note(r->o));
		return r->failed ? RUN_FAILED : RUN_STOPPED;
	}
	if (c->stopped) {
		r->tally->stopped++;
		fprintf(stderr, "%s:%u: %s not run on the kernel: %s\n", r->path,
			r->s.ops[c->stop_index].line,
			op_kind_name(r->s.ops[c->stop_index].kind), c->stop_note);
		printf("%u ops compared: stopped at line %u (%s not run on the "
		       "kernel)%s%s\n", ops, r->s.ops[c->stop_index].line,
		       op_kind_name(r->s.ops[c->stop_index].kind),
		       failed_note(r, note, sizeof(note)), partial_note(r->o));
		return r->failed ? RUN_FAILED : RUN_STOPPED;
	}
	r->tally->agree++;
	printf("%u ops compared: the model and the kernel agree%s%s\n", ops,
	       failed_note(r, note, sizeof(note)), partial_note(r->o));
	return r->failed ? RUN_FAILED : RUN_OK;
}

/* op by op, each line echoed: the first op that differs is named */
static int compare_ops(struct run *r)
{
	/* --fast: kcompare_stream's sampled pass (and its op-by-op rerun) */
	struct kcompare_config cfg = { r->o->cfg, !r->o->fast };
	struct kcompare c;
	char why[256];
	uint32_t i, ops = 0;
	int err, rc;

	/*
	 * A host that forbids the zero page runs the model without it too
	 * (kcompare): a trace written for Linux's zero page can fail its
	 * expectations on both, which says nothing of the trace.  Shown, not
	 * counted (kernel_vs_model_test confirms those traces with the model
	 * run --no-zero-page), when the trace reads: only a read fault maps
	 * the zero page (do_anonymous_page()).
	 */
	for (i = 0; i < r->s.nops && kworld_host_zero_page() == 0; i++)
		r->expect_uncounted |= r->s.ops[i].kind == OP_READ;

	if (r->o->fast)
		err = kcompare_stream(&c, &r->s, &cfg, why, sizeof(why));
	else
		err = kcompare_start(&c, &r->s, &cfg, why, sizeof(why));
	for (i = 0; !err && !r->o->fast && i < r->s.nops; i++) {
		err = kcompare_step(&c, i);
		if (!err && (!(c.stopped && c.stop_index == i) ||
			     c.not_compared))
			echo_compared(r, &c, i);
		if (c.diverged || c.stopped)
			break;
	}
	if (!err && !r->o->fast)
		err = kcompare_finish(&c);
	/* seen twice, or flaky (--fast: kcompare_stream did it) */
	if (!err && !r->o->fast && c.diverged)
		kcompare_confirm(&c, false);
	if (err) {
		fflush(stdout);
		fprintf(stderr, "%s: kernel runner: %s\n", r->path,
			c.kernel && kworld_error(c.kernel)[0] ?
			kworld_error(c.kernel) : why);
		kcompare_stop(&c);
		return RUN_BAD_INPUT;
	}
	for (uint32_t j = 0; j < r->s.nops; j++)
		ops += !op_is_check(&r->s.ops[j]) &&
		       (!c.stopped || j < c.stop_index ||
			(c.not_compared && j == c.stop_index)) &&
		       (!c.diverged || j <= c.div.op_index);
	if (r->o->fast && c.diverged)
		echo_compared(r, &c, c.div.op_index < r->s.nops ?
			      c.div.op_index : r->s.nops - 1);
	rc = compare_outcome(r, &c, ops);
	kcompare_stop(&c);
	return rc;
}

static int run_file(const char *path, const struct opts *o,
		    struct tally *tally)
{
	struct run r = { .o = o, .path = path, .tally = tally };
	struct trace_error perr;
	size_t len = 0;
	char *text = read_whole_file(path, &len), msg[512];
	int rc = RUN_BAD_INPUT;

	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		return RUN_BAD_INPUT;
	}
	if (op_stream_init(&r.s) || trace_lines_init(&r.lines, text, len)) {
		fprintf(stderr, "%s: out of memory\n", path);
	} else if (trace_parse(path, text, len, &r.s, &perr)) {
		trace_error_format(&perr, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
	} else {
		rc = o->compare ? compare_ops(&r) : run_ops(&r);
	}
	kworld_stop(r.k);
	sharing_free(&r.snap);
	trace_lines_free(&r.lines);
	op_stream_free(&r.s);
	free(text);
	return rc;
}

/* Ctrl-C, kill, hangup: no worker outlives us */
static void on_signal(int sig)
{
	kworld_kill_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void setup_process(void)
{
	struct rlimit rl;

	/* orphaned workers (their trace parent exited) are ours to reap */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	/* three fds per worker: traces with hundreds of processes */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* "0x10000-0x7fe00000" into cfg's window.  0 or -1. */
static int parse_window(const char *arg, struct kworld_config *cfg)
{
	char *end;
	unsigned long long lo = strtoull(arg, &end, 0), hi;

	if (*end != '-')
		return -1;
	hi = strtoull(end + 1, &end, 0);
	if (*end || lo >= hi || (lo | hi) & 0xfff || lo < 0x1000)
		return -1;
	cfg->win_lo = lo;
	cfg->win_hi = hi;
	return 0;
}

static const char usage[] =
	"usage: ./rmapfuzz kernel [--quiet] [--timeout S] [--window LO-HI] FILE.rmt...\n"
	"       ./rmapfuzz kernel --compare [--fast] [--quiet] ... FILE.rmt...\n"
	"       ./rmapfuzz kernel --check-host\n"
	"       ./rmapfuzz kernel --partial [--compare] ... FILE.rmt...  (no root)\n"
	"\n"
	"Runs each trace (shared/spec/trace-format.md) on the host kernel: every\n"
	"trace process a real process, every op the real system call, sharing\n"
	"read from /proc/PID/pagemap (needs root).  Prints what `./rmapfuzz run`\n"
	"prints for the trace.  migrate, pageout and age print \"skip\".\n"
	"\n"
	"  --quiet          print only failing lines, dumps, summaries\n"
	"  --timeout S      give up when a worker takes longer for one op (10)\n"
	"  --window LO-HI   the address window trace memory lives in\n"
	"                   (default 0x10000-0x7fe00000)\n"
	"  --check-host     exit 0 when this host can run traces, else say why, 2;\n"
	"                   prints whether a read fault maps the zero page\n"
	"                   (\"zero page: yes|no\")\n"
	"  --compare        run the model (obj) and the kernel side by side and\n"
	"                   report the first op whose result or sharing differs\n"
	"                   (signature kernel:OP:result or kernel:OP:sharing);\n"
	"                   exit 1 on a difference, 3 when an op could not run\n"
	"                   on the kernel (compared up to it).  A difference\n"
	"                   is run again op by op to be seen twice: a sharing\n"
	"                   difference not seen again is \"flaky\", counted in\n"
	"                   the summary, not a divergence\n"
	"  --max-flaky P    with --compare: exit 1 when more than P percent of\n"
	"                   the files compared were flaky (default %u: one\n"
	"                   flaky file of fewer than 100 is more)\n"
	"  --fast           with --compare: the sharing compared at check lines,\n"
	"                   every 16 ops and at the end; on a difference the\n"
	"                   trace runs again op by op to name the first op\n"
	"                   (the trace's own expectations are not checked)\n"
	"  --partial        without root (no frame numbers in pagemap): results\n"
	"                   in full, sharing only as which pages are present;\n"
	"                   dumps and expect-map/same/diff (expect-zero without\n"
	"                   /proc/kpageflags) print \"partial: ...\", unchecked\n"
	"\n"
	"Exit status: 0 all expectations held, 1 otherwise, 2 a file could not be\n"
	"read or parsed, or the host kernel could not run it.  --compare: 0 they\n"
	"agree (and the trace's => RESULT and expect-* lines hold where they\n"
	"do), 1 a divergence, an expectation both broke or too many flaky\n"
	"files, 3 an op not run.\n";

static void print_usage(FILE *f)
{
	fprintf(f, usage, KCOMPARE_FLAKY_MAX_PERCENT);
}

/*
 * The options into O and *CHECK_ONLY, the files moved to argv[1..]: how
 * many files, or -1 with the exit status in *RC (a bad option, --help).
 */
static int parse_args(int argc, char **argv, struct opts *o, bool *check_only,
		      int *rc)
{
	bool options = true;
	int nfiles = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!options || a[0] != '-' || !strcmp(a, "-")) {
			argv[1 + nfiles++] = argv[i];
		} else if (!strcmp(a, "--")) {
			options = false;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "--compare")) {
			o->compare = true;
		} else if (!strcmp(a, "--partial")) {
			o->partial = true;
		} else if (!strcmp(a, "--fast")) {
			o->fast = true;
		} else if (!strcmp(a, "--check-host")) {
			*check_only = true;
		} else if (!strcmp(a, "--window") && i + 1 < argc) {
			if (parse_window(argv[++i], &o->cfg)) {
				fprintf(stderr, "kernel_run: --window wants "
					"0xLO-0xHI, page-aligned, LO < HI\n");
				*rc = RUN_BAD_INPUT;
				return -1;
			}
		} else if (!strcmp(a, "--max-flaky") && i + 1 < argc) {
			char *end;
			unsigned long p = strtoul(argv[++i], &end, 10);

			if (!*argv[i] || *end || p > 100) {
				fprintf(stderr, "kernel_run: --max-flaky wants a "
					"percentage, 0 to 100\n");
				*rc = RUN_BAD_INPUT;
				return -1;
			}
			o->max_flaky = (unsigned)p;
		} else if (!strcmp(a, "--timeout") && i + 1 < argc &&
			   atoi(argv[i + 1]) > 0) {
			o->cfg.op_timeout_ms = atoi(argv[++i]) * 1000;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			print_usage(stdout);
			*rc = 0;
			return -1;
		} else {
			fprintf(stderr, "kernel_run: unknown option '%s'\n",
				a);
			print_usage(stderr);
			*rc = RUN_BAD_INPUT;
			return -1;
		}
	}
	return nfiles;
}

/*
 * Can this host run what O asks?  Without frame numbers, --partial sets
 * o->cfg.partial and says so first thing; without it, the message names
 * --partial.  0, or -1 after the message.
 */
static int host_check(struct opts *o)
{
	char why[256], partial_why[256];
	bool full = !kworld_host_check(why, sizeof(why));
	bool partial = !kworld_host_check_partial(partial_why,
						  sizeof(partial_why));

	if (full) {
		o->cfg.partial = o->partial;    /* asked for: reduce anyway */
	} else if (o->partial && partial) {
		o->cfg.partial = true;
	} else {
		fprintf(stderr, "kernel_run: this host cannot run the kernel "
			"world: %s\n", why);
		if (partial)
			fprintf(stderr, "kernel_run: --partial compares what "
				"pagemap shows without root (which pages are "
				"present), and says that it is partial\n");
		else
			fprintf(stderr, "kernel_run: nor the partial "
				"comparison: %s\n", partial_why);
		return -1;
	}
	if (o->cfg.partial)
		printf("PARTIAL comparison, not full (%s): results are "
		       "checked in full, the sharing only as which pages are "
		       "present; dumps and expect-* lines that need frame "
		       "identity are not checked\n",
		       full ? "--partial asked for" : why);
	return 0;
}

/*
 * --compare: the files summed up (more than one file), the flaky ones
 * against --max-flaky, and the exit status RC raised to 1 over it.
 */
static int flaky_summary(const struct opts *o, const struct tally *t,
			 int nfiles, int rc)
{
	unsigned compared = t->agree + t->differ + t->stopped + t->flaky;
	bool over = kcompare_flaky_over(t->flaky, compared, o->max_flaky);

	if (nfiles > 1)
		printf("%u files compared: %u agree, %u differ, %u stopped "
		       "early, %u flaky%s\n", compared, t->agree, t->differ,
		       t->stopped, t->flaky, partial_note(o));
	if (!over)
		return rc;
	printf("FAILED: %u flaky of %u files compared is more than %u%% "
	       "(--max-flaky)\n", t->flaky, compared, o->max_flaky);
	return rc > RUN_FAILED ? rc : RUN_FAILED;
}

int main(int argc, char **argv)
{
	struct opts o = { .max_flaky = KCOMPARE_FLAKY_MAX_PERCENT };
	struct tally t = { 0 };
	int rc = RUN_OK, nfiles;
	bool check_only = false;

	nfiles = parse_args(argc, argv, &o, &check_only, &rc);
	if (nfiles < 0)
		return rc;
	if (nfiles < 1 && !check_only) {
		print_usage(stderr);
		return RUN_BAD_INPUT;
	}
	if (host_check(&o))
		return RUN_BAD_INPUT;
	if (check_only) {
		/* what a model run needs to match this host */
		int zero = kworld_host_zero_page();

		printf("zero page: %s\n", zero > 0 ? "yes" : zero == 0 ?
		       "no (a read fault maps a fresh page: "
		       "mm_forbids_zeropage; compare with run --no-zero-page)" :
		       "unknown");
		return 0;
	}
	setup_process();
	for (int i = 1; i <= nfiles; i++) {
		int r;

		if (nfiles > 1)
			printf("==> %s\n", argv[i]);
		fflush(stdout);
		r = run_file(argv[i], &o, &t);
		fflush(stdout);
		if (r > rc)
			rc = r;
	}
	if (o.compare)
		rc = flaky_summary(&o, &t, nfiles, rc);
	return rc;
}
