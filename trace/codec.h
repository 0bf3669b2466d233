/*
 * codec.h - fuzz input bytes <-> op streams (core/op.h, trace/trace.h).
 *
 * decode_ops() turns ANY byte string into a valid op stream: it prints, it
 * parses back to itself (trace.h), and every process and file it names was
 * created earlier in the stream.  It is structure-aware: op kinds are
 * weighted towards faults, fork and mremap; processes, files and addresses
 * are picked from small sets so that mappings collide, split, merge and
 * move onto each other.  encode_ops() is its inverse on the streams the
 * format can express, so .rmt scenarios become fuzz seeds and crash inputs
 * become readable traces.
 *
 * Canonical names and "the same stream"
 *
 *	A decoded stream names its processes p0, p1, ... in order of creation
 *	(p0 first, then each fork that creates a new name) and its files f0,
 *	f1, ... in order of creation by a `file` op.  canonical(s) is S with
 *	its expect-* and dump lines dropped, every "=> RESULT" assertion
 *	removed, and its names replaced by the canonical ones in S's own
 *	creation order.  The codec's promise is
 *
 *		op_stream_equal(decode(encode(s)), canonical(s))
 *
 *	so "fork p0 child / write child 0x1000" comes back as
 *	"fork p0 p1 / write p1 0x1000".  Decoded streams are canonical already:
 *	canonical(decode(x)) equals decode(x).  Decoded streams hold no
 *	expectations and no dump (the lockstep checks everything after every
 *	op) and set op.line to the op's line in the printed trace (index + 1);
 *	the fields an op's kind does not print are 0, so a decoded stream runs
 *	exactly as its printed text does.
 *
 * The byte format (version 1).  Multi-byte numbers are little-endian; when
 * the input runs out every read returns 0, so a truncated op is completed
 * with defaults, and decoding stops at the end of the input or at max_ops.
 *
 *	op      := KIND [FAIL | ILV] fields...  KIND & 63 indexes a weighted
 *	                                    table (codec_kind_byte); bits 6-7:
 *	                                    11 a FAIL follows; 10 KIND & 63
 *	                                    indexes the extended table (below);
 *	                                    01 with KIND & 63 < 16 (every kind
 *	                                    has a slot there) an ILV follows,
 *	                                    other 01 ignored: one op in 16 of
 *	                                    random bytes carries an
 *	                                    interleaving, not one in 4, which
 *	                                    cost the random engine 3x to 8x the
 *	                                    inputs for anon_vma_reuse_degree
 *	FAIL    := f (not 7f, ff)  "fail-nth (f & 0x7f) + 1" before the op,
 *	                           at the backend's site when f & 0x80
 *	         | 7f/ff u32       "fail-nth u32" (0 counts as 1), site as above
 *	ILV     := w [x] [n] PROC IADDR [FAIL]  "interleave WALKER
 *	                           PROC:ADDR at POINT[:N]" before the op
 *	                           (issue 21; core/op_interleave.h):
 *	                           w & 3 < 3, the short form: WALKER
 *	                           1 + (w & 3) (migrate, unmap, age), POINT
 *	                           1 + ((w >> 2) & 15) (the first 16);
 *	                           w & 3 == 3, the escape: x follows w,
 *	                           WALKER 1 + ((x & 3) | (x >> 7) << 2)
 *	                           % (ILV_WALKER_MAX - 1) (migrate, unmap,
 *	                           age, collapse, stalled), POINT 1 + V for
 *	                           V = x >> 2 & 31 < YP_MAX - 1, else
 *	                           1 + V % 17 (decode.c ilv_point_of), w's
 *	                           bits 2-5 ignored; the encoder writes the
 *	                           short form when it can.  Either form:
 *	                           N = 1 + n when w & 0x40 (else 1), a FAIL
 *	                           after the IADDR when w & 0x80
 *	IADDR   := 00-bf           recent[t % nrecent] (a page a walker likely
 *	                           finds; 0x10000000 when none yet), page-aligned
 *	         | c0-ff ADDR      that ADDR; the IADDR joins no "recent"
 *	PROC    := 00-7f  alive[b % nalive] (the decoder's guess of which
 *	                  processes are alive; all names when none is)
 *	         | 80-fe  name[(b - 0x80) % nprocs]
 *	         | ff u16 name[u16 % nprocs]
 *	CHILD   := 00-bf  a fresh name p<nprocs> while nprocs < max_procs, else
 *	                  an exited process's name (dead[b % ndead]); none: the
 *	                  fork is skipped
 *	         | c0-fe  name[(b - 0xc0) % nprocs]  (an alive name: the world
 *	                  says EEXIST; the parent's own name: skipped)
 *	         | ff u16 i = u16 % (nprocs + 1): fresh when i == nprocs
 *	FILE    := b (00-fe) or ff u16: i = value % (nfiles + 1); i < nfiles is
 *	           file f<i>; i == nfiles creates f<nfiles> (while nfiles <
 *	           max_files, else f<value % nfiles>).  In an mmap, creating
 *	           emits "file f<i> SIZE" first, SIZE a LEN read right there.
 *	ADDR    := 00-7f b1        window: 0x0ff00000 + ((t & 1) << 8 | b1) pages
 *	                           (0x10000000, a PTE-table boundary, is 01 00)
 *	         | 80-bf           recent[(t & 0x3f) % nrecent], newest first
 *	                           (none yet: 0x10000000)
 *	         | c0-df d         recent[(t & 0x3f) % nrecent] + (d - 128) pages
 *	         | e0-ef b1 b2     window page ((t & 1) << 8 | b1) + 1 + 16 * b2
 *	                           (unaligned)
 *	         | f0-f7 b1        b1 pages from 0
 *	         | f8-fe b1        0x7ffffffff000 - b1 pages (TASK_SIZE edge)
 *	         | ff u64          raw
 *	LEN     := 00-df           1 + t % max_pages pages
 *	         | e0-ef b1        (t & 15) pages + 1 + 16 * b1 (unaligned)
 *	         | f0-f7           0
 *	         | f8-fe b1        (1 + b1) * 64 KiB
 *	         | ff u64          raw
 *	OFF     := 00-ef           (t % max_pages) pages
 *	         | f0-fe b1        (t & 15) pages + 1 + 16 * b1 (unaligned)
 *	         | ff u64          raw
 *	PROTB   := b: {none, r, rw, rw}[b & 3]
 *
 *	mmap     PROC ADDR LEN MODE [FILE OFF]  MODE: PROTB, 4 shared, 8 file
 *	munmap   PROC ADDR LEN        madvise  PROC ADDR LEN
 *	mprotect PROC ADDR LEN PROTB
 *	mremap   PROC ADDR LEN FL [LEN] [ADDR]  FL: 1 maymove, 2 fixed,
 *	         4 dontunmap, 8 NEWLEN = OLDLEN (else a LEN follows); the
 *	         ADDR (NEWADDR) follows only with fixed
 *	fork     PROC CHILD           exit PROC
 *	read / write / migrate / pageout / age   PROC ADDR
 *	file     FILE LEN
 *
 * The extended kinds (KIND bits 6-7 == 10; KIND & 63 indexes an
 * append-only table: a later op takes the next free slot, and a slot not
 * yet taken decodes as the weighted table's kind, as before the table
 * existed).  They carry no FAIL: an op of theirs with fail-nth cannot be
 * encoded.
 *
 *	80 madvise PROC ADDR LEN dontfork     81 ... dofork
 *	82 madvise PROC ADDR LEN wipeonfork   83 ... keeponfork
 *	84 mmap PROC ADDR LEN MODE            anon private growsdown; MODE's
 *	                                      PROTB only (no file, no shared)
 *	85 uffd-move PROC ADDR ADDR LEN FL    DST, SRC; FL & 1 allow-src-holes
 *	86 madvise PROC ADDR LEN mergeable    87 ... unmergeable (KSM)
 *	88 fill PROC ADDR BYTE                89 ksm-scan (no fields)
 *	8a madvise PROC ADDR LEN hugepage     8b ... nohugepage (issue 19)
 *	8c madvise PROC ADDR LEN collapse
 *	8d MASK  thp-sizes, as the stream's first op only (later, 8d is the
 *	         weighted table's kind 13, as before): bit i of MASK is order
 *	         i + 2 (01 16K, 04 64K, 80 2M); MASK 00 is 2M alone
 *	8e ILV PROC ADDR LEN   madvise collapse with an interleaving (issue
 *	         21: the yield point collapse_flushed is inside it; the only
 *	         extended kind that carries an ILV, whose FAIL bit is ignored:
 *	         no FAIL follows; no committed input had a KIND byte 8e
 *	         before, checked when the slot was taken)
 *
 * "recent" holds the last 16 addresses named by mmap, mremap (old and fixed
 * new) and read/write ops.  The encoder uses only the forms that do not
 * depend on decoder state it would have to mirror (absolute names; window,
 * low, high or raw addresses), and the LEN / OFF page forms, which depend on
 * max_pages: encode and decode with the same limits.
 */
