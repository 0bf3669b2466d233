/*
 * invariants_test.c - each invariant category of oracle/ (invariants.h:
 * the structural checks, and the kernel's semantic rules of page_rules.h
 * and anon_vma_rules.h) holds on a correct model and sees a deliberately
 * broken one.  A test builds a world through real ops (every invariant is
 * checked after each), breaks one thing directly - a PTE, a page's flags,
 * a counter, a chain, a tree - as a bug in the mm code would leave it,
 * asserts the report names the category (and, for the structural checks,
 * what each of the category's report sites says), and puts the thing back
 * so the world tears down cleanly.
 *
 * The lockstep tests at the end show the same rules in the checker: a
 * shared-code bug (both worlds broken alike) becomes the signature
 * invariant-CATEGORY:op:obj, in full mode and, per op, in fast mode.
 */
#include <stdio.h>
#include <string.h>

#include "core/address_space.h"
#include "core/alloc.h"
#include "core/interval_tree.h"
#include "core/ksm.h"
#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/vma.h"
#include "oracle/lockstep.h"
#include "tests/test_util.h"

#define A 0x10000000ULL
#define B 0x20000000ULL

/* W's first broken invariant is of CATEGORY (the report is printed) */
static bool broken_as(const struct world *w, const char *category,
		      const char *file, int line, const char *func)
{
	char msg[512];
	size_t n = strlen(category);

	if (tu_world_check(w, msg, sizeof(msg)) == 0) {
		tu_fail_at(file, line, func, "every invariant holds, %s expected",
			   category);
		return false;
	}
	if (strncmp(msg, category, n) || msg[n] != ':') {
		tu_fail_at(file, line, func, "%s expected, got %s", category, msg);
		return false;
	}
	printf("  reported: %s\n", msg);
	return true;
}

#define ASSERT_BROKEN(w, category)					\
	do {								\
		if (!broken_as((w), (category), __FILE__, __LINE__, __func__)) \
			return false;					\
	} while (0)

/* ... and the report says TEXT */
static bool reported(const struct world *w, const char *category,
		     const char *text, const char *file, int line,
		     const char *func)
{
	char msg[512];

	if (!broken_as(w, category, file, line, func))
		return false;
	tu_world_check(w, msg, sizeof(msg));
	if (!strstr(msg, text)) {
		tu_fail_at(file, line, func, "'%s' expected in: %s", text, msg);
		return false;
	}
	return true;
}

#define ASSERT_REPORTED(w, category, text)				\
	do {								\
		if (!reported((w), (category), (text), __FILE__, __LINE__, \
			      __func__))				\
			return false;					\
	} while (0)

static uint64_t *pte_of(struct world *w, unsigned pid, uint64_t addr)
{
	return pte_lookup(w, mm_get(w, pid), addr);
}

static struct page *page_at(struct world *w, unsigned pid, uint64_t addr)
{
	return pfn_page(w, pte_pfn(*pte_of(w, pid, addr)));
}

static struct vma *vma_at(struct world *w, unsigned pid, uint64_t addr)
{
	return vma_lookup(mm_get(w, pid), addr);
}

