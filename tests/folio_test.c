/*
 * folio_test.c - large anonymous folios (issue 19, core/folio.h): what a
 * fault in a hugepage VMA allocates, how fork, COW, munmap and exit count
 * and free them (mm/memory.c, mm/rmap.c as of 6.18), and each report site
 * of the oracle's "folio" category (oracle/folio_rules.h) seeing a
 * deliberately broken folio, put back after.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/folio.h"
#include "core/pgtable.h"
#include "oracle/folio_rules.h"
#include "tests/test_util.h"

#define A 0x10000000ULL

static struct op op_advise(unsigned proc, uint64_t addr, uint64_t len,
			   unsigned advice)
{
	struct op op = op_madvise(proc, addr, len);

	op.advice = (uint8_t)advice;
	return op;
}

static struct op op_thp_sizes(uint32_t orders)
{
	return (struct op){ .kind = OP_THP_SIZES, .len = orders };
}

/* p0: 256 KiB hugepage anon at A with 16K and 64K folios allowed */
static bool hugepage_region(struct world *w)
{
	APPLY_OK(w, op_thp_sizes(1u << 2 | 1u << 4));
	APPLY_OK(w, op_mmap(0, A, 0x40000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_advise(0, A, 0x40000, ADV_HUGEPAGE));
	return true;
}

static struct page *page_at(struct world *w, unsigned pid, uint64_t addr)
{
	return pfn_page(w, tu_pfn(w, pid, addr));
}

/* the largest allowed order whose aligned range fits and is empty */
static bool test_fault_takes_largest_fitting_order(void)
{
	struct world *w = tu_world_new(0);
	pfn_t head;

	ASSERT_TRUE(hugepage_region(w));
	APPLY_OK(w, op_write(0, A + 0x5000));
	head = tu_pfn(w, 0, A);
	ASSERT_EQ(pfn_page(w, head)->folio_order, 4);
	ASSERT_EQ(head & 15, 0);
	for (unsigned i = 0; i < 16; i++) {
		ASSERT_EQ(tu_pfn(w, 0, A + i * 0x1000), head + i);
		ASSERT_TRUE(page_at(w, 0, A + i * 0x1000)->flags &
			    PG_ANON_EXCLUSIVE);
	}
	ASSERT_EQ(pfn_page(w, head)->large_mapcount, 16);
	/* 64K at A + 0x10000 is not empty after this 4K-only region write */
	APPLY_OK(w, op_advise(0, A + 0x10000, 0x1000, ADV_NOHUGEPAGE));
	APPLY_OK(w, op_write(0, A + 0x10000));
	ASSERT_EQ(page_at(w, 0, A + 0x10000)->folio_order, 0);
	/* no VM_HUGEPAGE at A + 0x11000.. now? it is a split-off VMA that
	 * kept VM_HUGEPAGE: 16K folios fit from A + 0x14000 */
	APPLY_OK(w, op_write(0, A + 0x14000));
	ASSERT_EQ(page_at(w, 0, A + 0x14000)->folio_order, 2);
	return true;
}

/* without madvise(MADV_HUGEPAGE) nothing is large */
static bool test_no_hugepage_no_large_folio(void)
{
	struct world *w = tu_world_new(0);

	APPLY_OK(w, op_thp_sizes(1u << 4));
	APPLY_OK(w, op_mmap(0, A, 0x40000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	ASSERT_EQ(page_at(w, 0, A)->folio_order, 0);
	return true;
}

/*
 * fork shares the folio (no page exclusive, maybe mapped shared); p1's
 * write copies 4 KiB; p0's write then copies too (the folio is still
 * shared); once p1 exits p0 reuses (__wp_can_reuse_large_anon_folio)
 */
static bool test_cow_of_large_folio(void)
{
	struct world *w = tu_world_new(0);
	pfn_t head;

	ASSERT_TRUE(hugepage_region(w));
	APPLY_OK(w, op_write(0, A));
	head = tu_pfn(w, 0, A);
	APPLY_OK(w, op_fork(0, 1));
	ASSERT_TRUE(pfn_page(w, head)->mm_ids_shared);
	ASSERT_EQ(pfn_page(w, head)->large_mapcount, 32);
	APPLY_OK(w, op_write(1, A + 0x1000));
	ASSERT_EQ(page_at(w, 1, A + 0x1000)->folio_order, 0);
	APPLY_OK(w, op_write(0, A + 0x2000));
	ASSERT_TRUE(tu_pfn(w, 0, A + 0x2000) != head + 2);
	APPLY_OK(w, op_exit(1));
	ASSERT_FALSE(pfn_page(w, head)->mm_ids_shared);
	APPLY_OK(w, op_write(0, A + 0x3000));
	ASSERT_EQ(tu_pfn(w, 0, A + 0x3000), head + 3);
	/* page 2 went from the folio: partially mapped, queued */
	ASSERT_TRUE(pfn_page(w, head)->flags & PG_PARTIALLY_MAPPED);
	return true;
}

/* the folio is freed with its last mapping, not page by page */
static bool test_folio_freed_whole(void)
{
	struct world *w = tu_world_new(0);
	pfn_t head;

	ASSERT_TRUE(hugepage_region(w));
	APPLY_OK(w, op_write(0, A));
	head = tu_pfn(w, 0, A);
	APPLY_OK(w, op_munmap(0, A, 0x8000));
	ASSERT_EQ(pfn_page(w, head)->kind, PAGE_ANON);
	ASSERT_TRUE(pfn_page(w, head)->flags & PG_PARTIALLY_MAPPED);
	APPLY_OK(w, op_munmap(0, A + 0x8000, 0x8000));
	for (unsigned i = 0; i < 16; i++)
		ASSERT_EQ(pfn_page(w, head + i)->kind, PAGE_FREE);
	return true;
}

/* MADV_PAGEOUT of a page of a shared folio leaves it; else splits */
static bool test_pageout_splits_or_skips(void)
{
	struct world *w = tu_world_new(0);
	pfn_t head;

	ASSERT_TRUE(hugepage_region(w));
	APPLY_OK(w, op_write(0, A));
	head = tu_pfn(w, 0, A);
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_pageout(0, A));
	ASSERT_EQ(tu_pfn(w, 0, A), head);
	APPLY_OK(w, op_exit(1));
	APPLY_OK(w, op_pageout(0, A + 0x1000));
	ASSERT_EQ(pfn_page(w, head)->folio_order, 0);
	ASSERT_EQ(tu_pfn(w, 0, A), head);
	return true;
}

/* ---- each report site of the folio rules ------------------------------ */

static bool broken_folio(const struct world *w, const char *text)
{
	char msg[512] = "";

	tu_world_check(w, msg, sizeof(msg));
	if (strncmp(msg, "folio:", 6) || !strstr(msg, text)) {
		fprintf(stderr, "expected folio: ...%s..., got '%s'\n", text,
			msg);
		return false;
	}
	return true;
}

static bool test_rules_see_broken_folios(void)
{
	struct world *w = tu_world_new(0);
	struct page *h, *p;
	pfn_t head;

	ASSERT_TRUE(hugepage_region(w));
	APPLY_OK(w, op_write(0, A));
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_munmap(1, A + 0x1000, 0x1000));
	head = tu_pfn(w, 0, A);
	h = pfn_page(w, head);
	p = pfn_page(w, head + 1);
	check_world(w);
	p->folio_idx = 3;                       /* not one of its pages */
	ASSERT_TRUE(broken_folio(w, "is not one of its pages"));
	p->folio_idx = 1;
	h->large_mapcount++;
	ASSERT_TRUE(broken_folio(w, "_large_mapcount 32, _entire_mapcount 0 but 31 PTEs"));
	h->large_mapcount--;
	h->mm_id_mapcount[1] += 20;
	ASSERT_TRUE(broken_folio(w, "MM-id slots count"));
	h->mm_id_mapcount[1] -= 20;
	h->mm_ids_shared = false;
	ASSERT_TRUE(broken_folio(w, "not maybe mapped shared"));
	h->mm_ids_shared = true;
	APPLY_OK(w, op_exit(1));
	APPLY_OK(w, op_munmap(0, A + 0x1000, 0x1000));
	h->flags &= (uint8_t)~PG_PARTIALLY_MAPPED;
	ASSERT_TRUE(broken_folio(w, "not on the deferred split queue"));
	h->flags |= PG_PARTIALLY_MAPPED;
	check_world(w);
	return true;
}

/* a folio out of alignment: moved by one frame in a corrupted world */
static bool test_rules_see_misaligned_folio(void)
{
	struct world *w = tu_world_new(0);
	pfn_t head;

	ASSERT_TRUE(hugepage_region(w));
	APPLY_OK(w, op_write(0, A));
	head = tu_pfn(w, 0, A);
	pfn_page(w, head)->folio_idx = 0;
	/* pretend the folio starts one frame later: page 1 as its head */
	pfn_page(w, head + 1)->folio_idx = 0;
	pfn_page(w, head)->folio_order = 0;
	ASSERT_TRUE(broken_folio(w, "not aligned to its size"));
	pfn_page(w, head)->folio_order = 4;
	pfn_page(w, head + 1)->folio_idx = 1;
	check_world(w);
	return true;
}

/* ---- PMD-mapped THP (core/huge_memory.h) ------------------------------- */

#define H 0x40000000ULL         /* 2 MiB aligned */

static struct world *pmd_world(void)
{
	struct world_config cfg = { .no_zero_page = true };

	return tu_world_new_cfg(&cfg);
}

/* p0: 4 MiB hugepage anon at H, a PMD THP at H written */
static bool pmd_thp(struct world *w)
{
	APPLY_OK(w, op_mmap(0, H, 0x400000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_advise(0, H, 0x400000, ADV_HUGEPAGE));
	APPLY_OK(w, op_write(0, H + 0x5000));
	return true;
}

static uint64_t *leaf_at(struct world *w, unsigned pid, uint64_t addr)
{
	return pmd_lookup_leaf(w, mm_get(w, pid), addr);
}

static bool test_pmd_fault_maps_whole_folio(void)
{
	struct world *w = pmd_world();
	uint64_t *pmd;
	pfn_t head;

	ASSERT_TRUE(pmd_thp(w));
	pmd = leaf_at(w, 0, H);
	ASSERT_TRUE(pmd != NULL);
	ASSERT_TRUE((*pmd & (PTE_PSE | PTE_RW | PTE_D)) ==
		    (PTE_PSE | PTE_RW | PTE_D));
	head = pte_pfn(*pmd);
	ASSERT_EQ(head & 511, 0);
	ASSERT_EQ(tu_pfn(w, 0, H + 0x5000), head + 5);
	ASSERT_EQ(pfn_page(w, head)->entire_mapcount, 1);
	ASSERT_EQ(pfn_page(w, head)->large_mapcount, 1);
	ASSERT_EQ(pfn_page(w, head)->refcount, 1);
	ASSERT_EQ(pfn_page(w, head + 5)->mapcount, 0);
	/* a read in the other 2 MiB takes a THP too (no zero page here) */
	APPLY_OK(w, op_read(0, H + 0x200000));
	ASSERT_TRUE(leaf_at(w, 0, H + 0x200000) != NULL);
	/* thp-sizes without 2M: no PMD, a 64K folio by PTEs */
	{
		struct world *v = pmd_world();

		APPLY_OK(v, op_thp_sizes(1u << 4));
		ASSERT_TRUE(pmd_thp(v));
		ASSERT_TRUE(leaf_at(v, 0, H) == NULL);
		ASSERT_EQ(page_at(v, 0, H + 0x5000)->folio_order, 4);
	}
	return true;
}

/*
 * fork: copy_huge_pmd, both leaves write-protected, the child's old; the
 * child's write splits its PMD and copies 4 KiB; the parent's then does
 * the same (the folio is shared)
 */
static bool test_pmd_fork_and_cow(void)
{
	struct world *w = pmd_world();
	pfn_t head;

	ASSERT_TRUE(pmd_thp(w));
	head = pte_pfn(*leaf_at(w, 0, H));
	APPLY_OK(w, op_fork(0, 1));
	ASSERT_FALSE(*leaf_at(w, 0, H) & PTE_RW);
	ASSERT_FALSE(*leaf_at(w, 1, H) & (PTE_RW | PTE_A));
	ASSERT_EQ(pfn_page(w, head)->entire_mapcount, 2);
	ASSERT_TRUE(pfn_page(w, head)->mm_ids_shared);
	APPLY_OK(w, op_write(1, H + 0x1000));
	ASSERT_TRUE(leaf_at(w, 1, H) == NULL);
	ASSERT_TRUE(leaf_at(w, 0, H) != NULL);
	ASSERT_EQ(page_at(w, 1, H + 0x1000)->folio_order, 0);
	ASSERT_EQ(tu_pfn(w, 1, H + 0x2000), head + 2);
	APPLY_OK(w, op_write(0, H + 0x3000));
	ASSERT_TRUE(leaf_at(w, 0, H) == NULL);
	ASSERT_TRUE(tu_pfn(w, 0, H + 0x3000) != head + 3);
	/* exclusive again once the child is gone: a write reuses */
	APPLY_OK(w, op_exit(1));
	APPLY_OK(w, op_write(0, H + 0x4000));
	ASSERT_EQ(tu_pfn(w, 0, H + 0x4000), head + 4);
	return true;
}

/* a PMD only partly unmapped or protected is split; whole, it is not */
static bool test_pmd_partial_ops_split(void)
{
	struct world *w = pmd_world();
	pfn_t head;

	ASSERT_TRUE(pmd_thp(w));
	head = pte_pfn(*leaf_at(w, 0, H));
	APPLY_OK(w, op_mprotect(0, H, 0x200000, PROT_R));
	ASSERT_TRUE(leaf_at(w, 0, H) != NULL);
	ASSERT_FALSE(*leaf_at(w, 0, H) & PTE_RW);
	APPLY_OK(w, op_mprotect(0, H, 0x1000, PROT_RW));
	ASSERT_TRUE(leaf_at(w, 0, H) == NULL);
	ASSERT_EQ(tu_pfn(w, 0, H + 0x1000), head + 1);
	APPLY_OK(w, op_munmap(0, H + 0x1000, 0x1000));
	ASSERT_TRUE(pfn_page(w, head)->flags & PG_PARTIALLY_MAPPED);
	APPLY_OK(w, op_munmap(0, H, 0x200000));
	ASSERT_EQ(pfn_page(w, head)->kind, PAGE_FREE);
	return true;
}

/* mremap: aligned at both ends, the leaf moves whole; else it is split */
static bool test_pmd_mremap(void)
{
	struct world *w = pmd_world();
	pfn_t head;

	ASSERT_TRUE(pmd_thp(w));
	head = pte_pfn(*leaf_at(w, 0, H));
	APPLY_OK(w, op_mremap(0, H, 0x200000, 0x200000, OPF_MAYMOVE | OPF_FIXED,
			      0x80000000ULL));
	ASSERT_TRUE(leaf_at(w, 0, 0x80000000ULL) != NULL);
	ASSERT_EQ(tu_pfn(w, 0, 0x80005000ULL), head + 5);
	APPLY_OK(w, op_mremap(0, 0x80000000ULL, 0x200000, 0x200000,
			      OPF_MAYMOVE | OPF_FIXED, 0x90001000ULL));
	ASSERT_TRUE(leaf_at(w, 0, 0x90000000ULL) == NULL);
	ASSERT_EQ(tu_pfn(w, 0, 0x90006000ULL), head + 5);
	return true;
}

/* MADV_COLLAPSE: one written page becomes a PMD THP, the page copied */
static bool test_collapse(void)
{
	struct world *w = pmd_world();
	struct op col = op_advise(0, H, 0x200000, ADV_COLLAPSE);
	pfn_t small;

	APPLY_OK(w, op_mmap(0, H, 0x400000, PROT_RW, ANON, PRIVATE));
	APPLY_EXPECT(w, col, -EINVAL);          /* no page table yet */
	APPLY_OK(w, op_write(0, H + 0x3000));
	small = tu_pfn(w, 0, H + 0x3000);
	APPLY_OK(w, col);
	ASSERT_TRUE(leaf_at(w, 0, H) != NULL);
	ASSERT_TRUE(tu_pfn(w, 0, H + 0x3000) != small);
	ASSERT_EQ(pfn_page(w, small)->kind, PAGE_FREE);
	APPLY_OK(w, col);                       /* already PMD-mapped */
	APPLY_OK(w, op_advise(0, H + 0x200000, 0x200000, ADV_NOHUGEPAGE));
	APPLY_EXPECT(w, op_advise(0, H + 0x200000, 0x200000, ADV_COLLAPSE),
		     -EINVAL);
	return true;
}

/*
 * MADV_COLLAPSE of a tmpfs range (khugepaged_file.c): a file of two pages
 * mapped shared by p0 and its child p1.  The page cache's range becomes one
 * PMD-order folio, the old pages freed; p1 loses its PTE table
 * (retract_page_tables: no anon_vma), p0 maps the folio by a PMD with the
 * page's content in place; the next op splits it back (its PMD zapped)
 * and is marked not modelled.
 */
static bool test_collapse_file(void)
{
	struct world *w = pmd_world();
	pfn_t old, head;
	uint64_t *pmd, content;

	APPLY_OK(w, op_file(0, 0x200000));
	APPLY_OK(w, op_mmap(0, H, 0x200000, PROT_RW, 0, SHARED));
	APPLY_OK(w, op_write(0, H + 0x3000));
	old = tu_pfn(w, 0, H + 0x3000);
	content = pfn_page(w, old)->content;
	ASSERT_TRUE(content != 0);
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_read(1, H + 0x3000));
	ASSERT_TRUE(pmd_lookup(w, tu_mm(w, 1), H) &&
		    pgd_table(*pmd_lookup(w, tu_mm(w, 1), H)));
	APPLY_OK(w, op_advise(0, H, 0x200000, ADV_COLLAPSE));
	ASSERT_TRUE(w->unmodelled == NULL);
	head = pte_pfn(*leaf_at(w, 0, H));
	ASSERT_EQ(pfn_page(w, head)->kind, PAGE_FILE);
	ASSERT_EQ(pfn_page(w, head)->folio_order, THP_PMD_ORDER);
	ASSERT_EQ(pfn_page(w, head)->entire_mapcount, 1);
	ASSERT_EQ(pfn_page(w, head + 3)->content, content);
	ASSERT_EQ(pfn_page(w, old)->kind, PAGE_FREE);
	pmd = pmd_lookup(w, tu_mm(w, 1), H);
	ASSERT_TRUE(pmd && pte_none(*pmd));     /* retracted */
	ASSERT_EQ(w->file_thps, 1);
	APPLY_OK(w, op_read(1, H + 0x3000));
	ASSERT_TRUE(w->unmodelled != NULL);
	ASSERT_EQ(w->file_thps, 0);
	ASSERT_TRUE(leaf_at(w, 0, H) == NULL);
	ASSERT_EQ(pfn_page(w, head)->folio_order, 0);
	ASSERT_EQ(tu_pfn(w, 1, H + 0x3000), head + 3);
	return true;
}

/* the counts a PMD mapping adds, broken: the folio and refcount rules */
static bool test_rules_see_broken_pmd_counts(void)
{
	struct world *w = pmd_world();
	struct page *h;

	ASSERT_TRUE(pmd_thp(w));
	h = pfn_page(w, pte_pfn(*leaf_at(w, 0, H)));
	h->entire_mapcount++;           /* a PMD mapping that is not there */
	h->large_mapcount++;
	h->refcount++;                  /* with its reference, else the */
	ASSERT_TRUE(broken_folio(w,     /* refcount rule speaks first */
		    "_entire_mapcount 2 but 0 PTEs and 1 PMDs"));
	h->refcount--;
	h->entire_mapcount--;
	h->large_mapcount--;
	check_world(w);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(fault_takes_largest_fitting_order);
	TEST(no_hugepage_no_large_folio);
	TEST(cow_of_large_folio);
	TEST(folio_freed_whole);
	TEST(pageout_splits_or_skips);
	TEST(rules_see_broken_folios);
	TEST(rules_see_misaligned_folio);
	TEST_EACH_BACKEND(pmd_fault_maps_whole_folio);
	TEST_EACH_BACKEND(pmd_fork_and_cow);
	TEST_EACH_BACKEND(pmd_partial_ops_split);
	TEST_EACH_BACKEND(pmd_mremap);
	TEST_EACH_BACKEND(collapse);
	TEST_EACH_BACKEND(collapse_file);
	TEST(rules_see_broken_pmd_counts);
	TEST_END();
}
