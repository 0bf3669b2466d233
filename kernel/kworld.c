/*
 * kworld.c - the controller of the kernel world (kworld.h): one worker
 * process per live trace process, commands and replies over pipes
 * (proto.h), files as memfds, the address-window rule asked before every
 * op (window.h), the sharing read back through procmem.h.
 *
 * The controller keeps, per trace process id:
 *
 *	struct kproc { pid, pidfd, cmd (write end), reply (read end) }
 *
 * and, for kworld_kill_all() in a signal handler, every live worker's
 * pidfd (+ 1, so that 0 is free) in one fixed array (kill_list) that
 * needs no lock and no malloc.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace/trace.h"
#include "kernel/ksm_control.h"
#include "kernel/kworker_image.h"
#include "kernel/kworld.h"
#include "kernel/procmem.h"
#include "kernel/proto.h"
#include "kernel/thp_host.h"
#include "kernel/window.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define PAGE 4096ULL
#define DEFAULT_TIMEOUT_MS 10000
#define KILL_LIST_MAX 4096

struct kproc {
	bool alive;
	pid_t pid;
	int pidfd;
	int cmd;              /* write end of its command pipe */
	int reply;            /* read end of its reply pipe */
	int slot;             /* index in kill_list */
};

struct kworld {
	struct kworld_config cfg;
	struct kwindow win;   /* where trace memory lives (window.h) */
	struct kproc *procs;  /* by op stream process id */
	uint32_t nprocs;
	int *files;           /* memfd by op stream file id; -1: none yet */
	uint32_t nfiles;
	int kpageflags;
	pid_t self;
	bool broken;          /* a runner failure: workers are gone */
	/*
	 * issue 19: the trace's thp-sizes (0: none given, the default), and
	 * whether this world holds the host's THP settings (thp_host.h),
	 * taken at the first op that can make a large folio: thp-sizes,
	 * madvise hugepage or collapse.  Only then are folios and PMD
	 * mappings read back (procmem_read's FOLIOS).
	 */
	uint32_t thp_orders;
	bool thp_held;
	/*
	 * issue 20: a ksm-scan ran (ksmd merges nothing outside one), so
	 * KSM pages may exist: every page's kpageflags is read for KPF_KSM
	 * (a KSM page mapped once is PM_MMAP_EXCLUSIVE, whose flags are
	 * otherwise not read)
	 */
	bool ksm_scanned;
	bool ksm_locked;      /* holds KSM_LOCK (ksm_lock_take) */
	struct sharing again; /* second read of a snapshot */
	struct proc_vmas vmas; /* the VMAs of the last snapshot */
	char err[256];
};

_Static_assert(KBATCH_MAX == KWORLD_BATCH_MAX, "proto.h and kworld.h agree");

static struct kworld_profile profile;

