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
#include <stdlib.h>
#include <string.h>

#include "bugs/bugs.h"
#include "core/world.h"
#include "trace/load_input.h"
#include "cmd/run_file.h"
#include "fuzz/diff_run.h"
#include "trace/trace.h"

static const char usage[] =
	"usage: ./rmapfuzz repro [--quiet | --signature] [--bug NAME] FILE...\n"
	"       ./rmapfuzz repro --emit-test [--bug NAME] FILE [-o OUT.rmt]\n"
	"\n"
	"Replays each input (a .rmt trace, or anything else as a binary fuzz\n"
	"input) on obj and ptechain in lockstep, with every check after every op\n"
	"and every frame walk-checked after every rmap event, printing the trace\n"
	"with each op's result up to the first failure of any kind (divergence,\n"
	"failed expectation, core BUG, sanitizer report: then the op that\n"
	"crashed), and the signature the fuzz campaign files it under.  A crash\n"
	"ends only its input; the next file still runs.\n"
	"\n"
	"  --quiet       only failing lines, reports and the signature\n"
	"  --signature   only the signature, one line per input (empty: none),\n"
	"                crashes and leaks included\n"
	"  --emit-test   write FILE as a regression scenario: each op with\n"
	"                '=> RESULT' (the reference backend's), the signature in\n"
	"                a comment, to OUT.rmt (default corpus/regressions/\n"
	"                SIGNATURE.rmt); `./rmapfuzz test` replays it.  The\n"
	"                launcher minimizes FILE first\n"
	"  --bug NAME    switch injected bug NAME on (a --config=bugs build)\n"
	"                and print its canaries on stderr at the end\n"
	"\n"
	"Exit status: 1 an input diverges or crashes, 0 none does, 2 unreadable\n"
	"input or a usage error.\n";

enum mode { TRACE, QUIET, SIGNATURE, EMIT };

