/*
 * world.c - creating and tearing down a world, and applying one op of the
 * trace format to it (the one place that maps struct op onto the mm calls).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/address_space.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/bug.h"
#include "core/fault.h"
#include "core/folio.h"
#include "core/khugepaged_file.h"
#include "core/ksm.h"
#include "core/op.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/rmap.h"
#include "core/rmap_consumers.h"
#include "core/syscalls.h"
#include "core/world.h"

const struct rmap_ops *rmap_backend(const char *name)
{
	static const struct rmap_ops *const all[] = {
		&rmap_obj_ops, &rmap_ptechain_ops, &rmap_scan_ops,
		&rmap_anonvma2004_ops, &rmap_ptechain25_ops,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

/* everything world_new sets up but the memory: frames, backend, p0 */
static int world_setup(struct world *w, uint64_t max_frames,
		       const struct rmap_ops *rmap, bool no_zero_page)
{
	struct mm *p0;

	phys_init(w, max_frames);
	w->rmap = rmap;
	w->no_zero_page = no_zero_page;
	w->thp_orders = THP_ORDERS_DEFAULT;
	if (w->rmap->init && w->rmap->init(w))
		return -ENOMEM;
	w->nmms = 8;
	w->mms = core_xalloc(w, w->nmms * sizeof(void *));
	p0 = core_xalloc(w, sizeof(*p0));
	p0->alive = true;
	w->mms[0] = p0;
	return 0;
}

struct world *world_new(const struct world_config *cfg)
{
	struct world *w = xcalloc(1, sizeof(*w));

	arena_init(&w->arena);
	if (world_setup(w, cfg ? cfg->max_frames : 0,
			cfg && cfg->rmap ? cfg->rmap : &rmap_scan_ops,
			cfg && cfg->no_zero_page)) {
		arena_release(&w->arena);
		free(w);
		return NULL;
	}
	return w;
}

/*
 * Nothing is torn down object by object: no process exits, no PTE is
 * zapped, no count is kept, since nothing is checked any more.  Everything
 * a world holds is in its arena, which forgets it all at once.
 */
void world_reset(struct world *w)
{
	struct arena arena = w->arena;
	const struct rmap_ops *rmap = w->rmap;
	uint64_t limit = w->phys.limit;
	bool no_zero_page = w->no_zero_page;

	if (rmap->fini)
		rmap->fini(w);
	memset(w, 0, sizeof(*w));
	w->arena = arena;
	arena_reset(&w->arena);
	BUG_ON(world_setup(w, limit, rmap, no_zero_page));
}

void world_free(struct world *w)
{
	if (!w)
		return;
	if (w->rmap->fini)
		w->rmap->fini(w);
	arena_release(&w->arena);
	free(w);
}

void world_fail_nth(struct world *w, uint64_t n)
{
	w->fail_at = n ? w->alloc_count + n : 0;
	w->fail_fired = w->fail_fallback = false;
}

void world_fail_site_nth(struct world *w, enum alloc_site site, uint64_t n)
{
	w->site_fail_at[site] = n ? w->site_count[site] + n : 0;
	if (n)
		w->fail_fired = w->fail_fallback = false;
}

uint64_t world_alloc_count(const struct world *w) { return w->alloc_count; }
bool world_fail_fired(const struct world *w) { return w->fail_fired; }
bool world_fail_fell_back(const struct world *w) { return w->fail_fallback; }
unsigned world_nprocs(const struct world *w) { return w->nmms; }
uint64_t world_zero_pfn(const struct world *w) { return w->phys.zero_pfn; }

void world_folio(const struct world *w, uint64_t pfn, uint64_t *head,
		 uint32_t *nr)
{
	*head = folio_head(w, pfn);
	*nr = page_folio_nr(pfn_page(w, pfn));
}
const char *world_backend_name(const struct world *w) { return w->rmap->name; }

void world_set_pte_observer(struct world *w, pte_observer_fn fn, void *arg)
{
	w->pte_observer = fn;
	w->pte_observer_arg = arg;
}

void world_set_rmap_observer(struct world *w, rmap_observer_fn fn, void *arg)
{
	w->rmap_observer = fn;
	w->rmap_observer_arg = arg;
}

void world_set_interleave_observer(struct world *w, interleave_observer_fn fn,
				   void *arg)
{
	w->ilv_observer = fn;
	w->ilv_observer_arg = arg;
}

