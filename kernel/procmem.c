/*
 * procmem.c - reading page sharing back from /proc (procmem.h).
 *
 * Every VMA counts, whatever created it: the ranges come from
 * /proc/PID/maps, not from the trace's ops, so pages a mapping gained by
 * growing in place, or an mremap whose arguments were unaligned or huge,
 * are read like any other.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel/procmem.h"

#define PAGE 4096ULL
#define PM_PFN_MASK    ((1ULL << 55) - 1)
#define PM_EXCLUSIVE   (1ULL << 56)
#define PM_FILE        (1ULL << 61)
#define PM_SWAP        (1ULL << 62)
#define PM_PRESENT     (1ULL << 63)
#define KPF_ZERO_PAGE  24
#define KPF_KSM        21
/* include/uapi/linux/kernel-page-flags.h */
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_THP        22
#define KPF_LARGE ((1ULL << KPF_COMPOUND_HEAD) | (1ULL << KPF_COMPOUND_TAIL) | \
		   (1ULL << KPF_THP))
/* the largest folio the window can hold: a PMD's (anonymous, and memfd's
 * shmem, whose large folios the host has off: shmem_enabled never) */
#define FOLIO_MAX_PAGES 512

/*
 * The PAGEMAP_SCAN ioctl of /proc/PID/pagemap (6.7,
 * include/uapi/linux/fs.h): this host's headers predate it, so its ABI is
 * spelled out.  PAGE_IS_HUGE marks a range mapped by a PMD leaf
 * (pagemap_thp_category); a PTE-mapped THP is not huge there.
 */
struct pm_page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
#define PM_PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PM_PAGE_IS_HUGE (1 << 6)

/* All of a /proc text file, NUL-terminated, malloc'd; NULL with errno. */
static char *read_proc_text(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 16384, n = 0;
	char *buf = NULL, *p;
	ssize_t r;

	if (fd < 0)
		return NULL;
	for (;;) {
		if (!buf || n + 1 >= cap) {
			cap = buf ? 2 * cap : cap;
			p = realloc(buf, cap);
			if (!p) {
				errno = ENOMEM;
				break;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0) {
				buf[n] = '\0';
				close(fd);
				return buf;
			}
			break;
		}
		n += (size_t)r;
	}
	r = errno;
	close(fd);
	free(buf);
	errno = (int)r;
	return NULL;
}

struct vma_range {
	uint64_t start, end;
};

/*
 * The VMAs of PID clipped to [lo, hi), into *out (malloc'd, count in *n).
 * 0 or -errno (-ESRCH when the process is gone).
 */
