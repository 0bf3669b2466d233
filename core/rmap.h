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
 *
 * Only walk is required.  Every other op may be NULL, meaning the backend
 * has nothing to do there: obj and scan record nothing per mapping.  The
 * mm code calls them through rmap_add() and friends below, which check.
 */
#ifndef RMAP_CORE_RMAP_H
#define RMAP_CORE_RMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mm_types.h"

struct ptechain_stats;

struct rmap_walk_control {
	/*
	 * Called once for each (vma, address) whose present PTE maps the frame;
	 * returns false to stop the walk.  It must not change the rmap.
	 */
	bool (*rmap_one)(struct world *w, pfn_t pfn, struct vma *vma,
			 uint64_t addr, uint64_t *pte, void *arg);
	void *arg;
	/*
	 * Optional (NULL: not called): each VMA an object-based walk visits
	 * that covers the frame's index, with the frame's address there,
	 * before page_vma_mapped_walk() looks at its page tables, mapped or
	 * not.  A walk that reaches PTEs through their own place (PTE chains,
	 * the scan) visits no VMA.  The stalled walker reads the PMDs there
	 * (core/interleave_run.c).
	 */
	void (*visit)(struct world *w, struct vma *vma, uint64_t addr,
		      void *arg);
};

/*
 * What a backend offers the tests beyond its job: deliberate corruptions,
 * to prove the checker notices a broken reverse map, and statistics only
 * it has.  Each hook may be NULL (the backend has no such thing); the
 * public entry points (rmap_ptechain.h, rmap_obj.h) answer for a world
 * whose backend lacks it: zeros, or -ENOENT.
 */
struct rmap_debug_ops {
	/* ptechain: the chain-block accounting (struct ptechain_stats) */
	void (*chain_stats)(const struct world *w, struct ptechain_stats *out);
	/*
	 * ptechain: forget the newest chain entry of pfn without touching any
	 * PTE (0, or -ENOENT when it has none); put it back with add().
	 */
	int  (*drop_entry)(struct world *w, pfn_t pfn);
	/*
	 * obj: take the nth AVC (0: newest) of the VMA at pid:addr out of its
	 * anon_vma's interval tree, leaving it in the VMA's chain, and put it
	 * back (0, or -ENOENT when there is none).
	 */
	int  (*hide_avc)(struct world *w, unsigned pid, uint64_t addr, unsigned nth);
	int  (*restore_avc)(struct world *w, unsigned pid, uint64_t addr,
			    unsigned nth);
};

struct rmap_ops {
	const char *name;
	/*
	 * set up / tear down world->rmap_priv, at world_new and world_reset /
	 * world_free; memory from the world's arena (core_xalloc) needs no fini
	 */
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

	/*
	 * A PMD leaf (issue 19) mapping the 2 MiB folio at HEAD at (vma,
	 * addr), addr 2 MiB aligned: one mapping that stands for 512 pages,
	 * under the same rules as add / remove / move.  A walk of any page
	 * of the folio reports it at addr + the page's index in the folio,
	 * with rmap_one's pte the PMD slot.
	 */
	int  (*add_pmd)(struct world *w, pfn_t head, struct vma *vma,
			uint64_t addr);
	void (*remove_pmd)(struct world *w, pfn_t head, struct vma *vma,
			   uint64_t addr);
	void (*move_pmd)(struct world *w, pfn_t head, struct vma *ovma,
			 uint64_t oaddr, struct vma *nvma, uint64_t naddr);

	/* call rwc->rmap_one for every mapping of pfn; 0 or -errno (required) */
	int  (*walk)(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc);

	/* tests only: corruption hooks and statistics (NULL: none) */
	const struct rmap_debug_ops *debug;
	/*
	 * The walk reaches each mapping through the PTE's own place (2.5's PTE
	 * chains, 2.4's scan of every page table), under that page table's
	 * lock (2.5's try_to_unmap_one: spin_trylock(&mm->page_table_lock)),
	 * not through the VMAs: a PTE that an op moves under its PTL is never
	 * seen in flight, whatever the VMAs' order (core/interleave_run.c).
	 */
	bool walk_by_pte;
	/*
	 * Linux 2.5's order: set_pte(), then page_add_rmap() (do_no_page,
	 * do_swap_page, copy_page_range), both under mm->page_table_lock; the
	 * walker (try_to_unmap_one) trylocks the page_table_lock of each mm
	 * its chain names.  A PTE-chain walk at YP_PTE_SET does not see the
	 * PTE just set (core/interleave_run.c).  The mm code keeps one order
	 * for every design (add before the PTE, rmap.h's rule); the window is
	 * the walk's: it skips that PTE (struct interleave's pending).
	 */
	bool add_after_set;
};

