/*
 * kworld.h - the host Linux kernel as a third world: a trace's processes
 * are real processes, its ops real system calls, and its sharing structure
 * is read back from /proc/PID/pagemap.  The same shape as core/world.h
 * (start, apply one op -> result, look at the sharing, stop), so a runner
 * can drive the model and the kernel side by side.
 *
 *	controller (this API)
 *	  `-- zygote           the worker program (worker_main.c), started
 *	        |              once per controller process; never maps
 *	        |-- worker p0  one process per live trace process: p0 forked
 *	        |     `-- p1   by the zygote, the others by their trace
 *	        |         ...  parent (a real fork), each talking to the
 *	        |              controller on two pipes (proto.h)
 *
 * Safety, which every change here keeps:
 *   - trace memory lives in an address window [win_lo, win_hi) that holds
 *     none of the worker's own mappings (checked at start); an op that
 *     would map, unmap or change memory outside it is not run (skipped; a
 *     load or store there is SIGSEGV, as in the model, where the trace can
 *     have nothing there either).  mremap without MREMAP_FIXED may take
 *     free space outside it (grown in place, or moved where the kernel
 *     chooses): such memory is never another mapping's, and is not read.
 *   - every worker is killed when the world stops, when an op times out or
 *     a worker dies, and (kworld_kill_all from a signal handler) on Ctrl-C;
 *     a worker whose controller dies reads EOF and exits; so does the
 *     zygote, which kworld_kill_all kills too.
 *   - files are memfds: nothing is left on disk, whatever happens.
 *
 * The controller ignores SIGPIPE (a dead worker is an error, not a signal).
 */
#ifndef RMAP_KERNEL_KWORLD_H
#define RMAP_KERNEL_KWORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/op.h"
#include "kernel/procmem.h"
#include "oracle/sharing.h"

/*
 * The default window: every address the scenarios and patterns use, below
 * ASan's shadow (0x7fff7000 up) and far below the heap, libraries and
 * stack, which Linux places near the top of the address space.
 */
#define KWORLD_WIN_LO  0x10000ULL
#define KWORLD_WIN_HI  0x7fe00000ULL

struct kworld;

struct op_stream;

struct kworld_config {
	uint64_t win_lo, win_hi;  /* the address window; both 0: the default */
	int op_timeout_ms;        /* per op; 0: 10 s */
	const struct op_stream *names;  /* process names for messages, or NULL */
	/*
	 * the partial comparison: snapshots reduced to present pages
	 * (oracle/sharing.h sharing_reduce_partial), for a host without
	 * frame numbers; /proc/kpageflags may then be unreadable
	 */
	bool partial;
	/*
	 * How long a world waits for the KSM lock another job's world holds
	 * (KSM_LOCK, kworld.c) before it stops the trace at the op that needs
	 * it, not run (skipped, as an op outside the window is); 0: as long
	 * as it takes.  A fuzz engine sets it: a wait there is another job's
	 * ksm-scans, which libFuzzer's -timeout would file as this input's.
	 */
	int ksm_wait_ms;
};

/*
 * Can this host show the sharing structure?  Needs root: frame numbers in
 * /proc/PID/pagemap (CAP_SYS_ADMIN) and /proc/kpageflags.  0, or -EPERM /
 * -ENOSYS with the reason in WHY.
 */
int kworld_host_check(char *why, size_t whylen);

/*
 * Can this host run the partial comparison: present bits in pagemap, no
 * root needed?  0, or -ENOSYS with the reason in WHY.
 */
int kworld_host_check_partial(char *why, size_t whylen);

/*
 * Does this host map the zero page on a read fault of private anonymous
 * memory?  1 yes, 0 no (mm_forbids_zeropage(): the model must run with
 * world_config.no_zero_page to be compared with it), -1 cannot tell.
 */
int kworld_host_zero_page(void);

/*
 * Start a world whose p0 is a fresh worker with an empty window.  0 and
 * *out, or -errno with the reason in WHY (no worker left running).
 */
int kworld_start(const struct kworld_config *cfg, struct kworld **out,
		 char *why, size_t whylen);

struct kworld_result {
	int res;              /* RES_OK, -errno, RES_SIG*, as world_apply's */
	bool skipped;         /* not run: see note */
	const char *note;     /* why it was skipped (static text), or NULL */
};

/*
 * Apply OP (an op, not a check) and give its result.  0, or -errno when
 * the runner itself failed (-ETIMEDOUT: a worker did not answer in time;
 * -ECHILD: a worker died; -ENOMEM ...): every worker has then been killed,
 * kworld_error() says what happened, and only kworld_stop() is left.
 */
int kworld_apply(struct kworld *k, const struct op *op,
		 struct kworld_result *out);

