/*
 * interleave.h - deterministic interleavings of an rmap walker with an mm
 * operation (issue 21).
 *
 * In Linux the rmap walkers (migration, reclaim, folio_referenced) run
 * concurrently with mremap, fork, munmap, COW and truncate: they hold only
 * the anon_vma rwsem or i_mmap_rwsem for read, each page table's lock and
 * the folio lock; mmap_lock does not exclude them.  The model runs every op
 * to completion, so the windows where a walker sees an op half done are
 * made explicit here:
 *
 *   yield point   a named place inside an mm operation where the kernel
 *                 holds no lock a walker needs, or releases one (enum
 *                 yield_point; each names the kernel function it stands
 *                 for, and the op passes it with MM_YIELD)
 *   lock model    at each yield point the op says which locks it holds
 *                 (struct yield_locks); a walker that would block on one of
 *                 them does not run there: the interleaving is impossible
 *                 and reported so (INTERLEAVE_IMPOSSIBLE, with the lock)
 *   walker        migrate (try_to_migrate + remove_migration_ptes), unmap
 *                 (try_to_unmap, then the page leaves memory), age
 *                 (folio_referenced) on the frame that P:ADDR mapped when the
 *                 op started, or collapse (another task's MADV_COLLAPSE of
 *                 that frame's tmpfs range: collapse_file, which unmaps
 *                 its pages, and retract_page_tables, which frees other
 *                 mms' PTE tables there), run whole at the Nth pass of the
 *                 point; or stalled: folio_referenced preempted in its
 *                 walk, the PMDs read at the point and the PTE tables
 *                 they named mapped when it resumes (MM_RMAP_LOCK,
 *                 MM_UNSTALL), munmap's order's window
 *
 * The walker's locks (mm/rmap.c, 6.18): every walker holds the folio lock
 * (try_to_migrate and try_to_unmap are called with it held; folio_referenced
 * takes it with folio_trylock and does not walk when that fails), the
 * anon_vma root's rwsem for read (rmap_walk_anon -> folio_lock_anon_vma_read)
 * or the file's i_mmap_rwsem for read (rmap_walk_file ->
 * i_mmap_lock_read), and the page-table lock of each table it visits
 * (page_vma_mapped_walk -> map_pte).  So an op blocks a walker of frame F
 * when it holds F's folio lock, F's anon_vma root or i_mmap_rwsem for
 * write, or the lock of a page table that holds a PTE mapping F.
 *
 * Cost when no interleaving is asked for: MM_YIELD is one predictable branch
 * on w->ilv.armed.
 *
 * core only runs the walker and says what happened; whether the walk saw
 * every mapping is the oracle's question (world_set_interleave_observer is
 * called just before and just after the walker runs).
 */
#ifndef RMAP_CORE_INTERLEAVE_H
#define RMAP_CORE_INTERLEAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/op_interleave.h"

struct world;
struct anon_vma;
struct address_space;
struct mm;

/*
 * The locks an op holds at a yield point (NULL / 0: not held).  The
 * rwsems are held for write unless *_read says otherwise.
 */
struct yield_locks {
	const struct anon_vma *anon_vma;          /* its root's rwsem */
	bool anon_vma_read;
	const struct address_space *i_mmap;       /* i_mmap_rwsem */
	bool i_mmap_read;
	uint64_t ptl;                             /* frame of a page table */
	uint64_t folio[2];                        /* locked folios */
	uint64_t ptl2;                            /* a second page table */
	/*
	 * move_ptes(): a PTE of frame moving_pfn is in flight, in neither
	 * table.  moving_src_first: the rmap walk visits the old VMA before
	 * the new one (copy_vma()'s need_rmap_locks rule, below), so a walker
	 * takes the old table's PTL, waits for move_ptes() and then finds the
	 * PTE in the new VMA: it cannot see the PTE in flight.
	 */
	bool moving;
	uint64_t moving_pfn;
	bool moving_src_first;
	uint32_t moving_pid;
	uint64_t moving_from, moving_to;
	/*
	 * move_huge_pmd(): the PMD leaf in flight maps moving_nr pages from
	 * moving_pfn (0: one PTE, move_ptes()); moving_from and moving_to are
	 * the addresses of its first page.  The same walk-order rule: a walk
	 * that visits the old VMA first takes the old PMD lock and waits.
	 */
	uint32_t moving_nr;
	/*
	 * collapse_huge_page(): the PTE table of frame detached, taken off
	 * its PMD by pmdp_collapse_flush() (of process detached_pid at
	 * detached_va): its PTEs map their pages, and no walk can reach them.
	 * No PTL rule protects them (a walker finds the PMD none and goes on):
	 * only the anon_vma lock collapse_huge_page() holds.
	 */
	uint64_t detached;
	uint32_t detached_pid;
	uint64_t detached_va;
	/*
	 * move_normal_pmd(): the same for a table on its way to the new PMD
	 * at detached_to (0: collapse's, which stays).  A walk from a VMA
	 * finds both PMDs none; the PMD locks held do not stop it, only the
	 * rmap locks (anon_vma, i_mmap above) do.
	 */
	uint64_t detached_to;
	/*
	 * install() (YP_PTE_SET): the PTE just set, whose rmap entry a design
	 * with rmap_ops.add_after_set (2.5's PTE chains) adds only after
	 * this point, and the mms whose page_table_lock 2.5 held there (the
	 * faulting mm; copy_page_range(): the child's and the parent's).
	 */
	const uint64_t *pending;
	const struct mm *pt_mm[2];
};

