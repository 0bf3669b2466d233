/*
 * op_stream.c - building op streams (trace.h): growing arrays, name tables,
 * cutting ops out as a parse of the printed rest would, and the equality
 * that the round-trip property is stated in.
 *
 * Names are looked up linearly: streams name a handful of processes, and the
 * ids must stay dense and ordered by first creation anyway.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

/* Grow *ARR (elements of SIZE) so that it holds at least N + 1 elements. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t size)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= UINT32_MAX / 2)
		return -ENOMEM;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, (size_t)ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int op_stream_init(struct op_stream *s)
{
	memset(s, 0, sizeof(*s));
	return op_stream_proc_id(s, "p0") == 0 ? 0 : -ENOMEM;
}

void op_stream_free(struct op_stream *s)
{
	free(s->ops);
	free(s->refs);
	free(s->proc_names);
	free(s->file_names);
	memset(s, 0, sizeof(*s));
}

int op_stream_reset(struct op_stream *s)
{
	s->nops = s->nrefs = s->nprocs = s->nfiles = 0;
	return op_stream_proc_id(s, "p0") == 0 ? 0 : -ENOMEM;
}

int op_stream_push(struct op_stream *s, const struct op *op)
{
	if (grow((void **)&s->ops, &s->cap_ops, s->nops, sizeof(*op)))
		return -ENOMEM;
	s->ops[s->nops++] = *op;
	return 0;
}

int op_stream_push_ref(struct op_stream *s, const struct mref *ref)
{
	if (grow((void **)&s->refs, &s->cap_refs, s->nrefs, sizeof(*ref)))
		return -ENOMEM;
	s->refs[s->nrefs++] = *ref;
	return 0;
}

static bool valid_name(const char *name)
{
	size_t i;

	if (name[0] < 'a' || name[0] > 'z')
		return false;
	for (i = 1; name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return i < OP_NAME_MAX;
}

static int find_name(char (*tab)[OP_NAME_MAX], uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(tab[i], name))
			return (int)i;
	return -1;
}

static int intern(char (**tab)[OP_NAME_MAX], uint32_t *n, uint32_t *cap,
		  const char *name)
{
	int id;

	if (!valid_name(name))
		return -EINVAL;
	id = find_name(*tab, *n, name);
	if (id >= 0)
		return id;
	if (*n >= TRACE_MAX_NAMES)
		return -ENOSPC;
	if (grow((void **)tab, cap, *n, OP_NAME_MAX))
		return -ENOMEM;
	strcpy((*tab)[*n], name);
	return (int)(*n)++;
}

int op_stream_proc_id(struct op_stream *s, const char *name)
{
	return intern(&s->proc_names, &s->nprocs, &s->cap_procs, name);
}

int op_stream_file_id(struct op_stream *s, const char *name)
{
	return intern(&s->file_names, &s->nfiles, &s->cap_files, name);
}

int op_stream_find_proc(const struct op_stream *s, const char *name)
{
	return find_name(s->proc_names, s->nprocs, name);
}

int op_stream_find_file(const struct op_stream *s, const char *name)
{
	return find_name(s->file_names, s->nfiles, name);
}

const char *op_stream_proc_name(const struct op_stream *s, unsigned id)
{
	return id < s->nprocs ? s->proc_names[id] : NULL;
}

const char *op_stream_file_name(const struct op_stream *s, unsigned id)
{
	return id < s->nfiles ? s->file_names[id] : NULL;
}

/* ---- what a line prints ------------------------------------------------ */

/* Which fields of struct op a kind uses: the printer prints exactly these. */
enum {
	U_PROC = 1 << 0, U_PROC2 = 1 << 1, U_FILE = 1 << 2, U_ADDR = 1 << 3,
	U_LEN = 1 << 4, U_NEWLEN = 1 << 5, U_ADDR2 = 1 << 6, U_OFF = 1 << 7,
	U_PROT = 1 << 8, U_REFS = 1 << 9, U_ADVICE = 1 << 10,
};

