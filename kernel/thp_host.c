/*
 * thp_host.c - taking, holding and giving back the host's THP settings
 * (thp_host.h says which and why).
 *
 * What was changed is kept in static memory (saved[]: a file's path and
 * its original value), so that the restore needs no malloc and no stdio
 * and can run in a signal handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/op.h"
#include "kernel/sysfs_file.h"
#include "kernel/thp_host.h"

#define SAVED_MAX 24
#define VALUE_MAX 32
#define PATH_MAX_LEN 112

struct saved {
	char path[PATH_MAX_LEN];
	char value[VALUE_MAX];     /* the original, as written back */
};

static struct saved saved[SAVED_MAX];
static volatile int nsaved;        /* entries of saved[] to restore */
static int lock_fd = -1;
static unsigned holders;
static uint32_t held_orders;
static bool atexit_done;
static pid_t owner;                /* the process that took them */

static bool inject_fallback;       /* the test seam (thp_host.h) */

/* counters read when the settings were taken (thp_host_disturbed) */
static uint64_t base_fallback, base_collapsed;

/* ---- sysfs files ------------------------------------------------------- */

/* SRC into DST[LEN], cut to fit (paths and values here are short) */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * The setting a sysfs file holds: the bracketed choice of "always
 * [madvise] never", or the whole text of a number.
 */
static void current_choice(const char *text, char *out, size_t len)
{
	const char *open = strchr(text, '['), *close;

	if (open && (close = strchr(open, ']')) != NULL) {
		size_t n = (size_t)(close - open - 1);

		copy_str(out, n + 1 < len ? n + 1 : len, open + 1);
		return;
	}
	copy_str(out, len, text);
}

/* ---- restoring --------------------------------------------------------- */

void thp_host_restore_now(void)
{
	/* a fork of the holder (run's children) restores nothing of it */
	if (owner != getpid())
		return;
	/* in the reverse order of setting: the per-size files before
	 * enabled, the khugepaged sleep last written first back */
	for (int i = nsaved - 1; i >= 0; i--) {
		int fd = open(saved[i].path, O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			ssize_t w = write(fd, saved[i].value,
					  strlen(saved[i].value));

			(void)w;
			close(fd);
		}
	}
	nsaved = 0;
	unlink(THP_HOST_STATE);
}

/* A holder that died left its originals in the state file: put them back. */
static void restore_stale(void)
{
	FILE *f = fopen(THP_HOST_STATE, "re");
	char line[PATH_MAX_LEN + VALUE_MAX + 4];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		if (!tab)
			continue;
		*tab = '\0';
		tab[1 + strcspn(tab + 1, "\n")] = '\0';
		if (!strncmp(line, THP_HOST_SYSFS "/", strlen(THP_HOST_SYSFS) + 1))
			sysfs_write(line, tab + 1);
	}
	fclose(f);
	unlink(THP_HOST_STATE);
}

/*
 * Every original saved so far, to THP_HOST_STATE, whole or not at all: a
 * holder killed while writing it leaves the last complete one (written
 * beside it, then renamed over it).
 */
static int write_state(void)
{
	FILE *f = fopen(THP_HOST_STATE ".new", "we");

	if (!f)
		return -errno;
	for (int i = 0; i < nsaved; i++)
		fprintf(f, "%s\t%s\n", saved[i].path, saved[i].value);
	if (fclose(f) || rename(THP_HOST_STATE ".new", THP_HOST_STATE))
		return -errno;
	return 0;
}

static void at_exit(void)
{
	if (holders) {
		holders = 1;
		thp_host_release();
	}
}

/* ---- taking ------------------------------------------------------------ */

struct want {
	char path[PATH_MAX_LEN];
	const char *value;
	const char *also_ok;       /* another current value that will do */
};

/* the settings for ORDERS, in the order they are written (thp_host.h) */
static unsigned wanted(uint32_t orders, struct want *w)
{
	static const struct { const char *file, *value; } fixed[] = {
		{ "khugepaged/max_ptes_none", "0" },
		{ "khugepaged/max_ptes_shared", "0" },
		{ "khugepaged/max_ptes_swap", "0" },
		{ "khugepaged/scan_sleep_millisecs", "86400000" },
		{ "enabled", "madvise" },
		{ "defrag", "madvise" },
		{ "use_zero_page", "1" },
	};
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++, n++) {
		snprintf(w[n].path, sizeof(w[n].path), THP_HOST_SYSFS "/%s",
			 fixed[i].file);
		w[n].value = fixed[i].value;
		w[n].also_ok = NULL;
	}
	for (unsigned o = THP_MIN_ORDER; o <= THP_PMD_ORDER; o++, n++) {
		bool on = orders >> o & 1;

		snprintf(w[n].path, sizeof(w[n].path),
			 THP_HOST_SYSFS "/hugepages-%llukB/enabled", 4ULL << o);
		w[n].value = on ? "madvise" : "never";
		w[n].also_ok = on ? "inherit" : NULL;
	}
	return n;
}

static uint64_t vmstat(const char *name)
{
	char buf[8192], *at;
	size_t len = strlen(name);
	int fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (at = buf; (at = strstr(at, name)) != NULL; at += len)
		if ((at == buf || at[-1] == '\n') && at[len] == ' ')
			return strtoull(at + len + 1, NULL, 10);
	return 0;
}

