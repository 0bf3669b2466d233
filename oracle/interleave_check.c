/*
 * interleave_check.c - the checks of interleave_check.h.  The truth is the
 * page-table scan of the world at the walker's moment (scan.h), never a
 * backend's own state.
 */
#include <stdio.h>
#include <string.h>

#include "core/interleave.h"
#include "core/pgtable.h"
#include "oracle/differ.h"
#include "oracle/interleave_check.h"
#include "oracle/scan.h"

/* "p1:0x10000000 p2:0x20000000" of N hits, or "(none)" */
static void put_hits(char *buf, size_t len, const struct rmap_hit *h,
		     uint32_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (uint32_t k = 0; k < n && at < len; k++)
		at += (size_t)snprintf(buf + at, len - at, "%sp%u:0x%llx",
				       k ? " " : "", h[k].pid,
				       (unsigned long long)h[k].addr);
	if (!n)
		snprintf(buf, len, "(none)");
}

/* the present PTEs of PFN in scan S as hits, into ls->hits[LOCKSTEP...] */
static uint32_t scan_hits(const struct scan *s, uint64_t pfn,
			  struct rmap_hit *out, uint32_t cap)
{
	uint32_t first, n = scan_frame(s, pfn, &first);

	for (uint32_t k = 0; k < n && k < cap; k++)
		out[k] = (struct rmap_hit){ s->e[first + k].pid,
					    s->e[first + k].addr };
	return n;
}

static const char *migration_entry_of(const struct scan *s, uint64_t pfn,
				      char *buf, size_t len)
{
	for (uint32_t k = 0; k < s->nall; k++) {
		uint64_t e = s->all[k].pte;

		if (pte_is_swap(e) && swp_type(e) == SWP_TYPE_MIGRATION &&
		    swp_offset(e) == pfn) {
			snprintf(buf, len, "p%u:0x%llx", s->all[k].pid,
				 (unsigned long long)s->all[k].addr);
			return buf;
		}
	}
	return NULL;
}

/* at the walker's start: its walk is the scan of that moment */
static void check_moment(struct lockstep *ls, unsigned i, const struct op *op,
			 uint32_t index, uint64_t pfn)
{
	struct world *w = ls->w[i];
	struct rmap_hit want[64];
	char a[400], b[400], detail[900];
	int got = world_rmap_walk_buf(w, pfn, &ls->hits[i], &ls->cap_hits[i]);
	uint32_t n = scan_hits(&ls->scan[i], pfn, want, 64);
	bool same = got >= 0 && (uint32_t)got == n && n <= 64;

	for (uint32_t k = 0; same && k < n; k++)
		same = want[k].pid == ls->hits[i][k].pid &&
		       want[k].addr == ls->hits[i][k].addr;
	if (same)
		return;
	put_hits(a, sizeof(a), want, n < 64 ? n : 64);
	put_hits(b, sizeof(b), ls->hits[i], got > 0 ? (uint32_t)got : 0);
	snprintf(detail, sizeof(detail), "frame %llu when the %s walker starts "
		 "at %s: page tables: %s; %s walk: %s",
		 (unsigned long long)pfn, ilv_walker_name(op->ilv_walker),
		 yield_point_name(op->ilv_point), a, world_backend_name(w), b);
	differ_report(ls, op, index, "interleave-walk", world_backend_name(w),
		      detail);
}

/* right after a migrate or unmap walker that succeeded */
static void check_after_walker(struct lockstep *ls, unsigned i,
			       const struct op *op, uint32_t index,
			       uint64_t pfn)
{
	struct world *w = ls->w[i];
	struct interleave_outcome o;
	struct rmap_hit left[8];
	char a[300], where[48], detail[600];
	uint32_t n;

	world_interleave_outcome(w, &o);
	if (op->ilv_walker == ILV_WALKER_AGE || o.result != 0)
		return;
	n = scan_hits(&ls->scan[i], pfn, left, 8);
	if (n) {
		put_hits(a, sizeof(a), left, n < 8 ? n : 8);
		snprintf(detail, sizeof(detail), "frame %llu is still mapped "
			 "right after the %s walker at %s succeeded: %s",
			 (unsigned long long)pfn,
			 ilv_walker_name(op->ilv_walker),
			 yield_point_name(op->ilv_point), a);
		differ_report(ls, op, index, "interleave-stale",
			      world_backend_name(w), detail);
		return;
	}
	if (migration_entry_of(&ls->scan[i], pfn, where, sizeof(where))) {
		snprintf(detail, sizeof(detail), "a migration entry for frame "
			 "%llu is left at %s after the migrate walker at %s",
			 (unsigned long long)pfn, where,
			 yield_point_name(op->ilv_point));
		differ_report(ls, op, index, "interleave-migration-entry",
			      world_backend_name(w), detail);
	}
}

void interleave_check_walker(struct lockstep *ls, unsigned i,
			     const struct op *op, uint32_t index, int phase,
			     uint64_t pfn)
{
	if (ls->diverged || scan_world(ls->w[i], &ls->scan[i]))
		return;
	if (phase == ILV_BEFORE_WALKER)
		check_moment(ls, i, op, index, pfn);
	else
		check_after_walker(ls, i, op, index, pfn);
}

void interleave_check_op(struct lockstep *ls, const struct op *op,
			 uint32_t index)
{
	struct interleave_outcome o[LOCKSTEP_MAX_WORLDS] = { { 0 } };
	char where[48], detail[300];

	for (unsigned i = 0; i < ls->nworlds; i++)
		world_interleave_outcome(ls->w[i], &o[i]);
	for (unsigned i = 1; i < ls->nworlds; i++) {
		if (o[i].status == o[0].status)
			continue;
		snprintf(detail, sizeof(detail), "%s: %s, %s: %s",
			 world_backend_name(ls->w[0]), ilv_status_name(o[0].status),
			 world_backend_name(ls->w[i]), ilv_status_name(o[i].status));
		differ_report(ls, op, index, "interleave", "all", detail);
		return;
	}
	if (o[0].status != INTERLEAVE_RAN || op->ilv_walker != ILV_WALKER_MIGRATE)
		return;
	for (unsigned i = 0; i < ls->nworlds; i++) {
		if (ls->diverged || scan_world(ls->w[i], &ls->scan[i]))
			return;
		if (!migration_entry_of(&ls->scan[i], o[i].pfn, where,
					sizeof(where)))
			continue;
		snprintf(detail, sizeof(detail), "a migration entry for frame "
			 "%llu is left at %s after the op",
			 (unsigned long long)o[i].pfn, where);
		differ_report(ls, op, index, "interleave-migration-entry",
			      world_backend_name(ls->w[i]), detail);
	}
}
