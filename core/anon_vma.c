/*
 * anon_vma.c - anon_vma and anon_vma_chain as Linux has them since 2.6.34
 * (mm/rmap.c: __anon_vma_prepare, anon_vma_clone, anon_vma_fork,
 * unlink_anon_vmas), with the reuse rule of commit 2555283eb40d
 * (num_children / num_active_vmas).
 *
 *   anon_vma (root) <- anon_vma (child) <- ...      parent pointers
 *      ^ avc ... avc ^                              one AVC per (vma, av)
 *   vma->avc[]: every anon_vma whose pages the VMA may map, newest first
 *   av->rb_root: every VMA that may map the anon_vma's pages, an interval
 *                tree of AVCs keyed by [vm_pgoff, last page offset]
 *
 * These structures are mm state, not a backend's: whether two VMAs merge,
 * whether fork copies PTEs and where mremap puts vm_pgoff all depend on them.
 * Which neighbour's anon_vma a new one may reuse is a merge rule, so the
 * VMA code decides it (vma.c: anon_vma_prepare); this file only links.
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/alloc.h"
#include "core/anon_vma.h"
#include "core/bug.h"
#include "core/interleave.h"
#include "core/interval_tree.h"
#include "core/vma.h"

static struct anon_vma *anon_vma_alloc(struct world *w)
{
	struct anon_vma *av = core_zalloc(w, sizeof(*av));

	if (!av)
		return NULL;
	av->root = av;
	av->parent = av;
	av->refcount = 1;
	av->serial = ++w->serial;
	av->next_all = w->anon_vmas;
	w->anon_vmas = av;
	return av;
}

static void anon_vma_free(struct world *w, struct anon_vma *av)
{
	struct anon_vma **pp = &w->anon_vmas;

	while (*pp != av)
		pp = &(*pp)->next_all;
	*pp = av->next_all;
	core_free(av);
}

static void put_anon_vma(struct world *w, struct anon_vma *av)
{
	BUG_ON(av->refcount <= 0);
	if (--av->refcount)
		return;
	/* __put_anon_vma: a child holds its root alive */
	if (av->root != av)
		put_anon_vma(w, av->root);
	anon_vma_free(w, av);
}

/* anon_vma_chain_link: at the head of the VMA's chain, into the av's set */
static void avc_link(struct world *w, struct vma *vma,
		     struct anon_vma_chain *avc, struct anon_vma *av)
{
	avc->vma = vma;
	avc->anon_vma = av;
	core_array_reserve(w, (void **)&vma->avc, &vma->cap_avc, vma->navc,
			   sizeof(void *));
	for (uint32_t i = vma->navc; i > 0; i--)
		vma->avc[i] = vma->avc[i - 1];
	vma->avc[0] = avc;
	vma->navc++;
	itree_insert(&av->rb_root, &avc->rb, vma->pgoff, vma_last_pgoff(vma),
		     vma->serial);
}

/* __anon_vma_prepare, once the VMA code has looked for a mergeable one */
int anon_vma_attach(struct world *w, struct vma *vma, struct anon_vma *mergeable)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av = mergeable;

	BUG_ON(vma->anon_vma);
	avc = core_zalloc(w, sizeof(*avc));
	if (!avc)
		return -ENOMEM;
	if (!av) {
		av = anon_vma_alloc(w);
		if (!av) {
			core_free(avc);
			return -ENOMEM;
		}
		av->num_children++;   /* self-parent link for a new root */
	}
	vma->anon_vma = av;
	avc_link(w, vma, avc, av);
	av->num_active_vmas++;
	return 0;
}

/*
 * May a fork child's VMA (cloned from SRC) take AV as its own?  One with no
 * VMA of its own and fewer than two children (2555283eb40d).
 */
static bool reusable_at_fork(const struct anon_vma *av, const struct vma *src)
{
	bool reuse = av->num_children < 2 && av->num_active_vmas == 0;
	/* the one degree of old: children and VMAs counted together */
	bool degree = av != src->anon_vma &&
		      av->num_children + av->num_active_vmas < 2;

	if (BUG_INJECTED(anon_vma_reuse_degree, degree != reuse))
		return degree;
	return reuse;
}