/* p0 writes a private anonymous page at A, then forks p1 */
static bool cow_shared_page(struct world *w)
{
	APPLY_OK(w, op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	APPLY_OK(w, op_fork(0, 1));
	return true;
}

/* file f0 of two pages mapped private at A; p0 writes its second page */
static bool file_cow_copy(struct world *w)
{
	APPLY_OK(w, op_file(0, 0x2000));
	APPLY_OK(w, op_mmap(0, A, 0x2000, PROT_RW, 0, PRIVATE));
	APPLY_OK(w, op_write(0, A + 0x1000));
	return true;
}

/* a frame p0 wrote at C and unmapped: free again, its number known */
static pfn_t freed_frame(struct world *w)
{
	const uint64_t c = 0x30000000ULL;
	pfn_t pfn;

	if (apply(w, op_mmap(0, c, 0x1000, PROT_RW, ANON, PRIVATE)) != RES_OK ||
	    apply(w, op_write(0, c)) != RES_OK)
		return 0;
	pfn = tu_pfn(w, 0, c);
	if (apply(w, op_munmap(0, c, 0x1000)) != RES_OK ||
	    pfn_page(w, pfn)->kind != PAGE_FREE)
		return 0;
	return pfn;
}

/* ---- KSM pages (ksm_rules.c): where the formula is given up ---------------- */

static struct op ksm_op(unsigned kind, unsigned proc, uint64_t addr,
			uint64_t len, unsigned advice)
{
	return (struct op){ .kind = (uint8_t)kind, .proc = (uint16_t)proc,
			    .addr = addr, .len = len, .advice = (uint8_t)advice };
}

/*
 * p1 forked from p0 before either mapped anything; p0's two pages at A and
 * p1's one at B, all filled with 0x5a and mergeable, merged by ksm-scan
 * into one KSM page; with SECOND, p0 also has a KSM page of 0x33 at A + 2
 * pages and p1 one at B + 1 page
 */
static bool ksm_merged(struct world *w, bool second)
{
	APPLY_OK(w, op_fork(0, 1));
	APPLY_OK(w, op_mmap(0, A, 0x3000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(1, B, 0x2000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, ksm_op(OP_MADVISE, 0, A, 0x3000, ADV_MERGEABLE));
	APPLY_OK(w, ksm_op(OP_MADVISE, 1, B, 0x2000, ADV_MERGEABLE));
	APPLY_OK(w, ksm_op(OP_FILL, 0, A, 0x5a, 0));
	APPLY_OK(w, ksm_op(OP_FILL, 0, A + 0x1000, 0x5a, 0));
	APPLY_OK(w, ksm_op(OP_FILL, 1, B, 0x5a, 0));
	if (second) {
		APPLY_OK(w, ksm_op(OP_FILL, 0, A + 0x2000, 0x33, 0));
		APPLY_OK(w, ksm_op(OP_FILL, 1, B + 0x1000, 0x33, 0));
	}
	APPLY_OK(w, ksm_op(OP_KSM_SCAN, 0, 0, 0, 0));
	return tu_pfn(w, 0, A) == tu_pfn(w, 1, B) &&
	       page_is_ksm(page_at(w, 1, B));
}

/* the KSM page is where the formula fails, and the oracle knows it */
static bool test_ksm_page_is_not_linear(void)
{
	struct world *w = tu_world_new(0);
	struct vma *v1;
	struct page *pg;

	ASSERT_TRUE(ksm_merged(w, false));
	pg = page_at(w, 1, B);
	v1 = vma_at(w, 1, B);
	/* p0 put its index: p1's VMA would look for it elsewhere */
	ASSERT_TRUE(v1->start + ((pg->index - v1->pgoff) << PAGE_SHIFT) != B);
	check_world(w);
	/* an ordinary page with the same index is a linearity violation */
	pg->flags &= (uint8_t)~PG_KSM;
	ASSERT_BROKEN(w, "linearity");
	pg->flags |= PG_KSM;
	check_world(w);
	return true;
}

/* a writable PTE of a KSM page: a write would reach every process */
static bool test_writable_ksm_pte_is_ksm_wp(void)
{
	struct world *w = tu_world_new(0);
	uint64_t *pte;

	ASSERT_TRUE(ksm_merged(w, false));
	pte = pte_of(w, 1, B);
	*pte |= PTE_RW;
	ASSERT_REPORTED(w, "ksm-wp", "maps KSM page");
	*pte &= ~PTE_RW;
	check_world(w);
	return true;
}

/* an rmap_item that names an address without the page, or a VMA that does
 * not link its anon_vma, or a PTE without an rmap_item */
static bool test_wrong_rmap_items_are_ksm_rmap_item(void)
{
	struct world *w = tu_world_new(0);
	struct ksm_stable_node *node;
	struct ksm_rmap_item *it;
	struct anon_vma *av;

	ASSERT_TRUE(ksm_merged(w, false));
	node = page_at(w, 1, B)->mapping;
	it = node->hlist;
	ASSERT_TRUE(it != NULL);
	it->address += 0x1000;
	ASSERT_REPORTED(w, "ksm-rmap_item", "does not map it");
	it->address -= 0x1000;
	check_world(w);
	/* p1's VMA and p0's share no anon_vma: p1 forked before they existed */
	for (it = node->hlist; it && it->mm->pid != 1; it = it->hlist)
		;
	ASSERT_TRUE(it != NULL);
	av = it->anon_vma;
	it->anon_vma = vma_at(w, 0, A)->anon_vma;
	ASSERT_REPORTED(w, "ksm-rmap_item", "does not link the anon_vma");
	it->anon_vma = av;
	check_world(w);
	it = node->hlist;
	node->hlist = it->hlist;
	node->rmap_hlist_len--;
	ASSERT_REPORTED(w, "ksm-rmap_item", "has 3 PTEs but 2 rmap_items");
	node->hlist = it;
	node->rmap_hlist_len++;
	check_world(w);
	return true;
}

/* two stable nodes of one content; a node whose page holds another */
static bool test_stable_node_content_is_ksm_stable(void)
{
	struct world *w = tu_world_new(0);
	struct ksm_stable_node *n1, *n2;
	uint64_t c2, slots[16];

	ASSERT_TRUE(ksm_merged(w, true));
	n1 = page_at(w, 0, A)->mapping;
	n2 = page_at(w, 0, A + 0x2000)->mapping;
	ASSERT_TRUE(n1 != n2 && n1->content == 0x5a && n2->content == 0x33);
	c2 = n2->content;
	n2->content = n1->content;
	page_at(w, 0, A + 0x2000)->content = n1->content;
	ASSERT_REPORTED(w, "ksm-stable", "two stable nodes for one");
	/*
	 * the same pair when one of them has no rmap_item of an mm ksmd
	 * scans: a dup that takes no page, beside which Linux chains a new
	 * one (stable_tree_insert)
	 */
	for (uint32_t i = 0; i < w->nmms && i < 16; i++)
		if (w->mms[i]) {
			slots[i] = w->mms[i]->ksm_slot;
			w->mms[i]->ksm_slot = 0;
		}
	check_world(w);
	for (uint32_t i = 0; i < w->nmms && i < 16; i++)
		if (w->mms[i])
			w->mms[i]->ksm_slot = slots[i];
	n2->content = c2;
	page_at(w, 0, A + 0x2000)->content = c2;
	check_world(w);
	page_at(w, 0, A + 0x2000)->content = 0x34;
	ASSERT_REPORTED(w, "ksm-stable", "holds other content");
	page_at(w, 0, A + 0x2000)->content = c2;
	check_world(w);
	return true;
}

/* a KSM page whose mapping is no stable node of the world */
static bool test_ksm_page_without_node_is_ksm_page(void)
{
	struct world *w = tu_world_new(0);
	struct ksm_stable_node fake = { 0 };
	struct page *pg;
	void *node;

	ASSERT_TRUE(ksm_merged(w, false));
	pg = page_at(w, 1, B);
	node = pg->mapping;
	pg->mapping = &fake;
	ASSERT_REPORTED(w, "ksm-page", "no stable node");
	pg->mapping = node;
	check_world(w);
	return true;
}

/* ---- the structural invariants (invariants.c) ------------------------------ */

/* a PTE to a frame freed under it (the use-after-free a lost unmap leaves) */
static bool test_pte_to_free_frame_is_pte_frame(void)
{
	struct world *w = tu_world_new(0);
	uint64_t *pte, saved;
	pfn_t freed;

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	freed = freed_frame(w);
	ASSERT_TRUE(freed != 0);
	pte = pte_of(w, 0, A);
	saved = *pte;
	*pte = pfn_pte(freed, saved & ~PTE_PFN_MASK);
	ASSERT_REPORTED(w, "pte-frame", "maps free frame");
	*pte = pfn_pte(w->phys.nframes, saved & ~PTE_PFN_MASK);
	ASSERT_REPORTED(w, "pte-frame", "beyond memory");
	*pte = saved;
	check_world(w);
	return true;
}

/* a PTE left past the end of its VMA (a shrink that did not zap it) */
static bool test_pte_past_vma_end_is_pte_vma(void)
{
	struct world *w = tu_world_new(0);
	struct vma *vma;

	APPLY_OK(w, op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	APPLY_OK(w, op_write(0, A + 0x1000));
	vma = vma_at(w, 0, A);
	vma->end = A + 0x1000;
	ASSERT_REPORTED(w, "pte-vma", "has a PTE outside any VMA");
	vma->end = A + 0x2000;
	check_world(w);
	return true;
}

/* a page whose index does not put it where it is mapped: the seed's formula */
static bool test_page_off_its_index_is_linearity(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	APPLY_OK(w, op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	pg = page_at(w, 0, A);
	pg->index++;
	ASSERT_REPORTED(w, "linearity", "puts it at 0x10001000");
	pg->index--;
	check_world(w);
	return true;
}

/* a file page dropped from its cache (truncate, reclaim) while still mapped */
static bool test_dropped_file_page_is_file_dropped(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	APPLY_OK(w, op_file(0, 0x1000));
	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, 0, SHARED));
	APPLY_OK(w, op_read(0, A));
	pg = page_at(w, 0, A);
	ASSERT_EQ(pg->kind, PAGE_FILE);
	pg->mapping = NULL;
	ASSERT_REPORTED(w, "file-dropped", "left its file's page cache");
	pg->mapping = w->files[0];
	check_world(w);
	return true;
}

/* a page-cache page mapped through a VMA of another file */
static bool test_page_of_another_file_is_file_mapping(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	APPLY_OK(w, op_file(0, 0x1000));
	APPLY_OK(w, op_file(1, 0x1000));
	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, 0, SHARED));
	APPLY_OK(w, op_read(0, A));
	pg = page_at(w, 0, A);
	ASSERT_EQ(pg->kind, PAGE_FILE);
	ASSERT_TRUE(pg->mapping == w->files[0]);
	pg->mapping = w->files[1];
	ASSERT_REPORTED(w, "file-mapping", "through a VMA of another file");
	pg->mapping = w->files[0];
	check_world(w);
	return true;
}

/* a reference taken and never put (get_page without put_page) */
static bool test_extra_reference_is_refcount(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	pg = page_at(w, 0, A);
	pg->refcount++;
	ASSERT_REPORTED(w, "refcount", "refcount 2, mapcount 1, cache references 0");
	pg->refcount--;
	check_world(w);
	return true;
}

/*
 * a frame in use that nothing refers to; then, with every process gone,
 * a frame or an anon_vma left over
 */
static bool test_unreferenced_frame_is_leak(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma stray;
	struct page *pg;
	pfn_t freed;

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	freed = freed_frame(w);
	ASSERT_TRUE(freed != 0);
	pg = pfn_page(w, freed);
	pg->kind = PAGE_ANON;
	ASSERT_REPORTED(w, "leak", "is leaked: in use with no reference");
	pg->kind = PAGE_FREE;
	check_world(w);

	APPLY_OK(w, op_exit(0));
	w->phys.used++;
	ASSERT_REPORTED(w, "leak", "all processes exited, yet 1 frames are in use");
	w->phys.used--;
	memset(&stray, 0, sizeof(stray));
	ASSERT_TRUE(w->anon_vmas == NULL);
	w->anon_vmas = &stray;
	ASSERT_REPORTED(w, "leak", "anon_vmas remain");
	w->anon_vmas = NULL;
	check_world(w);
	return true;
}

/*
 * page tables of an exited process kept (exit_mmap's free_pgtables), and
 * tables no live process reaches (a PGD entry cleared under its tables)
 */
static bool test_orphan_page_tables_are_pgtable(void)
{
	struct world *w = tu_world_new(0);
	const uint64_t far = 0x8000000000ULL;     /* PGD slot 1 */
	uint64_t *pte, *pgd_slot, saved;
	struct mm *p1;

	ASSERT_TRUE(cow_shared_page(w));
	APPLY_OK(w, op_exit(1));
	p1 = w->mms[1];
	ASSERT_EQ(p1->pgd, 0);
	p1->pgd = mm_get(w, 0)->pgd;
	ASSERT_REPORTED(w, "pgtable", "p1 exited but its page tables remain");
	p1->pgd = 0;
	check_world(w);

	ASSERT_EQ(pte_alloc(w, mm_get(w, 0), far, &pte), 0);   /* PUD, PMD, PTE */
	check_world(w);
	pgd_slot = &pfn_page(w, mm_get(w, 0)->pgd)->table[far >> 39 & 511];
	saved = *pgd_slot;
	set_pte(w, pgd_slot, 0);
	ASSERT_REPORTED(w, "pgtable", "page-table frames exist");
	set_pte(w, pgd_slot, saved);
	pgtable_prune(w, mm_get(w, 0), far, far + 0x1000);
	check_world(w);
	return true;
}

/*
 * a PMD entry that is no leaf but names no PTE table: frame 0 (what
 * move_normal_pmd() without its recheck populates, CVE-2024-50066), a data
 * page, a table of the wrong level; the scan does not walk any of them
 */
static bool test_pmd_naming_no_table_is_pgtable_entry(void)
{
	struct world *w = tu_world_new(0);
	const uint64_t far = 0x8000000000ULL;     /* PGD slot 1 */
	uint64_t *pte, *pmd, pte_table;
	pfn_t data;

	ASSERT_TRUE(cow_shared_page(w));
	ASSERT_EQ(pte_alloc(w, mm_get(w, 0), far, &pte), 0);   /* PUD, PMD, PTE */
	check_world(w);
	pmd = pmd_lookup(w, mm_get(w, 0), far);
	pte_table = *pmd;
	set_pte(w, pmd, 0);
	set_pte(w, pmd, pfn_pte(0, PTE_TABLE));
	ASSERT_REPORTED(w, "pgtable-entry",
			"p0:0x8000000000: the PMD entry 0x67 names frame 0 as "
			"its page table: a free frame");
	data = pte_pfn(*pte_lookup(w, mm_get(w, 0), A));
	set_pte(w, pmd, pfn_pte(data, PTE_TABLE));
	ASSERT_REPORTED(w, "pgtable-entry", "an anonymous page");
	/* the PMD table itself, one level too high */
	set_pte(w, pmd, pfn_pte(pt_of_slot(pmd)[PT_PFN], PTE_TABLE));
	ASSERT_REPORTED(w, "pgtable-entry", "a page table of another level");
	set_pte(w, pmd, pte_table);
	check_world(w);
	pgtable_prune(w, mm_get(w, 0), far, far + 0x1000);
	check_world(w);
	return true;
}

/* an interval tree whose augmented maximum is stale (a missed propagate) */
static bool test_stale_subtree_last_is_itree(void)
{
	struct world *w = tu_world_new(0);
	struct itree *anon_tree, *i_mmap;

	ASSERT_TRUE(cow_shared_page(w));
	anon_tree = &vma_at(w, 0, A)->anon_vma->rb_root;
	ASSERT_TRUE(anon_tree->root != NULL);
	anon_tree->root->subtree_last++;
	ASSERT_REPORTED(w, "itree", "interval tree broken");
	anon_tree->root->subtree_last--;
	check_world(w);

	APPLY_OK(w, op_file(0, 0x1000));
	APPLY_OK(w, op_mmap(0, B, 0x1000, PROT_RW, 0, SHARED));
	i_mmap = &w->files[0]->i_mmap;
	ASSERT_TRUE(i_mmap->root != NULL);
	i_mmap->root->subtree_last++;
	ASSERT_REPORTED(w, "itree", "file 0: i_mmap broken");
	i_mmap->root->subtree_last--;
	check_world(w);
	return true;
}

/* ---- page rules ----------------------------------------------------------- */

/* fork left the parent's PTE writable: page_table_check's anon rw rule */
static bool test_cow_page_writable_in_parent_is_ptc_anon_rw(void)
{
	struct world *w = tu_world_new(0);

	ASSERT_TRUE(cow_shared_page(w));
	*pte_of(w, 0, A) |= PTE_RW;
	ASSERT_BROKEN(w, "ptc-anon-rw");
	*pte_of(w, 0, A) &= ~PTE_RW;
	check_world(w);
	return true;
}

/* a page-cache page that became anonymous while still the cache's page */
static bool test_anon_page_in_page_cache_is_ptc_anon_file(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	ASSERT_TRUE(file_cow_copy(w));
	APPLY_OK(w, op_read(0, A));          /* the cache page, read-only */
	pg = page_at(w, 0, A);
	ASSERT_EQ(pg->kind, PAGE_FILE);
	pg->kind = PAGE_ANON;
	pg->mapping = vma_at(w, 0, A)->anon_vma;
	pg->refcount--;                      /* the cache's reference, uncounted */
	ASSERT_BROKEN(w, "ptc-anon-file");
	pg->kind = PAGE_FILE;
	pg->mapping = vma_at(w, 0, A)->mapping;
	pg->refcount++;
	check_world(w);
	return true;
}

/* a page-cache page flagged as in the swap cache, as only anon pages are */
static bool test_cache_page_in_swap_cache_is_ptc_anon_file(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	ASSERT_TRUE(file_cow_copy(w));
	APPLY_OK(w, op_pageout(0, A + 0x1000));   /* a swap slot exists */
	APPLY_OK(w, op_read(0, A));
	pg = page_at(w, 0, A);
	ASSERT_EQ(pg->kind, PAGE_FILE);
	pg->flags |= PG_SWAPCACHE;
	ASSERT_BROKEN(w, "ptc-anon-file");
	pg->flags &= (uint8_t)~PG_SWAPCACHE;
	check_world(w);
	return true;
}

/* a private mapping that may write to the page cache: no COW on write */
static bool test_private_writable_cache_page_is_cow_wp(void)
{
	struct world *w = tu_world_new(0);

	APPLY_OK(w, op_file(0, 0x1000));
	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, 0, PRIVATE));
	APPLY_OK(w, op_read(0, A));
	ASSERT_EQ(page_at(w, 0, A)->kind, PAGE_FILE);
	*pte_of(w, 0, A) |= PTE_RW;
	ASSERT_BROKEN(w, "cow-wp");
	*pte_of(w, 0, A) &= ~PTE_RW;
	check_world(w);
	return true;
}

