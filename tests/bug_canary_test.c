/*
 * bug_canary_test.c - an injected bug's "triggered" canary (bugs/bugs.h)
 * counts exactly the events where the bug, on, changes what core does.
 * For the bugs whose condition is not a plain test of state at the site,
 * each test drives one world through an event that triggers (the correct
 * code and the bug differ) and one that only reaches the site (they agree),
 * and shows both with the bug on and off: the canary counts alike either
 * way, and with the bug on the state is the correct code's wherever the
 * canary said "not triggered".  A condition of `true` fails the second
 * event: triggered would equal reached.
 *
 * One world, no lockstep: each point counts once.  Built with the bugs
 * compiled in (with_bugs_test).
 */
#include <stdlib.h>

#include "bugs/bugs.h"
#include "core/folio.h"
#include "core/pgtable.h"
#include "tests/test_util.h"

#define A 0x10000000ULL
#define B 0x20000000ULL

/* bug NAME on (ON) or every bug off */
static bool set_bug(const char *name, int on)
{
	return bug_enable(on ? name : NULL) == 0;
}

/* the canary of ID moved by REACHED and TRIGGERED since BEFORE */
#define ASSERT_CANARY(id, before, reached_, triggered_)			\
	do {								\
		struct bug_canary now_;					\
									\
		bug_canary(BUG_ID_##id, &now_);				\
		ASSERT_EQ(now_.reached - (before).reached, (reached_));	\
		ASSERT_EQ(now_.triggered - (before).triggered, (triggered_)); \
	} while (0)

/* mappings the world's rmap walk finds for PFN */
static int walk_count(struct world *w, uint64_t pfn)
{
	struct rmap_hit *hits = NULL;
	int n = world_rmap_walk(w, pfn, &hits);

	free(hits);
	return n;
}

/*
 * fork_keeps_parent_writable: copy_present_pte() write-protects the
 * parent's PTE of a COW mapping; the bug matters only where that PTE was
 * writable.  A page already COW-shared is copied alike either way.
 */
static bool test_fork_canary_triggers_on_writable_parent_pte_only(void)
{
	for (int on = 0; on < 2; on++) {
		struct world *w = tu_world_new(0);
		struct bug_canary c;

		ASSERT_TRUE(set_bug(NULL, 0));
		APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
		APPLY_OK(w, op_write(0, A));
		APPLY_OK(w, op_fork(0, 1));          /* bug off: p0's PTE read-only */
		ASSERT_TRUE(set_bug("fork_keeps_parent_writable", on));

		bug_canary(BUG_ID_fork_keeps_parent_writable, &c);
		APPLY_OK(w, op_fork(0, 2));          /* invariants hold, bug or not */
		ASSERT_CANARY(fork_keeps_parent_writable, c, 1, 0);
		ASSERT_EQ(tu_pte(w, 0, A) & PTE_RW, 0);

		APPLY_OK(w, op_write(0, A));         /* p0's own copy, writable */
		ASSERT_TRUE(tu_pte(w, 0, A) & PTE_RW);
		bug_canary(BUG_ID_fork_keeps_parent_writable, &c);
		ASSERT_EQ(apply(w, op_fork(0, 3)), RES_OK);
		ASSERT_CANARY(fork_keeps_parent_writable, c, 1, 1);
		ASSERT_EQ((tu_pte(w, 0, A) & PTE_RW) != 0, on);
	}
	return set_bug(NULL, 0);
}

/*
 * mremap_unfaulted_keeps_pgoff: copy_vma() gives an unfaulted anonymous
 * VMA the vm_pgoff of its new address; the bug keeps the old one, which
 * matters only where they differ.  Moved A -> B it triggers; moved back
 * B -> A with the bug on, the vm_pgoff it kept is A's, the correct one.
 */
static bool test_mremap_canary_triggers_when_pgoff_would_change_only(void)
{
	const unsigned move = OPF_MAYMOVE | OPF_FIXED;

	for (int on = 0; on < 2; on++) {
		struct world *w = tu_world_new(0);
		struct bug_canary c;

		ASSERT_TRUE(set_bug("mremap_unfaulted_keeps_pgoff", on));
		APPLY_OK(w, op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE));
		bug_canary(BUG_ID_mremap_unfaulted_keeps_pgoff, &c);
		APPLY_OK(w, op_mremap(0, A, 0x2000, 0x2000, move, B));
		ASSERT_CANARY(mremap_unfaulted_keeps_pgoff, c, 1, 1);
		ASSERT_EQ(tu_vma(w, 0, B)->pgoff, (on ? A : B) >> PAGE_SHIFT);

		bug_canary(BUG_ID_mremap_unfaulted_keeps_pgoff, &c);
		APPLY_OK(w, op_mremap(0, B, 0x2000, 0x2000, move, A));
		/* bug off, the VMA at B had B's vm_pgoff: the bug would keep it */
		ASSERT_CANARY(mremap_unfaulted_keeps_pgoff, c, 1, on ? 0 : 1);
		ASSERT_EQ(tu_vma(w, 0, A)->pgoff, A >> PAGE_SHIFT);
	}
	return set_bug(NULL, 0);
}

