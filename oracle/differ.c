/*
 * differ.c - the checks of differ.h and the report of a divergence.  The
 * checks run in a fixed order (result, invariants, page tables, walks) and
 * the first that fails is kept, so an input always reports the same way.
 *
 * Report: "check[-category]:op:backend" as the signature (the same for
 * every input that reaches the same bug), then each side's view in the
 * detail: the two page-table entries, the two walks, or the walk and the
 * page tables (walk_check.h) of one frame.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/folio.h"
#include "core/mm_types.h"
#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/vma.h"
#include "oracle/differ.h"
#include "oracle/invariants.h"
#include "oracle/walk_check.h"

static void diverge_as(struct lockstep *ls, const struct op *op, uint32_t index,
		       const char *cause, const char *check, const char *backend,
		       const char *fmt, va_list ap);

static void diverge(struct lockstep *ls, const struct op *op, uint32_t index,
		    const char *check, const char *backend, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

void differ_report(struct lockstep *ls, const struct op *op, uint32_t index,
		   const char *check, const char *backend, const char *detail)
{
	diverge(ls, op, index, check, backend, "%s", detail);
}

static void diverge(struct lockstep *ls, const struct op *op, uint32_t index,
		    const char *check, const char *backend, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diverge_as(ls, op, index, NULL, check, backend, fmt, ap);
	va_end(ap);
}

static void diverge_call(struct lockstep *ls, const struct op *op,
			 uint32_t index, const char *cause, const char *check,
			 const char *backend, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diverge_as(ls, op, index, cause, check, backend, fmt, ap);
	va_end(ap);
}

/*
 * The report.  CAUSE, when not NULL, takes the op's place in the
 * signature: the VMA-level change (vma_merge, ...) that broke what the
 * check saw, which several system calls make through one path.
 */
static void diverge_as(struct lockstep *ls, const struct op *op, uint32_t index,
		       const char *cause, const char *check, const char *backend,
		       const char *fmt, va_list ap)
{
	struct divergence *d = &ls->div;

	if (ls->diverged)
		return;
	ls->diverged = true;
	d->op_index = index;
	d->line = op ? op->line : 0;
	d->op_kind = op ? op->kind : 0;
	snprintf(d->check, sizeof(d->check), "%s", check);
	snprintf(d->backend, sizeof(d->backend), "%s", backend);
	if (!strncmp(check, "walk-after-", 11))   /* differ_check_event */
		snprintf(d->signature, sizeof(d->signature), "walk:%s:%s",
			 check + 11, backend);
	else if (!strncmp(check, "walk-", 5) && strchr(check, ':'))
		/* walk_error_signature: "walk-KIND:backend:RELATION", no op */
		snprintf(d->signature, sizeof(d->signature), "%.*s:%s:%s",
			 (int)strcspn(check, ":"), check, backend,
			 strchr(check, ':') + 1);
	else
		snprintf(d->signature, sizeof(d->signature), "%s:%s:%s", check,
			 cause ? cause : op && op_kind_name(op->kind) ?
			 op_kind_name(op->kind) : "end", backend);
	vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	if (ls->on_divergence)
		ls->on_divergence(ls);
}

void differ_check_results(struct lockstep *ls, const struct op *op,
			  uint32_t index, const int *res)
{
	for (unsigned i = 1; i < ls->nworlds; i++)
		if (res[i] != res[0])
			diverge(ls, op, index, "result", "all",
				"%s returned %d, %s returned %d",
				world_backend_name(ls->w[0]), res[0],
				world_backend_name(ls->w[i]), res[i]);
}

/*
 * The VMA an invariant's message names first (invariant_fail.h: "pN:0xADDR"
 * or "pN [0xSTART,"), if this op changed it through a split, merge or
 * copy: that change's name, else NULL (the op is the cause).  A merge is a
 * merge whether mmap, mprotect or mremap asked for it, so the bugs of
 * vma_merge* sign the same from every call.  A message that names no VMA
 * (an anon_vma's counts) takes the last VMA change this op tried, done or
 * failed half way (a split whose anon_vma_clone failed leaves no VMA).
 */
