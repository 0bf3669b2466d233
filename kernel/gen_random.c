/*
 * gen_random.c - random kernel-runnable traces (gen_random.h).
 *
 * The generator keeps what a trace writer would: the live processes (and
 * who forked whom, so parents can exit before their children), the files,
 * and the ranges ever mapped or moved to (REGIONS), so that most addresses
 * hit a mapping, its edges, or the space right after it.  It does not
 * model the kernel: whether an op succeeds is for the worlds to say.
 *
 * Every address stays inside [GEN_LO, GEN_HI), far inside the kernel
 * runner's window; the only ranges that reach outside are ones the kernel
 * refuses before it looks at any mapping (huge lengths, which kwindow lets
 * run), and moves the kernel places itself (MREMAP_MAYMOVE without
 * MREMAP_FIXED), which neither world shows inside the window.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kernel/gen_random.h"

#define PAGE      0x1000ULL
#define MAX_LIVE  6          /* live processes at most: forks stop there */
#define MAX_FILES 3
#define MAX_REGIONS 48

/* the areas addresses are drawn from; BASE_PMD straddles a 2 MiB boundary */
static const uint64_t bases[] = {
	0x10000000ULL,          /* where most scenarios live */
	0x101f0000ULL,          /* 16 pages below the 2 MiB line 0x10200000 */
	0x10040000ULL,          /* close enough to the first to collide */
	0x20000000ULL,          /* far: fixed moves land here */
};
#define NBASES (sizeof(bases) / sizeof(bases[0]))

/* lengths the kernel refuses before looking at any mapping */
static const uint64_t huge_lens[] = {
	0xffffffffffff0000ULL, 0x7ffffffff000ULL, 0x800000000000ULL,
	0xfffffffffffff000ULL,
};

struct region {
	uint64_t start, len;
};

struct gen {
	uint64_t rng;
	struct op_stream *s;
	int live[MAX_LIVE];          /* process ids */
	int parent[MAX_LIVE];        /* index in live[], or -1 */
	unsigned nlive;
	unsigned next_proc;          /* the N of the next pN */
	bool file_made[MAX_FILES];
	struct region regions[MAX_REGIONS];
	unsigned nregions, region_next;
	struct op last_mprotect;     /* to be undone later: merges back */
	unsigned profile;            /* which ops this trace leans on */
	unsigned opts;               /* GEN_* (gen_random.h) */
	uint64_t stacks[8];          /* growsdown mappings' starts (GEN_LINEAR) */
	unsigned nstacks;
	struct region thp[4];        /* hugepage regions (GEN_THP) */
	unsigned nthp;
	int err;
};

/* a trace leans on one area (by seed), so each gets deep sequences */
enum { PROFILE_MIXED, PROFILE_FILES, PROFILE_FORKS, PROFILE_REMAP,
       PROFILE_SHMEM, NPROFILES };

/* splitmix64: small, fast, the same everywhere */
static uint64_t next_u64(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct gen *g, uint64_t n)
{
	return n ? next_u64(g) % n : 0;
}

/* true with probability PCT percent */
static bool chance(struct gen *g, unsigned pct)
{
	return below(g, 100) < pct;
}

static void push(struct gen *g, const struct op *op)
{
	if (!g->err)
		g->err = op_stream_push(g->s, op);
}

static void remember(struct gen *g, uint64_t start, uint64_t len)
{
	if (len == 0 || len > 64 * PAGE || (start & (PAGE - 1)))
		return;
	g->regions[g->region_next] = (struct region){ start, len };
	g->region_next = (g->region_next + 1) % MAX_REGIONS;
	if (g->nregions < MAX_REGIONS)
		g->nregions++;
}

