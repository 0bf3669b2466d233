/*
 * vma_test.c - core/vma.c through world_apply: split on munmap and
 * mprotect, merging of anonymous and file VMAs (including the fork-child
 * rule of is_mergeable_anon_vma), and the binary-search lookups.
 */
#include <errno.h>

#include "core/anon_vma.h"
#include "core/pgtable.h"
#include "core/vma.h"
#include "tests/test_util.h"

#define BASE 0x10000000ULL
#define P    PAGE_SIZE

static bool test_munmap_middle_splits_with_pgoff(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	uint64_t f1, f4;

	APPLY_OK(w, op_mmap(0, BASE, 6 * P, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < 6; i++)
		APPLY_OK(w, op_write(0, BASE + i * P));
	f1 = tu_pfn(w, 0, BASE + P);
	f4 = tu_pfn(w, 0, BASE + 4 * P);
	APPLY_OK(w, op_munmap(0, BASE + 2 * P, 2 * P));
	ASSERT_EQ(mm->nvmas, 2);
	ASSERT_EQ(mm->vmas[0]->start, BASE);
	ASSERT_EQ(mm->vmas[0]->end, BASE + 2 * P);
	ASSERT_EQ(mm->vmas[0]->pgoff, BASE >> PAGE_SHIFT);
	ASSERT_EQ(mm->vmas[1]->start, BASE + 4 * P);
	ASSERT_EQ(mm->vmas[1]->end, BASE + 6 * P);
	ASSERT_EQ(mm->vmas[1]->pgoff, (BASE >> PAGE_SHIFT) + 4);
	/* both halves keep the anon_vma and their pages */
	ASSERT_TRUE(mm->vmas[0]->anon_vma != NULL);
	ASSERT_TRUE(mm->vmas[0]->anon_vma == mm->vmas[1]->anon_vma);
	ASSERT_EQ(mm->vmas[1]->navc, 1);
	ASSERT_EQ(mm->vmas[0]->anon_vma->num_active_vmas, 2);
	ASSERT_EQ(tu_pfn(w, 0, BASE + P), f1);
	ASSERT_EQ(tu_pfn(w, 0, BASE + 4 * P), f4);
	ASSERT_EQ(tu_pte(w, 0, BASE + 2 * P), 0);
	ASSERT_EQ(tu_pte(w, 0, BASE + 3 * P), 0);
	APPLY_EXPECT(w, op_read(0, BASE + 2 * P), RES_SIGSEGV);

	/* the same for a file mapping at an offset */
	APPLY_OK(w, op_file(0, 16 * P));
	APPLY_OK(w, op_mmap_off(0, 0x20000000ULL, 6 * P, PROT_R, 0, 3 * P, SHARED));
	APPLY_OK(w, op_read(0, 0x20000000ULL + 5 * P));
	APPLY_OK(w, op_munmap(0, 0x20000000ULL + P, 3 * P));
	ASSERT_EQ(mm->nvmas, 4);
	ASSERT_EQ(mm->vmas[2]->pgoff, 3);
	ASSERT_EQ(mm->vmas[3]->start, 0x20000000ULL + 4 * P);
	ASSERT_EQ(mm->vmas[3]->pgoff, 7);
	ASSERT_EQ(w->files[0]->i_mmap.count, 2);
	ASSERT_EQ(w->files[0]->refcount, 3);    /* name + 2 VMAs */
	return true;
}

static bool test_adjacent_anon_mmaps_merge(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);

	APPLY_OK(w, op_mmap(0, BASE, 2 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, BASE + 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(mm->vmas[0]->end, BASE + 4 * P);
	/* with an anon_vma on the left, a new VMA on the right */
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_mmap(0, BASE + 4 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(mm->vmas[0]->end, BASE + 6 * P);
	ASSERT_EQ(mm->vmas[0]->navc, 1);
	/* a new VMA on the left of one with an anon_vma */
	APPLY_OK(w, op_mmap(0, BASE - 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(mm->vmas[0]->start, BASE - 2 * P);
	ASSERT_EQ(mm->vmas[0]->pgoff, (BASE >> PAGE_SHIFT) - 2);
	ASSERT_EQ(mm->vmas[0]->navc, 1);
	ASSERT_EQ(mm->vmas[0]->anon_vma->num_active_vmas, 1);
	ASSERT_EQ(tu_count_anon_vmas(w), 1);
	APPLY_OK(w, op_write(0, BASE - 2 * P));
	/* filling a hole merges three into one */
	APPLY_OK(w, op_mmap(0, BASE + 7 * P, P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(mm->nvmas, 2);
	APPLY_OK(w, op_mmap(0, BASE + 6 * P, P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(mm->vmas[0]->end, BASE + 8 * P);
	/* different protection, shared, or a gap: no merge */
	APPLY_OK(w, op_mmap(0, BASE + 8 * P, P, PROT_R, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, BASE + 9 * P, P, PROT_RW, ANON, SHARED));
	APPLY_OK(w, op_mmap(0, BASE + 11 * P, P, PROT_R, ANON, PRIVATE));
	ASSERT_EQ(mm->nvmas, 4);
	return true;
}

static bool test_mprotect_split_and_merge_back(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	uint32_t flags;

	/* never faulted (no anon_vma): VM_ACCOUNT comes and goes */
	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	flags = mm->vmas[0]->flags;
	APPLY_OK(w, op_mprotect(0, BASE + P, 2 * P, PROT_R));
	ASSERT_EQ(mm->nvmas, 3);
	ASSERT_EQ(mm->vmas[1]->start, BASE + P);
	ASSERT_EQ(mm->vmas[1]->end, BASE + 3 * P);
	ASSERT_EQ(mm->vmas[1]->pgoff, (BASE >> PAGE_SHIFT) + 1);
	ASSERT_EQ(mm->vmas[1]->flags & (VM_READ | VM_WRITE), VM_READ);
	ASSERT_EQ(mm->vmas[2]->pgoff, (BASE >> PAGE_SHIFT) + 3);
	APPLY_OK(w, op_mprotect(0, BASE + P, 2 * P, PROT_RW));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(mm->vmas[0]->flags, flags);
	ASSERT_EQ(mm->vmas[0]->start, BASE);
	ASSERT_EQ(mm->vmas[0]->end, BASE + 4 * P);
	ASSERT_EQ(mm->vmas[0]->pgoff, BASE >> PAGE_SHIFT);   /* prev's (case 3) */

	/* with pages: the PTEs lose RW, and regain nothing until written */
	APPLY_OK(w, op_write(0, BASE + P));
	APPLY_OK(w, op_write(0, BASE + 3 * P));
	uint64_t f = tu_pfn(w, 0, BASE + P);

	ASSERT_TRUE(tu_pte(w, 0, BASE + P) & PTE_RW);
	APPLY_OK(w, op_mprotect(0, BASE + P, 2 * P, PROT_R));
	ASSERT_EQ(mm->nvmas, 3);
	ASSERT_FALSE(tu_pte(w, 0, BASE + P) & PTE_RW);
	ASSERT_TRUE(tu_pte(w, 0, BASE + 3 * P) & PTE_RW);
	ASSERT_TRUE(mm->vmas[1]->anon_vma == mm->vmas[0]->anon_vma);
	APPLY_EXPECT(w, op_write(0, BASE + P), RES_SIGSEGV);
	APPLY_OK(w, op_mprotect(0, BASE + P, 2 * P, PROT_RW));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(mm->vmas[0]->flags, flags);
	ASSERT_EQ(mm->vmas[0]->anon_vma->num_active_vmas, 1);
	ASSERT_EQ(mm->vmas[0]->navc, 1);
	/* the exclusive page is reused on the write fault */
	APPLY_OK(w, op_write(0, BASE + P));
	ASSERT_EQ(tu_pfn(w, 0, BASE + P), f);

	/* PROT_NONE keeps the PTEs, as PROT_NONE entries */
	APPLY_OK(w, op_mprotect(0, BASE, P * 2, PROT_NONE_));
	ASSERT_EQ(mm->nvmas, 2);
	ASSERT_EQ(tu_pte(w, 0, BASE + P) & (PTE_P | PTE_PROTNONE | PTE_RW), PTE_PROTNONE);
	ASSERT_EQ(tu_pfn(w, 0, BASE + P), f);
	APPLY_EXPECT(w, op_read(0, BASE + P), RES_SIGSEGV);
	APPLY_OK(w, op_mprotect(0, BASE, P * 2, PROT_RW));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(tu_pte(w, 0, BASE + P) & (PTE_P | PTE_PROTNONE), PTE_P);
	return true;
}

static bool test_fork_child_vma_does_not_merge(void)
{
	struct world *w = tu_world_new(0);
	struct mm *p0 = tu_mm(w, 0), *p1;

	APPLY_OK(w, op_mmap(0, BASE, 2 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	APPLY_OK(w, op_fork(0, 1));
	p1 = tu_mm(w, 1);
	ASSERT_EQ(p1->nvmas, 1);
	ASSERT_TRUE(p1->vmas[0]->anon_vma != NULL);
	ASSERT_EQ(p1->vmas[0]->navc, 2);
	ASSERT_TRUE(vma_is_fork_child(p1->vmas[0]));
	ASSERT_FALSE(vma_is_fork_child(p0->vmas[0]));

	/* in the child: neither on the right nor on the left */
	APPLY_OK(w, op_mmap(1, BASE + 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(p1->nvmas, 2);
	APPLY_OK(w, op_mmap(1, BASE - 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(p1->nvmas, 3);
	/* the child's own write does not change that */
	APPLY_OK(w, op_write(1, BASE + P));
	APPLY_OK(w, op_munmap(1, BASE + 2 * P, 2 * P));
	APPLY_OK(w, op_mmap(1, BASE + 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(p1->nvmas, 3);

	/* in the parent they do, on both sides */
	APPLY_OK(w, op_mmap(0, BASE + 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(p0->nvmas, 1);
	APPLY_OK(w, op_mmap(0, BASE - 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(p0->nvmas, 1);
	ASSERT_EQ(p0->vmas[0]->start, BASE - 2 * P);
	ASSERT_EQ(p0->vmas[0]->end, BASE + 4 * P);
	ASSERT_EQ(p0->vmas[0]->navc, 1);

	/* two VMAs of the child with the same anon_vma merge (case 3) */
	APPLY_OK(w, op_mprotect(1, BASE, P, PROT_R));
	ASSERT_EQ(p1->nvmas, 4);
	APPLY_OK(w, op_mprotect(1, BASE, P, PROT_RW));
	ASSERT_EQ(p1->nvmas, 3);
	ASSERT_EQ(p1->vmas[1]->start, BASE);
	ASSERT_EQ(p1->vmas[1]->end, BASE + 2 * P);
	return true;
}

/*
 * File VMAs merge only within one open file (open_file_id: each mmap opens
 * the file anew) and only with contiguous vm_pgoff.  mremap moves pieces of
 * one mapping around, keeping open_file_id and pgoff, to put them side by
 * side.
 */
static bool test_file_merge_needs_contiguous_pgoff(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	const uint64_t a = 0x30000000ULL;

	APPLY_OK(w, op_file(0, 32 * P));
	/* writable from the start: VM_ACCOUNT does not change on mprotect */
	APPLY_OK(w, op_mmap(0, a, 4 * P, PROT_RW, 0, PRIVATE));
	/* split by mprotect and back: same open_file_id, contiguous: one VMA again */
	APPLY_OK(w, op_mprotect(0, a + P, P, PROT_R));
	ASSERT_EQ(mm->nvmas, 3);
	APPLY_OK(w, op_mprotect(0, a + P, P, PROT_RW));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(w->files[0]->i_mmap.count, 1);
	/* the piece with pgoff 2..3 moved to the left of the one with 0..1 */
	APPLY_OK(w, op_mremap(0, a + 2 * P, 2 * P, 2 * P, OPF_MAYMOVE | OPF_FIXED,
			      a - 2 * P));
	ASSERT_EQ(mm->nvmas, 2);
	ASSERT_EQ(mm->vmas[0]->start, a - 2 * P);
	ASSERT_EQ(mm->vmas[0]->pgoff, 2);
	ASSERT_EQ(mm->vmas[1]->pgoff, 0);
	ASSERT_EQ(mm->vmas[0]->open_file_id, mm->vmas[1]->open_file_id);
	/* and back to where it continues the pgoff range: merged */
	APPLY_OK(w, op_mremap(0, a - 2 * P, 2 * P, 2 * P, OPF_MAYMOVE | OPF_FIXED,
			      a + 2 * P));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(mm->vmas[0]->start, a);
	ASSERT_EQ(mm->vmas[0]->end, a + 4 * P);
	ASSERT_EQ(mm->vmas[0]->pgoff, 0);
	ASSERT_EQ(w->files[0]->i_mmap.count, 1);
	/* a hole in pgoff: moved one page further right, no merge */
	APPLY_OK(w, op_mremap(0, a + 3 * P, P, P, OPF_MAYMOVE | OPF_FIXED, a + 8 * P));
	APPLY_OK(w, op_mremap(0, a + 8 * P, P, P, OPF_MAYMOVE | OPF_FIXED, a + 3 * P));
	ASSERT_EQ(mm->nvmas, 1);
	APPLY_OK(w, op_mremap(0, a + 2 * P, P, P, OPF_MAYMOVE | OPF_FIXED, a + 9 * P));
	APPLY_OK(w, op_mremap(0, a + 3 * P, P, P, OPF_MAYMOVE | OPF_FIXED, a + 10 * P));
	ASSERT_EQ(mm->nvmas, 2);                  /* [a,a+2P) and pgoff 2,3 */
	APPLY_OK(w, op_mremap(0, a + 10 * P, P, P, OPF_MAYMOVE | OPF_FIXED, a + 2 * P));
	ASSERT_EQ(mm->nvmas, 3);                  /* pgoff 3 after 0..1: no */
	ASSERT_EQ(mm->vmas[0]->end, a + 2 * P);
	ASSERT_EQ(mm->vmas[1]->start, a + 2 * P);
	ASSERT_EQ(mm->vmas[1]->pgoff, 3);

	/* a second mmap of the same file at the right pgoff: another open_file_id */
	APPLY_OK(w, op_mmap_off(0, 0x40000000ULL, 2 * P, PROT_RW, 0, 0, PRIVATE));
	APPLY_OK(w, op_mmap_off(0, 0x40000000ULL + 2 * P, 2 * P, PROT_RW, 0, 2 * P, PRIVATE));
	ASSERT_TRUE(tu_vma(w, 0, 0x40000000ULL) != tu_vma(w, 0, 0x40000000ULL + 2 * P));
	/* an anonymous mapping never merges with a file one */
	APPLY_OK(w, op_mmap(0, 0x40000000ULL + 4 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_TRUE(tu_vma(w, 0, 0x40000000ULL + 4 * P)->mapping == NULL);
	ASSERT_EQ(tu_vma(w, 0, 0x40000000ULL + 4 * P)->start, 0x40000000ULL + 4 * P);
	return true;
}

static bool test_vma_find_lookup_100(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	const unsigned n = 100;
	uint32_t i;

	/* 1 page each, 2 pages apart; odd ones read-only (no merging anyway) */
	for (unsigned k = 0; k < n; k++)
		ASSERT_EQ(apply(w, op_mmap(0, BASE + 3 * k * P, P,
					   k & 1 ? PROT_R : PROT_RW, ANON, PRIVATE)), 0);
	check_world(w);
	ASSERT_EQ(mm->nvmas, n);
	for (unsigned k = 0; k < n; k++) {
		uint64_t s = BASE + 3 * k * P;

		ASSERT_TRUE(vma_lookup(mm, s) == mm->vmas[k]);
		ASSERT_TRUE(vma_lookup(mm, s + P - 1) == mm->vmas[k]);
		ASSERT_TRUE(vma_lookup(mm, s + P) == NULL);
		ASSERT_TRUE(vma_lookup(mm, s - 1) == NULL);
		ASSERT_TRUE(vma_find(mm, s, &i) == mm->vmas[k]);
		ASSERT_EQ(i, k);
		ASSERT_TRUE(vma_find(mm, s - P, &i) == mm->vmas[k]);
		ASSERT_EQ(i, k);
		ASSERT_TRUE(vma_find(mm, s + P - 1, &i) == mm->vmas[k]);
		ASSERT_EQ(i, k);
		/* in the gap after it: the next one, or none */
		ASSERT_TRUE(vma_find(mm, s + P, &i) ==
			    (k + 1 < n ? mm->vmas[k + 1] : NULL));
		ASSERT_EQ(i, k + 1);
	}
	ASSERT_TRUE(vma_find(mm, 0, &i) == mm->vmas[0]);
	ASSERT_EQ(i, 0);
	ASSERT_TRUE(vma_find(mm, TASK_SIZE, &i) == NULL);
	ASSERT_EQ(i, n);
	ASSERT_TRUE(vma_lookup(mm, 0) == NULL);
	/* idx may be NULL */
	ASSERT_TRUE(vma_find(mm, BASE + 3 * 50 * P, NULL) == mm->vmas[50]);
	/* sorted, non-overlapping */
	for (unsigned k = 1; k < n; k++)
		ASSERT_TRUE(mm->vmas[k - 1]->end <= mm->vmas[k]->start);
	return true;
}

static bool test_split_at_and_merge_direct(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	struct vma *v;

	APPLY_OK(w, op_mmap(0, BASE, 8 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE + 5 * P));
	ASSERT_EQ(vma_split_at(w, mm, BASE), 0);          /* at a boundary: no-op */
	ASSERT_EQ(vma_split_at(w, mm, BASE + 8 * P), 0);  /* outside: no-op */
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(vma_split_at(w, mm, BASE + 3 * P), 0);
	ASSERT_EQ(mm->nvmas, 2);
	check_world(w);
	v = vma_lookup(mm, BASE + 5 * P);
	ASSERT_EQ(v->start, BASE + 3 * P);
	ASSERT_EQ(v->pgoff, (BASE >> PAGE_SHIFT) + 3);
	ASSERT_TRUE(v->anon_vma == mm->vmas[0]->anon_vma);
	ASSERT_EQ(v->anon_vma->num_active_vmas, 2);
	ASSERT_EQ(v->anon_vma->rb_root.count, 2);
	v = vma_merge_neighbours(w, v);
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_TRUE(v == mm->vmas[0]);
	ASSERT_EQ(v->end, BASE + 8 * P);
	ASSERT_EQ(v->anon_vma->num_active_vmas, 1);
	ASSERT_EQ(v->anon_vma->rb_root.count, 1);
	check_world(w);
	return true;
}

/*
 * An injected allocation failure during an op that merges VMAs must not be
 * swallowed: the op either fails with -ENOMEM or ends exactly as it does
 * without the failure (DESIGN.md: "failure returns -ENOMEM with nothing half
 * done").  Linux needs no anon_vma_chain allocation for these merges at all
 * (vma_expand() of the neighbour that already has the anon_vma; only the
 * maple tree preallocates, and vma_modify() turns that failure into
 * -ENOMEM), so it never ends with the VMAs left apart.
 *
 * setup: ops that build the state; op: the op under test; nvmas: the VMA
 * count of p0 it gives without injection.
 */
static bool merge_under_injection(const struct op *setup, unsigned nsetup,
				  struct op op, uint32_t want_nvmas)
{
	uint64_t before, allocs;
	struct world *w = tu_world_new(0);

	for (unsigned i = 0; i < nsetup; i++)
		APPLY_OK(w, setup[i]);
	before = world_alloc_count(w);
	APPLY_OK(w, op);
	ASSERT_EQ(tu_nvmas(w, 0), want_nvmas);
	allocs = world_alloc_count(w) - before;
	for (uint64_t n = 1; n <= allocs; n++) {
		struct world *f = tu_world_new(0);
		int res;

		for (unsigned i = 0; i < nsetup; i++)
			APPLY_OK(f, setup[i]);
		world_fail_nth(f, n);
		res = apply(f, op);
		check_world(f);
		ASSERT_TRUE(world_fail_fired(f));
		if (res != -ENOMEM) {
			ASSERT_EQ(res, RES_OK);
			/* ok: then as without the failure */
			if (tu_nvmas(f, 0) != want_nvmas)
				fprintf(stderr, "  (allocation %llu of %llu of the op failed: "
					"it returned ok with %u VMAs instead of %u)\n",
					(unsigned long long)n, (unsigned long long)allocs,
					tu_nvmas(f, 0), want_nvmas);
			ASSERT_EQ(tu_nvmas(f, 0), want_nvmas);
		}
	}
	return true;
}

/* mprotect makes the left VMA (no anon_vma) match the right one (has one) */
static bool test_mprotect_merge_failure_not_swallowed(void)
{
	const struct op setup[] = {
		op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE),
		op_mprotect(0, BASE, 2 * P, PROT_R),
		op_write(0, BASE + 2 * P),
	};

	return merge_under_injection(setup, 3, op_mprotect(0, BASE, 2 * P, PROT_RW), 1);
}

/* mmap (MAP_FIXED) into the middle of a VMA with an anon_vma (013) */
static bool test_mmap_merge_failure_not_swallowed(void)
{
	const struct op setup[] = {
		op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE),
		op_write(0, BASE),
		op_write(0, BASE + 3 * P),
	};

	return merge_under_injection(setup, 3, op_mmap(0, BASE + P, 2 * P, PROT_RW,
						      ANON, PRIVATE), 1);
}

/*
 * vm_area_dup() copies vm_mm: a split's new VMA, in the anon_vma tree
 * before it is linked, names its mm (a walker let in by
 * vma_adjust_without_anon_vma_lock read a NULL mm there: UBSan in
 * pmd_lookup, bugbench's finding)
 */
static bool test_vma_dup_names_its_mm(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	struct vma *copy;

	APPLY_OK(w, op_mmap(0, BASE, 2 * P, PROT_RW, ANON, PRIVATE));
	copy = vma_dup(w, mm->vmas[0]);
	ASSERT_TRUE(copy != NULL);
	ASSERT_TRUE(copy->mm == mm);
	vma_free(copy);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST_EACH_BACKEND(munmap_middle_splits_with_pgoff);
	TEST_EACH_BACKEND(adjacent_anon_mmaps_merge);
	TEST_EACH_BACKEND(mprotect_split_and_merge_back);
	TEST_EACH_BACKEND(fork_child_vma_does_not_merge);
	TEST_EACH_BACKEND(file_merge_needs_contiguous_pgoff);
	TEST_EACH_BACKEND(vma_find_lookup_100);
	TEST_EACH_BACKEND(split_at_and_merge_direct);
	TEST_EACH_BACKEND(mprotect_merge_failure_not_swallowed);
	TEST_EACH_BACKEND(mmap_merge_failure_not_swallowed);
	TEST_EACH_BACKEND(vma_dup_names_its_mm);
	TEST_END();
}
