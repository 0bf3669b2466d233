/*
 * kernel_repro_main.c - `kernel_repro [--quiet | --signature] FILE...`:
 * replay inputs of the kernel-differential fuzz target (a binary fuzz
 * input, decoded as the target decodes it, kfuzz_input.h; or a .rmt trace)
 * on the model and the host kernel side by side (kcompare.h), printing the
 * trace, the first divergence and both views, then its signature:
 *
 *	==> FILE (binary input: 12 ops)
 *	<the trace as trace_print prints it, unless --quiet>
 *	     DIVERGENCE [kernel:mremap:result]: ... (after line 7)
 *	DIVERGENCE SIGNATURE: kernel:mremap:result
 *
 * --signature prints only the signature, one line per input (empty when it
 * does not differ): the fuzz campaign files kernel findings by it.
 * Exit status: 1 an input differs, 0 none does, 2 unreadable input or the
 * host cannot run the kernel world.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "trace/file_io.h"
#include "trace/trace.h"
#include "kernel/kcompare.h"
#include "kernel/kfuzz_input.h"
#include "kernel/kworld.h"

enum mode { TRACE, QUIET, SIGNATURE };

/* a .rmt trace when its name says so, else fuzz bytes */
static int load(const char *path, struct op_stream *s)
{
	size_t len = 0, n = strlen(path);
	char *text = read_whole_file(path, &len);
	struct trace_error perr;
	char msg[512];
	int err;

	if (!text) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	if (n > 4 && !strcmp(path + n - 4, ".rmt")) {
		err = trace_parse(path, text, len, s, &perr);
		if (err) {
			trace_error_format(&perr, msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
		}
	} else {
		err = kfuzz_decode((const uint8_t *)text, len, s);
	}
	free(text);
	return err ? -1 : 0;
}

static int repro_one(const char *path, enum mode mode)
{
	struct kcompare_config cfg = { { 0 }, false };
	struct op_stream s;
	struct kcompare c;
	char why[256] = "";
	int rc = 2;

	if (op_stream_init(&s) || load(path, &s)) {
		op_stream_free(&s);
		return 2;
	}
	if (mode != SIGNATURE) {
		printf("==> %s (%u ops)\n", path, s.nops);
		if (mode == TRACE)
			trace_print(stdout, &s);
	}
	if (kcompare_stream(&c, &s, &cfg, why, sizeof(why))) {
		fprintf(stderr, "%s: kernel runner: %s\n", path, why);
	} else {
		rc = c.diverged ? 1 : 0;
		if (mode == SIGNATURE) {
			printf("%s\n", c.diverged ? c.div.signature : "");
		} else if (c.diverged) {
			kcompare_print_divergence(&c, stdout);
			kcompare_print_views(&c, stdout);
			printf("DIVERGENCE SIGNATURE: %s\n", c.div.signature);
		} else if (c.flaky) {
			printf("no divergence seen twice; once (flaky):\n");
			kcompare_print_divergence(&c, stdout);
		} else {
			printf("no divergence%s\n", c.stopped ? " (stopped early)" : "");
		}
	}
	if (c.model)
		kcompare_stop(&c);
	op_stream_free(&s);
	fflush(stdout);
	return rc;
}

static void on_signal(int sig)
{
	kworld_kill_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	enum mode mode = TRACE;
	int rc = 0, nfiles = 0;
	char why[256];

	if (kworld_host_check(why, sizeof(why))) {
		fprintf(stderr, "kernel_repro: this host cannot run the kernel "
			"world: %s\n", why);
		return 2;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "--quiet")) {
			mode = QUIET;
		} else if (!strcmp(argv[i], "--signature")) {
			mode = SIGNATURE;
		} else {
			nfiles++;
			r = repro_one(argv[i], mode);
			if (r > rc)
				rc = r;
		}
	}
	if (!nfiles) {
		fputs("usage: kernel_repro [--quiet | --signature] FILE...\n", stderr);
		return 2;
	}
	return rc;
}
