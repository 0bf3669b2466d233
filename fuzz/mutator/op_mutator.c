/*
 * op_mutator.c - the op-level mutator (op_mutator.h): decode, change the
 * stream, repair its names, encode.
 *
 * Every choice comes from one splitmix64 generator seeded by the caller, so
 * a seed names a mutation.  The working stream keeps the name tables of the
 * stream it was decoded from; ops may be moved, copied or dropped freely,
 * and repair() then makes every process and file an op names one that an
 * earlier op created (a fork, a file op), which is all encode_ops asks
 * (ids past the name tables, which a splice can leave, count as never
 * created).
 */
#include "fuzz/mutator/op_mutator.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/op.h"
#include "core/op_interleave.h"
#include "trace/codec.h"
#include "trace/trace.h"

#define PAGE       CODEC_PAGE
#define PMD_BYTES  0x200000ull  /* what one PMD maps (core/pgtable.h PMD_SIZE) */
#define MAX_PAGES  32u          /* lengths the mutator writes: 1..32 pages */
#define MAX_STACK  3u           /* mutations stacked on one input */

struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, n); 0 when n is 0 */
static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static bool coin(struct rng *r)
{
	return rng_next(r) & 1;
}

static bool uses_proc(unsigned kind)
{
	return kind != OP_FILE && kind != OP_THP_SIZES;
}

static bool uses_addr(unsigned kind)
{
	return kind != OP_FORK && kind != OP_EXIT && kind != OP_FILE &&
	       kind != OP_THP_SIZES && kind != OP_KSM_SCAN;
}

static bool uses_len(unsigned kind)
{
	return kind == OP_MMAP || kind == OP_MUNMAP || kind == OP_MPROTECT ||
	       kind == OP_MADVISE || kind == OP_MREMAP || kind == OP_FILE ||
	       kind == OP_UFFD_MOVE;
}

static bool maps_file(const struct op *op)
{
	return op->kind == OP_MMAP && !(op->flags & OPF_ANON);
}

/* ---- what the ops before POS created and named ------------------------ */

struct context {
	bool *proc_made;        /* [nprocs]: created before POS (p0 always) */
	bool *file_made;        /* [nfiles] */
	uint64_t recent[CODEC_RECENT];   /* addresses named, newest first */
	uint64_t recent_len[CODEC_RECENT];  /* the length there, 0: none */
	uint32_t nrecent;
};

static int context_at(const struct op_stream *s, uint32_t pos,
		      struct context *c)
{
	memset(c, 0, sizeof(*c));
	c->proc_made = calloc(s->nprocs + 1, sizeof(bool));
	c->file_made = calloc(s->nfiles + 1, sizeof(bool));
	if (!c->proc_made || !c->file_made)
		return -ENOMEM;
	c->proc_made[0] = true;
	for (uint32_t i = 0; i < pos && i < s->nops; i++) {
		const struct op *op = &s->ops[i];

		if (op->kind == OP_FORK && op->proc2 < s->nprocs)
			c->proc_made[op->proc2] = true;
		if (op->kind == OP_FILE && op->file < s->nfiles)
			c->file_made[op->file] = true;
	}
	for (uint32_t i = pos < s->nops ? pos : s->nops; i-- > 0 &&
	     c->nrecent < CODEC_RECENT;) {
		const struct op *op = &s->ops[i];

		if (op->kind == OP_MREMAP && (op->flags & OPF_FIXED)) {
			c->recent_len[c->nrecent] = op->newlen;
			c->recent[c->nrecent++] = op->addr2;
		} else if (op->kind == OP_MMAP || op->kind == OP_MREMAP ||
			   op->kind == OP_READ || op->kind == OP_WRITE) {
			c->recent_len[c->nrecent] =
				op->kind == OP_MMAP ? op->len :
				op->kind == OP_MREMAP ? op->newlen : 0;
			c->recent[c->nrecent++] = op->addr;
		}
	}
	return 0;
}

static void context_free(struct context *c)
{
	free(c->proc_made);
	free(c->file_made);
}

/* a random id I < N with MADE[I], or FALLBACK when there is none */
static uint16_t pick_made(struct rng *r, const bool *made, uint32_t n,
			  uint16_t fallback)
{
	uint32_t count = 0, k;

	for (uint32_t i = 0; i < n; i++)
		count += made[i];
	if (!count)
		return fallback;
	k = below(r, count);
	for (uint32_t i = 0; i < n; i++)
		if (made[i] && k-- == 0)
			return (uint16_t)i;
	return fallback;
}

/* mostly a recently named address (sometimes a few pages off), else a
 * page of the codec's window */
static uint64_t pick_addr(struct rng *r, const struct context *c)
{
	uint64_t a;

	if (c->nrecent && below(r, 4)) {
		a = c->recent[below(r, c->nrecent)] & ~(PAGE - 1);
		if (coin(r))
			return a;
		a += ((int64_t)below(r, 9) - 4) * (int64_t)PAGE;
		return a;
	}
	return CODEC_WINDOW_BASE + below(r, CODEC_WINDOW_PAGES) * PAGE;
}

/*
 * An address LEN bytes long that ends where a recently named range starts
 * or starts where it ends, else pick_addr's.  VMA merges need exact
 * neighbours (vma_merge_new_range(), vma_expand() for mremap's copy_vma());
 * a byte mutation almost never lands on one.
 */
static uint64_t pick_adjacent(struct rng *r, const struct context *c,
			      uint64_t len)
{
	uint32_t with[CODEC_RECENT], n = 0;
	uint32_t k;

	for (uint32_t i = 0; i < c->nrecent; i++)
		if (c->recent_len[i])
			with[n++] = i;
	if (!n)
		return pick_addr(r, c);
	k = with[below(r, n)];
	if (coin(r))
		return (c->recent[k] & ~(PAGE - 1)) + c->recent_len[k];
	return (c->recent[k] & ~(PAGE - 1)) - len;
}

static uint64_t pick_len(struct rng *r)
{
	return (1 + (below(r, 4) ? below(r, 8) : below(r, MAX_PAGES))) * PAGE;
}

static uint8_t pick_prot(struct rng *r)
{
	static const uint8_t prots[4] = { PROT_RW, PROT_RW, PROT_R, PROT_NONE_ };

	return prots[below(r, 4)];
}

static const uint8_t mremap_flags[6] = {
	OPF_MAYMOVE, OPF_MAYMOVE | OPF_FIXED, OPF_MAYMOVE | OPF_DONTUNMAP,
	0, OPF_MAYMOVE | OPF_FIXED | OPF_DONTUNMAP, OPF_DONTUNMAP,
};

/*
 * OP's mremap flags, new length and target.  In a THP stream (THP), a
 * quarter of the fixed moves are of whole PMDs between PMD-aligned
 * addresses: the only mremap that moves a PMD-mapped THP as one
 * (move_page_tables() -> move_huge_pmd()), which unaligned page-granular
 * choices almost never make; an eighth go the other way, the range as it
 * is to a target off the PMD line by 1..511 pages: any PMD-mapped THP in
 * it is split (__split_huge_pmd) and its PTEs then straddle two page
 * tables, the PTE-mapped folio across a table boundary that
 * page_vma_mapped_walk() must follow (a9a7504d9bea), while the ranges a
 * THP stream names are mostly PMD-aligned.
 */
