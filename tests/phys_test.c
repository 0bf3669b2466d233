/*
 * phys_test.c - core/phys.c: deterministic frame numbers, LIFO reuse, the
 * frame limit and the zero page.
 */
#include <errno.h>

#include "core/pgtable.h"
#include "core/phys.h"
#include "tests/test_util.h"

#define BASE 0x10000000ULL

static bool test_zero_page_is_frame_1(void)
{
	struct world *w = tu_world_new(0);
	struct page *zp;

	ASSERT_EQ(world_zero_pfn(w), 1);
	zp = pfn_page(w, 1);
	ASSERT_EQ(zp->kind, PAGE_ZERO);
	ASSERT_EQ(w->phys.used, 1);
	APPLY_OK(w, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE));
	APPLY_OK(w, op_read(0, BASE + PAGE_SIZE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), 1);
	ASSERT_EQ(tu_pfn(w, 0, BASE + PAGE_SIZE), 1);
	ASSERT_EQ(pfn_page(w, 1)->mapcount, 2);
	/* the first frames handed out (the 4 tables) are 2, 3, 4, 5 */
	ASSERT_EQ(tu_mm(w, 0)->pgd, 2);
	ASSERT_EQ(w->phys.used, 1 + 4);
	APPLY_OK(w, op_write(0, BASE + 2 * PAGE_SIZE));
	ASSERT_EQ(tu_pfn(w, 0, BASE + 2 * PAGE_SIZE), 6);
	APPLY_OK(w, op_munmap(0, BASE, 4 * PAGE_SIZE));
	ASSERT_EQ(pfn_page(w, 1)->mapcount, 0);
	ASSERT_EQ(pfn_page(w, 1)->kind, PAGE_ZERO);
	ASSERT_EQ(w->phys.used, 1);
	return true;
}

