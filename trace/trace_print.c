/*
 * trace_print.c - op stream to .rmt text (trace.h), the inverse of
 * trace_parse: one canonical line per op, numbers in lowercase 0x hex,
 * mremap options in the order maymove, fixed, dontunmap.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/op_interleave.h"
#include "trace/trace.h"

/* An snprintf that appends at b->n and keeps counting past the end. */
struct out {
	char *buf;
	size_t len, n;
	bool bad;             /* an id had no name */
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(b->n < b->len ? b->buf + b->n : NULL,
		      b->n < b->len ? b->len - b->n : 0, fmt, ap);
	va_end(ap);
	if (r < 0)
		b->bad = true;
	else
		b->n += (size_t)r;
}

static const char *proc(struct out *b, const struct op_stream *s, unsigned id)
{
	const char *name = op_stream_proc_name(s, id);

	if (!name)
		b->bad = true;
	return name ? name : "?";
}

static const char *prot_name(struct out *b, unsigned prot)
{
	switch (prot) {
	case PROT_NONE_:
		return "none";
	case PROT_R:
		return "r";
	case PROT_RW:
		return "rw";
	}
	b->bad = true;
	return "?";
}

static const char *advice_name(struct out *b, unsigned advice)
{
	const char *name = op_advice_name(advice);

	if (!name)
		b->bad = true;
	return name ? name : "?";
}

static void put_ref(struct out *b, const struct op_stream *s, unsigned id,
		    uint64_t addr)
{
	put(b, " %s:0x%" PRIx64, proc(b, s, id), addr);
}

static void put_mmap(struct out *b, const struct op_stream *s,
		     const struct op *op)
{
	const char *file;

	put(b, " 0x%" PRIx64 " %s ", op->len, prot_name(b, op->prot));
	if (op->flags & OPF_ANON) {
		put(b, "anon");
	} else {
		file = op_stream_file_name(s, op->file);
		if (!file)
			b->bad = true;
		put(b, "%s@0x%" PRIx64, file ? file : "?", op->off);
	}
	put(b, " %s", op->flags & OPF_SHARED ? "shared" : "private");
	if (op->flags & OPF_GROWSDOWN)
		put(b, " growsdown");
}

static void put_mremap(struct out *b, const struct op *op)
{
	put(b, " 0x%" PRIx64 " 0x%" PRIx64, op->len, op->newlen);
	if (op->flags & OPF_MAYMOVE)
		put(b, " maymove");
	if (op->flags & OPF_FIXED)
		put(b, " fixed 0x%" PRIx64, op->addr2);
	if (op->flags & OPF_DONTUNMAP)
		put(b, " dontunmap");
}

static void put_expect_map(struct out *b, const struct op_stream *s,
			   const struct op *op)
{
	put_ref(b, s, op->proc, op->addr);
	put(b, " =");
	if ((uint64_t)op->refs + op->nrefs > s->nrefs) {
		b->bad = true;
		return;
	}
	for (uint32_t i = 0; i < op->nrefs; i++)
		put_ref(b, s, s->refs[op->refs + i].proc,
			s->refs[op->refs + i].addr);
}

