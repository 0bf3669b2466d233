/*
 * anonvma2004_test.c - the 2.6.7 single-anon_vma backend
 * (core/rmap_anonvma2004.c).
 *
 * Oracle: every walk of an anonvma2004 world equals the page-table scan
 * (oracle/scan.h); an anonymous page's walk visits every VMA of its fork
 * tree (the 2004 list), where the anon_vma_chain walk of an obj world fed
 * the same ops visits only the VMAs of the page's own anon_vma; a file
 * page's walk visits what the obj walk visits; and the claim the backend
 * stands on, "every VMA linked to an anon_vma is linked to its root", holds
 * after every op of a random op sequence.
 */
#include <stdlib.h>

#include "core/anon_vma.h"
#include "oracle/scan.h"
#include "tests/test_util.h"

#define BASE  0x10000000ULL
#define P     PAGE_SIZE
#define NKIDS 8

/* ---- worlds of a named backend, freed after a passing test ------------- */

#define AV_MAX_WORLDS 8

static struct world *av_worlds[AV_MAX_WORLDS];
static unsigned av_nworlds;

static struct world *av_world_new(const char *backend)
{
	struct world_config cfg = { .rmap = rmap_backend(backend) };
	struct world *w = cfg.rmap ? world_new(&cfg) : NULL;

	if (!w || av_nworlds == AV_MAX_WORLDS) {
		fprintf(stderr, "av_world_new(%s) failed\n", backend);
		abort();
	}
	av_worlds[av_nworlds++] = w;
	return w;
}

static void av_run(struct tu_state *st, const char *name, bool (*fn)(void))
{
	unsigned failed = st->failed;

	av_nworlds = 0;
	tu_run(st, name, fn);
	for (unsigned i = 0; st->failed == failed && i < av_nworlds; i++)
		world_free(av_worlds[i]);
	av_nworlds = 0;
}

#define AV_TEST(name) av_run(&tu_state_, #name, test_##name)

/* ---- checks ------------------------------------------------------------- */

/* every frame but the zero page: walk == scan */
static bool all_walks_match(struct world *w)
{
	struct scan s = { 0 };
	bool ok = scan_world(w, &s) == 0;

	for (uint64_t pfn = 1; ok && pfn < w->phys.nframes; pfn++) {
		struct rmap_hit *h = NULL;
		uint32_t first = 0, n = scan_frame(&s, pfn, &first);
		int got;

		if (pfn == world_zero_pfn(w))
			continue;
		got = world_rmap_walk(w, pfn, &h);
		ok = got == (int)n;
		for (uint32_t i = 0; ok && i < n; i++)
			ok = h[i].pid == s.e[first + i].pid &&
			     h[i].addr == s.e[first + i].addr;
		free(h);
	}
	scan_free(&s);
	return ok;
}

/* VMAs the walk of pid:addr's frame visits; *hits gets what it found */
static uint64_t vmas_visited_by_walk(struct world *w, unsigned pid,
				     uint64_t addr, int *hits)
{
	struct walk_stats before, after;
	struct rmap_hit *h = NULL;
	uint64_t pfn = tu_pfn(w, pid, addr);

	world_walk_stats(w, &before);
	*hits = pfn ? world_rmap_walk(w, pfn, &h) : -1;
	world_walk_stats(w, &after);
	free(h);
	return after.vmas_visited - before.vmas_visited;
}

/* p0 writes 4 pages, forks NKIDS children, each COWs the first page */
static bool build_cow_tree(struct world *w)
{
	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < 4; i++)
		APPLY_OK(w, op_write(0, BASE + i * P));
	for (unsigned k = 1; k <= NKIDS; k++)
		APPLY_OK(w, op_fork(0, k));
	for (unsigned k = 1; k <= NKIDS; k++)
		APPLY_OK(w, op_write(k, BASE));
	return true;
}

/* ---- tests -------------------------------------------------------------- */

/*
 * van Riel's case in small: a page COWed by one child is found by visiting
 * all NKIDS + 1 VMAs of the tree, where anon_vma_chain visits the child's.
 */
static bool test_cow_page_walk_visits_whole_tree(void)
{
	struct world *w04 = av_world_new("anonvma2004");
	struct world *wobj = av_world_new("obj");
	int hits;

	ASSERT_TRUE(build_cow_tree(w04));
	ASSERT_TRUE(build_cow_tree(wobj));
	ASSERT_TRUE(all_walks_match(w04));
	ASSERT_EQ(vmas_visited_by_walk(w04, 3, BASE, &hits), NKIDS + 1);
	ASSERT_EQ(hits, 1);
	ASSERT_EQ(vmas_visited_by_walk(wobj, 3, BASE, &hits), 1);
	ASSERT_EQ(hits, 1);
	/* a page still shared by the whole tree: both visit everything */
	ASSERT_EQ(vmas_visited_by_walk(w04, 0, BASE + P, &hits), NKIDS + 1);
	ASSERT_EQ(hits, NKIDS + 1);
	ASSERT_EQ(vmas_visited_by_walk(wobj, 0, BASE + P, &hits), NKIDS + 1);
	return true;
}

