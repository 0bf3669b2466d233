/*
 * address_space.c - the address_space of a file: its page cache (pgoff ->
 * frame) and the i_mmap interval tree of the VMAs mapping it, keyed by page
 * offset range (mm/filemap.c, mm/truncate.c).
 *
 * The address_spaces of the trace's named files are created by its `file`
 * op and live as long as the world (a tmpfs file keeps its pages with no
 * mapping).  Each MAP_SHARED | MAP_ANONYMOUS mapping gets a shmem-like one
 * of its own (shmem_zero_setup), freed with its pages when its last VMA goes.
 */
#include <errno.h>
#include <string.h>

#include "bugs/bugs.h"
#include "core/address_space.h"
#include "core/alloc.h"
#include "core/bug.h"
#include "core/interleave.h"
#include "core/interval_tree.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/pte_ops.h"

struct address_space *address_space_new(struct world *w, uint64_t size,
				       bool shmem_anon)
{
	struct address_space *mapping = core_zalloc(w, sizeof(*mapping));

	if (!mapping)
		return NULL;
	mapping->size = size;
	mapping->shmem_anon = shmem_anon;
	mapping->refcount = 1;
	return mapping;
}

void address_space_get(struct address_space *mapping)
{
	mapping->refcount++;
}

/* drop every cache page at or past from, last first */
static void page_cache_drop_from(struct world *w, struct address_space *mapping,
				 uint64_t from)
{
	while (mapping->ncache && mapping->cache[mapping->ncache - 1].pgoff >= from)
		page_cache_remove(w, mapping,
				  mapping->cache[mapping->ncache - 1].pgoff);
}

void address_space_put(struct world *w, struct address_space *mapping)
{
	BUG_ON(mapping->refcount <= 0);
	if (--mapping->refcount)
		return;
	BUG_ON(mapping->i_mmap.count != 0);
	page_cache_drop_from(w, mapping, 0);
	core_free(mapping->cache);
	core_free(mapping);
}

void i_mmap_insert(struct address_space *mapping, struct vma *vma)
{
	itree_insert(&mapping->i_mmap, &vma->shared, vma->pgoff,
		     vma_last_pgoff(vma), vma->serial);
}

void i_mmap_remove(struct address_space *mapping, struct vma *vma)
{
	itree_remove(&mapping->i_mmap, &vma->shared);
}

