/*
 * ksm.c - Kernel Samepage Merging as mm/ksm.c does it (Linux 6.18, with
 * use_zero_pages = 0 and smart_scan = 0): ksm_madvise, unmerge_ksm_pages /
 * break_ksm, ksm_fork, ksm_exit, ksmd's scan (ksm_do_scan ->
 * scan_get_next_rmap_item + cmp_and_merge_page: the stable tree, then the
 * checksum, then the unstable tree), replace_page, and rmap_walk_ksm.
 *
 * What the model keeps differently, and why nothing observable changes:
 *   - Linux leaves an rmap_item in its stable node after its PTE went (a
 *     COW, an unmerge, an unmap): ksmd drops it at its next pass, and
 *     rmap_walk_ksm() confirms every address in the page table meanwhile.
 *     A forked child's PTE of a KSM page has no rmap_item until ksmd
 *     passes the child; rmap_walk_ksm() finds it through the parent's
 *     rmap_item->anon_vma (its search_new_forks pass).  The model keeps
 *     the rmap_items exact instead, one per PTE that maps the KSM page
 *     (fork gives the child its rmap_item, an unmapped PTE takes its
 *     own away), so the oracle can check "each rmap_item's (mm, address)
 *     maps the page" after every op, and the walk needs only the first
 *     pass.  A stable node goes with the last PTE of its page (Linux: when
 *     ksmd finds its page gone, ksm_get_folio()).
 *   - ksm-scan runs full scans until one changes nothing: what the kernel
 *     runner waits for by full_scans with the processes stopped.
 *   - max_page_sharing (256) and stable-node chains are not modelled: no
 *     trace the generator writes maps one content 256 times.
 *   - KSM pages never go through swap here: pageout refuses them
 *     (EBUSY) and the scan passes pages in the swap cache by (Linux swaps
 *     KSM pages out, and ksm_might_need_to_copy() at swap-in copies one
 *     whose index does not fit the faulting address).
 *   - Large folios are not merged (Linux splits them first and merges
 *     the page: not modelled yet, see scan_one_pte), and a
 *     merge cannot fail for lack of memory (write_protect_page's refcount
 *     test always passes: nothing pins pages); only a backend's own rmap
 *     allocation can fail: the merge is then not done and ksm-scan stops
 *     with -ENOMEM (the model's ops report an injected failure).
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/alloc.h"
#include "core/bug.h"
#include "core/fault.h"
#include "core/interval_tree.h"
#include "core/ksm.h"
#include "core/op.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/vma.h"

/* ---- rmap_items and stable nodes --------------------------------------- */

static void stable_node_unlink_item(struct ksm_rmap_item *item)
{
	struct ksm_stable_node *node = item->head;
	struct ksm_rmap_item **pp = &node->hlist;

	while (*pp != item)
		pp = &(*pp)->hlist;
	*pp = item->hlist;
	item->hlist = NULL;
	item->head = NULL;
	item->anon_vma = NULL;
	node->rmap_hlist_len--;
}

/* remove_rmap_item_from_tree: out of its stable node or the unstable tree */
static void remove_rmap_item_from_tree(struct ksm_rmap_item *item)
{
	if (item->head)
		stable_node_unlink_item(item);
	item->unstable = false;
}

/* stable_tree_append: newest first, as hlist_add_head */
static void stable_tree_append(struct ksm_rmap_item *item,
			       struct ksm_stable_node *node, struct vma *vma)
{
	item->unstable = false;
	item->anon_vma = vma->anon_vma;
	item->head = node;
	item->hlist = node->hlist;
	node->hlist = item;
	node->rmap_hlist_len++;
}

/*
 * The rmap_item of (mm, addr), made if missing (get_next_rmap_item's
 * alloc_rmap_item, kept in address order).  Bookkeeping memory, not an
 * injection point: Linux's ksmd stops its pass when it fails, which
 * changes nothing a trace could see but the pass's end.
 */
static struct ksm_rmap_item *rmap_item_get(struct world *w, struct mm *mm,
					   uint64_t addr)
{
	struct ksm_rmap_item **pp = &mm->ksm_rmap_list, *item;

	while (*pp && (*pp)->address < addr)
		pp = &(*pp)->rmap_list;
	if (*pp && (*pp)->address == addr)
		return *pp;
	item = core_xalloc(w, sizeof(*item));
	item->mm = mm;
	item->address = addr;
	item->rmap_list = *pp;
	*pp = item;
	return item;
}

