/*
 * diff_run.h - one op stream through the two backends in lockstep, with the
 * configuration every fuzzing tool shares (the fuzz target, minimize,
 * repro), so a signature found by one is the signature the others see.
 */
#ifndef RMAP_FUZZ_DIFF_RUN_H
#define RMAP_FUZZ_DIFF_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/op.h"
#include "oracle/lockstep.h"

/* Simulated memory of a fuzzed world: small, so exhaustion is reachable. */
#define FUZZ_MAX_FRAMES 4096

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
 * The signature of S's first divergence into SIG (96 bytes), as full mode
 * finds it; "" when S does not diverge.  0, or -1 out of memory.
 */
int diff_signature(const struct op_stream *s, char *sig);

/*
 * The same, in a child process, so a crash (a core BUG_ON, a sanitizer
 * report) is a finding too: its signature is then read off what the child
 * printed (crash_signature).  0, or -1 when no child could be made.
 */
int diff_signature_isolated(const struct op_stream *s, char *sig);

/*
 * The signature in a failing run's stderr TEXT: the target's own
 * "DIVERGENCE SIGNATURE: ..." line, else "bug:FILE:LINE" for a core
 * BUG_ON, "asan:KIND" / "ubsan:FILE:LINE" for sanitizer reports, else
 * "crash".  Into SIG (96 bytes).
 */
void crash_signature(const char *text, char *sig);

#endif /* RMAP_FUZZ_DIFF_RUN_H */
