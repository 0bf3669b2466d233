/*
 * anon_vma_test.c - core/anon_vma.c: the anon_vma tree fork builds (root,
 * parents, num_children, num_active_vmas, chains), the reuse rule of commit
 * 2555283eb40d, and teardown on exit.
 */
#include "core/anon_vma.h"
#include "tests/test_util.h"

#define BASE 0x10000000ULL
#define P    PAGE_SIZE

static struct vma *the_vma(struct world *w, unsigned pid)
{
	return tu_vma(w, pid, BASE);
}

/* p0 with one private anonymous VMA that has an anon_vma */
static bool setup_root(struct world *w)
{
	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	return true;
}

/* vma's chain: its own anon_vma first, then each ancestor up to the root */
static bool chain_is_lineage(const struct vma *v)
{
	const struct anon_vma *av = v->anon_vma;

	ASSERT_TRUE(av != NULL);
	for (uint32_t i = 0; i < v->navc; i++) {
		ASSERT_TRUE(v->avc[i]->vma == v);
		ASSERT_TRUE(v->avc[i]->anon_vma == av);
		if (i + 1 < v->navc) {
			ASSERT_TRUE(av->parent != av);
			av = av->parent;
		}
	}
	ASSERT_TRUE(av == av->root);
	ASSERT_TRUE(av->parent == av);
	return true;
}

static bool test_fork_chain_depth_5(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma *root;

	ASSERT_TRUE(setup_root(w));
	root = the_vma(w, 0)->anon_vma;
	ASSERT_EQ(root->num_children, 1);     /* the self-parent link */
	ASSERT_EQ(root->num_active_vmas, 1);
	ASSERT_EQ(root->refcount, 1);
	for (unsigned d = 1; d <= 5; d++)
		APPLY_OK(w, op_fork(d - 1, d));
	ASSERT_EQ(tu_count_anon_vmas(w), 6);
	for (unsigned d = 0; d <= 5; d++) {
		struct vma *v = the_vma(w, d);
		struct anon_vma *av = v->anon_vma;

		ASSERT_EQ(v->navc, d + 1);
		ASSERT_TRUE(chain_is_lineage(v));
		ASSERT_TRUE(av->root == root);
		ASSERT_EQ(av->num_active_vmas, 1);
		/* a parent's anon_vma is linked by every descendant's VMA */
		ASSERT_EQ(av->rb_root.count, 6 - d);
		if (d > 0)
			ASSERT_TRUE(av->parent == the_vma(w, d - 1)->anon_vma);
		if (d == 0)
			ASSERT_EQ(av->num_children, 2);   /* self + p1's */
		else if (d < 5)
			ASSERT_EQ(av->num_children, 1);
		else
			ASSERT_EQ(av->num_children, 0);
		if (d > 0)
			ASSERT_EQ(av->refcount, 1);
	}
	ASSERT_EQ(root->refcount, 1 + 5);     /* self + a get per descendant */
	/* the page written before the forks is mapped by all six */
	uint64_t f = tu_pfn(w, 0, BASE);

	for (unsigned d = 1; d <= 5; d++)
		ASSERT_EQ(tu_pfn(w, d, BASE), f);
	ASSERT_EQ(pfn_page(w, f)->mapcount, 6);
	ASSERT_TRUE(pfn_page(w, f)->mapping == root);
	/* a COW in the deepest one maps a page of its own anon_vma */
	APPLY_OK(w, op_write(5, BASE));
	ASSERT_TRUE(pfn_page(w, tu_pfn(w, 5, BASE))->mapping == the_vma(w, 5)->anon_vma);
	return true;
}

