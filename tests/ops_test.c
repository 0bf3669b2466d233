/*
 * ops_test.c - the semantics of each op at the C level: faults (zero page,
 * anonymous, COW, file private/shared, SIGBUS/SIGSEGV), truncate, pageout
 * and swap-in, migrate, age, madvise, mremap, and the error results.  Every
 * step is followed by check_world().
 */
#include <errno.h>

#include "core/address_space.h"
#include "core/pgtable.h"
#include "tests/test_util.h"

#define BASE 0x10000000ULL
#define FBASE 0x20000000ULL
#define SBASE 0x30000000ULL
#define P    PAGE_SIZE

#define BITS(e) ((e) & ~PTE_PFN_MASK)
#define USER_RO (PTE_P | PTE_US | PTE_A | PTE_NX)

static bool test_read_fault_maps_zero_page(void)
{
	struct world *w = tu_world_new(0);
	uint64_t e;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE + P + 123));     /* any byte of the page */
	e = tu_pte(w, 0, BASE + P);
	ASSERT_EQ(pte_pfn(e), world_zero_pfn(w));
	ASSERT_EQ(BITS(e), USER_RO);                 /* young, clean, read-only */
	ASSERT_EQ(pfn_page(w, world_zero_pfn(w))->mapcount, 1);
	ASSERT_TRUE(tu_vma(w, 0, BASE)->anon_vma == NULL);
	ASSERT_TRUE(w->anon_vmas == NULL);
	/* a read-only mapping too */
	APPLY_OK(w, op_mmap(0, FBASE, P, PROT_R, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, FBASE));
	ASSERT_EQ(tu_pte(w, 0, FBASE), e);
	ASSERT_EQ(pfn_page(w, world_zero_pfn(w))->mapcount, 2);
	/* reading again changes nothing */
	APPLY_OK(w, op_read(0, BASE + P));
	ASSERT_EQ(tu_pte(w, 0, BASE + P), e);
	/* 4 tables + the PTE table of FBASE's 2 MiB region */
	ASSERT_EQ(w->phys.used, 1 + 5);
	return true;
}

/*
 * mm_forbids_zeropage(): do_anonymous_page() allocates on a read fault too,
 * writable and dirty when the VMA is VM_WRITE, as on a host booted with
 * pvm_no_zero_page=1 (the kernel comparison's model on such a host).
 */
static bool test_read_fault_without_zero_page(void)
{
	struct world_config cfg = { .no_zero_page = true };
	struct world *w = tu_world_new_cfg(&cfg);
	uint64_t e;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE + P));
	e = tu_pte(w, 0, BASE + P);
	ASSERT_NE(pte_pfn(e), world_zero_pfn(w));
	ASSERT_EQ(BITS(e), USER_RO | PTE_RW | PTE_D);
	ASSERT_EQ(pfn_page(w, pte_pfn(e))->kind, PAGE_ANON);
	ASSERT_TRUE(tu_vma(w, 0, BASE)->anon_vma != NULL);
	/* read-only VMA: a fresh page, mapped read-only and clean */
	APPLY_OK(w, op_mmap(0, FBASE, P, PROT_R, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, FBASE));
	e = tu_pte(w, 0, FBASE);
	ASSERT_NE(pte_pfn(e), world_zero_pfn(w));
	ASSERT_EQ(BITS(e), USER_RO);
	ASSERT_EQ(pfn_page(w, world_zero_pfn(w))->mapcount, 0);
	/* a reset world keeps the setting */
	world_reset(w);
	APPLY_OK(w, op_mmap(0, BASE, P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE));
	ASSERT_NE(tu_pfn(w, 0, BASE), world_zero_pfn(w));
	return true;
}

static bool test_write_fault_allocates_page(void)
{
	struct world *w = tu_world_new(0);
	struct vma *v;
	struct page *pg;
	uint64_t e, f;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE + 2 * P));
	v = tu_vma(w, 0, BASE);
	e = tu_pte(w, 0, BASE + 2 * P);
	f = pte_pfn(e);
	ASSERT_NE(f, world_zero_pfn(w));
	ASSERT_EQ(BITS(e), USER_RO | PTE_RW | PTE_D);
	pg = pfn_page(w, f);
	ASSERT_EQ(pg->kind, PAGE_ANON);
	ASSERT_TRUE(v->anon_vma != NULL);
	ASSERT_TRUE(pg->mapping == v->anon_vma);
	ASSERT_EQ(pg->index, (BASE >> PAGE_SHIFT) + 2);
	ASSERT_TRUE(pg->flags & PG_ANON_EXCLUSIVE);
	ASSERT_EQ(pg->mapcount, 1);
	ASSERT_EQ(pg->refcount, 1);
	/* a second write is a plain access: same frame */
	APPLY_OK(w, op_write(0, BASE + 2 * P));
	ASSERT_EQ(tu_pte(w, 0, BASE + 2 * P), e);
	/* each page gets its own frame */
	APPLY_OK(w, op_write(0, BASE + 3 * P));
	ASSERT_NE(tu_pfn(w, 0, BASE + 3 * P), f);
	ASSERT_EQ(tu_count_anon_vmas(w), 1);
	return true;
}

