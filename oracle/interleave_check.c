/*
 * interleave_check.c - the checks of interleave_check.h.  The truth is the
 * page-table scan of the world at the walker's moment (scan.h), never a
 * backend's own state.
 */
#include <stdio.h>
#include <string.h>

#include "core/interleave.h"
#include "core/khugepaged_file.h"
#include "core/pgtable.h"
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
/*
 * The collapse walker walks the frame (try_to_unmap() in collapse_file())
 * only when it is a small tmpfs page with no large folio in its range:
 * other pages it passes by (core/khugepaged_file.h collapse_file_walks),
 * with no walk to check.
 */
static bool collapse_walks_past(const struct world *w, const struct op *op,
				uint64_t pfn)
{
	return op->ilv_walker == ILV_WALKER_COLLAPSE &&
	       !collapse_file_walks(w, pfn);
}

static bool check_moment(struct world *w, const struct op *op, uint64_t pfn,
			 const struct scan *scan, struct rmap_hit **hits,
			 uint32_t *cap, struct ilv_finding *f)
{
	struct rmap_hit want[64];
	struct interleave_outcome o;
	char a[400], b[400];
	int got = world_rmap_walk_buf(w, pfn, hits, cap);
	uint32_t n = scan_hits(scan, pfn, want, 64);
	bool same = got >= 0 && (uint32_t)got == n && n <= 64;

	for (uint32_t k = 0; same && k < n; k++)
		same = want[k].pid == (*hits)[k].pid &&
		       want[k].addr == (*hits)[k].addr;
	world_interleave_outcome(w, &o);
	if (same && !o.in_flight)
		return false;
	put_hits(a, sizeof(a), want, n < 64 ? n : 64);
	/*
	 * A PTE in flight in move_ptes() maps the frame at this moment and
	 * no lock the walker holds protects it (the lock model let the
	 * walker run): no walk can find it, which is the race.
	 */
	if (o.in_flight) {
		static const char *const what[] = {
			[ILV_IN_FLIGHT_PTE] = "move_ptes, in neither table",
			[ILV_IN_FLIGHT_PMD] = "move_huge_pmd, in neither PMD "
					      "table",
			[ILV_IN_FLIGHT_TABLE] = "collapse_huge_page, in a PTE "
						"table detached from its PMD",
			[ILV_IN_FLIGHT_MOVED_TABLE] = "move_normal_pmd, in a "
						      "PTE table in neither PMD",
		};
		size_t at = strlen(a);
		char to[24] = "";

		/* a detached table's page stays at its address: no "->TO" */
		if (o.in_flight_kind != ILV_IN_FLIGHT_TABLE)
			snprintf(to, sizeof(to), "->0x%llx",
				 (unsigned long long)o.in_flight_to);
		snprintf(a + at, sizeof(a) - at, "%sp%u:0x%llx%s in flight (%s)",
			 n ? " " : "", o.in_flight_pid,
			 (unsigned long long)o.in_flight_from, to,
			 what[o.in_flight_kind]);
		if (!n)
			memmove(a, a + at, strlen(a + at) + 1);
	}
	put_hits(b, sizeof(b), *hits, got > 0 ? (uint32_t)got : 0);
	/*
	 * Two races leave a PTE in flight to a walker, and a reader fixes
	 * them in different places: a walk whose order meets the PTL
	 * move_ptes() holds got past it (the walker's lock rule:
	 * interleave-ptl), or a walk that visits the new VMA first ran
	 * without the rmap locks mremap needed (interleave-walk, like every
	 * other walk that misses).
	 */
	bool past_ptl = o.in_flight && o.in_flight_past_ptl;
	/*
	 * A PMD leaf in flight in move_huge_pmd() missed by a walk that
	 * visits the new VMA first: the PMD move ran without the rmap locks
	 * need_rmap_locks asked for, which a reader fixes around
	 * move_huge_pmd(), not in move_ptes() (Shutemov's 2014 fix came two
	 * years after need_rmap_locks): interleave-pmd.
	 */
	bool pmd = o.in_flight && !past_ptl &&
		   o.in_flight_kind == ILV_IN_FLIGHT_PMD;
	/*
	 * A whole PTE table in flight in move_normal_pmd() missed by a walk:
	 * the table moved without the rmap locks 97113eb39fa7 made
	 * unconditional there, which a reader fixes around
	 * move_pgt_entry(NORMAL_PMD), not in move_ptes() (need_rmap_locks'
	 * walk order, Arcangeli's 2011 race, is no help to it):
	 * interleave-table.
	 */
	bool table = o.in_flight && !past_ptl &&
		     o.in_flight_kind == ILV_IN_FLIGHT_MOVED_TABLE;

	snprintf(f->check, sizeof(f->check), "%s",
		 past_ptl ? "interleave-ptl" : pmd ? "interleave-pmd" :
		 table ? "interleave-table" : "interleave-walk");
	snprintf(f->detail, sizeof(f->detail), "frame %llu when the %s walker "
		 "starts at %s%s: page tables: %s; %s walk: %s",
		 (unsigned long long)pfn, ilv_walker_name(op->ilv_walker),
		 yield_point_name(op->ilv_point),
		 past_ptl ? " (past the PTL the move holds)" : "", a,
		 world_backend_name(w), b);
	return true;
}

