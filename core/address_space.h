/*
 * address_space.h - files as address_spaces (file.c): the page cache
 * (pgoff -> frame) and i_mmap, the interval tree of the VMAs that map it.
 */
#ifndef RMAP_CORE_ADDRESS_SPACE_H
#define RMAP_CORE_ADDRESS_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mm_types.h"

struct file *file_new(struct world *w, uint64_t size, bool shmem_anon);
void file_get(struct file *f);
void file_put(struct world *w, struct file *f);
void i_mmap_insert(struct file *f, struct vma *vma);
void i_mmap_remove(struct file *f, struct vma *vma);
pfn_t file_cache_lookup(const struct file *f, uint64_t pgoff);
/* The cache page at pgoff, reading it in (allocating) when missing. */
int file_cache_get(struct world *w, struct file *f, uint64_t pgoff, pfn_t *pfn);
void file_cache_remove(struct world *w, struct file *f, uint64_t pgoff);
/* migration: the cache slot at pgoff now holds pfn */
void file_cache_replace(struct file *f, uint64_t pgoff, pfn_t pfn);
static inline uint64_t file_pages(const struct file *f) { return (f->size + PAGE_SIZE - 1) >> PAGE_SHIFT; }
int file_truncate(struct world *w, struct file *f, uint64_t size);

#endif /* RMAP_CORE_ADDRESS_SPACE_H */