static bool test_write_after_read_replaces_zero_page(void)
{
	struct world *w = tu_world_new(0);
	uint64_t f;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE));
	APPLY_OK(w, op_write(0, BASE));
	f = tu_pfn(w, 0, BASE);
	ASSERT_NE(f, world_zero_pfn(w));
	ASSERT_EQ(pfn_page(w, world_zero_pfn(w))->mapcount, 0);
	ASSERT_EQ(BITS(tu_pte(w, 0, BASE)), USER_RO | PTE_RW | PTE_D);
	ASSERT_EQ(pfn_page(w, f)->index, BASE >> PAGE_SHIFT);
	return true;
}

static bool test_fork_cow_write_protects_both(void)
{
	struct world *w = tu_world_new(0);
	uint64_t e0, e1, f, g;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_fork(0, 1));
	e0 = tu_pte(w, 0, BASE);
	e1 = tu_pte(w, 1, BASE);
	f = pte_pfn(e0);
	ASSERT_EQ(pte_pfn(e1), f);
	ASSERT_EQ(e0 & PTE_RW, 0);
	ASSERT_EQ(e1 & PTE_RW, 0);
	ASSERT_TRUE(e0 & PTE_A);                    /* the parent stays young */
	ASSERT_EQ(e1 & PTE_A, 0);                   /* pte_mkold in the child */
	ASSERT_TRUE(e1 & PTE_D);                    /* private: dirty kept */
	ASSERT_EQ(BITS(e0), USER_RO | PTE_D);
	ASSERT_EQ(BITS(e1), (USER_RO & ~PTE_A) | PTE_D);
	ASSERT_EQ(pfn_page(w, f)->mapcount, 2);
	ASSERT_EQ(pfn_page(w, f)->refcount, 2);
	ASSERT_EQ(pfn_page(w, f)->flags & PG_ANON_EXCLUSIVE, 0);
	/* the child reads: young, still shared */
	APPLY_OK(w, op_read(1, BASE));
	ASSERT_TRUE(tu_pte(w, 1, BASE) & PTE_A);
	ASSERT_EQ(tu_pfn(w, 1, BASE), f);
	/* the child writes: a copy of its own */
	APPLY_OK(w, op_write(1, BASE));
	g = tu_pfn(w, 1, BASE);
	ASSERT_NE(g, f);
	ASSERT_EQ(BITS(tu_pte(w, 1, BASE)), USER_RO | PTE_RW | PTE_D);
	ASSERT_TRUE(pfn_page(w, g)->mapping == tu_vma(w, 1, BASE)->anon_vma);
	ASSERT_EQ(pfn_page(w, g)->index, BASE >> PAGE_SHIFT);
	ASSERT_EQ(tu_pfn(w, 0, BASE), f);
	ASSERT_EQ(tu_pte(w, 0, BASE) & PTE_RW, 0);
	ASSERT_EQ(pfn_page(w, f)->refcount, 1);
	/* now the parent's write reuses its page */
	APPLY_OK(w, op_write(0, BASE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), f);
	ASSERT_TRUE(tu_pte(w, 0, BASE) & PTE_RW);
	/* a zero-page PTE is copied too, and stays the zero page */
	APPLY_OK(w, op_read(0, BASE + P));
	APPLY_OK(w, op_fork(0, 2));
	ASSERT_EQ(tu_pfn(w, 2, BASE + P), world_zero_pfn(w));
	APPLY_OK(w, op_write(2, BASE + P));
	ASSERT_NE(tu_pfn(w, 2, BASE + P), world_zero_pfn(w));
	ASSERT_EQ(tu_pfn(w, 0, BASE + P), world_zero_pfn(w));
	return true;
}

static bool test_cow_reuse_when_refcount_1(void)
{
	struct world *w = tu_world_new(0);
	uint64_t f;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	f = tu_pfn(w, 0, BASE);
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_exit(1));
	ASSERT_EQ(pfn_page(w, f)->refcount, 1);
	ASSERT_EQ(tu_pte(w, 0, BASE) & PTE_RW, 0);
	APPLY_OK(w, op_write(0, BASE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), f);
	ASSERT_TRUE(tu_pte(w, 0, BASE) & PTE_RW);
	ASSERT_TRUE(pfn_page(w, f)->flags & PG_ANON_EXCLUSIVE);
	/* also when the child unmapped it instead of exiting */
	APPLY_OK(w, op_fork(0, 2));
	APPLY_OK(w, op_munmap(2, BASE, P));
	APPLY_OK(w, op_write(0, BASE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), f);
	return true;
}

