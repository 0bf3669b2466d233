/*
 * lockstep.c - the executor of lockstep.h: it runs each op on every world
 * in turn and hands the worlds to the differ (differ.h), which compares.
 *
 *   full mode  rescan every world after the op, then results, invariants,
 *              page tables and walks (differ_check_op)
 *   fast mode  each world's PTE observer journals the op's page-table
 *              writes; results, the journals and the frames they touched
 *              are compared, the frames touched meet the kernel's page
 *              rules, and nothing is scanned unless a journal overflowed
 *
 * World 0's scan from before the op is kept (ls->prev) so that full mode
 * can walk-check the frames whose mappings the op changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/interleave.h"
#include "oracle/differ.h"
#include "oracle/interleave_check.h"
#include "oracle/lockstep.h"

int lockstep_init(struct lockstep *ls, const struct rmap_ops *const *backends,
		  unsigned n, const struct world_config *cfg)
{
	memset(ls, 0, sizeof(*ls));
	if (n == 0 || n > LOCKSTEP_MAX_WORLDS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		struct world_config c = cfg ? *cfg : (struct world_config){ 0 };

		c.rmap = backends[i];

		ls->w[i] = world_new(&c);
		if (!ls->w[i]) {
			lockstep_fini(ls);
			return -ENOMEM;
		}
		ls->nworlds = i + 1;
		ls->journal[i] = calloc(1, sizeof(struct pte_journal));
		if (!ls->journal[i]) {
			lockstep_fini(ls);
			return -ENOMEM;
		}
	}
	return 0;
}

void lockstep_fini(struct lockstep *ls)
{
	for (unsigned i = 0; i < ls->nworlds; i++) {
		world_free(ls->w[i]);
		scan_free(&ls->scan[i]);
		if (ls->journal[i])
			free(ls->journal[i]->w);
		free(ls->journal[i]);
		ls->journal[i] = NULL;
	}
	scan_free(&ls->prev);
	free(ls->frames);
	for (unsigned i = 0; i < LOCKSTEP_MAX_WORLDS; i++)
		free(ls->hits[i]);
	walk_check_free(&ls->wc);
	memset(ls, 0, sizeof(*ls));
}

/* a scan that saw nothing, its buffers kept */
static void scan_forget(struct scan *s)
{
	s->n = s->nall = 0;
	s->tables = 0;
}

void lockstep_reset(struct lockstep *ls)
{
	for (unsigned i = 0; i < ls->nworlds; i++) {
		world_reset(ls->w[i]);
		scan_forget(&ls->scan[i]);
		ls->journal[i]->n = 0;
		ls->journal[i]->overflow = false;
	}
	scan_forget(&ls->prev);
	ls->fast = ls->check_all = ls->no_invariants = ls->sign_events = false;
	ls->on_divergence = NULL;
	ls->on_divergence_arg = NULL;
	memset(ls->event_ctx, 0, sizeof(ls->event_ctx));
	ls->frames_checked = 0;
	ls->diverged = false;
	memset(&ls->div, 0, sizeof(ls->div));
}

/* the PTE observer of fast mode: a write that changes the entry, journaled */
static void journal_write(void *arg, uint64_t table, unsigned slot,
			  uint64_t old, uint64_t new)
{
	struct pte_journal *j = arg;

	if (old == new)
		return;
	if (j->n == j->cap) {
		uint32_t cap = j->cap ? 2 * j->cap : 256;
		struct pte_write *w = cap > (1u << 20) ? NULL :
				      realloc(j->w, cap * sizeof(*w));

		if (!w) {
			j->overflow = true;
			return;
		}
		j->w = w;
		j->cap = cap;
	}
	j->w[j->n++] = (struct pte_write){ table, slot, old, new };
}

