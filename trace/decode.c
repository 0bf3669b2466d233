/*
 * decode.c - fuzz input bytes to an op stream (codec.h).
 *
 * Two layers, as in zstd's fuzz data producer:
 *
 *   producer   reads bytes and never fails: past the end every read is 0
 *   decoder    turns the reads into ops, keeping a shadow of what the
 *              stream has created so far (names, which processes are
 *              probably alive, recent addresses) so that every choice
 *              lands on something that exists
 *
 * The shadow's idea of "alive" is a guess from the ops alone (a fork may
 * still fail in the world); it only steers choices, it never makes an op
 * invalid: every name the decoder emits was created earlier in the stream.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/op_interleave.h"
#include "trace/codec.h"

/* ---- the data producer ------------------------------------------------ */

struct producer {
	const uint8_t *p;
	size_t n;             /* bytes left */
};

static uint8_t dp_u8(struct producer *dp)
{
	if (dp->n == 0)
		return 0;
	dp->n--;
	return *dp->p++;
}

/* BYTES bytes little-endian; missing ones are 0 */
static uint64_t dp_le(struct producer *dp, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)dp_u8(dp) << (8 * i);
	return v;
}

/* ---- op kinds ----------------------------------------------------------- */

/*
 * KIND & 63 indexes this table.  Weights (of 64): write 9, mremap 9, mmap 8,
 * read 6, fork 6, munmap 4, mprotect 4, pageout 4, age 4, madvise 3,
 * migrate 3, exit 2, file 2.  The encoder writes each kind's first index.
 */
static const uint8_t kind_table[64] = {
	OP_WRITE, OP_READ, OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP,
	OP_MADVISE, OP_FORK, OP_EXIT, OP_FILE, OP_PAGEOUT, OP_MIGRATE,
	OP_AGE, OP_WRITE, OP_MMAP, OP_MREMAP,
	OP_FORK, OP_WRITE, OP_READ, OP_MMAP, OP_MREMAP, OP_PAGEOUT,
	OP_MUNMAP, OP_MPROTECT, OP_WRITE, OP_MREMAP, OP_MMAP, OP_FORK,
	OP_AGE, OP_READ, OP_MIGRATE, OP_MADVISE,
	OP_WRITE, OP_MREMAP, OP_MMAP, OP_READ, OP_FORK, OP_PAGEOUT,
	OP_MUNMAP, OP_MPROTECT, OP_WRITE, OP_MREMAP, OP_MMAP, OP_AGE,
	OP_FILE, OP_EXIT, OP_FORK, OP_READ,
	OP_WRITE, OP_MREMAP, OP_MMAP, OP_MIGRATE, OP_PAGEOUT, OP_MADVISE,
	OP_MUNMAP, OP_MPROTECT, OP_WRITE, OP_MREMAP, OP_MMAP, OP_READ,
	OP_FORK, OP_AGE, OP_WRITE, OP_MREMAP,
};

int codec_kind_byte(unsigned kind)
{
	for (unsigned i = 0; i < sizeof(kind_table); i++)
		if (kind_table[i] == kind)
			return (int)i;
	return -1;
}

/*
 * The extended kinds (codec.h): KIND bits 6-7 == 10, KIND & 63 the slot.
 * Append-only; a slot past the end, or one held for an op not yet there
 * (EXT_FREE), decodes as kind_table's.  Each slot is an op kind and what
 * it fixes of the op.
 */