static struct ksm_rmap_item *rmap_item_find(const struct mm *mm, uint64_t addr)
{
	struct ksm_rmap_item *item = mm->ksm_rmap_list;

	while (item && item->address < addr)
		item = item->rmap_list;
	return item && item->address == addr ? item : NULL;
}

static struct ksm_stable_node *stable_node_new(struct world *w, pfn_t kpfn)
{
	struct ksm_stable_node *node = core_xalloc(w, sizeof(*node));
	struct page *kpage = pfn_page(w, kpfn);

	node->kpfn = kpfn;
	node->content = kpage->content;
	node->next = w->ksm_stable;
	w->ksm_stable = node;
	kpage->mapping = node;           /* folio_set_stable_node */
	return node;
}

static void stable_node_free(struct world *w, struct ksm_stable_node *node)
{
	struct ksm_stable_node **pp = &w->ksm_stable;

	BUG_ON(node->hlist);
	while (*pp != node)
		pp = &(*pp)->next;
	*pp = node->next;
	core_free(node);
}

/*
 * The rmap_items Linux would hang off NODE: those of the mms ksmd scans
 * (in KSM's list, ksm_slot).  The model gives every PTE of a KSM page an
 * item (file comment), also a PTE of an mm ksmd never scans, which a page
 * merged in place (merge_in_place) or a fork can leave; Linux has none
 * there, and its rmap_hlist_len counts none.
 */
static int32_t linux_hlist_len(const struct ksm_stable_node *node)
{
	int32_t n = 0;

	for (const struct ksm_rmap_item *it = node->hlist; it; it = it->hlist)
		n += it->mm->ksm_slot != 0;
	return n;
}

/*
 * stable_tree_search by content alone (the page itself is not KSM): the
 * node (Linux: the dup of its chain, stable_node_dup()) that is a sharing
 * candidate with the most rmap_items.  __is_page_sharing_candidate():
 * "Check that at least one mapping still exists, otherwise there's no
 * much point to merge and share with this stable_node" (rmap_hlist_len
 * != 0; max_page_sharing is not modelled): a KSM page left mapped only by
 * mms ksmd does not scan takes no new page (seen on the 6.18 host:
 * corpus/regressions/ksm_no_merge_into_unlisted_page.rmt); NULL then, and
 * the page goes on to the unstable tree.
 */
static struct ksm_stable_node *stable_tree_search(struct world *w,
						  uint64_t content)
{
	struct ksm_stable_node *best = NULL;
	int32_t best_len = 0;

	for (struct ksm_stable_node *n = w->ksm_stable; n; n = n->next) {
		int32_t len;

		if (n->content != content)
			continue;
		len = linux_hlist_len(n);
		if (len > best_len) {
			best = n;
			best_len = len;
		}
	}
	return best;
}

/* ---- hooks of the mm code ---------------------------------------------- */

void ksm_fork(struct world *w, struct mm *child, const struct mm *parent)
{
	if (parent->ksm_slot)                   /* MMF_VM_MERGEABLE */
		child->ksm_slot = ++w->ksm_slot_seq;  /* __ksm_enter(child) */
}

void ksm_fork_copy(struct world *w, pfn_t pfn, struct vma *vma, uint64_t addr,
		   const struct mm *parent_mm)
{
	struct page *kpage = pfn_page(w, pfn);
	struct ksm_rmap_item *item = rmap_item_get(w, vma->mm, addr);
	const struct ksm_rmap_item *parent = rmap_item_find(parent_mm, addr);

	BUG_ON(!page_is_ksm(kpage));
	stable_tree_append(item, kpage->mapping, vma);
	/*
	 * Linux finds the child's PTE through the parent's rmap_item's
	 * anon_vma (rmap_walk_ksm's search_new_forks pass), whose tree the
	 * child's VMA joins in anon_vma_fork(): the child's item takes that
	 * anon_vma, not the child VMA's own (which fork_copy_before_anon_vma_
	 * fork leaves unset during the copy; the end state must not depend on
	 * when the child is linked, only a walk in between may)
	 */
	if (parent && parent->head == kpage->mapping && parent->anon_vma)
		item->anon_vma = parent->anon_vma;
}