static unsigned used_fields(const struct op *op)
{
	switch (op->kind) {
	case OP_MMAP:
		return U_PROC | U_ADDR | U_LEN | U_PROT |
		       (op->flags & OPF_ANON ? 0 : U_FILE | U_OFF);
	case OP_MUNMAP:
		return U_PROC | U_ADDR | U_LEN;
	case OP_MADVISE:
		return U_PROC | U_ADDR | U_LEN | U_ADVICE;
	case OP_MPROTECT:
		return U_PROC | U_ADDR | U_LEN | U_PROT;
	case OP_UFFD_MOVE:
		return U_PROC | U_ADDR | U_ADDR2 | U_LEN;
	case OP_MREMAP:
		return U_PROC | U_ADDR | U_LEN | U_NEWLEN |
		       (op->flags & OPF_FIXED ? U_ADDR2 : 0);
	case OP_FORK:
		return U_PROC | U_PROC2;
	case OP_EXIT:
		return U_PROC;
	case OP_THP_SIZES:
		return U_LEN;
	case OP_FILL:           /* len: BYTE */
		return U_PROC | U_ADDR | U_LEN;
	case OP_FILE:
		return U_FILE | U_LEN;
	case OP_READ: case OP_WRITE: case OP_MIGRATE: case OP_PAGEOUT:
	case OP_AGE: case OP_EXPECT_ZERO: case OP_EXPECT_NONE:
		return U_PROC | U_ADDR;
	case OP_EXPECT_SAME:
	case OP_EXPECT_DIFF:
		return U_PROC | U_ADDR | U_PROC2 | U_ADDR2;
	case OP_EXPECT_MAP:
		return U_PROC | U_ADDR | U_REFS;
	default:
		return 0;
	}
}

/* The OPF_* bits that mean something for a kind. */
static unsigned used_flags(unsigned kind)
{
	unsigned f = kind < OP_EXPECT_MAP || kind > OP_DUMP ? OPF_HAS_EXPECT : 0;

	if (kind == OP_MMAP)
		f |= OPF_SHARED | OPF_ANON | OPF_GROWSDOWN;
	if (kind == OP_MREMAP)
		f |= OPF_MAYMOVE | OPF_FIXED | OPF_DONTUNMAP;
	if (kind == OP_UFFD_MOVE)
		f |= OPF_SRC_HOLES;
	return f;
}

/* ---- cutting ---------------------------------------------------------- */

/* OP with only what its printed line holds (names still S's ids). */
static struct op as_printed(const struct op *op)
{
	unsigned u = used_fields(op);
	struct op p = {
		.kind = op->kind,
		.flags = (uint8_t)(op->flags & used_flags(op->kind)),
	};

	if (p.flags & OPF_HAS_EXPECT)
		p.expect = op->expect;
	if (!op_is_check(op) && op->fail_nth) {
		p.fail_nth = op->fail_nth;
		p.flags |= op->flags & OPF_FAIL_BACKEND;
	}
	if (!op_is_check(op) && op->ilv_walker) {
		p.ilv_walker = op->ilv_walker;
		p.ilv_point = op->ilv_point;
		p.ilv_expect = op->ilv_expect;
		p.ilv_proc = op->ilv_proc;
		p.ilv_nth = op->ilv_nth > 1 ? op->ilv_nth : 1;
		p.ilv_addr = op->ilv_addr;
	}
	if (u & U_PROC)
		p.proc = op->proc;
	if (u & U_PROC2)
		p.proc2 = op->proc2;
	if (u & U_FILE)
		p.file = op->file;
	if (u & U_ADDR)
		p.addr = op->addr;
	if (u & U_LEN)
		p.len = op->len;
	if (u & U_NEWLEN)
		p.newlen = op->newlen;
	if (u & U_ADDR2)
		p.addr2 = op->addr2;
	if (u & U_OFF)
		p.off = op->off;
	if (u & U_PROT)
		p.prot = op->prot;
	if (u & U_ADVICE)
		p.advice = op->advice;
	return p;
}

