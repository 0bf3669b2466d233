/*
 * vma.c - the VMAs of an mm: a sorted array (binary search lookup), split
 * and merge with Linux's rules (mm/vma.c: is_mergeable_vma,
 * is_mergeable_anon_vma, can_vma_merge_right, __split_vma, dup_anon_vma).
 *
 * Merging is done as "make the change, then merge the changed VMA with its
 * neighbours", which gives the same VMAs as Linux's vma_merge_new_range /
 * vma_merge_existing_range: a neighbour merges when flags and open file are
 * equal, vm_pgoff is contiguous and the anon_vmas are compatible.
 */
#include <errno.h>
#include <string.h>

#include "bugs/bugs.h"
#include "core/address_space.h"
#include "core/alloc.h"
#include "core/anon_vma.h"
#include "core/bug.h"
#include "core/huge_memory.h"
#include "core/interleave.h"
#include "core/interval_tree.h"
#include "core/vma.h"

struct vma *vma_find(const struct mm *mm, uint64_t addr, uint32_t *idx)
{
	uint32_t lo = 0, hi = mm->nvmas;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (mm->vmas[mid]->end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (idx)
		*idx = lo;
	return lo < mm->nvmas ? mm->vmas[lo] : NULL;
}

struct vma *vma_lookup(const struct mm *mm, uint64_t addr)
{
	struct vma *v = vma_find(mm, addr, NULL);

	return v && v->start <= addr ? v : NULL;
}

struct vma *vma_alloc(struct world *w)
{
	struct vma *v = core_zalloc(w, sizeof(*v));

	if (v)
		v->serial = ++w->serial;
	return v;
}

void vma_free(struct vma *vma)
{
	core_free(vma->avc);
	core_free(vma);
}

/*
 * vm_area_dup (kernel/fork.c): split, mremap's copy_vma and fork all start a
 * VMA as a copy of another.  The copy has a serial of its own and is linked
 * nowhere: no mm, no anon_vma_chain (anon_vma_clone/fork build it), no
 * file reference or i_mmap membership (vma_link takes them).
 */
struct vma *vma_dup(struct world *w, const struct vma *orig)
{
	struct vma *v = vma_alloc(w);

	if (!v)
		return NULL;
	/*
	 * vm_area_dup() copies the whole VMA, vm_mm too: a new VMA that
	 * anon_vma_clone() puts in an anon_vma tree before vma_link() (a
	 * split) already names its mm, as a walker that reaches it there
	 * (an interleaving with the anon_vma lock missing) reads it.
	 */
	v->mm = orig->mm;
	v->start = orig->start;
	v->end = orig->end;
	v->pgoff = orig->pgoff;
	v->flags = orig->flags;
	v->mapping = orig->mapping;
	v->open_file_id = orig->open_file_id;
	v->anon_vma = orig->anon_vma;
	return v;
}

void vma_insert(struct world *w, struct mm *mm, struct vma *vma)
{
	uint32_t i;

	vma_find(mm, vma->start, &i);
	BUG_ON(i < mm->nvmas && mm->vmas[i]->start < vma->end);
	core_array_reserve(w, (void **)&mm->vmas, &mm->cap_vmas, mm->nvmas,
			   sizeof(void *));
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nvmas - i) * sizeof(void *));
	mm->vmas[i] = vma;
	mm->nvmas++;
	vma->mm = mm;
}

/* vma_link: into the mm, and a file VMA into i_mmap with its own reference */
void vma_link(struct world *w, struct mm *mm, struct vma *vma)
{
	if (vma->mapping) {
		address_space_get(vma->mapping);
		i_mmap_insert(vma->mapping, vma);
	}
	vma_insert(w, mm, vma);
}

static void vma_unlink_from_mm(struct mm *mm, struct vma *vma)
{
	uint32_t i;

	BUG_ON(vma_find(mm, vma->start, &i) != vma);
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nvmas - i - 1) * sizeof(void *));
	mm->nvmas--;
}

void vma_destroy(struct world *w, struct vma *vma)
{
	vma_unlink_from_mm(vma->mm, vma);
	unlink_anon_vmas(w, vma);
	if (vma->mapping) {
		/* unlink_file_vma(): i_mmap_lock_write (MM_RMAP_LOCK) */
		MM_RMAP_LOCK(w, NULL, vma->mapping);
		i_mmap_remove(vma->mapping, vma);
		address_space_put(w, vma->mapping);
	}
	vma_free(vma);
}