/* half the time one of the last 8: what was mapped lately is still there */
static const struct region *some_region(struct gen *g)
{
	unsigned back;

	if (!g->nregions)
		return NULL;
	if (chance(g, 50)) {
		back = 1 + (unsigned)below(g, g->nregions < 8 ? g->nregions : 8);
		return &g->regions[(g->region_next + MAX_REGIONS - back) % MAX_REGIONS];
	}
	return &g->regions[below(g, g->nregions)];
}

/* a page address: in or at the end of a region, else near a base */
static uint64_t page_addr(struct gen *g)
{
	const struct region *r = some_region(g);

	if (r && chance(g, 75))
		return r->start + below(g, r->len / PAGE + 1) * PAGE;
	return bases[below(g, NBASES)] + below(g, 40) * PAGE;
}

/* an address for a call: now and then unaligned (EINVAL everywhere) */
static uint64_t call_addr(struct gen *g)
{
	uint64_t a = page_addr(g);

	if (chance(g, 2))
		a += chance(g, 50) ? 0x800 : 1;
	return a;
}

static uint64_t pages_len(struct gen *g)
{
	static const unsigned n[] = { 1, 1, 2, 2, 3, 4, 4, 6, 8, 16 };

	return n[below(g, sizeof(n) / sizeof(n[0]))] * PAGE;
}

/* a length: mostly whole pages, sometimes a partial page, rarely huge */
static uint64_t call_len(struct gen *g)
{
	uint64_t len = pages_len(g);

	if (chance(g, 4))
		len -= chance(g, 50) ? 0x800 : PAGE - 1;
	else if (chance(g, 1))
		len = chance(g, 50) ? huge_lens[0] : huge_lens[3];   /* wraps */
	return len;
}

static uint16_t some_proc(struct gen *g)
{
	return (uint16_t)g->live[below(g, g->nlive)];
}

static void gen_mmap(struct gen *g, bool shared_anon)
{
	struct op op = { .kind = OP_MMAP, .proc = some_proc(g) };
	static const uint8_t prots[] = { PROT_RW, PROT_RW, PROT_RW, PROT_R,
					 PROT_R, PROT_NONE_ };
	unsigned f = (unsigned)below(g, MAX_FILES);

	op.addr = call_addr(g);
	op.len = call_len(g);
	op.prot = prots[below(g, sizeof(prots))];
	if (g->file_made[f] && !shared_anon && chance(g, 40)) {
		op.file = (uint16_t)f;
		op.off = below(g, 8) * PAGE;
		if (chance(g, 3))
			op.off += 0x800;             /* EINVAL before anything */
		if (chance(g, 1))
			op.off = 0x7ffffffffffff000ULL;   /* past MAX_LFS_FILESIZE */
	} else {
		op.flags |= OPF_ANON;
	}
	if (shared_anon || chance(g, op.flags & OPF_ANON ? 20 : 50))
		op.flags |= OPF_SHARED;
	if (chance(g, 1))
		op.len = huge_lens[below(g, sizeof(huge_lens) / sizeof(huge_lens[0]))];
	push(g, &op);
	remember(g, op.addr, op.len);
}

/* [start, end) inside or across regions, for munmap/mprotect/madvise */
/*
 * OP's range: a piece of region R (from a page of it to at most its end),
 * or, R NULL, anywhere (call_addr, call_len)
 */
static void piece_of(struct gen *g, const struct region *r, struct op *op)
{
	if (r) {
		uint64_t pages = r->len / PAGE, from = below(g, pages);

		op->addr = r->start + from * PAGE;
		op->len = (1 + below(g, pages - from)) * PAGE;
	} else {
		op->addr = call_addr(g);
		op->len = call_len(g);
	}
}