/*
 * The list is walked whole: a VMA of the tree that cannot hold the page
 * (another range after a split) is still visited, and skipped by
 * vma_address's range check.
 */
static bool test_walk_visits_vmas_outside_range(void)
{
	struct world *w = av_world_new("anonvma2004");
	int hits;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_write(0, BASE + 3 * P));
	APPLY_OK(w, op_mprotect(0, BASE + 2 * P, 2 * P, PROT_R));   /* split */
	ASSERT_EQ(tu_nvmas(w, 0), 2);
	ASSERT_EQ(vmas_visited_by_walk(w, 0, BASE, &hits), 2);
	ASSERT_EQ(hits, 1);
	ASSERT_TRUE(all_walks_match(w));
	return true;
}

/* file pages go through i_mmap exactly as the obj backend's walk goes */
static bool test_file_page_walk_is_objs(void)
{
	struct world *w04 = av_world_new("anonvma2004");
	struct world *wobj = av_world_new("obj");
	struct world *ws[2] = { w04, wobj };
	uint64_t visited[2];
	int hits[2];

	for (unsigned i = 0; i < 2; i++) {
		struct world *w = ws[i];

		APPLY_OK(w, op_file(0, 8 * P));
		APPLY_OK(w, op_mmap(0, BASE, 8 * P, PROT_RW, 0, SHARED));
		APPLY_OK(w, op_mmap(0, BASE + 16 * P, 4 * P, PROT_RW, 0, PRIVATE));
		APPLY_OK(w, op_fork(0, 1));
		APPLY_OK(w, op_read(0, BASE + 2 * P));
		APPLY_OK(w, op_read(1, BASE + 16 * P + 2 * P));
		APPLY_OK(w, op_read(1, BASE + 2 * P));
		ASSERT_TRUE(all_walks_match(w));
		visited[i] = vmas_visited_by_walk(w, 0, BASE + 2 * P, &hits[i]);
	}
	ASSERT_EQ(hits[0], 3);
	ASSERT_EQ(hits[0], hits[1]);
	ASSERT_EQ(visited[0], visited[1]);
	return true;
}

/* ---- the root claim under random ops -------------------------------------- */

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

#define NPROCS 6
#define SPAN   32      /* pages: mappings collide, split and merge */

static struct op random_op(struct world *w)
{
	unsigned p = (unsigned)rnd(NPROCS);
	uint64_t a = BASE + rnd(SPAN) * P, len = (1 + rnd(8)) * P;

	if (!world_proc_alive(w, p))
		return op_fork(0, p);
	switch (rnd(10)) {
	case 0: return op_mmap(p, a, len, PROT_RW, ANON, PRIVATE);
	case 1: return op_munmap(p, a, len);
	case 2: return op_mprotect(p, a, len, rnd(2) ? PROT_R : PROT_RW);
	case 3: return op_mremap(p, a, len, len, OPF_MAYMOVE | OPF_FIXED,
				 BASE + rnd(SPAN) * P);
	case 4: return p ? op_exit(p) : op_fork(p, 1 + (unsigned)rnd(NPROCS - 1));
	case 5: return op_fork(p, (unsigned)rnd(NPROCS));
	default: return op_write(p, a);
	}
}

/* every AVC's anon_vma has its root in the same VMA's chain */
static bool links_reach_root(const struct world *w)
{
	for (unsigned pid = 0; pid < world_nprocs(w); pid++) {
		const struct mm *mm = mm_get(w, pid);

		for (uint32_t i = 0; mm && i < mm->nvmas; i++) {
			const struct vma *v = mm->vmas[i];

			for (uint32_t k = 0; k < v->navc; k++)
				ASSERT_TRUE(vma_links_anon_vma(v, v->avc[k]->anon_vma->root));
		}
	}
	return true;
}

static bool test_linked_vmas_reach_root_random(void)
{
	struct world *w = av_world_new("anonvma2004");

	APPLY_OK(w, op_mmap(0, BASE, SPAN * P, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < 3000; i++) {
		apply(w, random_op(w));
		ASSERT_TRUE(links_reach_root(w));
		if (i % 10 == 0) {
			check_world(w);
			ASSERT_TRUE(all_walks_match(w));
		}
	}
	return true;
}

int main(void)
{
	TEST_BEGIN();
	AV_TEST(cow_page_walk_visits_whole_tree);
	AV_TEST(walk_visits_vmas_outside_range);
	AV_TEST(file_page_walk_is_objs);
	AV_TEST(linked_vmas_reach_root_random);
	TEST_END();
}