static void ksm_unmapped_item(struct world *w, struct ksm_stable_node *node,
			      struct mm *mm, uint64_t addr)
{
	struct ksm_rmap_item *item = rmap_item_find(mm, addr);

	(void)w;
	BUG_ON(!item || item->head != node);
	stable_node_unlink_item(item);
}

/*
 * The model's rmap_items are exact (one per PTE, file comment), so the
 * item moves with the PTE.  Linux keeps the one KSM scanned, in the
 * parent, and finds a fork child's PTE through the anon_vma at that
 * item's address (rmap_walk_ksm, search_new_forks): after this move it
 * would look at the old address and miss the PTE, which only makes a
 * migration or reclaim of the page fail, never a page mapped wrongly.
 */
void ksm_pte_moved(struct world *w, pfn_t pfn, struct vma *ovma,
		   uint64_t oaddr, struct vma *nvma, uint64_t naddr)
{
	struct page *kpage = pfn_page(w, pfn);

	ksm_unmapped_item(w, kpage->mapping, ovma->mm, oaddr);
	stable_tree_append(rmap_item_get(w, nvma->mm, naddr), kpage->mapping,
			   nvma);
}

void ksm_unmapped(struct world *w, pfn_t pfn, struct mm *mm, uint64_t addr)
{
	struct page *kpage = pfn_page(w, pfn);
	struct ksm_stable_node *node = kpage->mapping;

	ksm_unmapped_item(w, node, mm, addr);
	if (kpage->mapcount == 0) {
		/* the page goes with its last PTE, its stable node with it */
		stable_node_free(w, node);
		kpage->mapping = NULL;
		kpage->flags &= (uint8_t)~PG_KSM;
	}
}

void ksm_reuse_page(struct world *w, pfn_t pfn, struct vma *vma,
		    uint64_t addr, bool keep_index)
{
	struct page *kpage = pfn_page(w, pfn);
	struct ksm_stable_node *node = kpage->mapping;

	ksm_unmapped_item(w, node, vma->mm, addr);
	BUG_ON(node->hlist);
	stable_node_free(w, node);
	kpage->flags = (uint8_t)((kpage->flags & ~PG_KSM) | PG_ANON_EXCLUSIVE);
	kpage->mapping = vma->anon_vma;         /* page_move_anon_rmap */
	if (!keep_index)
		kpage->index = linear_page_index(vma, addr);
}

void ksm_exit(struct world *w, struct mm *mm)
{
	struct ksm_rmap_item *item = mm->ksm_rmap_list;

	(void)w;
	while (item) {
		struct ksm_rmap_item *next = item->rmap_list;

		BUG_ON(item->head);             /* exit_mmap zapped every PTE */
		core_free(item);
		item = next;
	}
	mm->ksm_rmap_list = NULL;
	mm->ksm_slot = 0;
}

void ksm_migrate(struct world *w, pfn_t from, pfn_t to)
{
	struct page *kpage = pfn_page(w, to);

	(void)from;
	if (page_is_ksm(kpage))
		((struct ksm_stable_node *)kpage->mapping)->kpfn = to;
}

/* ---- madvise ----------------------------------------------------------- */

struct unmerge_arg {
	uint64_t *addrs;
	uint32_t n, cap;
	struct world *w;
};

static void collect_ksm(struct world *w, struct mm *mm, uint64_t va,
			uint64_t *pte, void *arg)
{
	struct unmerge_arg *ua = arg;

	(void)mm;
	if (!pte_present(*pte) || !page_is_ksm(pfn_page(w, pte_pfn(*pte))))
		return;
	core_array_reserve(w, (void **)&ua->addrs, &ua->cap, ua->n,
			   sizeof(uint64_t));
	ua->addrs[ua->n++] = va;
}

/*
 * unmerge_ksm_pages() -> break_ksm(): an unsharing fault
 * (FAULT_FLAG_UNSHARE) at each address that maps a KSM page gives the
 * process its own copy, read-only as the PTE was.
 */