static const char *vma_cause(const struct world *w, const char *msg)
{
	for (const char *p = msg; (p = strchr(p, 'p')) != NULL; p++) {
		unsigned pid;
		unsigned long long addr;
		const struct mm *mm;
		const struct vma *v;
		int n = 0;

		if (p > msg && p[-1] != ' ')
			continue;
		if (sscanf(p, "p%u:0x%llx%n", &pid, &addr, &n) != 2 &&
		    sscanf(p, "p%u [0x%llx%n", &pid, &addr, &n) != 2)
			continue;
		mm = mm_get(w, pid);
		v = mm ? vma_lookup(mm, addr) : NULL;
		if (!v || v->event_op != w->op_seq)
			return NULL;
		return vma_event_name(v->event);
	}
	return w->vma_event_op == w->op_seq ? vma_event_name(w->vma_event) : NULL;
}

/* world I broke an invariant: "invariant-CATEGORY" blaming its backend */
static void invariant_diverge(struct lockstep *ls, const struct op *op,
			      uint32_t index, unsigned i, const char *msg)
{
	char check[32];

	snprintf(check, sizeof(check), "invariant-%.*s", (int)strcspn(msg, ":"), msg);
	diverge_call(ls, op, index, vma_cause(ls->w[i], msg), check,
		     world_backend_name(ls->w[i]), "%s: %s",
		     world_backend_name(ls->w[i]), msg);
}

static void check_invariants(struct lockstep *ls, const struct op *op, uint32_t index)
{
	char msg[512];

	for (unsigned i = 0; i < ls->nworlds; i++)
		if (invariants_check(ls->w[i], &ls->scan[i], msg, sizeof(msg)))
			invariant_diverge(ls, op, index, i, msg);
}

/* every leaf entry (present or swap), as the scans saw them, in order */
static bool same_entry(const struct scan_entry *a, const struct scan_entry *b)
{
	return a->pid == b->pid && a->addr == b->addr && a->pte == b->pte;
}

static void check_pgtables(struct lockstep *ls, const struct op *op, uint32_t index)
{
	const struct scan *a = &ls->scan[0];

	for (unsigned i = 1; i < ls->nworlds && !ls->diverged; i++) {
		const struct scan *b = &ls->scan[i];
		uint32_t k = 0;

		while (k < a->nall && k < b->nall && same_entry(&a->all[k], &b->all[k]))
			k++;
		if (k == a->nall && k == b->nall)
			continue;
		if (k < a->nall && k < b->nall)
			diverge(ls, op, index, "pgtable", "all",
				"p%u:0x%llx is 0x%llx in %s, p%u:0x%llx is 0x%llx in %s",
				a->all[k].pid, (unsigned long long)a->all[k].addr,
				(unsigned long long)a->all[k].pte, world_backend_name(ls->w[0]),
				b->all[k].pid, (unsigned long long)b->all[k].addr,
				(unsigned long long)b->all[k].pte, world_backend_name(ls->w[i]));
		else
			diverge(ls, op, index, "pgtable", "all",
				"%s has %u page-table entries, %s has %u",
				world_backend_name(ls->w[0]), a->nall,
				world_backend_name(ls->w[i]), b->nall);
	}
}

/*
 * walk(world i, pfn) == scan(world i, pfn)?  Into WHY when not (the
 * report's detail), and false.
 */
static bool walk_agrees(struct lockstep *ls, unsigned i, uint64_t pfn,
			char *why, size_t len)
{
	struct walk_check *c = &ls->wc;
	char want[400], saw[400];
	bool agree = true;

	ls->frames_checked++;
	if (walk_check_again(ls->w[i], &ls->scan[i], pfn, c) == 0 && !c->agree) {
		rmap_hits_format(want, sizeof(want), c->scan, c->nscan);
		if (c->walk_err)
			snprintf(saw, sizeof(saw), " walk failed (%d)", c->walk_err);
		else
			rmap_hits_format(saw, sizeof(saw), c->walk, c->nwalk);
		snprintf(why, len, "frame %llu: page tables:%s; %s walk:%s",
			 (unsigned long long)pfn, want,
			 world_backend_name(ls->w[i]), saw);
		agree = false;
	}
	return agree;
}