static int maps_in(pid_t pid, uint64_t lo, uint64_t hi,
		   struct vma_range **out, uint32_t *n)
{
	char path[64], *text, *line;
	uint32_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	text = read_proc_text(path);
	*out = NULL;
	*n = 0;
	if (!text)
		return errno == ENOENT ? -ESRCH : -errno;
	for (line = text; *line; ) {
		char *nl = strchr(line, '\n');
		unsigned long long a, b;

		if (sscanf(line, "%llx-%llx", &a, &b) == 2 && a < hi && b > lo) {
			if (*n == cap) {
				void *p;

				cap = cap ? 2 * cap : 64;
				p = realloc(*out, cap * sizeof(**out));
				if (!p) {
					free(text);
					free(*out);
					*out = NULL;
					return -ENOMEM;
				}
				*out = p;
			}
			(*out)[(*n)++] = (struct vma_range){ a < lo ? lo : a,
							     b > hi ? hi : b };
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	free(text);
	return 0;
}

int proc_vmas_add(struct proc_vmas *l, uint32_t proc, uint64_t start,
		  uint64_t end)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? 2 * l->cap : 64;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = (struct proc_vma){ proc, start, end };
	return 0;
}

void proc_vmas_free(struct proc_vmas *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static uint64_t page_flags(int kpageflags, uint64_t pfn, int *err)
{
	uint64_t flags;

	if (pread(kpageflags, &flags, sizeof(flags), (off_t)(pfn * 8)) !=
	    sizeof(flags)) {
		*err = -EIO;
		return 0;
	}
	return flags;
}

/* the folio of the page last looked up (consecutive pages share one) */
struct folio_seen {
	uint64_t head;
	uint32_t nr;          /* 0: none yet */
};

/*
 * The folio of PFN, a page of a large folio (FLAGS, its kpageflags, say
 * compound or THP): its head pfn and its pages, from the compound
 * head / tail flags of the pages around it, read in one pread each way.
 * 0, or -EAGAIN when they do not make a folio (split meanwhile: read the
 * snapshot again), -EIO.
 */
static int folio_of(int kpageflags, uint64_t pfn, uint64_t flags,
		    struct folio_seen *seen, uint64_t *head, uint32_t *nr)
{
	uint64_t buf[FOLIO_MAX_PAGES], from, h = pfn;
	uint32_t n = 1;
	ssize_t got;

	if (seen->nr && pfn >= seen->head && pfn - seen->head < seen->nr) {
		*head = seen->head;
		*nr = seen->nr;
		return 0;
	}
	if (flags >> KPF_COMPOUND_TAIL & 1) {
		from = pfn >= FOLIO_MAX_PAGES - 1 ? pfn - (FOLIO_MAX_PAGES - 1) : 0;
		got = pread(kpageflags, buf, (pfn - from + 1) * 8,
			    (off_t)(from * 8));
		if (got != (ssize_t)((pfn - from + 1) * 8))
			return -EIO;
		for (h = pfn; h > from && !(buf[h - from] >> KPF_COMPOUND_HEAD & 1); )
			h--;
		if (!(buf[h - from] >> KPF_COMPOUND_HEAD & 1))
			return -EAGAIN;
	}
	if (flags >> KPF_COMPOUND_HEAD & 1 || h != pfn) {
		got = pread(kpageflags, buf, sizeof(buf), (off_t)(h * 8));
		if (got < 8)
			return -EIO;
		while (n < (uint64_t)got / 8 && buf[n] >> KPF_COMPOUND_TAIL & 1 &&
		       !(buf[n] >> KPF_COMPOUND_HEAD & 1))
			n++;
		if (pfn - h >= n)
			return -EAGAIN;
	}
	*seen = (struct folio_seen){ h, n };
	*head = h;
	*nr = n;
	return 0;
}

/*
 * Mark the entries OUT->e[FIRST..) (one VMA's pages, by address) that a
 * PMD leaf maps: PAGEMAP_SCAN's PAGE_IS_HUGE ranges of [start, end).
 */
static int mark_pmd(int pagemap, uint64_t start, uint64_t end,
		    struct sharing *out, uint32_t first)
{
	struct pm_page_region r[64];
	uint32_t i = first;

	while (start < end) {
		struct pm_scan_arg a = {
			.size = sizeof(a), .start = start, .end = end,
			.vec = (uint64_t)(uintptr_t)r, .vec_len = 64,
			.category_mask = PM_PAGE_IS_HUGE,
			.return_mask = PM_PAGE_IS_HUGE,
		};
		long n = ioctl(pagemap, PM_PAGEMAP_SCAN, &a);

		if (n < 0)
			return -errno;
		for (long j = 0; j < n; j++)
			for (; i < out->n && out->e[i].addr < r[j].end; i++)
				if (out->e[i].addr >= r[j].start)
					out->e[i].flags |= SHARING_PMD;
		if (a.walk_end <= start)
			break;
		start = a.walk_end;
	}
	return 0;
}

/*
 * The present pages of [start, end) from an open pagemap.  With FOLIOS,
 * every page's folio (kpageflags) and PMD mapping (PAGEMAP_SCAN);
 * without, only the pages kpageflags is read for anyway (shared ones:
 * the zero page test) get their folio.
 */
static int read_range(int pagemap, int kpageflags, bool folios, bool ksm,
		      uint32_t proc, uint64_t start, uint64_t end,
		      struct sharing *out)
{
	uint64_t buf[512];
	struct folio_seen seen = { 0, 0 };
	uint32_t first = out->n;
	bool large = false;
	int err = 0;

	for (uint64_t a = start; a < end && !err; ) {
		uint64_t npages = (end - a) / PAGE;
		ssize_t got;

		if (npages > 512)
			npages = 512;
		got = pread(pagemap, buf, npages * 8, (off_t)(a / PAGE * 8));
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		npages = (uint64_t)got / 8;
		for (uint64_t i = 0; i < npages && !err; i++, a += PAGE) {
			uint64_t e = buf[i], pfn = e & PM_PFN_MASK, kpf = 0;
			uint64_t head;
			uint32_t flags = 0, nr = 1;

			if (!(e & PM_PRESENT)) {
				if (e & PM_SWAP)
					err = -EAGAIN;   /* migration entry */
				continue;
			}
			if (e & PM_EXCLUSIVE)
				flags |= SHARING_EXCLUSIVE;
			if (e & PM_FILE)
				flags |= SHARING_FILE;
			/* an exclusive page is no zero page: pagemap_pte_to_pme
			 * sets PM_MMAP_EXCLUSIVE only for a page that
			 * vm_normal_page() finds (not the zero page) mapped
			 * once; so one pread of kpageflags per shared page,
			 * and per page of a trace that asked for THP */
			head = pfn;
			if (seen.nr && pfn >= seen.head &&
			    pfn - seen.head < seen.nr) {
				/* a page of the folio just read: no pread
				 * (a folio's pages are never the zero page) */
				head = seen.head;
				nr = seen.nr;
				kpf = 0;
			} else if (kpageflags >= 0 &&
				   (folios || ksm || !(e & PM_EXCLUSIVE))) {
				kpf = page_flags(kpageflags, pfn, &err);
			}
			if (kpf >> KPF_KSM & 1)
				flags |= SHARING_KSM;
			if (kpf >> KPF_ZERO_PAGE & 1)
				head = pfn = SHARING_ZERO;   /* huge zero too */
			else if (kpf & KPF_LARGE && !err)
				err = folio_of(kpageflags, pfn, kpf, &seen,
					       &head, &nr);
			large |= nr > 1;
			if (!err)
				err = sharing_add_folio(out, proc, a, pfn, flags,
							head, nr);
		}
	}
	/* a PMD leaf maps a large folio only: no need to ask without one */
	if (!err && folios && large)
		err = mark_pmd(pagemap, start, end, out, first);
	return err;
}

int procmem_read(pid_t pid, uint32_t proc, uint64_t lo, uint64_t hi,
		 int kpageflags, bool folios, bool ksm, struct sharing *out,
		 struct proc_vmas *vmas)
{
	struct vma_range *v;
	uint32_t n;
	char path[64];
	int fd, err = maps_in(pid, lo, hi, &v, &n);

	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err = errno == ENOENT ? -ESRCH : -errno;
	for (uint32_t i = 0; !err && i < n; i++) {
		err = read_range(fd, kpageflags, folios, ksm, proc,
				 v[i].start, v[i].end, out);
		if (!err && vmas)
			err = proc_vmas_add(vmas, proc, v[i].start, v[i].end);
	}
	if (fd >= 0)
		close(fd);
	free(v);
	return err;
}

int procmem_check_free(pid_t pid, uint64_t lo, uint64_t hi,
		       uint64_t *start, uint64_t *end)
{
	struct vma_range *v;
	uint32_t n;
	int err = maps_in(pid, lo, hi, &v, &n);

	if (!err && n) {
		*start = v[0].start;
		*end = v[0].end;
		err = -EBUSY;
	}
	free(v);
	return err;
}

/*
 * One page of our own, written, then looked up in our pagemap: its entry in
 * *E.  0, or -errno with WHY.
 */
static int probe_pagemap(uint64_t *e, char *why, size_t whylen)
{
	volatile uint8_t *page;
	int fd, err = 0;

	*e = 0;
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		snprintf(why, whylen, "mmap: %s", strerror(errno));
		return -errno;
	}
	*page = 1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 ||
	    pread(fd, e, 8, (off_t)((uintptr_t)page / PAGE * 8)) != 8) {
		snprintf(why, whylen, "cannot read /proc/self/pagemap: %s",
			 strerror(errno));
		err = -ENOSYS;
	} else if (!(*e & PM_PRESENT)) {
		snprintf(why, whylen, "no present bits in /proc/PID/pagemap");
		err = -ENOSYS;
	}
	if (fd >= 0)
		close(fd);
	munmap((void *)page, PAGE);
	return err;
}