void vma_note_try(struct world *w, enum vma_event ev)
{
	/* a failed clone is what the op's unwinding (vma_unsplit) was for */
	if (w->vma_event_op == w->op_seq && w->vma_event == VMA_EV_CLONE_FAILED)
		return;
	w->vma_event = (uint8_t)ev;
	w->vma_event_op = w->op_seq;
}

void vma_note_event(struct world *w, struct vma *vma, enum vma_event ev)
{
	vma->event = (uint8_t)ev;
	vma->event_op = w->op_seq;
	vma_note_try(w, ev);
}

const char *vma_event_name(unsigned ev)
{
	static const char *const names[] = {
		[VMA_EV_SPLIT] = "vma_split",
		[VMA_EV_MERGE] = "vma_merge",
		[VMA_EV_COPY] = "vma_copy",
		[VMA_EV_GROW] = "vma_grow",
		[VMA_EV_CLONE_FAILED] = "anon_vma_clone_failed",
	};

	return ev < sizeof(names) / sizeof(names[0]) ? names[ev] : NULL;
}

/* vma_adjust: take the VMA out of every interval tree, change, put back */
void vma_adjust_range(struct world *w, struct vma *vma, uint64_t start,
		      uint64_t end, uint64_t pgoff)
{
	/* a VMA that only grows at its end keeps its old anon_vma key */
	bool stale = BUG_INJECTED(anon_itree_stale_on_grow, vma->navc &&
				  start == vma->start && pgoff == vma->pgoff &&
				  end > vma->end);

	for (uint32_t i = 0; i < vma->navc && !stale; i++)
		itree_remove(&vma->avc[i]->anon_vma->rb_root, &vma->avc[i]->rb);
	if (vma->mapping)
		itree_remove(&vma->mapping->i_mmap, &vma->shared);
	/*
	 * vma_prepare() took i_mmap_rwsem and the anon_vma for write before
	 * taking the VMA out of the trees; vma_complete() puts it back and
	 * drops them: no rmap walker sees the VMA out of its tree.  The bug
	 * changes the range without the anon_vma lock (before 2.6.34).
	 */
	if (w)
		MM_YIELD(w, YP_VMA_ADJUST, .i_mmap = vma->mapping,
			 .anon_vma = BUG_INJECTED(vma_adjust_without_anon_vma_lock,
						  vma->anon_vma != NULL) ?
				     NULL : vma->anon_vma);
	vma->start = start;
	vma->end = end;
	vma->pgoff = pgoff;
	for (uint32_t i = 0; i < vma->navc && !stale; i++)
		itree_insert(&vma->avc[i]->anon_vma->rb_root, &vma->avc[i]->rb,
			     pgoff, vma_last_pgoff(vma), vma->serial);
	if (vma->mapping)
		itree_insert(&vma->mapping->i_mmap, &vma->shared, pgoff,
			     vma_last_pgoff(vma), vma->serial);
}

void vma_set_range(struct vma *vma, uint64_t start, uint64_t end, uint64_t pgoff)
{
	vma_adjust_range(NULL, vma, start, end, pgoff);
}

/*
 * __split_vma: vma keeps [start, addr), a new VMA takes [addr, end) with its
 * vm_pgoff advanced and a clone of the anon_vma chain.
 */
int vma_split_at(struct world *w, struct mm *mm, uint64_t addr)
{
	struct vma *vma = vma_lookup(mm, addr), *nv;

	if (!vma || vma->start == addr)
		return 0;
	/* a split that fails half way leaves no VMA to name (anon_vma_clone) */
	vma_note_try(w, VMA_EV_SPLIT);
	/*
	 * vma_adjust_trans_huge(): no PMD leaf may straddle the boundary.
	 * Linux splits it after anon_vma_clone, under the anon_vma lock
	 * vma_prepare takes, so no rmap walker sees the new VMA in the tree
	 * before it has an mm; the model splits first, before the new VMA
	 * exists (an allocation failure below then leaves the PMD split,
	 * where Linux would not have split it)
	 */
	split_huge_pmd_if_needed(w, vma, addr);
	nv = vma_dup(w, vma);
	if (!nv)
		return -ENOMEM;
	nv->start = addr;
	nv->pgoff = linear_page_index(vma, addr);
	if (anon_vma_clone(w, nv, vma, false)) {
		vma_free(nv);
		return -ENOMEM;
	}
	vma_adjust_range(w, vma, vma->start, addr, vma->pgoff);
	vma_link(w, mm, nv);
	vma_note_event(w, vma, VMA_EV_SPLIT);
	vma_note_event(w, nv, VMA_EV_SPLIT);
	return 0;
}

