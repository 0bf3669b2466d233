/*
 * procmem.h - a process's page sharing read back from /proc: its VMAs from
 * /proc/PID/maps, the frame of each present page from /proc/PID/pagemap,
 * the zero page from /proc/kpageflags.  The kernel world's eyes (kworld.c).
 *
 * pagemap entries (Documentation/admin-guide/mm/pagemap.rst):
 *	bits 0-54  page frame number (zero without CAP_SYS_ADMIN)
 *	bit  56    page exclusively mapped
 *	bit  61    file page or shared anonymous
 *	bit  62    swapped (or a migration entry: not present for a moment)
 *	bit  63    present
 * kpageflags: bit 24 is KPF_ZERO_PAGE (include/uapi/linux/kernel-page-flags.h).
 */
#ifndef RMAP_KERNEL_PROCMEM_H
#define RMAP_KERNEL_PROCMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oracle/sharing.h"

/*
 * Frame numbers in pagemap and a readable /proc/kpageflags?  0, or -EPERM
 * (not root: no frame numbers) / -ENOSYS (no pagemap) with WHY.
 */
int procmem_host_check(char *why, size_t whylen);

/*
 * Present bits in pagemap, frame numbers or not (the partial comparison)?
 * 0, or -ENOSYS with WHY.
 */
int procmem_host_check_present(char *why, size_t whylen);

/*
 * Does a read fault of private anonymous memory map the zero page on this
 * host (mm_forbids_zeropage() false)?  1 yes, 0 no, -1 cannot tell.
 */
int procmem_host_zero_page(void);

/* VMAs as /proc/PID/maps lists them, clipped to a window, by process */
struct proc_vma {
	uint32_t proc;
	uint64_t start, end;
};

struct proc_vmas {
	struct proc_vma *v;
	uint32_t n, cap;
};

/* Append one.  0 or -ENOMEM. */
int proc_vmas_add(struct proc_vmas *l, uint32_t proc, uint64_t start,
		  uint64_t end);
void proc_vmas_free(struct proc_vmas *l);

/*
 * Append to OUT, as process PROC, every present page of PID's VMAs inside
 * [lo, hi), and to VMAS (unless NULL) those VMAs.  KPAGEFLAGS is an open /proc/kpageflags, or -1: the zero page
 * is then not told apart (its frame is the pfn, 0 without root).
 * Large folios (issue 19): with FOLIOS, each page's folio (head pfn and
 * size, from kpageflags' compound head / tail: sharing_entry.folio,
 * folio_nr) and whether a PMD leaf maps it (the PAGEMAP_SCAN ioctl's
 * PAGE_IS_HUGE: SHARING_PMD); without, a page costs nothing more than it
 * did (only a shared page, whose kpageflags is read for the zero page,
 * gets its folio).  With KSM (issue 20: after a ksm-scan), every page's
 * kpageflags is read, and KPF_KSM marks it SHARING_KSM.  0, -EAGAIN (a
 * page is being migrated, or a folio split as it was read: read again),
 * or -errno.
 */
int procmem_read(pid_t pid, uint32_t proc, uint64_t lo, uint64_t hi,
		 int kpageflags, bool folios, bool ksm, struct sharing *out,
		 struct proc_vmas *vmas);

/*
 * Does PID have a VMA in [lo, hi)?  0 when none; -EBUSY and the first one's
 * part in [lo, hi) in *start, *end; -errno when its maps cannot be read.
 */
int procmem_check_free(pid_t pid, uint64_t lo, uint64_t hi,
		       uint64_t *start, uint64_t *end);

#endif /* RMAP_KERNEL_PROCMEM_H */