static uint64_t sysfs_number(const char *path)
{
	char buf[32];

	return sysfs_read(path, buf, sizeof(buf)) ? 0 :
	       strtoull(buf, NULL, 10);
}

/* every fallback counter of the held orders, summed */
static uint64_t fallbacks(void)
{
	uint64_t n = vmstat("thp_fault_fallback") +
		     vmstat("thp_collapse_alloc_failed");
	char path[PATH_MAX_LEN];

	for (unsigned o = THP_MIN_ORDER; o <= THP_PMD_ORDER; o++) {
		if (!(held_orders >> o & 1) || o == THP_PMD_ORDER)
			continue;   /* 2M: thp_fault_fallback counts it */
		snprintf(path, sizeof(path), THP_HOST_SYSFS
			 "/hugepages-%llukB/stats/anon_fault_fallback",
			 4ULL << o);
		n += sysfs_number(path);
	}
	return n;
}

static uint64_t collapsed(void)
{
	return sysfs_number(THP_HOST_SYSFS "/khugepaged/pages_collapsed");
}

const char *thp_host_disturbed(void)
{
	if (!holders)
		return NULL;
	if (inject_fallback)
		return "the host fell back from a large folio (injected: "
		       "RMAP_THP_INJECT_FALLBACK)";
	if (fallbacks() != base_fallback)
		return "the host fell back from a large folio (fragmentation "
		       "or a charge: thp_fault_fallback or anon_fault_fallback "
		       "rose)";
	if (collapsed() != base_collapsed)
		return "khugepaged collapsed pages meanwhile "
		       "(khugepaged/pages_collapsed rose)";
	return NULL;
}

/* Check and set every wanted setting; the originals go to saved[]. */
static int set_all(uint32_t orders, char *why, size_t whylen)
{
	struct want w[SAVED_MAX];
	unsigned n = wanted(orders, w);
	char text[256], cur[VALUE_MAX];
	int err;

	for (unsigned i = 0; i < n; i++) {
		err = sysfs_read(w[i].path, text, sizeof(text));
		if (err) {
			snprintf(why, whylen, "cannot read %s: %s", w[i].path,
				 strerror(-err));
			return err;
		}
		current_choice(text, cur, sizeof(cur));
		if (!strcmp(cur, w[i].value) ||
		    (w[i].also_ok && !strcmp(cur, w[i].also_ok)))
			continue;
		copy_str(saved[nsaved].path, PATH_MAX_LEN, w[i].path);
		copy_str(saved[nsaved].value, VALUE_MAX, cur);
		nsaved++;
		/* the originals are on disk before the first change */
		err = write_state();
		if (!err)
			err = sysfs_write(w[i].path, w[i].value);
		if (err) {
			snprintf(why, whylen, "cannot set %s to %s: %s",
				 w[i].path, w[i].value, strerror(-err));
			return err;
		}
	}
	return 0;
}

int thp_host_acquire(uint32_t orders, char *why, size_t whylen)
{
	int err;

	if (!orders)
		orders = THP_ORDERS_DEFAULT;
	if (holders && owner != getpid()) {
		/* inherited from the process that forked us: its lock and
		 * its settings, not ours (close without LOCK_UN, which
		 * would unlock it for the parent too) */
		close(lock_fd);
		lock_fd = -1;
		holders = 0;
		nsaved = 0;
	}
	if (holders) {
		if (orders != held_orders) {
			snprintf(why, whylen, "another kernel world of this "
				 "process holds other THP sizes");
			return -EBUSY;
		}
		holders++;
		base_fallback = fallbacks();
		base_collapsed = collapsed();
		return 0;
	}
	lock_fd = open(THP_HOST_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX) < 0) {
		err = -errno;
		snprintf(why, whylen, "cannot lock %s: %s", THP_HOST_LOCK,
			 strerror(errno));
		if (lock_fd >= 0)
			close(lock_fd);
		lock_fd = -1;
		return err;
	}
	restore_stale();
	if (!inject_fallback && getenv("RMAP_THP_INJECT_FALLBACK") &&
	    !strcmp(getenv("RMAP_THP_INJECT_FALLBACK"), "1")) {
		inject_fallback = true;
		fputs("thp_host: injected: every large folio reads as a "
		      "fallback to small pages (RMAP_THP_INJECT_FALLBACK)\n",
		      stderr);
	}
	owner = getpid();
	held_orders = orders;
	holders = 1;
	if (!atexit_done)
		atexit_done = !atexit(at_exit);
	err = set_all(orders, why, whylen);
	if (err) {
		thp_host_release();
		return err;
	}
	base_fallback = fallbacks();
	base_collapsed = collapsed();
	return 0;
}

bool thp_host_inject_fallback(void)
{
	return inject_fallback && holders;
}

void thp_host_release(void)
{
	if (!holders || owner != getpid() || --holders)
		return;
	thp_host_restore_now();
	held_orders = 0;
	if (lock_fd >= 0) {
		flock(lock_fd, LOCK_UN);
		close(lock_fd);
		lock_fd = -1;
	}
}