/* Process (or FILE) *ID of S as OUT's id, which an earlier op created. */
static int id_in(const struct op_stream *s, const struct op_stream *out,
		 bool file, uint16_t *id)
{
	const char *name = file ? op_stream_file_name(s, *id)
				: op_stream_proc_name(s, *id);
	int i = !name ? -1 : file ? op_stream_find_file(out, name)
				  : op_stream_find_proc(out, name);

	if (i < 0)
		return -EINVAL;
	*id = (uint16_t)i;
	return 0;
}

/* The expect-map references of OP (of S) pushed onto OUT for P. */
static int refs_in(const struct op_stream *s, const struct op *op,
		   struct op_stream *out, struct op *p)
{
	if ((uint64_t)op->refs + op->nrefs > s->nrefs)
		return -EINVAL;
	p->refs = out->nrefs;
	for (uint32_t i = 0; i < op->nrefs; i++) {
		struct mref r = s->refs[op->refs + i];

		if (id_in(s, out, false, &r.proc))
			return -EINVAL;
		if (op_stream_push_ref(out, &r))
			return -ENOMEM;
		p->nrefs++;
	}
	return 0;
}

/* What a fork (its child) or a file op (its file) creates, interned in OUT. */
static int create_in(const struct op_stream *s, struct op_stream *out,
		     struct op *p)
{
	const char *name;
	int id;

	if (p->kind == OP_FORK) {
		name = op_stream_proc_name(s, p->proc2);
		if (!name || !strcmp(name, out->proc_names[p->proc]))
			return -EINVAL;
		id = op_stream_proc_id(out, name);
	} else {
		name = op_stream_file_name(s, p->file);
		if (!name)
			return -EINVAL;
		id = op_stream_file_id(out, name);
	}
	if (id < 0)
		return id == -ENOMEM ? -ENOMEM : -EINVAL;
	if (p->kind == OP_FORK)
		p->proc2 = (uint16_t)id;
	else
		p->file = (uint16_t)id;
	return 0;
}

/* OP of S appended to OUT as trace_parse builds it from its printed line. */
static int push_as_parsed(const struct op_stream *s, const struct op *op,
			  struct op_stream *out)
{
	unsigned u = used_fields(op);
	struct op p = as_printed(op);
	int err = 0;

	if (u & U_PROC)
		err = id_in(s, out, false, &p.proc);
	if (!err && u & U_PROC2 && p.kind != OP_FORK)
		err = id_in(s, out, false, &p.proc2);
	if (!err && u & U_FILE && p.kind != OP_FILE)
		err = id_in(s, out, true, &p.file);
	if (!err && u & U_REFS)
		err = refs_in(s, op, out, &p);
	/* the interleave line comes first: its process is one named before */
	if (!err && p.ilv_walker)
		err = id_in(s, out, false, &p.ilv_proc);
	if (!err && (p.kind == OP_FORK || p.kind == OP_FILE))
		err = create_in(s, out, &p);
	if (err)
		return err;
	/* its line in the printed text, where an interleave takes one more */
	p.line = (out->nops ? out->ops[out->nops - 1].line : 0) +
		 (p.ilv_walker ? 2 : 1);
	p.ilv_line = p.ilv_walker ? p.line - 1 : 0;
	return op_stream_push(out, &p);
}

int op_stream_cut(const struct op_stream *s, uint32_t from, uint32_t to,
		  struct op_stream *out)
{
	int err = 0;

	for (uint32_t i = 0; i < s->nops && !err; i++)
		if (i < from || i >= to)
			err = push_as_parsed(s, &s->ops[i], out);
	return err;
}

/* ---- equality --------------------------------------------------------- */

static bool same_name(const char *x, const char *y)
{
	return x && y && !strcmp(x, y);
}