static void range_op(struct gen *g, uint8_t kind)
{
	struct op op = { .kind = kind, .proc = some_proc(g) };
	const struct region *r = some_region(g);

	/* a piece of a region (splits, and merges back later) or anywhere */
	if (r && chance(g, 60)) {
		piece_of(g, r, &op);
		if (chance(g, 20))
			op.len += pages_len(g);     /* on across the next VMA or hole */
	} else {
		piece_of(g, NULL, &op);
	}
	if (kind == OP_MPROTECT && g->last_mprotect.kind && chance(g, 40)) {
		/* undo the last one: the pieces merge back */
		op = g->last_mprotect;
		op.prot = PROT_RW;
		g->last_mprotect.kind = 0;
		push(g, &op);
		return;
	}
	if (kind == OP_MPROTECT) {
		static const uint8_t prots[] = { PROT_RW, PROT_RW, PROT_R, PROT_NONE_ };

		op.prot = prots[below(g, sizeof(prots))];
		g->last_mprotect = op;
		if (chance(g, 1))
			op.len = 0xfffffffffffff000ULL;   /* wraps: ENOMEM */
	}
	if (kind == OP_MUNMAP && chance(g, 1))
		op.len = huge_lens[below(g, sizeof(huge_lens) / sizeof(huge_lens[0]))];
	push(g, &op);
}

/* mremap's destination: next to, overlapping, inside another region, far */
static uint64_t remap_dest(struct gen *g, uint64_t addr, uint64_t oldlen,
			   uint64_t newlen)
{
	switch (below(g, 6)) {
	case 0:
		return addr + oldlen;                        /* adjacent above */
	case 1:
		return addr >= newlen + 0x10000 ? addr - newlen : addr + oldlen;
	case 2:
		return addr + below(g, oldlen / PAGE + 1) * PAGE;   /* overlapping */
	case 3:
		return bases[3] + below(g, 48) * PAGE;       /* far */
	default:
		return page_addr(g);                         /* onto something */
	}
}

/* mremap form HOW on OP, whose old range is set: flags, new length, dest */
static void remap_form(struct gen *g, struct op *op, unsigned how)
{
	switch (how) {
	case 0:                                      /* shrink in place */
		op->newlen = op->len > PAGE ?
			     op->len - below(g, op->len / PAGE) * PAGE : PAGE;
		break;
	case 1:
	case 2:                                      /* grow: in place or blocked */
		op->newlen = op->len + pages_len(g);
		if (how == 2)
			op->flags |= OPF_MAYMOVE;
		break;
	case 3:
	case 4:                                      /* fixed move, any size */
		op->flags |= OPF_MAYMOVE | OPF_FIXED;
		if (chance(g, 40))
			op->newlen = pages_len(g);
		op->addr2 = remap_dest(g, op->addr, op->len, op->newlen);
		break;
	case 5:
	case 6:                                      /* dontunmap: same length */
		op->flags |= OPF_MAYMOVE | OPF_DONTUNMAP;
		if (chance(g, 85)) {
			op->flags |= OPF_FIXED;
			op->addr2 = remap_dest(g, op->addr, op->len, op->newlen);
		}
		if (chance(g, 10))
			op->newlen = op->len - (chance(g, 50) ? 0x800 : PAGE);
		break;
	case 7:                                      /* several VMAs at once */
		op->flags |= OPF_MAYMOVE | OPF_FIXED;
		op->len = op->newlen = op->len + pages_len(g) + pages_len(g);
		op->addr2 = remap_dest(g, op->addr, op->len, op->newlen);
		break;
	case 8:                                      /* duplicate: old_len 0 */
		op->flags |= OPF_MAYMOVE | (chance(g, 80) ? OPF_FIXED : 0);
		op->len = 0;
		op->newlen = pages_len(g);
		op->addr2 = page_addr(g) + 0x100000;
		break;
	default:                                     /* odd arguments */
		op->newlen = chance(g, 50) ? huge_lens[below(g, 4)] : op->len + 0x800;
		if (chance(g, 50)) {
			op->flags |= OPF_MAYMOVE | OPF_FIXED;
			op->addr2 = call_addr(g);
		}
		if (chance(g, 30))
			op->addr += 0x800;
		break;
	}
}