static bool test_writable_zero_page_is_cow_wp(void)
{
	struct world *w = tu_world_new(0);

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_read(0, A));
	ASSERT_EQ(page_at(w, 0, A)->kind, PAGE_ZERO);
	*pte_of(w, 0, A) |= PTE_RW;
	ASSERT_BROKEN(w, "cow-wp");
	*pte_of(w, 0, A) &= ~PTE_RW;
	check_world(w);
	return true;
}

/* writable in a private mapping, yet not PageAnonExclusive */
static bool test_writable_page_not_exclusive_is_anon_exclusive(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	pg = page_at(w, 0, A);
	ASSERT_TRUE(pg->flags & PG_ANON_EXCLUSIVE);
	pg->flags &= (uint8_t)~PG_ANON_EXCLUSIVE;
	ASSERT_BROKEN(w, "anon-exclusive");
	pg->flags |= PG_ANON_EXCLUSIVE;
	check_world(w);
	return true;
}

/* PageAnonExclusive kept across fork: two PTEs map an "exclusive" page */
static bool test_exclusive_page_mapped_twice_is_anon_exclusive(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	ASSERT_TRUE(cow_shared_page(w));
	pg = page_at(w, 0, A);
	ASSERT_EQ(pg->flags & PG_ANON_EXCLUSIVE, 0);
	pg->flags |= PG_ANON_EXCLUSIVE;
	ASSERT_BROKEN(w, "anon-exclusive");
	pg->flags &= (uint8_t)~PG_ANON_EXCLUSIVE;
	check_world(w);
	return true;
}

