/*
 * world.c - creating and tearing down a world, and applying one op of the
 * trace format to it (the one place that maps struct op onto the mm calls).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

const struct rmap_ops *rmap_backend(const char *name)
{
	static const struct rmap_ops *const all[] = {
		&rmap_obj_ops, &rmap_ptechain_ops, &rmap_scan_ops,
		&rmap_anonvma2004_ops,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

struct world *world_new(const struct world_config *cfg)
{
	struct world *w = xcalloc(1, sizeof(*w));
	struct mm *p0 = xcalloc(1, sizeof(*p0));

	phys_init(w, cfg ? cfg->max_frames : 0);
	w->rmap = cfg && cfg->rmap ? cfg->rmap : &rmap_scan_ops;
	if (w->rmap->init(w)) {
		phys_fini(w);
		free(w);
		free(p0);
		return NULL;
	}
	w->nmms = 8;
	w->mms = xcalloc(w->nmms, sizeof(void *));
	p0->alive = true;
	w->mms[0] = p0;
	return w;
}

/* a file's memory, at teardown: its frames go with phys_fini */
static void file_release(struct file *f)
{
	free(f->cache);
	free(f);
}

/*
 * Teardown frees memory directly instead of exiting every process: no PTE
 * is zapped and no count kept, since nothing is checked any more (this is
 * half of a fuzz input's fixed cost otherwise).  The backend frees its own
 * per-frame data in fini, before the frames go.
 */
void world_free(struct world *w)
{
	if (!w)
		return;
	for (uint32_t i = 0; i < w->nmms; i++) {
		struct mm *mm = w->mms[i];

		for (uint32_t k = 0; mm && k < mm->nvmas; k++) {
			struct vma *vma = mm->vmas[k];

			for (uint32_t a = 0; a < vma->navc; a++)
				free(vma->avc[a]);
			if (vma->file && vma->file->shmem_anon && --vma->file->refcount == 0)
				file_release(vma->file);
			free(vma->avc);
			free(vma);
		}
		if (mm)
			free(mm->vmas);
		free(mm);
	}
	while (w->anon_vmas) {
		struct anon_vma *av = w->anon_vmas;

		w->anon_vmas = av->next_all;
		free(av);
	}
	for (uint32_t i = 0; i < w->nfiles; i++)
		if (w->files[i])
			file_release(w->files[i]);
	w->rmap->fini(w);
	free(w->mms);
	free(w->files);
	swap_fini(w);
	phys_fini(w);
	free(w);
}

void world_fail_nth(struct world *w, uint64_t n)
{
	w->fail_at = n ? w->alloc_count + n : 0;
	w->fail_fired = false;
}

uint64_t world_alloc_count(const struct world *w) { return w->alloc_count; }
bool world_fail_fired(const struct world *w) { return w->fail_fired; }
unsigned world_nprocs(const struct world *w) { return w->nmms; }
uint64_t world_zero_pfn(const struct world *w) { return w->phys.zero_pfn; }
const char *world_backend_name(const struct world *w) { return w->rmap->name; }

void world_walk_stats(const struct world *w, struct walk_stats *out)
{
	out->walks = w->stats.walks;
	out->vmas_visited = w->stats.vmas_visited;
	out->ptes_checked = w->stats.ptes_checked;
}

bool world_proc_alive(const struct world *w, unsigned pid)
{
	return mm_get(w, pid) != NULL;
}

int world_frame_at(const struct world *w, unsigned pid, uint64_t addr, uint64_t *pfn)
{
	const struct mm *mm = mm_get(w, pid);
	const uint64_t *pte = mm ? pte_lookup(w, mm, addr & PAGE_MASK) : NULL;

	if (!pte || !pte_present(*pte))
		return 0;
	*pfn = pte_pfn(*pte);
	return 1;
}

static int file_op(struct world *w, uint32_t id, uint64_t size)
{
	if (size > MAX_LFS_FILESIZE)
		return -EINVAL;   /* ftruncate's length is a signed loff_t */
	if (id >= w->nfiles) {
		uint32_t cap = w->nfiles;

		array_reserve((void **)&w->files, &cap, id, sizeof(void *));
		w->nfiles = cap;
	}
	if (!w->files[id]) {
		w->files[id] = file_new(w, size, false);
		if (!w->files[id])
			return -ENOMEM;
		w->files[id]->id = id;
		return 0;
	}
	return file_truncate(w, w->files[id], size);
}

static struct file *file_get_named(struct world *w, uint32_t id)
{
	return id < w->nfiles ? w->files[id] : NULL;
}

int world_apply(struct world *w, const struct op *op)
{
	struct mm *mm;
	struct file *f = NULL;
	unsigned mrflags = 0;

	if (op_is_check(op))
		return RES_OK;
	if (op->kind == OP_FILE)
		return file_op(w, op->file, op->len);
	mm = mm_get(w, op->proc);
	if (!mm)
		return -ESRCH;
	switch (op->kind) {
	case OP_MMAP:
		if (!(op->flags & OPF_ANON)) {
			f = file_get_named(w, op->file);
			if (!f)
				return -EBADF;
		}
		return do_mmap(w, mm, op->addr, op->len, op->prot, f, op->off,
			       op->flags & OPF_SHARED);
	case OP_MUNMAP:
		return do_munmap(w, mm, op->addr, op->len);
	case OP_MPROTECT:
		return do_mprotect(w, mm, op->addr, op->len, op->prot);
	case OP_MREMAP:
		if (op->flags & OPF_MAYMOVE)
			mrflags |= 1;
		if (op->flags & OPF_FIXED)
			mrflags |= 1 | 2;
		if (op->flags & OPF_DONTUNMAP)
			mrflags |= 4;
		return do_mremap(w, mm, op->addr, op->len, op->newlen, mrflags,
				 op->addr2);
	case OP_MADVISE:
		return do_madvise_dontneed(w, mm, op->addr, op->len);
	case OP_FORK:
		if (op->proc2 == op->proc)
			return -EEXIST;
		return do_fork(w, mm, op->proc2);
	case OP_EXIT:
		do_exit(w, mm);
		return RES_OK;
	case OP_READ:
	case OP_WRITE:
		return handle_access(w, mm, op->addr, op->kind == OP_WRITE);
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

struct walk_out {
	struct rmap_hit *h;
	uint32_t n, cap;
};

static bool walk_collect(struct world *w, pfn_t pfn, struct vma *vma,
			 uint64_t addr, uint64_t *pte, void *arg)
{
	struct walk_out *o = arg;

	(void)w; (void)pfn; (void)pte;
	array_reserve((void **)&o->h, &o->cap, o->n, sizeof(struct rmap_hit));
	o->h[o->n++] = (struct rmap_hit){ vma->mm->pid, addr };
	return true;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct rmap_hit *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * The zero page has no rmap in Linux (vm_normal_page() returns NULL for it),
 * so its "walk" is answered by the brute-force scan whatever the backend.
 */
int world_rmap_walk(struct world *w, uint64_t pfn, struct rmap_hit **out)
{
	struct walk_out o = { NULL, 0, 0 };
	struct rmap_walk_control rwc = { walk_collect, &o };
	int err;

	if (pfn == 0 || pfn >= w->phys.nframes)
		return -EINVAL;
	if (pfn == w->phys.zero_pfn)
		err = rmap_scan_ops.walk(w, pfn, &rwc);
	else
		err = rmap_walk(w, pfn, &rwc);
	if (err) {
		free(o.h);
		return err;
	}
	if (o.n)
		qsort(o.h, o.n, sizeof(*o.h), hit_cmp);
	*out = o.h;
	return (int)o.n;
}
