/*
 * lockstep.h - one op stream through several worlds at once (one per rmap
 * backend), checked after every op:
 *
 *   result     every world returned the same result for the op
 *   invariant  each world's invariants hold (invariants.h)
 *   pgtable    the worlds' page tables are identical: same entries, same
 *              frame numbers, same accessed/dirty bits, same swap entries
 *   walk       for every frame the op could have affected (or every mapped
 *              frame, with check_all), each backend's rmap walk finds
 *              exactly the (process, address) set the page-table scan finds
 *
 * Fast mode (for fuzzing) checks less per op and everything at the end:
 * results; the worlds' page-table writes of the op (each world's PTE
 * observer, world_set_pte_observer: every entry that changed, accessed and
 * dirty bits included) are the same writes; each frame a write touched is
 * found by both walks at the same places, as many as its mapcount, and
 * meets the kernel's page rules (invariants_check_frame); after a file op,
 * no entry maps past the file's end (invariants_check_op).
 * lockstep_check_all then scans both worlds and runs every check on every
 * frame.  A divergence found in
 * fast mode is real; rerun the stream in full mode to name its first op.
 *
 * The first failed check of an op becomes a divergence: the op, the check,
 * each side's view, and a signature "check[-category]:op:backend" that is
 * the same for every input that reaches the same bug.
 *
 * Signing mode (sign_events, for naming a finding by its cause): on top of
 * full mode, every world's rmap observer (world_set_rmap_observer) checks
 * every mapped frame's walk against a fresh page-table scan after every
 * rmap-interface event inside the op, so a backend that breaks its state
 * is caught at the event that broke it, not at the op that first trips
 * over it later.  Such a divergence is signed "walk:EVENT:ERROR:backend"
 * (EVENT one of rmap_event_name()'s, fork_copy counted as add; ERROR what
 * the walk got wrong: lost, lost-other, dup, extra, stale, failed), its
 * report keeping the op, index and line.  Two other causes are told from
 * it: the mm state under the walk is broken (an invariant fails there and
 * then: "invariant-CATEGORY:op:backend"), or the backend keeps no state
 * the event touched (obj), so its walk code is wrong whatever the event:
 * "walk-ERROR:backend:VMA-RELATION" (walk-misses:obj:vma-last).
 *
 * lockstep.c is the executor (runs the op everywhere, fast or full);
 * differ.c compares and words the report (differ.h).
 */
#ifndef RMAP_ORACLE_LOCKSTEP_H
#define RMAP_ORACLE_LOCKSTEP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/op.h"
#include "core/world.h"
#include "oracle/scan.h"
#include "oracle/walk_check.h"

#define LOCKSTEP_MAX_WORLDS 3

struct divergence {
	uint32_t op_index;         /* index in the stream */
	uint32_t line;             /* the op's source line (0 if none) */
	uint8_t  op_kind;
	char check[48];            /* result, invariant-CATEGORY, pgtable, walk... */
	char backend[16];          /* blamed backend, or "all" */
	char signature[96];
	char detail[1024];         /* what each side saw */
};

/* one page-table entry write of an op, as the world's PTE observer saw it */
struct pte_write {
	uint64_t table;       /* frame of the table written */
	uint32_t slot;
	uint64_t old, new;
};

/* the writes of one op in one world (fast mode) */
struct pte_journal {
	struct pte_write *w;
	uint32_t n, cap;
	bool overflow;        /* a write could not be recorded: check everything */
};

struct lockstep {
	struct world *w[LOCKSTEP_MAX_WORLDS];
	unsigned nworlds;
	bool fast;                 /* per op: results, journals, touched frames */
	bool check_all;            /* walk-check every mapped frame every op */
	bool no_invariants;        /* skip the invariant checks (speed) */
	bool sign_events;          /* walk-check every frame after every rmap
	                            * event (signing mode, above) */
	/* called once, when the first divergence is recorded (may be NULL) */
	void (*on_divergence)(struct lockstep *ls);
	void *on_divergence_arg;
	/*
	 * called after each op that carries an interleaving, once per world,
	 * with what became of it (may be NULL; kept by lockstep_reset: the
	 * fuzz target's feedback, fuzz/race_feedback.h, set once)
	 */
	void (*on_interleave)(unsigned world, const struct op *op,
			      const struct interleave_outcome *o);
	struct lockstep_event_ctx {  /* signing mode: the op under way */
		struct lockstep *ls;
		unsigned world;
		const struct op *op;
		uint32_t index;
		bool in_walker;      /* an interleaved walker is running */
	} event_ctx[LOCKSTEP_MAX_WORLDS];
	struct scan scan[LOCKSTEP_MAX_WORLDS];
	struct scan prev;          /* world 0's scan before the op */
	uint64_t frames_checked;   /* walks compared with the scan, in total */
	struct pte_journal *journal[LOCKSTEP_MAX_WORLDS];  /* fast mode */
	bool diverged;             /* a divergence was found (first kept) */
	struct divergence div;
	/* the differ's buffers, kept from op to op and stream to stream */
	uint64_t *frames;          /* frames to walk-check */
	uint32_t cap_frames;
	struct rmap_hit *hits[LOCKSTEP_MAX_WORLDS];   /* one walk per world */
	uint32_t cap_hits[LOCKSTEP_MAX_WORLDS];
	struct walk_check wc;
};

/*
 * Set up worlds, one per backend in BACKENDS[0..n-1] (n >= 1), each with
 * cfg's frame limit.  0 or -ENOMEM.
 */
int lockstep_init(struct lockstep *ls, const struct rmap_ops *const *backends,
		  unsigned n, const struct world_config *cfg);
void lockstep_fini(struct lockstep *ls);
/*
 * Back to what lockstep_init made (every mode off, no divergence, every
 * world reset with world_reset), the buffers kept: a stream run after a
 * reset gives what it gives on a new lockstep, with no host allocation.
 */
void lockstep_reset(struct lockstep *ls);

/*
 * Apply OP (the INDEX-th of its stream) to every world and check.  Returns
 * world 0's result.  On the first divergence ls->diverged is set and ls->div
 * describes it; later divergences are not recorded.  Returns the op's
 * result; after a divergence the worlds keep running.
 */
int lockstep_apply(struct lockstep *ls, const struct op *op, uint32_t index);

/*
 * Every check on every mapped frame (the end of a stream): scan, invariants,
 * page tables, walks.
 */
void lockstep_check_all(struct lockstep *ls, const struct op *last, uint32_t index);

#endif /* RMAP_ORACLE_LOCKSTEP_H */
