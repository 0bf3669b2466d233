/*
 * diff_run.h - one op stream through the two backends in lockstep, with the
 * configuration every fuzzing tool shares (the fuzz target, minimize,
 * repro), and the signature of what it finds, so that a finding of one is
 * filed under the same signature by the others and by the campaign
 * (tools/fuzz_campaign.sh asks `repro --signature`).
 *
 * A signature is one token: "check:op:backend" for a divergence (the
 * lockstep's, oracle/lockstep.h), else read off a crash's output (see
 * crash_signature).
 */
#ifndef RMAP_FUZZ_DIFF_RUN_H
#define RMAP_FUZZ_DIFF_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz/trace/trace.h"
#include "oracle/lockstep.h"

/* Simulated memory of a fuzzed world: small, so exhaustion is reachable. */
#define FUZZ_MAX_FRAMES 4096

/* Room for a signature, its NUL included: the lockstep's own field. */
#define SIGNATURE_SIZE sizeof(((struct divergence *)0)->signature)

/* How the target and repro print a divergence's signature, on one line. */
#define SIGNATURE_LINE "DIVERGENCE SIGNATURE: "

/*
 * Run S on obj and ptechain in lockstep, fast mode or every check after
 * every op (lockstep.h), then every check on every frame.  Returns 1 on a
 * divergence with LS still set up (the caller reads ls->div, then calls
 * lockstep_fini), 0 when none (LS already finished), -1 out of memory.
 * RES (may be NULL) gets each op's result, *NRUN how many ran.
 */
int diff_run(const struct op_stream *s, bool fast, struct lockstep *ls,
	     int *res, uint32_t *nrun);

/*
 * The same on worlds made once and reset for every stream (the fuzz
 * target's, so an input allocates nothing): diff_init makes LS (0 or
 * -ENOMEM), diff_run_again resets it and runs S on it, returning 1 on a
 * divergence (ls->div), 0 when none, and LS stays made either way: the
 * caller calls lockstep_fini when done with it.  A stream run this way
 * gives the results and signature it gives on new worlds (diff_run).
 */
int diff_init(struct lockstep *ls);
int diff_run_again(struct lockstep *ls, const struct op_stream *s, bool fast,
		   int *res, uint32_t *nrun);

/*
 * The signature of S's first divergence into SIG, as full mode finds it;
 * "" when S does not diverge.  S runs in a child process, so that a crash
 * (a core BUG_ON, a sanitizer report) and, where LeakSanitizer is built
 * in, a leak are findings too, as they are for the fuzz target: their
 * signature is read off what the child printed (crash_signature).  0, or
 * -1 when no child could be made.
 */
int diff_signature_isolated(const struct op_stream *s,
			    char sig[SIGNATURE_SIZE]);

/*
 * The machinery of diff_signature_isolated: RUN(ARG, SIG) in a child,
 * which fills SIG ("" for no finding) or returns -1 (out of memory), then
 * the leak check.  Into SIG: what RUN found, else the crash's signature,
 * else "".  0, or -1 when no child could be made.
 */
int signature_in_child(int (*run)(void *arg, char *sig), void *arg,
		       char sig[SIGNATURE_SIZE]);

/*
 * The signature in a failing run's output TEXT, the one function that
 * reads signatures off text: the SIGNATURE_LINE of the target or repro,
 * else "bug:FILE:LINE" for a core BUG_ON, "asan:KIND", "leak:KIND",
 * "ubsan:FILE:LINE:COL" for sanitizer reports, else "crash".
 */
void crash_signature(const char *text, char sig[SIGNATURE_SIZE]);

#endif /* RMAP_FUZZ_DIFF_RUN_H */