/*
 * Does a read fault of private anonymous memory map the zero page here?
 * do_anonymous_page() does unless mm_forbids_zeropage() (s390 KVM guests;
 * PVM guests booted with pvm_no_zero_page=1).  The page read is the zero
 * page when /proc/kpageflags says KPF_ZERO_PAGE, or, without frame
 * numbers, when pagemap does not call it exclusive: pagemap_pte_to_pme()
 * sets PM_MMAP_EXCLUSIVE only for a normal page mapped once, and the zero
 * page is no normal page (vm_normal_page() is NULL for it).
 * 1 yes, 0 no, -1 when pagemap cannot tell; asked once per process.
 */
int procmem_host_zero_page(void)
{
	static int answer = -2;
	volatile uint8_t *page;
	uint64_t e = 0, flags;
	int fd, kpf;

	if (answer != -2)
		return answer;
	answer = -1;
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return answer;
	(void)*page;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 &&
	    pread(fd, &e, 8, (off_t)((uintptr_t)page / PAGE * 8)) == 8 &&
	    (e & PM_PRESENT)) {
		kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
		if (kpf >= 0 && (e & PM_PFN_MASK) &&
		    pread(kpf, &flags, 8, (off_t)((e & PM_PFN_MASK) * 8)) == 8)
			answer = flags >> KPF_ZERO_PAGE & 1;
		else
			answer = !(e & PM_EXCLUSIVE);
		if (kpf >= 0)
			close(kpf);
	}
	if (fd >= 0)
		close(fd);
	munmap((void *)page, PAGE);
	return answer;
}

int procmem_host_check_present(char *why, size_t whylen)
{
	uint64_t e;

	return probe_pagemap(&e, why, whylen);
}

int procmem_host_check(char *why, size_t whylen)
{
	uint64_t e;
	int kpf, err;

	kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (kpf < 0) {
		snprintf(why, whylen, "cannot read /proc/kpageflags (%s): the "
			 "kernel world needs root", strerror(errno));
		return errno == ENOENT ? -ENOSYS : -EPERM;
	}
	close(kpf);
	err = probe_pagemap(&e, why, whylen);
	if (!err && !(e & PM_PFN_MASK)) {
		snprintf(why, whylen, "no frame numbers in /proc/PID/pagemap "
			 "(they need CAP_SYS_ADMIN: run as root)");
		err = -EPERM;
	}
	return err;
}