/*
 * May OP go to the kernel in a batch (kworld_apply_batch)?  The plain
 * system calls and the loads and stores; not fork, exit, file or a check.
 */
bool kworld_batchable(const struct op *op);

/*
 * OPS[0..N), all batchable and of one process, applied as kworld_apply
 * applies each, in one batch: one round trip to the worker (proto.h).
 * *APPLIED: how many of them have their result in OUT (an op the kernel
 * world does not run, out->skipped, is the last: the ops after it are not
 * run).  At most KWORLD_BATCH_MAX ops (more: the rest are not run).
 * 0 or a runner failure, as kworld_apply.
 */
#define KWORLD_BATCH_MAX 32
int kworld_apply_batch(struct kworld *k, const struct op *ops, uint32_t n,
		       struct kworld_result *out, uint32_t *applied);

/*
 * The sharing structure now (sorted; frame = host pfn, SHARING_ZERO for the
 * zero page; for a trace that asked for large folios, each page's folio
 * and PMD mapping too, procmem_read's FOLIOS): every present page of every
 * VMA of every live trace process,
 * inside the window, whichever op created it; with cfg.partial reduced to
 * presence (sharing_reduce_partial).  Retried until two reads in
 * a row agree (the kernel may migrate a page meanwhile).  0 or -errno.
 */
int kworld_snapshot(struct kworld *k, struct sharing *out);

/*
 * kworld_snapshot with one read, not confirmed: for a caller that confirms
 * with kworld_snapshot whatever it finds to differ (kcompare).
 */
int kworld_snapshot_once(struct kworld *k, struct sharing *out);

/*
 * Does K tell the zero page apart (/proc/kpageflags read)?  Always in a
 * full world; in a partial one when kpageflags could be opened.
 */
bool kworld_sees_zero_page(const struct kworld *k);

/*
 * The VMAs inside the window of every live process, by process then
 * address, as the last kworld_snapshot read them from /proc/PID/maps.
 */
const struct proc_vmas *kworld_vmas(const struct kworld *k);

/*
 * Large folios (issue 19): NULL, or why K's view cannot be compared with
 * the model's since K took the host's THP settings (kernel/thp_host.h
 * thp_host_disturbed: the host fell back from a large folio it should have
 * allocated, as fragmentation makes it, or khugepaged collapsed pages).
 * A difference then is the host's, not the model's: kcompare reports it
 * as such, never as a divergence.  Always NULL for a trace that asks for
 * no large folio.
 */
const char *kworld_thp_disturbed(const struct kworld *k);

/* What went wrong in the last failed call, or "". */
const char *kworld_error(const struct kworld *k);

/*
 * Kill every worker (SIGKILL, at once) and free K.  K may be NULL.  Their
 * end is waited for by the next kworld_start, after it has forked its p0
 * (kworld.c: reap_corpses), or by kworld_kill_all: the exit of one world
 * overlaps the start of the next.
 */
void kworld_stop(struct kworld *k);

/*
 * Where the kernel world's time goes, summed over every world this process
 * ran (clock_gettime(CLOCK_MONOTONIC) around each phase; a few hundred ns
 * per phase, always on): `kernel_speed` (kernel/kspeed_main.c) prints it
 * per input.  Phases do not overlap.
 */
enum kworld_phase {
	KPHASE_START,     /* p0 up: its fork, hello, window and THP checks */
	KPHASE_CALL,      /* one op's command and reply (not fork / exit) */
	KPHASE_FORK,      /* a fork op: the fork and taking over the pipes */
	KPHASE_EXIT,      /* an exit op, until the pidfd says it is gone */
	KPHASE_READ,      /* a snapshot's first read of maps and pagemap */
	KPHASE_CONFIRM,   /* the read that confirms it, and any retry */
	KPHASE_STOP,      /* kworld_stop: kill and reap every worker */
	KPHASE_COUNT
};

struct kworld_profile {
	uint64_t ns[KPHASE_COUNT];
	uint64_t count[KPHASE_COUNT];
	uint64_t retries;    /* snapshots read again (EAGAIN or disagreement) */
};

/* The profile so far, a phase's name, and a fresh start of the profile. */
const struct kworld_profile *kworld_profile(void);
const char *kworld_phase_name(enum kworld_phase p);
void kworld_profile_reset(void);

/*
 * SIGKILL every worker of every running world and wait (up to 2 s each)
 * until they are gone, after restoring the host's THP settings if a
 * world had changed them (thp_host_restore_now).  Async-signal-safe: for a SIGINT / SIGTERM handler,
 * which then exits.
 */
void kworld_kill_all(void);

#endif /* RMAP_KERNEL_KWORLD_H */