static void set_mremap(struct rng *r, const struct context *c, struct op *op,
		       bool thp)
{
	op->flags = (op->flags & OPF_FAIL_BACKEND) |
		    mremap_flags[below(r, sizeof(mremap_flags))];
	op->newlen = below(r, 3) ? op->len : pick_len(r);
	op->addr2 = !(op->flags & OPF_FIXED) ? 0 :
		    coin(r) ? pick_adjacent(r, c, op->newlen) : pick_addr(r, c);
	if (!thp || !(op->flags & OPF_FIXED))
		return;
	switch (below(r, 8)) {
	case 0:
	case 1:
		op->addr &= ~(PMD_BYTES - 1);
		op->len = op->newlen = (1 + below(r, 2)) * PMD_BYTES;
		op->addr2 = (op->addr2 + PMD_BYTES - 1) & ~(PMD_BYTES - 1);
		break;
	case 2:
		op->addr2 = (op->addr2 & ~(PMD_BYTES - 1)) +
			    (1 + below(r, 511)) * PAGE;
		break;
	}
}

/* ---- building ops ------------------------------------------------------ */

/*
 * Does S ask for large folios (issue 19): a thp-sizes line, or a madvise
 * hugepage or collapse?  Only such a stream gets THP choices from the
 * mutator (advices, PMD-sized lengths), so that a 4 KiB-only input is
 * mutated exactly as before; byte mutations bring THP ops to the others
 * (the codec's slots 8a-8d).
 */
static bool stream_thp(const struct op_stream *s)
{
	for (uint32_t i = 0; i < s->nops; i++)
		if (s->ops[i].kind == OP_THP_SIZES ||
		    (s->ops[i].kind == OP_MADVISE &&
		     (s->ops[i].advice == ADV_HUGEPAGE ||
		      s->ops[i].advice == ADV_COLLAPSE)))
			return true;
	return false;
}

/*
 * A length for a THP stream's op at ADDR: one to four PMDs a quarter of
 * the time, and an eighth of the time, from an address inside a PMD, the
 * rest of it up to the PMD line: the range that empties one page table
 * and leaves the next (a folio split across the line keeps pages in both:
 * the walks that page_vma_mapped_walk() got wrong, a9a7504d9bea).
 */
static uint64_t pick_len_thp(struct rng *r, uint64_t addr)
{
	uint64_t in_pmd = addr & (PMD_BYTES - PAGE);

	switch (below(r, 8)) {
	case 0:
	case 1:
		return (1 + below(r, 4)) * PMD_BYTES;
	case 2:
		if (in_pmd)
			return PMD_BYTES - in_pmd;
		/* fall through */
	default:
		return pick_len(r);
	}
}

static const uint8_t insert_kinds[] = {
	OP_WRITE, OP_WRITE, OP_WRITE, OP_READ, OP_READ, OP_MMAP, OP_MMAP,
	OP_MMAP, OP_MREMAP, OP_MREMAP, OP_MREMAP, OP_FORK, OP_FORK, OP_MUNMAP,
	OP_MPROTECT, OP_PAGEOUT, OP_AGE, OP_MADVISE, OP_MIGRATE, OP_EXIT,
	OP_FILE, OP_UFFD_MOVE, OP_FILL, OP_FILL, OP_KSM_SCAN,
};

/* a fork's child: a fresh name while the codec allows, else another one */
static int pick_child(struct op_stream *s, struct rng *r)
{
	char name[OP_NAME_MAX];
	uint32_t max = DECODE_LIMITS_DEFAULT.max_procs;

	snprintf(name, sizeof(name), "p%u", s->nprocs);
	if (s->nprocs < max && below(r, 4) && op_stream_find_proc(s, name) < 0)
		return op_stream_proc_id(s, name);
	if (s->nprocs < 2)
		return -EINVAL;
	return (int)(1 + below(r, s->nprocs - 1));   /* any but p0 */
}

static int pick_file(struct op_stream *s, struct rng *r)
{
	char name[OP_NAME_MAX];
	uint32_t max = DECODE_LIMITS_DEFAULT.max_files;

	snprintf(name, sizeof(name), "f%u", s->nfiles);
	if (s->nfiles < max && (s->nfiles == 0 || coin(r)) &&
	    op_stream_find_file(s, name) < 0)
		return op_stream_file_id(s, name);
	return s->nfiles ? (int)below(r, s->nfiles) : -EINVAL;
}

/*
 * A random op of KIND (0: any of insert_kinds) that fits at POS.  0, or
 * -EINVAL (none fits: skip).
 */
static int random_op(struct op_stream *s, uint32_t pos, struct rng *r,
		     unsigned kind, struct op *op)
{
	struct context c;
	bool thp = stream_thp(s);
	int id = 0, err;

	memset(op, 0, sizeof(*op));
	op->kind = kind ? kind : insert_kinds[below(r, sizeof(insert_kinds))];
	if (op->kind == OP_FORK || op->kind == OP_FILE) {
		/* may add a name: the context's arrays must see it */
		id = op->kind == OP_FORK ? pick_child(s, r) : pick_file(s, r);
		if (id < 0)
			return id;
	}
	err = context_at(s, pos, &c);
	if (err) {
		context_free(&c);
		return err;
	}
	op->proc = pick_made(r, c.proc_made, s->nprocs, 0);
	if (uses_addr(op->kind))
		op->addr = pick_addr(r, &c);
	if (uses_len(op->kind))
		op->len = thp ? pick_len_thp(r, op->addr) : pick_len(r);
	switch (op->kind) {
	case OP_FORK:
		op->proc2 = (uint16_t)id;
		if (op->proc2 == op->proc)
			op->proc2 = (uint16_t)((id + 1) % s->nprocs);
		break;
	case OP_FILE:
		op->file = (uint16_t)id;
		break;
	case OP_MMAP:
		op->prot = pick_prot(r);
		op->flags = OPF_ANON | (below(r, 4) ? 0 : OPF_SHARED);
		if (below(r, 3) == 0 && s->nfiles &&
		    (id = pick_made(r, c.file_made, s->nfiles, UINT16_MAX))
		    != UINT16_MAX) {
			op->flags &= ~OPF_ANON;
			op->file = (uint16_t)id;
			op->off = below(r, 8) * PAGE;
		} else if (!(op->flags & OPF_SHARED) && below(r, 6) == 0) {
			op->flags |= OPF_GROWSDOWN;     /* a stack (issue 20) */
		}
		break;
	case OP_MADVISE:
		/* dontneed half the time, else what fork copies and KSM's
		 * (issue 20: advices 1 to 6, each an extended kind); in a THP
		 * stream a third of the time hugepage, nohugepage or collapse
		 * (issue 19) */
		if (thp && below(r, 3) == 0)
			op->advice = (uint8_t)(ADV_HUGEPAGE + below(r, 3));
		else
			op->advice = (uint8_t)(coin(r) ? ADV_DONTNEED :
					       ADV_DONTFORK +
					       below(r, ADV_UNMERGEABLE));
		break;
	case OP_MPROTECT:
		op->prot = pick_prot(r);
		break;
	case OP_FILL:           /* issue 20, KSM: few bytes, so pages meet */
		op->len = (uint64_t[]){ 0x00, 0x5a, 0xa5 }[below(r, 3)];
		break;
	case OP_KSM_SCAN:
		op->proc = 0;
		break;
	case OP_UFFD_MOVE:      /* issue 20: from another recent address */
		op->addr2 = pick_addr(r, &c);
		op->flags = below(r, 3) ? 0 : OPF_SRC_HOLES;
		break;
	case OP_MREMAP:
		set_mremap(r, &c, op, thp);
		break;
	}
	context_free(&c);
	return op->kind == OP_FORK && op->proc2 == op->proc ? -EINVAL : 0;
}

