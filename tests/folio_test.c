/*
 * folio_test.c - large anonymous folios (issue 19, core/folio.h): what a
 * fault in a hugepage VMA allocates, how fork, COW, munmap and exit count
 * and free them (mm/memory.c, mm/rmap.c as of 6.18), and each report site
 * of the oracle's "folio" category (oracle/folio_rules.h) seeing a
 * deliberately broken folio, put back after.
 */
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
	ASSERT_TRUE(broken_folio(w, "_large_mapcount 32 but 31 PTEs"));
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
	TEST_END();
}