/* one mremap of a region's whole or its tail, in one of ten forms */
static void gen_mremap(struct gen *g)
{
	struct op op = { .kind = OP_MREMAP, .proc = some_proc(g) };
	const struct region *r = some_region(g);
	unsigned how = (unsigned)below(g, 10);

	op.addr = r ? r->start : call_addr(g);
	op.len = r ? r->len : call_len(g);
	if (r && chance(g, 30)) {                    /* a tail piece */
		uint64_t skip = below(g, r->len / PAGE) * PAGE;

		op.addr += skip;
		op.len -= skip;
	}
	op.newlen = op.len;
	remap_form(g, &op, how);
	if (!(op.flags & OPF_FIXED))
		op.addr2 = 0;
	push(g, &op);
	remember(g, op.flags & OPF_FIXED ? op.addr2 : op.addr, op.newlen);
}

/* a new process, mostly a child of the newest: deep trees */
static void gen_fork(struct gen *g)
{
	struct op op = { .kind = OP_FORK };
	char name[OP_NAME_MAX];
	unsigned parent = chance(g, 60) ? g->nlive - 1 : (unsigned)below(g, g->nlive);
	int id;

	snprintf(name, sizeof(name), "p%u", g->next_proc++);
	id = op_stream_proc_id(g->s, name);
	if (id < 0) {
		g->err = id;
		return;
	}
	op.proc = (uint16_t)g->live[parent];
	op.proc2 = (uint16_t)id;
	push(g, &op);
	g->live[g->nlive] = id;
	g->parent[g->nlive] = (int)parent;
	g->nlive++;
}

/* an exit, mostly of a process whose child lives on: parents exit first */
static void gen_exit(struct gen *g)
{
	struct op op = { .kind = OP_EXIT };
	unsigned victim = (unsigned)below(g, g->nlive), parents[MAX_LIVE], n = 0;

	for (unsigned i = 0; i < g->nlive; i++)
		if (g->parent[i] >= 0)
			parents[n++] = (unsigned)g->parent[i];
	if (n && chance(g, 70))
		victim = parents[below(g, n)];
	op.proc = (uint16_t)g->live[victim];
	push(g, &op);
	for (unsigned i = 0; i < g->nlive; i++) {
		if (g->parent[i] == (int)victim)
			g->parent[i] = -1;
		else if (g->parent[i] > (int)victim)
			g->parent[i]--;
	}
	memmove(&g->live[victim], &g->live[victim + 1],
		(g->nlive - victim - 1) * sizeof(g->live[0]));
	memmove(&g->parent[victim], &g->parent[victim + 1],
		(g->nlive - victim - 1) * sizeof(g->parent[0]));
	g->nlive--;
}

/* create or truncate: down and up, to whole and partial pages, to 0 */
static void gen_file(struct gen *g, unsigned f)
{
	struct op op = { .kind = OP_FILE, .file = (uint16_t)f };

	op.len = below(g, 24) * PAGE;
	if (chance(g, 30))
		op.len += chance(g, 50) ? 0x800 : 1;
	push(g, &op);
	g->file_made[f] = true;
}

static void gen_access(struct gen *g, bool write)
{
	struct op op = { .kind = write ? OP_WRITE : OP_READ, .proc = some_proc(g) };

	op.addr = page_addr(g) + (chance(g, 10) ? below(g, PAGE) : 0);
	push(g, &op);
}

/* the profile's extra op, a quarter of the time */
static bool gen_leaning(struct gen *g)
{
	if (g->profile == PROFILE_MIXED || !chance(g, 25))
		return false;
	switch (g->profile) {
	case PROFILE_FILES:
		if (chance(g, 50))
			gen_file(g, (unsigned)below(g, MAX_FILES));
		else
			gen_mmap(g, false);
		break;
	case PROFILE_SHMEM:
		/* shared anonymous objects, resized past their size, forked */
		if (chance(g, 40))
			gen_mmap(g, true);
		else if (chance(g, 50))
			gen_mremap(g);
		else
			gen_access(g, chance(g, 50));
		break;
	case PROFILE_FORKS:
		if (g->nlive < MAX_LIVE && chance(g, 60))
			gen_fork(g);
		else if (g->nlive > 1)
			gen_exit(g);
		else
			gen_access(g, true);
		break;
	default:
		gen_mremap(g);
		break;
	}
	return true;
}