/* ---- stream surgery ---------------------------------------------------- */

static int insert_op(struct op_stream *s, uint32_t pos, const struct op *op)
{
	int err = op_stream_push(s, op);

	if (err)
		return err;
	memmove(&s->ops[pos + 1], &s->ops[pos],
		(s->nops - 1 - pos) * sizeof(*op));
	s->ops[pos] = *op;
	return 0;
}

static void delete_ops(struct op_stream *s, uint32_t pos, uint32_t count)
{
	memmove(&s->ops[pos], &s->ops[pos + count],
		(s->nops - pos - count) * sizeof(s->ops[0]));
	s->nops -= count;
}

static int duplicate_ops(struct op_stream *s, struct rng *r)
{
	uint32_t from = below(r, s->nops), count, at;
	struct op run[4];
	int err = 0;

	count = 1 + below(r, s->nops - from < 4 ? s->nops - from : 4);
	memcpy(run, &s->ops[from], count * sizeof(run[0]));
	at = below(r, s->nops + 1);
	for (uint32_t i = 0; i < count && !err; i++)
		err = insert_op(s, at + i, &run[i]);
	return err;
}

/* an op index from a random start whose kind passes WANT, or -1 */
static int64_t find_op(const struct op_stream *s, struct rng *r,
		       bool (*want)(unsigned kind))
{
	uint32_t start = below(r, s->nops);

	for (uint32_t k = 0; k < s->nops; k++) {
		uint32_t i = (start + k) % s->nops;

		if (want(s->ops[i].kind))
			return i;
	}
	return -1;
}

static bool is_mremap(unsigned kind)
{
	return kind == OP_MREMAP;
}

static bool is_action(unsigned kind)
{
	return kind < OP_EXPECT_MAP || kind > OP_DUMP;
}

/* op I's fields that depend on what came before, changed with context */
static int retouch(struct op_stream *s, struct rng *r, uint32_t i,
		   unsigned what)
{
	struct op *op = &s->ops[i];
	struct context c;
	int err = context_at(s, i, &c);

	if (!err) {
		switch (what) {
		case 0:         /* retarget to a recently named address */
			op->addr = c.nrecent ? c.recent[below(r, c.nrecent)]
					     : pick_addr(r, &c);
			break;
		case 1:
			set_mremap(r, &c, op, stream_thp(s));
			break;
		case 2:
			op->proc = pick_made(r, c.proc_made, s->nprocs, 0);
			break;
		}
	}
	context_free(&c);
	return err;
}

static void set_fail_nth(struct rng *r, struct op *op)
{
	if (codec_ext_kind_byte(op) >= 0)
		return;         /* an extended kind has no FAIL field (codec.h) */
	if (op->fail_nth && coin(r)) {
		op->fail_nth = 0;
		op->flags &= ~OPF_FAIL_BACKEND;
		return;
	}
	op->fail_nth = 1 + (below(r, 4) ? below(r, 4) : below(r, 64));
	op->flags = (op->flags & ~OPF_FAIL_BACKEND) |
		    (coin(r) ? OPF_FAIL_BACKEND : 0);
}

/*
 * The yield points an op of each kind passes (the MM_YIELD sites of core/:
 * mremap's move_page_tables() and move_vma(), dup_mmap(), the unmaps of
 * munmap, exit and MAP_FIXED, wp_page_copy(), truncate's per-VMA loop,
 * migration, and vma_adjust for every op that splits or merges a VMA;
 * move_huge_pmd()'s and move_normal_pmd()'s for mremap and
 * collapse_huge_page()'s for madvise, issue 21's PMD slice; pte_set for the ops that map a page: faults and
 * fork's copies).
 * A point the op never passes leaves the interleaving unreached: most of
 * the uniform draws were (docs/races.md, Fuzzing).  YP_NONE ends a row.
 */
static const uint8_t op_points[OP_KIND_MAX][8] = {
	[OP_MMAP] = { YP_UNMAP_ZAPPED, YP_UNMAP_BETWEEN_VMAS, YP_VMA_ADJUST },
	[OP_MUNMAP] = { YP_UNMAP_ZAPPED, YP_UNMAP_BETWEEN_VMAS, YP_VMA_ADJUST },
	[OP_MPROTECT] = { YP_VMA_ADJUST },
	[OP_MREMAP] = { YP_MREMAP_MOVE_PTE, YP_MREMAP_BETWEEN_TABLES,
			YP_MREMAP_MOVED, YP_VMA_ADJUST, YP_UNMAP_ZAPPED,
			YP_MREMAP_MOVE_PMD, YP_MREMAP_MOVE_TABLE,
			YP_MREMAP_TABLE_CHOSEN },
	[OP_MADVISE] = { YP_VMA_ADJUST, YP_COLLAPSE_FLUSHED },
	[OP_FORK] = { YP_FORK_LINK_COPY, YP_FORK_BETWEEN_VMAS, YP_PTE_SET },
	[OP_EXIT] = { YP_UNMAP_ZAPPED, YP_UNMAP_BETWEEN_VMAS },
	[OP_WRITE] = { YP_WP_BEFORE_REPLACE, YP_WP_AFTER_REPLACE, YP_PTE_SET },
	[OP_READ] = { YP_PTE_SET },
	[OP_FILL] = { YP_WP_BEFORE_REPLACE, YP_WP_AFTER_REPLACE, YP_PTE_SET },
	[OP_FILE] = { YP_TRUNCATE_BETWEEN_VMAS },
	[OP_MIGRATE] = { YP_MIGRATE_UNMAPPED },
};

/*
 * A yield point for an op of KIND: three times in four one it passes (its
 * row of op_points), else any (a row may be incomplete: the uniform draw
 * keeps every point reachable).
 */
static uint8_t pick_point(struct rng *r, unsigned kind)
{
	const uint8_t *row = kind < OP_KIND_MAX ? op_points[kind] : NULL;
	uint32_t n = 0;

	while (row && n < sizeof(op_points[0]) && row[n] != YP_NONE)
		n++;
	if (n && below(r, 4))
		return row[below(r, n)];
	return (uint8_t)(1 + below(r, YP_MAX - 1));
}

/* a fixed mremap of whole PMDs from a PMD line to a PMD line */
static bool moves_whole_pmds(const struct op *op)
{
	return (op->flags & OPF_FIXED) && op->len && !(op->addr % PMD_BYTES) &&
	       !(op->addr2 % PMD_BYTES) && !(op->len % PMD_BYTES);
}

/*
 * The pass of POINT, during an op whose range starts at FROM, that has the
 * page at PAGE_ADDR in flight, or 1 when the point is not passed per page:
 * move_ptes() passes mremap_move_pte once per PTE, move_huge_pmd()
 * mremap_move_pmd once per PMD and move_normal_pmd() mremap_move_table
 * once per PTE table, all in address order from FROM.
 */