/*
 * anon_vma_clone: link dst to every anon_vma of src.  At fork (dst has no
 * anon_vma yet) a reusable anon_vma is taken instead of allocating a new
 * one.  On failure dst is left with no links at all (3a206a8649f8).
 */
int anon_vma_clone(struct world *w, struct vma *dst, struct vma *src, bool fork)
{
	for (uint32_t i = src->navc; i-- > 0;) {
		struct anon_vma *av = src->avc[i]->anon_vma;
		struct anon_vma_chain *avc = core_zalloc(w, sizeof(*avc));

		if (!avc) {
			/* the error path is the cause a finding names */
			vma_note_try(w, VMA_EV_CLONE_FAILED);
			if (!BUG_INJECTED(anon_vma_clone_error_keeps_anon_vma,
					  dst->anon_vma != NULL))
				dst->anon_vma = NULL;
			unlink_anon_vmas(w, dst);
			return -ENOMEM;
		}
		avc_link(w, dst, avc, av);
		if (fork && !dst->anon_vma && reusable_at_fork(av, src))
			dst->anon_vma = av;
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	return 0;
}

/* anon_vma_fork: the child's VMA gets every anon_vma of the parent's + its own */
int anon_vma_fork(struct world *w, struct vma *vma, struct vma *pvma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;
	int err;

	if (!pvma->anon_vma)
		return 0;
	vma->anon_vma = NULL;
	err = anon_vma_clone(w, vma, pvma, true);
	if (err)
		return err;
	if (vma->anon_vma)
		return 0;   /* reused an existing anon_vma */
	av = anon_vma_alloc(w);
	if (!av)
		goto fail;
	avc = core_zalloc(w, sizeof(*avc));
	if (!avc) {
		put_anon_vma(w, av);
		goto fail;
	}
	av->num_active_vmas++;
	av->root = pvma->anon_vma->root;
	av->parent = pvma->anon_vma;
	av->root->refcount++;          /* get_anon_vma(root) */
	vma->anon_vma = av;
	avc_link(w, vma, avc, av);
	av->parent->num_children++;
	return 0;
fail:
	unlink_anon_vmas(w, vma);
	return -ENOMEM;
}

void unlink_anon_vmas(struct world *w, struct vma *vma)
{
	uint32_t keep = 0;

	/* first pass: unlink, keeping the anon_vmas that became empty */
	for (uint32_t i = 0; i < vma->navc; i++) {
		struct anon_vma_chain *avc = vma->avc[i];
		struct anon_vma *av = avc->anon_vma;

		/* lock_anon_vma_root(): a walker stalled in the tree resumes */
		MM_RMAP_LOCK(w, av, NULL);

		itree_remove(&av->rb_root, &avc->rb);
		if (av->rb_root.count == 0) {
			av->parent->num_children--;
			vma->avc[keep++] = avc;
			continue;
		}
		core_free(avc);
	}
	if (vma->anon_vma) {
		/* the count this VMA took (the kernel warns on underflow) */
		BUG_ON(vma->anon_vma->num_active_vmas <= 0);
		vma->anon_vma->num_active_vmas--;
		vma->anon_vma = NULL;
	}
	/* second pass: the empty ones go */
	for (uint32_t i = 0; i < keep; i++) {
		struct anon_vma_chain *avc = vma->avc[i];

		put_anon_vma(w, avc->anon_vma);
		core_free(avc);
	}
	vma->navc = 0;
}

bool vma_links_anon_vma(const struct vma *vma, const struct anon_vma *av)
{
	for (uint32_t i = 0; i < vma->navc; i++)
		if (vma->avc[i]->anon_vma == av)
			return true;
	return false;
}

bool vma_is_fork_child(const struct vma *vma)
{
	return vma && vma->anon_vma && vma->navc != 1;
}