/*
 * How the walk of ls->wc is wrong: "failed" (an error), "dup" (a mapping
 * listed twice), "stale" (one listed where the page no longer is, one
 * where it is missed: an entry not moved), "extra" (listed, not mapped),
 * "misses" (mapped, not listed).  *MISSED: the first mapping the walk
 * misses, else the first it lists wrongly (for the VMA relation).
 */
static const char *walk_error(const struct walk_check *c, struct rmap_hit *missed)
{
	uint32_t a = 0, b = 0;
	bool miss = false, extra = false;

	if (c->walk_err)
		return "failed";
	for (uint32_t k = 1; k < c->nwalk; k++)
		if (c->walk[k].pid == c->walk[k - 1].pid &&
		    c->walk[k].addr == c->walk[k - 1].addr) {
			*missed = c->walk[k];
			return "dup";
		}
	while (a < c->nscan || b < c->nwalk) {
		int cmp = a == c->nscan ? 1 : b == c->nwalk ? -1 :
			  c->scan[a].pid != c->walk[b].pid ?
			  (c->scan[a].pid < c->walk[b].pid ? -1 : 1) :
			  c->scan[a].addr < c->walk[b].addr ? -1 :
			  c->scan[a].addr > c->walk[b].addr;

		if (cmp < 0 && !miss) {
			*missed = c->scan[a];
			miss = true;
		} else if (cmp > 0 && !extra) {
			if (!miss)
				*missed = c->walk[b];
			extra = true;
		}
		a += cmp <= 0;
		b += cmp >= 0;
	}
	return miss && extra ? "stale" : extra ? "extra" : "misses";
}

/* where H sits in its VMA of world W: the walk bug's VMA relation */
static const char *vma_relation(const struct world *w, const struct rmap_hit *h)
{
	const struct mm *mm = mm_get(w, h->pid);
	const struct vma *v = mm ? vma_lookup(mm, h->addr) : NULL;

	if (!v)
		return "novma";
	if (h->addr == v->end - PAGE_SIZE)
		return "vma-last";
	return h->addr == v->start ? "vma-first" : "vma-inside";
}

/*
 * A backend with no hook for an event keeps no state the event could
 * break (obj: the walk reads the VMAs, anon_vmas and i_mmap): a wrong walk
 * is the walk code's own error, signed by what it gets wrong and where the
 * page sits in its VMA, "walk-misses:obj:vma-last", whichever event or op
 * first walked it.
 */
static bool backend_has_state(const struct world *w)
{
	const struct rmap_ops *r = w->rmap;

	return r->add || r->remove || r->move || r->move_frame;
}

static void walk_error_signature(const struct lockstep *ls, unsigned i,
				 char *check, size_t len)
{
	struct rmap_hit h = { 0, 0 };
	const char *kind = walk_error(&ls->wc, &h);

	snprintf(check, len, "walk-%s:%s", kind, vma_relation(ls->w[i], &h));
}

static void check_walk(struct lockstep *ls, const struct op *op, uint32_t index,
		       unsigned i, uint64_t pfn)
{
	char why[900], check[48];

	if (walk_agrees(ls, i, pfn, why, sizeof(why)))
		return;
	if (backend_has_state(ls->w[i]))
		diverge(ls, op, index, "walk", world_backend_name(ls->w[i]),
			"%s", why);
	else {
		walk_error_signature(ls, i, check, sizeof(check));
		diverge(ls, op, index, check, world_backend_name(ls->w[i]),
			"%s", why);
	}
}

/* the first frame of world I whose walk disagrees, after event EV */
static bool event_frames_agree(struct lockstep *ls, unsigned i,
			       const struct rmap_event *ev, char *why, size_t len)
{
	const struct scan *s = &ls->scan[i];
	uint64_t zero = world_zero_pfn(ls->w[i]);
	uint64_t own[2] = { ev->pfn, ev->new_pfn };

	for (unsigned k = 0; k < 2; k++)
		if (own[k] && own[k] != zero && !walk_agrees(ls, i, own[k], why, len))
			return false;
	for (uint32_t k = 0; k < s->n; k++) {
		if ((k && s->e[k].pfn == s->e[k - 1].pfn) || s->e[k].pfn == zero)
			continue;
		if (!walk_agrees(ls, i, s->e[k].pfn, why, len))
			return false;
	}
	return true;
}