static bool test_private_file_write_copies(void)
{
	struct world *w = tu_world_new(0);
	struct address_space *file;
	struct vma *v;
	uint64_t c0, c1, g;

	APPLY_OK(w, op_file(0, 3 * P));
	file = w->files[0];
	APPLY_OK(w, op_mmap(0, FBASE, 3 * P, PROT_RW, 0, PRIVATE));
	v = tu_vma(w, 0, FBASE);
	APPLY_OK(w, op_write(0, FBASE + P));
	c1 = page_cache_lookup(file, 1);
	g = tu_pfn(w, 0, FBASE + P);
	ASSERT_NE(c1, 0);                             /* read into the cache */
	ASSERT_NE(g, c1);                             /* a copy is mapped */
	ASSERT_EQ(pfn_page(w, c1)->kind, PAGE_FILE);
	ASSERT_TRUE(pfn_page(w, c1)->mapping == file);
	ASSERT_EQ(pfn_page(w, c1)->mapcount, 0);
	ASSERT_EQ(pfn_page(w, c1)->refcount, 1);
	ASSERT_EQ(pfn_page(w, g)->kind, PAGE_ANON);
	ASSERT_TRUE(pfn_page(w, g)->mapping == v->anon_vma);
	ASSERT_EQ(pfn_page(w, g)->index, 1);          /* the file's pgoff */
	ASSERT_EQ(BITS(tu_pte(w, 0, FBASE + P)), USER_RO | PTE_RW | PTE_D);
	/* a read maps the cache page itself, read-only */
	APPLY_OK(w, op_read(0, FBASE));
	c0 = page_cache_lookup(file, 0);
	ASSERT_NE(c0, 0);
	ASSERT_EQ(tu_pfn(w, 0, FBASE), c0);
	ASSERT_EQ(BITS(tu_pte(w, 0, FBASE)), USER_RO);
	ASSERT_EQ(tu_pfn(w, 0, FBASE + P), g);        /* fault-around left it */
	/* writing it then copies: the cache page is unmapped again */
	APPLY_OK(w, op_write(0, FBASE));
	ASSERT_NE(tu_pfn(w, 0, FBASE), c0);
	ASSERT_EQ(pfn_page(w, c0)->mapcount, 0);
	ASSERT_EQ(page_cache_lookup(file, 0), c0);
	/* another mapping of the file sees the cache, not the copies */
	APPLY_OK(w, op_mmap(0, FBASE + 8 * P, 3 * P, PROT_R, 0, SHARED));
	APPLY_OK(w, op_read(0, FBASE + 9 * P));
	ASSERT_EQ(tu_pfn(w, 0, FBASE + 9 * P), c1);
	return true;
}

static bool test_shared_file_write_maps_cache_page(void)
{
	struct world *w = tu_world_new(0);
	struct address_space *file;
	uint64_t c;

	APPLY_OK(w, op_file(0, 4 * P));
	file = w->files[0];
	APPLY_OK(w, op_mmap(0, FBASE, 4 * P, PROT_RW, 0, SHARED));
	APPLY_OK(w, op_write(0, FBASE));
	c = page_cache_lookup(file, 0);
	ASSERT_NE(c, 0);
	ASSERT_EQ(tu_pfn(w, 0, FBASE), c);
	ASSERT_EQ(BITS(tu_pte(w, 0, FBASE)), USER_RO | PTE_RW | PTE_D);
	ASSERT_EQ(pfn_page(w, c)->mapcount, 1);
	ASSERT_EQ(pfn_page(w, c)->refcount, 2);       /* PTE + page cache */
	ASSERT_TRUE(tu_vma(w, 0, FBASE)->anon_vma == NULL);
	/* fork copies no PTE of a shared mapping; the child finds the page */
	APPLY_OK(w, op_fork(0, 1));
	ASSERT_EQ(tu_pte(w, 1, FBASE), 0);
	APPLY_OK(w, op_write(1, FBASE));
	ASSERT_EQ(tu_pfn(w, 1, FBASE), c);
	ASSERT_EQ(pfn_page(w, c)->mapcount, 2);
	/* a read fault of a shared writable mapping maps it writable */
	APPLY_OK(w, op_read(1, FBASE + 2 * P));
	ASSERT_TRUE(tu_pte(w, 1, FBASE + 2 * P) & PTE_RW);
	ASSERT_EQ(tu_pte(w, 1, FBASE + 2 * P) & PTE_D, 0);
	/* the parent's read maps the same page (fault-around or not) */
	APPLY_OK(w, op_read(0, FBASE + 2 * P));
	ASSERT_EQ(tu_pfn(w, 0, FBASE + 2 * P), page_cache_lookup(file, 2));
	ASSERT_EQ(tu_pfn(w, 1, FBASE + 2 * P), page_cache_lookup(file, 2));
	/* shared anonymous memory is a shmem file of its own */
	APPLY_OK(w, op_mmap(0, SBASE, 2 * P, PROT_RW, ANON, SHARED));
	APPLY_OK(w, op_write(0, SBASE));
	APPLY_OK(w, op_fork(0, 2));
	APPLY_OK(w, op_read(2, SBASE));
	ASSERT_EQ(tu_pfn(w, 2, SBASE), tu_pfn(w, 0, SBASE));
	ASSERT_EQ(pfn_page(w, tu_pfn(w, 0, SBASE))->kind, PAGE_FILE);
	ASSERT_TRUE(tu_vma(w, 0, SBASE)->mapping->shmem_anon);
	return true;
}

static bool test_sigbus_past_eof(void)
{
	struct world *w = tu_world_new(0);

	APPLY_OK(w, op_file(0, P + P / 2));           /* 1.5 pages */
	APPLY_OK(w, op_mmap(0, FBASE, 4 * P, PROT_RW, 0, PRIVATE));
	APPLY_OK(w, op_read(0, FBASE + P));           /* the partial page */
	APPLY_EXPECT(w, op_read(0, FBASE + 2 * P), RES_SIGBUS);
	APPLY_EXPECT(w, op_write(0, FBASE + 3 * P), RES_SIGBUS);
	ASSERT_EQ(tu_pte(w, 0, FBASE + 2 * P), 0);
	ASSERT_EQ(tu_pte(w, 0, FBASE + 3 * P), 0);
	APPLY_OK(w, op_mmap(0, SBASE, 4 * P, PROT_RW, 0, SHARED));
	APPLY_EXPECT(w, op_write(0, SBASE + 2 * P), RES_SIGBUS);
	/* nothing else mapped here: the tables of the failed fault are gone */
	ASSERT_EQ(tu_pte(w, 0, SBASE), 0);
	ASSERT_TRUE(pte_lookup(w, tu_mm(w, 0), SBASE) == NULL);
	/* a mapping that starts past the end */
	APPLY_OK(w, op_mmap_off(0, SBASE + 8 * P, P, PROT_R, 0, 4 * P, PRIVATE));
	APPLY_EXPECT(w, op_read(0, SBASE + 8 * P), RES_SIGBUS);
	/* growing the file makes the page readable */
	APPLY_OK(w, op_file(0, 8 * P));
	APPLY_OK(w, op_read(0, FBASE + 2 * P));
	APPLY_OK(w, op_read(0, SBASE + 8 * P));
	return true;
}