/*
 * ptechain_direct_conversion_drops: every mapping added to a mapped page
 * reaches the site; the bug loses an entry only when the page's one entry
 * is inline (direct) and moves into a new block.  p0's page at A is
 * chained (by a fork with the bug off), its page at B direct: the next
 * fork adds to both, and only B's walk can come out short.
 */
static bool test_ptechain_canary_triggers_on_direct_page_only(void)
{
	for (int on = 0; on < 2; on++) {
		struct world_config cfg = { .rmap = rmap_backend("ptechain") };
		struct world *w = world_new(&cfg);
		struct bug_canary c;

		ASSERT_TRUE(w != NULL);
		ASSERT_TRUE(set_bug(NULL, 0));
		APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
		APPLY_OK(w, op_write(0, A));
		APPLY_OK(w, op_fork(0, 1));           /* A: chained, 2 entries */
		APPLY_OK(w, op_mmap(0, B, 0x1000, PROT_RW, ANON, PRIVATE));
		APPLY_OK(w, op_write(0, B));          /* B: direct, 1 entry */
		ASSERT_EQ(walk_count(w, tu_pfn(w, 0, A)), 2);
		ASSERT_EQ(walk_count(w, tu_pfn(w, 0, B)), 1);
		ASSERT_TRUE(set_bug("ptechain_direct_conversion_drops", on));

		bug_canary(BUG_ID_ptechain_direct_conversion_drops, &c);
		ASSERT_EQ(apply(w, op_fork(0, 2)), RES_OK);
		ASSERT_CANARY(ptechain_direct_conversion_drops, c, 2, 1);
		ASSERT_EQ(walk_count(w, tu_pfn(w, 0, A)), 3);
		ASSERT_EQ(walk_count(w, tu_pfn(w, 0, B)), on ? 1 : 2);
		world_free(w);   /* the arena: no teardown walks the chains */
	}
	return set_bug(NULL, 0);
}

#define THP 0x200000ULL

/* p0's MADV_HUGEPAGE region of N 2 MiB at ADDR (2 MiB aligned) */
static int thp_region(struct world *w, uint64_t addr, unsigned n)
{
	struct op adv = op_madvise(0, addr, n * THP);

	adv.advice = ADV_HUGEPAGE;
	if (apply(w, op_mmap(0, addr, n * THP, PROT_RW, ANON, PRIVATE)))
		return -1;
	return apply(w, adv);
}

static bool pmd_writable(const struct world *w, unsigned pid, uint64_t addr)
{
	uint64_t *pmd = pmd_lookup_leaf(w, tu_mm(w, pid), addr);

	return pmd && (*pmd & PTE_RW);
}