/*
 * GEN_LINEAR: issue 20's ops.  What fork copies (madvise dontfork / dofork /
 * wipeonfork / keeponfork on a piece of a region, then forks find it),
 * stacks: growsdown mappings, and accesses below them, near (growth) and
 * at the guard gap's edge (1 MiB below what is under them), and
 * UFFDIO_MOVE between the regions (uffd-move), and KSM (gen_ksm).
 */
/*
 * KSM's ops (GEN_LINEAR): fill with one of three bytes (so pages of equal
 * content meet), madvise mergeable / unmergeable on a piece of a region,
 * ksm-scan.  Writes and the rest of the generator break merged pages.
 */
static void gen_ksm(struct gen *g)
{
	static const uint8_t bytes[] = { 0x00, 0x5a, 0xa5 };
	unsigned k = (unsigned)below(g, 100);
	struct op op = { .proc = some_proc(g) };

	if (k < 45) {
		op.kind = OP_FILL;
		op.addr = page_addr(g);
		op.len = bytes[below(g, sizeof(bytes))];
	} else if (k < 80) {
		const struct region *r = some_region(g);

		op.kind = OP_MADVISE;
		op.advice = chance(g, 75) ? ADV_MERGEABLE : ADV_UNMERGEABLE;
		piece_of(g, r, &op);
	} else {
		op = (struct op){ .kind = OP_KSM_SCAN };
	}
	push(g, &op);
}

static void gen_linear(struct gen *g)
{
	unsigned k;
	struct op op;

	if (chance(g, 40)) {
		gen_ksm(g);
		return;
	}
	k = (unsigned)below(g, 100);
	op = (struct op){ .proc = some_proc(g) };

	if (k >= 75) {
		/* UFFDIO_MOVE between two pieces of regions, or anywhere */
		op.kind = OP_UFFD_MOVE;
		op.addr = page_addr(g);
		op.addr2 = page_addr(g);
		op.len = (1 + below(g, 4)) * PAGE;
		if (chance(g, 30))
			op.flags = OPF_SRC_HOLES;
		push(g, &op);
	} else if (k < 30) {
		/* range_op's shape, with a fork advice */
		const struct region *r = some_region(g);

		op.kind = OP_MADVISE;
		/* dontfork .. keeponfork: the four advices this draw has
		 * always made (ADV_MAX grew with issue 19, and 5-6 are
		 * held for KSM's), so a seed's trace stays what it was */
		op.advice = (uint8_t)(ADV_DONTFORK +
				      below(g, ADV_KEEPONFORK - ADV_DONTFORK + 1));
		piece_of(g, r && chance(g, 70) ? r : NULL, &op);
		push(g, &op);
	} else if (k < 50 || !g->nstacks) {
		static const uint8_t prots[] = { PROT_RW, PROT_RW, PROT_RW, PROT_R };

		op.kind = OP_MMAP;
		op.flags = OPF_ANON | OPF_GROWSDOWN;
		op.prot = prots[below(g, sizeof(prots))];
		op.addr = chance(g, 50) ? page_addr(g) :
			  bases[below(g, NBASES)] + (16 + below(g, 300)) * PAGE;
		op.len = pages_len(g);
		push(g, &op);
		remember(g, op.addr, op.len);
		g->stacks[g->nstacks % 8] = op.addr;
		if (g->nstacks < 8)
			g->nstacks++;
	} else {
		/* below a stack: a few pages, or around the guard gap's size */
		uint64_t top = g->stacks[below(g, g->nstacks)];
		uint64_t down = chance(g, 70) ? (1 + below(g, 24)) * PAGE :
				(250 + below(g, 12)) * PAGE;

		op.kind = chance(g, 70) ? OP_WRITE : OP_READ;
		op.addr = top > down + 0x10000 ? top - down : top;
		push(g, &op);
	}
}