static uint32_t pass_of_page(uint8_t point, uint64_t from, uint64_t page_addr)
{
	uint64_t off;

	from &= ~(PAGE - 1);
	if (page_addr < from)
		return 1;
	off = page_addr - from;
	if (point == YP_MREMAP_MOVE_PTE && off < 256ull * PAGE)
		return (uint32_t)(1 + off / PAGE);
	if ((point == YP_MREMAP_MOVE_PMD || point == YP_MREMAP_MOVE_TABLE ||
	     point == YP_MREMAP_TABLE_CHOSEN) && off < 256ull * PMD_BYTES)
		return (uint32_t)(1 + off / PMD_BYTES);
	return 1;
}

/*
 * A walker: migrate, unmap or age alike, the collapse walker one time in
 * eight.  It walks only the pages of a tmpfs range (it does nothing to an
 * anonymous page, which is most of what the walkers are given), and its
 * window has a move of its own (insert_file_table_move); drawn as the
 * fourth of four it took a quarter of the walkers from the anonymous races
 * (docs/races.md, "All eight": move_huge_pmd_skips_rmap_locks 5/5 -> 2/4).
 */
static uint8_t pick_walker(struct rng *r)
{
	if (below(r, 8) == 0)
		return ILV_WALKER_COLLAPSE;
	return (uint8_t)(1 + below(r, ILV_WALKER_AGE));
}

/*
 * At mremap_table_chosen (move_page_tables() chose a whole-table move, no
 * lock taken yet) two times in three the collapse walker: the window is
 * its (CVE-2024-50066: retract_page_tables() frees the table there); the
 * other walkers find every page settled.
 */
static void collapse_at_its_window(struct rng *r, struct op *op)
{
	if (op->ilv_point == YP_MREMAP_TABLE_CHOSEN && below(r, 3))
		op->ilv_walker = ILV_WALKER_COLLAPSE;
}

/*
 * At munmap's and exit's points (unmap_zapped, unmap_between_vmas) half
 * the time the stalled walker: its window is there (munmap's order: a
 * walker that read a VMA's PMD before free_pgtables() frees the table),
 * and it is modelled nowhere else (core/interleave_run.c, "unmodelled"),
 * so pick_walker never draws it.
 */
static void stalled_at_its_window(struct rng *r, struct op *op)
{
	if ((op->ilv_point == YP_UNMAP_ZAPPED ||
	     op->ilv_point == YP_UNMAP_BETWEEN_VMAS) && coin(r))
		op->ilv_walker = ILV_WALKER_STALLED;
}

/*
 * At vma_adjust half the time the page just below the op's range: a split
 * at the op's start (mprotect, munmap, madvise of a range inside a VMA)
 * shrinks the VMA below it, whose pages are then out of the anon_vma's
 * tree while its range changes (vma_prepare(); scenario 119).  The op's
 * own page is in the part that leaves, which is linked anew.
 */
static void adjust_at_its_window(struct rng *r, struct op *op)
{
	if (op->ilv_point == YP_VMA_ADJUST && uses_addr(op->kind) &&
	    op->addr >= PAGE && coin(r)) {
		op->ilv_proc = op->proc;
		op->ilv_addr = (op->addr & ~(PAGE - 1)) - PAGE;
	}
}

/*
 * Op K's interleaving (core/op_interleave.h, issue 21): cleared a quarter
 * of the times it has one; else moved to another yield point and pass,
 * and, when it had none or half the time, given a walker and a page: one
 * that an op before K (or K itself, half the time when K names one) names,
 * so the walker finds a page there more often than not.  repair() keeps its process one made before K.
 */
static void set_interleave(struct op_stream *s, struct rng *r, uint32_t k)
{
	struct op *op = &s->ops[k];
	uint32_t j = below(r, k + 1);

	if (op->ilv_walker && below(r, 4) == 0) {
		op->ilv_walker = op->ilv_point = 0;
		op->ilv_proc = 0;
		op->ilv_nth = 0;
		op->ilv_addr = 0;
		return;
	}
	if (!op->ilv_walker || coin(r)) {
		/*
		 * Half the time the page of op K itself (the page its window
		 * moves, copies or unmaps: the PTE in flight of mremap_move_pte
		 * is only ever K's own), else one an earlier op names.
		 */
		if (uses_addr(op->kind) && coin(r))
			j = k;
		while (j > 0 && !(is_action(s->ops[j].kind) &&
				  uses_addr(s->ops[j].kind)))
			j--;
		op->ilv_walker = pick_walker(r);
		op->ilv_proc = s->ops[j].proc;
		op->ilv_addr = s->ops[j].addr & ~0xfffull;
	}
	op->ilv_point = pick_point(r, op->kind);
	/* a fixed move of whole PMDs between PMD lines: two times in three
	 * a window only such a move has (a THP's PMD in move_huge_pmd(), a
	 * whole PTE table in move_normal_pmd(), and one time in eight the
	 * table chosen before move_normal_pmd() takes its locks) */
	if (op->kind == OP_MREMAP && moves_whole_pmds(op) && below(r, 3))
		op->ilv_point = below(r, 8) == 0 ? YP_MREMAP_TABLE_CHOSEN :
				coin(r) ? YP_MREMAP_MOVE_PMD :
					  YP_MREMAP_MOVE_TABLE;
	collapse_at_its_window(r, op);
	stalled_at_its_window(r, op);
	adjust_at_its_window(r, op);
	op->ilv_nth = below(r, 4) ? 1 : 1 + below(r, 4);
	/* most of the time the pass that has the walker's own page in
	 * flight (its PTE's or its PMD's index in the moved range) */
	if (op->kind == OP_MREMAP && below(r, 4))
		op->ilv_nth = pass_of_page(op->ilv_point, op->addr,
					   op->ilv_addr);
}

/*
 * Insert at I an mremap that moves a recently named range to a fixed
 * address next to another one (the moves behind CVE-2026-23077: a VMA that
 * merges into its new neighbour), keeping or unmapping the source.
 */
static int insert_adjacent_move(struct op_stream *s, struct rng *r,
				uint32_t i)
{
	struct context c;
	struct op op;
	uint32_t from;
	int err = context_at(s, i, &c);

	if (!err && c.nrecent) {
		from = below(r, c.nrecent);
		memset(&op, 0, sizeof(op));
		op.kind = OP_MREMAP;
		op.proc = pick_made(r, c.proc_made, s->nprocs, 0);
		op.addr = c.recent[from] & ~(PAGE - 1);
		op.len = c.recent_len[from] ? c.recent_len[from] : PAGE;
		op.newlen = op.len;
		op.flags = OPF_MAYMOVE | OPF_FIXED |
			   (coin(r) ? OPF_DONTUNMAP : 0);
		op.addr2 = pick_adjacent(r, &c, op.newlen);
		err = insert_op(s, i, &op);
	}
	context_free(&c);
	return err;
}

/*
 * After a fixed mremap M (drawn among the stream's), at a place after it,
 * insert M's move back: its destination to its source.  The range lands
 * in the hole it left, next to the VMA it was cut from, and merges into
 * it (copy_vma(): a faulted range keeps its vm_pgoff, again the
 * neighbour's continuation), so the merged VMA's vm_pgoff is below the
 * source's: the move that needs need_rmap_locks, whose missing locks are
 * Arcangeli's 2011 bug for PTEs and Shutemov's 2014 one for a PMD.  Two
 * moves, one of them exact, are what no single mutation made (races.md:
 * the move back of scenario 140 was never reached by search).  Half the
 * time the move back carries a walker (issue 21) of a page it moves: one
 * an op before M named inside M's range, where M put it, else its first,
 * at a point of mremap's, on the pass that has that page in flight.
 */
