/*
 * scan.h - the oracle's independent truth: for every frame, the set of
 * (process, address) whose present PTE points at it, found by walking every
 * page table of the world from its root.  It knows nothing about any rmap
 * backend.
 */
#ifndef RMAP_ORACLE_SCAN_H
#define RMAP_ORACLE_SCAN_H

#include <stdint.h>

#include "core/world.h"

struct scan_entry {
	uint64_t pfn;
	uint32_t pid;
	uint64_t addr;
	uint64_t pte;         /* the raw entry */
	bool pmd;             /* through a PMD leaf (pte is the leaf) */
};

struct scan {
	struct scan_entry *e;  /* present PTEs, sorted by pfn, pid, addr */
	uint32_t n, cap;
	struct scan_entry *all;  /* every non-none PTE (swap entries too), in
	                          * pid then address order; pfn 0 for swap */
	uint32_t nall, cap_all;
	uint64_t tables;       /* page-table frames reachable from live roots */
	/*
	 * non-leaf entries naming a frame that is not a page table of the
	 * level below (not walked: the hardware would read it as one), and
	 * the first of them: its pid, its address, its level, the entry
	 */
	uint64_t bad_tables;
	struct scan_entry bad;
	int bad_level;
	uint32_t *at;          /* sorting e: where each frame's entries go */
	uint64_t cap_at;
};

/*
 * Fill *s (reusing its buffers) by walking every live process's page tables
 * from the root, reading the frames as the hardware would.  0 or -ENOMEM.
 */
int scan_world(const struct world *w, struct scan *s);
/*
 * The same for the entries of process PID in [start, end) only (tables
 * counts the tables visited).  0 or -ENOMEM.
 */
int scan_range(const struct world *w, uint32_t pid, uint64_t start,
	       uint64_t end, struct scan *s);
void scan_free(struct scan *s);
/* The entries of frame PFN: index of the first and count (0 if none). */
uint32_t scan_frame(const struct scan *s, uint64_t pfn, uint32_t *first);

#endif /* RMAP_ORACLE_SCAN_H */