#define EXT_FREE 0          /* no op kind is 0 (core/op.h) */
static const struct ext_kind {
	uint8_t kind;
	uint8_t advice;         /* madvise */
	uint8_t flags;          /* mmap: OPF_* */
	bool ilv;               /* an ILV follows the KIND byte */
} ext_table[] = {
	{ OP_MADVISE, ADV_DONTFORK, 0, false },
	{ OP_MADVISE, ADV_DOFORK, 0, false },
	{ OP_MADVISE, ADV_WIPEONFORK, 0, false },
	{ OP_MADVISE, ADV_KEEPONFORK, 0, false },
	{ OP_MMAP, 0, OPF_ANON | OPF_GROWSDOWN, false },
	{ OP_UFFD_MOVE, 0, 0, false },
	/* issue 20, KSM: slots 6-9 */
	{ OP_MADVISE, ADV_MERGEABLE, 0, false },
	{ OP_MADVISE, ADV_UNMERGEABLE, 0, false },
	{ OP_FILL, 0, 0, false },                 { OP_KSM_SCAN, 0, 0, false },
	/* issue 19 */
	{ OP_MADVISE, ADV_HUGEPAGE, 0, false },
	{ OP_MADVISE, ADV_NOHUGEPAGE, 0, false },
	{ OP_MADVISE, ADV_COLLAPSE, 0, false },
	{ OP_THP_SIZES, 0, 0, false },            /* the first op only (codec.h) */
	/* issue 21, the PMD slice: MADV_COLLAPSE with an interleaving (the
	 * yield point collapse_flushed is inside it) */
	{ OP_MADVISE, ADV_COLLAPSE, 0, true },
};
#define EXT_THP_SIZES 13
#define N_EXT (sizeof(ext_table) / sizeof(ext_table[0]))

bool codec_ext_has_ilv(const struct op *op)
{
	for (unsigned i = 0; i < N_EXT; i++)
		if (ext_table[i].ilv && ext_table[i].kind == op->kind &&
		    (op->kind != OP_MADVISE || ext_table[i].advice == op->advice))
			return true;
	return false;
}

int codec_ext_kind_byte(const struct op *op)
{
	for (unsigned i = 0; i < N_EXT; i++)
		if (ext_table[i].kind != EXT_FREE &&
		    ext_table[i].kind == op->kind &&
		    (op->kind != OP_MADVISE || ext_table[i].advice == op->advice) &&
		    (op->kind != OP_MMAP ||
		     ext_table[i].flags == (op->flags & (OPF_ANON | OPF_SHARED |
							  OPF_GROWSDOWN))) &&
		    ext_table[i].ilv == (op->ilv_walker && !op->fail_nth &&
					 codec_ext_has_ilv(op)))
			return (int)(CODEC_KIND_EXT | i);
	return -1;
}

static const uint8_t prot_table[4] = { PROT_NONE_, PROT_R, PROT_RW, PROT_RW };

/* ---- the decoder -------------------------------------------------------- */

struct decoder {
	struct producer in;
	struct decode_limits lim;       /* normalised: see decode_ops() */
	struct op_stream *s;
	uint8_t *alive;                 /* [lim.max_procs]: shadow, by id */
	uint64_t recent[CODEC_RECENT];  /* ring of recent addresses */
	unsigned nrecent, head;         /* head: the next slot to write */
	uint32_t lines;                 /* lines of the printed trace so far */
};

static void remember(struct decoder *d, uint64_t addr)
{
	d->recent[d->head] = addr;
	d->head = (d->head + 1) % CODEC_RECENT;
	if (d->nrecent < CODEC_RECENT)
		d->nrecent++;
}

/* the Kth most recent address (0: the newest) */
static uint64_t recent(const struct decoder *d, unsigned k)
{
	if (d->nrecent == 0)    /* the middle of the window: 0x10000000 */
		return CODEC_WINDOW_BASE + CODEC_WINDOW_PAGES / 2 * CODEC_PAGE;
	k %= d->nrecent;
	return d->recent[(d->head + CODEC_RECENT - 1 - k) % CODEC_RECENT];
}

static uint64_t window(uint8_t t, uint8_t b1)
{
	return CODEC_WINDOW_BASE + (((uint64_t)(t & 1) << 8) | b1) * CODEC_PAGE;
}

