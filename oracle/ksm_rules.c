/*
 * ksm_rules.c - what holds for KSM pages instead of the linearity formula
 * (mm/ksm.c; core/ksm.c models it).  A KSM page merges pages of unrelated
 * processes at unrelated addresses, so vm_start + ((index - vm_pgoff) <<
 * 12) names none of them; what rmap_walk_ksm() relies on instead:
 *
 *   ksm-rmap_item   each rmap_item of a stable node: its (mm, address)
 *                   maps the node's page, and the VMA there links the
 *                   rmap_item's anon_vma (the walk looks the VMA up in
 *                   that anon_vma's tree); as many rmap_items as PTEs
 *                   (the model keeps them exact: core/ksm.c says why)
 *   ksm-stable      one stable node per content that takes new pages
 *                   (a sharing candidate: an rmap_item of an mm ksmd
 *                   scans), holding its page's content: stable_tree_search()
 *                   finds one such page per content, and a second would
 *                   never be merged into.  A node none of whose rmap_items
 *                   is of such an mm takes no page (__is_page_sharing_
 *                   candidate), and Linux chains a new node of its content
 *                   beside it (stable_tree_insert: a stable_node chain of
 *                   dups): that pair is allowed
 *   ksm-page        a KSM page's mapping is a live stable node
 *   ksm-wp          every PTE of a KSM page is write-protected
 *                   (write_protect_page, replace_page): a write must go
 *                   through do_wp_page's copy, never into the shared page
 */
#include "core/anon_vma.h"
#include "core/ksm.h"
#include "core/pgtable.h"
#include "core/vma.h"
#include "oracle/invariant_fail.h"
#include "oracle/ksm_rules.h"

static bool node_live(const struct world *w, const struct ksm_stable_node *node)
{
	for (const struct ksm_stable_node *n = w->ksm_stable; n; n = n->next)
		if (n == node)
			return true;
	return false;
}

/* every PTE of a KSM page: its node is live, the PTE read-only */
static int check_ksm_ptes(const struct world *w, const struct scan *s,
			  char *msg, size_t len)
{
	for (uint32_t i = 0; i < s->n; i++) {
		const struct scan_entry *e = &s->e[i];
		const struct page *pg = pfn_page(w, e->pfn);

		if (e->pfn >= w->phys.nframes || !page_is_ksm(pg))
			continue;
		if (!node_live(w, pg->mapping))
			return invariant_fail(msg, len, "ksm-page",
				"p%u:0x%llx maps KSM page %llu whose mapping is "
				"no stable node", e->pid,
				(unsigned long long)e->addr,
				(unsigned long long)e->pfn);
		if (e->pte & PTE_RW)
			return invariant_fail(msg, len, "ksm-wp",
				"p%u:0x%llx maps KSM page %llu writable: a write "
				"would change every process's copy", e->pid,
				(unsigned long long)e->addr,
				(unsigned long long)e->pfn);
	}
	return 0;
}

static int check_item(const struct world *w, const struct ksm_stable_node *node,
		      const struct ksm_rmap_item *it, char *msg, size_t len)
{
	const struct mm *mm = it->mm;
	const uint64_t *pte = mm->alive ? pte_lookup(w, mm, it->address) : NULL;
	const struct vma *vma = mm->alive ? vma_lookup(mm, it->address) : NULL;

	if (!pte || !pte_present(*pte) || pte_pfn(*pte) != node->kpfn)
		return invariant_fail(msg, len, "ksm-rmap_item",
			"p%u:0x%llx: an rmap_item of KSM page %llu, but that "
			"address does not map it", mm->pid,
			(unsigned long long)it->address,
			(unsigned long long)node->kpfn);
	if (!vma || !it->anon_vma || !vma_links_anon_vma(vma, it->anon_vma))
		return invariant_fail(msg, len, "ksm-rmap_item",
			"p%u:0x%llx: the VMA there does not link the anon_vma "
			"of its rmap_item (KSM page %llu): rmap_walk_ksm would "
			"not find it", mm->pid, (unsigned long long)it->address,
			(unsigned long long)node->kpfn);
	return 0;
}

/* does NODE have an rmap_item of an mm in KSM's list (a sharing candidate)? */
static bool takes_pages(const struct ksm_stable_node *node)
{
	for (const struct ksm_rmap_item *it = node->hlist; it; it = it->hlist)
		if (it->mm->ksm_slot)
			return true;
	return false;
}

static int check_nodes(const struct world *w, char *msg, size_t len)
{
	for (const struct ksm_stable_node *n = w->ksm_stable; n; n = n->next) {
		const struct page *pg = pfn_page(w, n->kpfn);
		int32_t items = 0;

		for (const struct ksm_stable_node *m = n->next; m; m = m->next)
			if (m->content == n->content && takes_pages(n) &&
			    takes_pages(m))
				return invariant_fail(msg, len, "ksm-stable",
					"KSM pages %llu and %llu hold the same "
					"content: two stable nodes for one",
					(unsigned long long)n->kpfn,
					(unsigned long long)m->kpfn);
		if (!page_is_ksm(pg) || pg->mapping != n ||
		    pg->content != n->content)
			return invariant_fail(msg, len, "ksm-stable",
				"the stable node of frame %llu: the frame is not "
				"its KSM page, or holds other content",
				(unsigned long long)n->kpfn);
		for (const struct ksm_rmap_item *it = n->hlist; it; it = it->hlist) {
			if (check_item(w, n, it, msg, len))
				return -1;
			items++;
		}
		if (items != pg->mapcount || items != n->rmap_hlist_len)
			return invariant_fail(msg, len, "ksm-rmap_item",
				"KSM page %llu has %d PTEs but %d rmap_items "
				"(rmap_hlist_len %d)", (unsigned long long)n->kpfn,
				pg->mapcount, items, n->rmap_hlist_len);
	}
	return 0;
}

int ksm_rules_check(const struct world *w, const struct scan *s, char *msg,
		    size_t len)
{
	return check_ksm_ptes(w, s, msg, len) || check_nodes(w, msg, len) ? -1 : 0;
}
