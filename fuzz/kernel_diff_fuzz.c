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
 * show again (flaky, kcompare.h), which is counted: at exit the target
 * says, as libFuzzer's -print_final_stats does,
 *
 *	stat::kernel_compared_inputs:  N   (a stopped one up to its stop)
 *	stat::kernel_flaky_inputs:     F
 *
 * and with RMAP_KERNEL_FLAKY_LOG=FILE appends one line per flaky input to
 * FILE ("flaky SIGNATURE"), which every process of a -fork campaign
 * shares: tools/fuzz_campaign.sh counts them in its progress and fails the
 * campaign above its --max-flaky.  Without root the target says why and
 * exits 2.
 *
 * Injected bugs (bugs/bugs.h), in a --config=bugs build: RMAP_BUG=NAME
 * switches bug NAME on in the model, RMAP_BUG_CANARIES=FILE keeps its
 * canaries, as in rmap_diff_fuzz.c: the kernel-only bugs, which only this
 * target can see (`./rmapfuzz bugbench --engine kernel`).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bugs/bugs.h"
#include "build_defs/fuzz_entry.h"
#include "fuzz/diff_run.h"
#include "trace/trace.h"
#include "kernel/kcompare.h"
#include "kernel/kfuzz_input.h"
#include "kernel/kworld.h"

static void print_canaries(void)
{
	bug_canaries_print(stderr, false);
}

/* inputs compared (a stopped one up to its stop), the flaky ones */
static unsigned long n_compared, n_flaky;
static int flaky_log = -1;      /* RMAP_KERNEL_FLAKY_LOG, or -1 */

static void print_stats(void)
{
	fprintf(stderr, "stat::kernel_compared_inputs:  %lu\n"
		"stat::kernel_flaky_inputs:     %lu\n", n_compared, n_flaky);
}

/* one line per flaky input, in one write (O_APPEND: -fork jobs share it) */
static void log_flaky(const struct kcompare *c)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "flaky %s\n", c->div.signature);

	if (flaky_log >= 0 && n > 0 && write(flaky_log, line, (size_t)n) != n)
		fprintf(stderr, "kernel_diff_fuzz: RMAP_KERNEL_FLAKY_LOG: "
			"short write\n");
}

static void on_signal(int sig)
{
	kworld_kill_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path;
	char why[256];

	if (kworld_host_check(why, sizeof(why))) {
		fprintf(stderr, "kernel_diff_fuzz: this host cannot run the kernel "
			"world: %s\n", why);
		exit(2);
	}
	if (bug_setup_from_env())
		exit(2);
	path = getenv("RMAP_KERNEL_FLAKY_LOG");
	if (path && path[0]) {
		flaky_log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
				 0644);
		if (flaky_log < 0) {
			fprintf(stderr, "kernel_diff_fuzz: RMAP_KERNEL_FLAKY_LOG"
				"=%s: %s\n", path, strerror(errno));
			exit(2);
		}
	}
	atexit(print_stats);
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
	/*
	 * Another job's world that holds the KSM lock runs ksm-scans of
	 * seconds each: waited for, they were this input's libFuzzer timeout
	 * (two campaigns beside a kernel bugbench filed such timeouts); past
	 * 3 s the input stops at that op, not run, as for any op the host
	 * cannot run
	 */
	cfg.kworld.ksm_wait_ms = 3000;
	err = kcompare_stream(&c, &s, &cfg, why, sizeof(why));
	if (err) {
		fprintf(stderr, "kernel_diff_fuzz: kernel runner: %s\n", why);
		if (c.model)
			kcompare_stop(&c);
		goto out;
	}
	if (c.diverged) {
		report(&s, &c);
		/* abort() runs no atexit: the workers go, and the host's THP
		 * settings a THP input took come back (kernel/thp_host.h),
		 * before libFuzzer files the finding */
		kworld_kill_all();
		abort();
	}
	n_compared++;
	if (c.flaky) {
		n_flaky++;
		fprintf(stderr, "kernel_diff_fuzz: a difference not seen again "
			"(flaky): %s\n", c.div.signature);
		log_flaky(&c);
	}
	kcompare_stop(&c);
out:
	op_stream_free(&s);
	return 0;
}