static uint64_t read_addr(struct decoder *d)
{
	uint8_t t = dp_u8(&d->in), b1;
	uint64_t a;

	if (t < CODEC_ADDR_RECENT)
		return window(t, dp_u8(&d->in));
	if (t < CODEC_ADDR_UNALIGN) {
		a = recent(d, t & 0x3f);
		if (t >= CODEC_ADDR_NEAR)   /* unsigned wrap-around is fine */
			a += (uint64_t)((int64_t)dp_u8(&d->in) - 128) * CODEC_PAGE;
		return a;
	}
	if (t < CODEC_ADDR_LOW) {
		b1 = dp_u8(&d->in);
		return window(t, b1) + 1 + 16u * dp_u8(&d->in);
	}
	if (t < CODEC_ADDR_HIGH)
		return dp_u8(&d->in) * CODEC_PAGE;
	if (t < CODEC_ESCAPE)
		return CODEC_ADDR_TOP - dp_u8(&d->in) * CODEC_PAGE;
	return dp_le(&d->in, 8);
}

static uint64_t read_len(struct decoder *d)
{
	uint8_t t = dp_u8(&d->in);

	if (t < CODEC_LEN_UNALIGN)
		return (1 + t % d->lim.max_pages) * CODEC_PAGE;
	if (t < CODEC_LEN_ZERO)
		return (t & 15) * CODEC_PAGE + 1 + 16u * dp_u8(&d->in);
	if (t < CODEC_LEN_BIG)
		return 0;
	if (t < CODEC_ESCAPE)
		return (1 + (uint64_t)dp_u8(&d->in)) * 0x10000;
	return dp_le(&d->in, 8);
}

static uint64_t read_off(struct decoder *d)
{
	uint8_t t = dp_u8(&d->in);

	if (t < CODEC_OFF_UNALIGN)
		return (t % d->lim.max_pages) * CODEC_PAGE;
	if (t < CODEC_ESCAPE)
		return (t & 15) * CODEC_PAGE + 1 + 16u * dp_u8(&d->in);
	return dp_le(&d->in, 8);
}

static uint16_t pick_proc(struct decoder *d)
{
	uint32_t n = d->s->nprocs, nalive = 0, k;
	uint8_t b = dp_u8(&d->in);

	if (b == CODEC_ESCAPE)
		return (uint16_t)(dp_le(&d->in, 2) % n);
	if (b >= CODEC_PROC_NAME)
		return (uint16_t)((b - CODEC_PROC_NAME) % n);
	for (uint32_t i = 0; i < n; i++)
		nalive += d->alive[i];
	if (nalive == 0)
		return (uint16_t)(b % n);
	k = b % nalive;
	for (uint32_t i = 0; i < n; i++)
		if (d->alive[i] && k-- == 0)
			return (uint16_t)i;
	return 0;   /* not reached */
}

/* A fresh name p<nprocs>: its id, or -ENOMEM. */
static int new_proc(struct decoder *d)
{
	char name[OP_NAME_MAX];

	snprintf(name, sizeof(name), "p%u", d->s->nprocs);
	return op_stream_proc_id(d->s, name);
}

/* The child of a fork by PARENT: 1 and *CHILD, 0 to skip the fork, -ENOMEM. */
static int pick_child(struct decoder *d, uint16_t parent, uint16_t *child)
{
	uint32_t n = d->s->nprocs, ndead = 0, k, i;
	uint8_t c = dp_u8(&d->in);
	bool fresh = false;
	int id;

	if (c == CODEC_ESCAPE) {
		i = (uint32_t)(dp_le(&d->in, 2) % (n + 1));
		fresh = i == n;
		if (fresh && n >= d->lim.max_procs)
			return 0;
	} else if (c >= CODEC_CHILD_NAME) {
		i = (c - CODEC_CHILD_NAME) % n;
	} else if (n < d->lim.max_procs) {
		fresh = true;
		i = n;
	} else {
		/* every name is taken: reuse an exited process's */
		for (i = 0; i < n; i++)
			ndead += !d->alive[i] && i != parent;
		if (ndead == 0)
			return 0;
		k = c % ndead;
		for (i = 0; i < n; i++)
			if (!d->alive[i] && i != parent && k-- == 0)
				break;
	}
	if (fresh) {
		id = new_proc(d);
		if (id < 0)
			return -ENOMEM;
		i = (uint32_t)id;
	}
	if (i == parent)
		return 0;   /* "fork p0 p0" does not parse */
	*child = (uint16_t)i;
	return 1;
}