/* read back from swap while p1's swap PTE still holds the same slot */
static bool test_exclusive_page_sharing_swap_slot_is_anon_exclusive(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;

	ASSERT_TRUE(cow_shared_page(w));
	APPLY_OK(w, op_pageout(0, A));
	APPLY_OK(w, op_read(0, A));
	pg = page_at(w, 0, A);
	ASSERT_TRUE(pg->flags & PG_SWAPCACHE);
	ASSERT_EQ(w->swap.slots[pg->swap].count, 1);
	pg->flags |= PG_ANON_EXCLUSIVE;
	ASSERT_BROKEN(w, "anon-exclusive");
	pg->flags &= (uint8_t)~PG_ANON_EXCLUSIVE;
	check_world(w);
	return true;
}

/* truncation that spared a private COW copy past the new end */
static bool test_cow_copy_past_eof_is_truncate(void)
{
	struct world *w = tu_world_new(0);

	ASSERT_TRUE(file_cow_copy(w));
	ASSERT_EQ(page_at(w, 0, A + 0x1000)->kind, PAGE_ANON);
	w->files[0]->size = 0x1000;
	ASSERT_BROKEN(w, "truncate");
	w->files[0]->size = 0x2000;
	APPLY_OK(w, op_file(0, 0x1000));     /* the real one zaps it */
	ASSERT_EQ(pte_of(w, 0, A + 0x1000) ? *pte_of(w, 0, A + 0x1000) : 0, 0);
	return true;
}

