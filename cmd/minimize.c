/*
 * minimize.c - `./rmapfuzz minimize FILE`: shrink a diverging input while
 * keeping its divergence signature.
 *
 * Works on ops, not bytes: delta debugging (ddmin) removes chunks of ops,
 * halving the chunk size when no chunk can go, and keeps a removal when the
 * shorter stream is still a valid trace (every process and file it names is
 * created first) and still diverges with the same signature under the fuzz
 * target's checks (fuzz/diff_run.h); each candidate runs in a child
 * process, so a crash (a BUG_ON, a sanitizer report) or a leak keeps its
 * signature (bug:FILE:LINE, asan:KIND, leak:KIND) like a divergence.
 * Writes the result as a trace and as a binary fuzz input:
 *
 *	FILE.min.rmt   the minimized trace, its signature in a comment
 *	FILE.min.bin   the same as fuzz input (trace/codec.h)
 *
 * Exit status: 0 minimized, 1 the input does not diverge, 2 unreadable
 * input or unwritable output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bugs/bugs.h"
#include "trace/load_input.h"
#include "trace/codec.h"
#include "fuzz/diff_run.h"
#include "trace/trace.h"

static const char usage[] =
	"usage: ./rmapfuzz minimize [--bug NAME] FILE [-o PREFIX]\n"
	"\n"
	"Shrinks a diverging input (a .rmt trace or a binary fuzz input) op by op\n"
	"while its divergence signature stays the same, and writes PREFIX.rmt and\n"
	"PREFIX.bin (default PREFIX: FILE.min).  --bug NAME switches injected\n"
	"bug NAME on (a --config=bugs build) and prints its canaries at the end.\n"
	"\n"
	"Exit status: 0 minimized, 1 the input does not diverge, 2 a missing or\n"
	"unparsable input, or a usage error.\n";

/* S without ops [from, to): a valid trace?  Into OUT (fresh). */
static bool without(const struct op_stream *s, uint32_t from, uint32_t to,
		    struct op_stream *out)
{
	if (op_stream_init(out))
		return false;
	if (op_stream_cut(s, from, to, out) == 0)
		return true;
	op_stream_free(out);
	return false;
}

static bool same_divergence(const struct op_stream *s, const char *want)
{
	char sig[SIGNATURE_SIZE];

	return diff_signature_isolated(s, sig) == 0 && !strcmp(sig, want);
}

/* ddmin over ops; replaces *S with the smallest stream found */
static void ddmin(struct op_stream *s, const char *sig, unsigned *tries)
{
	uint32_t chunks = 2;

	while (s->nops >= 2) {
		uint32_t size = (s->nops + chunks - 1) / chunks;
		bool removed = false;

		for (uint32_t from = 0; from < s->nops; from += size) {
			struct op_stream c;
			uint32_t to = from + size < s->nops ? from + size : s->nops;

			if (!without(s, from, to, &c))
				continue;
			(*tries)++;
			if (c.nops && same_divergence(&c, sig)) {
				op_stream_free(s);
				*s = c;
				removed = true;
				break;
			}
			op_stream_free(&c);
		}
		if (removed) {
			chunks = chunks > 2 ? chunks - 1 : 2;
		} else if (size == 1) {
			break;
		} else {
			chunks = chunks * 2 < s->nops ? chunks * 2 : s->nops;
		}
	}
}

static int write_outputs(const struct op_stream *s, const char *prefix,
			 const char *path, const char *sig)
{
	char name[4200], why[256];
	uint8_t *bin = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(name, sizeof(name), "%s.rmt", prefix);
	f = fopen(name, "w");
	if (!f)
		goto fail;
	fprintf(f, "# minimized from %s (./rmapfuzz minimize)\n"
		"# divergence signature: %s\n", path, sig);
	trace_print(f, s);
	if (fclose(f))
		goto fail;
	printf("wrote %s\n", name);
	if (encode_ops(s, NULL, &bin, &len, why, sizeof(why))) {
		printf("no %s.bin: %s\n", prefix, why);
		return 0;
	}
	snprintf(name, sizeof(name), "%s.bin", prefix);
	f = fopen(name, "wb");
	if (!f || fwrite(bin, 1, len, f) != len || fclose(f)) {
		free(bin);
		goto fail;
	}
	free(bin);
	printf("wrote %s\n", name);
	return 0;
fail:
	perror(name);
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *prefix = NULL;
	char sig[SIGNATURE_SIZE], def[4000];
	struct op_stream s;
	unsigned tries = 0;
	uint32_t before;
	bool is_trace;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			prefix = argv[++i];
		} else if (!strcmp(argv[i], "--bug") && i + 1 < argc) {
			int r = bug_switch("minimize", argv[++i]);

			if (r)
				return r > 0 ? 0 : 2;
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			if (!strcmp(argv[i], "--bug") || !strcmp(argv[i], "-o"))
				fprintf(stderr, "minimize: %s wants a %s after it\n",
					argv[i], argv[i][1] == 'o' ? "PREFIX" :
					"NAME (--bug list: the suite)");
			else if (argv[i][0] == '-')
				fprintf(stderr, "minimize: bad option '%s'\n", argv[i]);
			else
				fprintf(stderr, "minimize: one input only ('%s' is a second)\n",
					argv[i]);
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!path) {
		fputs(usage, stderr);
		return 2;
	}
	if (op_stream_init(&s))
		return 2;
	if (load_input(path, &s, &is_trace, stderr)) {
		op_stream_free(&s);   /* a usage error, not a leak report */
		return 2;
	}
	if (diff_signature_isolated(&s, sig) || !sig[0]) {
		printf("%s: no divergence: nothing to minimize\n", path);
		op_stream_free(&s);
		return 1;
	}
	printf("%s: %u ops, signature %s\n", path, s.nops, sig);
	before = s.nops;
	ddmin(&s, sig, &tries);
	printf("minimized: %u -> %u ops in %u tries, signature kept: %s\n",
	       before, s.nops, tries, sig);
	if (!prefix) {
		snprintf(def, sizeof(def), "%.3990s.min", path);
		prefix = def;
	}
	if (strlen(prefix) > 4000) {
		fprintf(stderr, "minimize: output prefix too long\n");
		return 2;
	}
	int rc = write_outputs(&s, prefix, path, sig);

	op_stream_free(&s);
	bug_canaries_print(stderr, false);
	return rc;
}
