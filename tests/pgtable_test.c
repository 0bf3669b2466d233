/*
 * pgtable_test.c - core/pgtable.c: 4-level tables in frames with the x86-64
 * entry format, lookup, swap entries, pruning and counting, and the
 * invariant that each table's used-slot bitmap matches its entries.
 */
#include <stdint.h>
#include <string.h>

#include "core/pgtable.h"
#include "tests/test_util.h"

#define VA 0x00007f1234567000ULL

static unsigned idx(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

static bool test_pte_alloc_builds_four_levels(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	uint64_t *ptep = NULL;
	pfn_t table;

	ASSERT_EQ(mm->pgd, 0);
	ASSERT_EQ(pgtable_count(w, mm), 0);
	ASSERT_EQ(pte_alloc(w, mm, VA, &ptep), 0);
	ASSERT_TRUE(ptep != NULL);
	ASSERT_NE(mm->pgd, 0);
	ASSERT_EQ(pgtable_count(w, mm), 4);
	ASSERT_EQ(w->phys.used, 1 + 4);

	/* walk it by hand: PGD -> PUD -> PMD -> PTE table */
	table = mm->pgd;
	for (int level = 4; level >= 1; level--) {
		struct page *pg = pfn_page(w, table);
		uint64_t span_mask = (1ULL << (12 + 9 * level)) - 1;

		ASSERT_EQ(pg->kind, PAGE_PGTABLE);
		ASSERT_EQ(pg->pt_level, level);
		ASSERT_TRUE(pg->pt_mm == mm);
		ASSERT_EQ(pg->pt_va, level == 4 ? 0 : VA & ~span_mask);
		ASSERT_EQ(pg->refcount, 1);
		ASSERT_EQ(pg->mapcount, 0);
		ASSERT_TRUE(pg->table != NULL);
		if (level == 1) {
			ASSERT_TRUE(ptep == &pg->table[idx(VA, 1)]);
			ASSERT_EQ(*ptep, 0);
			break;
		}
		uint64_t e = pg->table[idx(VA, level)];

		/* _PAGE_TABLE = P|RW|US|A|D, no NX, frame number in 51..12 */
		ASSERT_EQ(e & ~PTE_PFN_MASK, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
		ASSERT_EQ(e & ~PTE_PFN_MASK, 0x67);
		ASSERT_EQ(pte_pfn(e), (e >> 12) & ((1ULL << 40) - 1));
		ASSERT_NE(pte_pfn(e), 0);
		ASSERT_TRUE(pte_pfn(e) < w->phys.nframes);
		/* only that one slot is used */
		for (unsigned i = 0; i < 512; i++)
			if (i != idx(VA, level))
				ASSERT_EQ(pg->table[i], 0);
		table = pte_pfn(e);
	}

	/* allocating again reuses the tables */
	uint64_t *again = NULL;

	ASSERT_EQ(pte_alloc(w, mm, VA, &again), 0);
	ASSERT_TRUE(again == ptep);
	ASSERT_EQ(pte_alloc(w, mm, VA + PAGE_SIZE, &again), 0);
	ASSERT_TRUE(again == ptep + 1);
	ASSERT_EQ(pgtable_count(w, mm), 4);

	/* a different PGD slot needs a PUD, a PMD and a PTE table */
	ASSERT_EQ(pte_alloc(w, mm, 0x10000000ULL, &again), 0);
	ASSERT_EQ(pgtable_count(w, mm), 7);
	ASSERT_EQ(w->phys.used, 1 + 7);

	pgtable_prune(w, mm, 0, TASK_SIZE + PAGE_SIZE);
	ASSERT_EQ(mm->pgd, 0);
	ASSERT_EQ(pgtable_count(w, mm), 0);
	ASSERT_EQ(w->phys.used, 1);
	check_world(w);
	return true;
}

static bool test_pte_lookup(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	uint64_t *ptep;

	ASSERT_TRUE(pte_lookup(w, mm, VA) == NULL);       /* no PGD yet */
	ASSERT_EQ(pte_alloc(w, mm, VA, &ptep), 0);
	ASSERT_TRUE(pte_lookup(w, mm, VA) == ptep);
	/* same PTE table: the slot exists even though nothing is in it */
	ASSERT_TRUE(pte_lookup(w, mm, VA + PAGE_SIZE) == ptep + 1);
	ASSERT_TRUE(pte_lookup(w, mm, VA & ~0x1fffffULL) == ptep - idx(VA, 1));
	/* a missing PTE table, PMD, PUD on the way: NULL */
	ASSERT_TRUE(pte_lookup(w, mm, VA + (2ULL << 20)) == NULL);
	ASSERT_TRUE(pte_lookup(w, mm, VA + (1ULL << 30)) == NULL);
	ASSERT_TRUE(pte_lookup(w, mm, VA - (1ULL << 39)) == NULL);
	pgtable_prune(w, mm, 0, TASK_SIZE + PAGE_SIZE);
	ASSERT_EQ(mm->pgd, 0);
	return true;
}

static bool test_swap_entry_roundtrip(void)
{
	const unsigned types[] = { SWP_TYPE_SWAP, 1, 7, 30, SWP_TYPE_MIGRATION };
	/* (offset 2^50 - 1 of type 0 would encode as 0: Linux's
	 * max_swapfile_size() keeps offsets below that) */
	const uint64_t offs[] = { 0, 1, 2, 0x1234, 0xabcdef12345ULL,
				  (1ULL << 49) + 7, (1ULL << 50) - 2 };

	for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (unsigned o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
			uint64_t e = swp_pte(types[t], offs[o]);

			ASSERT_EQ(swp_type(e), types[t]);
			ASSERT_EQ(swp_offset(e), offs[o]);
			ASSERT_NE(e, 0);
			ASSERT_FALSE(pte_none(e));
			ASSERT_FALSE(pte_present(e));
			ASSERT_TRUE(pte_is_swap(e));
			ASSERT_EQ(e & PTE_P, 0);
			ASSERT_EQ(e & PTE_PROTNONE, 0);
			/* bits 0..8 are never used by a swap entry */
			ASSERT_EQ(e & 0x1ff, 0);
			ASSERT_EQ(e >> 59, types[t]);
		}
	}
	/* x86-64's exact layout: ~offset in bits 9..58, type in 59..63 */
	ASSERT_EQ(swp_pte(0, 0), 0x07fffffffffffe00ULL);
	ASSERT_EQ(swp_pte(0, 1), 0x07fffffffffffc00ULL);
	ASSERT_EQ(swp_pte(SWP_TYPE_MIGRATION, 0), 0xfffffffffffffe00ULL);
	ASSERT_EQ(swp_pte(SWP_TYPE_MIGRATION, 5) >> 59, 31);
	ASSERT_NE(swp_pte(0, 5), swp_pte(0, 6));
	return true;
}

static bool test_prune_frees_empty_keeps_used(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	uint64_t a = 0x10000000ULL, b = a + (2ULL << 20);   /* next PTE table */
	uint64_t c = a + (1ULL << 30);                       /* next PMD */
	uint64_t *pa, *pb, *pc;

	ASSERT_EQ(pte_alloc(w, mm, a, &pa), 0);
	ASSERT_EQ(pte_alloc(w, mm, b, &pb), 0);
	ASSERT_EQ(pte_alloc(w, mm, c, &pc), 0);
	ASSERT_EQ(pgtable_count(w, mm), 7);   /* PGD PUD 2xPMD 3xPTE */
	set_pte(w, pa, swp_pte(SWP_TYPE_SWAP, 42));  /* something that is not none */

	/* a range that misses b's and c's tables leaves them alone */
	pgtable_prune(w, mm, a, a + PAGE_SIZE);
	ASSERT_EQ(pgtable_count(w, mm), 7);
	ASSERT_TRUE(pte_lookup(w, mm, a) == pa);
	/* b's empty PTE table goes, the PMD it hangs from stays (a uses it) */
	pgtable_prune(w, mm, b, b + PAGE_SIZE);
	ASSERT_EQ(pgtable_count(w, mm), 6);
	ASSERT_TRUE(pte_lookup(w, mm, b) == NULL);
	ASSERT_TRUE(pte_lookup(w, mm, a) == pa);
	/* everything: c's PTE table and PMD go, a's path stays */
	pgtable_prune(w, mm, 0, TASK_SIZE + PAGE_SIZE);
	ASSERT_EQ(pgtable_count(w, mm), 4);
	ASSERT_TRUE(pte_lookup(w, mm, a) == pa);
	ASSERT_EQ(*pa, swp_pte(SWP_TYPE_SWAP, 42));
	ASSERT_EQ(w->phys.used, 1 + 4);

	set_pte(w, pa, 0);
	pgtable_prune(w, mm, a, a + PAGE_SIZE);
	ASSERT_EQ(mm->pgd, 0);
	ASSERT_EQ(pgtable_count(w, mm), 0);
	ASSERT_EQ(w->phys.used, 1);
	check_world(w);
	return true;
}

/*
 * free_pgtables (free_pgd_range): an emptied table goes only when its span
 * lies in [floor, ceiling), the neighbouring VMAs' ends; pgtable_reclaim_pte
 * (PT_RECLAIM) frees an empty PTE table only for a whole 2 MiB in range.
 */
static bool test_free_pgtables_floor_ceiling(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	uint64_t a = 0x10000000ULL, b = a + (2ULL << 20);   /* next PTE table */
	uint64_t *pa, *pb;

	ASSERT_EQ(pte_alloc(w, mm, a, &pa), 0);
	ASSERT_EQ(pte_alloc(w, mm, b, &pb), 0);
	ASSERT_EQ(pgtable_count(w, mm), 5);   /* PGD PUD PMD 2xPTE */
	/* a neighbour ending inside a's span (floor) keeps a's table */
	free_pgtables(w, mm, a, a + PAGE_SIZE, a + PAGE_SIZE, UINT64_MAX);
	ASSERT_EQ(pgtable_count(w, mm), 5);
	/* so does one starting inside it (ceiling) */
	free_pgtables(w, mm, a, a + PAGE_SIZE, 0, a + 2 * PAGE_SIZE);
	ASSERT_EQ(pgtable_count(w, mm), 5);
	/* neighbours at the span's edges: a's table goes, b's and the PMD
	 * table (b's span is outside the range) stay */
	free_pgtables(w, mm, a, a + PAGE_SIZE, a, b);
	ASSERT_EQ(pgtable_count(w, mm), 4);
	ASSERT_TRUE(pte_lookup(w, mm, a) == NULL);
	ASSERT_TRUE(pte_lookup(w, mm, b) == pb);
	/* a non-empty table stays whatever the bounds */
	set_pte(w, pb, swp_pte(SWP_TYPE_SWAP, 42));
	free_pgtables(w, mm, b, b + PAGE_SIZE, 0, UINT64_MAX);
	ASSERT_EQ(pgtable_count(w, mm), 4);
	set_pte(w, pb, 0);

	/* PT_RECLAIM: 2 MiB less a page keeps b's table, the whole frees it */
	pgtable_reclaim_pte(w, mm, b, b + (2ULL << 20) - PAGE_SIZE);
	ASSERT_EQ(pgtable_count(w, mm), 4);
	pgtable_reclaim_pte(w, mm, b - PAGE_SIZE, b + (2ULL << 20));
	ASSERT_EQ(pgtable_count(w, mm), 3);   /* the PMD table stays */
	ASSERT_TRUE(pte_lookup(w, mm, b) == NULL);
	ASSERT_NE(mm->pgd, 0);
	check_world(w);
	return true;
}

/*
 * move_normal_pmd(): a PTE table moves whole into a none PMD slot; its
 * entries keep their slots (same physical address, now for the new
 * address); a slot with no PTE table gives nothing to move.
 */
static bool test_move_pte_table(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	uint64_t a = 0x10000000ULL, b = a + (4ULL << 20), c = a + (2ULL << 20);
	uint64_t *pa, *pb, *pmd, va, paddr, entry;
	struct mm *owner;

	ASSERT_EQ(pte_alloc(w, mm, a + PAGE_SIZE, &pa), 0);
	set_pte(w, pa, swp_pte(SWP_TYPE_SWAP, 7));
	paddr = pte_paddr(w, mm, a + PAGE_SIZE);
	ASSERT_EQ(pmd_alloc(w, mm, b, &pmd), 0);
	entry = pgtable_detach_pte_table(w, mm, a);
	ASSERT_TRUE(pgd_table(entry));
	/* between the two steps the table is under neither PMD */
	ASSERT_TRUE(pte_lookup(w, mm, a + PAGE_SIZE) == NULL);
	ASSERT_TRUE(pte_lookup(w, mm, b + PAGE_SIZE) == NULL);
	pgtable_attach_pte_table(w, mm, b, entry);
	ASSERT_TRUE(pte_lookup(w, mm, a + PAGE_SIZE) == NULL);
	pb = pte_lookup(w, mm, b + PAGE_SIZE);
	ASSERT_TRUE(pb == pa);                    /* the same slot */
	ASSERT_EQ(pte_paddr(w, mm, b + PAGE_SIZE), paddr);
	ASSERT_TRUE(pte_at_paddr(w, paddr, &owner, &va) == pb);
	ASSERT_EQ(va, b + PAGE_SIZE);
	/* from a slot with no table (none, a leaf): nothing detached */
	ASSERT_EQ(pgtable_detach_pte_table(w, mm, a), 0);
	ASSERT_EQ(pmd_alloc(w, mm, c, &pmd), 0);
	set_pte(w, pmd, pfn_pte(512, PTE_TABLE | PTE_PSE));
	ASSERT_EQ(pgtable_detach_pte_table(w, mm, c), 0);
	ASSERT_TRUE(pmd_leaf(*pmd));
	set_pte(w, pmd, 0);
	ASSERT_TRUE(pte_lookup(w, mm, b + PAGE_SIZE) == pb);
	set_pte(w, pb, 0);
	check_world(w);
	return true;
}

static bool test_pgtable_count_through_faults(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	const uint64_t base = 0x10000000ULL;

	APPLY_OK(w, op_mmap(0, base, PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, base + (2ULL << 20), PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, base + (1ULL << 30), PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, base + (1ULL << 39), PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(pgtable_count(w, mm), 0);   /* mmap allocates no tables */
	APPLY_OK(w, op_write(0, base));
	ASSERT_EQ(pgtable_count(w, mm), 4);
	APPLY_OK(w, op_write(0, base + (2ULL << 20)));
	ASSERT_EQ(pgtable_count(w, mm), 5);
	APPLY_OK(w, op_read(0, base + (1ULL << 30)));
	ASSERT_EQ(pgtable_count(w, mm), 7);
	APPLY_OK(w, op_write(0, base + (1ULL << 39)));
	ASSERT_EQ(pgtable_count(w, mm), 10);
	/* the PTE itself: frame + P|US|A|D|RW|NX */
	uint64_t e = tu_pte(w, 0, base);

	ASSERT_EQ(e & ~PTE_PFN_MASK, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_NX);
	ASSERT_EQ(pte_pfn(e), tu_pfn(w, 0, base));

	APPLY_OK(w, op_munmap(0, base + (1ULL << 30), PAGE_SIZE));
	ASSERT_EQ(pgtable_count(w, mm), 8);
	APPLY_OK(w, op_munmap(0, base, 1ULL << 40));
	ASSERT_EQ(pgtable_count(w, mm), 0);
	ASSERT_EQ(mm->pgd, 0);
	ASSERT_EQ(w->phys.used, 1);
	return true;
}

struct visit {
	uint64_t va[8];
	unsigned n;
};

static void visit_fn(struct world *w, struct mm *mm, uint64_t va,
		     uint64_t *pte, void *arg)
{
	struct visit *v = arg;

	if (v->n < 8)
		v->va[v->n] = va;
	v->n++;
}

static bool test_pte_range_each_in_order(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	const uint64_t base = 0x10000000ULL;
	struct visit v = { { 0 }, 0 };

	APPLY_OK(w, op_mmap(0, base, 1ULL << 31, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, base + (1ULL << 30)));
	APPLY_OK(w, op_write(0, base + 3 * PAGE_SIZE));
	APPLY_OK(w, op_read(0, base));
	APPLY_OK(w, op_write(0, base + (2ULL << 20)));
	pte_range_each(w, mm, base, base + (1ULL << 31), visit_fn, &v);
	ASSERT_EQ(v.n, 4);
	ASSERT_EQ(v.va[0], base);
	ASSERT_EQ(v.va[1], base + 3 * PAGE_SIZE);
	ASSERT_EQ(v.va[2], base + (2ULL << 20));
	ASSERT_EQ(v.va[3], base + (1ULL << 30));
	/* a sub-range sees only its own */
	v.n = 0;
	pte_range_each(w, mm, base + PAGE_SIZE, base + (2ULL << 20) + PAGE_SIZE,
		       visit_fn, &v);
	ASSERT_EQ(v.n, 2);
	ASSERT_EQ(v.va[0], base + 3 * PAGE_SIZE);
	ASSERT_EQ(v.va[1], base + (2ULL << 20));
	return true;
}

/* flip the used-slot bit of the entry DELTA slots after pte */
static void flip_used_bit(uint64_t *pte, int delta)
{
	uint64_t *table = pt_of_slot(pte);
	unsigned i = (unsigned)(pte - table) + (unsigned)delta;

	pt_used(table)[i >> 6] ^= 1ULL << (i & 63);
}

/*
 * The invariants do not take the used-slot bitmap on trust: a PTE whose bit
 * is lost (the scan would skip it) and a bit set for an empty slot are both
 * reported, before anything the scan might then get wrong.
 */
static bool test_used_bitmap_mismatch_is_an_invariant_violation(void)
{
	struct world *w = tu_world_new(0);
	uint64_t a = 0x10000000ULL, *pte;
	char msg[256];

	APPLY_OK(w, op_mmap(0, a, 2 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, a));
	pte = pte_lookup(w, tu_mm(w, 0), a);
	ASSERT_TRUE(pte != NULL && *pte != 0 && pte[1] == 0);

	flip_used_bit(pte, 0);
	ASSERT_EQ(tu_world_check(w, msg, sizeof(msg)), -1);
	ASSERT_TRUE(strncmp(msg, "pgtable-bitmap: ", 16) == 0);
	ASSERT_TRUE(strstr(msg, "bit is clear") != NULL);
	flip_used_bit(pte, 0);

	flip_used_bit(pte, 1);
	ASSERT_EQ(tu_world_check(w, msg, sizeof(msg)), -1);
	ASSERT_TRUE(strncmp(msg, "pgtable-bitmap: ", 16) == 0);
	ASSERT_TRUE(strstr(msg, "entry 0x0 but the used-slot bit is set") != NULL);
	flip_used_bit(pte, 1);

	check_world(w);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST_EACH_BACKEND(pte_alloc_builds_four_levels);
	TEST_EACH_BACKEND(pte_lookup);
	TEST_EACH_BACKEND(swap_entry_roundtrip);
	TEST_EACH_BACKEND(prune_frees_empty_keeps_used);
	TEST_EACH_BACKEND(free_pgtables_floor_ceiling);
	TEST_EACH_BACKEND(move_pte_table);
	TEST_EACH_BACKEND(pgtable_count_through_faults);
	TEST_EACH_BACKEND(pte_range_each_in_order);
	TEST_EACH_BACKEND(used_bitmap_mismatch_is_an_invariant_violation);
	TEST_END();
}
