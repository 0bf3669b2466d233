/*
 * encode.c - op stream to fuzz input bytes (codec.h), and canonical(s), the
 * stream those bytes decode to.
 *
 * Both walk the stream once with the same bookkeeping (struct naming): a
 * process or file gets its canonical index when it is created, by a fork
 * that names a new child or a file op that names a new file, exactly when
 * the decoder would create p<i> / f<i>.  The encoder writes only the forms
 * of the byte format that do not depend on the decoder's guesses (which
 * processes are alive, which addresses are recent): absolute names, window
 * or raw addresses, page or raw lengths.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/op_interleave.h"
#include "trace/codec.h"

/* ---- names in creation order -------------------------------------------- */

struct naming {
	const struct op_stream *s;
	int32_t *proc;          /* [s->nprocs]: stream id -> index, -1: not yet */
	int32_t *file;          /* [s->nfiles] */
	uint32_t nprocs, nfiles; /* created so far */
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3)))
static int invalid(struct naming *nm, const char *fmt, ...)
{
	va_list ap;

	if (nm->why && nm->whylen) {
		va_start(ap, fmt);
		vsnprintf(nm->why, nm->whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void naming_free(struct naming *nm)
{
	free(nm->proc);
	free(nm->file);
	nm->proc = nm->file = NULL;
}

static int naming_init(struct naming *nm, const struct op_stream *s,
		       char *why, size_t whylen)
{
	memset(nm, 0, sizeof(*nm));
	nm->s = s;
	nm->why = why;
	nm->whylen = whylen;
	if (why && whylen)
		why[0] = '\0';
	nm->proc = malloc((s->nprocs + 1) * sizeof(*nm->proc));
	nm->file = malloc((s->nfiles + 1) * sizeof(*nm->file));
	if (!nm->proc || !nm->file) {
		naming_free(nm);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < s->nprocs; i++)
		nm->proc[i] = -1;
	for (uint32_t i = 0; i < s->nfiles; i++)
		nm->file[i] = -1;
	if (s->nprocs == 0)
		return invalid(nm, "the stream has no process table (not "
			       "made by op_stream_init)");
	nm->proc[0] = 0;        /* p0 exists from the start */
	nm->nprocs = 1;
	return 0;
}

static bool uses_proc(unsigned kind)
{
	return (kind >= OP_MMAP && kind <= OP_AGE && kind != OP_FILE) ||
	       kind == OP_UFFD_MOVE || kind == OP_FILL;
}

static bool uses_file(const struct op *op)
{
	return op->kind == OP_FILE ||
	       (op->kind == OP_MMAP && !(op->flags & OPF_ANON));
}

/* op I's interleave: what the ILV field can say (trace/codec.h) */
static int naming_ilv(struct naming *nm, uint32_t i, const struct op *op)
{
	if (op->ilv_walker >= ILV_WALKER_MAX || !op->ilv_point ||
	    op->ilv_point >= YP_MAX)
		return invalid(nm, "op %u (line %u): unknown interleave walker "
			       "%u or point %u", i, op->line, op->ilv_walker,
			       op->ilv_point);
	if (op->ilv_nth > 256)
		return invalid(nm, "op %u (line %u): interleave at pass %u: "
			       "the codec carries N up to 256", i, op->line,
			       op->ilv_nth);
	if (op->ilv_proc >= nm->s->nprocs || nm->proc[op->ilv_proc] < 0)
		return invalid(nm, "op %u (line %u): the interleave names a "
			       "process no earlier fork created", i, op->line);
	return 0;
}

/*
 * Account for op I (not a check): its names must exist, and a fork / file
 * op that names something new creates it.  *NEW_NAME tells whether it did.
 */
static int naming_op(struct naming *nm, uint32_t i, bool *new_name)
{
	const struct op *op = &nm->s->ops[i];
	const struct op_stream *s = nm->s;

	*new_name = false;
	if ((op->kind < OP_MMAP || op->kind > OP_AGE) &&
	    op->kind != OP_UFFD_MOVE && op->kind != OP_FILL &&
	    op->kind != OP_KSM_SCAN && op->kind != OP_THP_SIZES)
		return invalid(nm, "op %u (line %u): unknown op kind %u", i,
			       op->line, op->kind);
	if (op->kind == OP_THP_SIZES &&
	    (i || !op->len || op->len >> (THP_PMD_ORDER + 1) ||
	     op->len & ((1u << THP_MIN_ORDER) - 1)))
		return invalid(nm, "op %u (line %u): thp-sizes is the first op, "
			       "with sizes of 16K to 2M", i, op->line);
	if (op->ilv_walker && naming_ilv(nm, i, op))
		return -EINVAL;
	if (uses_proc(op->kind) &&
	    (op->proc >= s->nprocs || nm->proc[op->proc] < 0))
		return invalid(nm, "op %u (line %u): process '%s' is used "
			       "before a fork creates it", i, op->line,
			       op->proc < s->nprocs ? s->proc_names[op->proc]
						    : "?");
	if (op->kind == OP_FORK) {
		if (op->proc2 >= s->nprocs)
			return invalid(nm, "op %u (line %u): fork child id %u "
				       "has no name", i, op->line, op->proc2);
		if (op->proc2 == op->proc)
			return invalid(nm, "op %u (line %u): '%s' forks into "
				       "itself", i, op->line,
				       s->proc_names[op->proc]);
		if (nm->proc[op->proc2] < 0) {
			nm->proc[op->proc2] = (int32_t)nm->nprocs++;
			*new_name = true;
		}
	}
	if (uses_file(op)) {
		if (op->file >= s->nfiles)
			return invalid(nm, "op %u (line %u): file id %u has "
				       "no name", i, op->line, op->file);
		if (nm->file[op->file] < 0) {
			if (op->kind != OP_FILE)
				return invalid(nm, "op %u (line %u): file "
					       "'%s' is mapped before a file "
					       "op creates it", i, op->line,
					       s->file_names[op->file]);
			nm->file[op->file] = (int32_t)nm->nfiles++;
			*new_name = true;
		}
	}
	if (op->kind == OP_MADVISE && op->advice >= ADV_MAX)
		return invalid(nm, "op %u (line %u): unknown madvise advice "
			       "%u", i, op->line, op->advice);
	if (op->kind == OP_MMAP && op->flags & OPF_GROWSDOWN &&
	    (op->flags & (OPF_ANON | OPF_SHARED)) != OPF_ANON)
		return invalid(nm, "op %u (line %u): growsdown needs anon "
			       "private", i, op->line);
	if ((op->fail_nth || (op->ilv_walker && !codec_ext_has_ilv(op))) &&
	    codec_ext_kind_byte(op) >= 0)
		return invalid(nm, "op %u (line %u): %s on an extended "
			       "kind (%s %s) has no byte form", i, op->line,
			       op->fail_nth ? "fail-nth" : "interleave",
			       op_kind_name(op->kind),
			       op->kind == OP_MADVISE ?
			       op_advice_name(op->advice) :
			       op->kind == OP_MMAP ? "growsdown" : "");
	if ((op->kind == OP_MMAP || op->kind == OP_MPROTECT) &&
	    op->prot != PROT_NONE_ && op->prot != PROT_R && op->prot != PROT_RW)
		return invalid(nm, "op %u (line %u): PROT %u is none of none, "
			       "r, rw", i, op->line, op->prot);
	return 0;
}

/* ---- canonical(s) ------------------------------------------------------- */

int codec_canonical(const struct op_stream *s, struct op_stream *out,
		    char *why, size_t whylen)
{
	struct naming nm;
	char name[OP_NAME_MAX];
	bool created;
	uint32_t lines = 0;
	int err = naming_init(&nm, s, why, whylen);

	for (uint32_t i = 0; !err && i < s->nops; i++) {
		struct op op = s->ops[i];

		if (op_is_check(&op))
			continue;
		err = naming_op(&nm, i, &created);
		if (err)
			break;
		if (created && op.kind == OP_FORK) {
			snprintf(name, sizeof(name), "p%u", nm.nprocs - 1);
			err = op_stream_proc_id(out, name) < 0 ? -ENOMEM : 0;
		} else if (created) {
			snprintf(name, sizeof(name), "f%u", nm.nfiles - 1);
			err = op_stream_file_id(out, name) < 0 ? -ENOMEM : 0;
		}
		if (uses_proc(op.kind))
			op.proc = (uint16_t)nm.proc[op.proc];
		if (op.ilv_walker) {
			op.ilv_proc = (uint16_t)nm.proc[op.ilv_proc];
			op.ilv_nth = op.ilv_nth > 1 ? op.ilv_nth : 1;
		} else {
			op.ilv_point = 0;
			op.ilv_proc = 0;
			op.ilv_nth = 0;
			op.ilv_addr = 0;
		}
		op.ilv_expect = 0;
		if (op.kind == OP_FORK)
			op.proc2 = (uint16_t)nm.proc[op.proc2];
		if (uses_file(&op))
			op.file = (uint16_t)nm.file[op.file];
		op.flags &= (uint8_t)~OPF_HAS_EXPECT;
		if (!op.fail_nth)
			op.flags &= (uint8_t)~OPF_FAIL_BACKEND;
		op.expect = 0;
		op.refs = op.nrefs = 0;
		lines += op.ilv_walker ? 2 : 1;
		op.line = lines;
		op.ilv_line = op.ilv_walker ? lines - 1 : 0;
		if (!err)
			err = op_stream_push(out, &op);
	}
	naming_free(&nm);
	return err;
}

/* ---- bytes -------------------------------------------------------------- */

struct sink {
	uint8_t *buf;
	size_t n, cap;
	bool nomem;
	uint32_t max_pages;
};

static void put8(struct sink *k, unsigned v)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 256;
		uint8_t *p = k->nomem ? NULL : realloc(k->buf, cap);

		if (!p) {
			k->nomem = true;
			return;
		}
		k->buf = p;
		k->cap = cap;
	}
	k->buf[k->n++] = (uint8_t)v;
}

static void put_le(struct sink *k, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		put8(k, (unsigned)(v >> (8 * i)) & 0xff);
}

static void put_raw(struct sink *k, uint64_t v)
{
	put8(k, CODEC_ESCAPE);
	put_le(k, v, 8);
}

/* PROC: a canonical index, by name */
static void put_proc(struct sink *k, uint32_t i)
{
	if (i < CODEC_ESCAPE - CODEC_PROC_NAME) {
		put8(k, CODEC_PROC_NAME + i);
	} else {
		put8(k, CODEC_ESCAPE);
		put_le(k, i, 2);
	}
}

/* CHILD: a fresh name, or existing index I */
static void put_child(struct sink *k, bool fresh, uint32_t i)
{
	if (fresh) {
		put8(k, CODEC_CHILD_AUTO);
	} else if (i < CODEC_ESCAPE - CODEC_CHILD_NAME) {
		put8(k, CODEC_CHILD_NAME + i);
	} else {
		put8(k, CODEC_ESCAPE);
		put_le(k, i, 2);
	}
}

/* FILE: index I, I == nfiles (before the op) creating it */
static void put_file(struct sink *k, uint32_t i)
{
	if (i < CODEC_ESCAPE) {
		put8(k, i);
	} else {
		put8(k, CODEC_ESCAPE);
		put_le(k, i, 2);
	}
}

static void put_addr(struct sink *k, uint64_t a)
{
	uint64_t page = a / CODEC_PAGE;

	if (a % CODEC_PAGE) {
		put_raw(k, a);
	} else if (a >= CODEC_WINDOW_BASE &&
		   page - CODEC_WINDOW_BASE / CODEC_PAGE < CODEC_WINDOW_PAGES) {
		page -= CODEC_WINDOW_BASE / CODEC_PAGE;
		put8(k, (unsigned)(page >> 8));
		put8(k, (unsigned)(page & 0xff));
	} else if (page <= 0xff) {
		put8(k, CODEC_ADDR_LOW);
		put8(k, (unsigned)page);
	} else if (a <= CODEC_ADDR_TOP && (CODEC_ADDR_TOP - a) / CODEC_PAGE <= 0xff) {
		put8(k, CODEC_ADDR_HIGH);
		put8(k, (unsigned)((CODEC_ADDR_TOP - a) / CODEC_PAGE));
	} else {
		put_raw(k, a);
	}
}

static void put_len(struct sink *k, uint64_t len)
{
	uint64_t pages = len / CODEC_PAGE;

	if (len == 0)
		put8(k, CODEC_LEN_ZERO);
	else if (len % CODEC_PAGE == 0 && pages <= k->max_pages &&
		 pages <= CODEC_LEN_UNALIGN)
		put8(k, (unsigned)(pages - 1));
	else
		put_raw(k, len);
}

static void put_off(struct sink *k, uint64_t off)
{
	uint64_t pages = off / CODEC_PAGE;

	if (off % CODEC_PAGE == 0 && pages < k->max_pages &&
	    pages < CODEC_OFF_UNALIGN)
		put8(k, (unsigned)pages);
	else
		put_raw(k, off);
}

static unsigned protb(unsigned prot)
{
	return prot == PROT_RW ? 2 : prot == PROT_R ? 1 : 0;
}

static void put_mremap(struct sink *k, const struct op *op)
{
	unsigned fl = (op->flags & OPF_MAYMOVE ? CODEC_FL_MAYMOVE : 0) |
		      (op->flags & OPF_FIXED ? CODEC_FL_FIXED : 0) |
		      (op->flags & OPF_DONTUNMAP ? CODEC_FL_DONTUNMAP : 0) |
		      (op->newlen == op->len ? CODEC_FL_SAMELEN : 0);

	put_addr(k, op->addr);
	put_len(k, op->len);
	put8(k, fl);
	if (!(fl & CODEC_FL_SAMELEN))
		put_len(k, op->newlen);
	if (fl & CODEC_FL_FIXED)
		put_addr(k, op->addr2);
}

/* FAIL: fail-nth N, short for N <= 127 */
static void put_fail(struct sink *k, const struct op *op)
{
	unsigned site = op->flags & OPF_FAIL_BACKEND ? CODEC_FAIL_BACKEND : 0;

	if (op->fail_nth <= CODEC_FAIL_RAW) {
		put8(k, site | (op->fail_nth - 1));
		return;
	}
	put8(k, site | CODEC_FAIL_RAW);
	for (unsigned i = 0; i < 4; i++)
		put8(k, (op->fail_nth >> (8 * i)) & 0xff);
}

/*
 * ILV: the op's interleaving (naming_ilv checked it), then its FAIL.  The
 * short form when w can say it, byte for byte what was written before the
 * escape existed; else w & 3 == 3 and x: walker - 1's low bits in bits
 * 0-1 and its third in bit 7, point - 1 in bits 2-6 (decode.c's
 * _Static_asserts keep both within their bits).
 */
static void put_ilv(struct sink *k, const struct naming *nm,
		    const struct op *op)
{
	unsigned v = ((op->ilv_walker - 1u) & 3) | (op->ilv_point - 1u) << 2 |
		     ((op->ilv_walker - 1u) >> 2) << 7;
	bool escape = op->ilv_walker > ILV_WALKER_AGE ||
		      op->ilv_point > CODEC_ILV_SHORT_POINTS;
	unsigned w = escape ? CODEC_ILV_X : v;

	if (op->ilv_nth > 1)
		w |= CODEC_ILV_NTH;
	if (op->fail_nth)
		w |= CODEC_ILV_FAIL;
	put8(k, w);
	if (escape)
		put8(k, v);
	if (op->ilv_nth > 1)
		put8(k, op->ilv_nth - 1);
	put_proc(k, (uint32_t)nm->proc[op->ilv_proc]);
	put8(k, CODEC_IADDR_ADDR);
	put_addr(k, op->ilv_addr);
	if (op->fail_nth)
		put_fail(k, op);
}

/* One op; NM already accounts for it (NEW: it created its name). */
static void put_op(struct sink *k, const struct naming *nm,
		   const struct op *op, bool created)
{
	int ext = codec_ext_kind_byte(op);

	/* naming_op() refused a fail-nth, or an interleave on an extended
	 * kind other than codec_ext_has_ilv()'s */
	if (ext >= 0)
		put8(k, (unsigned)ext);
	else
		put8(k, (unsigned)codec_kind_byte(op->kind) |
			(op->ilv_walker ? CODEC_KIND_ILV :
			 op->fail_nth ? CODEC_KIND_FAIL : 0));
	if (op->ilv_walker)     /* after the KIND byte, extended or not */
		put_ilv(k, nm, op);
	else if (op->fail_nth)
		put_fail(k, op);
	if (uses_proc(op->kind))
		put_proc(k, (uint32_t)nm->proc[op->proc]);
	switch (op->kind) {
	case OP_MMAP:
		put_addr(k, op->addr);
		put_len(k, op->len);
		put8(k, protb(op->prot) |
			(op->flags & OPF_SHARED ? CODEC_MODE_SHARED : 0) |
			(op->flags & OPF_ANON ? 0 : CODEC_MODE_FILE));
		if (!(op->flags & OPF_ANON)) {
			put_file(k, (uint32_t)nm->file[op->file]);
			put_off(k, op->off);
		}
		break;
	case OP_MUNMAP:
	case OP_MADVISE:
	case OP_MPROTECT:
		put_addr(k, op->addr);
		put_len(k, op->len);
		if (op->kind == OP_MPROTECT)
			put8(k, protb(op->prot));
		break;
	case OP_UFFD_MOVE:
		put_addr(k, op->addr);
		put_addr(k, op->addr2);
		put_len(k, op->len);
		put8(k, op->flags & OPF_SRC_HOLES ? 1 : 0);
		break;
	case OP_MREMAP:
		put_mremap(k, op);
		break;
	case OP_FILL:
		put_addr(k, op->addr);
		put8(k, op->len & 0xff);
		break;
	case OP_KSM_SCAN:
		break;
	case OP_FORK:
		put_child(k, created, (uint32_t)nm->proc[op->proc2]);
		break;
	case OP_EXIT:
		break;
	case OP_FILE:
		put_file(k, (uint32_t)nm->file[op->file]);
		put_len(k, op->len);
		break;
	case OP_THP_SIZES:
		put8(k, (unsigned)(op->len >> THP_MIN_ORDER));
		break;
	default:        /* read, write, migrate, pageout, age */
		put_addr(k, op->addr);
		break;
	}
}

int encode_ops(const struct op_stream *s, const struct decode_limits *lim,
	       uint8_t **out, size_t *len, char *why, size_t whylen)
{
	struct decode_limits l = lim ? *lim : DECODE_LIMITS_DEFAULT;
	struct sink k = { .max_pages = l.max_pages ? l.max_pages : 1 };
	struct naming nm;
	uint32_t nops = 0;
	bool created;
	int err = naming_init(&nm, s, why, whylen);

	*out = NULL;
	*len = 0;
	if (l.max_procs == 0)
		l.max_procs = 1;
	for (uint32_t i = 0; !err && i < s->nops; i++) {
		const struct op *op = &s->ops[i];

		if (op_is_check(op))
			continue;
		err = naming_op(&nm, i, &created);
		if (err)
			break;
		if (++nops > l.max_ops)
			err = invalid(&nm, "more than max_ops = %u ops (not "
				      "counting expect-* and dump lines)",
				      l.max_ops);
		else if (nm.nprocs > l.max_procs)
			err = invalid(&nm, "op %u (line %u): more than "
				      "max_procs = %u processes", i, op->line,
				      l.max_procs);
		else if (nm.nfiles > l.max_files)
			err = invalid(&nm, "op %u (line %u): more than "
				      "max_files = %u files", i, op->line,
				      l.max_files);
		else
			put_op(&k, &nm, op, created);
	}
	naming_free(&nm);
	if (!err && k.nomem)
		err = -ENOMEM;
	if (!err && !k.buf)
		k.buf = malloc(1);          /* an empty stream: no bytes */
	if (!err && !k.buf)
		err = -ENOMEM;
	if (err) {
		free(k.buf);
		return err;
	}
	*out = k.buf;
	*len = k.n;
	return 0;
}