static bool test_fork_breadth_3(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma *root;

	ASSERT_TRUE(setup_root(w));
	root = the_vma(w, 0)->anon_vma;
	for (unsigned c = 1; c <= 3; c++)
		APPLY_OK(w, op_fork(0, c));
	ASSERT_EQ(tu_count_anon_vmas(w), 4);
	ASSERT_EQ(root->num_children, 1 + 3);
	ASSERT_EQ(root->num_active_vmas, 1);
	ASSERT_EQ(root->rb_root.count, 4);
	ASSERT_EQ(root->refcount, 1 + 3);
	for (unsigned c = 1; c <= 3; c++) {
		struct vma *v = the_vma(w, c);

		ASSERT_EQ(v->navc, 2);
		ASSERT_TRUE(chain_is_lineage(v));
		ASSERT_TRUE(v->anon_vma->parent == root);
		ASSERT_EQ(v->anon_vma->num_children, 0);
		ASSERT_EQ(v->anon_vma->num_active_vmas, 1);
		ASSERT_EQ(v->anon_vma->rb_root.count, 1);
		for (unsigned o = 1; o < c; o++)
			ASSERT_TRUE(the_vma(w, o)->anon_vma != v->anon_vma);
	}
	/* breadth 3 under each child too: 3 + 9 descendants */
	for (unsigned c = 1; c <= 3; c++)
		for (unsigned g = 0; g < 3; g++)
			APPLY_OK(w, op_fork(c, 4 + 3 * (c - 1) + g));
	ASSERT_EQ(tu_count_anon_vmas(w), 13);
	ASSERT_EQ(root->refcount, 13);
	ASSERT_EQ(root->rb_root.count, 13);
	for (unsigned c = 1; c <= 3; c++) {
		ASSERT_EQ(the_vma(w, c)->anon_vma->num_children, 3);
		ASSERT_EQ(the_vma(w, c)->anon_vma->rb_root.count, 4);
	}
	for (unsigned g = 4; g < 13; g++) {
		ASSERT_EQ(the_vma(w, g)->navc, 3);
		ASSERT_TRUE(chain_is_lineage(the_vma(w, g)));
	}
	return true;
}

/*
 * p0 -> p1 -> p2, p1 exits: p1's anon_vma B has no VMA of its own left and
 * one child (p2's C).  When p2 forks p3, p3's VMA reuses B instead of
 * getting a new anon_vma.
 */
static bool test_fork_reuses_idle_anon_vma(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma *a, *b, *c;

	ASSERT_TRUE(setup_root(w));
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_fork(1, 2));
	a = the_vma(w, 0)->anon_vma;
	b = the_vma(w, 1)->anon_vma;
	c = the_vma(w, 2)->anon_vma;
	ASSERT_TRUE(c->parent == b);
	APPLY_OK(w, op_exit(1));
	ASSERT_EQ(tu_count_anon_vmas(w), 3);      /* B stays: p2 links it */
	ASSERT_EQ(b->num_active_vmas, 0);
	ASSERT_EQ(b->num_children, 1);
	ASSERT_EQ(b->rb_root.count, 1);
	ASSERT_EQ(a->num_children, 2);

	APPLY_OK(w, op_fork(2, 3));
	ASSERT_EQ(tu_count_anon_vmas(w), 3);      /* nothing new */
	ASSERT_TRUE(the_vma(w, 3)->anon_vma == b);
	ASSERT_EQ(the_vma(w, 3)->navc, 3);        /* A, B, C: not 4 */
	ASSERT_EQ(b->num_active_vmas, 1);
	ASSERT_EQ(b->num_children, 1);            /* unchanged */
	ASSERT_EQ(b->rb_root.count, 2);
	ASSERT_EQ(c->rb_root.count, 2);                    /* p2 and p3 */
	ASSERT_TRUE(vma_links_anon_vma(the_vma(w, 3), a));
	ASSERT_TRUE(vma_links_anon_vma(the_vma(w, 3), c));
	/* B has a VMA again: a second fork of p2 gets a new anon_vma */
	APPLY_OK(w, op_fork(2, 4));
	ASSERT_EQ(tu_count_anon_vmas(w), 4);
	ASSERT_TRUE(the_vma(w, 4)->anon_vma->parent == c);
	ASSERT_EQ(the_vma(w, 4)->navc, 4);
	/* COW in the reusing child: a page of B, linked */
	APPLY_OK(w, op_write(3, BASE));
	ASSERT_TRUE(pfn_page(w, tu_pfn(w, 3, BASE))->mapping == b);
	APPLY_OK(w, op_write(3, BASE + P));
	APPLY_OK(w, op_exit(2));
	APPLY_OK(w, op_exit(0));
	APPLY_OK(w, op_exit(3));
	APPLY_OK(w, op_exit(4));
	ASSERT_TRUE(w->anon_vmas == NULL);
	return true;
}

/* B still has its VMA (p1 alive): no reuse, p3 gets a fourth anon_vma */
static bool test_fork_no_reuse_while_active(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma *c;

	ASSERT_TRUE(setup_root(w));
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_fork(1, 2));
	c = the_vma(w, 2)->anon_vma;
	APPLY_OK(w, op_fork(2, 3));
	ASSERT_EQ(tu_count_anon_vmas(w), 4);
	ASSERT_TRUE(the_vma(w, 3)->anon_vma->parent == c);
	ASSERT_EQ(the_vma(w, 3)->navc, 4);
	ASSERT_TRUE(chain_is_lineage(the_vma(w, 3)));
	return true;
}

