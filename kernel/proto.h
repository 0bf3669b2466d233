/*
 * proto.h - what the controller (kworld.c) and a worker (worker.c) say to
 * each other over a worker's two pipes.  Private to kernel/.
 *
 *	controller --struct kcmd-->   worker     (the worker's command pipe)
 *	controller <--struct kreply-- worker     (its reply pipe)
 *
 * One command, one reply, in order; both are fixed-size records smaller
 * than PIPE_BUF, so each write is atomic.  OP_EXIT has no reply: the worker
 * exits and the controller waits for its pidfd instead.
 *
 * A batch (kworld_apply_batch): several commands written at once, each but
 * the last with kcmd.hold set; the worker runs them in order and keeps
 * their replies until the one without hold (or KBATCH_MAX of them), then
 * writes them all in one write.  One wakeup each way per batch instead of
 * one per op; the system calls are the same, made in the same order by
 * the same process while every other worker waits.
 *
 * Fork hands the new worker's pipes over in two steps, because the pipes
 * are made in the forking worker (the controller has no part in the fork):
 *
 *	OP_FORK         -> reply: child pid, and the fd numbers (in the
 *	                   forking worker) of the child's command write end
 *	                   and reply read end
 *	                   the controller copies both with pidfd_getfd(2)
 *	KCMD_RELEASE fds -> the forking worker closes its copies; reply
 *
 * Invariant the exit path relies on: the write end of a worker's command
 * pipe is held by the controller alone once a fork completes, so the
 * controller's death is EOF to every worker, which then exits.
 */
#ifndef RMAP_KERNEL_PROTO_H
#define RMAP_KERNEL_PROTO_H

#include <stdint.h>

#include "core/op.h"

/* kcmd.kind: an enum op_kind, or one of these */
#define KCMD_RELEASE  200     /* close fds[0], fds[1] */
#define KCMD_HELLO    201     /* nothing: the reply says the worker is up,
			       * its res PR_GET_THP_DISABLE's answer */

/* uffd-move's kcmd.flags: UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES (uapi, 6.8) */
#define KUFFD_ALLOW_SRC_HOLES 0x2

/*
 * prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED): THP only in
 * VM_HUGEPAGE VMAs and for MADV_COLLAPSE (include/uapi/linux/prctl.h,
 * 6.18; this host's headers predate it); PR_GET_THP_DISABLE then says
 * KTHP_DISABLED_EXCEPT_ADVISED (1 | the flag).
 */
#define KPR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#define KTHP_DISABLED_EXCEPT_ADVISED 3

/* fds of a worker: 0-2 as inherited, then its two pipe ends */
#define KWORKER_CMD_FD    3
#define KWORKER_REPLY_FD  4

/* commands in one batch at most (their replies fit in PIPE_BUF) */
#define KBATCH_MAX 32

struct kcmd {
	uint32_t kind;        /* enum op_kind or KCMD_* */
	uint32_t hold;        /* keep the reply: more of the batch follows */
	uint32_t prot;        /* PROT_* bits for mmap / mprotect */
	uint32_t flags;       /* MAP_* for mmap, MREMAP_* for mremap, MADV_* */
	int32_t fds[2];       /* KCMD_RELEASE */
	uint64_t addr, len, newlen, addr2, off;
	char path[64];        /* mmap of a file: /proc/CTL/fd/N, opened anew */
};

struct kreply {
	int32_t res;          /* RES_OK, -errno, RES_SIGSEGV, RES_SIGBUS */
	int32_t pid;          /* OP_FORK: the child's pid */
	int32_t fds[2];       /* OP_FORK: child's command write end and reply
	                       * read end, as numbered in the forking worker */
};

/*
 * The worker's loop (worker.c): serve commands on KWORKER_CMD_FD until EOF
 * or OP_EXIT, then _exit.  Called in a freshly forked process whose fds 3
 * and 4 are its pipe ends and nothing above them is open.  Allocates no
 * memory and uses no stdio: it runs in the child of a fork.
 */
_Noreturn void kworker_main(void);

#endif /* RMAP_KERNEL_PROTO_H */
