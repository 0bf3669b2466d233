/*
 * fault.h - a load or store by a process (fault.c): the hardware's access
 * and, when it faults, Linux's fault handling.
 */
#ifndef RMAP_CORE_FAULT_H
#define RMAP_CORE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct world;
struct mm;

/* RES_OK, -ENOMEM, or RES_SIGSEGV / RES_SIGBUS (op.h) */
int handle_access(struct world *w, struct mm *mm, uint64_t addr, bool write);
/*
 * A store of CONTENT (struct page's content: a byte repeated, or a unique
 * value) at addr: handle_access(write), then the page holds it ("write",
 * "fill").
 */
int handle_store(struct world *w, struct mm *mm, uint64_t addr,
		 uint64_t content);
struct vma;
/*
 * handle_mm_fault(FAULT_FLAG_UNSHARE) as break_ksm() makes it: a KSM page
 * mapped at (vma, addr) is replaced by a copy of its own, read-only; 0
 * when nothing there is a KSM page, or -ENOMEM.
 */
int fault_unshare(struct world *w, struct vma *vma, uint64_t addr);

#endif /* RMAP_CORE_FAULT_H */