/*
 * GEN_THP (issue 19): hugepage regions, 4 to 8 MiB at 2 MiB-aligned
 * addresses (some starting 64 KiB past the line, so that a PMD range is
 * cut by the VMA's start), madvised hugepage; faults in them (many on
 * a 2 MiB line's first or last page); munmap, mprotect, madvise dontneed
 * and nohugepage of a few pages across a PMD boundary or of a whole
 * PMD; mremap of a whole PMD to a 2 MiB-aligned place (move_huge_pmd) or
 * of a part (a split); MADV_COLLAPSE of a PMD range; forks (from the
 * mix, and a third of the fork draws here).
 */
#define THP_PMD  0x200000ULL
static const uint64_t thp_bases[] = {
	0x40000000ULL, 0x41000000ULL, 0x42000000ULL, 0x43000000ULL,
};

static void gen_thp_region(struct gen *g)
{
	struct op op = { .kind = OP_MMAP, .flags = OPF_ANON, .prot = PROT_RW,
			 .proc = some_proc(g) };
	unsigned slot = g->nthp < 4 ? g->nthp++ : (unsigned)below(g, 4);

	op.addr = thp_bases[slot] + (chance(g, 20) ? 16 * PAGE : 0);
	op.len = (2 + below(g, 3)) * THP_PMD;
	push(g, &op);
	g->thp[slot] = (struct region){ op.addr, op.len };
	op.kind = OP_MADVISE;
	op.advice = ADV_HUGEPAGE;
	push(g, &op);
}

/* a page of a hugepage region: a PMD line's first or last page often */
static uint64_t thp_page(struct gen *g, const struct region *r)
{
	uint64_t line = (r->start + THP_PMD - 1) & ~(THP_PMD - 1);
	uint64_t pmds = (r->start + r->len - line) / THP_PMD;

	line += below(g, pmds + 1) * THP_PMD;
	switch (below(g, 3)) {
	case 0:
		return line;
	case 1:
		return line - PAGE;
	default:
		return r->start + below(g, r->len / PAGE) * PAGE;
	}
}

static void gen_thp(struct gen *g)
{
	const struct region *r;
	struct op op = { .proc = some_proc(g) };
	unsigned k = (unsigned)below(g, 100);
	uint64_t at;

	if (!g->nthp || k < 6) {
		gen_thp_region(g);
		return;
	}
	r = &g->thp[below(g, g->nthp)];
	at = thp_page(g, r);
	if (k < 50) {
		op.kind = chance(g, 70) ? OP_WRITE : OP_READ;
		op.addr = at;
	} else if (k < 72) {
		/* a few pages across a PMD line, or a whole PMD */
		static const uint8_t kinds[] = { OP_MUNMAP, OP_MPROTECT,
						 OP_MADVISE, OP_MADVISE };

		op.kind = kinds[below(g, sizeof(kinds))];
		if (chance(g, 25)) {
			op.addr = at & ~(THP_PMD - 1);
			op.len = THP_PMD;
		} else {
			op.addr = at - below(g, 3) * PAGE;
			op.len = (1 + below(g, 4)) * PAGE;
		}
		if (op.kind == OP_MPROTECT)
			op.prot = chance(g, 50) ? PROT_R : PROT_RW;
		if (op.kind == OP_MADVISE)
			op.advice = chance(g, 75) ? ADV_DONTNEED : ADV_NOHUGEPAGE;
	} else if (k < 82) {
		/* a whole PMD to another region's line, or a part: split */
		op.kind = OP_MREMAP;
		op.flags = OPF_MAYMOVE | OPF_FIXED;
		op.addr = chance(g, 60) ? at & ~(THP_PMD - 1) : at;
		op.len = op.newlen = chance(g, 60) ? THP_PMD :
				     (1 + below(g, 16)) * PAGE;
		op.addr2 = thp_bases[below(g, 4)] + 0x800000ULL +
			   below(g, 4) * THP_PMD;
	} else if (k < 88) {
		op.kind = OP_MADVISE;
		op.advice = ADV_COLLAPSE;
		op.addr = at & ~(THP_PMD - 1);
		op.len = THP_PMD;
	} else if (g->nlive < MAX_LIVE) {
		gen_fork(g);
		return;
	} else {
		op.kind = OP_WRITE;
		op.addr = at;
	}
	push(g, &op);
}