/* ... and one swapped out: its swap entry must go as well */
static bool test_swapped_cow_copy_past_eof_is_truncate(void)
{
	struct world *w = tu_world_new(0);

	ASSERT_TRUE(file_cow_copy(w));
	APPLY_OK(w, op_pageout(0, A + 0x1000));
	ASSERT_TRUE(pte_is_swap(*pte_of(w, 0, A + 0x1000)));
	w->files[0]->size = 0x1000;
	ASSERT_BROKEN(w, "truncate");
	w->files[0]->size = 0x2000;
	APPLY_OK(w, op_file(0, 0x1000));
	return true;
}

/* ---- anon_vma rules -------------------------------------------------------- */

/*
 * A swap-cache page's anon_vma is linked to every VMA whose swap entry
 * refers to it (check_swap_entries): p0 and p1 share a page, pageout
 * leaves both with a swap entry, p1 reads it back in (shared: the root
 * anon_vma, p0's), and the page is then given p1's own anon_vma, which
 * p0's VMA does not link: what swapin_exclusive_anon_vma breaks.
 */
static bool test_swap_entry_outside_anon_vma_is_anon_vma(void)
{
	struct world *w = tu_world_new(0);
	struct page *pg;
	struct anon_vma *root;
	char msg[512];

	ASSERT_TRUE(cow_shared_page(w));
	APPLY_OK(w, op_pageout(0, A));
	ASSERT_TRUE(pte_is_swap(*pte_of(w, 0, A)));
	ASSERT_TRUE(pte_is_swap(*pte_of(w, 1, A)));
	APPLY_OK(w, op_read(1, A));
	pg = page_at(w, 1, A);
	ASSERT_TRUE(pte_is_swap(*pte_of(w, 0, A)));
	root = pg->mapping;
	ASSERT_TRUE(root == vma_at(w, 0, A)->anon_vma);
	pg->mapping = vma_at(w, 1, A)->anon_vma;
	ASSERT_BROKEN(w, "anon_vma");
	ASSERT_TRUE(tu_world_check(w, msg, sizeof(msg)) != 0);
	ASSERT_TRUE(strstr(msg, "swap entry at p0:") != NULL);
	pg->mapping = root;
	check_world(w);
	return true;
}