static int insert_round_trip(struct op_stream *s, struct rng *r)
{
	int32_t k = -1;
	uint32_t n = 0, pos, named = 0;
	const struct op *m;
	struct op op;
	int err;

	for (uint32_t j = 0; j < s->nops; j++)
		if (s->ops[j].kind == OP_MREMAP && (s->ops[j].flags & OPF_FIXED) &&
		    s->ops[j].newlen && below(r, ++n) == 0)
			k = (int32_t)j;
	if (k < 0)
		return 0;
	m = &s->ops[k];
	memset(&op, 0, sizeof(op));
	op.kind = OP_MREMAP;
	op.proc = m->proc;
	op.addr = m->addr2 & ~(PAGE - 1);
	op.len = op.newlen = m->newlen;
	op.flags = OPF_MAYMOVE | OPF_FIXED;
	op.addr2 = m->addr & ~(PAGE - 1);
	if (coin(r)) {
		uint64_t src = m->addr & ~(PAGE - 1), off = 0;

		for (int32_t j = 0; j < k; j++) {
			const struct op *o = &s->ops[j];

			if (is_action(o->kind) && uses_addr(o->kind) &&
			    o->proc == m->proc && o->addr >= src &&
			    o->addr - src < m->newlen && below(r, ++named) == 0)
				off = (o->addr - src) & ~(PAGE - 1);
		}
		op.ilv_walker = pick_walker(r);
		op.ilv_proc = op.proc;
		op.ilv_addr = op.addr + off;
		op.ilv_point = pick_point(r, OP_MREMAP);
		/* a move of whole PMDs between PMD-aligned addresses moves
		 * each PMD-mapped THP by move_huge_pmd() (move_page_tables()):
		 * three times in four its point, where Shutemov's 2014 race is
		 * (half the time until the walkers were four and the table
		 * points two: bb-races8c found it 3/5; and
		 * a fourth of those move_normal_pmd()'s, for PTE tables) */
		if (moves_whole_pmds(&op)) {
			if (below(r, 4))
				op.ilv_point = below(r, 4) ? YP_MREMAP_MOVE_PMD
							   : YP_MREMAP_MOVE_TABLE;
		} else if (coin(r)) {
			/* any other move back: half the time move_ptes()'
			 * point, Arcangeli's 2011 race (pick_point alone
			 * gives it about one time in ten) */
			op.ilv_point = YP_MREMAP_MOVE_PTE;
		}
		collapse_at_its_window(r, &op);
		op.ilv_nth = pass_of_page(op.ilv_point, op.addr, op.ilv_addr);
	}
	pos = (uint32_t)k + 1 + below(r, s->nops - (uint32_t)k);
	err = insert_op(s, pos, &op);
	return err;
}

/*
 * In a THP stream, after a write J (a fault that can map a THP where the
 * range is madvised hugepage), insert the round trip of its 2 MiB whole:
 * the fixed mremap of that PMD to an aligned address, and right after it
 * the move back, with a walker of J's page at mremap_move_pmd (the pass
 * of its PMD, the first), or a quarter of the time at mremap_move_table.
 * When the PMD below J's is the same VMA's, the move back merges into it
 * (scenario 140): Shutemov's 2014 race, which
 * otherwise needs the search to make the first move on its own (bugbench
 * out/bb-races8d: move_huge_pmd_skips_rmap_locks 4/5, one at 61 s).
 */
static int insert_thp_round_trip(struct op_stream *s, struct rng *r)
{
	int32_t j = -1;
	uint32_t n = 0;
	struct op out, back;
	uint64_t haddr;
	int err;

	if (!stream_thp(s))
		return 0;
	for (uint32_t k = 0; k < s->nops; k++)
		if ((s->ops[k].kind == OP_WRITE || s->ops[k].kind == OP_FILL) &&
		    s->ops[k].addr >= PMD_BYTES && below(r, ++n) == 0)
			j = (int32_t)k;
	if (j < 0)
		return 0;
	haddr = s->ops[j].addr & ~(PMD_BYTES - 1);
	memset(&out, 0, sizeof(out));
	out.kind = OP_MREMAP;
	out.proc = s->ops[j].proc;
	out.addr = haddr;
	out.len = out.newlen = PMD_BYTES;
	out.flags = OPF_MAYMOVE | OPF_FIXED;
	out.addr2 = 0x200000000ull + below(r, 8) * PMD_BYTES;
	back = out;
	back.addr = out.addr2;
	back.addr2 = haddr;
	back.ilv_walker = pick_walker(r);
	back.ilv_proc = out.proc;
	back.ilv_addr = out.addr2 + ((s->ops[j].addr - haddr) & ~(PAGE - 1));
	/* a PTE-mapped 2 MiB (no THP there) moves as a whole table:
	 * move_normal_pmd()'s window a quarter of the time */
	back.ilv_point = below(r, 4) ? YP_MREMAP_MOVE_PMD
				     : YP_MREMAP_MOVE_TABLE;
	back.ilv_nth = 1;
	err = insert_op(s, (uint32_t)j + 1, &out);
	return err ? err : insert_op(s, (uint32_t)j + 2, &back);
}

/*
 * In a THP stream, after an op J that writes or reads a page, insert the
 * MADV_COLLAPSE of the 2 MiB around it (collapse_huge_page(): the PMD's
 * small pages copied into a new THP), half the time with a walker of that
 * page at collapse_flushed, the window between pmdp_collapse_flush() and
 * set_pmd_at() where the anon_vma lock is all that keeps walkers out.  A
 * collapse needs several pages faulted in one PMD and the madvise to name
 * that PMD exactly; the search made few (races.md: 18 in five trials) and
 * the right walker on one rarely.  A 4 KiB-only stream is left alone.
 */
static int insert_collapse(struct op_stream *s, struct rng *r)
{
	int32_t j = -1;
	uint32_t n = 0;
	struct op op;

	if (!stream_thp(s))
		return 0;
	for (uint32_t k = 0; k < s->nops; k++)
		if ((s->ops[k].kind == OP_WRITE || s->ops[k].kind == OP_READ ||
		     s->ops[k].kind == OP_FILL) && below(r, ++n) == 0)
			j = (int32_t)k;
	if (j < 0)
		return 0;
	memset(&op, 0, sizeof(op));
	op.kind = OP_MADVISE;
	op.advice = ADV_COLLAPSE;
	op.proc = s->ops[j].proc;
	op.addr = s->ops[j].addr & ~(PMD_BYTES - 1);
	op.len = PMD_BYTES;
	if (coin(r)) {
		op.ilv_walker = pick_walker(r);
		op.ilv_proc = op.proc;
		op.ilv_addr = s->ops[j].addr & ~(PAGE - 1);
		op.ilv_point = YP_COLLAPSE_FLUSHED;
		op.ilv_nth = 1;
	}
	return insert_op(s, (uint32_t)j + 1 + below(r, s->nops - (uint32_t)j),
			 &op);
}

/* the last mmap before op K, in K's process, over K's address; or -1 */
static int32_t mmap_of(const struct op_stream *s, uint32_t k)
{
	const struct op *t = &s->ops[k];

	for (uint32_t m = k; m-- > 0;) {
		const struct op *mm = &s->ops[m];

		if (mm->kind == OP_MMAP && mm->proc == t->proc &&
		    t->addr >= mm->addr && t->addr - mm->addr < mm->len)
			return (int32_t)m;
	}
	return -1;
}