static bool same_refs(const struct op_stream *a, const struct op *x,
		      const struct op_stream *b, const struct op *y)
{
	if (x->nrefs != y->nrefs ||
	    (uint64_t)x->refs + x->nrefs > a->nrefs ||
	    (uint64_t)y->refs + y->nrefs > b->nrefs)
		return false;
	for (uint32_t i = 0; i < x->nrefs; i++) {
		const struct mref *r = &a->refs[x->refs + i];
		const struct mref *q = &b->refs[y->refs + i];

		if (r->addr != q->addr ||
		    !same_name(op_stream_proc_name(a, r->proc),
			       op_stream_proc_name(b, q->proc)))
			return false;
	}
	return true;
}

/* an op's fail-nth as its line prints it: checks carry none */
static uint32_t fail_nth_of(const struct op *op)
{
	return op_is_check(op) ? 0 : op->fail_nth;
}

/* the interleave lines of X (of A) and Y (of B) differ (checks carry none) */
static bool interleave_differs(const struct op_stream *a, const struct op *x,
			       const struct op_stream *b, const struct op *y)
{
	unsigned wx = op_is_check(x) ? 0 : x->ilv_walker;
	unsigned wy = op_is_check(y) ? 0 : y->ilv_walker;

	if (wx != wy)
		return true;
	return wx && (x->ilv_point != y->ilv_point ||
		      (x->ilv_nth > 1 ? x->ilv_nth : 1) !=
		      (y->ilv_nth > 1 ? y->ilv_nth : 1) ||
		      x->ilv_expect != y->ilv_expect ||
		      x->ilv_addr != y->ilv_addr ||
		      !same_name(op_stream_proc_name(a, x->ilv_proc),
				 op_stream_proc_name(b, y->ilv_proc)));
}

/* The first field in which X (of A) and Y (of B) differ, or NULL. */
static const char *op_diff(const struct op_stream *a, const struct op *x,
			   const struct op_stream *b, const struct op *y)
{
	unsigned u = used_fields(x), f = used_flags(x->kind);

	if (x->kind != y->kind)
		return "kind";
	if ((x->flags ^ y->flags) & f)
		return "flags";
	if (x->flags & f & OPF_HAS_EXPECT && x->expect != y->expect)
		return "expect";
	if (fail_nth_of(x) != fail_nth_of(y) ||
	    (fail_nth_of(x) && (x->flags ^ y->flags) & OPF_FAIL_BACKEND))
		return "fail-nth";
	if (interleave_differs(a, x, b, y))
		return "interleave";
	if (u & U_PROC && !same_name(op_stream_proc_name(a, x->proc),
				     op_stream_proc_name(b, y->proc)))
		return "proc";
	if (u & U_PROC2 && !same_name(op_stream_proc_name(a, x->proc2),
				      op_stream_proc_name(b, y->proc2)))
		return "proc2";
	if (u & U_FILE && !same_name(op_stream_file_name(a, x->file),
				     op_stream_file_name(b, y->file)))
		return "file";
	if (u & U_ADDR && x->addr != y->addr)
		return "addr";
	if (u & U_LEN && x->len != y->len)
		return "len";
	if (u & U_NEWLEN && x->newlen != y->newlen)
		return "newlen";
	if (u & U_ADDR2 && x->addr2 != y->addr2)
		return "addr2";
	if (u & U_OFF && x->off != y->off)
		return "off";
	if (u & U_PROT && x->prot != y->prot)
		return "prot";
	if (u & U_ADVICE && x->advice != y->advice)
		return "advice";
	if (u & U_REFS && !same_refs(a, x, b, y))
		return "refs";
	return NULL;
}

bool op_stream_equal(const struct op_stream *a, const struct op_stream *b,
		     char *why, size_t whylen)
{
	uint32_t n = a->nops < b->nops ? a->nops : b->nops;

	for (uint32_t i = 0; i < n; i++) {
		const char *field = op_diff(a, &a->ops[i], b, &b->ops[i]);

		if (field) {
			if (why)
				snprintf(why, whylen,
					 "op %u (lines %u/%u): %s differs",
					 i, a->ops[i].line, b->ops[i].line,
					 field);
			return false;
		}
	}
	if (a->nops != b->nops) {
		if (why)
			snprintf(why, whylen, "%u ops vs %u ops",
				 a->nops, b->nops);
		return false;
	}
	return true;
}
