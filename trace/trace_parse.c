/*
 * trace_parse.c - .rmt text to op stream (trace.h, spec/trace-format.md).
 *
 * A line is cut at its first '#', then split at its first "=>" (as
 * kernel_run.py does with str.partition) into the command and the asserted
 * result; both are split into tokens at blanks.  Every command has a fixed
 * shape, checked token by token; the first error stops the parse and names
 * the line and the blank-separated token it is about.
 *
 * What a parse cannot know is left to the world: unaligned addresses, a
 * process that has exited, a fork whose child name is still alive.  What it
 * can know is an error here: a name that was never created in the text
 * before its use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/op_interleave.h"
#include "trace/trace.h"

/* ---- lines ------------------------------------------------------------ */

/* Python's str.split() / strip() whitespace, less the line ends. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' ||
	       (c >= 0x1c && c <= 0x1f);
}

/*
 * The line at *POS of TEXT: sets *LINE and *N, moves *POS past the line end.
 * false at the end of the text.
 */
static bool next_line(const char *text, size_t len, size_t *pos,
		      const char **line, size_t *n)
{
	size_t i = *pos;

	if (i >= len)
		return false;
	*line = text + i;
	while (i < len && text[i] != '\n' && text[i] != '\r')
		i++;
	*n = (size_t)(text + i - *line);
	if (i + 1 < len && text[i] == '\r' && text[i + 1] == '\n')
		i += 2;
	else if (i < len)
		i++;
	*pos = i;
	return true;
}

/* The line without its comment, trimmed: sets *START, returns the length. */
static size_t line_body(const char *line, size_t n, const char **start)
{
	const char *hash = memchr(line, '#', n);
	const char *end = hash ? hash : line + n;

	while (line < end && is_blank(*line))
		line++;
	while (end > line && is_blank(end[-1]))
		end--;
	*start = line;
	return (size_t)(end - line);
}

int trace_lines_init(struct trace_lines *tl, const char *text, size_t len)
{
	size_t pos = 0, cap = 64, n;
	const char *line;

	memset(tl, 0, sizeof(*tl));
	tl->text = text;
	tl->len = len;
	tl->start = malloc(cap * sizeof(*tl->start));
	if (!tl->start)
		return -ENOMEM;
	while (tl->n < UINT32_MAX - 1 && next_line(text, len, &pos, &line, &n)) {
		if (tl->n == cap) {
			size_t *p = realloc(tl->start, 2 * cap * sizeof(*p));

			if (!p) {
				trace_lines_free(tl);
				return -ENOMEM;
			}
			tl->start = p;
			cap *= 2;
		}
		tl->start[tl->n++] = (size_t)(line - text);
	}
	return 0;
}

void trace_lines_free(struct trace_lines *tl)
{
	free(tl->start);
	memset(tl, 0, sizeof(*tl));
}

size_t trace_lines_get(const struct trace_lines *tl, uint32_t line,
		       const char **start)
{
	size_t pos, n;
	const char *p;

	*start = "";
	if (line == 0 || line > tl->n)
		return 0;
	pos = tl->start[line - 1];
	if (!next_line(tl->text, tl->len, &pos, &p, &n))
		return 0;
	return line_body(p, n, start);
}

/* ---- tokens ----------------------------------------------------------- */

struct tok {
	const char *s;
	size_t n;
};

static bool tok_is(struct tok t, const char *word)
{
	return t.n == strlen(word) && !memcmp(t.s, word, t.n);
}

/* Next blank-separated token of [*p, end); false when none is left. */
static bool lex(const char **p, const char *end, struct tok *t)
{
	const char *q = *p;

	while (q < end && is_blank(*q))
		q++;
	if (q == end) {
		*p = q;
		return false;
	}
	t->s = q;
	while (q < end && !is_blank(*q))
		q++;
	t->n = (size_t)(q - t->s);
	*p = q;
	return true;
}