#ifndef RMAP_TRACE_CODEC_H
#define RMAP_TRACE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

struct decode_limits {
	uint32_t max_ops;     /* ops in the stream, file ops included */
	uint32_t max_procs;   /* process names, p0 included (0 counts as 1) */
	uint32_t max_files;   /* file names */
	uint32_t max_pages;   /* LEN / OFF page forms: 1..max_pages (0: 1) */
};

#define DECODE_LIMITS_DEFAULT \
	((struct decode_limits){ .max_ops = 256, .max_procs = 16, \
				 .max_files = 4, .max_pages = 64 })

/* ---- format constants shared by decode.c and encode.c ----------------- */

/*
 * The address window of the ADDR window forms: 512 pages (2 MiB) from 1 MiB
 * below 0x10000000, so that half of it lies in each of two PTE tables and
 * mappings, fault-around windows and moves cross the table boundary.
 */
#define CODEC_WINDOW_BASE  0x0ff00000ull
#define CODEC_WINDOW_PAGES 512u
#define CODEC_PAGE         4096ull
#define CODEC_RECENT       16u          /* addresses the ADDR recent forms see */

#define CODEC_ESCAPE       0xff         /* every field: a raw value follows */
#define CODEC_PROC_NAME    0x80         /* PROC: name[(b - 0x80) % nprocs] */
#define CODEC_CHILD_AUTO   0x00         /* CHILD: fresh (or an exited name) */
#define CODEC_CHILD_NAME   0xc0         /* CHILD: name[(b - 0xc0) % nprocs] */
#define CODEC_ADDR_RECENT  0x80
#define CODEC_ADDR_NEAR    0xc0
#define CODEC_ADDR_UNALIGN 0xe0
#define CODEC_ADDR_LOW     0xf0
#define CODEC_ADDR_HIGH    0xf8
#define CODEC_ADDR_TOP     0x7ffffffff000ull
#define CODEC_LEN_UNALIGN  0xe0
#define CODEC_LEN_ZERO     0xf0
#define CODEC_LEN_BIG      0xf8
#define CODEC_OFF_UNALIGN  0xf0

