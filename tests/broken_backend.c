/*
 * broken_backend.c - see broken_backend.h.
 */
#include <string.h>

#include "tests/broken_backend.h"

static struct rmap_ops broken;

/* the bug: every fourth page's mapping is never removed from its chain */
static void forgetful_remove(struct world *w, pfn_t pfn, struct vma *vma,
			     uint64_t addr)
{
	if (((addr >> 12) & 3) == 3)
		return;
	rmap_ptechain_ops.remove(w, pfn, vma, addr);
}

const struct rmap_ops *broken_ptechain(void)
{
	broken = rmap_ptechain_ops;
	broken.remove = forgetful_remove;
	return &broken;
}

const struct rmap_ops *__wrap_rmap_backend(const char *name)
{
	if (name && !strcmp(name, "ptechain"))
		return broken_ptechain();
	return __real_rmap_backend(name);
}