/* A name of [a-z][a-z0-9_]* short enough for the tables, copied into BUF. */
static bool tok_name(struct tok t, char buf[OP_NAME_MAX])
{
	if (t.n == 0 || t.n >= OP_NAME_MAX || t.s[0] < 'a' || t.s[0] > 'z')
		return false;
	for (size_t i = 1; i < t.n; i++) {
		char c = t.s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	memcpy(buf, t.s, t.n);
	buf[t.n] = '\0';
	return true;
}

enum { NUM_OK = 0, NUM_BAD = -1, NUM_RANGE = -2 };

/* Decimal, or hex after "0x"; no sign, no leading zero on a decimal. */
static int tok_num(struct tok t, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (t.n >= 2 && t.s[0] == '0' && (t.s[1] == 'x' || t.s[1] == 'X')) {
		if (t.n == 2)
			return NUM_BAD;
		for (i = 2; i < t.n; i++) {
			char c = t.s[i];
			unsigned d;

			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return NUM_BAD;
			if (x > UINT64_MAX >> 4)
				return NUM_RANGE;
			x = x << 4 | d;
		}
	} else {
		if (t.n == 0 || (t.n > 1 && t.s[0] == '0'))
			return NUM_BAD;
		for (i = 0; i < t.n; i++) {
			unsigned d = (unsigned)(t.s[i] - '0');

			if (t.s[i] < '0' || t.s[i] > '9')
				return NUM_BAD;
			if (x > (UINT64_MAX - d) / 10)
				return NUM_RANGE;
			x = x * 10 + d;
		}
	}
	*v = x;
	return NUM_OK;
}

/* ---- one line --------------------------------------------------------- */

struct pline {
	struct op_stream *s;
	struct trace_error *err;
	uint32_t lineno;
	const char *p, *end;       /* the rest of the command part */
	struct tok cmd;            /* what "missing argument" points at */
	struct tok created;        /* fork's child, file's name */
	struct op op;
	struct op ilv;             /* an interleave line's ilv_* fields ... */
	bool ilv_pending;          /* ... waiting for the op on a later line */
};

static void set_token(struct trace_error *err, struct tok t)
{
	size_t n = t.n, max = sizeof(err->token) - 1;

	if (n > max)
		n = max - 3;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t.s[i];

		err->token[i] = c >= 0x20 && c < 0x7f && c != '\'' ? (char)c
								 : '?';
	}
	if (n < t.n)
		memcpy(err->token + n, "...", 4);
	else
		err->token[n] = '\0';
}