/* unlink_anon_vmas's "Unfaulted is a no-op": no anon_vma, no chain */
static bool test_chain_without_anon_vma_is_anon_vma_chain(void)
{
	struct world *w = tu_world_new(0);
	struct vma *vma;
	struct anon_vma *av;

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	vma = vma_at(w, 0, A);
	av = vma->anon_vma;
	vma->anon_vma = NULL;
	ASSERT_BROKEN(w, "anon_vma-chain");
	vma->anon_vma = av;
	check_world(w);
	return true;
}

/* the VMA's anon_vma is one of its chain */
static bool test_anon_vma_outside_chain_is_anon_vma_chain(void)
{
	struct world *w = tu_world_new(0);
	struct vma *va, *vb;
	struct anon_vma *own;

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, B, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	APPLY_OK(w, op_write(0, B));
	va = vma_at(w, 0, A);
	vb = vma_at(w, 0, B);
	ASSERT_TRUE(va->anon_vma != vb->anon_vma);
	own = va->anon_vma;
	va->anon_vma = vb->anon_vma;
	ASSERT_BROKEN(w, "anon_vma-chain");
	va->anon_vma = own;
	check_world(w);
	return true;
}

/* every AVC's anon_vma shares the root of the VMA's (one lock for all) */
static bool test_avc_of_another_root_is_anon_vma_chain(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma_chain stray;
	struct vma *va;

	APPLY_OK(w, op_mmap(0, A, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_mmap(0, B, 0x1000, PROT_RW, ANON, PRIVATE));
	APPLY_OK(w, op_write(0, A));
	APPLY_OK(w, op_write(0, B));
	va = vma_at(w, 0, A);
	memset(&stray, 0, sizeof(stray));
	stray.vma = va;
	stray.anon_vma = vma_at(w, 0, B)->anon_vma;
	array_reserve((void **)&va->avc, &va->cap_avc, va->navc, sizeof(void *));
	va->avc[va->navc++] = &stray;
	ASSERT_BROKEN(w, "anon_vma-chain");
	va->navc--;
	check_world(w);
	return true;
}

/* newest to oldest: the root last, freed last by unlink_anon_vmas */
static bool test_chain_out_of_order_is_anon_vma_chain(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma_chain *first;
	struct vma *child;

	ASSERT_TRUE(cow_shared_page(w));
	child = vma_at(w, 1, A);
	ASSERT_EQ(child->navc, 2);
	first = child->avc[0];
	child->avc[0] = child->avc[1];
	child->avc[1] = first;
	ASSERT_BROKEN(w, "anon_vma-chain");
	child->avc[1] = child->avc[0];
	child->avc[0] = first;
	check_world(w);
	return true;
}

/*
 * VMAs that share an anon_vma link the same anon_vmas (same_chain in
 * oracle/anon_vma_rules.c): the harm of CVE-2022-42703, where fork reused
 * one anon_vma for two VMAs with different chains.  p1's copy of A is
 * split in two by mprotect, both halves keep p1's anon_vma and the chain
 * [p1's, p0's]; the upper half then loses p0's link.
 */
static bool test_shared_anon_vma_other_chain_is_anon_vma_chain(void)
{
	struct world *w = tu_world_new(0);
	struct vma *lo, *hi;
	char msg[512];

	ASSERT_TRUE(cow_shared_page(w));
	APPLY_OK(w, op_mprotect(1, A + 0x1000, 0x1000, PROT_R));
	lo = vma_at(w, 1, A);
	hi = vma_at(w, 1, A + 0x1000);
	ASSERT_TRUE(lo != hi && lo->anon_vma == hi->anon_vma);
	ASSERT_EQ(hi->navc, 2);
	hi->navc--;
	ASSERT_BROKEN(w, "anon_vma-chain");
	ASSERT_TRUE(tu_world_check(w, msg, sizeof(msg)) != 0);
	ASSERT_TRUE(strstr(msg, "shares its anon_vma") != NULL);
	hi->navc++;
	check_world(w);
	return true;
}

/* num_children, num_active_vmas, refcount: what the structures say */
static bool test_wrong_counters_are_anon_vma_count(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma *root;

	ASSERT_TRUE(cow_shared_page(w));
	root = vma_at(w, 0, A)->anon_vma;
	ASSERT_TRUE(root->root == root);
	root->num_children++;
	ASSERT_BROKEN(w, "anon_vma-count");
	root->num_children--;
	/* CVE-2022-42703's one `degree`: a VMA counted as a child */
	root->num_active_vmas--;
	ASSERT_BROKEN(w, "anon_vma-count");
	root->num_active_vmas++;
	root->refcount++;
	ASSERT_BROKEN(w, "anon_vma-count");
	root->refcount--;
	check_world(w);
	return true;
}

/* vm_pgoff changed without re-keying i_mmap (vma_adjust's job) */
static bool test_stale_i_mmap_key_is_itree_key(void)
{
	struct world *w = tu_world_new(0);
	struct vma *vma;

	APPLY_OK(w, op_file(0, 0x4000));
	APPLY_OK(w, op_mmap(0, A, 0x2000, PROT_RW, 0, SHARED));
	vma = vma_at(w, 0, A);
	vma->pgoff++;
	ASSERT_BROKEN(w, "itree-key");
	vma->pgoff--;
	check_world(w);
	return true;
}

/* a VMA in i_mmap twice over: the tree holds more than the VMAs mapping it */
static bool test_extra_i_mmap_node_is_itree_key(void)
{
	struct world *w = tu_world_new(0);
	struct itree_node extra;
	struct vma *vma;

	APPLY_OK(w, op_file(0, 0x4000));
	APPLY_OK(w, op_mmap(0, A, 0x2000, PROT_RW, 0, SHARED));
	vma = vma_at(w, 0, A);
	itree_insert(&vma->mapping->i_mmap, &extra, 0, 1, ~0ULL);
	ASSERT_BROKEN(w, "itree-key");
	ASSERT_TRUE(itree_remove(&vma->mapping->i_mmap, &extra));
	check_world(w);
	return true;
}

/* an AVC out of its anon_vma's tree: the object walk would miss the VMA */
static bool test_avc_missing_from_tree_is_itree_key(void)
{
	struct world *w = tu_world_new(0);
	struct anon_vma_chain *avc;

	ASSERT_TRUE(cow_shared_page(w));
	avc = vma_at(w, 1, A)->avc[1];
	ASSERT_TRUE(itree_remove(&avc->anon_vma->rb_root, &avc->rb));
	ASSERT_BROKEN(w, "itree-key");
	itree_insert(&avc->anon_vma->rb_root, &avc->rb, avc->rb.start,
		     avc->rb.last, avc->vma->serial);
	check_world(w);
	return true;
}

/* ---- in the checker: signatures, full mode and fast mode ----------------- */

static int start(struct lockstep *ls, bool fast)
{
	const struct rmap_ops *b[2] = { rmap_backend("obj"), rmap_backend("ptechain") };
	int err = lockstep_init(ls, b, 2, NULL);

	ls->fast = fast;
	return err;
}

static bool run(struct lockstep *ls, const struct op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		lockstep_apply(ls, &ops[i], i);
		if (ls->diverged)
			return false;
	}
	return true;
}