static const char *const phase_names[KPHASE_COUNT] = {
	[KPHASE_START] = "start p0", [KPHASE_CALL] = "op round trips",
	[KPHASE_FORK] = "fork ops", [KPHASE_EXIT] = "exit ops",
	[KPHASE_READ] = "snapshot read", [KPHASE_CONFIRM] = "confirming read",
	[KPHASE_STOP] = "kill and reap",
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* the phase P took from T0 to now */
static void account(enum kworld_phase p, uint64_t t0)
{
	profile.ns[p] += now_ns() - t0;
	profile.count[p]++;
}

const struct kworld_profile *kworld_profile(void)
{
	return &profile;
}

const char *kworld_phase_name(enum kworld_phase p)
{
	return p < KPHASE_COUNT ? phase_names[p] : "?";
}

void kworld_profile_reset(void)
{
	memset(&profile, 0, sizeof(profile));
}

/* pidfd + 1 of every live worker of every world; 0 is a free slot */
static volatile int kill_list[KILL_LIST_MAX];

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_getfd(int pidfd, int fd)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

void kworld_kill_all(void)
{
	struct pollfd p = { -1, POLLIN, 0 };

	/* the host's THP settings first: nothing after this needs them */
	thp_host_restore_now();
	for (int i = 0; i < KILL_LIST_MAX; i++)
		if (kill_list[i])
			syscall(SYS_pidfd_send_signal, kill_list[i] - 1,
				SIGKILL, NULL, 0);
	/* ksmd stopped and configured as it was (ksm_control.h) */
	ksm_control_restore();
	/* gone means gone: their memory is freed when this returns */
	for (int i = 0; i < KILL_LIST_MAX; i++) {
		p.fd = kill_list[i] - 1;
		if (p.fd >= 0)
			poll(&p, 1, 2000);
	}
}

static int kill_list_add(int pidfd)
{
	for (int i = 0; i < KILL_LIST_MAX; i++) {
		if (!kill_list[i]) {
			kill_list[i] = pidfd + 1;
			return i;
		}
	}
	return -1;
}

const char *kworld_error(const struct kworld *k)
{
	return k->err;
}

/* ---- processes ------------------------------------------------------- */

static struct kproc *proc_get(struct kworld *k, uint32_t id)
{
	return id < k->nprocs && k->procs[id].alive ? &k->procs[id] : NULL;
}

/* The slot for process ID, grown as needed; NULL on -ENOMEM. */
static struct kproc *proc_slot(struct kworld *k, uint32_t id)
{
	if (id >= k->nprocs) {
		uint32_t n = id + 16;
		struct kproc *p = realloc(k->procs, n * sizeof(*p));

		if (!p)
			return NULL;
		memset(p + k->nprocs, 0, (n - k->nprocs) * sizeof(*p));
		k->procs = p;
		k->nprocs = n;
	}
	return &k->procs[id];
}

/* Wait until FD is readable; 0, -ETIMEDOUT, or -errno. */
static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	for (;;) {
		int r = poll(&p, 1, timeout_ms);

		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Reap the worker if it is our child, close what we hold of it. */
static void proc_forget(struct kproc *p)
{
	siginfo_t si;

	if (!p->alive)
		return;
	waitid(P_PIDFD, (id_t)p->pidfd, &si, WEXITED | WNOHANG);
	kill_list[p->slot] = 0;
	close(p->pidfd);
	close(p->cmd);
	close(p->reply);
	p->alive = false;
}

static void kill_workers(struct kworld *k)
{
	for (uint32_t i = 0; i < k->nprocs; i++)
		if (k->procs[i].alive)
			syscall(SYS_pidfd_send_signal, k->procs[i].pidfd,
				SIGKILL, NULL, 0);
	for (uint32_t i = 0; i < k->nprocs; i++) {
		if (!k->procs[i].alive)
			continue;
		wait_readable(k->procs[i].pidfd, 5000);
		proc_forget(&k->procs[i]);
	}
}

/*
 * Workers kworld_stop killed and did not wait for: the teardown of their
 * memory (exit_mmap) runs while the next world starts, which then waits
 * for them (reap_corpses), so at most one world's workers are ever dying
 * unwaited.  Until then they stay in kill_list (kworld_kill_all waits).
 */
#define CORPSES_MAX 64
static struct kproc corpses[CORPSES_MAX];
static uint32_t ncorpses;

static void reap_corpses(void)
{
	for (uint32_t i = 0; i < ncorpses; i++) {
		wait_readable(corpses[i].pidfd, 5000);
		proc_forget(&corpses[i]);
	}
	ncorpses = 0;
}

/* SIGKILL every worker of K; the wait is left to the next start */
static void kill_workers_later(struct kworld *k)
{
	for (uint32_t i = 0; i < k->nprocs; i++) {
		struct kproc *p = &k->procs[i];

		if (!p->alive)
			continue;
		syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
		if (ncorpses == CORPSES_MAX)
			reap_corpses();
		corpses[ncorpses++] = *p;
		p->alive = false;
	}
}

/* A runner failure: say what, kill everything, and return ERR. */
static int fail(struct kworld *k, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct kworld *k, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->err, sizeof(k->err), fmt, ap);
	va_end(ap);
	kill_workers(k);
	k->broken = true;
	return err;
}

/* ---- talking to a worker --------------------------------------------- */

/* the process's name in the trace, or "#ID" without a name table */
static const char *proc_label(const struct kworld *k, uint32_t id,
			      char buf[16])
{
	const char *name = k->cfg.names ?
			   op_stream_proc_name(k->cfg.names, id) : NULL;

	if (name)
		return name;
	snprintf(buf, 16, "#%u", id);
	return buf;
}

/*
 * One command to worker P (named LABEL in messages) and its reply.  0, or
 * a runner failure (the world is then broken): it died or did not answer.
 */
static int call_proc(struct kworld *k, struct kproc *p, const char *label,
		     const struct kcmd *c, struct kreply *r)
{
	struct pollfd pf[2] = { { p->reply, POLLIN, 0 },
				{ p->pidfd, POLLIN, 0 } };
	size_t got = 0;
	int n;

	if (write(p->cmd, c, sizeof(*c)) != (ssize_t)sizeof(*c))
		return fail(k, -ECHILD, "the worker of process %s is gone "
			    "(write: %s)", label, strerror(errno));
	do
		n = poll(pf, 2, k->cfg.op_timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return fail(k, -ETIMEDOUT, "the worker of process %s did not "
			    "answer within %d ms", label, k->cfg.op_timeout_ms);
	while (got < sizeof(*r)) {
		ssize_t m = read(p->reply, (char *)r + got, sizeof(*r) - got);

		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return fail(k, -ECHILD, "the worker of process %s died",
				    label);
		got += (size_t)m;
	}
	return 0;
}

/* call_proc to the worker of trace process ID */
static int call(struct kworld *k, uint32_t id, const struct kcmd *c,
		struct kreply *r)
{
	char label[16];

	return call_proc(k, &k->procs[id], proc_label(k, id, label), c, r);
}

/*
 * Register a worker already running as process ID, its pipes and pidfd
 * held by us.  0, or -EMFILE when the kill list is full.
 */
static int proc_add(struct kworld *k, uint32_t id, pid_t pid, int pidfd,
		    int cmd, int reply)
{
	struct kproc *p = proc_slot(k, id);
	int slot = p ? kill_list_add(pidfd) : -1;

	if (slot < 0)
		return p ? -EMFILE : -ENOMEM;
	*p = (struct kproc){ true, pid, pidfd, cmd, reply, slot };
	return 0;
}

/*
 * RLIMIT_STACK as the model has it (RLIMIT_STACK_BYTES, core/mm_types.h:
 * acct_stack_growth refuses a stack VMA larger), whatever the shell that
 * started the runner set; the zygote sets it before its exec, and every
 * p0, its fork, inherits it.
 */
static void set_stack_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_STACK, &r) == 0) {
		r.rlim_cur = 8u << 20;
		if (r.rlim_max != RLIM_INFINITY && r.rlim_max < r.rlim_cur)
			r.rlim_max = r.rlim_cur;
		setrlimit(RLIMIT_STACK, &r);
	}
}