static bool test_sigsegv_cases(void)
{
	struct world *w = tu_world_new(0);

	APPLY_EXPECT(w, op_read(0, BASE), RES_SIGSEGV);          /* no VMA */
	APPLY_OK(w, op_mmap(0, BASE, 2 * P, PROT_R, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, BASE + 2 * P, 2 * P, PROT_NONE_, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE));
	APPLY_EXPECT(w, op_write(0, BASE), RES_SIGSEGV);         /* read-only */
	APPLY_EXPECT(w, op_write(0, BASE + P), RES_SIGSEGV);
	APPLY_EXPECT(w, op_read(0, BASE + 2 * P), RES_SIGSEGV);  /* PROT_NONE */
	APPLY_EXPECT(w, op_write(0, BASE + 3 * P), RES_SIGSEGV);
	APPLY_EXPECT(w, op_read(0, BASE + 4 * P), RES_SIGSEGV);  /* just past */
	APPLY_EXPECT(w, op_read(0, BASE - 1), RES_SIGSEGV);      /* just before */
	ASSERT_EQ(tu_pte(w, 0, BASE + P), 0);
	ASSERT_EQ(tu_pte(w, 0, BASE + 2 * P), 0);
	APPLY_OK(w, op_munmap(0, BASE, P));
	APPLY_EXPECT(w, op_read(0, BASE), RES_SIGSEGV);
	/* a read-only shared file mapping */
	APPLY_OK(w, op_file(0, 2 * P));
	APPLY_OK(w, op_mmap(0, FBASE, 2 * P, PROT_R, 0, SHARED));
	APPLY_EXPECT(w, op_write(0, FBASE), RES_SIGSEGV);
	APPLY_OK(w, op_read(0, FBASE));
	/* a dead or never-born process */
	APPLY_EXPECT(w, op_read(3, BASE), -ESRCH);
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_exit(1));
	APPLY_EXPECT(w, op_read(1, FBASE), -ESRCH);
	APPLY_EXPECT(w, op_exit(1), -ESRCH);
	return true;
}

static bool test_truncate_unmaps_private_cow_copies(void)
{
	struct world *w = tu_world_new(0);
	struct address_space *file;
	uint64_t e, used;

	APPLY_OK(w, op_file(0, 4 * P));
	file = w->files[0];
	APPLY_OK(w, op_mmap(0, FBASE, 4 * P, PROT_RW, 0, PRIVATE));
	APPLY_OK(w, op_mmap(0, SBASE, 4 * P, PROT_RW, 0, SHARED));
	APPLY_OK(w, op_read(0, FBASE));                      /* cache page 0 */
	APPLY_OK(w, op_write(0, FBASE + P));                 /* COW copy, swapped */
	APPLY_OK(w, op_pageout(0, FBASE + P));
	ASSERT_TRUE(pte_is_swap(tu_pte(w, 0, FBASE + P)));
	APPLY_OK(w, op_write(0, FBASE + 2 * P));             /* COW copy */
	APPLY_OK(w, op_read(0, FBASE + 3 * P));              /* cache page 3 */
	APPLY_OK(w, op_write(0, SBASE + 3 * P));             /* shared, page 3 */
	APPLY_OK(w, op_fork(0, 1));                          /* copies the private PTEs */
	ASSERT_NE(tu_pfn(w, 1, FBASE + 2 * P), 0);
	used = w->phys.used;
	e = tu_pte(w, 0, FBASE);

	APPLY_OK(w, op_file(0, P));
	ASSERT_EQ(tu_pte(w, 0, FBASE), e);               /* below the end: kept */
	ASSERT_EQ(tu_pfn(w, 1, FBASE), pte_pfn(e));
	for (unsigned p = 0; p < 2; p++) {
		ASSERT_EQ(tu_pte(w, p, FBASE + P), 0);   /* swap entry: gone */
		ASSERT_EQ(tu_pte(w, p, FBASE + 2 * P), 0); /* COW copy: gone */
		ASSERT_EQ(tu_pte(w, p, FBASE + 3 * P), 0);
		ASSERT_EQ(tu_pte(w, p, SBASE + 3 * P), 0);
	}
	ASSERT_EQ(page_cache_lookup(file, 0), pte_pfn(e));
	for (uint64_t i = 1; i < 4; i++)
		ASSERT_EQ(page_cache_lookup(file, i), 0);
	/* freed: the COW copy and cache pages 1..3 (1 and 2 were read in by
	 * the COW faults); the PTE tables stay, empty or not
	 * (unmap_mapping_range frees no table) */
	ASSERT_EQ(w->phys.used, used - 1 - 3);
	/* the swap slot went with its PTEs */
	ASSERT_EQ(w->swap.slots[1].count, 0);
	APPLY_EXPECT(w, op_read(0, FBASE + 2 * P), RES_SIGBUS);
	APPLY_EXPECT(w, op_write(1, SBASE + 3 * P), RES_SIGBUS);
	ASSERT_TRUE(tu_vma(w, 0, FBASE + 2 * P) != NULL);   /* VMAs stay */
	return true;
}

