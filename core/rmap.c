/*
 * rmap.c - the entry points of the reverse map (rmap.h): core's walk of one
 * frame through the world's backend, and the public walk of world.h that
 * reports (process, address) pairs in a fixed order.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/rmap.h"
#include "core/world.h"

int rmap_walk(struct world *w, pfn_t pfn, struct rmap_walk_control *rwc)
{
	w->stats.walks++;
	return w->rmap->walk(w, pfn, rwc);
}

struct walk_out {
	struct rmap_hit *h;
	uint32_t n, cap;
};

static bool walk_collect(struct world *w, pfn_t pfn, struct vma *vma,
			 uint64_t addr, uint64_t *pte, void *arg)
{
	struct walk_out *o = arg;

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
int world_rmap_walk_buf(struct world *w, uint64_t pfn, struct rmap_hit **buf,
			uint32_t *cap)
{
	struct walk_out o = { *buf, 0, *cap };
	struct rmap_walk_control rwc = { walk_collect, &o, NULL };
	int err;

	if (pfn == 0 || pfn >= w->phys.nframes)
		return -EINVAL;
	if (pfn == w->phys.zero_pfn)
		err = rmap_scan_ops.walk(w, pfn, &rwc);
	else
		err = rmap_walk(w, pfn, &rwc);
	*buf = o.h;
	*cap = o.cap;
	if (err)
		return err;
	if (o.n)
		qsort(o.h, o.n, sizeof(*o.h), hit_cmp);
	return (int)o.n;
}

int world_rmap_walk(struct world *w, uint64_t pfn, struct rmap_hit **out)
{
	struct rmap_hit *h = NULL;
	uint32_t cap = 0;
	int n = world_rmap_walk_buf(w, pfn, &h, &cap);

	if (n < 0) {
		free(h);
		return n;
	}
	*out = h;
	return n;
}
