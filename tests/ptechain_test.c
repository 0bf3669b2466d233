/*
 * ptechain_test.c - the PTE-chain backend (core/rmap_ptechain.c).
 *
 * Oracle: after every step, for every frame, the backend's walk
 * (world_rmap_walk) equals the page-table scan (oracle/scan.h), and the
 * backend's accounting equals what a fresh count of every page->rmap finds:
 * blocks = sum of ceil(N / 7) over pages mapped N >= 2 times, direct = pages
 * mapped once, bytes = 64 * blocks.  The chain shape (direct, one block,
 * three blocks, back to direct) is asserted where a test builds it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/rmap_ptechain.h"
#include "oracle/scan.h"
#include "oracle/walk_check.h"
#include "tests/test_util.h"

#define BASE  0x10000000ULL
#define OTHER 0x20000000ULL   /* another PMD: another PTE table */
#define BLOCK 64              /* sizeof(struct pte_chain) */
#define NRPTE 7

/* ---- ptechain worlds: freed after a passing test, as tu_world_new's are -- */

#define PC_MAX_WORLDS 64

static struct world *pc_worlds[PC_MAX_WORLDS];
static unsigned pc_nworlds;

static struct world *pc_world_new(void)
{
	struct world_config cfg = { .rmap = &rmap_ptechain_ops };
	struct world *w = world_new(&cfg);

	if (!w || pc_nworlds == PC_MAX_WORLDS) {
		fprintf(stderr, "pc_world_new failed\n");
		abort();
	}
	pc_worlds[pc_nworlds++] = w;
	return w;
}

static void pc_run(struct tu_state *st, const char *name, bool (*fn)(void))
{
	unsigned failed = st->failed;

	pc_nworlds = 0;
	tu_run(st, name, fn);
	for (unsigned i = 0; st->failed == failed && i < pc_nworlds; i++)
		world_free(pc_worlds[i]);
	pc_nworlds = 0;
}

#define PC_TEST(name) pc_run(&tu_state_, #name, test_##name)

/* ---- checks --------------------------------------------------------------- */

static struct scan scan_of(const struct world *w)
{
	struct scan s = { 0 };

	if (scan_world(w, &s))
		abort();
	return s;
}

/* the walk of pfn equals the scan's entries for it */
static bool walk_equals_scan(struct world *w, const struct scan *s, uint64_t pfn)
{
	struct walk_check c;
	bool agree = walk_check(w, s, pfn, &c) == 0 && c.agree;

	walk_check_free(&c);
	return agree;
}

/* every frame but the zero page: walk == scan */
static bool all_walks_match(struct world *w)
{
	struct scan s = scan_of(w);
	bool ok = true;

	for (uint64_t pfn = 1; ok && pfn < w->phys.nframes; pfn++)
		ok = pfn == world_zero_pfn(w) || walk_equals_scan(w, &s, pfn);
	scan_free(&s);
	return ok;
}

/* a fresh count of the chains, to hold the accounting against */
static void count_chains(const struct world *w, struct ptechain_stats *c)
{
	struct scan s = scan_of(w);

	*c = (struct ptechain_stats){ 0 };
	for (uint64_t pfn = 2; pfn < w->phys.nframes; pfn++) {
		uint32_t first, n = scan_frame(&s, pfn, &first);

		if (n == 1)
			c->direct++;
		else if (n > 1)
			c->blocks += (n + NRPTE - 1) / NRPTE;
	}
	c->bytes = BLOCK * c->blocks;
	scan_free(&s);
}

static bool stats_consistent(const struct world *w)
{
	struct ptechain_stats st, c;

	rmap_ptechain_stats(w, &st);
	count_chains(w, &c);
	return st.blocks == c.blocks && st.direct == c.direct &&
	       st.bytes == c.bytes && st.bytes == BLOCK * st.blocks &&
	       st.peak_bytes >= st.bytes;
}

/* invariants, walk == scan, accounting == recount */
#define check_pc(w)						\
	do {							\
		check_world(w);					\
		ASSERT_TRUE(all_walks_match(w));		\
		ASSERT_TRUE(stats_consistent(w));		\
	} while (0)

#define PC_APPLY_OK(w, op)					\
	do {							\
		APPLY_OK(w, op);				\
		check_pc(w);					\
	} while (0)

