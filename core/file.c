/*
 * file.c - files as address_spaces: a page cache (pgoff -> frame) and the
 * i_mmap interval tree of the VMAs mapping it, keyed by page offset range.
 *
 * Named files are created by the trace's `file` op and live as long as the
 * world (a tmpfs file keeps its pages with no mapping).  Each MAP_SHARED |
 * MAP_ANONYMOUS mapping gets its own shmem-like file (shmem_zero_setup), freed
 * with its pages when its last VMA goes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/address_space.h"
#include "core/alloc.h"
#include "core/bug.h"
#include "core/interval_tree.h"
#include "core/phys.h"
#include "core/pte_ops.h"

struct file *file_new(struct world *w, uint64_t size, bool shmem_anon)
{
	struct file *f = core_zalloc(w, sizeof(*f));

	if (!f)
		return NULL;
	f->size = size;
	f->shmem_anon = shmem_anon;
	f->refcount = 1;
	return f;
}

void file_get(struct file *f)
{
	f->refcount++;
}

/* drop every cache page at or past from, last first */
static void file_drop_cache(struct world *w, struct file *f, uint64_t from)
{
	while (f->ncache && f->cache[f->ncache - 1].pgoff >= from)
		file_cache_remove(w, f, f->cache[f->ncache - 1].pgoff);
}

void file_put(struct world *w, struct file *f)
{
	BUG_ON(f->refcount <= 0);
	if (--f->refcount)
		return;
	BUG_ON(f->i_mmap.count != 0);
	file_drop_cache(w, f, 0);
	free(f->cache);
	free(f);
}

void i_mmap_insert(struct file *f, struct vma *vma)
{
	itree_insert(&f->i_mmap, &vma->shared, vma->pgoff, vma_last_pgoff(vma),
		     vma->serial);
}

void i_mmap_remove(struct file *f, struct vma *vma)
{
	itree_remove(&f->i_mmap, &vma->shared);
}

/* index of the first entry with pgoff >= the one asked for */
static uint32_t cache_pos(const struct file *f, uint64_t pgoff)
{
	uint32_t lo = 0, hi = f->ncache;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (f->cache[mid].pgoff < pgoff)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

pfn_t file_cache_lookup(const struct file *f, uint64_t pgoff)
{
	uint32_t i = cache_pos(f, pgoff);

	return i < f->ncache && f->cache[i].pgoff == pgoff ? f->cache[i].pfn : 0;
}

int file_cache_get(struct world *w, struct file *f, uint64_t pgoff, pfn_t *pfn)
{
	struct page *page;
	uint32_t i;
	pfn_t p = file_cache_lookup(f, pgoff);

	if (!p) {
		p = frame_alloc(w, PAGE_FILE);
		if (!p)
			return -ENOMEM;
		page = pfn_page(w, p);
		page->mapping = f;
		page->index = pgoff;
		page->refcount = 1;            /* the page cache's reference */
		i = cache_pos(f, pgoff);
		array_reserve((void **)&f->cache, &f->cap_cache, f->ncache,
			      sizeof(struct cache_ent));
		memmove(&f->cache[i + 1], &f->cache[i],
			(f->ncache - i) * sizeof(struct cache_ent));
		f->cache[i] = (struct cache_ent){ pgoff, p };
		f->ncache++;
	}
	*pfn = p;
	return 0;
}

void file_cache_replace(struct file *f, uint64_t pgoff, pfn_t pfn)
{
	uint32_t i = cache_pos(f, pgoff);

	BUG_ON(i >= f->ncache || f->cache[i].pgoff != pgoff);
	f->cache[i].pfn = pfn;
}

void file_cache_remove(struct world *w, struct file *f, uint64_t pgoff)
{
	uint32_t i = cache_pos(f, pgoff);
	pfn_t p;

	BUG_ON(i >= f->ncache || f->cache[i].pgoff != pgoff);
	p = f->cache[i].pfn;
	memmove(&f->cache[i], &f->cache[i + 1],
		(f->ncache - i - 1) * sizeof(struct cache_ent));
	f->ncache--;
	pfn_page(w, p)->mapping = NULL;
	page_put(w, p);
}

struct vma_list {
	struct vma **v;
	uint32_t n, cap;
};

static bool collect_vma(struct itree_node *node, void *arg)
{
	struct vma_list *l = arg;

	array_reserve((void **)&l->v, &l->cap, l->n, sizeof(void *));
	l->v[l->n++] = itree_entry(node, struct vma, shared);
	return true;
}

/*
 * truncate_pagecache / unmap_mapping_range(even_cows=1): every PTE at or past
 * the new end is zapped in every VMA of i_mmap that maps it, private COW
 * copies and swap entries included, then the page cache past the end goes.
 */
int file_truncate(struct world *w, struct file *f, uint64_t size)
{
	uint64_t old_size = f->size;
	uint64_t first = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct vma_list l = { NULL, 0, 0 };

	f->size = size;
	if (size >= old_size)
		return 0;
	itree_query(&f->i_mmap, first, UINT64_MAX, collect_vma, &l);
	for (uint32_t i = 0; i < l.n; i++) {
		struct vma *vma = l.v[i];
		uint64_t start = vma->start;

		if (first > vma->pgoff)
			start += (first - vma->pgoff) << PAGE_SHIFT;
		zap_vma_range(w, vma, start, vma->end);
	}
	free(l.v);
	file_drop_cache(w, f, first);
	return 0;
}