/*
 * After a fork F (process A forks B) and a page P that A touched before
 * it, insert at a place after F the munmap, by A or by B, of the mapping
 * (the mmap that put P there, whole) with the stalled walker of P in the
 * other process at unmap_zapped: munmap's order's race (a VMA still in
 * P's anon_vma while free_pgtables() frees its tables) needs a page two
 * VMAs of one tree map, one of them unmapped whole, and the walker there;
 * search put the three together in 8 to 32 s (out/bb-freepgt2).
 */
static int insert_stalled_unmap(struct op_stream *s, struct rng *r)
{
	int32_t f = -1, j = -1, m;
	uint32_t n = 0;
	const struct op *fork, *t;
	struct op op;
	bool by_child = coin(r);

	for (uint32_t k = 0; k < s->nops; k++)
		if (s->ops[k].kind == OP_FORK && below(r, ++n) == 0)
			f = (int32_t)k;
	if (f < 0)
		return 0;
	fork = &s->ops[f];
	n = 0;
	for (int32_t k = 0; k < f; k++)
		if ((s->ops[k].kind == OP_WRITE || s->ops[k].kind == OP_READ ||
		     s->ops[k].kind == OP_FILL) &&
		    s->ops[k].proc == fork->proc && below(r, ++n) == 0)
			j = k;
	if (j < 0)
		return 0;
	t = &s->ops[j];
	memset(&op, 0, sizeof(op));
	op.kind = OP_MUNMAP;
	op.proc = by_child ? fork->proc2 : fork->proc;
	op.addr = t->addr & ~(PAGE - 1);
	op.len = PAGE;
	m = mmap_of(s, (uint32_t)j);
	if (m >= 0) {
		op.addr = s->ops[m].addr;
		op.len = s->ops[m].len;
	}
	op.ilv_walker = ILV_WALKER_STALLED;
	op.ilv_point = YP_UNMAP_ZAPPED;
	op.ilv_nth = 1;
	op.ilv_proc = by_child ? fork->proc : fork->proc2;
	op.ilv_addr = t->addr & ~(PAGE - 1);
	return insert_op(s, (uint32_t)f + 1 +
			 below(r, s->nops - (uint32_t)f), &op);
}

/*
 * Does MM, the last mapping of OP's process over OP's page, map the whole
 * aligned 2 MiB around it shared from a tmpfs file, at a 2 MiB-aligned file
 * offset inside the file's size SIZE then (retract_page_tables() frees only
 * such a table; collapse_file() works only inside i_size)?
 */
static bool maps_file_pmd(const struct op *mm, const struct op *op,
			  uint64_t size)
{
	uint64_t start = op->addr & ~(PMD_BYTES - 1);

	return !(mm->flags & OPF_ANON) && (mm->flags & OPF_SHARED) &&
	       start >= mm->addr && start + PMD_BYTES <= mm->addr + mm->len &&
	       !((mm->off + (start - mm->addr)) & (PMD_BYTES - 1)) &&
	       mm->off + (start - mm->addr) + PMD_BYTES <= size;
}

/*
 * After an op J that touches a page of a shared tmpfs mapping of a whole
 * aligned 2 MiB (maps_file_pmd), insert the fixed mremap of that 2 MiB
 * to an aligned address, with the collapse walker of J's page at
 * mremap_table_chosen: CVE-2024-50066's race, another process's
 * MADV_COLLAPSE freeing the table move_page_tables() chose to move.  It
 * needs a file mapping, a page in it, an aligned whole-PMD move and that
 * walker at that point at once: in the first bugbench of
 * move_normal_pmd_skips_recheck search put them together once in five
 * minutes (docs/races.md, "The eighth").  0 and nothing done when no
 * such page is named.
 */
static int insert_file_table_move(struct op_stream *s, struct rng *r)
{
	uint64_t *size = calloc(s->nfiles + 1, sizeof(*size));
	int32_t j = -1;
	uint32_t n = 0;
	struct op op;

	if (!size)
		return -ENOMEM;
	for (uint32_t k = 0; k < s->nops; k++) {
		const struct op *t = &s->ops[k];
		int32_t m;
		bool fits;

		if (t->kind == OP_FILE && t->file < s->nfiles)
			size[t->file] = t->len;
		if (t->kind != OP_WRITE && t->kind != OP_READ &&
		    t->kind != OP_FILL)
			continue;
		m = mmap_of(s, k);
		fits = m >= 0 && s->ops[m].file < s->nfiles &&
		       maps_file_pmd(&s->ops[m], t, size[s->ops[m].file]);
		if (fits && below(r, ++n) == 0)
			j = (int32_t)k;
	}
	free(size);
	if (j < 0)
		return 0;
	memset(&op, 0, sizeof(op));
	op.kind = OP_MREMAP;
	op.proc = s->ops[j].proc;
	op.addr = s->ops[j].addr & ~(PMD_BYTES - 1);
	op.len = op.newlen = PMD_BYTES;
	op.flags = OPF_MAYMOVE | OPF_FIXED;
	/* below 0x7fe00000, where the kernel engine's traces stay */
	op.addr2 = 0x70000000ull + below(r, 8) * PMD_BYTES;
	op.ilv_walker = ILV_WALKER_COLLAPSE;
	op.ilv_proc = op.proc;
	op.ilv_addr = s->ops[j].addr & ~(PAGE - 1);
	op.ilv_point = YP_MREMAP_TABLE_CHOSEN;
	op.ilv_nth = 1;
	return insert_op(s, (uint32_t)j + 1, &op);
}

/*
 * In a THP stream, insert at I the MADV_DONTNEED of one whole PMD-aligned
 * 2 MiB inside a range mapped before I (an mmap, or a fixed mremap's
 * destination, as the context names them): a zap over a whole PMD frees
 * its emptied PTE table (CONFIG_PT_RECLAIM, 6.14; core/pgtable.h
 * pgtable_reclaim_pte), a hole in the page tables in the middle of a VMA.
 * A PTE-mapped folio that a move left across that PMD's end then has its
 * first pages' table gone and its others in the next table: the walk
 * page_vma_mapped_walk() got wrong (a9a7504d9bea).  Random addresses
 * almost never name a PMD line inside a range (page-granular picks near
 * the ranges' starts), and lengths rarely a whole PMD from it.
 * Half the time the move comes first, inserted with it: a range of two
 * PMDs or more that starts on a PMD line (a THP stream's mmaps), moved
 * whole by a fixed mremap to a target off the line by 1..511 pages, so
 * that a THP it holds lands across a table boundary (set_mremap makes
 * that move one fixed mremap in sixteen, and the gap must then fall on
 * the table of the folio's first part).
 */