/* a PMD leaf maps a large folio: never a KSM page (issue 19) */
static void skip_leaf(struct world *w, struct mm *mm, uint64_t haddr,
		      uint64_t *pmd, void *arg)
{
	(void)w, (void)mm, (void)haddr, (void)pmd, (void)arg;
}

static void find_ksm(struct world *w, struct mm *mm, uint64_t va,
		     uint64_t *pte, void *arg)
{
	(void)mm, (void)va;
	if (pte_present(*pte) && page_is_ksm(pfn_page(w, pte_pfn(*pte))))
		*(bool *)arg = true;
}

bool ksm_range_maps_ksm(struct world *w, struct vma *vma, uint64_t start,
			uint64_t end)
{
	bool found = false;

	pgtable_range_each(w, vma->mm, start, end, find_ksm, skip_leaf, &found);
	return found;
}

int ksm_unmerge_range(struct world *w, struct vma *vma, uint64_t start,
		      uint64_t end)
{
	struct unmerge_arg ua = { NULL, 0, 0, w };
	int err = 0;

	pgtable_range_each(w, vma->mm, start, end, collect_ksm, skip_leaf, &ua);
	for (uint32_t i = 0; !err && i < ua.n; i++)
		err = fault_unshare(w, vma, ua.addrs[i]);
	core_free(ua.addrs);
	return err;
}

/* vma_ksm_compatible(): no shared mappings (VM_PFNMAP, VM_IO, ... absent) */
static bool vma_ksm_compatible(const struct vma *vma)
{
	return !(vma->flags & (VM_SHARED | VM_MAYSHARE));
}

int ksm_madvise(struct world *w, struct vma *vma, uint64_t start,
		uint64_t end, int advice, uint32_t *newflags)
{
	if (advice == ADV_MERGEABLE) {
		if ((*newflags & VM_MERGEABLE) || !vma_ksm_compatible(vma))
			return 0;
		if (!vma->mm->ksm_slot)          /* MMF_VM_MERGEABLE */
			vma->mm->ksm_slot = ++w->ksm_slot_seq;
		*newflags |= VM_MERGEABLE;
		return 0;
	}
	if (!(*newflags & VM_MERGEABLE))
		return 0;
	if (vma->anon_vma) {
		int err = ksm_unmerge_range(w, vma, start, end);

		if (err)
			return err;
	}
	*newflags &= ~(uint32_t)VM_MERGEABLE;
	return 0;
}

/* ---- ksmd's scan ------------------------------------------------------- */

struct scan_pass {
	struct world *w;
	struct vma *vma;
	struct ksm_rmap_item **unstable;  /* the unstable tree of this pass */
	uint32_t nunstable, cap;
	struct ksm_rmap_item **cursor;    /* ksm_scan.rmap_list of the mm */
	bool changed;
	int err;                          /* a backend's rmap_add failed */
};

/* find_mergeable_vma + the page there if anonymous (get_mergeable_page) */
static pfn_t mergeable_page(const struct world *w, const struct ksm_rmap_item *item,
			    struct vma **vmap, uint64_t **ptep)
{
	struct vma *vma = vma_lookup(item->mm, item->address);
	uint64_t *pte;
	pfn_t pfn;

	if (!vma || !(vma->flags & VM_MERGEABLE) || !vma->anon_vma)
		return 0;
	pte = pte_lookup(w, item->mm, item->address);
	if (!pte || !pte_present(*pte))
		return 0;
	pfn = pte_pfn(*pte);
	if (pfn_page(w, pfn)->kind != PAGE_ANON)
		return 0;
	*vmap = vma;
	*ptep = pte;
	return pfn;
}

/*
 * write_protect_page(): the PTE loses write and dirty, and the page its
 * PageAnonExclusive (folio_try_share_anon_rmap_pte): it is about to be
 * shared by processes that did not fork from each other.
 */
static void write_protect_page(struct world *w, uint64_t *pte)
{
	pfn_page(w, pte_pfn(*pte))->flags &= (uint8_t)~PG_ANON_EXCLUSIVE;
	if (*pte & (PTE_RW | PTE_D))
		set_pte(w, pte, *pte & ~(PTE_RW | PTE_D));
}