static void gen_one(struct gen *g)
{
	unsigned k;

	if (g->opts & GEN_THP && chance(g, 40)) {
		gen_thp(g);
		return;
	}
	if (g->opts & GEN_LINEAR && chance(g, 25)) {
		gen_linear(g);
		return;
	}
	k = (unsigned)below(g, 100);
	if (gen_leaning(g))
		return;

	if (k < 12)
		gen_mmap(g, false);
	else if (k < 16)
		range_op(g, OP_MUNMAP);
	else if (k < 23)
		range_op(g, OP_MPROTECT);
	else if (k < 27)
		range_op(g, OP_MADVISE);
	else if (k < 42)
		gen_mremap(g);
	else if (k < 48 && g->nlive < MAX_LIVE)
		gen_fork(g);
	else if (k < 52 && g->nlive > 1)
		gen_exit(g);
	else if (k < 57)
		gen_file(g, (unsigned)below(g, MAX_FILES));
	else if (k < 59)
		push(g, &(struct op){ .kind = OP_DUMP });
	else
		gen_access(g, chance(g, 60));
}

static void setup(struct gen *g)
{
	struct op op = { .kind = OP_MMAP, .flags = OPF_ANON, .prot = PROT_RW };
	char name[OP_NAME_MAX];

	for (unsigned f = 0; f < MAX_FILES && !g->err; f++) {
		snprintf(name, sizeof(name), "f%u", f);
		if (op_stream_file_id(g->s, name) < 0)
			g->err = -ENOMEM;
	}
	gen_file(g, 0);
	for (unsigned b = 0; b < 2; b++) {
		op.addr = bases[b];
		op.len = 16 * PAGE;
		push(g, &op);
		remember(g, op.addr, op.len);
	}
}

int gen_random_trace(uint64_t seed, uint32_t nops, struct op_stream *out)
{
	return gen_random_trace_opts(seed, nops, 0, out);
}

int gen_random_trace_opts(uint64_t seed, uint32_t nops, unsigned opts,
			  struct op_stream *out)
{
	struct gen g = { .rng = seed, .s = out, .nlive = 1, .next_proc = 1,
			 .opts = opts };

	g.live[0] = 0;
	g.parent[0] = -1;
	g.profile = (unsigned)(seed % NPROFILES);
	if (opts & GEN_THP && chance(&g, 30)) {
		/* mTHP sizes with 2M or without: the first op */
		struct op op = { .kind = OP_THP_SIZES };

		op.len = (below(&g, 256) << THP_MIN_ORDER) |
			 (chance(&g, 50) ? THP_ORDERS_DEFAULT : 0);
		if (!op.len)
			op.len = THP_ORDERS_DEFAULT;
		push(&g, &op);
	}
	setup(&g);
	if (opts & GEN_THP)
		gen_thp_region(&g);
	for (uint32_t i = 0; i < nops && !g.err; i++)
		gen_one(&g);
	push(&g, &(struct op){ .kind = OP_DUMP });
	return g.err;
}