static bool test_frames_lifo_reuse(void)
{
	struct world *w = tu_world_new(0);
	pfn_t a = frame_alloc(w, PAGE_ANON);
	pfn_t b = frame_alloc(w, PAGE_ANON);
	pfn_t c = frame_alloc(w, PAGE_FILE);

	ASSERT_EQ(a, 2);
	ASSERT_EQ(b, 3);
	ASSERT_EQ(c, 4);
	ASSERT_EQ(pfn_page(w, c)->kind, PAGE_FILE);
	ASSERT_EQ(pfn_page(w, c)->refcount, 0);
	ASSERT_EQ(w->phys.used, 4);
	frame_free(w, a);
	frame_free(w, c);
	ASSERT_EQ(pfn_page(w, c)->kind, PAGE_FREE);
	ASSERT_EQ(w->phys.used, 2);
	/* last freed, first reused; then new ones continue after the highest */
	ASSERT_EQ(frame_alloc(w, PAGE_ANON), c);
	ASSERT_EQ(frame_alloc(w, PAGE_ANON), a);
	ASSERT_EQ(frame_alloc(w, PAGE_ANON), 5);
	frame_free(w, 5);
	frame_free(w, a);
	frame_free(w, b);
	frame_free(w, c);
	ASSERT_EQ(w->phys.used, 1);

	/* the same through ops: munmap frees the data frame, a write reuses it */
	APPLY_OK(w, op_mmap(0, BASE, 2 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_write(0, BASE + PAGE_SIZE));
	pfn_t f1 = tu_pfn(w, 0, BASE + PAGE_SIZE);

	APPLY_OK(w, op_madvise(0, BASE + PAGE_SIZE, PAGE_SIZE));
	ASSERT_EQ(pfn_page(w, f1)->kind, PAGE_FREE);
	APPLY_OK(w, op_write(0, BASE + PAGE_SIZE));
	ASSERT_EQ(tu_pfn(w, 0, BASE + PAGE_SIZE), f1);
	return true;
}

/* the same op sequence, two worlds: the same frame numbers everywhere */
static bool run_sequence(struct world *w, uint64_t *out, unsigned *n)
{
	static const uint64_t addrs[] = { BASE, BASE + PAGE_SIZE, BASE + 5 * PAGE_SIZE,
					  BASE + (3ULL << 20), 0x20000000ULL };
	unsigned k = 0;

	APPLY_OK(w, op_file(0, 8 * PAGE_SIZE));
	APPLY_OK(w, op_mmap(0, BASE, 8 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, BASE + (3ULL << 20), PAGE_SIZE, PROT_RW, ANON, SHARED));
	APPLY_OK(w, op_mmap(0, 0x20000000ULL, 8 * PAGE_SIZE, PROT_RW, 0, PRIVATE));
	for (int round = 0; round < 3; round++) {
		APPLY_OK(w, op_write(0, BASE));
		APPLY_OK(w, op_read(0, BASE + PAGE_SIZE));
		APPLY_OK(w, op_write(0, BASE + 5 * PAGE_SIZE));
		APPLY_OK(w, op_write(0, BASE + (3ULL << 20)));
		APPLY_OK(w, op_read(0, 0x20000000ULL));
		APPLY_OK(w, op_fork(0, 1));
		APPLY_OK(w, op_write(1, BASE));
		APPLY_OK(w, op_write(0, 0x20000000ULL));
		APPLY_OK(w, op_pageout(0, BASE + 5 * PAGE_SIZE));
		APPLY_OK(w, op_read(1, BASE + 5 * PAGE_SIZE));
		APPLY_OK(w, op_migrate(0, BASE));
		for (unsigned i = 0; i < 5; i++)
			for (unsigned p = 0; p < 2; p++)
				out[k++] = tu_pfn(w, p, addrs[i]);
		APPLY_OK(w, op_exit(1));
		APPLY_OK(w, op_munmap(0, BASE + PAGE_SIZE, PAGE_SIZE));
		APPLY_OK(w, op_mmap(0, BASE + PAGE_SIZE, PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	}
	out[k++] = w->phys.nframes;
	out[k++] = w->phys.used;
	*n = k;
	return true;
}

static bool test_deterministic_frame_numbers(void)
{
	struct world *w1 = tu_world_new(0), *w2 = tu_world_new(0);
	uint64_t a[64], b[64];
	unsigned na, nb;

	ASSERT_TRUE(run_sequence(w1, a, &na));
	ASSERT_TRUE(run_sequence(w2, b, &nb));
	ASSERT_EQ(na, nb);
	for (unsigned i = 0; i < na; i++)
		ASSERT_EQ(a[i], b[i]);
	return true;
}

static bool test_frame_limit_enomem_on_write(void)
{
	/* 1 zero page + 4 tables: the data page of a write is one too many */
	struct world *w = tu_world_new(5);
	struct mm *mm = tu_mm(w, 0);

	APPLY_OK(w, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_EXPECT(w, op_write(0, BASE), -ENOMEM);
	ASSERT_EQ(tu_pte(w, 0, BASE), 0);
	/* the tables allocated on the way stay (do_anonymous_page's
	 * pte_alloc comes before the folio that could not be had) */
	ASSERT_EQ(pgtable_count(w, mm), 4);
	ASSERT_EQ(w->phys.used, 5);
	/* a read needs only the tables: the zero page is mapped */
	APPLY_OK(w, op_read(0, BASE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), world_zero_pfn(w));
	ASSERT_EQ(w->phys.used, 5);
	/* now full: a write fault (zero page -> copy) and a new page fail */
	APPLY_EXPECT(w, op_write(0, BASE), -ENOMEM);
	ASSERT_EQ(tu_pfn(w, 0, BASE), world_zero_pfn(w));
	APPLY_EXPECT(w, op_write(0, BASE + PAGE_SIZE), -ENOMEM);
	ASSERT_EQ(tu_pte(w, 0, BASE + PAGE_SIZE), 0);
	/* the failed write fault got as far as anon_vma_prepare, so fork must
	 * copy PTEs, and the child's first table is beyond the limit */
	ASSERT_TRUE(tu_vma(w, 0, BASE)->anon_vma != NULL);
	APPLY_EXPECT(w, op_fork(0, 1), -ENOMEM);
	ASSERT_FALSE(world_proc_alive(w, 1));
	ASSERT_EQ(w->phys.used, 5);
	/* unmapping one page frees no table: the rest of the VMA touches
	 * their spans (free_pgtables' floor and ceiling) */
	APPLY_OK(w, op_munmap(0, BASE, PAGE_SIZE));
	ASSERT_EQ(w->phys.used, 5);
	/* unmapping the whole VMA makes room again */
	APPLY_OK(w, op_munmap(0, BASE, 4 * PAGE_SIZE));
	ASSERT_EQ(w->phys.used, 1);
	APPLY_OK(w, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE + PAGE_SIZE));
	ASSERT_EQ(w->phys.used, 5);
	APPLY_EXPECT(w, op_write(0, BASE + 2 * PAGE_SIZE), -ENOMEM);
	APPLY_EXPECT(w, op_write(0, BASE + PAGE_SIZE), -ENOMEM);

	/* one more frame allowed: the write succeeds */
	struct world *w6 = tu_world_new(6);

	APPLY_OK(w6, op_mmap(0, BASE, 4 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w6, op_write(0, BASE));
	ASSERT_EQ(w6->phys.used, 6);
	APPLY_EXPECT(w6, op_write(0, BASE + PAGE_SIZE), -ENOMEM);
	APPLY_EXPECT(w6, op_fork(0, 1), -ENOMEM);   /* child's tables */
	ASSERT_FALSE(world_proc_alive(w6, 1));
	ASSERT_EQ(w6->phys.used, 6);
	return true;
}

static bool test_many_frames_grow_the_array(void)
{
	struct world *w = tu_world_new(0);
	const unsigned n = 300;

	APPLY_OK(w, op_mmap(0, BASE, n * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < n; i++)
		ASSERT_EQ(apply(w, op_write(0, BASE + i * PAGE_SIZE)), RES_OK);
	check_world(w);
	for (unsigned i = 0; i < n; i++) {
		uint64_t pfn = tu_pfn(w, 0, BASE + i * PAGE_SIZE);

		ASSERT_NE(pfn, 0);
		ASSERT_EQ(pfn_page(w, pfn)->kind, PAGE_ANON);
		ASSERT_EQ(pfn_page(w, pfn)->index, (BASE >> PAGE_SHIFT) + i);
		if (i)
			ASSERT_TRUE(pfn > tu_pfn(w, 0, BASE + (i - 1) * PAGE_SIZE));
	}
	ASSERT_TRUE(w->phys.nframes >= n + 5);
	APPLY_OK(w, op_exit(0));
	ASSERT_EQ(w->phys.used, 1);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST_EACH_BACKEND(zero_page_is_frame_1);
	TEST_EACH_BACKEND(frames_lifo_reuse);
	TEST_EACH_BACKEND(deterministic_frame_numbers);
	TEST_EACH_BACKEND(frame_limit_enomem_on_write);
	TEST_EACH_BACKEND(many_frames_grow_the_array);
	TEST_END();
}