/* mmap MODE and mremap FL bits */
#define CODEC_MODE_SHARED  0x04
#define CODEC_MODE_FILE    0x08
#define CODEC_FL_MAYMOVE   0x01
#define CODEC_FL_FIXED     0x02
#define CODEC_FL_DONTUNMAP 0x04
#define CODEC_FL_SAMELEN   0x08

/* KIND bits 6-7: a FAIL field follows; FAIL's site bit and escape */
#define CODEC_KIND_FAIL    0xc0
/* KIND bits 6-7 == 10: KIND & 63 indexes the extended table */
#define CODEC_KIND_EXT     0x80
#define CODEC_FAIL_BACKEND 0x80
#define CODEC_FAIL_RAW     0x7f
/* KIND bits 6-7 == 01: an ILV field follows; ILV's w bits */
#define CODEC_KIND_MASK    0xc0
#define CODEC_KIND_ILV     0x40
#define CODEC_ILV_SLOTS    16           /* ILV only with KIND & 63 below */
#define CODEC_ILV_WALKER   0x03         /* w's and x's walker bits */
#define CODEC_ILV_X        0x03         /* w & 3 == 3: the escape, x follows */
#define CODEC_ILV_SHORT_POINTS 16       /* the points w itself names */
#define CODEC_ILV_NTH      0x40
#define CODEC_ILV_FAIL     0x80
#define CODEC_IADDR_ADDR   0xc0         /* IADDR: an ADDR follows */

/*
 * Decode DATA[0..LEN) into OUT, which must come fresh from op_stream_init().
 * LIM NULL means DECODE_LIMITS_DEFAULT.  0, or -ENOMEM (OUT then holds what
 * was decoded; free it as usual).
 */
/*
 * Interleavings off: decode_ops() drops every op's ILV field (its bytes are
 * read all the same, so the rest decodes as with it): the fuzzers without
 * the interleaving dimension, to measure what it adds (issue 21, bugbench
 * --interleave off).  Off by default; RMAP_NO_INTERLEAVE=1 in the
 * environment turns it on for the whole process, so the fuzz target,
 * repro and the mutator of one campaign agree; decode_set_no_interleave()
 * overrides the environment (tests).
 */
void decode_set_no_interleave(bool on);

int decode_ops(const uint8_t *data, size_t len, const struct decode_limits *lim,
	       struct op_stream *out);

/*
 * Bytes that decode, under LIM (NULL: default), to canonical(S).  On success
 * 0, *OUT (malloc'd, caller frees) and *LEN.  -EINVAL when S cannot be
 * expressed (more ops, processes or files than LIM allows, a name used
 * before it is created, a fork into itself, an unknown kind or PROT), with
 * the reason in WHY if not NULL; -ENOMEM.
 */
int encode_ops(const struct op_stream *s, const struct decode_limits *lim,
	       uint8_t **out, size_t *len, char *why, size_t whylen);

/*
 * canonical(S) (see above) into OUT, fresh from op_stream_init().  0,
 * -EINVAL with WHY (a name used before its creation, a fork into itself),
 * or -ENOMEM.
 */
int codec_canonical(const struct op_stream *s, struct op_stream *out,
		    char *why, size_t whylen);

/* The KIND byte the encoder writes for an op kind, or -1 (check ops). */
int codec_kind_byte(unsigned kind);

/*
 * The KIND byte of OP when an extended kind carries it (CODEC_KIND_EXT |
 * slot), else -1: the weighted table's codec_kind_byte() applies.
 */
int codec_ext_kind_byte(const struct op *op);

/* does OP's extended kind have a slot that carries an ILV (madvise collapse)? */
bool codec_ext_has_ilv(const struct op *op);

#endif /* RMAP_TRACE_CODEC_H */