static bool test_pageout_after_fork_one_slot(void)
{
	struct world *w = tu_world_new(0);
	uint64_t e0, e1, f, g, slot;
	struct anon_vma *root;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	root = tu_vma(w, 0, BASE)->anon_vma;
	f = tu_pfn(w, 0, BASE);
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_pageout(0, BASE));
	e0 = tu_pte(w, 0, BASE);
	e1 = tu_pte(w, 1, BASE);
	ASSERT_TRUE(pte_is_swap(e0));
	ASSERT_TRUE(pte_is_swap(e1));
	ASSERT_EQ(swp_type(e0), SWP_TYPE_SWAP);
	ASSERT_EQ(e0, e1);
	slot = swp_offset(e0);
	ASSERT_NE(slot, 0);
	ASSERT_EQ(w->swap.slots[slot].count, 2);
	ASSERT_EQ(w->swap.slots[slot].cache, 0);
	ASSERT_EQ(w->swap.slots[slot].index, BASE >> PAGE_SHIFT);
	ASSERT_EQ(pfn_page(w, f)->kind, PAGE_FREE);
	ASSERT_EQ(tu_pfn(w, 0, BASE), 0);

	/* swap-in by p0: a frame in the swap cache, mapped read-only */
	APPLY_OK(w, op_read(0, BASE));
	g = tu_pfn(w, 0, BASE);
	ASSERT_NE(g, 0);
	ASSERT_EQ(BITS(tu_pte(w, 0, BASE)), USER_RO);
	ASSERT_TRUE(pfn_page(w, g)->flags & PG_SWAPCACHE);
	ASSERT_EQ(pfn_page(w, g)->swap, slot);
	ASSERT_EQ(pfn_page(w, g)->index, BASE >> PAGE_SHIFT);
	ASSERT_TRUE(pfn_page(w, g)->mapping == root);   /* still shared */
	ASSERT_EQ(pfn_page(w, g)->refcount, 2);
	ASSERT_EQ(w->swap.slots[slot].count, 1);
	ASSERT_EQ(w->swap.slots[slot].cache, g);
	ASSERT_TRUE(pte_is_swap(tu_pte(w, 1, BASE)));
	/* swap-in by p1: the SAME frame; the slot is free then */
	APPLY_OK(w, op_read(1, BASE));
	ASSERT_EQ(tu_pfn(w, 1, BASE), g);
	ASSERT_EQ(pfn_page(w, g)->mapcount, 2);
	ASSERT_EQ(pfn_page(w, g)->refcount, 2);
	ASSERT_EQ(pfn_page(w, g)->flags & PG_SWAPCACHE, 0);
	ASSERT_EQ(w->swap.slots[slot].count, 0);
	ASSERT_EQ(w->swap.slots[slot].cache, 0);
	/* writes: p1 copies, p0 then reuses */
	APPLY_OK(w, op_write(1, BASE));
	ASSERT_NE(tu_pfn(w, 1, BASE), g);
	APPLY_OK(w, op_write(0, BASE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), g);
	return true;
}

/* pageout of a page that is still in the swap cache reuses its slot */
static bool test_pageout_swapcache_page_and_write_swapin(void)
{
	struct world *w = tu_world_new(0);
	uint64_t slot, g;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_pageout(1, BASE));
	slot = swp_offset(tu_pte(w, 0, BASE));
	APPLY_OK(w, op_read(0, BASE));
	g = tu_pfn(w, 0, BASE);
	APPLY_OK(w, op_pageout(0, BASE));
	ASSERT_EQ(swp_offset(tu_pte(w, 0, BASE)), slot);
	ASSERT_EQ(w->swap.slots[slot].count, 2);
	ASSERT_EQ(w->swap.slots[slot].cache, 0);
	ASSERT_EQ(pfn_page(w, g)->kind, PAGE_FREE);
	/* a write fault on a swap entry: swap-in, then COW (still shared) */
	APPLY_OK(w, op_write(1, BASE));
	g = tu_pfn(w, 1, BASE);
	ASSERT_TRUE(tu_pte(w, 1, BASE) & PTE_RW);
	ASSERT_EQ(pfn_page(w, g)->flags & PG_SWAPCACHE, 0);
	ASSERT_EQ(w->swap.slots[slot].count, 1);
	/* the last swap PTE: swap-in leaves the cache, write reuses */
	APPLY_OK(w, op_write(0, BASE));
	ASSERT_TRUE(tu_pte(w, 0, BASE) & PTE_RW);
	ASSERT_NE(tu_pfn(w, 0, BASE), g);
	ASSERT_EQ(w->swap.slots[slot].count, 0);
	ASSERT_EQ(pfn_page(w, tu_pfn(w, 0, BASE))->refcount, 1);
	/* a swap entry is copied by fork and unmapped by exit */
	APPLY_OK(w, op_pageout(0, BASE));
	slot = swp_offset(tu_pte(w, 0, BASE));
	APPLY_OK(w, op_fork(0, 2));
	ASSERT_EQ(tu_pte(w, 2, BASE), tu_pte(w, 0, BASE));
	ASSERT_EQ(w->swap.slots[slot].count, 2);
	APPLY_OK(w, op_exit(2));
	ASSERT_EQ(w->swap.slots[slot].count, 1);
	APPLY_OK(w, op_munmap(0, BASE, P));
	ASSERT_EQ(w->swap.slots[slot].count, 0);
	return true;
}

