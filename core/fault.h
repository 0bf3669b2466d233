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

#endif /* RMAP_CORE_FAULT_H */
