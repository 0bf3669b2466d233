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

static bool is_zero_page(int kpageflags, uint64_t pfn, int *err)
{
	uint64_t flags;

	if (pread(kpageflags, &flags, sizeof(flags), (off_t)(pfn * 8)) !=
	    sizeof(flags)) {
		*err = -EIO;
		return false;
	}
	return flags >> KPF_ZERO_PAGE & 1;
}

/* The present pages of [start, end) from an open pagemap. */
static int read_range(int pagemap, int kpageflags, uint32_t proc,
		      uint64_t start, uint64_t end, struct sharing *out)
{
	uint64_t buf[512];
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
			uint64_t e = buf[i], pfn = e & PM_PFN_MASK;
			uint32_t flags = 0;

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
			 * once; so one pread of kpageflags per shared page */
			if (kpageflags >= 0 && !(e & PM_EXCLUSIVE) &&
			    is_zero_page(kpageflags, pfn, &err))
				pfn = SHARING_ZERO;
			if (!err)
				err = sharing_add(out, proc, a, pfn, flags);
		}
	}
	return err;
}

int procmem_read(pid_t pid, uint32_t proc, uint64_t lo, uint64_t hi,
		 int kpageflags, struct sharing *out, struct proc_vmas *vmas)
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
		err = read_range(fd, kpageflags, proc, v[i].start, v[i].end,
				 out);
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

int procmem_check_thp_disabled(pid_t pid)
{
	char path[64], *text, *at;
	int err = -EINVAL;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	text = read_proc_text(path);
	if (!text)
		return -errno;
	at = strstr(text, "\nTHP_enabled:");
	if (at && strtol(at + strlen("\nTHP_enabled:"), NULL, 10) == 0)
		err = 0;
	free(text);
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