static bool test_pageout_file_page_and_errors(void)
{
	struct world *w = tu_world_new(0);
	uint64_t c;

	APPLY_OK(w, op_file(0, 2 * P));
	APPLY_OK(w, op_mmap(0, FBASE, 2 * P, PROT_R, 0, SHARED));
	APPLY_OK(w, op_read(0, FBASE));
	c = tu_pfn(w, 0, FBASE);
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_read(1, FBASE));
	APPLY_OK(w, op_pageout(1, FBASE));
	ASSERT_EQ(tu_pte(w, 0, FBASE), 0);       /* unmapped, no swap entry */
	ASSERT_EQ(tu_pte(w, 1, FBASE), 0);
	ASSERT_EQ(page_cache_lookup(w->files[0], 0), 0);
	ASSERT_EQ(pfn_page(w, c)->kind, PAGE_FREE);
	APPLY_OK(w, op_read(0, FBASE));
	ASSERT_NE(page_cache_lookup(w->files[0], 0), 0);
	/* errors: the zero page, nothing mapped, unaligned, no VMA */
	APPLY_OK(w, op_mmap(0, BASE, 2 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE));
	APPLY_EXPECT(w, op_pageout(0, BASE), -EINVAL);
	APPLY_EXPECT(w, op_pageout(0, BASE + P), -EFAULT);
	APPLY_EXPECT(w, op_pageout(0, BASE + 8), -EINVAL);
	APPLY_EXPECT(w, op_pageout(0, SBASE), -EFAULT);
	return true;
}

static bool test_migrate_moves_every_pte_keeping_bits(void)
{
	struct world *w = tu_world_new(0);
	uint64_t e0, e1, f, n;
	struct page old;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_fork(0, 2));
	APPLY_OK(w, op_read(1, BASE));
	APPLY_OK(w, op_mprotect(2, BASE, P, PROT_NONE_));
	e0 = tu_pte(w, 0, BASE);
	e1 = tu_pte(w, 1, BASE);
	f = pte_pfn(e0);
	old = *pfn_page(w, f);
	APPLY_OK(w, op_migrate(1, BASE));
	n = tu_pfn(w, 0, BASE);
	ASSERT_NE(n, f);
	ASSERT_NE(n, 0);
	ASSERT_EQ(tu_pte(w, 0, BASE), pfn_pte(n, BITS(e0)));
	ASSERT_EQ(tu_pte(w, 1, BASE), pfn_pte(n, BITS(e1)));
	ASSERT_EQ(pte_pfn(tu_pte(w, 2, BASE)), n);
	ASSERT_TRUE(tu_pte(w, 2, BASE) & PTE_PROTNONE);
	ASSERT_EQ(pfn_page(w, f)->kind, PAGE_FREE);
	ASSERT_EQ(pfn_page(w, n)->kind, PAGE_ANON);
	ASSERT_TRUE(pfn_page(w, n)->mapping == old.mapping);
	ASSERT_EQ(pfn_page(w, n)->index, old.index);
	ASSERT_EQ(pfn_page(w, n)->mapcount, 3);
	ASSERT_EQ(pfn_page(w, n)->refcount, 3);

	/* a page cache page: the cache follows */
	APPLY_OK(w, op_file(0, 2 * P));
	APPLY_OK(w, op_mmap(0, FBASE, 2 * P, PROT_RW, 0, SHARED));
	APPLY_OK(w, op_write(0, FBASE + P));
	f = tu_pfn(w, 0, FBASE + P);
	APPLY_OK(w, op_migrate(0, FBASE + P));
	n = tu_pfn(w, 0, FBASE + P);
	ASSERT_NE(n, f);
	ASSERT_EQ(page_cache_lookup(w->files[0], 1), n);
	ASSERT_EQ(pfn_page(w, n)->kind, PAGE_FILE);
	ASSERT_EQ(pfn_page(w, n)->refcount, 2);

	/* a page in the swap cache: the slot follows */
	APPLY_OK(w, op_pageout(0, BASE));
	APPLY_OK(w, op_read(0, BASE));
	f = tu_pfn(w, 0, BASE);
	ASSERT_TRUE(pfn_page(w, f)->flags & PG_SWAPCACHE);
	APPLY_OK(w, op_migrate(0, BASE));
	n = tu_pfn(w, 0, BASE);
	ASSERT_NE(n, f);
	ASSERT_EQ(w->swap.slots[pfn_page(w, n)->swap].cache, n);
	APPLY_OK(w, op_read(1, BASE));
	ASSERT_EQ(tu_pfn(w, 1, BASE), n);

	/* errors */
	APPLY_OK(w, op_read(0, BASE + P));
	APPLY_EXPECT(w, op_migrate(0, BASE + P), -EINVAL);      /* zero page */
	APPLY_EXPECT(w, op_migrate(0, BASE + 2 * P), -EFAULT);  /* none */
	APPLY_EXPECT(w, op_migrate(0, BASE + 1), -EINVAL);
	return true;
}