/*
 * the fork bug of a shared-code change: the parent's PTE stays writable in
 * both worlds; the child's first read (its PTE starts old, so the read
 * writes the accessed bit) is the op that shows it, fast mode included
 */
static bool test_writable_cow_parent_is_reported_per_op(void)
{
	const struct op setup[] = {
		op_mmap(0, A, 0x2000, PROT_RW, ANON, PRIVATE),
		op_write(0, A),
		op_fork(0, 1),
	};
	const struct op touch = op_read(1, A);

	for (int fast = 0; fast < 2; fast++) {
		struct lockstep ls;

		ASSERT_EQ(start(&ls, fast), 0);
		ASSERT_TRUE(run(&ls, setup, 3));
		for (unsigned i = 0; i < ls.nworlds; i++)
			*pte_of(ls.w[i], 0, A) |= PTE_RW;
		lockstep_apply(&ls, &touch, 3);
		ASSERT_TRUE(ls.diverged);
		printf("  %s mode: %s\n", fast ? "fast" : "full", ls.div.signature);
		ASSERT_EQ(strcmp(ls.div.signature, "invariant-ptc-anon-rw:read:obj"), 0);
		ASSERT_EQ(ls.div.op_index, 3);
		for (unsigned i = 0; i < ls.nworlds; i++)
			*pte_of(ls.w[i], 0, A) &= ~PTE_RW;
		lockstep_fini(&ls);
	}
	return true;
}