/*
 * A FILE field: 1 and *ID of an existing file, 2 when it names a file to
 * create (*ID then the new id, if CREATE allows it), 0 when there is no file
 * to name at all.
 */
static int pick_file(struct decoder *d, bool create, uint16_t *id)
{
	uint32_t n = d->s->nfiles;
	uint8_t b = dp_u8(&d->in);
	uint64_t v = b == CODEC_ESCAPE ? dp_le(&d->in, 2) : b;
	uint32_t i = (uint32_t)(v % (n + 1));

	if (i == n && create && n < d->lim.max_files) {
		*id = (uint16_t)n;
		return 2;
	}
	if (n == 0)
		return 0;
	*id = (uint16_t)(i < n ? i : v % n);
	return 1;
}

static int push(struct decoder *d, struct op *op)
{
	/* its line in the printed trace, where an interleave takes one more */
	d->lines += op->ilv_walker ? 2 : 1;
	op->line = d->lines;
	op->ilv_line = op->ilv_walker ? d->lines - 1 : 0;
	return op_stream_push(d->s, op);
}

/* "file f<ID> SIZE" creating file ID (pick_file returned 2) */
static int push_new_file(struct decoder *d, uint16_t id, uint64_t size)
{
	char name[OP_NAME_MAX];
	struct op op = { .kind = OP_FILE, .file = id, .len = size };
	int err;

	snprintf(name, sizeof(name), "f%u", id);
	err = op_stream_file_id(d->s, name);
	if (err < 0)
		return -ENOMEM;
	return push(d, &op);
}

static int decode_mmap(struct decoder *d, struct op *op, bool growsdown)
{
	uint8_t mode;
	uint16_t id = 0;
	uint64_t size = 0, off;
	int r, err;

	op->proc = pick_proc(d);
	op->addr = read_addr(d);
	op->len = read_len(d);
	mode = dp_u8(&d->in);
	op->prot = prot_table[mode & 3];
	op->flags = mode & CODEC_MODE_SHARED ? OPF_SHARED : 0;
	remember(d, op->addr);
	if (growsdown) {        /* the extended kind: anon private, MODE's prot */
		op->flags = OPF_ANON | OPF_GROWSDOWN;
		return push(d, op);
	}
	if (!(mode & CODEC_MODE_FILE)) {
		op->flags |= OPF_ANON;
		return push(d, op);
	}
	/* the file op that creates the file needs a slot of its own */
	r = pick_file(d, d->s->nops + 2 <= d->lim.max_ops, &id);
	if (r == 2)
		size = read_len(d);
	off = read_off(d);
	if (r == 0) {
		/* no file to map: anonymous, whose line prints no offset */
		op->flags |= OPF_ANON;
		return push(d, op);
	}
	if (r == 2) {
		err = push_new_file(d, id, size);
		if (err)
			return err;
	}
	op->file = id;
	op->off = off;
	return push(d, op);
}

static int decode_mremap(struct decoder *d, struct op *op)
{
	uint8_t fl;

	op->proc = pick_proc(d);
	op->addr = read_addr(d);
	op->len = read_len(d);
	fl = dp_u8(&d->in);
	op->flags = (fl & CODEC_FL_MAYMOVE ? OPF_MAYMOVE : 0) |
		    (fl & CODEC_FL_FIXED ? OPF_FIXED : 0) |
		    (fl & CODEC_FL_DONTUNMAP ? OPF_DONTUNMAP : 0);
	op->newlen = fl & CODEC_FL_SAMELEN ? op->len : read_len(d);
	if (fl & CODEC_FL_FIXED)
		op->addr2 = read_addr(d);
	remember(d, op->addr);
	if (fl & CODEC_FL_FIXED)
		remember(d, op->addr2);
	return push(d, op);
}