__attribute__((format(printf, 3, 4)))
static int fail(struct pline *pl, struct tok t, const char *fmt, ...)
{
	va_list ap;

	pl->err->line = pl->lineno;
	set_token(pl->err, t);
	va_start(ap, fmt);
	vsnprintf(pl->err->msg, sizeof(pl->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* The next argument, WHAT naming it for the error when it is missing. */
static int arg(struct pline *pl, struct tok *t, const char *what)
{
	if (lex(&pl->p, pl->end, t))
		return 0;
	return fail(pl, pl->cmd, "missing argument %s", what);
}

static int no_more(struct pline *pl)
{
	struct tok t;

	if (lex(&pl->p, pl->end, &t))
		return fail(pl, t, "extra argument");
	return 0;
}

static int num_of(struct pline *pl, struct tok t, uint64_t *v)
{
	switch (tok_num(t, v)) {
	case NUM_OK:
		return 0;
	case NUM_RANGE:
		return fail(pl, t, "number too large (64 bits)");
	default:
		return fail(pl, t, "bad number (decimal or 0x hex)");
	}
}

static int arg_num(struct pline *pl, uint64_t *v, const char *what)
{
	struct tok t;

	return arg(pl, &t, what) || num_of(pl, t, v) ? -1 : 0;
}

/* NAME (of token T) as a process id created earlier in the text. */
static int proc_of(struct pline *pl, struct tok name, struct tok t,
		   uint16_t *id)
{
	char buf[OP_NAME_MAX];
	int i;

	if (!tok_name(name, buf))
		return fail(pl, t, "bad process name ([a-z][a-z0-9_]*, "
			    "at most %d characters)", OP_NAME_MAX - 1);
	i = op_stream_find_proc(pl->s, buf);
	if (i < 0)
		return fail(pl, t, "unknown process (neither p0 nor created "
			    "by an earlier fork)");
	*id = (uint16_t)i;
	return 0;
}

static int arg_proc(struct pline *pl, uint16_t *id, const char *what)
{
	struct tok t;

	return arg(pl, &t, what) || proc_of(pl, t, t, id) ? -1 : 0;
}

/* PROC:ADDR in token T */
static int ref_of(struct pline *pl, struct tok t, uint16_t *proc,
		  uint64_t *addr)
{
	const char *colon = memchr(t.s, ':', t.n);
	struct tok name, num;

	if (!colon)
		return fail(pl, t, "bad mapping reference (PROC:ADDR)");
	name = (struct tok){ t.s, (size_t)(colon - t.s) };
	num = (struct tok){ colon + 1, t.n - name.n - 1 };
	if (proc_of(pl, name, t, proc))
		return -1;
	switch (tok_num(num, addr)) {
	case NUM_OK:
		return 0;
	case NUM_RANGE:
		return fail(pl, t, "number too large (64 bits)");
	default:
		return fail(pl, t, "bad address in mapping reference");
	}
}

static int arg_ref(struct pline *pl, uint16_t *proc, uint64_t *addr,
		   const char *what)
{
	struct tok t;

	return arg(pl, &t, what) || ref_of(pl, t, proc, addr) ? -1 : 0;
}

static int arg_prot(struct pline *pl, uint8_t *prot)
{
	struct tok t;

	if (arg(pl, &t, "PROT"))
		return -1;
	if (tok_is(t, "none"))
		*prot = PROT_NONE_;
	else if (tok_is(t, "r"))
		*prot = PROT_R;
	else if (tok_is(t, "rw"))
		*prot = PROT_RW;
	else
		return fail(pl, t, "bad PROT (none, r or rw)");
	return 0;
}

/* ---- commands --------------------------------------------------------- */

/* P ADDR */
static int parse_proc_addr(struct pline *pl)
{
	return arg_proc(pl, &pl->op.proc, "P") ||
	       arg_num(pl, &pl->op.addr, "ADDR") ? -1 : 0;
}

/* P ADDR LEN */
static int parse_range(struct pline *pl)
{
	return parse_proc_addr(pl) || arg_num(pl, &pl->op.len, "LEN") ? -1 : 0;
}

static int parse_mprotect(struct pline *pl)
{
	return parse_range(pl) || arg_prot(pl, &pl->op.prot) ? -1 : 0;
}

static int parse_madvise(struct pline *pl)
{
	struct tok t;

	if (parse_range(pl) || arg(pl, &t, "ADVICE"))
		return -1;
	for (unsigned a = 0; a < ADV_MAX; a++) {
		if (op_advice_name(a) && tok_is(t, op_advice_name(a))) {
			pl->op.advice = (uint8_t)a;
			return 0;
		}
	}
	return fail(pl, t, "unsupported advice (dontneed, dontfork, dofork, "
		    "wipeonfork, keeponfork, mergeable, unmergeable, hugepage, "
		    "nohugepage or collapse)");
}

/* P ADDR BYTE (issue 20: every byte of the page is BYTE, 0 to 255) */
static int parse_fill(struct pline *pl)
{
	const char *at;

	if (parse_proc_addr(pl))
		return -1;
	at = pl->p;
	if (arg_num(pl, &pl->op.len, "BYTE"))
		return -1;
	if (pl->op.len > 255) {
		struct tok t = { at, (size_t)(pl->p - at) };

		while (t.n && (*t.s == ' ' || *t.s == '\t'))
			t.s++, t.n--;
		return fail(pl, t, "BYTE is 0 to 255");
	}
	return 0;
}

/* anon or FILE@OFF */
static int arg_source(struct pline *pl)
{
	char buf[OP_NAME_MAX];
	struct tok t, name, off;
	const char *at;
	int id;

	if (arg(pl, &t, "anon|FILE@OFF"))
		return -1;
	if (tok_is(t, "anon")) {
		pl->op.flags |= OPF_ANON;
		return 0;
	}
	at = memchr(t.s, '@', t.n);
	if (!at)
		return fail(pl, t, "bad mapping source (anon or FILE@OFF)");
	name = (struct tok){ t.s, (size_t)(at - t.s) };
	off = (struct tok){ at + 1, t.n - name.n - 1 };
	if (!tok_name(name, buf))
		return fail(pl, t, "bad file name ([a-z][a-z0-9_]*, at most "
			    "%d characters)", OP_NAME_MAX - 1);
	id = op_stream_find_file(pl->s, buf);
	if (id < 0)
		return fail(pl, t, "unknown file (not created by an earlier "
			    "file line)");
	pl->op.file = (uint16_t)id;
	switch (tok_num(off, &pl->op.off)) {
	case NUM_OK:
		return 0;
	case NUM_RANGE:
		return fail(pl, t, "number too large (64 bits)");
	default:
		return fail(pl, t, "bad file offset (decimal or 0x hex)");
	}
}

static int parse_mmap(struct pline *pl)
{
	struct tok t;

	if (parse_range(pl) || arg_prot(pl, &pl->op.prot) || arg_source(pl) ||
	    arg(pl, &t, "private|shared"))
		return -1;
	if (tok_is(t, "shared"))
		pl->op.flags |= OPF_SHARED;
	else if (!tok_is(t, "private"))
		return fail(pl, t, "expected private or shared");
	if (!lex(&pl->p, pl->end, &t))
		return 0;
	/* issue 20: MAP_GROWSDOWN, for anonymous private memory */
	if (!tok_is(t, "growsdown"))
		return fail(pl, t, "extra argument");
	if ((pl->op.flags & (OPF_ANON | OPF_SHARED)) != OPF_ANON)
		return fail(pl, t, "growsdown needs anon private");
	pl->op.flags |= OPF_GROWSDOWN;
	return 0;
}

/* P OLD OLDLEN NEWLEN [maymove] [fixed NEWADDR] [dontunmap], any order */
/* P DST SRC LEN [allow-src-holes] (issue 20: UFFDIO_MOVE) */
static int parse_uffd_move(struct pline *pl)
{
	struct tok t;

	if (arg_proc(pl, &pl->op.proc, "P") ||
	    arg_num(pl, &pl->op.addr, "DST") ||
	    arg_num(pl, &pl->op.addr2, "SRC") ||
	    arg_num(pl, &pl->op.len, "LEN"))
		return -1;
	if (!lex(&pl->p, pl->end, &t))
		return 0;
	if (!tok_is(t, "allow-src-holes"))
		return fail(pl, t, "extra argument");
	pl->op.flags |= OPF_SRC_HOLES;
	return 0;
}

static int parse_mremap(struct pline *pl)
{
	struct tok t;
	uint8_t bit;

	if (parse_range(pl) || arg_num(pl, &pl->op.newlen, "NEWLEN"))
		return -1;
	while (lex(&pl->p, pl->end, &t)) {
		if (tok_is(t, "maymove"))
			bit = OPF_MAYMOVE;
		else if (tok_is(t, "fixed"))
			bit = OPF_FIXED;
		else if (tok_is(t, "dontunmap"))
			bit = OPF_DONTUNMAP;
		else
			return fail(pl, t, "unknown mremap option (maymove, "
				    "fixed NEWADDR, dontunmap)");
		if (pl->op.flags & bit)
			return fail(pl, t, "mremap option given twice");
		pl->op.flags |= bit;
		if (bit == OPF_FIXED) {
			pl->cmd = t;   /* "missing argument NEWADDR" near fixed */
			if (arg_num(pl, &pl->op.addr2, "NEWADDR"))
				return -1;
		}
	}
	return 0;
}

static int parse_fork(struct pline *pl)
{
	char child[OP_NAME_MAX];
	struct tok t;

	if (arg_proc(pl, &pl->op.proc, "P") || arg(pl, &t, "Q"))
		return -1;
	if (!tok_name(t, child))
		return fail(pl, t, "bad process name ([a-z][a-z0-9_]*, "
			    "at most %d characters)", OP_NAME_MAX - 1);
	if (!strcmp(child, pl->s->proc_names[pl->op.proc]))
		return fail(pl, t, "a process cannot fork into itself");
	pl->created = t;   /* interned once the whole line is valid */
	return 0;
}

static int parse_exit(struct pline *pl)
{
	return arg_proc(pl, &pl->op.proc, "P");
}

static int parse_file(struct pline *pl)
{
	char buf[OP_NAME_MAX];
	struct tok t;

	if (arg(pl, &t, "F"))
		return -1;
	if (!tok_name(t, buf))
		return fail(pl, t, "bad file name ([a-z][a-z0-9_]*, at most "
			    "%d characters)", OP_NAME_MAX - 1);
	pl->created = t;   /* interned once the whole line is valid */
	return arg_num(pl, &pl->op.len, "SIZE");
}

static int parse_expect_map(struct pline *pl)
{
	struct mref r;
	struct tok t;

	if (arg_ref(pl, &pl->op.proc, &pl->op.addr, "P:ADDR") ||
	    arg(pl, &t, "'='"))
		return -1;
	if (!tok_is(t, "="))
		return fail(pl, t, "expected '=' after the first reference");
	pl->op.refs = pl->s->nrefs;
	while (lex(&pl->p, pl->end, &t)) {
		if (ref_of(pl, t, &r.proc, &r.addr))
			return -1;
		if (op_stream_push_ref(pl->s, &r))
			return fail(pl, t, "out of memory");
		pl->op.nrefs++;
	}
	return 0;
}

/*
 * SIZE,... (issue 19): anonymous large-folio sizes, 16K to 2M, each a power
 * of two, as /sys/kernel/mm/transparent_hugepage/hugepages-<size>kB names
 * them; only before the first op, once.
 */
static int parse_thp_sizes(struct pline *pl)
{
	struct tok t;
	const char *p;
	uint64_t mask = 0;

	if (pl->s->nops)
		return fail(pl, pl->cmd, "thp-sizes must come before the "
			    "first op");
	if (arg(pl, &t, "SIZE,..."))
		return -1;
	p = t.s;
	while (p < t.s + t.n) {
		const char *q = p;
		uint64_t v = 0, kib;
		unsigned order = 0;

		while (q < t.s + t.n && *q >= '0' && *q <= '9' && v < 100000)
			v = v * 10 + (uint64_t)(*q++ - '0');
		if (q == p || q == t.s + t.n || (*q != 'K' && *q != 'M'))
			return fail(pl, t, "bad size (16K, 32K, ... 1M, 2M)");
		kib = *q++ == 'M' ? v * 1024 : v;
		while (order <= THP_PMD_ORDER && (4ULL << order) != kib)
			order++;
		if (order < THP_MIN_ORDER || order > THP_PMD_ORDER)
			return fail(pl, t, "bad size (16K, 32K, ... 1M, 2M)");
		if (mask & (1ULL << order))
			return fail(pl, t, "size given twice");
		mask |= 1ULL << order;
		if (q < t.s + t.n && *q++ != ',')
			return fail(pl, t, "sizes are separated by ','");
		p = q;
		if (p == t.s + t.n && p[-1] == ',')
			return fail(pl, t, "bad size (16K, 32K, ... 1M, 2M)");
	}
	pl->op.len = mask;
	return 0;
}

static int parse_ref(struct pline *pl)
{
	return arg_ref(pl, &pl->op.proc, &pl->op.addr, "P:ADDR");
}

static int parse_two_refs(struct pline *pl)
{
	return parse_ref(pl) ||
	       arg_ref(pl, &pl->op.proc2, &pl->op.addr2, "Q:ADDR") ? -1 : 0;
}

static int parse_nothing(struct pline *pl)
{
	return 0;
}

static const struct command {
	const char *name;
	enum op_kind kind;
	int (*parse)(struct pline *pl);
} commands[] = {
	{ "mmap",        OP_MMAP,        parse_mmap },
	{ "munmap",      OP_MUNMAP,      parse_range },
	{ "mprotect",    OP_MPROTECT,    parse_mprotect },
	{ "mremap",      OP_MREMAP,      parse_mremap },
	{ "madvise",     OP_MADVISE,     parse_madvise },
	{ "fork",        OP_FORK,        parse_fork },
	{ "exit",        OP_EXIT,        parse_exit },
	{ "read",        OP_READ,        parse_proc_addr },
	{ "write",       OP_WRITE,       parse_proc_addr },
	{ "file",        OP_FILE,        parse_file },
	{ "migrate",     OP_MIGRATE,     parse_proc_addr },
	{ "pageout",     OP_PAGEOUT,     parse_proc_addr },
	{ "age",         OP_AGE,         parse_proc_addr },
	{ "expect-map",  OP_EXPECT_MAP,  parse_expect_map },
	{ "expect-same", OP_EXPECT_SAME, parse_two_refs },
	{ "expect-diff", OP_EXPECT_DIFF, parse_two_refs },
	{ "expect-zero", OP_EXPECT_ZERO, parse_ref },
	{ "expect-none", OP_EXPECT_NONE, parse_ref },
	{ "dump",        OP_DUMP,        parse_nothing },
	{ "uffd-move",   OP_UFFD_MOVE,   parse_uffd_move },
	{ "thp-sizes",   OP_THP_SIZES,   parse_thp_sizes },
	{ "fill",        OP_FILL,        parse_fill },
	{ "ksm-scan",    OP_KSM_SCAN,    parse_nothing },
};

/* "=> RESULT": the text after the arrow, whose first token is at *P. */
static int parse_result(struct pline *pl, struct tok arrow, const char *p,
			const char *end)
{
	char buf[32];
	struct tok t, extra;
	bool referenced;

	if (op_is_check(&pl->op))
		return fail(pl, arrow, "expectations and dump take no "
			    "'=> RESULT'");
	if (!lex(&p, end, &t))
		return fail(pl, arrow, "missing result after '=>'");
	if (t.n >= sizeof(buf))
		return fail(pl, t, "bad result");
	memcpy(buf, t.s, t.n);
	buf[t.n] = '\0';
	if (trace_result_parse(buf, &pl->op.expect))
		return fail(pl, t, "bad result (ok, an errno name, SIGSEGV, "
			    "SIGBUS or referenced=N)");
	referenced = !strncmp(buf, "referenced=", 11);
	if (pl->op.kind == OP_AGE && !strcmp(buf, "ok"))
		return fail(pl, t, "age results are referenced=N");
	if (pl->op.kind != OP_AGE && referenced)
		return fail(pl, t, "referenced=N is a result of age only");
	if (lex(&p, end, &extra))
		return fail(pl, extra, "extra argument");
	pl->op.flags |= OPF_HAS_EXPECT;
	return 0;
}

/* Names created by a line enter the tables only once the line is valid. */
static int create_names(struct pline *pl)
{
	char buf[OP_NAME_MAX];
	int id;

	if (pl->op.kind != OP_FORK && pl->op.kind != OP_FILE)
		return 0;
	tok_name(pl->created, buf);
	if (pl->op.kind == OP_FORK)
		id = op_stream_proc_id(pl->s, buf);
	else
		id = op_stream_file_id(pl->s, buf);
	if (id == -ENOSPC)
		return fail(pl, pl->created, "too many names (at most %u)",
			    TRACE_MAX_NAMES);
	if (id < 0)
		return fail(pl, pl->created, "out of memory");
	if (pl->op.kind == OP_FORK)
		pl->op.proc2 = (uint16_t)id;
	else
		pl->op.file = (uint16_t)id;
	return 0;
}

/*
 * "fail-nth N [backend]" before the command (README, "Allocation failure"):
 * the op's Nth allocation at the mm code's site, or the backend's, fails.
 * Into *NTH and *FLAGS; the command's token is in pl->cmd after it.
 */
static int parse_fail_nth(struct pline *pl, uint32_t *nth, uint8_t *flags)
{
	struct tok t;
	uint64_t n;

	if (arg_num(pl, &n, "N (fail-nth N [backend] OP...)"))
		return -1;
	if (n == 0 || n > UINT32_MAX)
		return fail(pl, pl->cmd, "fail-nth takes N from 1 to %u",
			    UINT32_MAX);
	*nth = (uint32_t)n;
	if (!lex(&pl->p, pl->end, &t))
		return fail(pl, pl->cmd, "fail-nth needs an operation after it");
	if (tok_is(t, "backend")) {
		*flags = OPF_FAIL_BACKEND;
		if (!lex(&pl->p, pl->end, &t))
			return fail(pl, t, "fail-nth needs an operation after it");
	}
	pl->cmd = t;
	return 0;
}

/* NAME in NAMES[0..n-1] (name_fn), or -1 */
static int name_index(struct tok t, const char *(*name_fn)(unsigned), unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		if (name_fn(i) && tok_is(t, name_fn(i)))
			return (int)i;
	return -1;
}

/*
 * "interleave WALKER P:ADDR at POINT[:N] [=> STATUS]" (docs/trace-format.md,
 * Extensions; core/interleave.h): kept in pl->ilv until the next operation
 * line takes it.  ARROW: the "=>" of the line, or NULL.
 */
static int parse_interleave(struct pline *pl, const char *arrow,
			    const char *end)
{
	struct op *o = &pl->ilv;
	struct tok t, pt;
	uint64_t nth = 1;
	int v;

	if (pl->ilv_pending)
		return fail(pl, pl->cmd, "two interleave lines before one "
			    "operation");
	memset(o, 0, sizeof(*o));
	o->ilv_line = pl->lineno;
	if (arg(pl, &t, "WALKER (migrate, unmap or age)"))
		return -1;
	v = name_index(t, ilv_walker_name, ILV_WALKER_MAX);
	if (v < 0)
		return fail(pl, t, "unknown walker (migrate, unmap or age)");
	o->ilv_walker = (uint8_t)v;
	if (arg_ref(pl, &o->ilv_proc, &o->ilv_addr, "P:ADDR"))
		return -1;
	if (arg(pl, &t, "'at'"))
		return -1;
	if (!tok_is(t, "at"))
		return fail(pl, t, "expected 'at POINT[:N]'");
	if (arg(pl, &pt, "POINT[:N]"))
		return -1;
	t = pt;
	if (memchr(pt.s, ':', pt.n)) {
		const char *colon = memchr(pt.s, ':', pt.n);
		struct tok num = { colon + 1, pt.n - (size_t)(colon - pt.s) - 1 };

		t.n = (size_t)(colon - pt.s);
		if (num_of(pl, num, &nth))
			return -1;
		if (nth == 0 || nth > UINT32_MAX)
			return fail(pl, pt, "N is 1 to %u", UINT32_MAX);
	}
	v = name_index(t, yield_point_name, YP_MAX);
	if (v < 0)
		return fail(pl, pt, "unknown yield point (docs/trace-format.md, "
			    "interleave)");
	o->ilv_point = (uint8_t)v;
	o->ilv_nth = (uint32_t)nth;
	if (no_more(pl))
		return -1;
	if (arrow) {
		const char *p = arrow + 2;

		pl->end = end;
		if (!lex(&p, end, &t))
			return fail(pl, (struct tok){ arrow, 2 }, "missing "
				    "outcome after '=>'");
		v = name_index(t, ilv_status_name, INTERLEAVE_STATUS_MAX);
		if (v < 0)
			return fail(pl, t, "unknown outcome (ran, impossible, "
				    "unreached, no-page, frame-gone)");
		o->ilv_expect = (uint8_t)v;
		if (lex(&p, end, &t))
			return fail(pl, t, "extra argument");
	}
	pl->ilv_pending = true;
	return 0;
}

static int parse_line(struct pline *pl, const char *body, size_t n)
{
	const char *end = body + n, *arrow = NULL;
	const struct command *c = NULL;
	uint32_t fail_nth = 0;
	uint8_t fail_flags = 0;

	for (const char *q = body; q + 1 < end; q++) {
		if (q[0] == '=' && q[1] == '>') {
			arrow = q;
			break;
		}
	}
	pl->p = body;
	pl->end = arrow ? arrow : end;
	if (!lex(&pl->p, pl->end, &pl->cmd))
		return fail(pl, (struct tok){ arrow, 2 }, "missing command");
	if (tok_is(pl->cmd, "interleave"))
		return parse_interleave(pl, arrow, end);
	if (tok_is(pl->cmd, "fail-nth") &&
	    parse_fail_nth(pl, &fail_nth, &fail_flags))
		return -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (tok_is(pl->cmd, commands[i].name))
			c = &commands[i];
	if (!c)
		return fail(pl, pl->cmd, "unknown command");
	memset(&pl->op, 0, sizeof(pl->op));
	pl->op.kind = (uint8_t)c->kind;
	pl->op.line = pl->lineno;
	if (fail_nth && op_is_check(&pl->op))
		return fail(pl, pl->cmd, "fail-nth applies to an operation, "
			    "not to an expectation or dump");
	pl->op.fail_nth = fail_nth;
	pl->op.flags = fail_flags;
	if (pl->ilv_pending) {
		if (op_is_check(&pl->op))
			return fail(pl, pl->cmd, "interleave applies to an "
				    "operation, not to an expectation or dump");
		pl->op.ilv_walker = pl->ilv.ilv_walker;
		pl->op.ilv_point = pl->ilv.ilv_point;
		pl->op.ilv_expect = pl->ilv.ilv_expect;
		pl->op.ilv_proc = pl->ilv.ilv_proc;
		pl->op.ilv_nth = pl->ilv.ilv_nth;
		pl->op.ilv_line = pl->ilv.ilv_line;
		pl->op.ilv_addr = pl->ilv.ilv_addr;
		pl->ilv_pending = false;
	}
	if (c->parse(pl) || no_more(pl))
		return -1;
	if (arrow && parse_result(pl, (struct tok){ arrow, 2 }, arrow + 2, end))
		return -1;
	if (create_names(pl))
		return -1;
	if (op_stream_push(pl->s, &pl->op))
		return fail(pl, pl->cmd, "out of memory");
	return 0;
}

int trace_parse(const char *path, const char *text, size_t len,
		struct op_stream *s, struct trace_error *err)
{
	struct pline pl = { .s = s, .err = err };
	const char *line, *body;
	size_t pos = 0, n, bn;

	memset(err, 0, sizeof(*err));
	err->path = path;
	while (next_line(text, len, &pos, &line, &n)) {
		if (pl.lineno == UINT32_MAX)
			return fail(&pl, (struct tok){ "", 0 }, "too many lines");
		pl.lineno++;
		bn = line_body(line, n, &body);
		if (bn && parse_line(&pl, body, bn))
			return -1;
	}
	if (pl.ilv_pending) {
		pl.lineno = pl.ilv.ilv_line;
		return fail(&pl, (struct tok){ "", 0 }, "interleave needs an "
			    "operation on a line after it");
	}
	return 0;
}

int trace_error_format(const struct trace_error *err, char *buf, size_t len)
{
	const char *path = err->path ? err->path : "<trace>";

	if (!err->token[0])
		return snprintf(buf, len, "%s:%u: error: %s", path, err->line,
				err->msg);
	return snprintf(buf, len, "%s:%u: error: %s near '%s'", path,
			err->line, err->msg, err->token);
}
