/*
 * rmt_codec.c - binary fuzz inputs <-> .rmt traces (codec.h), for reading
 * crash inputs and turning scenarios into seeds:
 *
 *	rmt_codec decode CRASH            the trace, op I on line I + 1
 *	rmt_codec encode X.rmt [-o OUT]   bytes that decode to canonical(X)
 *	                 [--force]        (X.bin replaced only with --force)
 *
 * Both use the fuzz targets' limits (DECODE_LIMITS_DEFAULT) unless told
 * otherwise, so what encode writes is what the fuzzer would run.
 * Exit status: 0, or 2 with a message naming the file (and the line, for a
 * parse error).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/file_io.h"
#include "trace/codec.h"
#include "trace/trace.h"

static const char usage[] =
	"usage: ./rmapfuzz decode [LIMITS] FILE\n"
	"       ./rmapfuzz encode [LIMITS] FILE.rmt [-o OUT | --force]\n"
	"       ./rmapfuzz decode --help\n"
	"\n"
	"decode  print the trace (shared/spec/trace-format.md) that the binary\n"
	"        fuzz input FILE decodes to, as the fuzz targets decode it; op I\n"
	"        is on line I + 1, as in the targets' divergence reports\n"
	"encode  write a binary fuzz input that decodes to the trace in\n"
	"        FILE.rmt, to OUT or else to FILE.bin (FILE.rmt with .rmt\n"
	"        replaced), which must not exist unless --force (it is often\n"
	"        the input the trace was decoded from).  expect-* and dump lines\n"
	"        and '=> RESULT' assertions are dropped; processes are renamed\n"
	"        p0, p1, ... and files f0, f1, ... in order of creation\n"
	"        (trace/codec.h)\n"
	"\n"
	"encode writes the canonical bytes of a trace: decode(encode(T)) is T\n"
	"(canonical names) and encode(decode(B)) is B for the bytes encode\n"
	"writes, but not for every input: the decoder reads any bytes (values\n"
	"taken modulo their range, bytes past the last op ignored), so many\n"
	"inputs decode to one trace, and re-encoding a fuzzer's input gives\n"
	"other bytes that run the same ops: decode(encode(decode(B))) is\n"
	"decode(B).\n"
	"\n"
	"LIMITS (default: the fuzz targets', 256 16 4 64):\n"
	"  --max-ops N     ops in the stream\n"
	"  --max-procs N   process names, p0 included\n"
	"  --max-files N   file names\n"
	"  --max-pages N   largest LEN of the page forms\n"
	"\n"
	"Exit status: 0, or 2 when a file cannot be read, parsed, encoded or\n"
	"written.\n";

static int fail_usage(const char *msg, const char *arg)
{
	/* the first three lines of the usage, then where the rest is */
	const char *end = usage;

	for (int i = 0; i < 3 && end; i++)
		end = strchr(end, '\n') ? strchr(end, '\n') + 1 : NULL;
	fprintf(stderr, "rmt_codec: %s%s%s\n%.*s(./rmapfuzz decode --help "
		"for more)\n", msg, arg ? " " : "", arg ? arg : "",
		end ? (int)(end - usage) : (int)strlen(usage), usage);
	return 2;
}
static int cmd_decode(const char *path, const struct decode_limits *lim)
{
	struct op_stream s;
	size_t len = 0;
	char *data = read_whole_file(path, &len);
	int err, rc = 2;

	if (!data) {
		fprintf(stderr, "rmt_codec: %s: cannot read: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (op_stream_init(&s)) {
		fprintf(stderr, "rmt_codec: %s: out of memory\n", path);
		free(data);
		return 2;
	}
	/*
	 * a trace decodes to nonsense: text that parses as one is refused (with
	 * one op at least: blanks or a comment alone may be a fuzzer's input)
	 */
	if (file_is_text(data, len)) {
		struct trace_error perr;

		if (!trace_parse(path, data, len, &s, &perr) && s.nops > 0) {
			fprintf(stderr, "rmapfuzz decode: %s is a trace (text); "
				"decode takes a binary fuzz input; run it "
				"(./rmapfuzz run %s) or encode it (./rmapfuzz "
				"encode %s)\n", path, path, path);
			op_stream_free(&s);
			free(data);
			return 2;
		}
		op_stream_free(&s);
		if (op_stream_init(&s)) {
			fprintf(stderr, "rmt_codec: %s: out of memory\n", path);
			free(data);
			return 2;
		}
	}
	err = decode_ops((const uint8_t *)data, len, lim, &s);
	if (err)
		fprintf(stderr, "rmt_codec: %s: cannot decode: %s\n", path,
			strerror(-err));
	else if (trace_print(stdout, &s) || fflush(stdout))
		fprintf(stderr, "rmt_codec: %s: cannot print the trace\n", path);
	else
		rc = 0;
	op_stream_free(&s);
	free(data);
	return rc;
}

/* FILE.rmt -> FILE.bin, anything else -> anything.bin */
static char *bin_name(const char *path)
{
	size_t n = strlen(path);
	char *out;

	if (n > 4 && !strcmp(path + n - 4, ".rmt"))
		n -= 4;
	out = malloc(n + 5);
	if (out) {
		memcpy(out, path, n);
		strcpy(out + n, ".bin");
	}
	return out;
}

/* EXCL: fail with EEXIST rather than replace a file */
static int write_file(const char *path, const uint8_t *data, size_t len,
		      bool excl)
{
	FILE *f = fopen(path, excl ? "wbx" : "wb");
	int bad;

	if (!f)
		return -1;
	bad = fwrite(data, 1, len, f) != len;
	bad |= fclose(f) != 0;
	return bad ? -1 : 0;
}

static void count_dropped(const struct op_stream *s, unsigned *checks,
			  unsigned *asserts, unsigned *ops)
{
	*checks = *asserts = *ops = 0;
	for (uint32_t i = 0; i < s->nops; i++) {
		if (op_is_check(&s->ops[i]))
			(*checks)++;
		else
			(*ops)++;
		if (!op_is_check(&s->ops[i]) &&
		    s->ops[i].flags & OPF_HAS_EXPECT)
			(*asserts)++;
	}
}

static int cmd_encode(const char *path, const char *out_path, bool force,
		      const struct decode_limits *lim)
{
	struct op_stream s;
	struct trace_error perr;
	char msg[512], why[256];
	char *text, *own_out = NULL;
	uint8_t *bytes = NULL;
	size_t len = 0, blen = 0;
	unsigned checks, asserts, ops;
	int err, rc = 2;

	text = read_whole_file(path, &len);
	if (!text) {
		fprintf(stderr, "rmt_codec: %s: cannot read: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (op_stream_init(&s)) {
		fprintf(stderr, "rmt_codec: %s: out of memory\n", path);
		free(text);
		return 2;
	}
	if (trace_parse(path, text, len, &s, &perr)) {
		trace_error_format(&perr, msg, sizeof(msg));
		fprintf(stderr, "rmt_codec: %s\n", msg);
		goto out;
	}
	err = encode_ops(&s, lim, &bytes, &blen, why, sizeof(why));
	if (err) {
		fprintf(stderr, "rmt_codec: %s: cannot encode: %s\n", path,
			err == -EINVAL ? why : strerror(-err));
		goto out;
	}
	if (!out_path) {
		out_path = own_out = bin_name(path);
		if (!out_path) {
			fprintf(stderr, "rmt_codec: %s: out of memory\n", path);
			goto out;
		}
	}
	/* FILE.bin beside FILE.rmt is often the very input it came from */
	if (write_file(out_path, bytes, blen, own_out && !force)) {
		if (errno == EEXIST)
			fprintf(stderr, "rmt_codec: %s exists: not overwritten "
				"(-o OUT writes elsewhere, --force replaces "
				"it)\n", out_path);
		else
			fprintf(stderr, "rmt_codec: %s: cannot write: %s\n",
				out_path, strerror(errno));
		goto out;
	}
	count_dropped(&s, &checks, &asserts, &ops);
	fprintf(stderr, "rmt_codec: wrote %s: %zu bytes, %u ops (dropped %u "
		"expect/dump lines, %u '=> RESULT' assertions)\n", out_path,
		blen, ops, checks, asserts);
	rc = 0;
out:
	free(own_out);
	free(bytes);
	op_stream_free(&s);
	free(text);
	return rc;
}

/* "--max-x N": true when ARG is a limit option (consuming its value). */
static int limit_option(struct decode_limits *lim, int argc, char **argv,
			int *i)
{
	static const char *const names[] = {
		"--max-ops", "--max-procs", "--max-files", "--max-pages",
	};
	uint32_t *fields[] = {
		&lim->max_ops, &lim->max_procs, &lim->max_files, &lim->max_pages,
	};
	char *end;
	unsigned long v;

	for (unsigned k = 0; k < 4; k++) {
		if (strcmp(argv[*i], names[k]))
			continue;
		if (*i + 1 >= argc)
			return -1;
		errno = 0;
		v = strtoul(argv[*i + 1], &end, 0);
		if (errno || *end || end == argv[*i + 1] || v > UINT32_MAX)
			return -1;
		*fields[k] = (uint32_t)v;
		*i += 1;
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct decode_limits lim = DECODE_LIMITS_DEFAULT;
	const char *cmd, *file = NULL, *out = NULL;
	bool force = false;
	int r;

	if (argc < 2)
		return fail_usage("missing command", NULL);
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "decode") && strcmp(cmd, "encode"))
		return fail_usage("unknown command", cmd);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		r = limit_option(&lim, argc, argv, &i);
		if (r < 0)
			return fail_usage("bad or missing number after",
					  argv[i]);
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "-o") && !strcmp(cmd, "encode")) {
			if (++i >= argc)
				return fail_usage("missing file after", "-o");
			out = argv[i];
		} else if (!strcmp(argv[i], "--force") &&
			   !strcmp(cmd, "encode")) {
			force = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return fail_usage("unknown option", argv[i]);
		} else if (file) {
			return fail_usage("more than one FILE:", argv[i]);
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return fail_usage("missing FILE", NULL);
	if (!strcmp(cmd, "decode"))
		return cmd_decode(file, &lim);
	return cmd_encode(file, out, force, &lim);
}
