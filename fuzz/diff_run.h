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

#include "trace/trace.h"
#include "oracle/lockstep.h"

/* Simulated memory of a fuzzed world: small, so exhaustion is reachable. */
#define FUZZ_MAX_FRAMES 4096

/* Room for a signature, its NUL included: the lockstep's own field. */
#define SIGNATURE_SIZE sizeof(((struct divergence *)0)->signature)

/* How the target and repro print a divergence's signature, on one line. */
#define SIGNATURE_LINE "DIVERGENCE SIGNATURE: "

/*
 * How much diff_run checks (oracle/lockstep.h): fast mode, every check
 * after every op (full), or full plus every frame after every rmap event
 * (sign: what names a finding by the event that caused it).
 */
enum diff_mode { DIFF_FAST, DIFF_FULL, DIFF_SIGN };

/*
 * Run S on obj and ptechain in lockstep in MODE, then every check on every
 * frame.  Returns 1 on a
 * divergence with LS still set up (the caller reads ls->div, then calls
 * lockstep_fini), 0 when none (LS already finished), -1 out of memory.
 * RES (may be NULL) gets each op's result, *NRUN how many ran.
 */
int diff_run(const struct op_stream *s, enum diff_mode mode,
	     struct lockstep *ls, int *res, uint32_t *nrun);

/*
 * The same on worlds made once and reset for every stream (the fuzz
 * target's, so an input allocates nothing): diff_init makes LS (0 or
 * -ENOMEM), diff_run_again resets it and runs S on it, returning 1 on a
 * divergence (ls->div), 0 when none, and LS stays made either way: the
 * caller calls lockstep_fini when done with it.  A stream run this way
 * gives the results and signature it gives on new worlds (diff_run).
 */
int diff_init(struct lockstep *ls);
int diff_run_again(struct lockstep *ls, const struct op_stream *s,
		   enum diff_mode mode, int *res, uint32_t *nrun);

/*
 * The signature of S's first finding into SIG, as signing mode finds it
 * (a divergence after an rmap event, else after an op, else a crash);
 * "" when S has none.  S runs in a child process, so that a crash
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
 * else by where it crashed: "bug:FILE:LINE" for a core BUG_ON,
 * "asan:KIND:FUNCTION" and "leak:KIND:FUNCTION" (the top frame of the
 * report's stack outside the allocator), "ubsan:FILE:LINE:COL", the
 * engines' "timeout" and "oom", else "crash".
 */
void crash_signature(const char *text, char sig[SIGNATURE_SIZE]);

/*
 * RUN(ARG) in a child process that shares our stdout; its stderr is copied
 * to ours.  Returns what RUN returned (its exit status, 0..255), or -1 when
 * it crashed (SIG then holds the crash's signature), or -2 when no child
 * could be made.  Lets run and repro show what came before a core BUG_ON
 * or a sanitizer report and go on with the next file.
 */
int run_in_child(int (*run)(void *arg), void *arg, char sig[SIGNATURE_SIZE]);

#endif /* RMAP_FUZZ_DIFF_RUN_H */
