/*
 * mmap.c - mmap(MAP_FIXED) and munmap (mm/mmap.c do_mmap, mm/vma.c
 * __mmap_region, do_vmi_munmap).
 *
 * mmap allocates everything it needs before it unmaps what was there, so a
 * failed mmap leaves the old mapping in place (since 6.12 Linux restores it
 * too: vms_abort_munmap_vmas).
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/address_space.h"
#include "core/interleave.h"
#include "core/mm_types.h"
#include "core/pgtable.h"
#include "core/pte_ops.h"
#include "core/syscalls.h"
#include "core/vma.h"

/* the VM_* flags of a new mapping (calc_vm_prot_bits + accountable_mapping) */
static uint32_t mmap_vm_flags(int prot, bool shared, bool growsdown)
{
	/* calc_vm_flag_bits(): MAP_GROWSDOWN is VM_GROWSDOWN */
	uint32_t f = VM_MAYREAD | VM_MAYWRITE | (growsdown ? VM_GROWSDOWN : 0);

	if (prot & PROT_R)
		f |= VM_READ;
	if (prot == PROT_RW)
		f |= VM_WRITE;
	if (shared)
		f |= VM_SHARED | VM_MAYSHARE;
	else if (f & VM_WRITE)
		f |= VM_ACCOUNT;
	return f;
}

/*
 * free_pgtables(tlb, mas, vma, vms->unmap_start, vms->unmap_end) of
 * [start, end): floor the end of the VMA before the range, ceiling the
 * start of the one after, so a table that a neighbour's span touches stays
 * (VMAs inside the range, still linked or not, are neither)
 */
static void free_range_tables(struct world *w, struct mm *mm, uint64_t start,
			      uint64_t end)
{
	uint32_t i, j;
	struct vma *next = vma_find(mm, end, &j);

	vma_find(mm, start, &i);    /* the first VMA that ends past START */
	free_pgtables(w, mm, start, end, i ? mm->vmas[i - 1]->end : 0,
		      next ? next->start : UINT64_MAX);
}

/* Remove [start, end) from mm: split at both ends, zap, drop the VMAs. */
static int unmap_range(struct world *w, struct mm *mm, uint64_t start, uint64_t end)
{
	int err = vma_split_at(w, mm, start);

	if (!err)
		err = vma_split_at(w, mm, end);
	if (err)
		return err;
	for (;;) {
		uint32_t i;
		struct vma *vma = vma_find(mm, start, &i);

		if (!vma || vma->start >= end)
			break;
		zap_vma_range(w, vma, vma->start, vma->end);
		/*
		 * vms_clear_ptes(): unmap_vmas() zapped the PTEs; free_pgtables()
		 * and the VMA's unlink from anon_vma and i_mmap
		 * (unlink_anon_vmas, unlink_file_vma) come after, with no rmap
		 * lock held in between.  (The model frees the range's tables
		 * after the last VMA, below.)
		 */
		MM_YIELD(w, YP_UNMAP_ZAPPED);
		/*
		 * free_pgtables(): unlink_anon_vmas() and unlink_file_vma()
		 * hide the VMA from rmap, then free_pgd_range() frees its
		 * tables; the bug frees them first, while a walker that found
		 * the VMA through the anon_vma may hold a PMD it read
		 */
		if (BUG_INJECTED(free_pgtables_before_unlink, true))
			free_range_tables(w, mm, vma->start, vma->end);
		vma_destroy(w, vma);
		MM_YIELD(w, YP_UNMAP_BETWEEN_VMAS);
	}
	free_range_tables(w, mm, start, end);
	/* the unmap is done: a walker stalled in it has mapped its tables */
	MM_UNSTALL(w);
	return 0;
}

int do_munmap(struct world *w, struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t end;

	if ((addr & ~PAGE_MASK) || addr > TASK_SIZE || len > TASK_SIZE - addr)
		return -EINVAL;
	end = addr + PAGE_ALIGN(len);
	if (end == addr)
		return -EINVAL;
	return unmap_range(w, mm, addr, end);
}

int do_mmap(struct world *w, struct mm *mm, uint64_t addr, uint64_t len,
	    int prot, struct address_space *mapping, uint64_t off, bool shared,
	    bool growsdown)
{
	struct vma *vma;
	uint64_t pgoff;
	int err;

	/*
	 * In the kernel's order: the offset's alignment (the x86 syscall),
	 * then do_mmap's length checks, then __get_unmapped_area's: a length
	 * or an end past TASK_SIZE is ENOMEM before an unaligned address is
	 * EINVAL (MAP_FIXED returns addr from get_area unchecked).
	 */
	if ((off & ~PAGE_MASK) || len == 0)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (len == 0)
		return -ENOMEM;
	pgoff = off >> PAGE_SHIFT;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (len > TASK_SIZE || addr > TASK_SIZE - len)
		return -ENOMEM;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	/* file_mmap_ok: the mapping must end within the largest file size */
	if (mapping && (len > MAX_LFS_FILESIZE ||
			pgoff > (MAX_LFS_FILESIZE - len) >> PAGE_SHIFT))
		return -EOVERFLOW;
	vma = vma_alloc(w);
	if (!vma)
		return -ENOMEM;
	if (!mapping && shared) {
		/* shmem_zero_setup: a shmem file of its own, offsets from 0 */
		mapping = address_space_new(w, len, true);
		if (!mapping) {
			vma_free(vma);
			return -ENOMEM;
		}
		pgoff = 0;
	} else if (mapping) {
		address_space_get(mapping);
	} else {
		pgoff = addr >> PAGE_SHIFT;   /* anonymous: vm_pgoff = vm_start */
	}
	err = unmap_range(w, mm, addr, addr + len);
	if (err) {
		if (mapping)
			address_space_put(w, mapping);
		vma_free(vma);
		return err;
	}
	vma->start = addr;
	vma->end = addr + len;
	vma->pgoff = pgoff;
	vma->flags = mmap_vm_flags(prot, shared, growsdown);
	vma->mapping = mapping;
	vma->open_file_id = mapping ? ++w->serial : 0;   /* each mmap opens anew */
	vma_insert(w, mm, vma);
	if (mapping)
		i_mmap_insert(mapping, vma);
	vma_merge_neighbours(w, vma);
	return 0;
}