/*
 * truncation that spared a COW copy writes nothing to that PTE: fast mode
 * checks the file's mappings past its end after every file op
 */
static bool test_spared_cow_copy_is_reported_at_the_file_op(void)
{
	const struct op setup[] = {
		op_file(0, 0x2000),
		op_mmap(0, A, 0x2000, PROT_RW, 0, PRIVATE),
		op_write(0, A + 0x1000),
	};
	const struct op again = op_file(0, 0x1000);

	for (int fast = 0; fast < 2; fast++) {
		struct lockstep ls;

		ASSERT_EQ(start(&ls, fast), 0);
		ASSERT_TRUE(run(&ls, setup, 3));
		for (unsigned i = 0; i < ls.nworlds; i++)
			ls.w[i]->files[0]->size = 0x1000;
		lockstep_apply(&ls, &again, 3);
		ASSERT_TRUE(ls.diverged);
		printf("  %s mode: %s\n", fast ? "fast" : "full", ls.div.signature);
		ASSERT_EQ(strcmp(ls.div.signature, "invariant-truncate:file:obj"), 0);
		for (unsigned i = 0; i < ls.nworlds; i++)
			ls.w[i]->files[0]->size = 0x2000;
		lockstep_fini(&ls);
	}
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(pte_to_free_frame_is_pte_frame);
	TEST(ksm_page_is_not_linear);
	TEST(writable_ksm_pte_is_ksm_wp);
	TEST(wrong_rmap_items_are_ksm_rmap_item);
	TEST(stable_node_content_is_ksm_stable);
	TEST(ksm_page_without_node_is_ksm_page);
	TEST(pte_past_vma_end_is_pte_vma);
	TEST(page_off_its_index_is_linearity);
	TEST(dropped_file_page_is_file_dropped);
	TEST(page_of_another_file_is_file_mapping);
	TEST(extra_reference_is_refcount);
	TEST(unreferenced_frame_is_leak);
	TEST(orphan_page_tables_are_pgtable);
	TEST(pmd_naming_no_table_is_pgtable_entry);
	TEST(stale_subtree_last_is_itree);
	TEST(cow_page_writable_in_parent_is_ptc_anon_rw);
	TEST(anon_page_in_page_cache_is_ptc_anon_file);
	TEST(cache_page_in_swap_cache_is_ptc_anon_file);
	TEST(private_writable_cache_page_is_cow_wp);
	TEST(writable_zero_page_is_cow_wp);
	TEST(writable_page_not_exclusive_is_anon_exclusive);
	TEST(exclusive_page_mapped_twice_is_anon_exclusive);
	TEST(exclusive_page_sharing_swap_slot_is_anon_exclusive);
	TEST(cow_copy_past_eof_is_truncate);
	TEST(swapped_cow_copy_past_eof_is_truncate);
	TEST(swap_entry_outside_anon_vma_is_anon_vma);
	TEST(chain_without_anon_vma_is_anon_vma_chain);
	TEST(anon_vma_outside_chain_is_anon_vma_chain);
	TEST(avc_of_another_root_is_anon_vma_chain);
	TEST(chain_out_of_order_is_anon_vma_chain);
	TEST(shared_anon_vma_other_chain_is_anon_vma_chain);
	TEST(wrong_counters_are_anon_vma_count);
	TEST(stale_i_mmap_key_is_itree_key);
	TEST(extra_i_mmap_node_is_itree_key);
	TEST(avc_missing_from_tree_is_itree_key);
	TEST(writable_cow_parent_is_reported_per_op);
	TEST(spared_cow_copy_is_reported_at_the_file_op);
	TEST_END();
}
