/*
 * address_space.h - the address_space of a file (address_space.c): its page
 * cache (pgoff -> frame), i_mmap (the interval tree of the VMAs that map
 * it) and its size.  One per named file of the trace, and one per shared
 * anonymous mapping (its shmem file); refcounted by the VMAs mapping it.
 */
#ifndef RMAP_CORE_ADDRESS_SPACE_H
#define RMAP_CORE_ADDRESS_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mm_types.h"

/* A new address_space of size bytes with one reference; NULL for -ENOMEM. */
struct address_space *address_space_new(struct world *w, uint64_t size,
				       bool shmem_anon);
void address_space_get(struct address_space *mapping);
/* Drop a reference; the last one frees the page cache with it. */
void address_space_put(struct world *w, struct address_space *mapping);

void i_mmap_insert(struct address_space *mapping, struct vma *vma);
/*
 * The VMAs of MAPPING's i_mmap that map some of pgoffs [first, last], in
 * the tree's order, *N of them: an array for core_free() (NULL for none)
 */
struct vma **i_mmap_vmas(struct world *w, struct address_space *mapping,
			 uint64_t first, uint64_t last, uint32_t *n);
void i_mmap_remove(struct address_space *mapping, struct vma *vma);

/* The cache page at pgoff, or 0 (filemap_get_folio without creating). */
pfn_t page_cache_lookup(const struct address_space *mapping, uint64_t pgoff);
/* The cache page at pgoff, reading it in (allocating) when missing. */
int page_cache_get(struct world *w, struct address_space *mapping,
		   uint64_t pgoff, pfn_t *pfn);
void page_cache_remove(struct world *w, struct address_space *mapping,
		       uint64_t pgoff);
/*
 * PFN (its mapping, index and cache reference set by the caller) into the
 * empty slot at PGOFF: collapse_file's hole; -EEXIST if it is not empty
 */
int page_cache_insert(struct world *w, struct address_space *mapping,
		      uint64_t pgoff, pfn_t pfn);
/* migration: the cache slot at pgoff now holds pfn */
void page_cache_replace(struct address_space *mapping, uint64_t pgoff,
			pfn_t pfn);

/* the pages the size covers, the last one partly (i_size rounded up) */
static inline uint64_t mapping_pages(const struct address_space *mapping)
{
	return (mapping->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}
/* Set the size; shrinking unmaps and drops every page past the new end. */
int truncate_setsize(struct world *w, struct address_space *mapping,
		     uint64_t size);

#endif /* RMAP_CORE_ADDRESS_SPACE_H */
