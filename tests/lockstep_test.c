/*
 * lockstep_test.c - the differential checker catches what it claims to
 * catch.  Each test runs obj and ptechain side by side (oracle/lockstep.h),
 * breaks one world on purpose, and asserts the divergence is reported with
 * the expected signature; a clean run reports nothing.
 *
 * Also: the walk statistics that show anon_vma_chain's point (a COWed page
 * of one of 100 forked children is found by visiting about one VMA).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/rmap_obj.h"
#include "core/rmap_ptechain.h"
#include "core/vma.h"
#include "oracle/lockstep.h"
#include "tests/test_util.h"

#define A 0x10000000ULL

static int start(struct lockstep *ls)
{
	const struct rmap_ops *b[2] = { &rmap_obj_ops, &rmap_ptechain_ops };

	return lockstep_init(ls, b, 2, NULL);
}

/* apply ops in lockstep; returns false at the first divergence */
static bool run(struct lockstep *ls, const struct op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		lockstep_apply(ls, &ops[i], i);
		if (ls->diverged)
			return false;
	}
	return true;
}

static bool test_clean_run_has_no_divergence(void)
{
	struct lockstep ls;
	struct op ops[] = {
		op_mmap(0, A, 0x4000, PROT_RW, ANON, PRIVATE),
		op_write(0, A), op_write(0, A + 0x1000),
		op_fork(0, 1),
		op_mremap(1, A, 0x4000, 0x4000, OPF_FIXED, 0x20000000),
		op_write(1, 0x20000000),
		op_exit(0),
	};

	ASSERT_EQ(start(&ls), 0);
	ls.check_all = true;
	ASSERT_TRUE(run(&ls, ops, sizeof(ops) / sizeof(ops[0])));
	lockstep_check_all(&ls, &ops[0], 0);
	ASSERT_FALSE(ls.diverged);
	ASSERT_TRUE(ls.frames_checked > 0);
	lockstep_fini(&ls);
	return true;
}

/* a dropped PTE-chain entry: ptechain's walk misses a mapping */
static bool test_dropped_chain_entry_is_a_walk_divergence(void)
{
	struct lockstep ls;
	struct op setup[] = {
		op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE),
		op_write(0, A),
		op_fork(0, 1),
	};
	struct op touch = op_read(1, A);
	uint64_t pfn;

	ASSERT_EQ(start(&ls), 0);
	ASSERT_TRUE(run(&ls, setup, 3));
	ASSERT_EQ(world_frame_at(ls.w[1], 0, A, &pfn), 1);
	ASSERT_EQ(rmap_ptechain_drop_entry(ls.w[1], pfn), 0);
	lockstep_apply(&ls, &touch, 3);
	ASSERT_TRUE(ls.diverged);
	ASSERT_EQ(strcmp(ls.div.signature, "walk:read:ptechain"), 0);
	ASSERT_EQ(ls.div.op_index, 3);
	ASSERT_TRUE(strstr(ls.div.detail, "page tables: p0:0x10000000 p1:0x10000000") != NULL);
	/* put the entry back so teardown finds a consistent chain */
	ASSERT_EQ(rmap_add(ls.w[1], pfn, vma_lookup(mm_get(ls.w[1], 1), A), A), 0);
	lockstep_fini(&ls);
	return true;
}

/* an AVC out of its anon_vma tree: obj's walk misses the child's mapping */
static bool test_unlinked_avc_is_a_walk_divergence(void)
{
	struct lockstep ls;
	struct op setup[] = {
		op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE),
		op_write(0, A),
		op_fork(0, 1),
	};
	struct op touch = op_read(1, A);

	ASSERT_EQ(start(&ls), 0);
	/* the itree-key invariant sees the lost AVC first (invariants_test.c) */
	ls.no_invariants = true;
	ASSERT_TRUE(run(&ls, setup, 3));
	/* the child's chain: its own anon_vma (newest) and the parent's */
	ASSERT_EQ(mm_get(ls.w[0], 1)->vmas[0]->navc, 2);
	/* hide the child's link to the parent's anon_vma (the older AVC) */
	ASSERT_EQ(rmap_obj_hide_avc(ls.w[0], 1, A, 1), 0);
	lockstep_apply(&ls, &touch, 3);
	ASSERT_TRUE(ls.diverged);
	/* obj keeps no state: signed by its error, not by the op */
	ASSERT_EQ(strcmp(ls.div.signature, "walk-misses:obj:vma-first"), 0);
	ASSERT_EQ(rmap_obj_restore_avc(ls.w[0], 1, A, 1), 0);
	lockstep_fini(&ls);
	return true;
}

/* one world's PTE differs (a lost accessed bit): a page-table divergence */
static bool test_pte_bit_difference_is_a_pgtable_divergence(void)
{
	struct lockstep ls;
	struct op setup[] = {
		op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE),
		op_write(0, A),
	};
	struct op touch = op_read(0, A + 0x1000);

	ASSERT_EQ(start(&ls), 0);
	ASSERT_TRUE(run(&ls, setup, 2));
	*pte_lookup(ls.w[1], mm_get(ls.w[1], 0), A) &= ~PTE_A;
	lockstep_apply(&ls, &touch, 2);
	ASSERT_TRUE(ls.diverged);
	ASSERT_EQ(strcmp(ls.div.signature, "pgtable:read:all"), 0);
	lockstep_fini(&ls);
	return true;
}

