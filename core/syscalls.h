/*
 * syscalls.h - the address-space system calls, one file each (mmap.c,
 * mprotect.c, madvise.c, mremap.c, fork.c).  Each returns 0 or -errno with
 * Linux 6.18's checks, in Linux's order.
 */
#ifndef RMAP_CORE_SYSCALLS_H
#define RMAP_CORE_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>

struct world;
struct mm;
struct address_space;

/* mremap's flags (include/uapi/linux/mman.h) */
#define MREMAP_MAYMOVE   1
#define MREMAP_FIXED     2
#define MREMAP_DONTUNMAP 4

/*
 * mmap(MAP_FIXED) of a file's mapping, or of anonymous memory (NULL);
 * GROWSDOWN: MAP_GROWSDOWN (handle_access grows it, fault.c)
 */
int do_mmap(struct world *w, struct mm *mm, uint64_t addr, uint64_t len,
	    int prot, struct address_space *mapping, uint64_t off, bool shared,
	    bool growsdown);
int do_munmap(struct world *w, struct mm *mm, uint64_t addr, uint64_t len);
int do_mprotect(struct world *w, struct mm *mm, uint64_t addr, uint64_t len, int prot);
int do_madvise_dontneed(struct world *w, struct mm *mm, uint64_t addr, uint64_t len);
/* MADV_COLLAPSE of anonymous memory (khugepaged.c) */
int do_madvise_collapse(struct world *w, struct mm *mm, uint64_t addr,
			uint64_t len);
/* MADV_DONTFORK / DOFORK / WIPEONFORK / KEEPONFORK (ADVICE: enum op_advice) */
int do_madvise_fork(struct world *w, struct mm *mm, uint64_t addr, uint64_t len,
		    int advice);
int do_mremap(struct world *w, struct mm *mm, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, unsigned flags, uint64_t new_addr);
int do_fork(struct world *w, struct mm *parent, uint32_t child_pid);
/* UFFDIO_MOVE of [src, src + len) to dst, dst registered first (userfaultfd.c) */
int do_uffd_move(struct world *w, struct mm *mm, uint64_t dst, uint64_t src,
		 uint64_t len, bool allow_src_holes);
void do_exit(struct world *w, struct mm *mm);

#endif /* RMAP_CORE_SYSCALLS_H */