/* BACKEND has a hook for events of KIND: the event changes its state */
static bool event_touches(const struct world *w, enum rmap_event_kind kind)
{
	const struct rmap_ops *r = w->rmap;

	switch (kind) {
	case RMAP_EVENT_ADD:
	case RMAP_EVENT_FORK_COPY:
		return r->add != NULL;
	case RMAP_EVENT_REMOVE:
		return r->remove != NULL;
	case RMAP_EVENT_MOVE:
		return r->move != NULL;
	case RMAP_EVENT_MOVE_FRAME:
		return r->move_frame != NULL;
	}
	return true;
}

/*
 * What the event's own update got wrong, from the walk in ls->wc: the
 * walk's error (walk_error), with "misses" split in two: "lost" when the
 * mapping the event made (added, copied, moved to) is the one missed,
 * "lost-other" when the update lost some other mapping of the page.
 * fork_copy is an add (the same hook), so one bug is one signature
 * whether a fault or a fork reached it.
 */
static const char *event_error(const struct lockstep *ls,
			       const struct rmap_event *ev)
{
	struct rmap_hit h = { 0, 0 };
	const char *kind = walk_error(&ls->wc, &h);
	uint64_t own = ev->kind == RMAP_EVENT_MOVE ? ev->new_addr : ev->addr;

	if (strcmp(kind, "misses"))
		return kind;
	if (ev->kind == RMAP_EVENT_REMOVE)
		return "lost-other";  /* the removed mapping is gone from both */
	if (ev->kind == RMAP_EVENT_MOVE_FRAME ||
	    (ls->wc.pfn == ev->pfn && h.pid == ev->pid && h.addr == own))
		return "lost";
	return "lost-other";
}

void differ_check_event(struct lockstep *ls, unsigned i, const struct op *op,
			uint32_t index, const struct rmap_event *ev)
{
	const char *backend = world_backend_name(ls->w[i]);
	const char *event = rmap_event_name(ev->kind);
	char why[900], check[48], msg[512];

	if (ls->diverged || scan_world(ls->w[i], &ls->scan[i]))
		return;
	if (event_frames_agree(ls, i, ev, why, sizeof(why)))
		return;
	/*
	 * The mm state under the walk is broken (a VMA, an anon_vma, a
	 * count): the invariant that says so names the cause, not the rmap
	 * event that happened to walk it first.  Asked only once a walk
	 * disagrees, so a correct world is never checked mid-op.  Not the
	 * refcounts (invariants_check_midop): mid-op they are in flux, so
	 * they would sign every walk bug, and skipping the check rather than
	 * its message keeps one in flux from hiding a broken mapcount.
	 */
	if (!ls->no_invariants &&
	    invariants_check_midop(ls->w[i], &ls->scan[i], msg, sizeof(msg))) {
		invariant_diverge(ls, op, index, i, msg);
		return;
	}
	if (!event_touches(ls->w[i], ev->kind)) {
		walk_error_signature(ls, i, check, sizeof(check));
		diverge(ls, op, index, check, backend,
			"%s event of frame %llu (p%u:0x%llx) during %s (the event "
			"does not touch %s's state): %s", event,
			(unsigned long long)ev->pfn, ev->pid,
			(unsigned long long)ev->addr,
			op && op_kind_name(op->kind) ? op_kind_name(op->kind) : "?",
			backend, why);
		return;
	}
	snprintf(check, sizeof(check), "walk-after-%s:%s",
		 ev->kind == RMAP_EVENT_FORK_COPY ? "add" : event,
		 event_error(ls, ev));
	diverge(ls, op, index, check, backend,
		"after the %s event of frame %llu (p%u:0x%llx) during %s: %s",
		event, (unsigned long long)ev->pfn, ev->pid,
		(unsigned long long)ev->addr,
		op && op_kind_name(op->kind) ? op_kind_name(op->kind) : "?", why);
}