/* Everything after the command word. */
static void put_args(struct out *b, const struct op_stream *s,
		     const struct op *op)
{
	const char *file;

	switch (op->kind) {
	case OP_MMAP:
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MREMAP:
	case OP_MADVISE:
		put(b, " %s 0x%" PRIx64, proc(b, s, op->proc), op->addr);
		if (op->kind == OP_MMAP)
			put_mmap(b, s, op);
		else if (op->kind == OP_MREMAP)
			put_mremap(b, op);
		else
			put(b, " 0x%" PRIx64, op->len);
		if (op->kind == OP_MPROTECT)
			put(b, " %s", prot_name(b, op->prot));
		if (op->kind == OP_MADVISE)
			put(b, " %s", advice_name(b, op->advice));
		break;
	case OP_FORK:
		put(b, " %s %s", proc(b, s, op->proc), proc(b, s, op->proc2));
		break;
	case OP_UFFD_MOVE:
		put(b, " %s 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64,
		    proc(b, s, op->proc), op->addr, op->addr2, op->len);
		if (op->flags & OPF_SRC_HOLES)
			put(b, " allow-src-holes");
		break;
	case OP_EXIT:
		put(b, " %s", proc(b, s, op->proc));
		break;
	case OP_FILL:
		if (op->len > 255)      /* no line says it: BYTE is 0 to 255 */
			b->bad = true;
		put(b, " %s 0x%" PRIx64 " %" PRIu64, proc(b, s, op->proc),
		    op->addr, op->len);
		break;
	case OP_KSM_SCAN:
		break;
	case OP_THP_SIZES:      /* issue 19: 16K,64K,2M, smallest first */
		if (!op->len || op->len >> (THP_PMD_ORDER + 1) ||
		    op->len & ((1u << THP_MIN_ORDER) - 1))
			b->bad = true;
		for (unsigned o = THP_MIN_ORDER, n = 0; o <= THP_PMD_ORDER; o++)
			if (op->len & (1ULL << o))
				put(b, "%s%llu%s", n++ ? "," : " ",
				    o >= 8 ? 1ULL << (o - 8) : 4ULL << o,
				    o >= 8 ? "M" : "K");
		break;
	case OP_FILE:
		file = op_stream_file_name(s, op->file);
		if (!file)
			b->bad = true;
		put(b, " %s 0x%" PRIx64, file ? file : "?", op->len);
		break;
	case OP_READ:
	case OP_WRITE:
	case OP_MIGRATE:
	case OP_PAGEOUT:
	case OP_AGE:
		put(b, " %s 0x%" PRIx64, proc(b, s, op->proc), op->addr);
		break;
	case OP_EXPECT_MAP:
		put_expect_map(b, s, op);
		break;
	case OP_EXPECT_SAME:
	case OP_EXPECT_DIFF:
		put_ref(b, s, op->proc, op->addr);
		put_ref(b, s, op->proc2, op->addr2);
		break;
	case OP_EXPECT_ZERO:
	case OP_EXPECT_NONE:
		put_ref(b, s, op->proc, op->addr);
		break;
	}
}

/*
 * "interleave WALKER P:ADDR at POINT[:N] [=> STATUS]" and its newline: the
 * line before the op that carries it (docs/trace-format.md, Extensions)
 */
static void put_interleave(struct out *b, const struct op_stream *s,
			   const struct op *op)
{
	const char *walker = ilv_walker_name(op->ilv_walker);
	const char *point = yield_point_name(op->ilv_point);

	if (!walker || !point) {
		b->bad = true;
		return;
	}
	put(b, "interleave %s", walker);
	put_ref(b, s, op->ilv_proc, op->ilv_addr);
	put(b, " at %s", point);
	if (op->ilv_nth > 1)
		put(b, ":%" PRIu32, op->ilv_nth);
	if (op->ilv_expect && ilv_status_name(op->ilv_expect))
		put(b, " => %s", ilv_status_name(op->ilv_expect));
	put(b, "\n");
}

int trace_print_op(const struct op_stream *s, const struct op *op,
		   char *buf, size_t len)
{
	struct out b = { .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	if (!op_kind_name(op->kind))
		return -1;
	if (op->ilv_walker && !op_is_check(op))
		put_interleave(&b, s, op);
	if (op->fail_nth && !op_is_check(op))
		put(&b, "fail-nth %" PRIu32 "%s ", op->fail_nth,
		    op->flags & OPF_FAIL_BACKEND ? " backend" : "");
	put(&b, "%s", op_kind_name(op->kind));
	put_args(&b, s, op);
	if (b.bad || b.n > INT32_MAX)
		return -1;
	return (int)b.n;
}

int trace_print(FILE *out, const struct op_stream *s)
{
	char line[256], res[32], *big = NULL;

	for (uint32_t i = 0; i < s->nops; i++) {
		const struct op *op = &s->ops[i];
		char *p = line;
		int n = trace_print_op(s, op, line, sizeof(line));

		if (n < 0)
			goto fail;
		if ((size_t)n >= sizeof(line)) {
			/* a long expect-map */
			free(big);
			big = malloc((size_t)n + 1);
			if (!big)
				goto fail;
			trace_print_op(s, op, big, (size_t)n + 1);
			p = big;
		}
		/* "referenced=N" parses back only on an age line */
		if (op->flags & OPF_HAS_EXPECT && !op_is_check(op) &&
		    op->kind != OP_AGE && op->expect > 0)
			goto fail;
		if (op->flags & OPF_HAS_EXPECT && !op_is_check(op))
			fprintf(out, "%s => %s\n", p,
				trace_result_name(op->kind, op->expect, res));
		else
			fprintf(out, "%s\n", p);
	}
	free(big);
	return ferror(out) ? -1 : 0;
fail:
	free(big);
	return -1;
}

char *trace_print_text(const struct op_stream *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	if (trace_print(f, s)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}