/* index of the first entry with pgoff >= the one asked for */
static uint32_t cache_pos(const struct address_space *mapping, uint64_t pgoff)
{
	uint32_t lo = 0, hi = mapping->ncache;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (mapping->cache[mid].pgoff < pgoff)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

pfn_t page_cache_lookup(const struct address_space *mapping, uint64_t pgoff)
{
	uint32_t i = cache_pos(mapping, pgoff);

	if (i < mapping->ncache && mapping->cache[i].pgoff == pgoff)
		return mapping->cache[i].pfn;
	return 0;
}

int page_cache_get(struct world *w, struct address_space *mapping,
		   uint64_t pgoff, pfn_t *pfn)
{
	struct page *page;
	pfn_t p = page_cache_lookup(mapping, pgoff);

	if (!p) {
		p = frame_alloc(w, PAGE_FILE);
		if (!p)
			return -ENOMEM;
		page = pfn_page(w, p);
		page->mapping = mapping;
		page->index = pgoff;
		page->refcount = 1;            /* the page cache's reference */
		page_cache_insert(w, mapping, pgoff, p);
	}
	*pfn = p;
	return 0;
}

int page_cache_insert(struct world *w, struct address_space *mapping,
		      uint64_t pgoff, pfn_t pfn)
{
	uint32_t i = cache_pos(mapping, pgoff);

	if (i < mapping->ncache && mapping->cache[i].pgoff == pgoff)
		return -EEXIST;
	core_array_reserve(w, (void **)&mapping->cache, &mapping->cap_cache,
			   mapping->ncache, sizeof(struct cache_ent));
	memmove(&mapping->cache[i + 1], &mapping->cache[i],
		(mapping->ncache - i) * sizeof(struct cache_ent));
	mapping->cache[i] = (struct cache_ent){ pgoff, pfn };
	mapping->ncache++;
	return 0;
}

void page_cache_replace(struct address_space *mapping, uint64_t pgoff,
			pfn_t pfn)
{
	uint32_t i = cache_pos(mapping, pgoff);

	BUG_ON(i >= mapping->ncache || mapping->cache[i].pgoff != pgoff);
	mapping->cache[i].pfn = pfn;
}

void page_cache_remove(struct world *w, struct address_space *mapping,
		       uint64_t pgoff)
{
	uint32_t i = cache_pos(mapping, pgoff);
	pfn_t p;

	BUG_ON(i >= mapping->ncache || mapping->cache[i].pgoff != pgoff);
	p = mapping->cache[i].pfn;
	memmove(&mapping->cache[i], &mapping->cache[i + 1],
		(mapping->ncache - i - 1) * sizeof(struct cache_ent));
	mapping->ncache--;
	pfn_page(w, p)->mapping = NULL;
	page_put(w, p);
}

struct vma_list {
	struct world *w;
	struct vma **v;
	uint32_t n, cap;
};

static bool collect_vma(struct itree_node *node, void *arg)
{
	struct vma_list *l = arg;

	core_array_reserve(l->w, (void **)&l->v, &l->cap, l->n, sizeof(void *));
	l->v[l->n++] = itree_entry(node, struct vma, shared);
	return true;
}

struct vma **i_mmap_vmas(struct world *w, struct address_space *mapping,
			 uint64_t first, uint64_t last, uint32_t *n)
{
	struct vma_list l = { w, NULL, 0, 0 };

	itree_query(&mapping->i_mmap, first, last, collect_vma, &l);
	*n = l.n;
	return l.v;
}

/* unmap_mapping_range with even_cows = 0: page-cache pages only */
static void zap_cache_pte(struct world *w, struct mm *mm, uint64_t va,
			  uint64_t *pte, void *arg)
{
	if (pte_present(*pte) && pfn_page(w, pte_pfn(*pte))->kind == PAGE_FILE)
		pte_zap(w, arg, va, pte);
}

/*
 * truncate_setsize + truncate_pagecache / unmap_mapping_range(even_cows=1):
 * every PTE at or past the new end is zapped in every VMA of i_mmap that
 * maps it, private COW copies and swap entries included, then the page
 * cache past the end goes.
 */
int truncate_setsize(struct world *w, struct address_space *mapping,
		     uint64_t size)
{
	uint64_t old_size = mapping->size;
	uint64_t first = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct vma **v;
	uint32_t n;

	mapping->size = size;
	if (size >= old_size)
		return 0;
	v = i_mmap_vmas(w, mapping, first, UINT64_MAX, &n);
	for (uint32_t i = 0; i < n; i++) {
		struct vma *vma = v[i];
		uint64_t start = vma->start;

		/*
		 * unmap_mapping_range_tree(): one VMA of i_mmap after the other,
		 * i_mmap_rwsem held for read, which rmap walkers share
		 * (rmap_walk_file's i_mmap_lock_read); each VMA's PTL is taken
		 * and dropped inside zap_page_range_single().
		 */
		if (i)
			MM_YIELD(w, YP_TRUNCATE_BETWEEN_VMAS, .i_mmap = mapping,
				 .i_mmap_read = true);

		if (BUG_INJECTED(truncate_skips_vma, n >= 2 && i == n - 1))
			continue;
		if (first > vma->pgoff)
			start += (first - vma->pgoff) << PAGE_SHIFT;
		if (BUG_INJECTED(truncate_spares_cow, !(vma->flags & VM_SHARED))) {
			pte_range_each(w, vma->mm, start, vma->end, zap_cache_pte, vma);
			continue;
		}
		zap_vma_range(w, vma, start, vma->end);
	}
	core_free(v);
	page_cache_drop_from(w, mapping, first);
	return 0;
}