void differ_check_walker_event(struct lockstep *ls, unsigned i,
			       const struct op *op, uint32_t index,
			       const struct rmap_event *ev)
{
	struct rmap_hit h = { 0, 0 };
	char why[900], check[48];

	/*
	 * A chain entry names a PTE slot: one slot listed twice is wrong
	 * whatever the op has half done.  An object walk is not judged here:
	 * mid-op (vma_adjust, a PTE in flight) it may meet one address in two
	 * VMAs for a moment; interleave_check judges that moment instead.
	 */
	if (ls->diverged || !ls->w[i]->rmap->walk_by_pte ||
	    ev->pfn == world_zero_pfn(ls->w[i]) ||
	    scan_world(ls->w[i], &ls->scan[i]) ||
	    walk_agrees(ls, i, ev->pfn, why, sizeof(why)) ||
	    strcmp(walk_error(&ls->wc, &h), "dup"))
		return;
	snprintf(check, sizeof(check), "walk-after-%s:dup",
		 ev->kind == RMAP_EVENT_FORK_COPY ? "add" :
		 rmap_event_name(ev->kind));
	diverge(ls, op, index, check, world_backend_name(ls->w[i]),
		"after the %s event of frame %llu (p%u:0x%llx) of the walker "
		"interleaved in %s: %s", rmap_event_name(ev->kind),
		(unsigned long long)ev->pfn, ev->pid,
		(unsigned long long)ev->addr,
		op && op_kind_name(op->kind) ? op_kind_name(op->kind) : "?", why);
}

static int frame_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* frames whose mappings changed between two sorted scans */
static void changed_frames(const struct scan *p, const struct scan *c,
			   uint64_t **out, uint32_t *nout, uint32_t *cap)
{
	uint32_t i = 0, j = 0;

	while (i < p->n || j < c->n) {
		const struct scan_entry *x = i < p->n ? &p->e[i] : NULL;
		const struct scan_entry *y = j < c->n ? &c->e[j] : NULL;
		int cmp;

		if (!x)
			cmp = 1;
		else if (!y)
			cmp = -1;
		else if (x->pfn != y->pfn)
			cmp = x->pfn < y->pfn ? -1 : 1;
		else if (x->pid != y->pid)
			cmp = x->pid < y->pid ? -1 : 1;
		else
			cmp = x->addr < y->addr ? -1 : x->addr > y->addr;
		if (cmp == 0) {
			i++;
			j++;
			continue;
		}
		array_reserve((void **)out, cap, *nout, sizeof(uint64_t));
		(*out)[(*nout)++] = cmp < 0 ? x->pfn : y->pfn;
		cmp < 0 ? i++ : j++;
	}
}

/* frames mapped in [start, end) of pid (the op's own range) */
static void range_frames(const struct scan *s, uint32_t pid, uint64_t start,
			 uint64_t end, uint64_t **out, uint32_t *nout, uint32_t *cap)
{
	for (uint32_t k = 0; k < s->n; k++) {
		if (s->e[k].pid != pid || s->e[k].addr < start || s->e[k].addr >= end)
			continue;
		array_reserve((void **)out, cap, *nout, sizeof(uint64_t));
		(*out)[(*nout)++] = s->e[k].pfn;
	}
}

/* walk-check each frame of F (sorted here) once, the zero page left out */
static void walk_frames(struct lockstep *ls, const struct op *op, uint32_t index,
			uint64_t *f, uint32_t n, uint64_t zero)
{
	if (n)
		qsort(f, n, sizeof(*f), frame_cmp);
	for (uint32_t k = 0; k < n && !ls->diverged; k++) {
		if ((k && f[k] == f[k - 1]) || f[k] == zero)
			continue;
		for (unsigned i = 0; i < ls->nworlds && !ls->diverged; i++)
			check_walk(ls, op, index, i, f[k]);
	}
}

