/*
 * rmap.h - the reverse-mapping interface.  The mm code calls the backend at
 * every point a PTE that maps a page is created, copied, moved or removed;
 * everything that needs "who maps this frame" goes through rmap_walk().
 *
 * Ordering rules the mm code keeps, so a backend never sees half an update:
 *   - add() is called before the PTE is written; when it fails (-ENOMEM)
 *     the caller writes nothing.  add() is the only call that may fail.
 *   - remove() is called after the PTE has been cleared.
 *   - move() (mremap) and move_frame() (migration) never fail.
 *   - the zero page is never added: Linux has no rmap for it
 *     (vm_normal_page() returns NULL for it).
 */
#ifndef RMAP_CORE_RMAP_H
#define RMAP_CORE_RMAP_H

#include <stdbool.h>

#include "core/mm_types.h"

struct rmap_walk_control {
	/*
	 * Called once for each (vma, address) whose present PTE maps the frame;
	 * returns false to stop the walk.  It must not change the rmap.
	 */
	bool (*rmap_one)(struct world *w, pfn_t pfn, struct vma *vma,
			 uint64_t addr, uint64_t *pte, void *arg);
	void *arg;
};

struct rmap_ops {
	const char *name;
	/* set up / tear down world->rmap_priv */
	int  (*init)(struct world *w);
	void (*fini)(struct world *w);

	/* mappings of one page */
	int  (*add)(struct world *w, pfn_t pfn, struct vma *vma, uint64_t addr);
	void (*remove)(struct world *w, pfn_t pfn, struct vma *vma,
		       uint64_t addr);
	/* mremap moved the PTE (old vma, oaddr) -> (new vma, naddr) */
	void (*move)(struct world *w, pfn_t pfn, struct vma *ovma,
		     uint64_t oaddr, struct vma *nvma, uint64_t naddr);
	/*
	 * migration: every mapping of from now maps to (same PTEs).  Core has
	 * already copied struct page, page->rmap included, to the new frame
	 * and clears the old frame's afterwards.
	 */
	void (*move_frame)(struct world *w, pfn_t from, pfn_t to);

	/* call rwc->rmap_one for every mapping of pfn; 0 or -errno */
	int  (*walk)(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc);
};

/* Linux 2.4's answer: scan every page table of every process. */
extern const struct rmap_ops rmap_scan_ops;
/* Object-based: anon_vma chains and i_mmap (rmap_obj.c). */
extern const struct rmap_ops rmap_obj_ops;
/* PTE chains, Linux 2.5 / LegoOS (rmap_ptechain.c). */
extern const struct rmap_ops rmap_ptechain_ops;
/* Object-based with one anon_vma per fork tree, 2.6.7 (rmap_anonvma2004.c). */
extern const struct rmap_ops rmap_anonvma2004_ops;

/* the world's backend, with the zero page excluded as Linux excludes it */
int rmap_walk(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc);

#endif /* RMAP_CORE_RMAP_H */
