/*
 * mprotect.c - mprotect (mm/mprotect.c do_mprotect_pkey + mprotect_fixup).
 *
 * It walks the VMAs of the range in order and stops with -ENOMEM at the
 * first hole, keeping the changes already made to earlier VMAs, as Linux
 * does.  Each VMA changed is split off, its present PTEs follow the new
 * protection (change_protection), and it merges with its neighbours again.
 */
#include <errno.h>

#include "core/pgtable.h"
#include "core/syscalls.h"
#include "core/vma.h"

/* change_protection: existing PTEs follow the new protection. */
static void change_pte(struct world *w, struct mm *mm, uint64_t va,
		       uint64_t *pte, void *arg)
{
	const struct vma *vma = arg;
	uint64_t e = *pte;

	if (!pte_present(e))
		return;
	if (!(vma->flags & (VM_READ | VM_WRITE))) {
		e = (e & ~(PTE_P | PTE_RW)) | PTE_PROTNONE;
	} else {
		e = (e & ~PTE_PROTNONE) | PTE_P;
		if (!(vma->flags & VM_WRITE))
			e &= ~PTE_RW;
	}
	set_pte(w, pte, e);
}

/*
 * change_huge_pmd(): a leaf (the VMA was split at its ends, so each is
 * whole inside it) takes the new protection as a PTE does; the PSE bit
 * stays
 */
static void change_leaf(struct world *w, struct mm *mm, uint64_t haddr,
			uint64_t *pmd, void *arg)
{
	change_pte(w, mm, haddr, pmd, arg);
}

/* mprotect_fixup for [start, end) inside vma */
static int mprotect_fixup(struct world *w, struct mm *mm, struct vma *vma,
			  uint64_t start, uint64_t end, int prot)
{
	uint32_t newflags = vma->flags & ~(uint32_t)(VM_READ | VM_WRITE);
	int err;

	if (prot & PROT_R)
		newflags |= VM_READ;
	if (prot == PROT_RW) {
		newflags |= VM_WRITE;
		/* a private mapping made writable is charged from now on */
		if (!(vma->flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED)))
			newflags |= VM_ACCOUNT;
	} else if ((vma->flags & VM_ACCOUNT) && vma_is_anonymous(vma) &&
		   !vma->anon_vma) {
		/* nothing faulted yet: stop charging a read-only mapping */
		newflags &= ~(uint32_t)VM_ACCOUNT;
	}
	if (newflags == vma->flags)
		return 0;
	err = vma_modify_flags(w, mm, start, end, newflags, &vma);
	if (err)
		return err;
	pgtable_range_each(w, mm, vma->start, vma->end, change_pte, change_leaf,
			   vma);
	vma_merge_neighbours(w, vma);
	return 0;
}

int do_mprotect(struct world *w, struct mm *mm, uint64_t start, uint64_t len, int prot)
{
	uint64_t end, pos;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	pos = start;
	while (pos < end) {
		struct vma *vma = vma_find(mm, pos, NULL);
		uint64_t stop;
		int err;

		if (!vma || vma->start > pos)
			return -ENOMEM;
		stop = vma->end < end ? vma->end : end;
		err = mprotect_fixup(w, mm, vma, pos, stop, prot);
		if (err)
			return err;
		pos = stop;
	}
	return 0;
}