static int repro_one(const char *path, bool quiet)
{
	struct run_opts o = { .quiet = quiet, .invariants = true,
			      .max_frames = FUZZ_MAX_FRAMES,
			      .stop_at_first = true, .sign_events = true };
	char sig[SIGNATURE_SIZE] = "", seen[SIGNATURE_SIZE] = "";
	struct op_stream s;
	bool is_trace;
	int rc;

	o.first_signature = seen;
	if (op_stream_init(&s))
		return RUN_BAD_INPUT;
	if (load_input(path, &s, &is_trace, stderr)) {
		op_stream_free(&s);
		return RUN_BAD_INPUT;
	}
	/* the campaign's signature, found as the fuzz target finds it */
	if (diff_signature_isolated(&s, sig))
		fprintf(stderr, "%s: cannot run it in a child process\n", path);
	printf("==> %s (%s: %u ops)\n", path, is_trace ? "trace" : "binary input",
	       s.nops);
	rc = run_isolated(path, &s, &o, stdout, stderr, NULL);
	op_stream_free(&s);
	if (sig[0])
		printf(SIGNATURE_LINE "%s\n", sig);
	else if (rc != RUN_BAD_INPUT)
		printf("no divergence\n");
	fflush(stdout);
	return sig[0] && rc == RUN_OK ? RUN_FAILED : rc;
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

/*
 * each op of S with its result in a one-backend world of REF, and each
 * interleaving with its outcome (its "=> OUTCOME", trace-format.md)
 */
static int reference_results(struct op_stream *s, int *res)
{
	const struct rmap_ops *ref = rmap_backend("obj");
	struct world_config cfg = { .max_frames = FUZZ_MAX_FRAMES, .rmap = ref };
	struct world *w = world_new(&cfg);

	if (!w)
		return -1;
	for (uint32_t i = 0; i < s->nops; i++) {
		struct interleave_outcome o;

		res[i] = op_is_check(&s->ops[i]) ? RES_OK : world_apply(w, &s->ops[i]);
		if (s->ops[i].ilv_walker) {
			world_interleave_outcome(w, &o);
			s->ops[i].ilv_expect = o.status;
		}
	}
	world_free(w);
	return 0;
}

/*
 * FILE as a regression scenario: every op with "=> RESULT" as the
 * reference backend (obj) gives it (an interleaving with its outcome), the signature in a comment.  A build
 * with the bug then fails it (its divergence, or a wrong result), a fixed
 * one passes.
 */
static int emit_test(const char *path, const char *out)
{
	char sig[SIGNATURE_SIZE] = "", name[512], line[512], rname[32];
	struct op_stream s;
	bool is_trace;
	int *res = NULL, rc = RUN_BAD_INPUT;
	FILE *f = NULL;

	if (op_stream_init(&s))
		return RUN_BAD_INPUT;
	if (load_input(path, &s, &is_trace, stderr))
		goto out;
	if (diff_signature_isolated(&s, sig) || !sig[0]) {
		fprintf(stderr, "%s: no finding: no regression to write\n", path);
		rc = RUN_FAILED;
		goto out;
	}
	if (!out) {
		snprintf(name, sizeof(name), "corpus/regressions/%s.rmt", sig);
		for (char *p = name + strlen("corpus/regressions/"); *p; p++)
			if (*p == ':' || *p == '/')
				*p = '_';
		out = name;
	}
	res = calloc(s.nops ? s.nops : 1, sizeof(*res));
	if (!res || reference_results(&s, res) || !(f = fopen(out, "w"))) {
		perror(out);
		goto out;
	}
	fprintf(f, "# regression: %s\n# signature: %s\n"
		"# written by ./rmapfuzz repro --emit-test; every result is the\n"
		"# reference backend's (obj): the bug's build fails it\n",
		path, sig);
	for (uint32_t i = 0; i < s.nops; i++) {
		if (trace_print_op(&s, &s.ops[i], line, sizeof(line)) < 0)
			goto out;
		if (op_is_check(&s.ops[i]))
			fprintf(f, "%s\n", line);
		else
			fprintf(f, "%s => %s\n", line,
				trace_result_name(s.ops[i].kind, res[i], rname));
	}
	if (fclose(f) == 0)
		rc = RUN_OK;
	f = NULL;
	printf("wrote %s (signature %s, %u ops)\n", out, sig, s.nops);
out:
	if (f)
		fclose(f);
	free(res);
	op_stream_free(&s);
	return rc;
}

/* the options into *MODE and *OUT, the files moved to ARGV[1..]: how many */
static int parse_args(int argc, char **argv, enum mode *mode, const char **out)
{
	int nfiles = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--quiet")) {
			*mode = QUIET;
		} else if (!strcmp(argv[i], "--signature")) {
			*mode = SIGNATURE;
		} else if (!strcmp(argv[i], "--emit-test")) {
			*mode = EMIT;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			*out = argv[++i];
		} else if (!strcmp(argv[i], "--bug") && i + 1 < argc) {
			int r = bug_switch("repro", argv[++i]);

			if (r)   /* 1: the list was asked for and printed */
				exit(r > 0 ? RUN_OK : RUN_BAD_INPUT);
		} else if (!strcmp(argv[i], "--bug") || !strcmp(argv[i], "-o")) {
			fprintf(stderr, "repro: %s wants a %s after it\n%s", argv[i],
				argv[i][1] == 'o' ? "file name" : "NAME (--bug list: the suite)",
				usage);
			return -1;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "repro: bad option '%s'\n%s", argv[i], usage);
			return -1;
		} else {
			argv[1 + nfiles++] = argv[i];
		}
	}
	if (!nfiles || (*out && (*mode != EMIT || nfiles > 1))) {
		fputs(usage, stderr);
		return -1;
	}
	return nfiles;
}

int main(int argc, char **argv)
{
	enum mode mode = TRACE;
	const char *out = NULL;
	int rc = RUN_OK, nfiles;

	/* line by line: a crash (BUG_ON, sanitizer) keeps what came before */
	setvbuf(stdout, NULL, _IOLBF, 0);
	nfiles = parse_args(argc, argv, &mode, &out);
	if (nfiles < 0)
		return RUN_BAD_INPUT;
	for (int i = 1; i <= nfiles; i++) {
		int r = mode == SIGNATURE ? signature_one(argv[i])
			: mode == EMIT	  ? emit_test(argv[i], out)
					  : repro_one(argv[i], mode == QUIET);

		if (r > rc)
			rc = r;
	}
	bug_canaries_print(stderr, false);
	return rc;
}
