/*
 * The round-trip property of the trace format on every scenario file given
 * on the command line (tests/BUILD passes every .rmt of tests/scenarios):
 *
 *	parse(print(parse(file))) == parse(file)
 *
 * with the same ops and references, the same name tables in the same order
 * (so the same ids), and print a fixed point: printing the reparsed stream
 * gives the same text again.  And for ranges of ops of each file:
 *
 *	op_stream_cut(s, from, to) is parse(print(s without [from, to)))
 *
 * field for field, or fails exactly when that text does not parse.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/file_io.h"
#include "trace/trace.h"
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

/* Every field of every op, reference and name alike. */
static bool identical(const struct op_stream *a, const struct op_stream *b)
{
	ASSERT_TRUE(same_tables(a, b));
	ASSERT_TRUE(a->nops == b->nops && a->nrefs == b->nrefs);
	for (uint32_t i = 0; i < a->nops; i++) {
		const struct op *x = &a->ops[i], *y = &b->ops[i];

		ASSERT_TRUE(x->kind == y->kind && x->prot == y->prot &&
			    x->flags == y->flags && x->addr == y->addr &&
			    x->len == y->len && x->newlen == y->newlen &&
			    x->addr2 == y->addr2 && x->off == y->off &&
			    x->expect == y->expect && x->line == y->line &&
			    x->refs == y->refs && x->nrefs == y->nrefs &&
			    x->ilv_walker == y->ilv_walker &&
			    x->ilv_point == y->ilv_point &&
			    x->ilv_expect == y->ilv_expect &&
			    x->ilv_proc == y->ilv_proc &&
			    x->ilv_nth == y->ilv_nth &&
			    x->ilv_line == y->ilv_line &&
			    x->ilv_addr == y->ilv_addr);
	}
	for (uint32_t i = 0; i < a->nrefs; i++)
		ASSERT_TRUE(a->refs[i].proc == b->refs[i].proc &&
			    a->refs[i].addr == b->refs[i].addr);
	return true;
}

/* S without [FROM, TO) the long way: printed, then parsed; 0 or -1. */
static int cut_through_text(const struct op_stream *s, uint32_t from,
			    uint32_t to, struct op_stream *out)
{
	struct op_stream rest = *s;
	struct trace_error e;
	size_t len = 0;
	char *text;
	int rc;

	rest.ops = malloc((s->nops ? s->nops : 1) * sizeof(*rest.ops));
	ASSERT_TRUE(rest.ops);
	rest.nops = 0;
	for (uint32_t i = 0; i < s->nops; i++)
		if (i < from || i >= to)
			rest.ops[rest.nops++] = s->ops[i];
	text = trace_print_text(&rest, &len);
	free(rest.ops);
	ASSERT_TRUE(text);
	rc = trace_parse("rest", text, len, out, &e);
	free(text);
	return rc;
}

static bool cut_is_parse_of_rest(const struct op_stream *s, uint32_t from,
				 uint32_t to)
{
	struct op_stream cut, parsed;
	int err, rc;
	bool ok;

	ASSERT_TRUE(op_stream_init(&cut) == 0 && op_stream_init(&parsed) == 0);
	err = op_stream_cut(s, from, to, &cut);
	rc = cut_through_text(s, from, to, &parsed);
	ok = (err == 0) == (rc == 0) && (err == 0 || err == -EINVAL);
	ok = ok && (err || identical(&cut, &parsed));
	if (!ok)
		fprintf(stderr, "cut [%u, %u): %d, through the text: %d\n",
			from, to, err, rc);
	op_stream_free(&cut);
	op_stream_free(&parsed);
	return ok;
}

/* Every single op, and every chunk of a quarter, cut out of PATH's trace. */
static bool cuts_of_file(const char *path)
{
	struct op_stream s;
	struct trace_error e;
	size_t len;
	char *text = read_whole_file(path, &len);
	uint32_t n, quarter;
	bool ok = true;

	ASSERT_TRUE(text && op_stream_init(&s) == 0);
	ASSERT_TRUE(trace_parse(path, text, len, &s, &e) == 0);
	n = s.nops;
	quarter = n / 4 ? n / 4 : 1;
	for (uint32_t i = 0; ok && i <= n; i++)
		ok = cut_is_parse_of_rest(&s, i, i + 1);
	for (uint32_t i = 0; ok && i < n; i += quarter)
		ok = cut_is_parse_of_rest(&s, i, i + quarter);
	if (!ok)
		fprintf(stderr, "%s: op_stream_cut differs from the text\n", path);
	op_stream_free(&s);
	free(text);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (round_trip_file(argv[i]) && cuts_of_file(argv[i])) {
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