/* Linux 2.4's answer: scan every page table of every process. */
extern const struct rmap_ops rmap_scan_ops;
/* Object-based: anon_vma chains and i_mmap (rmap_obj.c). */
extern const struct rmap_ops rmap_obj_ops;
/* PTE chains, Linux 2.5 / LegoOS (rmap_ptechain.c). */
extern const struct rmap_ops rmap_ptechain_ops;
/*
 * The same with 2.5's own window: the chain entry added after the PTE is
 * set (add_after_set).  For the race table (docs/races.md); not in the
 * default lockstep, whose ptechain credits PTE chains with the add and
 * the set in one step.
 */
extern const struct rmap_ops rmap_ptechain25_ops;
/* Object-based with one anon_vma per fork tree, 2.6.7 (rmap_anonvma2004.c). */
extern const struct rmap_ops rmap_anonvma2004_ops;

/* the world's backend, with the zero page excluded as Linux excludes it */
int rmap_walk(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc);

/* ---- the mm code's calls into the backend: a NULL op has nothing to do -- */

static inline int rmap_add(struct world *w, pfn_t pfn, struct vma *vma,
			   uint64_t addr)
{
	return w->rmap->add ? w->rmap->add(w, pfn, vma, addr) : 0;
}

static inline void rmap_remove(struct world *w, pfn_t pfn, struct vma *vma,
			       uint64_t addr)
{
	if (w->rmap->remove)
		w->rmap->remove(w, pfn, vma, addr);
}

static inline void rmap_move(struct world *w, pfn_t pfn, struct vma *ovma,
			     uint64_t oaddr, struct vma *nvma, uint64_t naddr)
{
	if (w->rmap->move)
		w->rmap->move(w, pfn, ovma, oaddr, nvma, naddr);
}

static inline int rmap_add_pmd(struct world *w, pfn_t head, struct vma *vma,
			       uint64_t addr)
{
	return w->rmap->add_pmd ? w->rmap->add_pmd(w, head, vma, addr) : 0;
}

static inline void rmap_remove_pmd(struct world *w, pfn_t head,
				   struct vma *vma, uint64_t addr)
{
	if (w->rmap->remove_pmd)
		w->rmap->remove_pmd(w, head, vma, addr);
}

static inline void rmap_move_pmd(struct world *w, pfn_t head, struct vma *ovma,
				 uint64_t oaddr, struct vma *nvma,
				 uint64_t naddr)
{
	if (w->rmap->move_pmd)
		w->rmap->move_pmd(w, head, ovma, oaddr, nvma, naddr);
}

static inline void rmap_move_frame(struct world *w, pfn_t from, pfn_t to)
{
	if (w->rmap->move_frame)
		w->rmap->move_frame(w, from, to);
}

/*
 * Tell the world's rmap observer (world_set_rmap_observer) about an event,
 * once the page tables and the rmap agree on it again.
 */
static inline void rmap_event(struct world *w, enum rmap_event_kind kind,
			      pfn_t pfn, const struct vma *vma, uint64_t addr)
{
	struct rmap_event ev = { kind, pfn, 0, vma ? vma->mm->pid : 0, addr, 0 };

	if (w->rmap_observer)
		w->rmap_observer(w->rmap_observer_arg, w, &ev);
}

static inline void rmap_event_move(struct world *w, pfn_t pfn,
				   const struct vma *vma, uint64_t oaddr,
				   uint64_t naddr)
{
	struct rmap_event ev = { RMAP_EVENT_MOVE, pfn, 0, vma->mm->pid, oaddr,
				 naddr };

	if (w->rmap_observer)
		w->rmap_observer(w->rmap_observer_arg, w, &ev);
}

static inline void rmap_event_move_frame(struct world *w, pfn_t from, pfn_t to)
{
	struct rmap_event ev = { RMAP_EVENT_MOVE_FRAME, from, to, 0, 0, 0 };

	if (w->rmap_observer)
		w->rmap_observer(w->rmap_observer_arg, w, &ev);
}

/* the world's debug hooks, or NULL (struct rmap_debug_ops) */
static inline const struct rmap_debug_ops *rmap_debug(const struct world *w)
{
	return w->rmap->debug;
}

#endif /* RMAP_CORE_RMAP_H */
