/*
 * worker.c - the code inside one trace process (proto.h): every command is
 * the real system call, made by this process on its own address space.
 *
 * A worker runs in the child of a fork (of the controller, or of another
 * worker), so it keeps to async-signal-safe calls: raw system calls, no
 * malloc, no stdio.  Loads and stores that fault are caught: SIGSEGV and
 * SIGBUS are the op's result, exactly as the model reports them, and the
 * worker goes on (the handler siglongjmps back into the access).
 *
 * What a worker never does: touch memory the trace did not name.  The
 * controller only sends commands whose ranges lie in its address window
 * (kworld.c decides); the worker itself allocates nothing after the
 * controller checked that none of its own mappings lie in that window.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/proto.h"

static sigjmp_buf access_jmp;
static volatile sig_atomic_t in_access;
static volatile uint8_t access_sink;

static void on_fault(int sig)
{
	if (in_access)
		siglongjmp(access_jmp, sig);
	/* a fault in the worker's own code: die of it, as without us */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One byte, exactly one load or store; never instrumented (ASan). */
__attribute__((no_sanitize_address, noinline))
static void touch(uint64_t addr, bool write)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;

	if (write)
		*p = 0x5a;
	else
		access_sink = *p;
}

static int32_t do_access(uint64_t addr, bool write)
{
	int sig = sigsetjmp(access_jmp, 1);

	if (sig) {
		in_access = 0;
		return sig == SIGBUS ? RES_SIGBUS : RES_SIGSEGV;
	}
	in_access = 1;
	touch(addr, write);
	in_access = 0;
	return RES_OK;
}

/* a raw system call's return as a result: 0 or -errno */
static int32_t sys_result(long r)
{
	return r < 0 && r >= -4095 ? (int32_t)r : RES_OK;
}

static long raw(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(nr, a, b, c, d, e, f);

	return r == -1 ? -errno : r;
}

