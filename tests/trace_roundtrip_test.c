/*
 * The round-trip property of the trace format on every scenario file given
 * on the command line (tests/BUILD passes every .rmt of tests/scenarios):
 *
 *	parse(print(parse(file))) == parse(file)
 *
 * with the same ops and references, the same name tables in the same order
 * (so the same ids), and print a fixed point: printing the reparsed stream
 * gives the same text again.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/cmd/file_io.h"
#include "fuzz/trace/trace.h"
#include "tests/assert.h"

static bool same_tables(const struct op_stream *a, const struct op_stream *b)
{
	ASSERT_TRUE(a->nprocs == b->nprocs && a->nfiles == b->nfiles);
	for (uint32_t i = 0; i < a->nprocs; i++)
		ASSERT_TRUE(!strcmp(a->proc_names[i], b->proc_names[i]));
	for (uint32_t i = 0; i < a->nfiles; i++)
		ASSERT_TRUE(!strcmp(a->file_names[i], b->file_names[i]));
	for (uint32_t i = 0; i < a->nops; i++) {
		ASSERT_TRUE(a->ops[i].proc == b->ops[i].proc);
		ASSERT_TRUE(a->ops[i].proc2 == b->ops[i].proc2);
		ASSERT_TRUE(a->ops[i].file == b->ops[i].file);
	}
	return true;
}

static bool round_trip_file(const char *path)
{
	struct op_stream s, back;
	struct trace_error e;
	char *text, *printed = NULL, *again = NULL, why[160], msg[256];
	size_t len, plen = 0, alen = 0;
	bool ok = false;

	text = read_whole_file(path, &len);
	ASSERT_TRUE(text);
	ASSERT_TRUE(op_stream_init(&s) == 0 && op_stream_init(&back) == 0);
	if (trace_parse(path, text, len, &s, &e)) {
		trace_error_format(&e, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		goto out;
	}
	printed = trace_print_text(&s, &plen);
	if (!printed || trace_parse("printed", printed, plen, &back, &e)) {
		fprintf(stderr, "%s: printed text does not parse\n", path);
		goto out;
	}
	if (!op_stream_equal(&s, &back, why, sizeof(why))) {
		fprintf(stderr, "%s: round trip differs: %s\n", path, why);
		goto out;
	}
	if (!same_tables(&s, &back)) {
		fprintf(stderr, "%s: ids or name tables differ\n", path);
		goto out;
	}
	again = trace_print_text(&back, &alen);
	if (!again || alen != plen || memcmp(again, printed, plen)) {
		fprintf(stderr, "%s: printing is not a fixed point\n", path);
		goto out;
	}
	ok = true;
out:
	op_stream_free(&s);
	op_stream_free(&back);
	free(text);
	free(printed);
	free(again);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (round_trip_file(argv[i])) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL %s\n", argv[i]);
		}
	}
	if (argc < 2)
		fprintf(stderr, "warning: no scenario files given\n");
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
