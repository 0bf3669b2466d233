/*
 * page_rules.c - the rules of page_rules.h on one frame and the PTEs that
 * map it.  Everything is read from the page tables and struct page as
 * core left them; nothing here asks a backend.
 */
#include <stdbool.h>

#include "core/address_space.h"
#include "core/mm_types.h"
#include "core/pgtable.h"
#include "core/vma.h"
#include "oracle/invariant_fail.h"
#include "oracle/page_rules.h"

static const struct vma *map_vma(const struct world *w, const struct scan_entry *e)
{
	const struct mm *mm = mm_get(w, e->pid);

	return mm ? vma_lookup(mm, e->addr) : NULL;
}

static bool private_writable(const struct vma *vma, uint64_t pte)
{
	return (pte & PTE_RW) && !(vma->flags & VM_SHARED);
}

/* a swap slot that swap PTEs still refer to: its contents are shared */
static int32_t swap_refs(const struct world *w, const struct page *pg)
{
	if (!(pg->flags & PG_SWAPCACHE) || pg->swap >= w->swap.nslots)
		return 0;
	return w->swap.slots[pg->swap].count;
}

/* unmap_mapping_range(even_cows): nothing of a file VMA is left past EOF */
static int check_offset(const struct scan_entry *e, const struct vma *vma,
			char *msg, size_t len)
{
	uint64_t pgoff;

	if (!vma->mapping)
		return 0;
	pgoff = linear_page_index(vma, e->addr);
	if (pgoff < mapping_pages(vma->mapping))
		return 0;
	return invariant_fail(msg, len, "truncate",
		"p%u:0x%llx (%s entry 0x%llx) maps page offset %llu of %s %u, "
		"whose size %llu ends at page %llu: truncation unmaps every "
		"mapping past the end, private COW copies included "
		"(unmap_mapping_range, even_cows)", e->pid,
		(unsigned long long)e->addr, pte_present(e->pte) ? "present" : "swap",
		(unsigned long long)e->pte, (unsigned long long)pgoff,
		vma->mapping->shmem_anon ? "shmem file" : "file", vma->mapping->id,
		(unsigned long long)vma->mapping->size,
		(unsigned long long)mapping_pages(vma->mapping));
}

int page_rules_check_offset(const struct world *w, const struct scan_entry *e,
			    char *msg, size_t len)
{
	const struct vma *vma = map_vma(w, e);

	return vma ? check_offset(e, vma, msg, len) : 0;
}

/* page_table_check_set: anon_map_count > 1 with a writable mapping */
static int check_anon_rw(const struct world *w, uint64_t pfn,
			 const struct scan_entry *map, uint32_t n,
			 char *msg, size_t len)
{
	if (pfn_page(w, pfn)->kind != PAGE_ANON || n < 2)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (map[i].pte & PTE_RW)
			return invariant_fail(msg, len, "ptc-anon-rw",
				"anon page %llu is mapped by %u PTEs and writable at "
				"p%u:0x%llx: fork write-protects both sides "
				"(copy_present_pte), page_table_check_set forbids it",
				(unsigned long long)pfn, n, map[i].pid,
				(unsigned long long)map[i].addr);
	return 0;
}

/* page_table_check_set: anon_map_count and file_map_count never both */
static int check_anon_file(const struct world *w, uint64_t pfn,
			   const struct scan_entry *e, const struct vma *vma,
			   char *msg, size_t len)
{
	const struct page *pg = pfn_page(w, pfn);

	if (pg->kind == PAGE_FILE && (pg->flags & PG_SWAPCACHE))
		return invariant_fail(msg, len, "ptc-anon-file",
			"page-cache page %llu (mapped at p%u:0x%llx) is in the swap "
			"cache, as only anonymous pages are", (unsigned long long)pfn,
			e->pid, (unsigned long long)e->addr);
	if (pg->kind != PAGE_ANON)
		return 0;
	if (vma->flags & VM_SHARED)
		return invariant_fail(msg, len, "ptc-anon-file",
			"anon page %llu is mapped at p%u:0x%llx through a shared "
			"mapping, which maps only its file's pages",
			(unsigned long long)pfn, e->pid, (unsigned long long)e->addr);
	if (vma->mapping &&
	    page_cache_lookup(vma->mapping, linear_page_index(vma, e->addr)) == pfn)
		return invariant_fail(msg, len, "ptc-anon-file",
			"anon page %llu mapped at p%u:0x%llx is also the page-cache "
			"page of %s %u at offset %llu", (unsigned long long)pfn,
			e->pid, (unsigned long long)e->addr,
			vma->mapping->shmem_anon ? "shmem file" : "file",
			vma->mapping->id,
			(unsigned long long)linear_page_index(vma, e->addr));
	return 0;
}