static int decode_fork(struct decoder *d, struct op *op)
{
	int r;

	op->proc = pick_proc(d);
	r = pick_child(d, op->proc, &op->proc2);
	if (r <= 0)
		return r;
	if (d->alive[op->proc])
		d->alive[op->proc2] = 1;
	return push(d, op);
}

static int decode_file(struct decoder *d, struct op *op)
{
	uint16_t id = 0;
	int r = pick_file(d, true, &id);

	op->len = read_len(d);
	if (r == 0)
		return 0;     /* max_files is 0 */
	if (r == 2)
		return push_new_file(d, id, op->len);
	op->file = id;
	return push(d, op);
}

/* FAIL: the op's fail-nth and its site */
static void read_fail(struct decoder *d, struct op *op)
{
	uint8_t f = dp_u8(&d->in);
	uint64_t n = (f & 0x7f) + 1u;

	if ((f & 0x7f) == CODEC_FAIL_RAW) {
		n = dp_le(&d->in, 4);
		if (n == 0)
			n = 1;
	}
	op->fail_nth = (uint32_t)n;
	if (f & CODEC_FAIL_BACKEND)
		op->flags |= OPF_FAIL_BACKEND;
}

/*
 * ILV: the interleaving the op carries (core/op_interleave.h); its PROC is
 * picked among the names created before the op, as a trace's interleave
 * line, which comes before the op's, can name only those.
 */
/* decode_set_no_interleave (codec.h); -1: not yet read from the environment */
static int no_ilv = -1;

void decode_set_no_interleave(bool on)
{
	no_ilv = on;
}

static bool no_interleave(void)
{
	if (no_ilv < 0) {
		const char *e = getenv("RMAP_NO_INTERLEAVE");

		no_ilv = e && strcmp(e, "1") == 0;
	}
	return no_ilv;
}

/*
 * The walker and the point of an ILV field (codec.h), in one of two forms.
 *
 * The short form, w & 3 < 3: walker 1 + (w & 3) (migrate, unmap, age) and
 * point 1 + V, V = w >> 2 & 15, the first 16 points.  V's history: above
 * the first slice's ten points V wrapped (1 + V % 10) until each value got
 * a point of its own: 10, 11 mremap_move_pte, vma_adjust (the second
 * slice); 12, 13 mremap_move_pmd, collapse_flushed (the PMD slice: no
 * committed input had either); 14 pte_set (PTE chains' window) and 15
 * mremap_move_table (it wrapped to 6 before): all committed inputs were
 * decoded before and after each change and none decoded differently.  The
 * short form is full; it stays as it is, so that the inputs written for
 * those 16 points keep them.
 *
 * The escape form, w & 3 == 3 (the value that wrapped onto migrate, which
 * w & 3 == 0 names as well): a byte x follows w, ahead of w's n; walker
 * 1 + (x & 3) % 4 (migrate, unmap, age, collapse) and
 * point ilv_point_of(x >> 2): V + 1 for the points there are (V <
 * YP_MAX - 1) and, above, 1 + V % CODEC_ILV_POINTS_X, the 17 points there
 * were when the escape came.  w's bits 2-5 are ignored (the encoder writes
 * 0); bits 6 and 7 keep their meaning.  No committed input had a
 * w & 3 == 3: all 245 decoded the same before and after the escape came.
 *
 * The fifth walker (stalled) took x's bit 7 as the walker's third bit:
 * walker 1 + ((x & 3) | (x >> 7) << 2) % (ILV_WALKER_MAX - 1), point
 * ilv_point_of(x >> 2 & 31).  An x below 0x80 decodes as before; one
 * with bit 7 had wrapped onto points 1-14 and now names walker stalled,
 * migrate, unmap or age at the point of its bits 2-6.  No committed input
 * had such an x: all 246 decoded the same before and after.
 *
 * Growing it (the _Static_asserts below fail when a value no longer fits):
 * the next point, 18, takes V == 17, which wrapped onto point 1
 * (mremap_between_tables); every other value keeps its point, and so on up
 * to point 32 (V == 31).  Modulo YP_MAX - 1 would have spread the wrapped
 * values over the new points too, at the price of moving most of them
 * with every point added.  Decode every committed input before and after
 * (rmapfuzz decode), and re-encode the ones that change.
 */