static int insert_table_gap(struct op_stream *s, struct rng *r, uint32_t i)
{
	uint64_t lines[CODEC_RECENT], first, moved_to = 0;
	uint32_t n = 0;
	struct context c;
	struct op op;
	int err;

	if (!stream_thp(s))
		return 0;
	err = context_at(s, i, &c);
	if (!err && coin(r)) {
		uint32_t from[CODEC_RECENT], m = 0;

		for (uint32_t k = 0; k < c.nrecent; k++)
			if (!(c.recent[k] & (PMD_BYTES - 1)) &&
			    c.recent_len[k] >= 2 * PMD_BYTES)
				from[m++] = k;
		if (m) {
			uint32_t k = from[below(r, m)];

			memset(&op, 0, sizeof(op));
			op.kind = OP_MREMAP;
			op.proc = pick_made(r, c.proc_made, s->nprocs, 0);
			op.addr = c.recent[k];
			op.len = op.newlen = c.recent_len[k];
			op.flags = OPF_MAYMOVE | OPF_FIXED;
			op.addr2 = (pick_addr(r, &c) & ~(PMD_BYTES - 1)) +
				   (1 + below(r, 511)) * PAGE;
			moved_to = op.addr2;
			err = insert_op(s, i++, &op);
			context_free(&c);
			if (!err)
				err = context_at(s, i, &c);
		}
	}
	for (uint32_t k = 0; !err && k < c.nrecent; k++) {
		uint64_t start = c.recent[k] & ~(PAGE - 1);

		/* after the move, a line of its destination */
		if (moved_to && start != moved_to)
			continue;
		first = (start + PMD_BYTES - 1) & ~(PMD_BYTES - 1);
		if (c.recent_len[k] && first + PMD_BYTES <= start + c.recent_len[k])
			lines[n++] = first + below(r, (uint32_t)((start +
				c.recent_len[k] - first) / PMD_BYTES)) *
				PMD_BYTES;
	}
	if (!err && n) {
		memset(&op, 0, sizeof(op));
		op.kind = OP_MADVISE;
		op.advice = ADV_DONTNEED;
		op.proc = pick_made(r, c.proc_made, s->nprocs, 0);
		op.addr = lines[below(r, n)];
		op.len = PMD_BYTES;
		err = insert_op(s, i, &op);
	}
	context_free(&c);
	return err;
}

/*
 * Insert at I a run of 3..10 forks, exits, writes and mprotects: a fork
 * tree whose processes exit in some order.  anon_vma reuse at fork
 * (anon_vma_clone()'s reuse of an anon_vma with no VMA and few children,
 * CVE-2022-42703) needs several generations with exits between them;
 * one op at a time, libFuzzer's short inputs seldom grow one.
 */
static int insert_fork_tree(struct op_stream *s, struct rng *r, uint32_t i)
{
	static const uint8_t kinds[] = {
		OP_FORK, OP_FORK, OP_FORK, OP_EXIT, OP_EXIT, OP_WRITE,
		OP_MPROTECT,
	};
	uint32_t count = 3 + below(r, 8);
	struct op op;
	int err = 0;

	for (uint32_t k = 0; k < count && !err; k++) {
		if (random_op(s, i, r, kinds[below(r, sizeof(kinds))], &op))
			continue;
		err = insert_op(s, i++, &op);
	}
	return err;
}

/*
 * The moves' weights: one slot each, two for inserting and for fail-nth.
 * With every move allowed, a slot is drawn uniformly from this table.
 */
static const uint8_t move_slots[] = {
	OP_MOVE_INSERT, OP_MOVE_INSERT, OP_MOVE_DELETE, OP_MOVE_DUPLICATE,
	OP_MOVE_SWAP, OP_MOVE_RETARGET, OP_MOVE_MREMAP, OP_MOVE_FAIL_NTH,
	OP_MOVE_FAIL_NTH, OP_MOVE_PROC, OP_MOVE_ADJACENT, OP_MOVE_FORK_TREE,
	OP_MOVE_LENGTH, OP_MOVE_INTERLEAVE, OP_MOVE_ROUND_TRIP,
	OP_MOVE_COLLAPSE, OP_MOVE_TABLE_GAP,
};

/* a move among those MOVES allows, by their slots; OP_MOVE_COUNT: none */
static unsigned pick_move(struct rng *r, unsigned moves)
{
	uint32_t allowed = 0, k;

	for (uint32_t i = 0; i < sizeof(move_slots); i++)
		allowed += !!(moves & OP_MOVE_BIT(move_slots[i]));
	if (!allowed)
		return OP_MOVE_COUNT;
	k = below(r, allowed);
	for (uint32_t i = 0; i < sizeof(move_slots); i++)
		if ((moves & OP_MOVE_BIT(move_slots[i])) && k-- == 0)
			return move_slots[i];
	return OP_MOVE_COUNT;
}

/* one move of those MOVES allows (an empty stream can only grow); it goes
 * into *DONE */
static int mutate_once(struct op_stream *s, struct rng *r, unsigned moves,
		       unsigned *done)
{
	uint32_t n = s->nops, i = below(r, n), j;
	unsigned move;
	int64_t k;
	struct op op;

	if (n)
		move = pick_move(r, moves);
	else
		move = moves & OP_MOVE_BIT(OP_MOVE_INSERT) ? OP_MOVE_INSERT
							    : OP_MOVE_COUNT;
	if (move == OP_MOVE_COUNT)
		return 0;
	*done |= OP_MOVE_BIT(move);
	switch (move) {
	case OP_MOVE_INSERT:
		if (random_op(s, i, r, 0, &op))
			return 0;
		return insert_op(s, below(r, s->nops + 1), &op);
	case OP_MOVE_DELETE:
		delete_ops(s, i, 1 + below(r, n - i < 4 ? n - i : 4));
		return 0;
	case OP_MOVE_DUPLICATE:
		return duplicate_ops(s, r);
	case OP_MOVE_SWAP:
		j = below(r, n);
		op = s->ops[i];
		s->ops[i] = s->ops[j];
		s->ops[j] = op;
		return 0;
	case OP_MOVE_RETARGET:
		return uses_addr(s->ops[i].kind) ? retouch(s, r, i, 0) : 0;
	case OP_MOVE_MREMAP:
		k = find_op(s, r, is_mremap);
		if (k >= 0)
			return retouch(s, r, (uint32_t)k, 1);
		if (random_op(s, i, r, OP_MREMAP, &op))
			return 0;
		return insert_op(s, i, &op);
	case OP_MOVE_FAIL_NTH:
		k = find_op(s, r, is_action);
		if (k >= 0)
			set_fail_nth(r, &s->ops[k]);
		return 0;
	case OP_MOVE_INTERLEAVE:
		/* one time in four munmap's race, built whole */
		if (below(r, 4) == 0) {
			uint32_t before = s->nops;
			int err = insert_stalled_unmap(s, r);

			if (err || s->nops != before)
				return err;
		}
		k = find_op(s, r, is_action);
		if (k >= 0)
			set_interleave(s, r, (uint32_t)k);
		return 0;
	case OP_MOVE_PROC:
		return uses_proc(s->ops[i].kind) ? retouch(s, r, i, 2) : 0;
	case OP_MOVE_ADJACENT:
		return insert_adjacent_move(s, r, i);
	case OP_MOVE_FORK_TREE:
		return insert_fork_tree(s, r, i);
	case OP_MOVE_ROUND_TRIP:
		/* a THP stream's round trip half the time built whole */
		if (coin(r)) {
			uint32_t before = s->nops;
			int err = insert_thp_round_trip(s, r);

			if (err || s->nops != before)
				return err;
		}
		return insert_round_trip(s, r);
	case OP_MOVE_COLLAPSE:
		/* a collapse: MADV_COLLAPSE of anonymous memory, or another
		 * task's of a tmpfs range inside mremap (the walker) */
		if (coin(r) && s->nops > 1) {
			uint32_t before = s->nops;
			int err = insert_file_table_move(s, r);

			if (err || s->nops != before)
				return err;
		}
		return insert_collapse(s, r);
	case OP_MOVE_TABLE_GAP:
		return insert_table_gap(s, r, i);
	case OP_MOVE_LENGTH:
		if (s->ops[i].kind == OP_MREMAP && coin(r))
			s->ops[i].newlen = pick_len(r);
		else if (uses_len(s->ops[i].kind))
			s->ops[i].len = stream_thp(s) ?
				pick_len_thp(r, s->ops[i].addr) : pick_len(r);
		return 0;
	}
	return 0;
}

