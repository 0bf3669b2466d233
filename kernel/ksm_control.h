/*
 * ksm_control.h - the host's KSM as the kernel world's "ksm-scan" (issue
 * 20): /sys/kernel/mm/ksm driven so that ksmd merges everything it will
 * merge now, then stops; every setting changed is put back (ksm_control.c).
 */
#ifndef RMAP_KERNEL_KSM_CONTROL_H
#define RMAP_KERNEL_KSM_CONTROL_H

#include <stddef.h>

/*
 * Stop ksmd if it runs (run = 0: nothing may merge outside a ksm-scan),
 * remembering what to restore.  0, or -errno with WHY.  Idempotent.
 */
int ksm_control_claim(char *why, size_t whylen);
/*
 * ksm-scan: smart_scan = 0, sleep_millisecs = 0, pages_to_scan large,
 * use_zero_pages = 0, run = 1 until full_scans has advanced by
 * KSM_FULL_SCANS (the first may have started before), then run = 0.
 * 0, or -errno with WHY (no KSM in this kernel, a timeout).
 */
int ksm_control_scan(char *why, size_t whylen);
/*
 * Put back every setting claim and scan changed.  Async-signal-safe
 * (open, write, close of saved text): the signal handlers of the kernel
 * commands call it through kworld_kill_all().
 */
void ksm_control_restore(void);

#endif /* RMAP_KERNEL_KSM_CONTROL_H */
