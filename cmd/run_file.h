/*
 * run_file.h - execute one .rmt file the way `./rmapfuzz run` does and print
 * what `./rmapfuzz kernel` prints for it on the host kernel, plus what only a simulator
 * can see (invariants, rmap walks that disagree with the page tables).
 */
#ifndef RMAP_CMD_RUN_FILE_H
#define RMAP_CMD_RUN_FILE_H

#include <stdbool.h>
#include <stdio.h>

struct op_stream;
struct rmap_ops;

/* backends one run puts in lockstep (each world costs its memory) */
#define RUN_MAX_BACKENDS 3

struct run_opts {
	bool quiet;           /* only failing lines, dumps and the summary */
	bool invariants;      /* check oracle/invariants.h after every op */
	bool check_all;       /* walk-check every mapped frame after every op */
	bool stats;           /* print each backend's walk statistics */
	/* the backends run side by side (lockstep); none: obj and ptechain */
	const struct rmap_ops *backends[RUN_MAX_BACKENDS];
	unsigned nbackends;
	uint64_t max_frames;  /* simulated memory per world; 0: the default */
	bool no_zero_page;    /* world_config.no_zero_page (core/world.h) */
	/* if set, receives the first divergence's signature (as large as
	 * struct divergence's, oracle/lockstep.h) */
	char *first_signature;
	bool stop_at_first;   /* stop after the first divergence or failure */
	bool sign_events;     /* walk-check every frame after every rmap event
	                       * (oracle/lockstep.h: signing mode) */
	/* if set (RUN_OP_TEXT bytes), holds the op about to run, as echoed:
	 * what run_file_isolated shows when the op crashed */
	char *current_op;
	/* if set (RUN_REPORT_TEXT bytes), holds a divergence found inside the
	 * op under way, printed under the op once it is echoed, or under its
	 * CRASH line when the op crashed (run_isolated) */
	char *pending_report;
};

#define RUN_OP_TEXT 600
#define RUN_REPORT_TEXT 1400

/* Exit statuses of rmt_run, worst last. */
enum { RUN_OK = 0, RUN_FAILED = 1, RUN_BAD_INPUT = 2 };

/*
 * Run the trace in PATH: results and reports to OUT, input errors ("cannot
 * read", parse errors) to ERR.  Returns RUN_OK, RUN_FAILED (an expectation
 * failed or a divergence was found) or RUN_BAD_INPUT (unreadable or
 * unparseable file, or no memory to run it).
 */
int run_file(const char *path, const struct run_opts *o, FILE *out,
	     FILE *err);
/*
 * The same for the op stream S, named PATH in messages, without its text:
 * each op is echoed as trace_print prints it, op I on line I + 1.
 */
int run_stream(const char *path, const struct op_stream *s,
	       const struct run_opts *o, FILE *out, FILE *err);

/*
 * run_file, or run_stream when S is not NULL, in a child process, so that a
 * crash (a core BUG_ON, a sanitizer report) cannot take the output with
 * it: what ran is printed, then the op that crashed and its signature
 * (fuzz/diff_run.h: crash_signature), "   L <op> -> CRASH" and
 * "     CRASH [SIG]: ..." , and RUN_FAILED is returned.  SIG (may be NULL)
 * gets the crash's signature, "" when it did not crash.
 */
int run_isolated(const char *path, const struct op_stream *s,
		 const struct run_opts *o, FILE *out, FILE *err, char *sig);

#endif /* RMAP_CMD_RUN_FILE_H */
