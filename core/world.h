/*
 * world.h - the public face of one simulated machine ("world"): physical
 * frames, processes, files, a swap device and exactly one rmap backend.
 *
 * Everything in a world is deterministic: the same op stream gives the same
 * frame numbers in every world, whichever rmap backend it runs.  core never
 * prints and never exits; every call returns 0 / -errno (or a RES_* code of
 * op.h for an access).
 */
#ifndef RMAP_CORE_WORLD_H
#define RMAP_CORE_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/op.h"

struct world;
struct rmap_ops;

struct world_config {
	uint64_t max_frames;          /* frame limit; beyond it -ENOMEM (0: default) */
	const struct rmap_ops *rmap;  /* the backend (NULL: brute-force scan) */
	/*
	 * mm_forbids_zeropage(): a read fault of private anonymous memory
	 * maps a fresh page instead of the shared zero page, as on s390 KVM
	 * guests and on hosts booted with pvm_no_zero_page=1 (the kernel
	 * comparison sets it when the host does so: kernel/host_probe.h).
	 */
	bool no_zero_page;
};

/* The backend called NAME ("scan", "obj", "ptechain", "anonvma2004"), or NULL. */
const struct rmap_ops *rmap_backend(const char *name);

/* Create / destroy a world; p0 exists with an empty address space. */
struct world *world_new(const struct world_config *cfg);
void world_free(struct world *w);
/*
 * Back to what world_new made, with its configuration: every process,
 * file, frame and object gone, the allocation count (fault injection) and
 * the walk statistics zero, no PTE observer.  Its host memory is kept and
 * reused (core/arena.h), so a world reset between inputs allocates nothing
 * per input, and gives the same frame numbers and results as a new one.
 */
void world_reset(struct world *w);

/*
 * Apply one operation (op.h).  Returns its result: RES_OK, -errno, RES_SIG*,
 * or for OP_AGE the referenced count.  Check ops (expect-*, dump) return
 * RES_OK and change nothing: the runner evaluates them through oracle/.
 */
int world_apply(struct world *w, const struct op *op);

/* Fault injection: make the Nth allocation from now fail (0: never). */
void world_fail_nth(struct world *w, uint64_t n);

/*
 * Allocation sites, for failures a trace names (op.fail_nth): the lockstep
 * runs worlds whose backends allocate differently (the PTE-chain world
 * makes chain blocks), so a failure is named by site, and every world
 * counts each site alike.
 */
enum alloc_site {
	/* the mm code's objects: VMAs, anon_vmas, AVCs, page tables, frames,
	 * mms, address_spaces, swap slots; the same sequence in every world */
	ALLOC_SITE_MM,
	/* a backend's own first attempt (a PTE-chain block, GFP_ATOMIC), which
	 * a correct backend survives: only ptechain has one */
	ALLOC_SITE_BACKEND,
	ALLOC_NSITES
};

/*
 * Arm the failure of the Nth allocation at SITE from now (0: disarm).
 * world_apply() arms it for an op with fail_nth and disarms it after the
 * op, fired or not.  Independent of world_fail_nth(), which counts every
 * allocation of this world whatever its site.
 */
void world_fail_site_nth(struct world *w, enum alloc_site site, uint64_t n);
/*
 * Allocations made so far (frames and heap objects) by the ops, an
 * interleaved walker's left out (another task: core/interleave.h): for
 * injection loops.
 */
uint64_t world_alloc_count(const struct world *w);
/* true once the injected failure has fired */
bool world_fail_fired(const struct world *w);
/*
 * The failure that fired was one the op falls back from (a large folio's
 * allocation at a fault), so the op may succeed: not an ENOMEM to expect.
 */
bool world_fail_fell_back(const struct world *w);


/* Is process PID alive?  Number of process slots (ids 0..n-1). */
bool world_proc_alive(const struct world *w, unsigned pid);
unsigned world_nprocs(const struct world *w);

/*
 * The frame a present PTE maps at PID:ADDR: 1 and *pfn set when present,
 * 0 when nothing is present (no PTE, a swap entry, no VMA, dead process).
 */
int world_frame_at(const struct world *w, unsigned pid, uint64_t addr,
		   uint64_t *pfn);
/* The shared zero page's frame number. */
uint64_t world_zero_pfn(const struct world *w);
/* the folio of frame PFN: its head frame and pages (PFN and 1 if small) */
void world_folio(const struct world *w, uint64_t pfn, uint64_t *head,
		 uint32_t *nr);
/* What the rmap walks of this world have cost so far. */
struct walk_stats {
	uint64_t walks;          /* rmap walks started */
	uint64_t vmas_visited;   /* candidate VMAs examined by walks */
	uint64_t ptes_checked;   /* page-table entries read by walks */
};
void world_walk_stats(const struct world *w, struct walk_stats *out);

/*
 * Watching the page tables change (the checker's fast mode): once set, FN
 * is called with ARG for every write of a page-table entry, at any level,
 * before it lands: TABLE is the frame of the table written, SLOT the
 * entry's index in it, OLD and NEW its values.  Every write is seen, also
 * those that change only accessed, dirty or writable bits.  FN NULL: none.
 */