/*
 * replace_page(): (vma, addr) maps kpfn, read-only, instead of its page,
 * which is freed if that was its last mapping, and ITEM joins kpfn's
 * stable node (stable_tree_append) before the rmap observer hears of it.
 * The new mapping is recorded before the old one is dropped, as the COW
 * copy does.
 */
static int replace_page(struct world *w, struct vma *vma, uint64_t addr,
			uint64_t *pte, pfn_t kpfn, struct ksm_rmap_item *item)
{
	pfn_t old = pte_pfn(*pte);
	struct page *kpage = pfn_page(w, kpfn);
	int err;

	write_protect_page(w, pte);
	err = rmap_add(w, kpfn, vma, addr);
	if (err)
		return err;
	pte_zap_quiet(w, vma, addr, pte);
	kpage->refcount++;
	kpage->mapcount++;
	set_pte(w, pte, pfn_pte(kpfn, vma_pte_bits(vma)));
	remove_rmap_item_from_tree(item);
	stable_tree_append(item, kpage->mapping, vma);
	rmap_event(w, RMAP_EVENT_REMOVE, old, vma, addr);
	rmap_event(w, RMAP_EVENT_ADD, kpfn, vma, addr);
	return 0;
}

struct fork_mapping {
	struct world *w;
	struct vma *vmas[64];
	uint64_t addrs[64];
	uint32_t n;
	bool overflow;
};

static bool note_mapping(struct world *w, pfn_t pfn, struct vma *vma,
			 uint64_t addr, uint64_t *pte, void *arg)
{
	struct fork_mapping *fm = arg;

	(void)w; (void)pfn; (void)pte;
	if (fm->n == 64) {
		fm->overflow = true;
		return false;
	}
	fm->vmas[fm->n] = vma;
	fm->addrs[fm->n++] = addr;
	return true;
}

/*
 * try_to_merge_one_page(vma, page, NULL): the page becomes the KSM page
 * where it is; a page fork shared has its other PTEs write-protected
 * already, and each gets its rmap_item now (where Linux's would come at
 * ksmd's next pass over that mm).  false when the backend's rmap walk of
 * the page could not be done (it keeps more than 64 mappings: the page
 * is left as it is).
 */
static bool merge_in_place(struct scan_pass *sp, struct ksm_rmap_item *item,
			   struct vma *vma, uint64_t *pte)
{
	struct world *w = sp->w;
	pfn_t pfn = pte_pfn(*pte);
	struct page *page = pfn_page(w, pfn);
	struct fork_mapping fm = { .w = w };
	struct rmap_walk_control rwc = { note_mapping, &fm, NULL };
	struct ksm_stable_node *node;

	/* rmap_walk_anon over the core's anon_vma tree, whatever the backend */
	rmap_obj_ops.walk(w, pfn, &rwc);
	if (fm.overflow)
		return false;
	write_protect_page(w, pte);
	page->flags |= PG_KSM;
	node = stable_node_new(w, pfn);
	for (uint32_t i = 0; i < fm.n; i++) {
		struct ksm_rmap_item *it = rmap_item_get(w, fm.vmas[i]->mm,
							 fm.addrs[i]);

		remove_rmap_item_from_tree(it);
		stable_tree_append(it, node, fm.vmas[i]);
	}
	/* a walk that missed it leaves the oracle an rmap_item short */
	if (!item->head)
		stable_tree_append(item, node, vma);
	return true;
}

/* unstable_tree_search_insert(): the match, or NULL after inserting item */
static struct ksm_rmap_item *unstable_tree_search_insert(
	struct scan_pass *sp, struct ksm_rmap_item *item, pfn_t pfn)
{
	struct world *w = sp->w;

	for (uint32_t i = 0; i < sp->nunstable; i++) {
		struct ksm_rmap_item *t = sp->unstable[i];
		struct vma *tvma;
		uint64_t *tpte;
		pfn_t tpfn;

		if (!t->unstable)
			continue;
		tpfn = mergeable_page(w, t, &tvma, &tpte);
		if (!tpfn || page_is_ksm(pfn_page(w, tpfn)) ||
		    pfn_page(w, tpfn)->content != pfn_page(w, pfn)->content)
			continue;
		/* "Don't substitute a ksm page for a forked page." */
		if (tpfn == pfn)
			return NULL;
		return t;
	}
	core_array_reserve(w, (void **)&sp->unstable, &sp->cap, sp->nunstable,
			   sizeof(*sp->unstable));
	sp->unstable[sp->nunstable++] = item;
	item->unstable = true;
	return NULL;
}