void world_interleave_outcome(const struct world *w,
			      struct interleave_outcome *out)
{
	*out = (struct interleave_outcome){
		.status = w->ilv.status, .page_state = w->ilv.page_state,
		.walker = w->ilv.walker,
		.point = w->ilv.point, .pfn = w->ilv.pfn,
		.blocked_by = w->ilv.blocked_by, .result = w->ilv.result,
		.in_flight = w->ilv.in_flight,
		.in_flight_past_ptl = w->ilv.in_flight_past_ptl,
		.in_flight_kind = w->ilv.in_flight_kind,
		.in_flight_pid = w->ilv.in_flight_pid,
		.in_flight_from = w->ilv.in_flight_from,
		.in_flight_to = w->ilv.in_flight_to,
		.table_freed = w->ilv.table_freed,
		.freed_pid = w->ilv.freed.pid,
		.freed_va = w->ilv.freed.va,
		.freed_table = w->ilv.freed.table,
	};
}

const char *rmap_event_name(enum rmap_event_kind kind)
{
	static const char *const names[] = {
		[RMAP_EVENT_ADD] = "add",
		[RMAP_EVENT_REMOVE] = "remove",
		[RMAP_EVENT_MOVE] = "move",
		[RMAP_EVENT_MOVE_FRAME] = "move_frame",
		[RMAP_EVENT_FORK_COPY] = "fork_copy",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

void world_walk_stats(const struct world *w, struct walk_stats *out)
{
	*out = w->stats;
}

bool world_proc_alive(const struct world *w, unsigned pid)
{
	return mm_get(w, pid) != NULL;
}

int world_frame_at(const struct world *w, unsigned pid, uint64_t addr, uint64_t *pfn)
{
	const struct mm *mm = mm_get(w, pid);
	bool pmd = false;
	const uint64_t *pte = mm ? mapped_slot(w, mm, addr & PAGE_MASK, &pmd)
				 : NULL;

	if (!pte || !pte_present(*pte))
		return 0;
	/* a PMD leaf maps the page at its offset in the 2 MiB */
	*pfn = pte_pfn(*pte) + (pmd ? (addr & ~PMD_MASK) >> PAGE_SHIFT : 0);
	return 1;
}

/*
 * `file F SIZE` is open(O_CREAT) then ftruncate(SIZE) on a tmpfs file: the
 * file exists (empty) even when the size is refused.
 */
static int file_op(struct world *w, uint32_t id, uint64_t size)
{
	if (id >= w->nfiles) {
		uint32_t cap = w->nfiles;

		core_array_reserve(w, (void **)&w->files, &cap, id, sizeof(void *));
		w->nfiles = cap;
	}
	if (!w->files[id]) {
		w->files[id] = address_space_new(w, 0, false);
		if (!w->files[id])
			return -ENOMEM;
		w->files[id]->id = id;
	}
	if (size > MAX_LFS_FILESIZE)
		return -EINVAL;   /* ftruncate's length is a signed loff_t */
	return truncate_setsize(w, w->files[id], size);
}

static struct address_space *named_file(struct world *w, uint32_t id)
{
	return id < w->nfiles ? w->files[id] : NULL;
}

/* the trace's mremap flags as the system call takes them (fixed: maymove) */
static unsigned mremap_flags(const struct op *op)
{
	unsigned flags = 0;

	if (op->flags & OPF_MAYMOVE)
		flags |= MREMAP_MAYMOVE;
	if (op->flags & OPF_FIXED)
		flags |= MREMAP_MAYMOVE | MREMAP_FIXED;
	if (op->flags & OPF_DONTUNMAP)
		flags |= MREMAP_DONTUNMAP;
	return flags;
}

static int apply(struct world *w, const struct op *op);

/*
 * Arm the op's interleaving (interleave.h): its walker's frame is the one
 * ilv_proc:ilv_addr maps now, when the op starts.  A frame that is not a
 * page a walker can act on (none, the zero page) leaves it unarmed.
 */
static void interleave_arm(struct world *w, const struct op *op)
{
	uint64_t pfn;

	w->ilv = (struct interleave){ .walker = op->ilv_walker,
				      .point = op->ilv_point,
				      .nth = op->ilv_nth ? op->ilv_nth : 1 };
	if (!op->ilv_walker)
		return;
	/*
	 * Not modelled yet: a walker on a page of a large folio (Linux's
	 * try_to_unmap/try_to_migrate split PMD mappings first,
	 * TTU_SPLIT_HUGE_PMD); such an interleaving has no page to run on,
	 * as for the zero page.  Except at mremap_move_pmd, whose window is a
	 * PMD-mapped THP's: there the walker's frame is any page of a large
	 * folio, and a migrate or unmap walker only walks (interleave_run.c
	 * walk)
	 */
	if (!world_frame_at(w, op->ilv_proc, op->ilv_addr & PAGE_MASK, &pfn) ||
	    pfn == w->phys.zero_pfn ||
	    (pfn_page(w, pfn)->folio_order &&
	     op->ilv_point != YP_MREMAP_MOVE_PMD)) {
		w->ilv.status = INTERLEAVE_NO_PAGE;
		return;
	}
	w->ilv.pfn = pfn;
	w->ilv.status = INTERLEAVE_UNREACHED;
	w->ilv.armed = true;
}

/* the op, with its fail-nth and its interleaving armed for its duration */
int world_apply(struct world *w, const struct op *op)
{
	enum alloc_site site = op->flags & OPF_FAIL_BACKEND ? ALLOC_SITE_BACKEND
							    : ALLOC_SITE_MM;
	int res;

	if (op_is_check(op))
		return RES_OK;
	w->op_seq++;
	w->unmodelled = NULL;
	if (w->file_thps)
		file_thps_split(w);
	interleave_arm(w, op);
	if (op->fail_nth)
		world_fail_site_nth(w, site, op->fail_nth);
	res = apply(w, op);
	if (op->fail_nth)
		world_fail_site_nth(w, site, 0);
	w->ilv.armed = false;
	/* every unmap that stalls a walker resumes it (MM_UNSTALL) */
	BUG_ON(w->ilv.stalled);
	return res;
}

static int apply(struct world *w, const struct op *op)
{
	struct mm *mm;
	struct address_space *file = NULL;

	if (op->kind == OP_FILE)
		return file_op(w, op->file, op->len);
	if (op->kind == OP_KSM_SCAN)
		return ksm_scan(w);
	if (op->kind == OP_THP_SIZES) {
		/* the trace parser allows it before the first op only */
		w->thp_orders = (uint32_t)op->len;
		return RES_OK;
	}
	mm = mm_get(w, op->proc);
	if (!mm)
		return -ESRCH;
	switch (op->kind) {
	case OP_MMAP:
		if (!(op->flags & OPF_ANON)) {
			/* x86 sys_mmap refuses an unaligned offset before
			 * ksys_mmap_pgoff looks the file up */
			file = named_file(w, op->file);
			if (!file)
				return op->off & ~PAGE_MASK ? -EINVAL : -EBADF;
		}
		return do_mmap(w, mm, op->addr, op->len, op->prot, file, op->off,
			       op->flags & OPF_SHARED, op->flags & OPF_GROWSDOWN);
	case OP_MUNMAP:
		return do_munmap(w, mm, op->addr, op->len);
	case OP_MPROTECT:
		return do_mprotect(w, mm, op->addr, op->len, op->prot);
	case OP_MREMAP:
		return do_mremap(w, mm, op->addr, op->len, op->newlen,
				 mremap_flags(op), op->addr2);
	case OP_MADVISE:
		if (op->advice == ADV_DONTNEED)
			return do_madvise_dontneed(w, mm, op->addr, op->len);
		if (op->advice == ADV_COLLAPSE)
			return do_madvise_collapse(w, mm, op->addr, op->len);
		return do_madvise_fork(w, mm, op->addr, op->len, op->advice);
	case OP_UFFD_MOVE:
		return do_uffd_move(w, mm, op->addr, op->addr2, op->len,
				    op->flags & OPF_SRC_HOLES);
	case OP_FORK:
		if (op->proc2 == op->proc)
			return -EEXIST;
		return do_fork(w, mm, op->proc2);
	case OP_EXIT:
		do_exit(w, mm);
		return RES_OK;
	case OP_READ:
		return handle_access(w, mm, op->addr, false);
	case OP_WRITE:
		/* above every byte value: no other page holds it (page.content) */
		return handle_store(w, mm, op->addr, 256 + ++w->content_seq);
	case OP_FILL:
		return handle_store(w, mm, op->addr, op->len & 0xff);
	case OP_MIGRATE:
		return page_migrate(w, mm, op->addr);
	case OP_PAGEOUT:
		return page_pageout(w, mm, op->addr);
	case OP_AGE:
		return page_age(w, mm, op->addr);
	default:
		return -EINVAL;
	}
}
