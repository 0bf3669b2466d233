/*
 * compare_random_main.c - `compare_random FIRST LAST [NOPS] [--save DIR]`:
 * for every seed in [FIRST, LAST], a random kernel-runnable trace of NOPS
 * ops (gen_random.h, default 80) run on the model and on the host kernel
 * side by side (kcompare.h, fast, the first differing op named after).
 *
 * One line per trace that differs, in the divergence format:
 *
 *	seed 17: DIVERGENCE [kernel:mremap:result]: ... (after line 12)
 *
 * its trace (printed text, the same line numbers) saved as DIR/seed-17.rmt
 * with --save, and a summary:
 *
 *	1000 traces of 80 ops: 998 agree, 1 differ, 1 stopped early
 *
 * "stopped early": an op the kernel runner did not run (kworld's window
 * rule), compared up to it.  "flaky": a difference that the op-by-op rerun
 * did not show again (kcompare.h), printed but not counted as differing.
 * Exit status: 0 none differs, 1 some differ, 2 bad arguments, the host
 * cannot run the kernel world, or the runner failed on a trace (as
 * kernel_run: not a difference, but nothing was shown either).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "fuzz/trace/trace.h"
#include "kernel/gen_random.h"
#include "kernel/kcompare.h"
#include "kernel/kworld.h"

struct counts {
	unsigned long agree, differ, stopped, flaky, failed;
};

static void save_trace(const char *dir, uint64_t seed, const struct op_stream *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%llu.rmt", dir,
		 (unsigned long long)seed);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "compare_random: cannot write %s\n", path);
		return;
	}
	trace_print(f, s);
	fclose(f);
}

/* one seed: generate, compare, count, report */
static int one_seed(uint64_t seed, uint32_t nops, const char *save,
		    struct counts *n)
{
	struct kcompare_config cfg = { { 0 }, false };
	struct op_stream s;
	struct kcompare c = { 0 };
	char why[256] = "";
	int err;

	if (op_stream_init(&s))
		return -ENOMEM;
	err = gen_random_trace(seed, nops, &s);
	if (!err)
		err = kcompare_stream(&c, &s, &cfg, why, sizeof(why));
	if (err) {
		n->failed++;
		fprintf(stderr, "seed %llu: kernel runner: %s\n",
			(unsigned long long)seed, why[0] ? why : strerror(-err));
	} else if (c.diverged) {
		n->differ++;
		printf("seed %llu: ", (unsigned long long)seed);
		kcompare_print_divergence(&c, stdout);
		if (save)
			save_trace(save, seed, &s);
	} else if (c.flaky) {
		n->flaky++;
		printf("seed %llu: not seen again (flaky), first run: ",
		       (unsigned long long)seed);
		kcompare_print_divergence(&c, stdout);
	} else if (c.stopped) {
		n->stopped++;
	} else {
		n->agree++;
	}
	if (c.model)
		kcompare_stop(&c);
	fflush(stdout);
	op_stream_free(&s);
	return err == -ENOMEM ? err : 0;
}

static void on_signal(int sig)
{
	kworld_kill_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	const char *save = NULL;
	unsigned long long first, last, nops = 80;
	struct counts n = { 0 };
	char why[256];

	if (argc >= 5 && !strcmp(argv[argc - 2], "--save")) {
		save = argv[argc - 1];
		argc -= 2;
	}
	if (argc < 3 || argc > 4) {
		fputs("usage: compare_random FIRST LAST [NOPS] [--save DIR]\n", stderr);
		return 2;
	}
	first = strtoull(argv[1], NULL, 0);
	last = strtoull(argv[2], NULL, 0);
	if (argc == 4)
		nops = strtoull(argv[3], NULL, 0);
	if (last < first || nops == 0 || nops > 100000) {
		fputs("compare_random: FIRST <= LAST, 0 < NOPS\n", stderr);
		return 2;
	}
	if (kworld_host_check(why, sizeof(why))) {
		fprintf(stderr, "compare_random: this host cannot run the kernel "
			"world: %s\n", why);
		return 2;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (unsigned long long seed = first; seed <= last; seed++) {
		if (one_seed(seed, (uint32_t)nops, save, &n))
			return 2;
		if ((seed - first + 1) % 1000 == 0)
			fprintf(stderr, "compare_random: %llu traces, %lu differ\n",
				seed - first + 1, n.differ);
	}
	printf("%llu traces of %llu ops: %lu agree, %lu differ, %lu stopped early",
	       last - first + 1, nops, n.agree, n.differ, n.stopped);
	if (n.flaky)
		printf(", %lu flaky (differed once, not again)", n.flaky);
	if (n.failed)
		printf(", %lu runner failures", n.failed);
	putchar('\n');
	return n.differ ? 1 : n.failed ? 2 : 0;
}
