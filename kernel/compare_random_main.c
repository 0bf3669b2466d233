/*
 * compare_random_main.c - `compare_random FIRST LAST [NOPS] [--save DIR]
 * [--max-flaky P] [--linear] [--thp]`:
 * for every seed in [FIRST, LAST], a random kernel-runnable trace of NOPS
 * ops (gen_random.h, default 80) run on the model and on the host kernel
 * side by side (kcompare.h, fast, the first differing op named after).
 *
 * One line per trace that differs, in the divergence format:
 *
 *	seed 17: DIVERGENCE [kernel:mremap:result]: ... (after line 12)
 *	seed 18: flaky, not seen again: DIVERGENCE [kernel:read:sharing]: ...
 *
 * its trace (printed text, the same line numbers) saved as DIR/seed-17.rmt
 * with --save (a flaky one as DIR/seed-17.flaky.rmt), and a summary:
 *
 *	1000 traces of 80 ops: 997 agree, 1 differ, 1 stopped early, 1 flaky
 *
 * "stopped early": an op the kernel runner did not run (kworld's window
 * rule), compared up to it.  "flaky": a difference that the op-by-op rerun
 * did not show again (kcompare.h), printed, counted on its own, and a
 * failure when more than --max-flaky percent (default
 * KCOMPARE_FLAKY_MAX_PERCENT, 1) of the traces compared were flaky.
 * Exit status: 0 none differs and the flaky ones within the limit, 1 some
 * differ or too many were flaky, 2 bad arguments, the host cannot run the
 * kernel world, or the runner failed on a trace (as kernel_run: not a
 * difference, but nothing was shown either).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "trace/trace.h"
#include "kernel/gen_random.h"
#include "kernel/kcompare.h"
#include "kernel/kworld.h"

struct counts {
	unsigned long agree, differ, stopped, flaky, failed;
};

static void save_trace(const char *dir, uint64_t seed, const char *kind,
		       const struct op_stream *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%llu%s.rmt", dir,
		 (unsigned long long)seed, kind);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "compare_random: cannot write %s\n", path);
		return;
	}
	trace_print(f, s);
	fclose(f);
}

/* one seed: generate, compare, count, report */
static int one_seed(uint64_t seed, uint32_t nops, unsigned opts,
		    const char *save, struct counts *n)
{
	struct kcompare_config cfg = { { 0 }, false };
	struct op_stream s;
	struct kcompare c = { 0 };
	char why[256] = "";
	int err;

	if (op_stream_init(&s))
		return -ENOMEM;
	err = gen_random_trace_opts(seed, nops, opts, &s);
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
			save_trace(save, seed, "", &s);
	} else if (c.flaky) {
		n->flaky++;
		printf("seed %llu: ", (unsigned long long)seed);
		kcompare_print_divergence(&c, stdout);
		if (save)
			save_trace(save, seed, ".flaky", &s);
	} else if (c.stopped) {
		n->stopped++;
		if (c.not_compared)    /* not a divergence */
			printf("seed %llu: not compared: %s\n",
			       (unsigned long long)seed, c.stop_note);
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

static void usage(FILE *f)
{
	fprintf(f, "usage: compare_random FIRST LAST [NOPS] [--save DIR] "
		"[--max-flaky P] [--linear] [--thp]\n"
		"  random kernel-runnable traces of NOPS ops (80), seeds FIRST to "
		"LAST,\n  on the model and the host kernel side by side (root)\n"
		"  --save DIR     keep each differing trace as DIR/seed-N.rmt, "
		"each flaky\n                 one (differed once, not when run "
		"again) as DIR/seed-N.flaky.rmt\n"
		"  --max-flaky P  exit 1 when more than P percent of the traces "
		"compared\n                 were flaky (default %u)\n"
		"  --linear       traces with issue 20's ops too (./rmapfuzz gen "
		"--linear)\n"
		"  --thp          traces with issue 19's large folios (./rmapfuzz "
		"gen --thp)\n",
		KCOMPARE_FLAKY_MAX_PERCENT);
}

/* --save DIR, --max-flaky P, --linear and --thp, anywhere; the rest to argv[1..] */
static int parse_options(int *argc, char **argv, const char **save,
			 unsigned *max_flaky, unsigned *opts)
{
	int n = 1;

	for (int i = 1; i < *argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--linear")) {
			*opts |= GEN_LINEAR;
		} else if (!strcmp(argv[i], "--thp")) {
			*opts |= GEN_THP;
		} else if (!strcmp(argv[i], "--save") && i + 1 < *argc) {
			*save = argv[++i];
		} else if (!strcmp(argv[i], "--max-flaky") && i + 1 < *argc) {
			unsigned long p = strtoul(argv[++i], &end, 10);

			if (!*argv[i] || *end || p > 100) {
				fputs("compare_random: --max-flaky wants a "
				      "percentage, 0 to 100\n", stderr);
				return -1;
			}
			*max_flaky = (unsigned)p;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "compare_random: unknown option '%s'\n",
				argv[i]);
			return -1;
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	return 0;
}

int main(int argc, char **argv)
{
	const char *save = NULL;
	unsigned long long first, last, nops = 80;
	unsigned max_flaky = KCOMPARE_FLAKY_MAX_PERCENT, opts = 0;
	unsigned long compared;
	struct counts n = { 0 };
	char why[256];
	bool over;

	if (parse_options(&argc, argv, &save, &max_flaky, &opts) ||
	    argc < 3 || argc > 4) {
		usage(stderr);
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
		if (one_seed(seed, (uint32_t)nops, opts, save, &n))
			return 2;
		if ((seed - first + 1) % 1000 == 0)
			fprintf(stderr, "compare_random: %llu traces, %lu "
				"differ, %lu flaky\n", seed - first + 1,
				n.differ, n.flaky);
	}
	compared = n.agree + n.differ + n.stopped + n.flaky;
	over = kcompare_flaky_over(n.flaky, compared, max_flaky);
	printf("%llu traces of %llu ops: %lu agree, %lu differ, %lu stopped "
	       "early, %lu flaky", last - first + 1, nops, n.agree, n.differ,
	       n.stopped, n.flaky);
	if (over)
		printf(" (more than %u%% of %lu compared: FAILED, --max-flaky)",
		       max_flaky, compared);
	if (n.failed)
		printf(", %lu runner failures", n.failed);
	putchar('\n');
	return n.differ || over ? 1 : n.failed ? 2 : 0;
}