/*
 * huge_pmd_wp_reuse_pmd_mapcount: do_huge_pmd_wp_page() copies (splits)
 * a THP with more than one reference; the bug reuses it when one PMD maps
 * it, which differs only when the other references are PTE mappings of a
 * split PMD.  p1's write with three PMD mappings reaches the site; p0's,
 * after p1 copied and p2 split its PMD, triggers.
 */
static bool test_huge_wp_canary_triggers_on_one_pmd_and_ptes_only(void)
{
	for (int on = 0; on < 2; on++) {
		struct world *w = tu_world_new(0);
		struct bug_canary c;

		ASSERT_TRUE(set_bug("huge_pmd_wp_reuse_pmd_mapcount", on));
		ASSERT_EQ(thp_region(w, A, 1), 0);
		APPLY_OK(w, op_write(0, A));
		APPLY_OK(w, op_fork(0, 1));
		APPLY_OK(w, op_fork(0, 2));
		bug_canary(BUG_ID_huge_pmd_wp_reuse_pmd_mapcount, &c);
		APPLY_OK(w, op_write(1, A + 0x1000));  /* 3 PMDs: copied */
		ASSERT_CANARY(huge_pmd_wp_reuse_pmd_mapcount, c, 1, 0);
		ASSERT_TRUE(!pmd_lookup_leaf(w, tu_mm(w, 1), A));

		APPLY_OK(w, op_madvise(2, A, 0x1000));  /* p2 splits */
		bug_canary(BUG_ID_huge_pmd_wp_reuse_pmd_mapcount, &c);
		ASSERT_EQ(apply(w, op_write(0, A + 0x2000)), RES_OK);
		ASSERT_CANARY(huge_pmd_wp_reuse_pmd_mapcount, c, 1, 1);
		ASSERT_EQ(pmd_writable(w, 0, A), on);
	}
	return set_bug(NULL, 0);
}

/*
 * copy_huge_pmd_keeps_exclusive: fork clears PageAnonExclusive of a THP it
 * shares; the bug matters only where the flag was set.  A THP already
 * shared (A, by a fork with the bug off) reaches the site; a new one (B)
 * triggers.
 */
static bool test_copy_huge_pmd_canary_triggers_on_exclusive_thp_only(void)
{
	for (int on = 0; on < 2; on++) {
		struct world *w = tu_world_new(0);
		struct bug_canary c;

		ASSERT_TRUE(set_bug(NULL, 0));
		ASSERT_EQ(thp_region(w, A, 2), 0);
		APPLY_OK(w, op_write(0, A));
		APPLY_OK(w, op_fork(0, 1));
		APPLY_OK(w, op_write(0, A + THP));
		ASSERT_TRUE(set_bug("copy_huge_pmd_keeps_exclusive", on));

		bug_canary(BUG_ID_copy_huge_pmd_keeps_exclusive, &c);
		ASSERT_EQ(apply(w, op_fork(0, 2)), RES_OK);
		ASSERT_CANARY(copy_huge_pmd_keeps_exclusive, c, 2, 1);
		ASSERT_EQ(!(pfn_page(w, tu_pfn(w, 0, A))->flags & PG_ANON_EXCLUSIVE), 1);
		ASSERT_EQ(!!(pfn_page(w, tu_pfn(w, 0, A + THP))->flags &
			     PG_ANON_EXCLUSIVE), on);
	}
	return set_bug(NULL, 0);
}

int main(void)
{
	TEST_BEGIN();
	if (!bugs_compiled_in()) {
		fprintf(stderr, "%s:%d: the bugs are not compiled in "
			"(build with --config=bugs, or through with_bugs_test)\n",
			__FILE__, __LINE__);
		return 1;
	}
	TEST(fork_canary_triggers_on_writable_parent_pte_only);
	TEST(mremap_canary_triggers_when_pgoff_would_change_only);
	TEST(ptechain_canary_triggers_on_direct_page_only);
	TEST(huge_wp_canary_triggers_on_one_pmd_and_ptes_only);
	TEST(copy_huge_pmd_canary_triggers_on_exclusive_thp_only);
	TEST_END();
}