/*
 * PARENT has just forked (OP_FORK, reply REP): the child becomes trace
 * process CHILD_ID.  Its pipe ends are copied out of PARENT with
 * pidfd_getfd before PARENT lets go of them (proto.h).  0 or a runner
 * failure (the child is then killed).
 */
static int adopt_child(struct kworld *k, struct kproc *parent,
		       const char *label, uint32_t child_id,
		       const struct kreply *rep)
{
	struct kcmd c = { .kind = KCMD_RELEASE,
			  .fds = { rep->fds[0], rep->fds[1] } };
	struct kreply r;
	int pidfd = sys_pidfd_open(rep->pid);
	int cmd = sys_pidfd_getfd(parent->pidfd, rep->fds[0]);
	int reply = sys_pidfd_getfd(parent->pidfd, rep->fds[1]);
	int err = call_proc(k, parent, label, &c, &r);

	if (!err && (pidfd < 0 || cmd < 0 || reply < 0))
		err = fail(k, -errno, "cannot take over the forked worker's "
			   "pipes (pidfd_getfd): %s", strerror(errno));
	if (!err && proc_add(k, child_id, rep->pid, pidfd, cmd, reply))
		err = fail(k, -ENOMEM, "too many workers");
	if (err) {
		if (pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			close(pidfd);
		}
		if (cmd >= 0)
			close(cmd);
		if (reply >= 0)
			close(reply);
	}
	return err;
}

/* ---- the zygote ---------------------------------------------------------
 *
 * Every world's p0 is forked by one long-lived worker, the zygote: the
 * small program of worker_main.c (no sanitizer, a few pages; embedded as
 * kworker_image), started once per controller process from a memfd.  A
 * fork and an exit cost what the forking process maps: forked from an
 * ASan + libFuzzer controller, p0 cost 12 ms to start and 11 ms to kill
 * and reap (docs/bench/kernel-speed.md).
 *
 * The zygote is a worker like the others (it serves OP_FORK, KCMD_RELEASE
 * and KCMD_HELLO, and is never sent an op that maps memory), so each p0 is
 * an exact copy of it: its mappings, checked once against the window (and
 * again for a world with another window), and THP off except where
 * advised (PR_SET_THP_DISABLE with PR_THP_DISABLE_EXCEPT_ADVISED in
 * worker.c's setup, an mm flag that fork copies).  It is in kill_list:
 * kworld_kill_all kills it; it exits on EOF when the controller dies;
 * a runner failure that involves it kills it, and the next world starts a
 * new one.  A process forked from the controller (run/repro's children)
 * does not share it: it starts its own (zygote.owner).
 */
static struct kproc zygote;
static pid_t zygote_owner;             /* the controller it belongs to */
static uint64_t zygote_lo, zygote_hi;  /* the window it was checked for */
static int image_fd = -1;              /* the memfd holding kworker_image */

static void zygote_forget(void)
{
	if (zygote.alive && zygote_owner == getpid()) {
		syscall(SYS_pidfd_send_signal, zygote.pidfd, SIGKILL, NULL, 0);
		wait_readable(zygote.pidfd, 5000);
	}
	if (zygote.alive)
		proc_forget(&zygote);
	zygote_lo = zygote_hi = 0;
}

/* the program's bytes in a memfd, made once */
static int image_open(void)
{
	size_t done = 0;
	int fd;

	if (image_fd >= 0)
		return 0;
	fd = memfd_create("rmapfuzz-kworker", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < kworker_image_len) {
		ssize_t w = write(fd, kworker_image + done,
				  kworker_image_len - done);

		if (w <= 0) {
			close(fd);
			return w < 0 ? -errno : -EIO;
		}
		done += (size_t)w;
	}
	image_fd = fd;
	return 0;
}

/* The child side of starting the zygote: fds 3, 4 its pipes, exec. */
static _Noreturn void zygote_child(int cmd_read, int reply_write)
{
	static char *const argv[] = { "rmapfuzz-kworker", NULL };
	static char *const envp[] = { NULL };
	int c = fcntl(cmd_read, F_DUPFD, 10);
	int r = fcntl(reply_write, F_DUPFD, 10);
	int img = fcntl(image_fd, F_DUPFD_CLOEXEC, 10);

	if (c < 0 || r < 0 || img < 0 || dup2(c, KWORKER_CMD_FD) < 0 ||
	    dup2(r, KWORKER_REPLY_FD) < 0 ||
	    dup2(img, KWORKER_REPLY_FD + 1) < 0 ||
	    fcntl(KWORKER_REPLY_FD + 1, F_SETFD, FD_CLOEXEC) < 0)
		_exit(127);
	syscall(SYS_close_range, KWORKER_REPLY_FD + 2, ~0U, 0);
	/* every p0 is the zygote's fork: it inherits the limit */
	set_stack_limit();
	syscall(SYS_execveat, KWORKER_REPLY_FD + 1, "", argv, envp,
		AT_EMPTY_PATH);
	_exit(127);
}