typedef void (*pte_observer_fn)(void *arg, uint64_t table, unsigned slot,
				uint64_t old, uint64_t new);
void world_set_pte_observer(struct world *w, pte_observer_fn fn, void *arg);

/*
 * Watching the reverse map change (the signing replay of a finding): once
 * set, FN is called with ARG after every rmap-interface event of core, at
 * the first point where the page tables and the backend agree again for
 * that event (after the PTE write that goes with it), so a walk from FN
 * sees a consistent world unless the backend is broken.  FN may walk the
 * world (world_rmap_walk) but must not change it.  FN NULL: none.
 *
 *   ADD        a page got a mapping (fault, swap-in, COW copy)
 *   REMOVE     a mapping went (unmap, exit, COW break, swap-out, ...)
 *   MOVE       mremap moved a PTE: (pid, addr) -> (pid, new_addr)
 *   MOVE_FRAME migration moved every mapping of pfn to new_pfn
 *   FORK_COPY  fork copied the parent's mapping into the child (pid, addr)
 */
enum rmap_event_kind {
	RMAP_EVENT_ADD,
	RMAP_EVENT_REMOVE,
	RMAP_EVENT_MOVE,
	RMAP_EVENT_MOVE_FRAME,
	RMAP_EVENT_FORK_COPY,
};

struct rmap_event {
	enum rmap_event_kind kind;
	uint64_t pfn;
	uint64_t new_pfn;      /* MOVE_FRAME: the frame the mappings went to */
	uint32_t pid;          /* the mapping's process (not MOVE_FRAME) */
	uint64_t addr;         /* its address */
	uint64_t new_addr;     /* MOVE: where the PTE went */
};

typedef void (*rmap_observer_fn)(void *arg, struct world *w,
				 const struct rmap_event *ev);
void world_set_rmap_observer(struct world *w, rmap_observer_fn fn, void *arg);

/* "add", "remove", "move", "move_frame", "fork_copy" */
const char *rmap_event_name(enum rmap_event_kind kind);

/*
 * Interleavings (core/interleave.h, issue 21): an op with an interleave
 * (op.ilv_walker) runs its walker at the Nth pass of its yield point.  FN
 * is called with ARG just before the walker runs (PHASE ILV_BEFORE_WALKER:
 * the world as the walker finds it, mid-op) and just after
 * (ILV_AFTER_WALKER), with the walker's frame PFN; FN may scan and walk the
 * world but must not change it.  FN NULL: none.
 */
typedef void (*interleave_observer_fn)(void *arg, struct world *w,
				       int phase, uint64_t pfn);
void world_set_interleave_observer(struct world *w, interleave_observer_fn fn,
				   void *arg);

/* What became of the last op's interleave line (enum ilv_status, ...). */
struct interleave_outcome {
	int status;             /* enum ilv_status: INTERLEAVE_NONE if none */
	unsigned page_state;    /* enum ilv_page_state: where the walker's page
				   was at the point, ran or blocked */
	unsigned walker, point; /* enum ilv_walker, enum yield_point */
	uint64_t pfn;           /* the walker's frame (0: none) */
	const char *blocked_by; /* IMPOSSIBLE: the lock the op held */
	int result;             /* RAN: the walker's result */
	/* RAN with its frame's PTE in flight in move_ptes() (mremap_move_pte):
	 * p<pid>:from moving to to, in neither page table */
	bool in_flight;
	bool in_flight_past_ptl; /* and ran past a PTL move_ptes() holds */
	/* what was in flight (interleave.h enum ilv_in_flight): a PTE in
	 * move_ptes(), a PMD leaf in move_huge_pmd() (mremap_move_pmd), or a
	 * PTE table collapse_huge_page() detached (collapse_flushed; from ==
	 * to: the page's address) */
	unsigned in_flight_kind;
	uint32_t in_flight_pid;
	uint64_t in_flight_from, in_flight_to;
	/*
	 * the stalled walker, when it resumed: p<freed_pid>:freed_va's PMD,
	 * read at the point, had named PTE table freed_table, which was no
	 * longer that page table (table_freed)
	 */
	bool table_freed;
	uint32_t freed_pid;
	uint64_t freed_va, freed_table;
};
void world_interleave_outcome(const struct world *w,
			      struct interleave_outcome *out);

/* Name of the rmap backend of this world ("scan", "obj", "ptechain"). */
const char *world_backend_name(const struct world *w);

/* (process, address) as an rmap walk or a page-table scan reports it */
struct rmap_hit {
	uint32_t pid;
	uint64_t addr;
};

/*
 * The rmap walk of the world's backend for frame PFN: every (process,
 * address) whose PTE maps it, sorted by pid then address, into *out (grown
 * with realloc, caller frees).  Returns the count or -ENOMEM.
 */
int world_rmap_walk(struct world *w, uint64_t pfn, struct rmap_hit **out);
/*
 * The same into a buffer kept between calls, for a checker that walks many
 * frames: *BUF holds *CAP entries (NULL and 0 the first time) and is grown
 * with realloc when a walk finds more; the caller frees it once.
 */
int world_rmap_walk_buf(struct world *w, uint64_t pfn, struct rmap_hit **buf,
			uint32_t *cap);

#endif /* RMAP_CORE_WORLD_H */