#define CODEC_ILV_POINTS_X 17
#define CODEC_ILV_X_WALKER_HI 0x80     /* x's third walker bit */
_Static_assert(ILV_WALKER_MIGRATE == 1 && ILV_WALKER_AGE == 3,
	       "the short form's walkers are 1 + (w & 3)");
_Static_assert(ILV_WALKER_MAX - 1 <= 8, "the escape's walker field is x's "
	       "2 low bits and bit 7: a ninth walker needs a wider one");
_Static_assert(YP_MAX - 1 >= CODEC_ILV_SHORT_POINTS &&
	       YP_MAX - 1 >= CODEC_ILV_POINTS_X,
	       "every value of the short form and of the escape names a point");
_Static_assert(YP_MAX - 1 <= 32, "the escape's point field is x's bits 2-6 "
	       "(encode.c's put_ilv writes point - 1 there)");

static unsigned ilv_point_of(unsigned v)
{
	return v < YP_MAX - 1 ? v + 1 : 1 + v % CODEC_ILV_POINTS_X;
}

static unsigned ilv_walker_of(uint8_t x)
{
	unsigned v = (x & CODEC_ILV_WALKER) |
		     (x & CODEC_ILV_X_WALKER_HI ? 4u : 0u);

	return 1 + v % (ILV_WALKER_MAX - 1);
}

/* FAIL_OK: a FAIL may follow (w & CODEC_ILV_FAIL); an extended kind's ILV
 * carries none (the bit is ignored) */
static void read_ilv(struct decoder *d, struct op *op, bool fail_ok)
{
	uint8_t w = dp_u8(&d->in), x, b;

	if ((w & CODEC_ILV_WALKER) == CODEC_ILV_X) {
		x = dp_u8(&d->in);
		op->ilv_walker = (uint8_t)ilv_walker_of(x);
		op->ilv_point = (uint8_t)ilv_point_of(x >> 2 & 31);
	} else {
		op->ilv_walker = (uint8_t)(1 + (w & CODEC_ILV_WALKER));
		op->ilv_point = (uint8_t)(1 + (w >> 2 & 15));
	}
	op->ilv_nth = w & CODEC_ILV_NTH ? 1u + dp_u8(&d->in) : 1u;
	op->ilv_proc = pick_proc(d);
	b = dp_u8(&d->in);
	op->ilv_addr = b < CODEC_IADDR_ADDR ? recent(d, b) & ~(CODEC_PAGE - 1)
					    : read_addr(d);
	if (fail_ok && (w & CODEC_ILV_FAIL))
		read_fail(d, op);
	if (no_interleave()) {
		op->ilv_walker = op->ilv_point = 0;
		op->ilv_nth = 0;
		op->ilv_proc = 0;
		op->ilv_addr = 0;
	}
}