static bool test_age_counts_and_clears_young(void)
{
	struct world *w = tu_world_new(0);

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_fork(0, 1));
	/* the child's copy starts old */
	APPLY_EXPECT(w, op_age(0, BASE), RES_REFERENCED(1));
	ASSERT_EQ(tu_pte(w, 0, BASE) & PTE_A, 0);
	APPLY_EXPECT(w, op_age(1, BASE), RES_REFERENCED(0));
	APPLY_OK(w, op_read(1, BASE));
	APPLY_OK(w, op_read(0, BASE));
	ASSERT_TRUE(tu_pte(w, 0, BASE) & PTE_A);
	ASSERT_TRUE(tu_pte(w, 1, BASE) & PTE_A);
	APPLY_EXPECT(w, op_age(0, BASE), RES_REFERENCED(2));
	ASSERT_EQ(tu_pte(w, 0, BASE) & PTE_A, 0);
	ASSERT_EQ(tu_pte(w, 1, BASE) & PTE_A, 0);
	ASSERT_EQ(tu_pfn(w, 1, BASE), tu_pfn(w, 0, BASE));   /* nothing else */
	APPLY_EXPECT(w, op_age(1, BASE), RES_REFERENCED(0));
	APPLY_OK(w, op_read(1, BASE));
	APPLY_EXPECT(w, op_age(0, BASE), RES_REFERENCED(1));
	/* errors */
	APPLY_OK(w, op_read(0, BASE + P));
	APPLY_EXPECT(w, op_age(0, BASE + P), -EINVAL);
	APPLY_EXPECT(w, op_age(0, BASE + 2 * P), -EFAULT);
	return true;
}

static bool test_madvise_dontneed(void)
{
	struct world *w = tu_world_new(0);
	uint64_t c;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_write(0, BASE + P));
	APPLY_OK(w, op_madvise(0, BASE, 2 * P));
	ASSERT_EQ(tu_pte(w, 0, BASE), 0);
	ASSERT_EQ(tu_pte(w, 0, BASE + P), 0);
	/* the zero page and the four tables: MADV_DONTNEED of less than a
	 * whole 2 MiB frees no table (PT_RECLAIM, pgtable_reclaim_pte) */
	ASSERT_EQ(w->phys.used, 1 + 4);
	APPLY_OK(w, op_read(0, BASE));
	ASSERT_EQ(tu_pfn(w, 0, BASE), world_zero_pfn(w));
	/* private file: the copy goes, the file's page comes back */
	APPLY_OK(w, op_file(0, 2 * P));
	APPLY_OK(w, op_mmap(0, FBASE, 2 * P, PROT_RW, 0, PRIVATE));
	APPLY_OK(w, op_write(0, FBASE));
	c = page_cache_lookup(w->files[0], 0);
	APPLY_OK(w, op_madvise(0, FBASE, P));
	APPLY_OK(w, op_read(0, FBASE));
	ASSERT_EQ(tu_pfn(w, 0, FBASE), c);
	/* holes: the rest is still done, then -ENOMEM */
	APPLY_OK(w, op_write(0, BASE + 3 * P));
	APPLY_EXPECT(w, op_madvise(0, BASE + 3 * P, 2 * P), -ENOMEM);
	ASSERT_EQ(tu_pte(w, 0, BASE + 3 * P), 0);
	APPLY_EXPECT(w, op_madvise(0, BASE + 1, P), -EINVAL);
	APPLY_OK(w, op_madvise(0, BASE, 0));
	return true;
}

static bool test_mremap_move_keeps_pages(void)
{
	struct world *w = tu_world_new(0);
	uint64_t f[4], dst;
	struct vma *v;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, BASE + 4 * P, P, PROT_R, ANON, PRIVATE)); /* blocker */
	for (unsigned i = 0; i < 4; i++) {
		APPLY_OK(w, op_write(0, BASE + i * P));
		f[i] = tu_pfn(w, 0, BASE + i * P);
	}
	APPLY_EXPECT(w, op_mremap(0, BASE, 4 * P, 8 * P, 0, 0), -ENOMEM);
	APPLY_OK(w, op_mremap(0, BASE, 4 * P, 8 * P, OPF_MAYMOVE, 0));
	dst = MMAP_BASE - 8 * P;
	v = tu_vma(w, 0, dst);
	ASSERT_TRUE(v != NULL);
	ASSERT_EQ(v->start, dst);
	ASSERT_EQ(v->end, dst + 8 * P);
	ASSERT_EQ(v->pgoff, BASE >> PAGE_SHIFT);    /* faulted: pgoff kept */
	for (unsigned i = 0; i < 4; i++)
		ASSERT_EQ(tu_pfn(w, 0, dst + i * P), f[i]);
	ASSERT_TRUE(tu_vma(w, 0, BASE) == NULL);
	APPLY_EXPECT(w, op_read(0, BASE), RES_SIGSEGV);
	APPLY_OK(w, op_write(0, dst + 6 * P));
	ASSERT_EQ(pfn_page(w, tu_pfn(w, 0, dst + 6 * P))->index, (BASE >> PAGE_SHIFT) + 6);
	/* fixed move back, then dontunmap */
	APPLY_OK(w, op_mremap(0, dst, 8 * P, 8 * P, OPF_MAYMOVE | OPF_FIXED, SBASE));
	for (unsigned i = 0; i < 4; i++)
		ASSERT_EQ(tu_pfn(w, 0, SBASE + i * P), f[i]);
	APPLY_OK(w, op_mremap(0, SBASE, 8 * P, 8 * P, OPF_MAYMOVE | OPF_DONTUNMAP, 0));
	v = tu_vma(w, 0, SBASE);
	ASSERT_TRUE(v != NULL);
	ASSERT_TRUE(v->anon_vma == NULL);          /* whole VMA: unlinked */
	ASSERT_EQ(tu_pte(w, 0, SBASE), 0);
	APPLY_OK(w, op_read(0, SBASE));
	ASSERT_EQ(tu_pfn(w, 0, SBASE), world_zero_pfn(w));
	/* shrink in place */
	APPLY_OK(w, op_mremap(0, dst, 8 * P, 2 * P, 0, 0));
	ASSERT_EQ(tu_vma(w, 0, dst)->end, dst + 2 * P);
	ASSERT_EQ(tu_pte(w, 0, dst + 3 * P), 0);
	return true;
}