/*
 * vma_modify_flags() of mm/vma.c without its merge: [start, end), inside
 * one VMA, becomes a VMA of its own (split at both ends) with NEWFLAGS.
 * The VMA in *OUT; the caller changes its PTEs if it must, then merges.
 */
int vma_modify_flags(struct world *w, struct mm *mm, uint64_t start,
		     uint64_t end, uint32_t newflags, struct vma **out)
{
	int err = vma_split_at(w, mm, start);

	if (!err)
		err = vma_split_at(w, mm, end);
	if (err)
		return err;
	*out = vma_lookup(mm, start);
	(*out)->flags = newflags;
	return 0;
}

/* is_mergeable_vma + the vm_pgoff rule: a (left) can take b (right) in */
static bool same_kind_contiguous(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->flags == b->flags &&
	       a->mapping == b->mapping && a->open_file_id == b->open_file_id &&
	       a->pgoff + vma_pages(a) == b->pgoff;
}

/* can a (left) and b (right) become one VMA, as Linux decides? */
static bool can_merge(const struct vma *a, const struct vma *b)
{
	if (!same_kind_contiguous(a, b))
		return false;
	/* is_mergeable_anon_vma: the case 1/2/3 of mm/vma.c, for either side */
	if (!a->anon_vma && !b->anon_vma)
		return true;
	if (a->anon_vma && b->anon_vma)
		return a->anon_vma == b->anon_vma;
	/* the side with the anon_vma must not still share its parents' */
	return !vma_is_fork_child(a->anon_vma ? a : b);
}

/*
 * Make a (left) and b (right) one VMA; returns the one that stays.  The
 * survivor is the one with an anon_vma (either, when they share it), so a
 * merge never has to clone an anon_vma chain and cannot fail: the same
 * VMA results as Linux's merges (vma_expand with dup_anon_vma, or the next
 * VMA growing downwards), with no allocation.  The other is unlinked
 * (anon_vma_merge: unlink_anon_vmas).
 */
static struct vma *merge_pair(struct world *w, struct vma *a, struct vma *b)
{
	uint64_t start = a->start, end = b->end, pgoff = a->pgoff;

	if (!a->anon_vma && b->anon_vma) {
		vma_destroy(w, a);
		vma_adjust_range(w, b, start, end, pgoff);
		return b;
	}
	vma_destroy(w, b);
	vma_adjust_range(w, a, start, end, pgoff);
	return a;
}

void vma_unsplit(struct world *w, struct mm *mm, uint64_t addr)
{
	uint32_t i;
	struct vma *vma = vma_find(mm, addr, &i);

	if (!vma || vma->start != addr || i == 0 || mm->vmas[i - 1]->end != addr)
		return;
	BUG_ON(!can_merge(mm->vmas[i - 1], vma));
	/* the halves merge again: a merge, whatever the split before it */
	vma_note_event(w, merge_pair(w, mm->vmas[i - 1], vma), VMA_EV_MERGE);
}

/*
 * vma_merge_extend: mremap's in-place growth.  Linux merges the new range
 * [end, end + delta) as a new range with prev = vma and vmg.middle = NULL,
 * so is_mergeable_anon_vma() has no existing VMA to refuse on: a fork
 * child's VMA (case 1, its anon_vma dup'ed into next) takes in an
 * unfaulted next.  A next with an anon_vma of its own (case 2) still must
 * not be a fork child.  prev = vma is never looked at again.
 */
struct vma *vma_merge_extend(struct world *w, struct vma *vma, uint64_t delta)
{
	struct mm *mm = vma->mm;
	struct vma *next;
	uint32_t i;

	BUG_ON(vma_find(mm, vma->start, &i) != vma);
	next = i + 1 < mm->nvmas ? mm->vmas[i + 1] : NULL;
	vma_adjust_range(w, vma, vma->start, vma->end + delta, vma->pgoff);
	vma_note_event(w, vma, VMA_EV_MERGE);
	if (!next || !same_kind_contiguous(vma, next))
		return vma;
	if (next->anon_vma && (vma->anon_vma ? vma->anon_vma != next->anon_vma
					     : vma_is_fork_child(next)))
		return vma;
	vma = merge_pair(w, vma, next);
	vma_note_event(w, vma, VMA_EV_MERGE);
	return vma;
}