static void check_walks(struct lockstep *ls, const struct op *op, uint32_t index,
			bool all)
{
	const struct scan *s = &ls->scan[0];
	uint64_t zero = world_zero_pfn(ls->w[0]);
	uint32_t n = 0, *cap = &ls->cap_frames;
	uint64_t **f = &ls->frames;

	if (all || !op) {
		for (uint32_t k = 0; k < s->n; k++) {
			array_reserve((void **)f, cap, n, sizeof(uint64_t));
			(*f)[n++] = s->e[k].pfn;
		}
	} else {
		uint64_t len = op->kind == OP_MREMAP && op->newlen > op->len ? op->newlen : op->len;

		changed_frames(&ls->prev, s, f, &n, cap);
		if (op->kind == OP_FORK)
			range_frames(s, op->proc2, 0, UINT64_MAX, f, &n, cap);
		else if (op->kind != OP_FILE)
			range_frames(s, op->proc, op->addr & PAGE_MASK,
				     (op->addr & PAGE_MASK) + (len ? PAGE_ALIGN(len) : PAGE_SIZE),
				     f, &n, cap);
		if (op->kind == OP_MREMAP && (op->flags & OPF_FIXED))
			range_frames(s, op->proc, op->addr2, op->addr2 + PAGE_ALIGN(op->newlen),
				     f, &n, cap);
	}
	walk_frames(ls, op, index, *f, n, zero);
}

static bool same_write(const struct pte_write *x, const struct pte_write *y)
{
	return x->table == y->table && x->slot == y->slot && x->old == y->old &&
	       x->new == y->new;
}

static int write_cmp(const void *p, const void *q)
{
	const struct pte_write *x = p, *y = q;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->old != y->old)
		return x->old < y->old ? -1 : 1;
	return x->new < y->new ? -1 : x->new > y->new;
}

/*
 * fast mode: the worlds wrote the same entries.  Compared as sets: an rmap
 * consumer (pageout, migrate, age) visits the mappings in its backend's
 * walk order, which is the one thing allowed to differ.
 */
bool differ_check_journals(struct lockstep *ls, const struct op *op,
			   uint32_t index)
{
	const struct pte_journal *a = ls->journal[0];

	for (unsigned i = 0; i < ls->nworlds; i++) {
		if (ls->journal[i]->overflow)
			return false;
		if (ls->journal[i]->n > 1)
			qsort(ls->journal[i]->w, ls->journal[i]->n,
			      sizeof(struct pte_write), write_cmp);
	}
	for (unsigned i = 1; i < ls->nworlds; i++) {
		const struct pte_journal *b = ls->journal[i];
		uint32_t k = 0;

		while (k < a->n && k < b->n && same_write(&a->w[k], &b->w[k]))
			k++;
		if (k < a->n || k < b->n) {
			const struct pte_write *x = k < a->n ? &a->w[k] : NULL;
			const struct pte_write *y = k < b->n ? &b->w[k] : NULL;

			diverge(ls, op, index, "pgtable", "all",
				"write %u: %s wrote 0x%llx (was 0x%llx) to table %llu slot %u, "
				"%s wrote 0x%llx (was 0x%llx) to table %llu slot %u", k,
				world_backend_name(ls->w[0]),
				x ? (unsigned long long)x->new : 0ULL,
				x ? (unsigned long long)x->old : 0ULL,
				x ? (unsigned long long)x->table : 0ULL, x ? x->slot : 0,
				world_backend_name(ls->w[i]),
				y ? (unsigned long long)y->new : 0ULL,
				y ? (unsigned long long)y->old : 0ULL,
				y ? (unsigned long long)y->table : 0ULL, y ? y->slot : 0);
		}
	}
	return true;
}

/*
 * fast mode: a frame a write touched is found by every world's walk at the
 * same places, and as often as its mapcount says (page_mapcount: a PMD
 * mapping of its folio counts too); a world whose count is
 * off is the one blamed.  Then the kernel's page rules hold on it in every
 * world (invariants_check_frame, on the places the walk found).
 */