/* the rmap observer of signing mode: every frame checked after the event */
static void event_check(void *arg, struct world *w, const struct rmap_event *ev)
{
	struct lockstep_event_ctx *c = arg;

	/*
	 * An interleaved walker's events come while the op is half done (a
	 * VMA out of its tree at vma_adjust, a PTE in flight): the world is
	 * not meant to be consistent there.  The walker's own checks
	 * (walker_check) and the op's, after it, judge that moment; of the
	 * event's own walk, only what is wrong at any moment.
	 */
	if (c->in_walker) {
		differ_check_walker_event(c->ls, c->world, c->op, c->index, ev);
		return;
	}
	differ_check_event(c->ls, c->world, c->op, c->index, ev);
}

/* an interleaved walker's moment (interleave_check.h) */
static void walker_check(void *arg, struct world *w, int phase, uint64_t pfn)
{
	struct lockstep_event_ctx *c = arg;
	struct lockstep *ls = c->ls;
	struct ilv_finding f;

	c->in_walker = phase == ILV_BEFORE_WALKER;
	if (!ls->diverged &&
	    interleave_check_walker(w, c->op, phase, pfn, &ls->scan[c->world],
				    &ls->hits[c->world], &ls->cap_hits[c->world],
				    &f))
		differ_report(ls, c->op, c->index, f.check,
			      world_backend_name(w), f.detail);
}

/* after an interleaved op: the outcomes agree, no migration entry is left */
static void interleave_after_op(struct lockstep *ls, const struct op *op,
				uint32_t index)
{
	struct ilv_finding f;

	if (interleave_check_outcomes(ls->w, ls->nworlds, &f)) {
		differ_report(ls, op, index, f.check, "all", f.detail);
		return;
	}
	for (unsigned i = 0; i < ls->nworlds && !ls->diverged; i++)
		if (interleave_check_after_op(ls->w[i], op, &ls->scan[i], &f))
			differ_report(ls, op, index, f.check,
				      world_backend_name(ls->w[i]), f.detail);
}

static void rescan(struct lockstep *ls)
{
	for (unsigned i = 0; i < ls->nworlds; i++)
		scan_world(ls->w[i], &ls->scan[i]);
}

int lockstep_apply(struct lockstep *ls, const struct op *op, uint32_t index)
{
	int res[LOCKSTEP_MAX_WORLDS] = { 0 };
	struct scan tmp;

	if (op_is_check(op))
		return RES_OK;
	/* keep world 0's scan before the op to find what the op changed */
	tmp = ls->prev;
	ls->prev = ls->scan[0];
	ls->scan[0] = tmp;
	for (unsigned i = 0; i < ls->nworlds; i++) {
		ls->journal[i]->n = 0;
		ls->journal[i]->overflow = false;
		world_set_pte_observer(ls->w[i], ls->fast ? journal_write : NULL,
				       ls->journal[i]);
		ls->event_ctx[i] = (struct lockstep_event_ctx){ ls, i, op, index, false };
		world_set_rmap_observer(ls->w[i], ls->sign_events ? event_check : NULL,
					&ls->event_ctx[i]);
		world_set_interleave_observer(ls->w[i], op->ilv_walker ?
					      walker_check : NULL,
					      &ls->event_ctx[i]);
		res[i] = world_apply(ls->w[i], op);
	}
	differ_check_results(ls, op, index, res);
	if (op->ilv_walker && ls->on_interleave)
		for (unsigned i = 0; i < ls->nworlds; i++) {
			struct interleave_outcome o;

			world_interleave_outcome(ls->w[i], &o);
			ls->on_interleave(i, op, &o);
		}
	if (op->ilv_walker)
		interleave_after_op(ls, op, index);
	if (ls->fast && differ_check_journals(ls, op, index)) {
		differ_check_touched(ls, op, index);
		differ_check_op_invariants(ls, op, index);
		return res[0];
	}
	rescan(ls);      /* full mode, or a journal overflowed */
	differ_check_op(ls, op, index, ls->check_all);
	return res[0];
}

void lockstep_check_all(struct lockstep *ls, const struct op *last, uint32_t index)
{
	rescan(ls);
	differ_check_op(ls, last, index, true);
}