static int32_t do_mmap(const struct kcmd *c)
{
	int fd = -1;
	long r;

	if (c->path[0]) {
		/* a new open file per mmap, as the model's "each mmap opens
		 * the file anew": VMAs of two mmaps never share a struct file */
		fd = open(c->path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	r = raw(SYS_mmap, (long)c->addr, (long)c->len, (long)c->prot,
		(long)c->flags, fd, (long)c->off);
	if (fd >= 0)
		close(fd);
	/* a successful mmap returns an address, which may look negative */
	return r < 0 && r >= -4095 ? (int32_t)r : RES_OK;
}

/*
 * uffd-move, as a program does it (core/userfaultfd.c follows the same
 * steps): a userfaultfd, the API handshake, DST's range registered for
 * missing faults, UFFDIO_MOVE, the range unregistered and the fd closed.
 * The result is the registration's error, else the move's.  This host's
 * headers predate UFFDIO_MOVE (6.8): its ABI is spelled out here.
 */
struct kuffd_move {
	uint64_t dst, src, len, mode;
	int64_t move;
};
#define KUFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct kuffd_move)
#define KUFFD_FEATURE_MOVE (1ULL << 16)

static int32_t do_uffd_move(const struct kcmd *c)
{
	struct uffdio_api api = { .api = UFFD_API, .features = KUFFD_FEATURE_MOVE };
	struct uffdio_register reg = {
		.range = { c->addr, c->len }, .mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffdio_range range = { c->addr, c->len };
	struct kuffd_move mv = { c->addr, c->addr2, c->len, c->flags, 0 };
	long fd = raw(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0, 0);
	long r;

	if (fd < 0)
		return (int32_t)fd;
	r = raw(SYS_ioctl, fd, (long)UFFDIO_API, (long)&api, 0, 0, 0);
	if (r >= 0)
		r = raw(SYS_ioctl, fd, (long)UFFDIO_REGISTER, (long)&reg, 0, 0, 0);
	if (r >= 0) {
		r = raw(SYS_ioctl, fd, (long)KUFFDIO_MOVE, (long)&mv, 0, 0, 0);
		raw(SYS_ioctl, fd, (long)UFFDIO_UNREGISTER, (long)&range, 0, 0, 0);
	}
	raw(SYS_close, fd, 0, 0, 0, 0, 0);
	return r < 0 && r >= -4095 ? (int32_t)r : RES_OK;
}

static int32_t do_mremap(const struct kcmd *c)
{
	long r = raw(SYS_mremap, (long)c->addr, (long)c->len, (long)c->newlen,
		     (long)c->flags, (long)c->addr2, 0);

	return r < 0 && r >= -4095 ? (int32_t)r : RES_OK;
}

/*
 * Fork: the child becomes the new trace process's worker on two new pipes;
 * the parent reports the controller's ends of them (proto.h).  The child
 * keeps nothing of its parent's channel, so only the controller can ever
 * write to its command pipe.
 */
/* Returns true in the child. */
static bool do_fork(struct kreply *rep)
{
	int cmd[2], reply[2];
	pid_t pid;

	if (pipe2(cmd, O_CLOEXEC) < 0) {
		rep->res = -errno;
		return false;
	}
	if (pipe2(reply, O_CLOEXEC) < 0) {
		rep->res = -errno;
		close(cmd[0]);
		close(cmd[1]);
		return false;
	}
	pid = fork();
	if (pid == 0) {
		/* fds 3 and 4 are taken, so no pipe end is 3 or 4 */
		dup2(cmd[0], KWORKER_CMD_FD);      /* clears O_CLOEXEC too */
		dup2(reply[1], KWORKER_REPLY_FD);
		close(cmd[0]);
		close(cmd[1]);
		close(reply[0]);
		close(reply[1]);
		syscall(SYS_close_range, KWORKER_REPLY_FD + 1, ~0U, 0);
		return true;
	}
	close(cmd[0]);
	close(reply[1]);
	if (pid < 0) {
		rep->res = -errno;
		close(cmd[1]);
		close(reply[0]);
		return false;
	}
	rep->pid = pid;
	rep->fds[0] = cmd[1];
	rep->fds[1] = reply[0];
	return false;
}

/* Run one command; false when it has no reply (exit, or the fork child). */
static bool serve(const struct kcmd *c, struct kreply *rep)
{
	switch (c->kind) {
	case OP_MMAP:
		rep->res = do_mmap(c);
		return true;
	case OP_MUNMAP:
		rep->res = sys_result(raw(SYS_munmap, (long)c->addr,
					  (long)c->len, 0, 0, 0, 0));
		return true;
	case OP_MPROTECT:
		rep->res = sys_result(raw(SYS_mprotect, (long)c->addr,
					  (long)c->len, (long)c->prot, 0, 0, 0));
		return true;
	case OP_MADVISE:
		rep->res = sys_result(raw(SYS_madvise, (long)c->addr,
					  (long)c->len, (long)c->flags, 0, 0, 0));
		return true;
	case OP_MREMAP:
		rep->res = do_mremap(c);
		return true;
	case OP_UFFD_MOVE:
		rep->res = do_uffd_move(c);
		return true;
	case OP_READ:
	case OP_WRITE:
		rep->res = do_access(c->addr, c->kind == OP_WRITE);
		return true;
	case OP_FORK:
		return !do_fork(rep);   /* the child serves on, silently */
	case KCMD_HELLO:
		/* PR_GET_THP_DISABLE: 3 = disabled except where advised */
		rep->res = (int32_t)raw(SYS_prctl, PR_GET_THP_DISABLE, 0, 0, 0,
					0, 0);
		return true;
	case KCMD_RELEASE:
		close(c->fds[0]);
		close(c->fds[1]);
		return true;
	case OP_EXIT:
		_exit(0);
	default:
		rep->res = -EINVAL;
		return true;
	}
}

/* exactly N bytes, or false at EOF / error */
static bool read_all(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static void setup(void)
{
	struct sigaction sa;

	/*
	 * large folios only where the trace asked for them (issue 19):
	 * PR_THP_DISABLE_EXCEPT_ADVISED (6.18) leaves THP to VM_HUGEPAGE
	 * VMAs (MADV_HUGEPAGE) and MADV_COLLAPSE, as the model has it
	 * (thp_vma_allowable_orders: vma_thp_disabled); an mm flag that
	 * fork copies, so every worker has it.  KCMD_HELLO reports it.
	 */
	prctl(PR_SET_THP_DISABLE, 1, KPR_THP_DISABLE_EXCEPT_ADVISED, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* children are reaped by the kernel: the controller waits on pidfds,
	 * and a worker that exits must not linger as a zombie */
	signal(SIGCHLD, SIG_IGN);
	/* Ctrl-C is the controller's to handle: it kills every worker */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_DFL);
}

_Noreturn void kworker_main(void)
{
	struct kreply reps[KBATCH_MAX];
	unsigned held = 0;
	struct kcmd c;

	setup();
	while (read_all(KWORKER_CMD_FD, &c, sizeof(c))) {
		struct kreply rep = { RES_OK, 0, { -1, -1 } };
		size_t len;

		if (!serve(&c, &rep)) {
			held = 0;          /* the fork child: serve on */
			continue;
		}
		reps[held++] = rep;
		if (c.hold && held < KBATCH_MAX)
			continue;          /* a batch: replies go together */
		len = held * sizeof(rep);
		held = 0;
		if (write(KWORKER_REPLY_FD, reps, len) != (ssize_t)len)
			break;
	}
	_exit(0);
}
