/*
 * ksm_control.c - ksmd run on demand for the kernel world (ksm_control.h).
 *
 * The model's ksm-scan (core/ksm.c) runs full scans until one changes
 * nothing: a page is merged at the earliest on its second full scan (the
 * first records its checksum, cmp_and_merge_page()), and the pages of one
 * content all meet in the scan that merges the first two.  The host is
 * stopped with the trace's processes idle, so KSM_FULL_SCANS more full
 * scans (the first of them may have begun before run = 1, half done) see
 * the same fixpoint.  The settings:
 *
 *   run              1 for the scan, 0 before and after (ksmd must not
 *                    merge between ops: the model merges only at ksm-scan)
 *   smart_scan       0: no page is skipped for having been unchanged
 *   sleep_millisecs  0: full scans back to back
 *   pages_to_scan    KSM_PAGES_TO_SCAN per wake-up
 *   use_zero_pages   0: pages of zeros merge into a KSM page like any other
 *                    content, not with the zero page
 *
 * ksmd needs an mm to scan before it counts a full scan (ksm_anchor()).
 * Each is saved as the text the file held, the first time it is changed,
 * and written back by ksm_control_restore(), from exit paths and from
 * signal handlers alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kernel/ksm_control.h"
#include "kernel/sysfs_file.h"

#define KSM_DIR "/sys/kernel/mm/ksm/"
#define KSM_FULL_SCANS 4
#define KSM_PAGES_TO_SCAN "100000"
#define KSM_TIMEOUT_MS 20000

enum { S_RUN, S_SMART, S_SLEEP, S_PAGES, S_ZERO, S_MAX };

static const char *const names[S_MAX] = {
	[S_RUN] = KSM_DIR "run", [S_SMART] = KSM_DIR "smart_scan",
	[S_SLEEP] = KSM_DIR "sleep_millisecs",
	[S_PAGES] = KSM_DIR "pages_to_scan",
	[S_ZERO] = KSM_DIR "use_zero_pages",
};

/* the text each file held before it was first changed; [0] == 0: unchanged */
static char saved[S_MAX][32];
static volatile int restore_pending;

/* set setting S to TEXT, saving its old text the first time; a file this
 * kernel lacks (smart_scan before 6.7) is no setting to change */
static int set(int s, const char *text, char *why, size_t whylen)
{
	char old[32];
	int err = sysfs_read(names[s], old, sizeof(old));

	if (err == -ENOENT && s != S_RUN)
		return 0;
	if (err) {
		snprintf(why, whylen, "cannot read %s: %s", names[s],
			 strerror(-err));
		return err;
	}
	if (!saved[s][0]) {
		memcpy(saved[s], old, sizeof(old));
		restore_pending = 1;
	}
	err = sysfs_write(names[s], text);
	if (err)
		snprintf(why, whylen, "cannot write %s to %s: %s", text,
			 names[s], strerror(-err));
	return err;
}

int ksm_control_claim(char *why, size_t whylen)
{
	char run[32];

	/* a kernel without KSM: nothing can merge, nothing to stop */
	if (sysfs_read(names[S_RUN], run, sizeof(run)))
		return 0;
	return run[0] == '0' ? 0 : set(S_RUN, "0", why, whylen);
}

static long full_scans(void)
{
	char buf[32];

	return sysfs_read(KSM_DIR "full_scans", buf, sizeof(buf)) ? -1 :
	       strtol(buf, NULL, 10);
}

/*
 * ksmd counts a full scan only when it has an mm to scan: with none (no
 * process of the trace made anything mergeable yet, or they all exited)
 * it sleeps and full_scans never moves.  So the controller keeps one
 * mergeable page of its own, outside the trace's window, whose bytes no
 * trace page has (this text and the pid): it never merges, and ksmd always
 * has something to pass over.  Made once; exec'd workers do not inherit it.
 */
static int ksm_anchor(char *why, size_t whylen)
{
	static char *anchor;

	if (anchor)
		return 0;
	anchor = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anchor == MAP_FAILED) {
		anchor = NULL;
		snprintf(why, whylen, "cannot map the KSM anchor page: %s",
			 strerror(errno));
		return -errno;
	}
	snprintf(anchor, 4096, "rmapfuzz kernel runner %d: ksmd's anchor page",
		 (int)getpid());
	if (madvise(anchor, 4096, MADV_MERGEABLE)) {
		snprintf(why, whylen, "madvise(MADV_MERGEABLE) of the KSM "
			 "anchor page: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int ksm_control_scan(char *why, size_t whylen)
{
	struct timespec nap = { 0, 1000000 };   /* 1 ms */
	long start;
	int err = ksm_anchor(why, whylen);

	if (err)
		return err;

	if (set(S_SMART, "0", why, whylen) || set(S_SLEEP, "0", why, whylen) ||
	    set(S_PAGES, KSM_PAGES_TO_SCAN, why, whylen) ||
	    set(S_ZERO, "0", why, whylen))
		return -EIO;
	start = full_scans();
	if (start < 0) {
		snprintf(why, whylen, "no %sfull_scans: no KSM here", KSM_DIR);
		return -ENOENT;
	}
	if (set(S_RUN, "1", why, whylen))
		return -EIO;
	for (int ms = 0; full_scans() < start + KSM_FULL_SCANS; ms++) {
		if (ms >= KSM_TIMEOUT_MS) {
			snprintf(why, whylen, "ksmd did %ld full scans in %d "
				 "ms, not %d", full_scans() - start, ms,
				 KSM_FULL_SCANS);
			err = -ETIMEDOUT;
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (sysfs_write(names[S_RUN], "0") && !err) {
		snprintf(why, whylen, "cannot stop ksmd (%s)", names[S_RUN]);
		err = -EIO;
	}
	return err;
}

void ksm_control_restore(void)
{
	if (!restore_pending)
		return;
	restore_pending = 0;
	for (int s = S_MAX - 1; s >= 0; s--) {
		if (saved[s][0])
			sysfs_write(names[s], saved[s]);
		saved[s][0] = 0;
	}
}
