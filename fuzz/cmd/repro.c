/*
 * repro.c - `./rmapfuzz repro FILE...`: replay a crash or corpus input (a
 * binary fuzz input or a .rmt trace) with every check after every op, on
 * the fuzz target's configuration (fuzz/diff_run.h), and print it as a
 * trace with each op's result, the divergence reports under the ops that
 * exposed them, and the first divergence's signature:
 *
 *	==> FILE (binary input: 12 ops)
 *	   1 mmap p0 0xff00000 0x3000 rw anon private -> ok
 *	   ...
 *	     DIVERGENCE [walk:mremap:ptechain]: ... (after line 7)
 *	12 ops, 0 expectations: 0 passed, 0 failed, 1 divergences
 *	DIVERGENCE SIGNATURE: walk:mremap:ptechain
 *
 * With --signature it prints only each input's signature, one line per
 * input (empty when the input neither diverges nor crashes), found as the
 * fuzz target finds it: the stream runs in a child process, so a crash or
 * a leak is named too (diff_signature_isolated).  The fuzz campaign files
 * its findings by this line.
 *
 * Exit status: 1 when an input diverges (or an expectation of a trace
 * fails, or it has a signature), 0 when none does, 2 when an input cannot
 * be read or parsed.
 */
#include <stdio.h>
#include <string.h>

#include "bugs/bugs.h"
#include "fuzz/cmd/load_input.h"
#include "fuzz/cmd/run_file.h"
#include "fuzz/diff_run.h"
#include "fuzz/trace/trace.h"

static const char usage[] =
	"usage: repro [--quiet | --signature] [--bug NAME] FILE...\n"
	"\n"
	"Replays each input (a .rmt trace, or anything else as a binary fuzz\n"
	"input) on obj and ptechain in lockstep, with every check after every op,\n"
	"printing the trace with each op's result, every divergence report, and\n"
	"the first divergence's signature (as the fuzz target reports it).\n"
	"\n"
	"  --quiet       only failing lines, reports and the signature\n"
	"  --signature   only the signature, one line per input (empty: none),\n"
	"                crashes and leaks included\n"
	"  --bug NAME    switch injected bug NAME on (a --config=bugs build)\n"
	"                and print its canaries on stderr at the end\n"
	"\n"
	"Exit status: 1 an input diverges, 0 none does, 2 unreadable input.\n";

enum mode { TRACE, QUIET, SIGNATURE };

static int repro_one(const char *path, bool quiet)
{
	struct run_opts o = { .quiet = quiet, .invariants = true,
			      .max_frames = FUZZ_MAX_FRAMES };
	char sig[SIGNATURE_SIZE] = "";
	struct op_stream s;
	bool is_trace;
	int rc;

	o.first_signature = sig;
	if (op_stream_init(&s))
		return RUN_BAD_INPUT;
	if (load_input(path, &s, &is_trace, stderr)) {
		op_stream_free(&s);
		return RUN_BAD_INPUT;
	}
	printf("==> %s (%s: %u ops)\n", path, is_trace ? "trace" : "binary input",
	       s.nops);
	fflush(stdout);
	rc = run_stream(path, &s, &o, stdout, stderr);
	op_stream_free(&s);
	if (sig[0])
		printf(SIGNATURE_LINE "%s\n", sig);
	else if (rc != RUN_BAD_INPUT)
		printf("no divergence\n");
	fflush(stdout);
	return rc;
}

/* The signature line alone, as the fuzz target would file the input. */
static int signature_one(const char *path)
{
	char sig[SIGNATURE_SIZE] = "";
	struct op_stream s;
	bool is_trace;
	int rc = RUN_BAD_INPUT;

	if (op_stream_init(&s))
		return RUN_BAD_INPUT;
	if (load_input(path, &s, &is_trace, stderr) == 0) {
		if (diff_signature_isolated(&s, sig))
			fprintf(stderr, "%s: cannot run it in a child process\n",
				path);
		else
			rc = sig[0] ? RUN_FAILED : RUN_OK;
	}
	if (rc != RUN_BAD_INPUT)
		printf("%s\n", sig);
	op_stream_free(&s);
	return rc;
}

int main(int argc, char **argv)
{
	enum mode mode = TRACE;
	int rc = RUN_OK, nfiles = 0;

	/* line by line: a crash (BUG_ON, sanitizer) keeps what came before */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--quiet")) {
			mode = QUIET;
			continue;
		}
		if (!strcmp(argv[i], "--signature")) {
			mode = SIGNATURE;
			continue;
		}
		if (!strcmp(argv[i], "--bug") && i + 1 < argc) {
			int r = bug_switch("repro", argv[++i]);

			if (r)
				return r > 0 ? RUN_OK : RUN_BAD_INPUT;
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "repro: unknown option '%s'\n%s", argv[i], usage);
			return RUN_BAD_INPUT;
		}
		nfiles++;
		int r = mode == SIGNATURE ? signature_one(argv[i])
					  : repro_one(argv[i], mode == QUIET);

		if (r > rc)
			rc = r;
	}
	if (!nfiles) {
		fputs(usage, stderr);
		return RUN_BAD_INPUT;
	}
	bug_canaries_print(stderr, false);
	return rc;
}
