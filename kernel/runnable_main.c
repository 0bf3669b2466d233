/*
 * runnable_main.c - `kernel_runnable [--check] FILE.rmt...`: can the host
 * kernel run every op of each trace, so that its results and expectations
 * are checked on the kernel (//tests:kernel_vs_model_test), or are some of
 * them derived by hand?  No root needed: nothing runs, the kernel world's
 * own rule decides (kwindow_op_skip in window.h, which kworld_apply asks
 * before every op), over the default window kernel_run uses.
 *
 *	tests/scenarios/001_anon_read_zero_page.rmt: kernel
 *	tests/scenarios/073_pageout_file_pages.rmt: hand: line 17: pageout: ...
 *
 * With --check, each trace must say which it is in one header line, the
 * one place the project keeps it (tests/trace_marks_test.sh):
 *
 *	# checked: kernel        every op runs on the kernel
 *	# checked: hand (...)    some op cannot: its results are hand-derived
 *
 * and a missing, doubled or wrong mark is an error naming the file and
 * line.  The rule is a little conservative: kworld_apply answers ESRCH for
 * an op of a process that is gone, and EBADF for an mmap of a file never
 * created, before it looks at the window; here such an op outside the
 * window still counts as not run (no trace of the project has one).
 *
 * Exit status: 0, 1 a wrong mark (--check), 2 a file that cannot be read
 * or parsed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/file_io.h"
#include "trace/trace.h"
#include "kernel/kworld.h"
#include "kernel/window.h"

#define MARK "# checked: "

enum { OK = 0, WRONG_MARK = 1, BAD_INPUT = 2 };

/* The first op the kernel world would not run, and why; NULL: none. */
static const struct op *first_skipped(const struct op_stream *s,
				      const char **why)
{
	const struct kwindow w = { KWORLD_WIN_LO, KWORLD_WIN_HI,
				   kwindow_user_top() };

	for (uint32_t i = 0; i < s->nops; i++) {
		*why = kwindow_op_skip(&w, &s->ops[i]);
		if (*why)
			return &s->ops[i];
	}
	return NULL;
}

/*
 * The mark of TEXT: "kernel" or "hand" into KIND, its line into *LINE;
 * the number of mark lines found (the first one kept).
 */
static int find_mark(const char *text, size_t len, char kind[8],
		     unsigned *line)
{
	const char *p = text, *end = text + len;
	unsigned n = 1;
	int found = 0;

	kind[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (l >= strlen(MARK) && !strncmp(p, MARK, strlen(MARK))) {
			const char *k = p + strlen(MARK);
			size_t kl = l - strlen(MARK), w = 0;

			while (w < kl && k[w] != ' ' && k[w] != '\r')
				w++;
			if (!found++) {
				snprintf(kind, 8, "%.*s", (int)(w < 7 ? w : 7), k);
				*line = n;
			}
		}
		p += l + 1;
		n++;
	}
	return found;
}

static int one_file(const char *path, bool check)
{
	size_t len = 0;
	char *text = read_whole_file(path, &len), kind[8], msg[512];
	struct op_stream s;
	struct trace_error err;
	const struct op *op;
	const char *why = NULL, *is;
	unsigned line = 0;
	int marks, rc = OK;

	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		return BAD_INPUT;
	}
	if (op_stream_init(&s)) {
		fprintf(stderr, "%s: out of memory\n", path);
		free(text);
		return BAD_INPUT;
	}
	if (trace_parse(path, text, len, &s, &err)) {
		trace_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		rc = BAD_INPUT;
		goto out;
	}
	op = first_skipped(&s, &why);
	is = op ? "hand" : "kernel";
	if (op)
		printf("%s: hand: line %u: %s: %s\n", path, op->line,
		       op_kind_name(op->kind), why);
	else
		printf("%s: kernel\n", path);
	if (!check)
		goto out;
	marks = find_mark(text, len, kind, &line);
	if (marks != 1) {
		fprintf(stderr, "%s:%u: %d '%s' lines, not one: write "
			"'%s%s'\n", path, marks ? line : 1, marks, MARK, MARK,
			is);
		rc = WRONG_MARK;
	} else if (strcmp(kind, is)) {
		fprintf(stderr, "%s:%u: marked '%s%s', but %s: write '%s%s'\n",
			path, line, MARK, kind, op ? "the kernel world does "
			"not run every op" : "the kernel world runs every op, "
			"so kernel_vs_model_test checks it", MARK, is);
		rc = WRONG_MARK;
	}
out:
	op_stream_free(&s);
	free(text);
	return rc;
}

int main(int argc, char **argv)
{
	bool check = false;
	int first = 1, rc = OK, worst = OK;
	unsigned files = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);   /* in order with stderr's marks */
	if (argc > 1 && !strcmp(argv[1], "--check")) {
		check = true;
		first = 2;
	}
	if (first >= argc || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: kernel_runnable [--check] FILE.rmt...\n"
			"Says of each trace whether the host kernel runs every "
			"op (kernel) or not (hand, with the first op it skips);\n"
			"--check: and that its '" MARK "kernel|hand' line says "
			"the same.\n");
		return BAD_INPUT;
	}
	for (int i = first; i < argc; i++, files++) {
		rc = one_file(argv[i], check);
		if (rc == BAD_INPUT || (rc == WRONG_MARK && worst == OK))
			worst = rc;
	}
	if (check)
		printf("%u traces, marks %s\n", files,
		       worst == OK ? "all right" : "wrong (stderr)");
	return worst;
}