/*
 * Every name used after its creation: an op of a process not yet forked
 * acts in one that was; a file mapping of a file not yet created maps one
 * that was (or becomes anonymous); a fork into itself is dropped.
 */
static int repair(struct op_stream *s, struct rng *r)
{
	bool *proc_made = calloc(s->nprocs + 1, sizeof(bool));
	bool *file_made = calloc(s->nfiles + 1, sizeof(bool));
	uint32_t out = 0;

	if (!proc_made || !file_made) {
		free(proc_made);
		free(file_made);
		return -ENOMEM;
	}
	proc_made[0] = true;
	for (uint32_t i = 0; i < s->nops; i++) {
		struct op op = s->ops[i];

		/* thp-sizes only as the first op (trace/codec.h) */
		if (op.kind == OP_THP_SIZES && out)
			continue;
		if (uses_proc(op.kind) &&
		    (op.proc >= s->nprocs || !proc_made[op.proc]))
			op.proc = pick_made(r, proc_made, s->nprocs, 0);
		/* the interleave line comes before the op: made before it */
		if (op.ilv_walker &&
		    (op.ilv_proc >= s->nprocs || !proc_made[op.ilv_proc]))
			op.ilv_proc = pick_made(r, proc_made, s->nprocs, 0);
		if (op.kind == OP_FORK) {
			if (op.proc2 == op.proc || op.proc2 >= s->nprocs)
				continue;
			proc_made[op.proc2] = true;
		}
		if (op.kind == OP_FILE) {
			if (op.file >= s->nfiles)
				continue;
			file_made[op.file] = true;
		}
		if (maps_file(&op) &&
		    (op.file >= s->nfiles || !file_made[op.file])) {
			op.file = pick_made(r, file_made, s->nfiles, UINT16_MAX);
			if (op.file == UINT16_MAX) {
				op.flags |= OPF_ANON;
				op.file = 0;
				op.off = 0;
			}
		}
		op.line = out + 1;
		s->ops[out++] = op;
	}
	s->nops = out;
	free(proc_made);
	free(file_made);
	return 0;
}

/*
 * S encoded into OUT[0..MAX): its size, dropping ops from the end until it
 * fits (the codec's op limit included); 0 when nothing could be encoded.
 */
static size_t emit(struct op_stream *s, uint8_t *out, size_t max)
{
	uint32_t max_ops = DECODE_LIMITS_DEFAULT.max_ops;

	if (s->nops > max_ops)
		s->nops = max_ops;
	while (s->nops) {
		uint8_t *bytes = NULL;
		size_t len = 0;
		int err = encode_ops(s, NULL, &bytes, &len, NULL, 0);

		if (!err && len <= max && len > 0) {
			memcpy(out, bytes, len);
			free(bytes);
			return len;
		}
		free(bytes);
		if (err && err != -EINVAL)
			return 0;
		s->nops = s->nops * 3 / 4;
	}
	return 0;
}

size_t op_mutate(uint8_t *data, size_t size, size_t max, uint64_t seed)
{
	return op_mutate_moves(data, size, max, seed, OP_MOVES_ALL, NULL);
}

size_t op_mutate_moves(uint8_t *data, size_t size, size_t max, uint64_t seed,
		       unsigned moves, unsigned *done)
{
	struct rng r = { seed };
	struct op_stream s;
	size_t len = 0;
	uint32_t stack = 1 + below(&r, MAX_STACK);
	unsigned applied = 0;

	if (done)
		*done = 0;
	if (op_stream_init(&s))
		return size;
	if (decode_ops(data, size, NULL, &s))
		goto out;
	for (uint32_t i = 0; i < stack; i++)
		if (mutate_once(&s, &r, moves, &applied))
			goto out;
	if (done)
		*done = applied;
	if (!repair(&s, &r))
		len = emit(&s, data, max);
out:
	op_stream_free(&s);
	return len ? len : size;
}

/* B's op OP, its names those of S (interned there); -errno */
static int adopt(struct op_stream *s, const struct op_stream *b,
		 struct op *op)
{
	int id;

	if (uses_proc(op->kind)) {
		id = op_stream_proc_id(s, op_stream_proc_name(b, op->proc));
		if (id < 0)
			return id;
		op->proc = (uint16_t)id;
	}
	if (op->kind == OP_FORK) {
		id = op_stream_proc_id(s, op_stream_proc_name(b, op->proc2));
		if (id < 0)
			return id;
		op->proc2 = (uint16_t)id;
	}
	if (op->kind == OP_FILE || maps_file(op)) {
		id = op_stream_file_id(s, op_stream_file_name(b, op->file));
		if (id < 0)
			return id;
		op->file = (uint16_t)id;
	}
	return 0;
}

size_t op_crossover(const uint8_t *a, size_t alen, const uint8_t *b,
		    size_t blen, uint8_t *out, size_t max, uint64_t seed)
{
	return op_crossover_moves(a, alen, b, blen, out, max, seed,
				  OP_MOVES_ALL);
}

size_t op_crossover_moves(const uint8_t *a, size_t alen, const uint8_t *b,
			  size_t blen, uint8_t *out, size_t max,
			  uint64_t seed, unsigned moves)
{
	struct rng r = { seed };
	struct op_stream sa, sb;
	size_t len = 0;
	unsigned applied = 0;
	int err = 0;

	if (op_stream_init(&sa))
		return 0;
	if (op_stream_init(&sb)) {
		op_stream_free(&sa);
		return 0;
	}
	if (decode_ops(a, alen, NULL, &sa) || decode_ops(b, blen, NULL, &sb))
		goto out;
	sa.nops = below(&r, sa.nops + 1);
	for (uint32_t j = below(&r, sb.nops + 1); j < sb.nops && !err; j++) {
		struct op op = sb.ops[j];

		err = adopt(&sa, &sb, &op);
		if (!err)
			err = op_stream_push(&sa, &op);
	}
	if (!err && below(&r, 4) == 0)
		err = mutate_once(&sa, &r, moves, &applied);
	/* names past the codec's limits (both streams had many) are dropped */
	if (!err && sa.nprocs > DECODE_LIMITS_DEFAULT.max_procs)
		sa.nprocs = DECODE_LIMITS_DEFAULT.max_procs;
	if (!err && sa.nfiles > DECODE_LIMITS_DEFAULT.max_files)
		sa.nfiles = DECODE_LIMITS_DEFAULT.max_files;
	if (!err && !repair(&sa, &r))
		len = emit(&sa, out, max);
out:
	op_stream_free(&sa);
	op_stream_free(&sb);
	if (!len && alen <= max) {
		memcpy(out, a, alen);
		len = alen;
	}
	return len;
}
