/*
 * thp_host.h - the host's transparent hugepage settings a THP trace
 * assumes (issue 19), set while a kernel world runs one, and restored.
 *
 * A trace with no hugepage advice, no collapse and no thp-sizes line never
 * comes here: its workers cannot get a large folio at all
 * (PR_SET_THP_DISABLE with PR_THP_DISABLE_EXCEPT_ADVISED, worker.c), and the
 * host is left as it is.  For one that does, kworld.c asks for the settings
 * the model's semantics take (docs/trace-format.md, "Large folios"):
 *
 *	/sys/kernel/mm/transparent_hugepage/
 *	  enabled                     madvise  (only VM_HUGEPAGE VMAs)
 *	  defrag                      madvise  (a fault there may compact)
 *	  use_zero_page               1
 *	  hugepages-<size>kB/enabled  madvise for the trace's thp-sizes
 *	                              (default 2048 alone), never for the
 *	                              others ("inherit" is kept as it is for a
 *	                              wanted size: it means enabled's madvise)
 *	  khugepaged/max_ptes_none    0   \  khugepaged never collapses a
 *	  khugepaged/max_ptes_shared  0    > range with a hole, a shared or a
 *	  khugepaged/max_ptes_swap    0   /  swapped page: only MADV_COLLAPSE
 *	                                     collapses (these three count only
 *	                                     for khugepaged: cc->is_khugepaged
 *	                                     in hpage_collapse_scan_pmd and
 *	                                     __collapse_huge_page_isolate)
 *	  khugepaged/scan_sleep_millisecs  86400000 (a day: after the scan an
 *	                                     mm's first entry wakes it for,
 *	                                     khugepaged sleeps out the trace)
 *
 * Why not pages_to_scan: it cannot be 0 (pages_to_scan_store refuses it),
 * and khugepaged scans at once when the first mm enters its list anyway
 * (khugepaged_wait_work waits for work without a timeout), whatever the
 * sleep: max_ptes_none = 0 is what keeps that first scan from collapsing
 * a range the trace has touched one page of (seen on this host: one
 * written page in a MADV_HUGEPAGE range became a THP within milliseconds
 * with max_ptes_none 511).  What is left (khugepaged collapsing a fully
 * populated, unshared range in that first scan) is caught:
 * khugepaged/pages_collapsed is read at the start and at every look
 * (thp_host_disturbed), and a rise is reported, not compared.
 *
 * Only one process on the machine changes these at a time: an flock on
 * THP_HOST_LOCK, held while any world of the process holds the settings.
 * The originals are written to THP_HOST_STATE before anything changes, so
 * a holder killed with SIGKILL leaves them behind: the next holder restores
 * them first.  They are restored when the last world lets go
 * (thp_host_release), at exit (atexit), and from a SIGINT / SIGTERM handler
 * (thp_host_restore_now, called by kworld_kill_all).
 */
#ifndef RMAP_KERNEL_THP_HOST_H
#define RMAP_KERNEL_THP_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THP_HOST_SYSFS "/sys/kernel/mm/transparent_hugepage"
#define THP_HOST_LOCK  "/run/lock/rmapfuzz-thp.lock"
#define THP_HOST_STATE "/run/lock/rmapfuzz-thp.state"

/*
 * Hold the settings for anonymous folio ORDERS (bit N: order N, as
 * OP_THP_SIZES's mask; 0: THP_ORDERS_DEFAULT): the first holder of the
 * process takes the lock (waiting for another process that holds it),
 * saves and sets; another world of the same process shares them when it
 * asks for the same orders.  0, or -errno with WHY (not root, a size the
 * host lacks, other orders held by this process, a write refused):
 * nothing is then held or changed.
 */
int thp_host_acquire(uint32_t orders, char *why, size_t whylen);

/* One holder lets go; the last restores every setting and unlocks. */
void thp_host_release(void);

/*
 * Restore every changed setting now and drop the state file.
 * Async-signal-safe (open, write, close, unlink): for a signal handler.
 */
void thp_host_restore_now(void);

/*
 * Since the settings were taken: has the host fallen back from a large
 * folio it would have allocated (/proc/vmstat thp_fault_fallback,
 * thp_collapse_alloc_failed, and hugepages-<size>kB/stats/
 * anon_fault_fallback of the held sizes: fragmentation, or a memcg
 * charge), or has khugepaged collapsed something?  NULL when neither, else
 * what (static text).  These counters are the machine's: another process
 * can move them too, so this excuses a difference, it never makes one.
 */
const char *thp_host_disturbed(void);

/*
 * Test seam: with RMAP_THP_INJECT_FALLBACK=1 in the environment (read at
 * each first acquire), the host is made to look as if it had fallen back
 * from every large folio: thp_host_disturbed says so, and the kernel
 * world reads every page as a small one (kworld.c), as a fragmented host
 * would map them (//tests:thp_host_test).  Said on stderr once.
 */
bool thp_host_inject_fallback(void);

#endif /* RMAP_KERNEL_THP_HOST_H */