static struct ptechain_stats stats(const struct world *w)
{
	struct ptechain_stats st;

	rmap_ptechain_stats(w, &st);
	return st;
}

static bool rmap_is_direct(const struct world *w, uint64_t pfn)
{
	return ((uintptr_t)pfn_page(w, pfn)->rmap & 1) != 0;
}

/* one anonymous page written by p0 at BASE */
static struct world *world_with_page(uint64_t *pfn)
{
	struct world *w = pc_world_new();

	if (apply(w, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, ANON, PRIVATE)) ||
	    apply(w, op_write(0, BASE)))
		abort();
	*pfn = tu_pfn(w, 0, BASE);
	return w;
}

/* ---- tests ---------------------------------------------------------------- */

static bool test_backend_name(void)
{
	struct world *w = pc_world_new();
	struct world *scan = tu_world_new(0);

	ASSERT_TRUE(!strcmp(world_backend_name(w), "ptechain"));
	/* another backend's world reads as zeros */
	ASSERT_EQ(stats(scan).direct, 0);
	APPLY_OK(scan, op_mmap(0, BASE, PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(scan, op_write(0, BASE));
	ASSERT_EQ(stats(scan).direct, 0);
	ASSERT_EQ(rmap_ptechain_drop_entry(scan, tu_pfn(scan, 0, BASE)), -ENOENT);
	return true;
}

/*
 *   p0  [BASE: page]        page->rmap = paddr(p0 PTE) | PG_direct
 */
static bool test_direct_entry_for_one_mapping(void)
{
	uint64_t pfn;
	struct world *w = world_with_page(&pfn);
	struct ptechain_stats st = stats(w);

	check_pc(w);
	ASSERT_TRUE(rmap_is_direct(w, pfn));
	ASSERT_EQ((uintptr_t)pfn_page(w, pfn)->rmap,
		  pte_paddr(w, tu_mm(w, 0), BASE) | 1);
	ASSERT_EQ(st.direct, 1);
	ASSERT_EQ(st.blocks, 0);
	ASSERT_EQ(st.bytes, 0);
	ASSERT_EQ(st.peak_bytes, 0);
	/* the zero page gets no entry: a read fault maps it */
	PC_APPLY_OK(w, op_read(0, BASE + PAGE_SIZE));
	ASSERT_EQ(tu_pfn(w, 0, BASE + PAGE_SIZE), world_zero_pfn(w));
	ASSERT_EQ(pfn_page(w, world_zero_pfn(w))->rmap, NULL);
	ASSERT_EQ(stats(w).direct, 1);
	/* unmapping the page empties page->rmap, nothing left behind */
	PC_APPLY_OK(w, op_munmap(0, BASE, PAGE_SIZE));
	ASSERT_EQ(stats(w).direct, 0);
	return true;
}

/*
 *   p0, p1 [BASE: page]     page->rmap -> [p0 p1 0 0 0 0 0]
 */
static bool test_fork_makes_a_chain(void)
{
	uint64_t pfn;
	struct world *w = world_with_page(&pfn);
	struct rmap_hit *h = NULL;

	PC_APPLY_OK(w, op_fork(0, 1));
	ASSERT_FALSE(rmap_is_direct(w, pfn));
	ASSERT_EQ(stats(w).blocks, 1);
	ASSERT_EQ(stats(w).bytes, BLOCK);
	ASSERT_EQ(stats(w).direct, 0);
	ASSERT_EQ(world_rmap_walk(w, pfn, &h), 2);
	ASSERT_EQ(h[0].pid, 0);
	ASSERT_EQ(h[1].pid, 1);
	ASSERT_EQ(h[1].addr, BASE);
	free(h);
	return true;
}

/* 21 mappings = 7 + 7 + 7: three full blocks; then drain them in an order
 * that makes remove fill holes in the old blocks from the head */
static bool test_twenty_forks_fill_three_blocks(void)
{
	static const unsigned order[] = { 1, 9, 20, 2, 15, 3, 8, 14, 4, 19,
					  5, 10, 6, 11, 7, 12, 13, 16, 17, 18 };
	uint64_t pfn, peak = 0;
	struct world *w = world_with_page(&pfn);

	for (unsigned c = 1; c <= 20; c++) {
		PC_APPLY_OK(w, op_fork(0, c));
		ASSERT_EQ(stats(w).blocks, (c + 1 + NRPTE - 1) / NRPTE);
		ASSERT_TRUE(stats(w).peak_bytes >= peak);
		peak = stats(w).peak_bytes;
	}
	ASSERT_EQ(stats(w).blocks, 3);
	ASSERT_EQ(stats(w).bytes, 3 * BLOCK);
	ASSERT_EQ(peak, 3 * BLOCK);
	for (unsigned i = 0; i < 20; i++) {
		unsigned left = 20 - i;   /* mappings after this exit */

		PC_APPLY_OK(w, op_exit(order[i]));
		if (left > 1)
			ASSERT_EQ(stats(w).blocks, (left + NRPTE - 1) / NRPTE);
		ASSERT_EQ(stats(w).peak_bytes, peak);
	}
	/* back to one mapping: direct again, no block left */
	ASSERT_TRUE(rmap_is_direct(w, pfn));
	ASSERT_EQ(stats(w).blocks, 0);
	ASSERT_EQ(stats(w).bytes, 0);
	ASSERT_EQ(stats(w).direct, 1);
	ASSERT_EQ(stats(w).peak_bytes, 3 * BLOCK);
	return true;
}

/* the parent leaves first: the survivor's entry is what stays direct */
static bool test_parent_exit_leaves_child_direct(void)
{
	uint64_t pfn;
	struct world *w = world_with_page(&pfn);

	PC_APPLY_OK(w, op_fork(0, 1));
	PC_APPLY_OK(w, op_exit(0));
	ASSERT_TRUE(rmap_is_direct(w, pfn));
	ASSERT_EQ((uintptr_t)pfn_page(w, pfn)->rmap,
		  pte_paddr(w, tu_mm(w, 1), BASE) | 1);
	return true;
}

/*
 * Before:  p0 [BASE: a b]   p1 [BASE: a b]
 * mremap p1 BASE -> OTHER (another PTE table)
 * After:   p0 [BASE: a b]   p1 [OTHER: a b]
 */
static bool test_mremap_rewrites_entries(void)
{
	uint64_t a, b;
	struct world *w = world_with_page(&a);
	struct rmap_hit *h = NULL;

	PC_APPLY_OK(w, op_write(0, BASE + PAGE_SIZE));
	b = tu_pfn(w, 0, BASE + PAGE_SIZE);
	PC_APPLY_OK(w, op_fork(0, 1));
	PC_APPLY_OK(w, op_mremap(1, BASE, 4 * PAGE_SIZE, 4 * PAGE_SIZE,
				 OPF_MAYMOVE | OPF_FIXED, OTHER));
	ASSERT_EQ(tu_pfn(w, 1, OTHER), a);
	ASSERT_EQ(world_rmap_walk(w, a, &h), 2);
	ASSERT_EQ(h[0].pid, 0);
	ASSERT_EQ(h[0].addr, BASE);
	ASSERT_EQ(h[1].pid, 1);
	ASSERT_EQ(h[1].addr, OTHER);
	free(h);
	ASSERT_EQ(world_rmap_walk(w, b, &h), 2);
	ASSERT_EQ(h[1].addr, OTHER + PAGE_SIZE);
	free(h);
	ASSERT_EQ(stats(w).blocks, 2);
	return true;
}

/* a page mapped once: the direct entry itself is rewritten */
static bool test_mremap_rewrites_direct_entry(void)
{
	uint64_t pfn;
	struct world *w = world_with_page(&pfn);

	PC_APPLY_OK(w, op_mremap(0, BASE, 4 * PAGE_SIZE, 4 * PAGE_SIZE,
				 OPF_MAYMOVE | OPF_FIXED, OTHER));
	ASSERT_TRUE(rmap_is_direct(w, pfn));
	ASSERT_EQ((uintptr_t)pfn_page(w, pfn)->rmap,
		  pte_paddr(w, tu_mm(w, 0), OTHER) | 1);
	/* and with DONTUNMAP, back again: the old VMA stays, empty */
	PC_APPLY_OK(w, op_mremap(0, OTHER, 4 * PAGE_SIZE, 4 * PAGE_SIZE,
				 OPF_MAYMOVE | OPF_FIXED | OPF_DONTUNMAP, BASE));
	ASSERT_EQ((uintptr_t)pfn_page(w, pfn)->rmap,
		  pte_paddr(w, tu_mm(w, 0), BASE) | 1);
	return true;
}

/*
 * COW in the child: old page keeps p0 only (direct again), the new page
 * gets p1's entry (direct); the one block goes.
 */
static bool test_cow_write_moves_child_entry(void)
{
	uint64_t old, new;
	struct world *w = world_with_page(&old);
	struct rmap_hit *h = NULL;

	PC_APPLY_OK(w, op_fork(0, 1));
	PC_APPLY_OK(w, op_write(1, BASE));
	new = tu_pfn(w, 1, BASE);
	ASSERT_NE(new, old);
	ASSERT_TRUE(rmap_is_direct(w, old));
	ASSERT_TRUE(rmap_is_direct(w, new));
	ASSERT_EQ(world_rmap_walk(w, old, &h), 1);
	ASSERT_EQ(h[0].pid, 0);
	free(h);
	ASSERT_EQ(world_rmap_walk(w, new, &h), 1);
	ASSERT_EQ(h[0].pid, 1);
	free(h);
	ASSERT_EQ(stats(w).blocks, 0);
	ASSERT_EQ(stats(w).direct, 2);
	ASSERT_EQ(stats(w).peak_bytes, BLOCK);
	return true;
}

/* a page cache page shared by two processes, then truncated away */
static bool test_shared_file_page_and_truncate(void)
{
	struct world *w = pc_world_new();
	uint64_t pfn;

	PC_APPLY_OK(w, op_file(0, 4 * PAGE_SIZE));
	PC_APPLY_OK(w, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, 0, SHARED));
	PC_APPLY_OK(w, op_write(0, BASE));
	PC_APPLY_OK(w, op_fork(0, 1));
	PC_APPLY_OK(w, op_read(1, BASE));
	pfn = tu_pfn(w, 0, BASE);
	ASSERT_EQ(tu_pfn(w, 1, BASE), pfn);
	ASSERT_EQ(stats(w).blocks, 1);
	PC_APPLY_OK(w, op_file(0, 0));
	ASSERT_EQ(stats(w).blocks, 0);
	ASSERT_EQ(stats(w).direct, 0);
	return true;
}

/* age, pageout, migrate and swap-in all go through the chain */
static bool test_consumers_through_the_walk(void)
{
	uint64_t pfn, npfn;
	struct world *w = world_with_page(&pfn);
	uint64_t checked;

	PC_APPLY_OK(w, op_fork(0, 1));
	PC_APPLY_OK(w, op_fork(0, 2));
	/* the parent's PTE is young (it wrote), the children's start old */
	checked = w->stats.ptes_checked;
	APPLY_EXPECT(w, op_age(0, BASE), RES_REFERENCED(1));
	ASSERT_EQ(w->stats.ptes_checked - checked, 3);   /* one per entry */
	APPLY_EXPECT(w, op_age(0, BASE), RES_REFERENCED(0));
	/* migrate: same PTEs, same entries, now on the new frame */
	PC_APPLY_OK(w, op_migrate(1, BASE));
	npfn = tu_pfn(w, 0, BASE);
	ASSERT_NE(npfn, pfn);
	ASSERT_EQ(pfn_page(w, pfn)->rmap, NULL);
	ASSERT_EQ(stats(w).blocks, 1);
	/* pageout: every mapping becomes a swap entry, the chain goes */
	PC_APPLY_OK(w, op_pageout(2, BASE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), 0);
	ASSERT_EQ(stats(w).blocks, 0);
	ASSERT_EQ(stats(w).direct, 0);
	/* swap-in in each process rebuilds it */
	PC_APPLY_OK(w, op_read(0, BASE));
	PC_APPLY_OK(w, op_read(1, BASE));
	PC_APPLY_OK(w, op_read(2, BASE));
	ASSERT_EQ(stats(w).blocks, 1);
	return true;
}

/* munmap and MADV_DONTNEED in the middle of a chain */
static bool test_unmap_and_dontneed_drain(void)
{
	struct world *w = pc_world_new();

	PC_APPLY_OK(w, op_mmap(0, BASE, 8 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < 8; i++)
		PC_APPLY_OK(w, op_write(0, BASE + i * PAGE_SIZE));
	for (unsigned c = 1; c <= 8; c++)
		PC_APPLY_OK(w, op_fork(0, c));
	ASSERT_EQ(stats(w).blocks, 8 * 2);   /* 9 mappings a page: 7 + 2 */
	PC_APPLY_OK(w, op_munmap(3, BASE, 4 * PAGE_SIZE));
	PC_APPLY_OK(w, op_madvise(5, BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE));
	/* mprotect splits and merges VMAs: PTE addresses, so no chain work */
	PC_APPLY_OK(w, op_mprotect(6, BASE + PAGE_SIZE, PAGE_SIZE, PROT_R));
	ASSERT_EQ(stats(w).blocks, 8 * 2);   /* 8 mappings: 7 + 1 */
	PC_APPLY_OK(w, op_munmap(0, BASE + 2 * PAGE_SIZE, PAGE_SIZE));
	ASSERT_EQ(stats(w).blocks, 8 * 2 - 1);   /* 7 on that page: one block */
	return true;
}

/*
 * Fault injection.  A fork of a one-page process makes exactly one more
 * allocation under ptechain than under scan (the page's first block), and
 * it is the fork's last; failing each allocation of the fork in turn must
 * leave a consistent world with the page still direct.
 */
static uint64_t fork_allocs(const struct rmap_ops *ops)
{
	struct world_config cfg = { .rmap = ops };
	struct world *w = world_new(&cfg);
	uint64_t before, n;

	if (apply(w, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, ANON, PRIVATE)) ||
	    apply(w, op_write(0, BASE)))
		abort();
	before = world_alloc_count(w);
	if (apply(w, op_fork(0, 1)))
		abort();
	n = world_alloc_count(w) - before;
	world_free(w);
	return n;
}

static bool test_fork_fails_cleanly_without_block(void)
{
	uint64_t n = fork_allocs(&rmap_ptechain_ops);

	ASSERT_EQ(n, fork_allocs(&rmap_scan_ops) + 1);
	for (uint64_t nth = 1; nth <= n; nth++) {
		uint64_t pfn;
		struct world *w = world_with_page(&pfn);

		world_fail_nth(w, nth);
		APPLY_EXPECT(w, op_fork(0, 1), -ENOMEM);
		ASSERT_TRUE(world_fail_fired(w));
		check_pc(w);
		ASSERT_FALSE(world_proc_alive(w, 1));
		ASSERT_TRUE(rmap_is_direct(w, pfn));
		ASSERT_EQ(stats(w).blocks, 0);
		ASSERT_EQ(stats(w).peak_bytes, 0);
		/* nothing stuck: the same fork goes through afterwards */
		PC_APPLY_OK(w, op_fork(0, 1));
		ASSERT_EQ(stats(w).blocks, 1);
	}
	return true;
}

/* the head is full (7 mappings): the 8th needs a new block, and fails */
static bool test_full_head_push_fails_cleanly(void)
{
	uint64_t pfn;
	struct world *w = world_with_page(&pfn);

	for (unsigned c = 1; c <= 6; c++)
		PC_APPLY_OK(w, op_fork(0, c));
	ASSERT_EQ(stats(w).blocks, 1);
	for (uint64_t nth = 1;; nth++) {
		world_fail_nth(w, nth);
		int res = apply(w, op_fork(0, 7));

		check_pc(w);
		if (res == RES_OK && !world_fail_fired(w))
			break;
		ASSERT_EQ(res, -ENOMEM);
		ASSERT_EQ(stats(w).blocks, 1);
		ASSERT_EQ(stats(w).bytes, BLOCK);
	}
	world_fail_nth(w, 0);
	ASSERT_EQ(stats(w).blocks, 2);
	ASSERT_EQ(stats(w).peak_bytes, 2 * BLOCK);
	return true;
}

/* a fork of many pages failing half-way: earlier pages drain back */
static bool test_fork_fails_midway_every_allocation(void)
{
	struct world_config cfg = { .rmap = &rmap_ptechain_ops };

	for (uint64_t nth = 1;; nth++) {
		struct world *w = world_new(&cfg);   /* freed here when it held */
		bool done;
		int res;

		APPLY_OK(w, op_mmap(0, BASE, 8 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
		for (unsigned i = 0; i < 8; i++)
			APPLY_OK(w, op_write(0, BASE + i * PAGE_SIZE));
		PC_APPLY_OK(w, op_fork(0, 1));
		world_fail_nth(w, nth);
		res = apply(w, op_fork(0, 2));
		check_pc(w);
		done = !world_fail_fired(w);
		ASSERT_EQ(res, done ? RES_OK : -ENOMEM);
		/* 3 mappings or 2: one block a page either way */
		ASSERT_EQ(stats(w).blocks, 8);
		ASSERT_TRUE(nth < 1000);
		world_free(w);
		if (done)
			break;
	}
	return true;
}

/*
 * The deliberate corruption: a dropped entry makes the walk disagree with
 * the scan; putting it back (through the ops, as core would) heals it.
 */
static bool test_dropped_entry_is_seen(void)
{
	uint64_t pfn;
	struct world *w = world_with_page(&pfn);
	struct scan s;
	struct rmap_hit *h = NULL;

	PC_APPLY_OK(w, op_fork(0, 1));
	ASSERT_EQ(rmap_ptechain_drop_entry(w, pfn), 0);
	s = scan_of(w);
	ASSERT_FALSE(walk_equals_scan(w, &s, pfn));
	scan_free(&s);
	ASSERT_EQ(world_rmap_walk(w, pfn, &h), 1);   /* p1's entry is gone */
	ASSERT_EQ(h[0].pid, 0);
	free(h);
	ASSERT_TRUE(rmap_is_direct(w, pfn));
	ASSERT_EQ(rmap_add(w, pfn, tu_vma(w, 1, BASE), BASE), 0);
	check_pc(w);
	/* chain -> direct -> empty: the drops go the way removes go */
	ASSERT_EQ(rmap_ptechain_drop_entry(w, tu_pfn(w, 0, BASE)), 0);
	ASSERT_EQ(rmap_ptechain_drop_entry(w, tu_pfn(w, 0, BASE)), 0);
	ASSERT_EQ(rmap_ptechain_drop_entry(w, tu_pfn(w, 0, BASE)), -ENOENT);
	ASSERT_EQ(world_rmap_walk(w, pfn, &h), 0);
	free(h);
	ASSERT_EQ(rmap_add(w, pfn, tu_vma(w, 0, BASE), BASE), 0);
	ASSERT_EQ(rmap_add(w, pfn, tu_vma(w, 1, BASE), BASE), 0);
	check_pc(w);
	ASSERT_EQ(rmap_ptechain_drop_entry(w, 0), -ENOENT);
	ASSERT_EQ(rmap_ptechain_drop_entry(w, w->phys.nframes), -ENOENT);
	return true;
}

/* an entry whose PTE maps another frame is an error, not a skipped hit */
static bool test_stale_entry_fails_the_walk(void)
{
	uint64_t pfn, other;
	struct world *w = world_with_page(&pfn);
	struct rmap_hit *h = NULL;
	struct vma *vma = tu_vma(w, 0, BASE);

	PC_APPLY_OK(w, op_write(0, BASE + PAGE_SIZE));
	other = tu_pfn(w, 0, BASE + PAGE_SIZE);
	ASSERT_EQ(rmap_add(w, pfn, vma, BASE + PAGE_SIZE), 0);
	ASSERT_EQ(world_rmap_walk(w, pfn, &h), -EIO);
	/* an entry for a PTE that is none: also stale */
	rmap_remove(w, pfn, vma, BASE + PAGE_SIZE);
	ASSERT_EQ(rmap_add(w, other, vma, BASE + 2 * PAGE_SIZE), 0);
	ASSERT_EQ(world_rmap_walk(w, other, &h), -EIO);
	rmap_remove(w, other, vma, BASE + 2 * PAGE_SIZE);
	check_pc(w);
	return true;
}

/* a walk stops when rmap_one says so, and counts only what it visited */
static bool stop_at_first(struct world *w, pfn_t pfn, struct vma *vma,
			  uint64_t addr, uint64_t *pte, void *arg)
{
	++*(unsigned *)arg;
	return false;
}

static bool test_walk_stops_when_told(void)
{
	uint64_t pfn, checked;
	struct world *w = world_with_page(&pfn);
	unsigned calls = 0;
	struct rmap_walk_control rwc = { stop_at_first, &calls, NULL };

	for (unsigned c = 1; c <= 9; c++)
		APPLY_OK(w, op_fork(0, c));
	checked = w->stats.ptes_checked;
	ASSERT_EQ(rmap_walk(w, pfn, &rwc), 0);
	ASSERT_EQ(calls, 1);
	ASSERT_EQ(w->stats.ptes_checked - checked, 1);
	return true;
}

/*
 * A world reset with chains alive (torn down mid-way) starts again with
 * none, and builds the same chains again from the same ops.
 */
static bool test_reset_drops_live_chains(void)
{
	uint64_t pfn, again;
	struct world *w = world_with_page(&pfn);

	for (unsigned c = 1; c <= 10; c++)
		APPLY_OK(w, op_fork(0, c));
	ASSERT_EQ(stats(w).blocks, 2);
	world_reset(w);
	ASSERT_EQ(stats(w).blocks, 0);
	ASSERT_EQ(stats(w).direct, 0);
	ASSERT_EQ(stats(w).peak_bytes, 0);
	APPLY_OK(w, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	again = tu_pfn(w, 0, BASE);
	ASSERT_EQ(again, pfn);
	for (unsigned c = 1; c <= 10; c++)
		APPLY_OK(w, op_fork(0, c));
	ASSERT_EQ(stats(w).blocks, 2);
	check_pc(w);
	return true;
}

/*
 * The memory figure of the trade-off: 64 pages shared by a parent and 100
 * children = 101 mappings a page = ceil(101 / 7) = 15 blocks a page.
 */
static bool test_hundred_forks_memory(void)
{
	struct world *w = pc_world_new();
	const unsigned pages = 64;
	struct ptechain_stats st;

	APPLY_OK(w, op_mmap(0, BASE, pages * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < pages; i++)
		APPLY_OK(w, op_write(0, BASE + i * PAGE_SIZE));
	for (unsigned c = 1; c <= 100; c++)
		APPLY_OK(w, op_fork(0, c));
	check_pc(w);
	st = stats(w);
	ASSERT_EQ(st.blocks, pages * 15);
	ASSERT_EQ(st.bytes, pages * 15 * BLOCK);
	printf("100 forks x %u pages: %llu blocks, %llu bytes (%.2f bytes per "
	       "mapping), peak %llu\n", pages, (unsigned long long)st.blocks,
	       (unsigned long long)st.bytes, (double)st.bytes / (pages * 101),
	       (unsigned long long)st.peak_bytes);
	for (unsigned c = 1; c <= 100; c++)
		APPLY_OK(w, op_exit(c));
	check_pc(w);
	ASSERT_EQ(stats(w).blocks, 0);
	ASSERT_EQ(stats(w).direct, pages);
	ASSERT_EQ(stats(w).peak_bytes, pages * 15 * BLOCK);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	PC_TEST(backend_name);
	PC_TEST(direct_entry_for_one_mapping);
	PC_TEST(fork_makes_a_chain);
	PC_TEST(twenty_forks_fill_three_blocks);
	PC_TEST(parent_exit_leaves_child_direct);
	PC_TEST(mremap_rewrites_entries);
	PC_TEST(mremap_rewrites_direct_entry);
	PC_TEST(cow_write_moves_child_entry);
	PC_TEST(shared_file_page_and_truncate);
	PC_TEST(consumers_through_the_walk);
	PC_TEST(unmap_and_dontneed_drain);
	PC_TEST(fork_fails_cleanly_without_block);
	PC_TEST(full_head_push_fails_cleanly);
	PC_TEST(fork_fails_midway_every_allocation);
	PC_TEST(dropped_entry_is_seen);
	PC_TEST(stale_entry_fails_the_walk);
	PC_TEST(walk_stops_when_told);
	PC_TEST(reset_drops_live_chains);
	PC_TEST(hundred_forks_memory);
	TEST_END();
}