static void check_touched_frame(struct lockstep *ls, const struct op *op,
				uint32_t index, uint64_t pfn)
{
	struct rmap_hit **h = ls->hits;
	int n[LOCKSTEP_MAX_WORLDS] = { 0 };
	const char *blame = "all";
	bool bad = false;

	for (unsigned i = 0; i < ls->nworlds; i++) {
		n[i] = world_rmap_walk_buf(ls->w[i], pfn, &h[i], &ls->cap_hits[i]);
		if (n[i] < 0 || n[i] != page_mapcount(ls->w[i], pfn)) {
			bad = true;
			blame = world_backend_name(ls->w[i]);
		} else if (i > 0 && n[0] >= 0 &&
			   !rmap_hits_equal(h[0], (uint32_t)n[0], h[i], (uint32_t)n[i])) {
			bad = true;
		}
	}
	ls->frames_checked++;
	if (bad) {
		char a[400], b[400];

		rmap_hits_format(a, sizeof(a), h[0], n[0] < 0 ? 0 : (uint32_t)n[0]);
		rmap_hits_format(b, sizeof(b), h[1], n[1] < 0 ? 0 : (uint32_t)n[1]);
		diverge(ls, op, index, "walk", blame,
			"frame %llu (mapcount %d): %s walk:%s; %s walk:%s",
			(unsigned long long)pfn, pfn_page(ls->w[0], pfn)->mapcount,
			world_backend_name(ls->w[0]), a,
			world_backend_name(ls->w[1]), b);
	}
	for (unsigned i = 0; i < ls->nworlds && !bad && !ls->no_invariants; i++) {
		char msg[512];

		if (invariants_check_frame(ls->w[i], pfn, h[i], (uint32_t)n[i],
					   msg, sizeof(msg)))
			invariant_diverge(ls, op, index, i, msg);
	}
}

/*
 * each PGD, PUD or PMD entry the op wrote names a page table of the level
 * below (invariants_check_table_entry), before any walk follows one: the
 * journals agree (differ_check_journals), so world 0's stands for all
 */
static bool check_table_writes(struct lockstep *ls, const struct op *op,
			       uint32_t index)
{
	const struct pte_journal *j = ls->journal[0];
	const struct world *w = ls->w[0];
	char msg[512];

	for (uint32_t k = 0; k < j->n; k++) {
		const struct page *t = pfn_page(w, j->w[k].table);
		unsigned shift = PAGE_SHIFT + 9 * (unsigned)(t->pt_level - 1);

		/* a table freed since, or a slot written again: not this write */
		if (t->kind != PAGE_PGTABLE || t->pt_level < 2 || !t->pt_mm ||
		    t->table[j->w[k].slot] != j->w[k].new)
			continue;
		if (invariants_check_table_entry(w, t->pt_mm->pid,
				t->pt_va + ((uint64_t)j->w[k].slot << shift),
				t->pt_level, j->w[k].new, msg, sizeof(msg))) {
			invariant_diverge(ls, op, index, 0, msg);
			return true;
		}
	}
	return false;
}

void differ_check_touched(struct lockstep *ls, const struct op *op,
			  uint32_t index)
{
	const struct pte_journal *j = ls->journal[0];
	uint64_t *f = ls->frames;
	uint32_t n = 0;

	if (check_table_writes(ls, op, index))
		return;

	for (uint32_t k = 0; k < j->n; k++) {
		uint64_t e[2] = { j->w[k].old, j->w[k].new };

		for (int x = 0; x < 2; x++) {
			uint64_t pfn = pte_pfn(e[x]);
			const struct page *pg;

			if (!pte_present(e[x]) || pfn >= ls->w[0]->phys.nframes)
				continue;
			pg = pfn_page(ls->w[0], pfn);
			if (pg->kind != PAGE_ANON && pg->kind != PAGE_FILE)
				continue;   /* tables, the zero page, freed frames */
			array_reserve((void **)&ls->frames, &ls->cap_frames, n,
				      sizeof(uint64_t));
			f = ls->frames;
			f[n++] = pfn;
		}
	}
	if (n)
		qsort(f, n, sizeof(*f), frame_cmp);
	for (uint32_t k = 0; k < n && !ls->diverged; k++)
		if (!k || f[k] != f[k - 1])
			check_touched_frame(ls, op, index, f[k]);
}

void differ_check_op_invariants(struct lockstep *ls, const struct op *op,
				uint32_t index)
{
	char msg[512];

	for (unsigned i = 0; i < ls->nworlds && !ls->no_invariants; i++)
		if (invariants_check_op(ls->w[i], op, msg, sizeof(msg)))
			invariant_diverge(ls, op, index, i, msg);
}

void differ_check_op(struct lockstep *ls, const struct op *op, uint32_t index,
		     bool all)
{
	if (!ls->no_invariants)
		check_invariants(ls, op, index);
	if (ls->nworlds > 1)
		check_pgtables(ls, op, index);
	check_walks(ls, op, index, all);
}