/* B idle but with two children: no reuse either */
static bool test_fork_no_reuse_with_two_children(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma *b;

	ASSERT_TRUE(setup_root(w));
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_fork(1, 2));
	APPLY_OK(w, op_fork(1, 3));
	b = the_vma(w, 1)->anon_vma;
	APPLY_OK(w, op_exit(1));
	ASSERT_EQ(b->num_active_vmas, 0);
	ASSERT_EQ(b->num_children, 2);
	APPLY_OK(w, op_fork(2, 4));
	ASSERT_EQ(tu_count_anon_vmas(w), 5);
	ASSERT_TRUE(the_vma(w, 4)->anon_vma != b);
	ASSERT_TRUE(the_vma(w, 4)->anon_vma->parent == the_vma(w, 2)->anon_vma);
	ASSERT_EQ(the_vma(w, 4)->navc, 4);
	ASSERT_EQ(b->num_active_vmas, 0);
	/* once p3 is gone too, B has one child and is reused */
	APPLY_OK(w, op_exit(3));
	ASSERT_EQ(b->num_children, 1);
	APPLY_OK(w, op_fork(2, 5));
	ASSERT_TRUE(the_vma(w, 5)->anon_vma == b);
	ASSERT_EQ(the_vma(w, 5)->navc, 3);
	return true;
}

/* the parent's VMA without an anon_vma: the child gets none either */
static bool test_fork_without_anon_vma(void)
{
	struct world *w = tu_world_new(0);

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, BASE));
	APPLY_OK(w, op_fork(0, 1));
	ASSERT_TRUE(the_vma(w, 1)->anon_vma == NULL);
	ASSERT_EQ(the_vma(w, 1)->navc, 0);
	ASSERT_EQ(tu_pte(w, 1, BASE), 0);   /* vma_needs_copy: no */
	ASSERT_TRUE(w->anon_vmas == NULL);
	APPLY_OK(w, op_write(1, BASE));
	ASSERT_EQ(the_vma(w, 1)->navc, 1);
	ASSERT_TRUE(the_vma(w, 1)->anon_vma->root == the_vma(w, 1)->anon_vma);
	ASSERT_TRUE(the_vma(w, 0)->anon_vma == NULL);
	return true;
}

/* everything goes when every process has exited, whatever the order */
static bool exit_all(unsigned first_order)
{
	struct world *w = tu_world_new(0);
	unsigned order[3][7] = {
		{ 0, 1, 2, 3, 4, 5, 6 },
		{ 6, 5, 4, 3, 2, 1, 0 },
		{ 2, 0, 5, 1, 6, 3, 4 },
	};

	ASSERT_TRUE(setup_root(w));
	APPLY_OK(w, op_mmap(0, 0x20000000ULL, 2 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, 0x20000000ULL));
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_fork(1, 2));
	APPLY_OK(w, op_fork(2, 3));
	APPLY_OK(w, op_fork(0, 4));
	APPLY_OK(w, op_write(4, BASE + P));
	APPLY_OK(w, op_fork(4, 5));
	APPLY_OK(w, op_exit(2));
	APPLY_OK(w, op_fork(3, 6));    /* reuses p2's */
	APPLY_OK(w, op_write(6, BASE));
	for (unsigned i = 0; i < 7; i++) {
		unsigned p = order[first_order][i];

		if (world_proc_alive(w, p))
			APPLY_OK(w, op_exit(p));
	}
	ASSERT_TRUE(w->anon_vmas == NULL);
	ASSERT_EQ(w->phys.used, 1);
	return true;
}

static bool test_exit_frees_every_anon_vma(void)
{
	for (unsigned o = 0; o < 3; o++)
		ASSERT_TRUE(exit_all(o));
	return true;
}

/*
 * anon_vma_prepare reuses a neighbour's anon_vma when the two VMAs differ
 * only in access flags (find_mergeable_anon_vma / reusable_anon_vma).
 */