/* Start the zygote.  0 or a runner failure. */
static int zygote_spawn(struct kworld *k)
{
	int cmd[2], reply[2], pidfd, slot, err = image_open();
	pid_t pid;

	if (err)
		return fail(k, err, "cannot load the worker program: %s",
			    strerror(-err));
	if (pipe2(cmd, O_CLOEXEC) < 0)
		return fail(k, -errno, "pipe: %s", strerror(errno));
	if (pipe2(reply, O_CLOEXEC) < 0) {
		close(cmd[0]);
		close(cmd[1]);
		return fail(k, -errno, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid == 0)
		zygote_child(cmd[0], reply[1]);
	close(cmd[0]);
	close(reply[1]);
	pidfd = pid > 0 ? sys_pidfd_open(pid) : -1;
	slot = pidfd >= 0 ? kill_list_add(pidfd) : -1;
	if (slot < 0) {
		int e = pid < 0 || pidfd < 0 ? errno : EMFILE;

		if (pid > 0)
			kill(pid, SIGKILL);
		if (pidfd >= 0)
			close(pidfd);
		close(cmd[1]);
		close(reply[0]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return fail(k, -e, "cannot start a worker: %s", strerror(e));
	}
	zygote = (struct kproc){ true, pid, pidfd, cmd[1], reply[0], slot };
	zygote_owner = getpid();
	return 0;
}

/*
 * Check what the zygote (and so every p0) is like: its own mappings
 * outside the window (with a free page on each side, so that an mprotect
 * or mremap running off the window's end meets a hole), THP off except
 * where advised.
 */
static int zygote_check(struct kworld *k)
{
	struct kcmd hello = { .kind = KCMD_HELLO };
	struct kreply rep;
	uint64_t start = 0, end = 0;
	int err = call_proc(k, &zygote, "zygote", &hello, &rep);

	if (err)
		return err;
	err = procmem_check_free(zygote.pid, k->cfg.win_lo - PAGE,
				 k->cfg.win_hi + PAGE, &start, &end);
	if (err == -EBUSY)
		return fail(k, err, "the worker's own mapping 0x%" PRIx64
			    "-0x%" PRIx64 " lies in or next to the address "
			    "window 0x%" PRIx64 "-0x%" PRIx64, start, end,
			    k->cfg.win_lo, k->cfg.win_hi);
	if (err)
		return fail(k, err, "cannot read the worker's maps: %s",
			    strerror(-err));
	if (rep.res != KTHP_DISABLED_EXCEPT_ADVISED)
		return fail(k, -EINVAL, "PR_SET_THP_DISABLE with "
			    "PR_THP_DISABLE_EXCEPT_ADVISED did not take effect "
			    "in the worker (PR_GET_THP_DISABLE: %d; it needs "
			    "Linux 6.18)", rep.res);
	zygote_lo = k->cfg.win_lo;
	zygote_hi = k->cfg.win_hi;
	return 0;
}

static int ksm_claim(char *why, size_t whylen);

/* p0 of K: one fork of the zygote (started and checked first if need be) */
static int start_p0(struct kworld *k)
{
	struct kcmd c = { .kind = OP_FORK };
	struct kreply rep = { 0 };
	int err = 0;

	if (zygote.alive && zygote_owner != getpid()) {
		/* inherited by a fork of the controller: not ours to use */
		proc_forget(&zygote);
		zygote_lo = zygote_hi = 0;
	}
	if (!zygote.alive)
		err = zygote_spawn(k);
	if (!err && (zygote_lo != k->cfg.win_lo || zygote_hi != k->cfg.win_hi))
		err = zygote_check(k);
	if (!err)
		err = call_proc(k, &zygote, "zygote", &c, &rep);
	if (!err && rep.res)
		err = fail(k, rep.res, "the zygote cannot fork: %s",
			   strerror(-rep.res));
	if (!err)
		err = adopt_child(k, &zygote, "zygote", 0, &rep);
	if (err)
		zygote_forget();
	return err;
}

int kworld_host_check(char *why, size_t whylen)
{
	return procmem_host_check(why, whylen);
}

int kworld_host_check_partial(char *why, size_t whylen)
{
	return procmem_host_check_present(why, whylen);
}

int kworld_host_zero_page(void)
{
	return procmem_host_zero_page();
}

bool kworld_sees_zero_page(const struct kworld *k)
{
	return k->kpageflags >= 0;
}

int kworld_start(const struct kworld_config *cfg, struct kworld **out,
		 char *why, size_t whylen)
{
	struct kworld *k = calloc(1, sizeof(*k));
	uint64_t t0;
	int err;

	*out = NULL;
	if (!k) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	k->cfg = cfg ? *cfg : (struct kworld_config){ 0 };
	if (!k->cfg.win_lo && !k->cfg.win_hi) {
		k->cfg.win_lo = KWORLD_WIN_LO;
		k->cfg.win_hi = KWORLD_WIN_HI;
	}
	if (k->cfg.op_timeout_ms <= 0)
		k->cfg.op_timeout_ms = DEFAULT_TIMEOUT_MS;
	k->win = (struct kwindow){ k->cfg.win_lo, k->cfg.win_hi,
				   kwindow_user_top() };
	k->self = getpid();
	signal(SIGPIPE, SIG_IGN);
	k->kpageflags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (k->kpageflags < 0 && !k->cfg.partial) {
		err = -errno;
		snprintf(why, whylen, "cannot open /proc/kpageflags: %s",
			 strerror(errno));
		free(k);
		return err;
	}
	/* ksmd merges only at a ksm-scan (ksm_control.c) */
	err = ksm_claim(why, whylen);
	if (err) {
		if (k->kpageflags >= 0)
			close(k->kpageflags);
		free(k);
		return err;
	}
	t0 = now_ns();
	err = start_p0(k);
	/* the last world's workers are gone before this one runs an op */
	reap_corpses();
	account(KPHASE_START, t0);
	if (err) {
		snprintf(why, whylen, "%s", k->err);
		kworld_stop(k);
		return err;
	}
	*out = k;
	return 0;
}

/*
 * ksmd is one for the host: under `fuzz --engine kernel --jobs N` another
 * job's ksm-scan (run = 1) merges this world's mergeable pages with its
 * own, at a moment the model cannot know (an unreproducible finding in 1
 * run of 5 of kernel_jobs.sh's --jobs 2 campaign, none with --jobs 1).
 * A world that makes a page mergeable or runs a ksm-scan holds KSM_LOCK
 * (flock, exclusive) until its workers are dead, so no two such worlds
 * overlap; the others never had a mergeable page to merge.
 */
#define KSM_LOCK "/run/lock/rmapfuzz-ksm.lock"
static int ksm_lock_fd = -1;

static bool needs_ksm_lock(const struct op *op)
{
	return op->kind == OP_KSM_SCAN ||
	       (op->kind == OP_MADVISE && op->advice == ADV_MERGEABLE);
}

/* KSM_LOCK's descriptor, opened once per process; -1 if it cannot be */
static int ksm_lock_open(void)
{
	if (ksm_lock_fd < 0)
		ksm_lock_fd = open(KSM_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	return ksm_lock_fd;
}

/* 0; -EBUSY after cfg.ksm_wait_ms (k->cfg: 0, no limit); or a failure */
static int ksm_lock_take(struct kworld *k)
{
	uint64_t deadline = now_ns() + (uint64_t)k->cfg.ksm_wait_ms * 1000000;
	struct timespec pause = { 0, 5000000 };

	if (k->ksm_locked)
		return 0;
	if (ksm_lock_open() < 0)
		return fail(k, -errno, "cannot open %s: %s", KSM_LOCK,
			    strerror(errno));
	while (flock(ksm_lock_fd, k->cfg.ksm_wait_ms > 0 ? LOCK_EX | LOCK_NB :
		     LOCK_EX) < 0) {
		if (errno == EWOULDBLOCK) {
			if (now_ns() >= deadline)
				return -EBUSY;
			nanosleep(&pause, NULL);
		} else if (errno != EINTR) {
			return fail(k, -errno, "cannot lock %s: %s", KSM_LOCK,
				    strerror(errno));
		}
	}
	k->ksm_locked = true;
	return 0;
}

static const char ksm_busy_note[] =
	"not run: another job's world held the KSM lock (kworld_config "
	"ksm_wait_ms)";

/* ksm_lock_take for OP: 1 when it was busy (OUT skipped), 0, or a failure */
static int ksm_lock_for(struct kworld *k, const struct op *op,
			struct kworld_result *out)
{
	int err;

	if (!needs_ksm_lock(op))
		return 0;
	err = ksm_lock_take(k);
	if (err == -EBUSY) {
		*out = (struct kworld_result){ RES_OK, true, ksm_busy_note };
		return 1;
	}
	return err;
}

/*
 * ksm_control_claim (run = 0) at a world's start, unless another job's
 * world holds KSM_LOCK: its ksm-scan may be running (run = 1, waiting for
 * full scans that a run = 0 from here would stop: a 20 s wait, a timeout
 * finding), and it sets run = 0 itself when the scan is done.
 */
static int ksm_claim(char *why, size_t whylen)
{
	int err;

	if (ksm_lock_open() >= 0 && flock(ksm_lock_fd, LOCK_EX | LOCK_NB) < 0)
		return 0;
	err = ksm_control_claim(why, whylen);
	if (ksm_lock_fd >= 0)
		flock(ksm_lock_fd, LOCK_UN);
	return err;
}

void kworld_stop(struct kworld *k)
{
	uint64_t t0 = now_ns();

	if (!k)
		return;
	if (k->ksm_locked) {
		/* its mergeable pages gone before the next holder scans */
		kill_workers(k);
		flock(ksm_lock_fd, LOCK_UN);
		k->ksm_locked = false;
	}
	kill_workers_later(k);
	ksm_control_restore();
	account(KPHASE_STOP, t0);
	if (k->thp_held)
		thp_host_release();
	for (uint32_t i = 0; i < k->nfiles; i++)
		if (k->files[i] >= 0)
			close(k->files[i]);
	if (k->kpageflags >= 0)
		close(k->kpageflags);
	sharing_free(&k->again);
	proc_vmas_free(&k->vmas);
	free(k->files);
	free(k->procs);
	free(k);
}

/* ---- ops ----------------------------------------------------------------- */

/* `file F SIZE`: a memfd per file, created on first use. */
static int file_op(struct kworld *k, const struct op *op,
		   struct kworld_result *out)
{
	if (op->file >= k->nfiles) {
		uint32_t n = op->file + 8u;
		int *f = realloc(k->files, n * sizeof(*f));

		if (!f)
			return fail(k, -ENOMEM, "out of memory");
		for (uint32_t i = k->nfiles; i < n; i++)
			f[i] = -1;
		k->files = f;
		k->nfiles = n;
	}
	if (k->files[op->file] < 0) {
		int fd = memfd_create("rmapfuzz-kernel", MFD_CLOEXEC);

		if (fd < 0) {
			out->res = -errno;
			return 0;
		}
		k->files[op->file] = fd;
	}
	out->res = ftruncate(k->files[op->file], (off_t)op->len) ? -errno : 0;
	return 0;
}

/* MADV_COLLAPSE (6.1, include/uapi/asm-generic/mman-common.h): glibc's
 * headers here do not have it */
#define KMADV_COLLAPSE 25

/* the MADV_* number of an enum op_advice (include/uapi/asm-generic/mman-common.h) */
static uint32_t madv_of(unsigned advice)
{
	static const uint32_t madv[ADV_MAX] = {
		[ADV_DONTNEED] = MADV_DONTNEED, [ADV_DONTFORK] = MADV_DONTFORK,
		[ADV_DOFORK] = MADV_DOFORK, [ADV_WIPEONFORK] = MADV_WIPEONFORK,
		[ADV_KEEPONFORK] = MADV_KEEPONFORK,
		[ADV_HUGEPAGE] = MADV_HUGEPAGE,
		[ADV_NOHUGEPAGE] = MADV_NOHUGEPAGE,
		[ADV_COLLAPSE] = KMADV_COLLAPSE,
		[ADV_MERGEABLE] = MADV_MERGEABLE,
		[ADV_UNMERGEABLE] = MADV_UNMERGEABLE,
	};

	return advice < ADV_MAX ? madv[advice] : (uint32_t)-1;
}

static void fill_cmd(const struct kworld *k, const struct op *op,
		     struct kcmd *c)
{
	*c = (struct kcmd){ .kind = op->kind, .prot = op->prot,
			    .addr = op->addr, .len = op->len,
			    .newlen = op->newlen, .addr2 = op->addr2,
			    .off = op->off };
	if (op->kind == OP_MMAP) {
		c->flags = MAP_FIXED |
			   (op->flags & OPF_SHARED ? MAP_SHARED : MAP_PRIVATE) |
			   (op->flags & OPF_ANON ? MAP_ANONYMOUS : 0) |
			   (op->flags & OPF_GROWSDOWN ? MAP_GROWSDOWN : 0);
		if (!(op->flags & OPF_ANON))
			snprintf(c->path, sizeof(c->path), "/proc/%d/fd/%d",
				 (int)k->self, k->files[op->file]);
	} else if (op->kind == OP_MREMAP) {
		c->flags = (op->flags & (OPF_MAYMOVE | OPF_FIXED) ?
			    MREMAP_MAYMOVE : 0) |
			   (op->flags & OPF_FIXED ? MREMAP_FIXED : 0) |
			   (op->flags & OPF_DONTUNMAP ? MREMAP_DONTUNMAP : 0);
	} else if (op->kind == OP_MADVISE) {
		c->flags = madv_of(op->advice);
	} else if (op->kind == OP_UFFD_MOVE) {
		c->flags = op->flags & OPF_SRC_HOLES ? KUFFD_ALLOW_SRC_HOLES : 0;
	}
}

/*
 * fork: the parent's worker really forks; its child is the new process's
 * worker, whose pipe ends the controller copies out of the parent with
 * pidfd_getfd before the parent lets go of them (proto.h).
 */
static int fork_op(struct kworld *k, const struct op *op,
		   struct kworld_result *out)
{
	struct kcmd c = { .kind = OP_FORK };
	struct kreply rep = { 0 };
	char label[16];
	int err;

	if (op->proc2 == op->proc || proc_get(k, op->proc2)) {
		out->res = -EEXIST;
		return 0;
	}
	err = call(k, op->proc, &c, &rep);
	if (err || rep.res) {
		out->res = rep.res;
		return err;
	}
	return adopt_child(k, &k->procs[op->proc],
			   proc_label(k, op->proc, label), op->proc2, &rep);
}

/* exit: the worker exits; done when its pidfd says it has (mm torn down) */
static int exit_op(struct kworld *k, const struct op *op)
{
	struct kproc *p = &k->procs[op->proc];
	struct kcmd c = { .kind = OP_EXIT };
	char label[16];

	if (write(p->cmd, &c, sizeof(c)) != (ssize_t)sizeof(c) ||
	    wait_readable(p->pidfd, k->cfg.op_timeout_ms))
		return fail(k, -ETIMEDOUT, "the worker of process %s did not "
			    "exit", proc_label(k, op->proc, label));
	proc_forget(p);
	return 0;
}

bool kworld_batchable(const struct op *op)
{
	switch (op->kind) {
	case OP_MMAP:
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MADVISE:
	case OP_MREMAP:
	case OP_READ:
	case OP_WRITE:
	case OP_FILL:
		return true;
	default:
		return false;
	}
}

/* why the host's THP settings could not be taken (a skipped op's note) */
static char thp_why[256];

/*
 * The host's THP settings for this world's sizes (thp_host.h), taken at
 * the trace's first op that can make a large folio.  NULL, or why not
 * (the op is then skipped: the kernel could not run it as the model
 * does).
 */
static const char *thp_take(struct kworld *k)
{
	char why[200];

	if (k->thp_held)
		return NULL;
	if (thp_host_acquire(k->thp_orders, why, sizeof(why))) {
		snprintf(thp_why, sizeof(thp_why), "the host's THP settings "
			 "cannot be set: %s", why);
		return thp_why;
	}
	k->thp_held = true;
	return NULL;
}

/* Does OP make large folios possible (and so need thp_take)? */
static bool wants_thp(const struct op *op)
{
	return op->kind == OP_THP_SIZES ||
	       (op->kind == OP_MADVISE && (op->advice == ADV_HUGEPAGE ||
					   op->advice == ADV_COLLAPSE));
}

const char *kworld_thp_disturbed(const struct kworld *k)
{
	return k->thp_held ? thp_host_disturbed() : NULL;
}

/*
 * A batchable OP (kworld_batchable) of a live process: 1 and its command
 * in C when the worker must run it; 0 when *OUT is already its result (a
 * load or store outside the window, an mmap of a file never made) or it
 * is not run (out->skipped).
 */
static int prepare(struct kworld *k, const struct op *op,
		   struct kworld_result *out, struct kcmd *c)
{
	const char *why = kwindow_host_cannot(op);   /* fail-nth (window.h) */

	*out = (struct kworld_result){ RES_OK, false, NULL };
	if (!why) {
		switch (op->kind) {
		case OP_READ:
		case OP_WRITE:
		case OP_FILL:
			/* nothing of the trace can be mapped there: as in
			 * the model */
			if (!kwindow_has(&k->win, op->addr)) {
				out->res = RES_SIGSEGV;
				return 0;
			}
			break;
		case OP_MMAP:
			/* no such file: mmap(fd -1), whose x86 sys_mmap
			 * refuses an unaligned offset before
			 * ksys_mmap_pgoff's fget() fails */
			if (!(op->flags & OPF_ANON) &&
			    (op->file >= k->nfiles || k->files[op->file] < 0)) {
				out->res = op->off & 0xfff ? -EINVAL : -EBADF;
				return 0;
			}
			break;
		default:
			break;
		}
		why = kwindow_op_skip(&k->win, op);
		if (!why && wants_thp(op))
			why = thp_take(k);
	}
	if (why) {
		*out = (struct kworld_result){ RES_OK, true, why };
		return 0;
	}
	fill_cmd(k, op, c);
	return 1;
}

int kworld_apply(struct kworld *k, const struct op *op,
		 struct kworld_result *out)
{
	const char *why;
	uint32_t applied;
	uint64_t t0;
	int err;

	*out = (struct kworld_result){ RES_OK, false, NULL };
	if (k->broken)
		return -EIO;
	/* fail-nth, migrate, pageout, age (window.h) */
	why = kwindow_host_cannot(op);
	if (why) {
		*out = (struct kworld_result){ RES_OK, true, why };
		return 0;
	}
	if (op->kind == OP_FILE)
		return file_op(k, op, out);
	err = ksm_lock_for(k, op, out);
	if (err)
		return err < 0 ? err : 0;
	if (op->kind == OP_THP_SIZES) {
		/* the trace parser allows it before the first op only */
		k->thp_orders = (uint32_t)op->len;
		why = thp_take(k);
		if (why)
			*out = (struct kworld_result){ RES_OK, true, why };
		return 0;
	}
	if (op->kind == OP_KSM_SCAN) {
		char why_scan[160];
		int err_scan = ksm_control_scan(why_scan, sizeof(why_scan));

		k->ksm_scanned = true;
		return err_scan ? fail(k, err_scan, "ksm-scan: %s", why_scan) : 0;
	}
	if (op_is_check(op))
		return 0;
	if (!proc_get(k, op->proc)) {
		out->res = -ESRCH;
		return 0;
	}
	switch (op->kind) {
	case OP_FORK:
		t0 = now_ns();
		err = fork_op(k, op, out);
		account(KPHASE_FORK, t0);
		return err;
	case OP_EXIT:
		t0 = now_ns();
		err = exit_op(k, op);
		account(KPHASE_EXIT, t0);
		return err;
	default:
		return kworld_apply_batch(k, op, 1, out, &applied);
	}
}

/* N replies of process ID's worker, in order.  0 or a runner failure. */
static int read_replies(struct kworld *k, uint32_t id, struct kreply *r,
			uint32_t n)
{
	struct kproc *p = &k->procs[id];
	struct pollfd pf[2] = { { p->reply, POLLIN, 0 },
				{ p->pidfd, POLLIN, 0 } };
	size_t got = 0, want = n * sizeof(*r);
	char label[16];
	int m;

	while (got < want) {
		ssize_t len;

		do
			m = poll(pf, 2, k->cfg.op_timeout_ms);
		while (m < 0 && errno == EINTR);
		if (m == 0)
			return fail(k, -ETIMEDOUT, "the worker of process %s "
				    "did not answer within %d ms",
				    proc_label(k, id, label),
				    k->cfg.op_timeout_ms);
		len = read(p->reply, (char *)r + got, want - got);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return fail(k, -ECHILD, "the worker of process %s died",
				    proc_label(k, id, label));
		got += (size_t)len;
	}
	return 0;
}

int kworld_apply_batch(struct kworld *k, const struct op *ops, uint32_t n,
		       struct kworld_result *out, uint32_t *applied)
{
	struct kcmd cmds[KBATCH_MAX];
	struct kreply reps[KBATCH_MAX];
	uint32_t at[KBATCH_MAX], m = 0, i, id = n ? ops[0].proc : 0;
	uint32_t busy = UINT32_MAX;
	char label[16];
	uint64_t t0;
	int err;

	*applied = 0;
	if (k->broken)
		return -EIO;
	if (n > KBATCH_MAX)
		n = KBATCH_MAX;
	/* an op the KSM lock keeps from running ends the batch there */
	for (i = 0; i < n; i++) {
		err = ksm_lock_for(k, &ops[i], &out[i]);
		if (err < 0)
			return err;
		if (err) {
			busy = i;
			n = i + 1;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		if (i == busy)
			break;
		if (!proc_get(k, ops[i].proc)) {
			out[i] = (struct kworld_result){ -ESRCH, false, NULL };
			continue;
		}
		if (prepare(k, &ops[i], &out[i], &cmds[m]) == 1)
			at[m++] = i;
		else if (out[i].skipped)
			break;             /* the ops after it are not run */
	}
	*applied = i < n ? i + 1 : n;
	if (!m)
		return 0;
	for (i = 0; i < m; i++)
		cmds[i].hold = i + 1 < m;
	t0 = now_ns();
	if (write(k->procs[id].cmd, cmds, m * sizeof(cmds[0])) !=
	    (ssize_t)(m * sizeof(cmds[0])))
		return fail(k, -ECHILD, "the worker of process %s is gone "
			    "(write: %s)", proc_label(k, id, label),
			    strerror(errno));
	err = read_replies(k, id, reps, m);
	account(KPHASE_CALL, t0);
	for (i = 0; i < m && !err; i++)
		out[at[i]].res = reps[i].res;
	return err;
}

/* ---- reading the sharing back ------------------------------------------ */

/* every live process's pages into OUT, and its VMAs into VMAS unless NULL */
static int read_all_procs(struct kworld *k, struct sharing *out,
			  struct proc_vmas *vmas)
{
	int err = 0;

	sharing_clear(out);
	if (vmas)
		vmas->n = 0;
	for (uint32_t i = 0; i < k->nprocs && !err; i++)
		if (k->procs[i].alive)
			err = procmem_read(k->procs[i].pid, i, k->cfg.win_lo,
					   k->cfg.win_hi, k->kpageflags,
					   k->thp_held, k->ksm_scanned, out,
					   vmas);
	return err;
}

const struct proc_vmas *kworld_vmas(const struct kworld *k)
{
	return &k->vmas;
}

static int snapshot_finish(struct kworld *k, struct sharing *out);

static int snapshot_failed(struct kworld *k, int err)
{
	snprintf(k->err, sizeof(k->err), "cannot read the sharing back: %s",
		 strerror(-err));
	return err;
}

static bool same_frames(const struct sharing *a, const struct sharing *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->e[i].proc != b->e[i].proc ||
		    a->e[i].addr != b->e[i].addr ||
		    a->e[i].frame != b->e[i].frame ||
		    a->e[i].folio != b->e[i].folio ||
		    a->e[i].folio_nr != b->e[i].folio_nr ||
		    (a->e[i].flags ^ b->e[i].flags) & (SHARING_PMD | SHARING_KSM))
			return false;
	return true;
}

int kworld_snapshot_once(struct kworld *k, struct sharing *out)
{
	uint64_t t0 = now_ns();
	int err;

	if (k->broken)
		return -EIO;
	err = read_all_procs(k, out, &k->vmas);
	account(KPHASE_READ, t0);
	return err ? snapshot_failed(k, err) : snapshot_finish(k, out);
}

int kworld_snapshot(struct kworld *k, struct sharing *out)
{
	struct timespec pause = { 0, 1000000 };
	int err = -EAGAIN;

	if (k->broken)
		return -EIO;
	for (int tries = 0; tries < 50 && err == -EAGAIN; tries++) {
		uint64_t t0 = now_ns();

		if (tries) {
			profile.retries++;
			nanosleep(&pause, NULL);
		}
		err = read_all_procs(k, out, &k->vmas);
		account(tries ? KPHASE_CONFIRM : KPHASE_READ, t0);
		t0 = now_ns();
		if (!err)
			err = read_all_procs(k, &k->again, NULL);
		if (!err && !same_frames(out, &k->again))
			err = -EAGAIN;
		account(KPHASE_CONFIRM, t0);
	}
	return err ? snapshot_failed(k, err) : snapshot_finish(k, out);
}

/* what both reads do to a snapshot read: the test seam, partial, sorted */
static int snapshot_finish(struct kworld *k, struct sharing *out)
{
	if (k->thp_held && thp_host_inject_fallback()) {
		/* the test seam (thp_host.h): small pages, as a host that
		 * could not allocate a large folio maps them */
		for (uint32_t i = 0; i < out->n; i++) {
			out->e[i].folio = out->e[i].frame;
			out->e[i].folio_nr = 1;
			out->e[i].flags &= ~(uint32_t)SHARING_PMD;
		}
	}
	if (k->cfg.partial)
		sharing_reduce_partial(out, kworld_sees_zero_page(k));
	sharing_sort(out);
	return 0;
}