/* right after a migrate, unmap or collapse walker that succeeded */
static bool check_after_walker(struct world *w, const struct op *op,
			       uint64_t pfn, const struct scan *scan,
			       struct ilv_finding *f)
{
	struct interleave_outcome o;
	struct rmap_hit left[8];
	char a[300], where[48];
	uint32_t n;

	world_interleave_outcome(w, &o);
	if (op->ilv_walker == ILV_WALKER_AGE ||
	    op->ilv_walker == ILV_WALKER_STALLED || o.result != 0)
		return false;
	/*
	 * a collapse that succeeded freed the page (its copy is in the new
	 * folio): no PTE may map it; one that found the range collapsed
	 * already left it where it was
	 */
	if (op->ilv_walker == ILV_WALKER_COLLAPSE &&
	    pfn_page(w, pfn)->kind != PAGE_FREE)
		return false;
	n = scan_hits(scan, pfn, left, 8);
	if (n) {
		put_hits(a, sizeof(a), left, n < 8 ? n : 8);
		snprintf(f->check, sizeof(f->check), "interleave-stale");
		snprintf(f->detail, sizeof(f->detail), "frame %llu is still "
			 "mapped right after the %s walker at %s succeeded: %s",
			 (unsigned long long)pfn, ilv_walker_name(op->ilv_walker),
			 yield_point_name(op->ilv_point), a);
		return true;
	}
	if (!migration_entry_of(scan, pfn, where, sizeof(where)))
		return false;
	snprintf(f->check, sizeof(f->check), "interleave-migration-entry");
	snprintf(f->detail, sizeof(f->detail), "a migration entry for frame "
		 "%llu is left at %s right after the migrate walker at %s",
		 (unsigned long long)pfn, where, yield_point_name(op->ilv_point));
	return true;
}

/*
 * The stalled walker resumes (core/interleave_run.c mm_unstall): the PTE
 * table a PMD named when it read it at the point must still be that page
 * table when it maps it.  The page table's own identity is the truth (the
 * frame's kind, level, owner and address), not any backend's state.
 */
static bool check_kept_tables(const struct world *w, const struct op *op,
			      uint64_t pfn, struct ilv_finding *f)
{
	struct interleave_outcome o;
	const struct page *t;

	world_interleave_outcome(w, &o);
	if (!o.table_freed)
		return false;
	t = pfn_page(w, o.freed_table);
	snprintf(f->check, sizeof(f->check), "interleave-freed-table");
	snprintf(f->detail, sizeof(f->detail), "frame %llu: the %s walker "
		 "read p%u:0x%llx's PMD at %s, which named PTE table %llu; "
		 "when it resumed that frame was %s",
		 (unsigned long long)pfn, ilv_walker_name(op->ilv_walker),
		 o.freed_pid, (unsigned long long)o.freed_va,
		 yield_point_name(op->ilv_point),
		 (unsigned long long)o.freed_table,
		 t->kind == PAGE_FREE ? "free" :
		 t->kind == PAGE_PGTABLE ? "another page table" :
		 "a page of memory");
	return true;
}

bool interleave_check_walker(struct world *w, const struct op *op, int phase,
			     uint64_t pfn, struct scan *scan,
			     struct rmap_hit **hits, uint32_t *cap,
			     struct ilv_finding *f)
{
	if (phase == ILV_BEFORE_WALKER && check_kept_tables(w, op, pfn, f))
		return true;
	if (scan_world(w, scan))
		return false;
	if (phase == ILV_BEFORE_WALKER && !collapse_walks_past(w, op, pfn))
		return check_moment(w, op, pfn, scan, hits, cap, f);
	if (phase == ILV_BEFORE_WALKER)
		return false;
	return check_after_walker(w, op, pfn, scan, f);
}

bool interleave_check_outcomes(struct world *const *w, unsigned n,
			       struct ilv_finding *f)
{
	struct interleave_outcome o0, o;

	world_interleave_outcome(w[0], &o0);
	for (unsigned i = 1; i < n; i++) {
		world_interleave_outcome(w[i], &o);
		if (o.status == o0.status)
			continue;
		snprintf(f->check, sizeof(f->check), "interleave");
		snprintf(f->detail, sizeof(f->detail), "%s: %s, %s: %s",
			 world_backend_name(w[0]), ilv_status_name(o0.status),
			 world_backend_name(w[i]), ilv_status_name(o.status));
		return true;
	}
	return false;
}

bool interleave_check_after_op(struct world *w, const struct op *op,
			       struct scan *scan, struct ilv_finding *f)
{
	struct interleave_outcome o;
	char where[48];

	world_interleave_outcome(w, &o);
	if (o.status != INTERLEAVE_RAN || op->ilv_walker != ILV_WALKER_MIGRATE ||
	    scan_world(w, scan) ||
	    !migration_entry_of(scan, o.pfn, where, sizeof(where)))
		return false;
	snprintf(f->check, sizeof(f->check), "interleave-migration-entry");
	snprintf(f->detail, sizeof(f->detail), "a migration entry for frame "
		 "%llu is left at %s after the op", (unsigned long long)o.pfn,
		 where);
	return true;
}