/* a wrong mapcount in one world: an invariant divergence blaming it */
static bool test_bad_mapcount_is_an_invariant_divergence(void)
{
	struct lockstep ls;
	struct op setup[] = {
		op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE),
		op_write(0, A),
	};
	struct op touch = op_read(0, A + 0x1000);
	uint64_t pfn;

	ASSERT_EQ(start(&ls), 0);
	ASSERT_TRUE(run(&ls, setup, 2));
	ASSERT_EQ(world_frame_at(ls.w[0], 0, A, &pfn), 1);
	pfn_page(ls.w[0], pfn)->mapcount++;
	lockstep_apply(&ls, &touch, 2);
	ASSERT_TRUE(ls.diverged);
	ASSERT_EQ(strcmp(ls.div.signature, "invariant-mapcount:read:obj"), 0);
	pfn_page(ls.w[0], pfn)->mapcount--;
	lockstep_fini(&ls);
	return true;
}

/* a PTE the used-slot bitmap forgot: an invariant divergence blaming its world */
static bool test_lost_used_bit_is_an_invariant_divergence(void)
{
	struct lockstep ls;
	struct op setup[] = {
		op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE),
		op_write(0, A),
	};
	struct op touch = op_read(0, A + 0x1000);
	uint64_t *pte, *table;
	unsigned slot;

	ASSERT_EQ(start(&ls), 0);
	ASSERT_TRUE(run(&ls, setup, 2));
	pte = pte_lookup(ls.w[1], mm_get(ls.w[1], 0), A);
	table = pt_of_slot(pte);
	slot = (unsigned)(pte - table);
	pt_used(table)[slot >> 6] &= ~(1ULL << (slot & 63));
	lockstep_apply(&ls, &touch, 2);
	ASSERT_TRUE(ls.diverged);
	ASSERT_EQ(strcmp(ls.div.signature, "invariant-pgtable-bitmap:read:ptechain"), 0);
	pt_used(table)[slot >> 6] |= 1ULL << (slot & 63);
	lockstep_fini(&ls);
	return true;
}

/* the same bug reached by two different inputs gives one signature */
static bool test_signature_is_stable_across_inputs(void)
{
	char sig[2][96];

	for (int k = 0; k < 2; k++) {
		struct lockstep ls;
		uint64_t addr = k ? 0x30000000 : A, pfn;
		struct op setup[] = {
			op_mmap(0, addr, 0x8000, PROT_RW, ANON, PRIVATE),
			op_write(0, addr + 0x1000 * (uint64_t)k),
			op_fork(0, 1),
			op_fork(1, 2),
		};
		struct op touch = op_read(2, addr + 0x1000 * (uint64_t)k);

		ASSERT_EQ(start(&ls), 0);
		ASSERT_TRUE(run(&ls, setup, 4 - (unsigned)!k));
		ASSERT_EQ(world_frame_at(ls.w[1], 0, touch.addr, &pfn), 1);
		ASSERT_EQ(rmap_ptechain_drop_entry(ls.w[1], pfn), 0);
		if (!k)
			touch.proc = 1;
		lockstep_apply(&ls, &touch, 9);
		ASSERT_TRUE(ls.diverged);
		snprintf(sig[k], sizeof(sig[k]), "%s", ls.div.signature);
		ASSERT_EQ(rmap_add(ls.w[1], pfn,
			vma_lookup(mm_get(ls.w[1], touch.proc), touch.addr), touch.addr), 0);
		lockstep_fini(&ls);
	}
	ASSERT_EQ(strcmp(sig[0], sig[1]), 0);
	return true;
}

/*
 * anon_vma_chain (5beb49305251): 1 parent and 100 forked children, each
 * child COWs its own copy of a page.  The object walk of a child's COWed
 * page looks only in that child's own anon_vma: about one VMA, not 101; the
 * walk of the parent's page, still mapped by nobody else, visits 101.
 */
static bool test_avc_walk_of_cowed_child_page_visits_one_vma(void)
{
	struct world_config cfg = { .rmap = &rmap_obj_ops };
	struct world *w = world_new(&cfg);
	struct op o = op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE);
	struct walk_stats before, after;
	struct rmap_hit *h = NULL;
	uint64_t pfn;

	ASSERT_EQ(world_apply(w, &o), 0);
	o = op_write(0, A);
	ASSERT_EQ(world_apply(w, &o), 0);
	for (unsigned c = 1; c <= 100; c++) {
		o = op_fork(0, c);
		ASSERT_EQ(world_apply(w, &o), 0);
		o = op_write(c, A);
		ASSERT_EQ(world_apply(w, &o), 0);
	}
	ASSERT_EQ(world_frame_at(w, 57, A, &pfn), 1);
	world_walk_stats(w, &before);
	ASSERT_EQ(world_rmap_walk(w, pfn, &h), 1);
	world_walk_stats(w, &after);
	free(h);
	printf("COWed page of child 57: %llu VMA(s) visited\n",
	       (unsigned long long)(after.vmas_visited - before.vmas_visited));
	ASSERT_TRUE(after.vmas_visited - before.vmas_visited <= 2);
	ASSERT_EQ(world_frame_at(w, 0, A, &pfn), 1);
	world_walk_stats(w, &before);
	ASSERT_EQ(world_rmap_walk(w, pfn, &h), 1);
	world_walk_stats(w, &after);
	free(h);
	printf("parent's page: %llu VMA(s) visited\n",
	       (unsigned long long)(after.vmas_visited - before.vmas_visited));
	ASSERT_EQ(after.vmas_visited - before.vmas_visited, 101);
	world_free(w);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(clean_run_has_no_divergence);
	TEST(dropped_chain_entry_is_a_walk_divergence);
	TEST(unlinked_avc_is_a_walk_divergence);
	TEST(pte_bit_difference_is_a_pgtable_divergence);
	TEST(bad_mapcount_is_an_invariant_divergence);
	TEST(lost_used_bit_is_an_invariant_divergence);
	TEST(signature_is_stable_across_inputs);
	TEST(avc_walk_of_cowed_child_page_visits_one_vma);
	TEST_END();
}
