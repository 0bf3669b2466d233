/*
 * rmap_diff_fuzz.c - differential fuzz target: the object-based rmap (obj)
 * against the PTE-chain rmap (ptechain).
 *
 * Oracle: one decoded op stream (codec.h) runs in lockstep on a world per
 * backend (oracle/lockstep.h), in its fast mode: after every op both worlds
 * must return the same result and write the same page-table entries, and
 * every frame those writes touched must be found by both rmap walks at the
 * same places, as many as its mapcount; at the end of the stream every
 * check runs on every frame (page-table scan, invariants, page tables, all
 * walks).  When that finds a divergence, the stream is run again with every
 * check after every op (as `./rmapfuzz run` does), so the report names the
 * first op that diverges and its signature is the one `./rmapfuzz repro`
 * gives.  The report is printed and the target aborts:
 *
 *	==== rmap_diff_fuzz: divergence; the trace follows, op I on its line I + 1 ====
 *	<the trace as trace_print prints it: op I on line I + 1, each line
 *	 followed by "  # -> RESULT" (obj's), "  # not run" after the op>
 *	DIVERGENCE SIGNATURE: check:op:backend
 *	op index: I
 *	trace line: I + 1
 *	op: <the op's line>
 *	check: result|invariant-...|pgtable|walk
 *	backend: obj|ptechain|all
 *	detail: <what each side saw>
 *
 * The printed trace parses as it is (the results are comments), so
 * `./rmapfuzz run` can replay it.  Worlds are small (FUZZ_MAX_FRAMES),
 * made once and reset for every input (diff_run_again), the op stream
 * emptied: nothing of an input carries over to the next, and an input makes
 * no host allocation once the arenas and the checker's buffers have grown
 * to what the inputs need.
 *
 * Injected bugs (bugs/bugs.h), in a --config=bugs build: RMAP_BUG=NAME
 * switches bug NAME on, RMAP_BUG_CANARIES=FILE keeps its canaries in FILE
 * (every process of a campaign adds to it; bug_canaries_read reads it).
 * With RMAP_BUG set, the report and the end of the process print
 *
 *	canary NAME reached=R triggered=T
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bugs/bugs.h"
#include "build_defs/fuzz_entry.h"
#include "core/world.h"
#include "trace/codec.h"
#include "fuzz/diff_run.h"
#include "fuzz/race_feedback.h"
#include "trace/trace.h"
#include "oracle/lockstep.h"

/* The trace, one op a line, with the results of the ops that ran. */
static void print_trace(FILE *f, const struct op_stream *s, const int *res,
			uint32_t nrun)
{
	char line[512], name[32];

	for (uint32_t i = 0; i < s->nops; i++) {
		if (trace_print_op(s, &s->ops[i], line, sizeof(line)) < 0)
			snprintf(line, sizeof(line), "# unprintable op %u", i);
		if (i < nrun)
			fprintf(f, "%s  # -> %s\n", line,
				trace_result_name(s->ops[i].kind, res[i], name));
		else
			fprintf(f, "%s  # not run\n", line);
	}
}

static void report(const struct op_stream *s, const struct lockstep *ls,
		   const int *res, uint32_t nrun)
{
	const struct divergence *d = &ls->div;
	char line[512] = "(none)";

	if (d->op_index < s->nops)
		trace_print_op(s, &s->ops[d->op_index], line, sizeof(line));
	fprintf(stderr, "==== rmap_diff_fuzz: divergence; the trace follows, "
		"op I on its line I + 1 ====\n");
	print_trace(stderr, s, res, nrun);
	fprintf(stderr, SIGNATURE_LINE "%s\n", d->signature);
	fprintf(stderr, "op index: %u\n", d->op_index);
	fprintf(stderr, "trace line: %u\n", d->op_index + 1);
	fprintf(stderr, "op: %s\n", line);
	fprintf(stderr, "check: %s\n", d->check);
	fprintf(stderr, "backend: %s\n", d->backend);
	fprintf(stderr, "detail: %s\n", d->detail);
	bug_canaries_print(stderr, false);
	fflush(stderr);
}

/*
 * What is kept from input to input, made once (LLVMFuzzerInitialize) at
 * its full size: results for as many ops as the decoder makes.  Nothing of
 * it grows with the inputs seen, so an input takes the same path in the
 * target whatever ran before it.
 */
static struct {
	bool ready;
	struct lockstep ls;          /* reset by diff_run_again */
	struct op_stream s;          /* emptied by op_stream_reset */
	int *res;                    /* each op's result */
} keep;

#define MAX_OPS (DECODE_LIMITS_DEFAULT.max_ops)

/* 0, or -ENOMEM (then nothing is made) */
static int keep_make(void)
{
	keep.res = calloc(MAX_OPS, sizeof(*keep.res));
	if (!keep.res)
		return -ENOMEM;
	if (diff_init(&keep.ls)) {
		free(keep.res);
		return -ENOMEM;
	}
	if (op_stream_init(&keep.s)) {
		lockstep_fini(&keep.ls);
		free(keep.res);
		return -ENOMEM;
	}
	/* RMAP_NO_RACE_FEEDBACK=1: without it, to measure what it adds */
	if (!getenv("RMAP_NO_RACE_FEEDBACK"))
		race_feedback_install(&keep.ls);
	keep.ready = true;
	return 0;
}

static void print_canaries(void)
{
	bug_canaries_print(stderr, false);
}

/*
 * The injected bug of RMAP_BUG, if any, its canaries printed at exit; and
 * what is kept from input to input.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (bug_setup_from_env())
		exit(2);
	if (bug_enabled() >= 0)
		atexit(print_canaries);
	keep_make();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct op_stream *s = &keep.s;
	struct lockstep full;
	uint32_t nrun;

	if ((!keep.ready && keep_make()) || op_stream_reset(s))
		return 0;
	if (decode_ops(data, size, NULL, s) || s->nops == 0)
		return 0;
	if (diff_run_again(&keep.ls, s, DIFF_FAST, keep.res, &nrun) != 1)
		return 0;
	/*
	 * found: again with every frame checked after every rmap event and
	 * every check after every op, to name the event and op that caused it
	 */
	if (diff_run(s, DIFF_SIGN, &full, keep.res, &nrun) != 1) {
		report(s, &keep.ls, keep.res, nrun);
		fprintf(stderr, "rmap_diff_fuzz: the fast checks diverged (above), "
			"the full checks did not: a checker bug\n");
		abort();
	}
	report(s, &full, keep.res, nrun);
	abort();
}