static bool test_error_results(void)
{
	struct world *w = tu_world_new(0);

	/* mmap */
	APPLY_EXPECT(w, op_mmap(0, BASE, 0, PROT_RW, ANON, PRIVATE), -EINVAL);
	APPLY_EXPECT(w, op_mmap(0, BASE + 1, P, PROT_RW, ANON, PRIVATE), -EINVAL);
	APPLY_EXPECT(w, op_mmap(0, BASE, P, PROT_R, 0, PRIVATE), -EBADF);
	APPLY_OK(w, op_file(0, P));
	APPLY_EXPECT(w, op_mmap_off(0, BASE, P, PROT_R, 0, 1, PRIVATE), -EINVAL);
	APPLY_EXPECT(w, op_mmap(0, TASK_SIZE, 2 * P, PROT_RW, ANON, PRIVATE), -ENOMEM);
	APPLY_OK(w, op_mmap(0, TASK_SIZE - P, P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	/* munmap */
	APPLY_EXPECT(w, op_munmap(0, BASE + 1, P), -EINVAL);
	APPLY_EXPECT(w, op_munmap(0, BASE, 0), -EINVAL);
	APPLY_OK(w, op_munmap(0, SBASE, P));                  /* nothing there */
	/* mprotect */
	APPLY_EXPECT(w, op_mprotect(0, BASE + 1, P, PROT_R), -EINVAL);
	APPLY_OK(w, op_mprotect(0, BASE, 0, PROT_R));
	APPLY_EXPECT(w, op_mprotect(0, SBASE, P, PROT_R), -ENOMEM);
	APPLY_EXPECT(w, op_mprotect(0, BASE, 8 * P, PROT_R), -ENOMEM);
	ASSERT_EQ(tu_vma(w, 0, BASE)->flags & VM_WRITE, 0);   /* done up to the hole */
	/* mremap */
	APPLY_EXPECT(w, op_mremap(0, BASE + 1, P, P, 0, 0), -EINVAL);
	APPLY_EXPECT(w, op_mremap(0, BASE, P, 0, 0, 0), -EINVAL);
	APPLY_EXPECT(w, op_mremap(0, SBASE, P, 2 * P, OPF_MAYMOVE, 0), -EFAULT);
	APPLY_EXPECT(w, op_mremap(0, BASE, P, 2 * P, OPF_MAYMOVE | OPF_DONTUNMAP, 0), -EINVAL);
	APPLY_EXPECT(w, op_mremap(0, BASE, 4 * P, 4 * P, OPF_MAYMOVE | OPF_FIXED, BASE + P), -EINVAL);
	/* fork */
	APPLY_OK(w, op_fork(0, 1));
	APPLY_EXPECT(w, op_fork(0, 1), -EEXIST);
	APPLY_EXPECT(w, op_fork(0, 0), -EEXIST);
	APPLY_OK(w, op_exit(1));
	APPLY_OK(w, op_fork(0, 1));                 /* the slot is free again */
	/* a fork to a high pid grows the table */
	APPLY_OK(w, op_fork(1, 200));
	ASSERT_TRUE(world_proc_alive(w, 200));
	ASSERT_TRUE(world_nprocs(w) > 200);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST_EACH_BACKEND(read_fault_maps_zero_page);
	TEST_EACH_BACKEND(read_fault_without_zero_page);
	TEST_EACH_BACKEND(write_fault_allocates_page);
	TEST_EACH_BACKEND(write_after_read_replaces_zero_page);
	TEST_EACH_BACKEND(fork_cow_write_protects_both);
	TEST_EACH_BACKEND(cow_reuse_when_refcount_1);
	TEST_EACH_BACKEND(private_file_write_copies);
	TEST_EACH_BACKEND(shared_file_write_maps_cache_page);
	TEST_EACH_BACKEND(sigbus_past_eof);
	TEST_EACH_BACKEND(sigsegv_cases);
	TEST_EACH_BACKEND(truncate_unmaps_private_cow_copies);
	TEST_EACH_BACKEND(pageout_after_fork_one_slot);
	TEST_EACH_BACKEND(pageout_swapcache_page_and_write_swapin);
	TEST_EACH_BACKEND(pageout_file_page_and_errors);
	TEST_EACH_BACKEND(migrate_moves_every_pte_keeping_bits);
	TEST_EACH_BACKEND(age_counts_and_clears_young);
	TEST_EACH_BACKEND(madvise_dontneed);
	TEST_EACH_BACKEND(mremap_move_keeps_pages);
	TEST_EACH_BACKEND(error_results);
	TEST_END();
}