/*
 * vma_expand() of the next VMA over a new range without dup_anon_vma(), the
 * bug of CVE-2026-23077: next takes the pointer, none of the chain.
 */
static struct vma *expand_next_without_dup(struct world *w, struct vma *vma,
					   struct vma *next)
{
	uint64_t start = vma->start, pgoff = vma->pgoff;

	next->anon_vma = vma->anon_vma;
	vma_destroy(w, vma);
	vma_adjust_range(w, next, start, next->end, pgoff);
	return next;
}

/* merge with the neighbours; COPIED: VMA is the range copy_vma just made */
static struct vma *merge_around(struct world *w, struct vma *vma, bool copied)
{
	struct mm *mm = vma->mm;
	struct vma *prev = NULL, *next = NULL;
	uint64_t next_pgoff;
	uint32_t i;

	BUG_ON(vma_find(mm, vma->start, &i) != vma);
	if (i > 0 && can_merge(mm->vmas[i - 1], vma))
		prev = mm->vmas[i - 1];
	if (i + 1 < mm->nvmas && can_merge(vma, mm->vmas[i + 1]))
		next = mm->vmas[i + 1];
	/* can_vma_merge_right: prev and next must also suit each other */
	if (prev && next && prev->anon_vma && next->anon_vma &&
	    prev->anon_vma != next->anon_vma)
		next = NULL;
	if (next && !prev && copied &&
	    BUG_INJECTED(vma_expand_no_dup_anon_vma,
			 vma->anon_vma && !next->anon_vma)) {
		vma = expand_next_without_dup(w, vma, next);
		vma_note_event(w, vma, VMA_EV_MERGE);
		return vma;
	}
	if (next) {
		next_pgoff = next->pgoff;
		vma = merge_pair(w, vma, next);
		/* vma_merge case 3: next grew downwards, its vm_pgoff kept */
		if (BUG_INJECTED(vma_merge_next_pgoff, !prev))
			vma_adjust_range(w, vma, vma->start, vma->end, next_pgoff);
	}
	if (prev)
		vma = merge_pair(w, prev, vma);
	if (prev || next)
		vma_note_event(w, vma, VMA_EV_MERGE);
	return vma;
}

struct vma *vma_merge_neighbours(struct world *w, struct vma *vma)
{
	return merge_around(w, vma, false);
}

struct vma *vma_merge_copy(struct world *w, struct vma *vma)
{
	return merge_around(w, vma, true);
}

/* anon_vma_compatible + reusable_anon_vma of mm/vma.c */
static struct anon_vma *reusable_anon_vma(const struct vma *old,
					  const struct vma *a, const struct vma *b)
{
	const uint32_t access = VM_READ | VM_WRITE;

	if (a->end != b->start || a->mapping != b->mapping ||
	    a->open_file_id != b->open_file_id ||
	    ((a->flags ^ b->flags) & ~access) ||
	    b->pgoff != a->pgoff + ((b->start - a->start) >> PAGE_SHIFT))
		return NULL;
	if (old->anon_vma && old->navc == 1)
		return old->anon_vma;
	/* before d0e9fe1758f2: a neighbour's anon_vma, whatever its chain */
	if (BUG_INJECTED(anon_vma_reuse_not_singular, old->anon_vma != NULL))
		return old->anon_vma;
	return NULL;
}

/* find_mergeable_anon_vma: try the next VMA first, then the previous */
static struct anon_vma *find_mergeable_anon_vma(struct vma *vma)
{
	struct mm *mm = vma->mm;
	uint32_t i;
	struct anon_vma *av = NULL;

	BUG_ON(vma_find(mm, vma->start, &i) != vma);
	if (i + 1 < mm->nvmas)
		av = reusable_anon_vma(mm->vmas[i + 1], vma, mm->vmas[i + 1]);
	if (!av && i > 0)
		av = reusable_anon_vma(mm->vmas[i - 1], mm->vmas[i - 1], vma);
	return av;
}

/*
 * anon_vma_prepare: Linux's __anon_vma_prepare (mm/rmap.c) asks
 * find_mergeable_anon_vma (mm/vma.c) for a neighbour's anon_vma to share;
 * here the VMA code asks and anon_vma.c only links, so that anon_vma.c
 * never calls back into vma.c.
 */
int anon_vma_prepare(struct world *w, struct vma *vma)
{
	if (vma->anon_vma)
		return 0;
	return anon_vma_attach(w, vma, find_mergeable_anon_vma(vma));
}