static int decode_op(struct decoder *d)
{
	uint8_t k = dp_u8(&d->in);
	struct op op = { .kind = kind_table[k & 63] };

	if ((k & CODEC_KIND_MASK) == CODEC_KIND_FAIL)
		read_fail(d, &op);
	else if ((k & CODEC_KIND_MASK) == CODEC_KIND_ILV &&
		 (k & 63) < CODEC_ILV_SLOTS)
		read_ilv(d, &op, true);
	else if ((k & CODEC_KIND_FAIL) == CODEC_KIND_EXT && (k & 63) < N_EXT &&
		 ext_table[k & 63].kind != EXT_FREE &&
		 ((k & 63) != EXT_THP_SIZES || d->s->nops == 0)) {
		op.kind = ext_table[k & 63].kind;
		op.advice = ext_table[k & 63].advice;
		op.flags = ext_table[k & 63].flags;
		if (ext_table[k & 63].ilv)
			read_ilv(d, &op, false);
	}

	switch (op.kind) {
	case OP_MMAP:
		return decode_mmap(d, &op, op.flags & OPF_GROWSDOWN);
	case OP_MREMAP:
		return decode_mremap(d, &op);
	case OP_FORK:
		return decode_fork(d, &op);
	case OP_UFFD_MOVE:      /* DST SRC LEN FL: FL & 1 allow-src-holes */
		op.proc = pick_proc(d);
		op.addr = read_addr(d);
		op.addr2 = read_addr(d);
		op.len = read_len(d);
		op.flags = dp_u8(&d->in) & 1 ? OPF_SRC_HOLES : 0;
		remember(d, op.addr);
		return push(d, &op);
	case OP_FILL:           /* P ADDR BYTE */
		op.proc = pick_proc(d);
		op.addr = read_addr(d);
		op.len = dp_u8(&d->in);
		remember(d, op.addr);
		return push(d, &op);
	case OP_KSM_SCAN:       /* nothing */
		return push(d, &op);
	case OP_FILE:
		return decode_file(d, &op);
	case OP_THP_SIZES:      /* MASK: bit i is order i + 2 (16K ... 2M) */
		op.len = (uint64_t)dp_u8(&d->in) << THP_MIN_ORDER;
		if (!op.len)
			op.len = THP_ORDERS_DEFAULT;
		return push(d, &op);
	case OP_EXIT:
		op.proc = pick_proc(d);
		d->alive[op.proc] = 0;
		return push(d, &op);
	case OP_MUNMAP:
	case OP_MADVISE:
	case OP_MPROTECT:
		op.proc = pick_proc(d);
		op.addr = read_addr(d);
		op.len = read_len(d);
		if (op.kind == OP_MPROTECT)
			op.prot = prot_table[dp_u8(&d->in) & 3];
		return push(d, &op);
	default:        /* read, write, migrate, pageout, age */
		op.proc = pick_proc(d);
		op.addr = read_addr(d);
		if (op.kind == OP_READ || op.kind == OP_WRITE)
			remember(d, op.addr);
		return push(d, &op);
	}
}

int decode_ops(const uint8_t *data, size_t len, const struct decode_limits *lim,
	       struct op_stream *out)
{
	struct decoder d = {
		.in = { data, data ? len : 0 },
		.lim = lim ? *lim : DECODE_LIMITS_DEFAULT,
		.s = out,
	};
	uint8_t alive[64];      /* the usual limits: no malloc per input */
	int err = 0;

	if (d.lim.max_procs == 0)
		d.lim.max_procs = 1;
	if (d.lim.max_procs > TRACE_MAX_NAMES)
		d.lim.max_procs = TRACE_MAX_NAMES;
	if (d.lim.max_files > TRACE_MAX_NAMES)
		d.lim.max_files = TRACE_MAX_NAMES;
	if (d.lim.max_pages == 0)
		d.lim.max_pages = 1;
	d.alive = d.lim.max_procs <= sizeof(alive) ? alive :
		  malloc(d.lim.max_procs);
	if (!d.alive)
		return -ENOMEM;
	memset(d.alive, 0, d.lim.max_procs);
	d.alive[0] = 1;         /* p0 */
	while (d.in.n && out->nops < d.lim.max_ops && !err)
		err = decode_op(&d);
	if (d.alive != alive)
		free(d.alive);
	return err;
}
