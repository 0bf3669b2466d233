/*
 * kernel_diff_fuzz.c - kernel-differential fuzz target: the model against
 * the host kernel (`./rmapfuzz fuzz --engine kernel`, needs root).
 *
 * Oracle: the input decodes (kernel/kfuzz_input.h: the project's decoder,
 * addresses folded into the kernel runner's window, ops the kernel cannot
 * run dropped) into a stream that runs on the model (obj) and on the host
 * kernel side by side (kernel/kcompare.h, fast: results after every op,
 * the sharing structure every 16 ops and at the end; on a difference the
 * stream runs again op by op to name the first op).  A difference is a
 * model bug: the report is printed and the target aborts:
 *
 *	==== kernel_diff_fuzz: the model and the kernel differ; the trace
 *	     follows, op I on its line I + 1 ====
 *	<the trace as trace_print prints it>
 *	DIVERGENCE SIGNATURE: kernel:OP:result|sharing
 *	     DIVERGENCE [kernel:OP:...]: <both views> (after line N)
 *	     model: / kernel: <both dumps>
 *
 * `kernel_repro FILE` (kernel/) replays an input the same way.  A runner
 * failure (a worker timed out or died) is not the model's: it is printed
 * and the input passes, as does a difference the op-by-op rerun does not
 * show again (flaky, kcompare.h).  Without root the target says why and
 * exits 2.
 *
 * Injected bugs (bugs/bugs.h), in a --config=bugs build: RMAP_BUG=NAME
 * switches bug NAME on in the model, RMAP_BUG_CANARIES=FILE keeps its
 * canaries, as in rmap_diff_fuzz.c: the kernel-only bugs, which only this
 * target can see (`./rmapfuzz bugbench --engine kernel`).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "bugs/bugs.h"
#include "build_defs/fuzz_entry.h"
#include "fuzz/diff_run.h"
#include "fuzz/trace/trace.h"
#include "kernel/kcompare.h"
#include "kernel/kfuzz_input.h"
#include "kernel/kworld.h"

static void print_canaries(void)
{
	bug_canaries_print(stderr, false);
}

static void on_signal(int sig)
{
	kworld_kill_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[256];

	if (kworld_host_check(why, sizeof(why))) {
		fprintf(stderr, "kernel_diff_fuzz: this host cannot run the kernel "
			"world: %s\n", why);
		exit(2);
	}
	if (bug_setup_from_env())
		exit(2);
	if (bug_enabled() >= 0)
		atexit(print_canaries);
	/* workers whose trace parent exited are ours to reap */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	return 0;
}

static void report(const struct op_stream *s, const struct kcompare *c)
{
	fprintf(stderr, "==== kernel_diff_fuzz: the model and the kernel differ; "
		"the trace follows, op I on its line I + 1 ====\n");
	trace_print(stderr, s);
	fprintf(stderr, SIGNATURE_LINE "%s\n", c->div.signature);
	kcompare_print_divergence(c, stderr);
	kcompare_print_views(c, stderr);
	bug_canaries_print(stderr, false);
	fflush(stderr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kcompare_config cfg = { { 0 }, false };
	struct op_stream s;
	struct kcompare c;
	char why[256] = "";
	int err;

	if (op_stream_init(&s))
		return 0;
	if (kfuzz_decode(data, size, &s) || s.nops == 0)
		goto out;
	err = kcompare_stream(&c, &s, &cfg, why, sizeof(why));
	if (err) {
		fprintf(stderr, "kernel_diff_fuzz: kernel runner: %s\n", why);
		if (c.model)
			kcompare_stop(&c);
		goto out;
	}
	if (c.diverged) {
		report(&s, &c);
		abort();
	}
	if (c.flaky)
		fprintf(stderr, "kernel_diff_fuzz: a difference not seen again "
			"(flaky): %s\n", c.div.signature);
	kcompare_stop(&c);
out:
	op_stream_free(&s);
	return 0;
}
