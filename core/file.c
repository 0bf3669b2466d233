/*
 * file.c - files as address_spaces: a page cache (pgoff -> frame) and the
 * i_mmap set of VMAs mapping the file (Linux's i_mmap interval tree, kept
 * here as an array in creation order; the object backend indexes it).
 *
 * Named files are created by the trace's `file` op and live as long as the
 * world (a tmpfs file keeps its pages with no mapping).  Each MAP_SHARED |
 * MAP_ANONYMOUS mapping gets its own shmem-like file (shmem_zero_setup), freed
 * with its pages when its last VMA goes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

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

static void file_drop_cache(struct world *w, struct file *f, uint64_t from)
{
	for (uint64_t i = from; i < f->cache_len; i++)
		if (f->cache[i])
			file_cache_remove(w, f, i);
}

void file_put(struct world *w, struct file *f)
{
	BUG_ON(f->refcount <= 0);
	if (--f->refcount)
		return;
	BUG_ON(f->ni_mmap != 0);
	file_drop_cache(w, f, 0);
	free(f->cache);
	free(f->i_mmap);
	free(f);
}

void i_mmap_insert(struct file *f, struct vma *vma)
{
	uint32_t i = f->ni_mmap;

	array_reserve((void **)&f->i_mmap, &f->cap_i_mmap, f->ni_mmap, sizeof(void *));
	/* keep serial order so every walk visits VMAs in the same order */
	while (i > 0 && f->i_mmap[i - 1]->serial > vma->serial) {
		f->i_mmap[i] = f->i_mmap[i - 1];
		i--;
	}
	f->i_mmap[i] = vma;
	f->ni_mmap++;
}

void i_mmap_remove(struct file *f, struct vma *vma)
{
	for (uint32_t i = 0; i < f->ni_mmap; i++) {
		if (f->i_mmap[i] == vma) {
			memmove(&f->i_mmap[i], &f->i_mmap[i + 1],
				(f->ni_mmap - i - 1) * sizeof(void *));
			f->ni_mmap--;
			return;
		}
	}
	BUG_ON(1);
}

pfn_t file_cache_lookup(const struct file *f, uint64_t pgoff)
{
	return pgoff < f->cache_len ? f->cache[pgoff] : 0;
}

int file_cache_get(struct world *w, struct file *f, uint64_t pgoff, pfn_t *pfn)
{
	struct page *page;
	pfn_t p = file_cache_lookup(f, pgoff);

	if (!p) {
		p = frame_alloc(w, PAGE_FILE);
		if (!p)
			return -ENOMEM;
		if (pgoff >= f->cache_len) {
			uint64_t n = f->cache_len ? f->cache_len : 16;

			while (n <= pgoff)
				n *= 2;
			f->cache = realloc(f->cache, n * sizeof(pfn_t));
			if (!f->cache)
				core_bug(__FILE__, __LINE__, "out of host memory");
			memset(f->cache + f->cache_len, 0, (n - f->cache_len) * sizeof(pfn_t));
			f->cache_len = n;
		}
		page = pfn_page(w, p);
		page->mapping = f;
		page->index = pgoff;
		page->refcount = 1;            /* the page cache's reference */
		f->cache[pgoff] = p;
	}
	*pfn = p;
	return 0;
}

void file_cache_remove(struct world *w, struct file *f, uint64_t pgoff)
{
	pfn_t p = f->cache[pgoff];

	f->cache[pgoff] = 0;
	pfn_page(w, p)->mapping = NULL;
	page_put(w, p);
}

/*
 * truncate_pagecache / unmap_mapping_range(even_cows=1): every PTE at or past
 * the new end is zapped in every VMA of i_mmap, private COW copies and swap
 * entries included, then the page cache beyond the end is dropped.
 */
int file_truncate(struct world *w, struct file *f, uint64_t size)
{
	uint64_t old_size = f->size;
	uint64_t first = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	f->size = size;
	if (size >= old_size)
		return 0;
	for (uint32_t i = 0; i < f->ni_mmap; i++) {
		struct vma *vma = f->i_mmap[i];
		uint64_t start, end = vma->end;

		if (vma->pgoff + vma_pages(vma) <= first)
			continue;
		start = first > vma->pgoff ? vma->start + ((first - vma->pgoff) << PAGE_SHIFT)
					   : vma->start;
		zap_vma_range(w, vma, start, end);
	}
	file_drop_cache(w, f, first);
	return 0;
}