/* what is in flight at the walker's moment (struct interleave) */
enum ilv_in_flight {
	ILV_IN_FLIGHT_PTE = 0,      /* move_ptes(): one PTE */
	ILV_IN_FLIGHT_PMD,          /* move_huge_pmd(): a PMD leaf */
	ILV_IN_FLIGHT_TABLE,        /* collapse_huge_page(): a detached table */
	ILV_IN_FLIGHT_MOVED_TABLE,  /* move_normal_pmd(): a table in neither PMD */
};

/*
 * Where the walker's page was when the op reached the point, whether the
 * walker then ran or was blocked (struct interleave's page_state): the
 * fuzz target's feedback tells these moments apart (fuzz/race_feedback.h).
 */
enum ilv_page_state {
	ILV_PAGE_SETTLED = 0,       /* mapped where it is, nothing in flight */
	ILV_PAGE_PTE_SRC_FIRST,     /* its PTE in move_ptes(), old VMA walked first */
	ILV_PAGE_PTE_DST_FIRST,     /* ... the new VMA walked first */
	ILV_PAGE_PMD,               /* its PMD leaf in move_huge_pmd() */
	ILV_PAGE_DETACHED,          /* in a detached table (collapse_huge_page(),
				     * move_normal_pmd()) */
	ILV_PAGE_STATE_MAX
};

/* the PTE tables a stalled walker holds, one per VMA its walk visited */
#define ILV_KEPT_MAX 16

struct ilv_kept {
	uint32_t pid;               /* the VMA's process */
	uint64_t va;                /* the frame's address there */
	uint64_t table;             /* the PTE table its PMD named */
};

/* the interleaving of the op under way (struct world's ilv) */
struct interleave {
	bool armed;                 /* MM_YIELD's one branch */
	uint8_t walker, point;      /* enum ilv_walker, enum yield_point */
	uint32_t nth, passes;       /* run at pass nth of point; passes so far */
	uint64_t pfn;               /* the walker's frame, found at op start */
	uint8_t status;             /* enum ilv_status */
	uint8_t page_state;         /* enum ilv_page_state, at the point */
	const char *blocked_by;     /* IMPOSSIBLE: "folio", "anon_vma", ... */
	int result;                 /* RAN: the walker's result */
	/* RAN while its frame's PTE was in flight (yield_locks.moving) */
	bool in_flight;
	/*
	 * ... and its walk order meets a PTL move_ptes() holds
	 * (moving_src_first, or a walk that goes to the PTE's place): it ran
	 * past that PTL, where without the rmap locks it would only have
	 * visited the new VMA first.  Tells a walker that peeks before the
	 * PTL from an mremap that skips the rmap locks it needed.
	 */
	bool in_flight_past_ptl;
	uint8_t in_flight_kind;     /* enum ilv_in_flight */
	uint32_t in_flight_pid;
	uint64_t in_flight_from, in_flight_to;
	/*
	 * while the walker runs at YP_PTE_SET: the PTE whose rmap entry an
	 * add_after_set design has not added yet (its walk skips it); NULL
	 * otherwise
	 */
	const uint64_t *pending;
	/*
	 * The stalled walker (ILV_WALKER_STALLED) from the point where it
	 * stalled to its resume: the PTE tables it read from the PMDs
	 * (nkept of them; a walk of more VMAs keeps the first ILV_KEPT_MAX)
	 */
	bool stalled;
	/*
	 * the rmap lock it took at the point, kept as it was then: the
	 * anon_vma root (anonymous page) or the file's address_space.  Its
	 * folio reference keeps the folio in Linux; the model may free the
	 * frame meanwhile (its last PTE zapped), and the lock is still the
	 * walker's.
	 */
	const struct anon_vma *held_root;
	const struct address_space *held_mapping;
	uint8_t nkept;
	struct ilv_kept kept[ILV_KEPT_MAX];
	/*
	 * at its resume, the first kept table that was no longer the page
	 * table it read (freed, or reused for something else): the walker
	 * maps freed memory as a page table
	 */
	bool table_freed;
	struct ilv_kept freed;
};

/* the moment the oracle is told about (world_set_interleave_observer) */
enum ilv_phase { ILV_BEFORE_WALKER, ILV_AFTER_WALKER };

void mm_yield(struct world *w, enum yield_point point,
	      const struct yield_locks *held);

/*
 * The op takes an rmap lock for write: the root of anon_vma AV's rwsem,
 * or MAPPING's i_mmap_rwsem (either may be NULL).  A stalled walker that
 * holds it for read resumes first, as the op would wait for it.
 */
void mm_rmap_lock_write(struct world *w, const struct anon_vma *av,
			const struct address_space *mapping);
/* the op is past the place a walker may stall in: it resumes now */
void mm_unstall(struct world *w);

#define MM_RMAP_LOCK(w, av, mapping)                                          \
	do {                                                                  \
		if (__builtin_expect((w)->ilv.stalled, 0))                    \
			mm_rmap_lock_write((w), (av), (mapping));             \
	} while (0)

#define MM_UNSTALL(w)                                                         \
	do {                                                                  \
		if (__builtin_expect((w)->ilv.stalled, 0))                    \
			mm_unstall(w);                                        \
	} while (0)

/*
 * Pass yield point POINT holding the locks given as struct yield_locks
 * initializers (.anon_vma = av, .ptl = table, ...), none if empty.  The
 * struct is built only when an interleaving is armed.
 */
#define MM_YIELD(w, point, ...)                                               \
	do {                                                                  \
		if (__builtin_expect((w)->ilv.armed, 0))                      \
			mm_yield((w), (point),                                \
				 &(const struct yield_locks){ __VA_ARGS__ }); \
	} while (0)

#endif /* RMAP_CORE_INTERLEAVE_H */