static bool test_prepare_reuses_neighbour(void)
{
	struct world *w = tu_world_new(0);
	struct mm *mm = tu_mm(w, 0);
	struct anon_vma *a;

	APPLY_OK(w, op_mmap(0, BASE, 2 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, BASE));
	a = mm->vmas[0]->anon_vma;
	APPLY_OK(w, op_mprotect(0, BASE, 2 * P, PROT_R));
	APPLY_OK(w, op_mmap(0, BASE + 2 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	ASSERT_EQ(mm->nvmas, 2);
	APPLY_OK(w, op_write(0, BASE + 2 * P));
	ASSERT_EQ(tu_count_anon_vmas(w), 1);
	ASSERT_TRUE(mm->vmas[1]->anon_vma == a);
	ASSERT_EQ(mm->vmas[1]->navc, 1);
	ASSERT_EQ(a->num_active_vmas, 2);
	ASSERT_EQ(a->num_children, 1);
	/* same anon_vma: they merge once the flags agree */
	APPLY_OK(w, op_mprotect(0, BASE, 2 * P, PROT_RW));
	ASSERT_EQ(mm->nvmas, 1);
	ASSERT_EQ(a->num_active_vmas, 1);

	/* a fork child's VMA (chain of 2) is not reused from */
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_mprotect(1, BASE, 4 * P, PROT_R));
	APPLY_OK(w, op_mmap(1, BASE + 4 * P, 2 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(1, BASE + 4 * P));
	ASSERT_EQ(tu_count_anon_vmas(w), 3);
	ASSERT_TRUE(tu_vma(w, 1, BASE + 4 * P)->anon_vma != tu_vma(w, 1, BASE)->anon_vma);
	ASSERT_EQ(tu_vma(w, 1, BASE + 4 * P)->navc, 1);
	return true;
}

/*
 * The CVE-2022-42703 shape: the child's anon_vma is used by two VMAs of the
 * child (split by mprotect); one goes, one stays.  A fork of the child must
 * not reuse it (num_active_vmas is 1), and every page stays findable.
 */
static bool test_fork_no_reuse_of_anon_vma_used_by_a_split_vma(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma *b;

	APPLY_OK(w, op_mmap(0, BASE, 4 * P, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < 4; i++)
		APPLY_OK(w, op_write(0, BASE + i * P));
	APPLY_OK(w, op_fork(0, 1));
	b = the_vma(w, 1)->anon_vma;
	APPLY_OK(w, op_write(1, BASE + 3 * P));       /* a page of B */
	APPLY_OK(w, op_mprotect(1, BASE + 2 * P, 2 * P, PROT_R));
	ASSERT_EQ(tu_nvmas(w, 1), 2);
	ASSERT_EQ(b->num_active_vmas, 2);
	ASSERT_EQ(b->rb_root.count, 2);
	APPLY_OK(w, op_munmap(1, BASE, 2 * P));
	ASSERT_EQ(b->num_active_vmas, 1);
	ASSERT_EQ(b->num_children, 0);
	APPLY_OK(w, op_fork(1, 2));
	ASSERT_TRUE(tu_vma(w, 2, BASE + 2 * P)->anon_vma != b);
	ASSERT_TRUE(tu_vma(w, 2, BASE + 2 * P)->anon_vma->parent == b);
	ASSERT_EQ(b->num_children, 1);
	ASSERT_EQ(tu_vma(w, 2, BASE + 2 * P)->navc, 3);
	/* the page of B is mapped by p1 and p2, both VMAs link B */
	ASSERT_EQ(tu_pfn(w, 2, BASE + 3 * P), tu_pfn(w, 1, BASE + 3 * P));
	ASSERT_TRUE(pfn_page(w, tu_pfn(w, 1, BASE + 3 * P))->mapping == b);
	APPLY_OK(w, op_exit(1));
	APPLY_OK(w, op_mprotect(2, BASE + 2 * P, 2 * P, PROT_RW));
	APPLY_OK(w, op_mmap(2, BASE, 2 * P, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(2, BASE));
	APPLY_OK(w, op_write(2, BASE + 3 * P));
	APPLY_OK(w, op_exit(2));
	APPLY_OK(w, op_exit(0));
	ASSERT_TRUE(w->anon_vmas == NULL);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST_EACH_BACKEND(fork_chain_depth_5);
	TEST_EACH_BACKEND(fork_breadth_3);
	TEST_EACH_BACKEND(fork_reuses_idle_anon_vma);
	TEST_EACH_BACKEND(fork_no_reuse_while_active);
	TEST_EACH_BACKEND(fork_no_reuse_with_two_children);
	TEST_EACH_BACKEND(fork_without_anon_vma);
	TEST_EACH_BACKEND(exit_frees_every_anon_vma);
	TEST_EACH_BACKEND(prepare_reuses_neighbour);
	TEST_EACH_BACKEND(fork_no_reuse_of_anon_vma_used_by_a_split_vma);
	TEST_END();
}