/* cmp_and_merge_page(): one anonymous page of a mergeable VMA */
static void cmp_and_merge_page(struct scan_pass *sp, struct vma *vma,
			       uint64_t addr, uint64_t *pte,
			       struct ksm_rmap_item *item)
{
	struct world *w = sp->w;
	pfn_t pfn = pte_pfn(*pte);
	struct page *page = pfn_page(w, pfn);
	struct ksm_stable_node *node;
	struct ksm_rmap_item *tree_item;
	struct vma *tvma;
	uint64_t *tpte;

	if (page_is_ksm(page)) {
		/* stable_tree_search() finds the page itself: already merged */
		BUG_ON(item->head != page->mapping);
		return;
	}
	remove_rmap_item_from_tree(item);
	node = stable_tree_search(w, page->content);
	if (node) {
		/* try_to_merge_with_ksm_page(rmap_item, page, kpage) */
		sp->err = replace_page(w, vma, addr, pte, node->kpfn, item);
		sp->changed = true;
		return;
	}
	/* a page whose checksum changed since the last pass waits */
	if (!item->has_checksum || item->oldchecksum != page->content) {
		item->has_checksum = true;
		item->oldchecksum = page->content;
		sp->changed = true;
		return;
	}
	/* use_zero_pages = 0: a page of zeros merges like any other */
	tree_item = unstable_tree_search_insert(sp, item, pfn);
	if (!tree_item)
		return;
	/* try_to_merge_two_pages(): this page becomes the KSM page ... */
	if (!merge_in_place(sp, item, vma, pte))
		return;
	sp->changed = true;
	/* ... and the tree's page is replaced by it (stable_tree_insert) */
	if (mergeable_page(w, tree_item, &tvma, &tpte))
		sp->err = replace_page(w, tvma, tree_item->address, tpte, pfn,
				       tree_item);
}

/* remove the rmap_items from *pp up to addr (exclusive) */
static void drop_items_below(struct ksm_rmap_item **pp, uint64_t addr,
			     bool all)
{
	while (*pp && (all || (*pp)->address < addr)) {
		struct ksm_rmap_item *item = *pp;

		/* a stable one still maps its page: the model never drops it */
		if (item->head) {
			pp = &item->rmap_list;
			continue;
		}
		BUG_ON(item->unstable);  /* only items passed this pass are */
		*pp = item->rmap_list;
		core_free(item);
	}
}

static void scan_one_pte(struct world *w, struct mm *mm, uint64_t va,
			 uint64_t *pte, void *arg)
{
	struct scan_pass *sp = arg;
	struct ksm_rmap_item *item;

	if (sp->err)
		return;
	if (!pte_present(*pte) || pfn_page(w, pte_pfn(*pte))->kind != PAGE_ANON)
		return;                 /* the zero page, page cache, swap */
	/*
	 * not modelled (issue 19): a page of a large folio.  Linux's
	 * try_to_merge_one_page() splits the folio and merges the page; the
	 * model leaves large folios (PTE- or PMD-mapped) unmerged
	 */
	if (pfn_page(w, pte_pfn(*pte))->folio_order)
		return;
	/* not modelled: a page in the swap cache becoming a KSM page (see
	 * folio_pageout: KSM pages never go through swap here) */
	if (pfn_page(w, pte_pfn(*pte))->flags & PG_SWAPCACHE)
		return;
	/* get_next_rmap_item(): items of addresses passed go */
	drop_items_below(sp->cursor, va, false);
	item = rmap_item_get(w, mm, va);
	while (*sp->cursor != item)
		sp->cursor = &(*sp->cursor)->rmap_list;
	sp->cursor = &item->rmap_list;
	cmp_and_merge_page(sp, sp->vma, va, pte, item);
}