/* do_wp_page: a private mapping writes only to its own anonymous copy */
static int check_cow(const struct world *w, uint64_t pfn,
		     const struct scan_entry *e, const struct vma *vma,
		     char *msg, size_t len)
{
	const struct page *pg = pfn_page(w, pfn);

	if (!private_writable(vma, e->pte) || pg->kind == PAGE_ANON)
		return 0;
	return invariant_fail(msg, len, "cow-wp",
		"p%u:0x%llx, a private mapping, maps %s %llu writable: a write "
		"would reach memory others see; do_wp_page copies it first",
		e->pid, (unsigned long long)e->addr,
		pg->kind == PAGE_ZERO ? "the zero page" : "page-cache page",
		(unsigned long long)pfn);
}

/*
 * PageAnonExclusive: the flag on every page a private mapping maps
 * writable (WRITABLE, the first such PTE, or NULL), and a page so flagged
 * is mapped by one PTE, its swap slot (when in the swap cache) referred to
 * by no swap PTE
 */
static int check_exclusive(const struct world *w, uint64_t pfn,
			   const struct scan_entry *map, uint32_t n,
			   const struct scan_entry *writable,
			   char *msg, size_t len)
{
	const struct page *pg = pfn_page(w, pfn);

	if (pg->kind != PAGE_ANON)
		return 0;
	if (!(pg->flags & PG_ANON_EXCLUSIVE))
		return writable ? invariant_fail(msg, len, "anon-exclusive",
			"anon page %llu is writable at p%u:0x%llx but not "
			"PageAnonExclusive (wp_page_reuse)", (unsigned long long)pfn,
			writable->pid, (unsigned long long)writable->addr) : 0;
	/*
	 * a page of a large folio that no PTE maps any more keeps the flag
	 * until the folio is freed or split (__folio_remove_rmap leaves it)
	 */
	if (n == 0 && pg->folio_order && pg->refcount == 0)
		return 0;
	if (n != 1)
		return invariant_fail(msg, len, "anon-exclusive",
			"PageAnonExclusive page %llu is mapped by %u PTEs, not one "
			"(fork clears the flag: folio_try_dup_anon_rmap_pte)",
			(unsigned long long)pfn, n);
	if (swap_refs(w, pg) > 0)
		return invariant_fail(msg, len, "anon-exclusive",
			"PageAnonExclusive page %llu (mapped at p%u:0x%llx) shares swap "
			"slot %llu with %d swap PTEs", (unsigned long long)pfn,
			map[0].pid, (unsigned long long)map[0].addr,
			(unsigned long long)pg->swap, swap_refs(w, pg));
	return 0;
}

int page_rules_check(const struct world *w, uint64_t pfn,
		     const struct scan_entry *map, uint32_t n,
		     char *msg, size_t len)
{
	const struct scan_entry *writable = NULL;

	if (check_anon_rw(w, pfn, map, n, msg, len))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct vma *vma = map_vma(w, &map[i]);

		if (!vma)
			continue;
		if (check_offset(&map[i], vma, msg, len) ||
		    check_anon_file(w, pfn, &map[i], vma, msg, len) ||
		    check_cow(w, pfn, &map[i], vma, msg, len))
			return -1;
		if (!writable && private_writable(vma, map[i].pte))
			writable = &map[i];
	}
	return check_exclusive(w, pfn, map, n, writable, msg, len);
}