/* scan_get_next_rmap_item() over one mm, then remove_trailing_rmap_items */
static void scan_mm(struct scan_pass *sp, struct mm *mm)
{
	sp->cursor = &mm->ksm_rmap_list;
	for (uint32_t i = 0; i < mm->nvmas; i++) {
		struct vma *vma = mm->vmas[i];

		if (!(vma->flags & VM_MERGEABLE) || !vma->anon_vma)
			continue;
		sp->vma = vma;
		pgtable_range_each(sp->w, mm, vma->start, vma->end,
				   scan_one_pte, skip_leaf, sp);
	}
	if (!sp->err)
		drop_items_below(sp->cursor, 0, true);
}

/* the mms in KSM's list, in the order they entered it (their mm_slots) */
static struct mm *next_slot(const struct world *w, uint64_t after)
{
	struct mm *best = NULL;

	for (uint32_t pid = 0; pid < w->nmms; pid++) {
		struct mm *mm = mm_get(w, pid);

		if (mm && mm->ksm_slot > after &&
		    (!best || mm->ksm_slot < best->ksm_slot))
			best = mm;
	}
	return best;
}

/*
 * one full scan (ksm_do_scan until ksm_scan.seqnr moves): true if it
 * changed something.  *ERR: -ENOMEM when a backend could not record a
 * merge (the model's only failure there): the pass stops, the merge not
 * made, every merge before it kept.
 */
static bool full_scan(struct world *w, int *err)
{
	struct scan_pass sp = { .w = w };

	for (struct mm *mm = next_slot(w, 0); mm && !sp.err;
	     mm = next_slot(w, mm->ksm_slot))
		scan_mm(&sp, mm);
	*err = sp.err;
	/* the unstable tree is thrown away after every full scan */
	for (uint32_t i = 0; i < sp.nunstable; i++)
		sp.unstable[i]->unstable = false;
	core_free(sp.unstable);
	return sp.changed;
}

#define KSM_MAX_PASSES 64

int ksm_scan(struct world *w)
{
	uint32_t pass = 0;
	int err = 0;

	/* each pass that changes something merges a page or records a sum */
	while (full_scan(w, &err) && !err)
		BUG_ON(++pass > KSM_MAX_PASSES);
	return err ? err : RES_OK;
}

/* ---- rmap_walk_ksm ------------------------------------------------------ */

struct ksm_walk {
	struct world *w;
	pfn_t pfn;
	const struct ksm_rmap_item *item;
	struct rmap_walk_control *rwc;
	bool stop;
};

static bool ksm_walk_vma(struct itree_node *n, void *arg)
{
	struct ksm_walk *kw = arg;
	struct vma *vma = itree_entry(n, struct anon_vma_chain, rb)->vma;
	uint64_t addr = kw->item->address;
	uint64_t *pte;

	kw->w->stats.vmas_visited++;
	/* the first pass of rmap_walk_ksm: the rmap_item's own mm */
	if (addr < vma->start || addr >= vma->end || vma->mm != kw->item->mm)
		return true;
	pte = pte_lookup(kw->w, vma->mm, addr);
	kw->w->stats.ptes_checked++;
	if (!pte || !pte_present(*pte) || pte_pfn(*pte) != kw->pfn)
		return true;
	if (!kw->rwc->rmap_one(kw->w, kw->pfn, vma, addr, pte, kw->rwc->arg)) {
		kw->stop = true;
		return false;
	}
	return true;
}

int rmap_walk_ksm(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc)
{
	struct ksm_stable_node *node = pfn_page(w, pfn)->mapping;
	struct ksm_walk kw = { w, pfn, NULL, rwc, false };

	/*
	 * An item with no anon_vma leads nowhere: the walk misses that PTE,
	 * and the walk check says so (a fork copy takes the parent's item's,
	 * ksm_fork_copy)
	 */
	for (kw.item = node->hlist; kw.item && !kw.stop; kw.item = kw.item->hlist)
		if (kw.item->anon_vma)
			itree_query(&kw.item->anon_vma->rb_root, 0, UINT64_MAX,
				    ksm_walk_vma, &kw);
	return 0;
}

bool ksm_page_locks_anon_vma(const struct world *w, pfn_t pfn,
			     const struct anon_vma *root)
{
	const struct ksm_stable_node *node = pfn_page(w, pfn)->mapping;

	for (const struct ksm_rmap_item *it = node->hlist; it; it = it->hlist)
		if (it->anon_vma && it->anon_vma->root == root)
			return true;
	return false;
}
