/*
 * kspeed_main.c - `kernel_speed [--floor] [--repeat N] INPUT...`: how fast
 * the kernel-differential engine runs its inputs, and where the time goes
 * (issue 18).  Measured, never asserted.
 *
 * INPUT: fuzz inputs (files, or directories of them, as corpus/seeds),
 * decoded as the kernel fuzz target decodes them (kfuzz_input.h).  Each
 * input runs as fuzz/kernel_diff_fuzz.c runs it (kcompare_stream), REPEAT
 * times (default 1), and the tool prints
 *
 *	inputs N, execs E, ops O, wall S s: R execs/s
 *	phase              total ms   per exec us   calls
 *	start p0 ...       (kworld_profile: kworld.h)
 *	model+compare ...  the rest: the model, the comparison, decoding
 *
 * --floor: the physical work alone, for the same inputs: per input one
 * process forked from this one (p0), which makes each op's system call on
 * its own address space in stream order, forks and reaps one process per
 * fork op (the child exits at once), and reads /proc/self/maps and its
 * pagemap (one pread per VMA) where kcompare compares the sharing (every
 * KCOMPARE_SAMPLE ops and at the end) once per live trace process.  No
 * pipes, no model, no confirming read: what no runner can do without.
 *
 * Exit status 0; 1 when an input diverged or the runner failed (the
 * figures are then not the engine's); 2 usage, or not root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kcompare.h"
#include "kernel/kfuzz_input.h"
#include "kernel/kworld.h"
#include "trace/trace.h"

#define PAGE 4096ULL

struct input {
	uint8_t *data;
	size_t len;
};

struct inputs {
	struct input *v;
	size_t n, cap;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int add_file(struct inputs *in, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct input x = { NULL, 0 };
	size_t cap = 0;
	size_t r;

	if (!f)
		return -errno;
	do {
		if (x.len == cap) {
			cap = cap ? 2 * cap : 4096;
			x.data = realloc(x.data, cap);
			if (!x.data)
				exit(2);
		}
		r = fread(x.data + x.len, 1, cap - x.len, f);
		x.len += r;
	} while (r);
	fclose(f);
	if (in->n == in->cap) {
		in->cap = in->cap ? 2 * in->cap : 256;
		in->v = realloc(in->v, in->cap * sizeof(*in->v));
		if (!in->v)
			exit(2);
	}
	in->v[in->n++] = x;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a file, or every file of a directory in name order */
static int add_path(struct inputs *in, const char *path)
{
	struct stat st;
	struct dirent *d;
	char **names = NULL, full[4096];
	size_t n = 0;
	DIR *dir;

	if (stat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return add_file(in, path);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n++] = strdup(d->d_name)))
			exit(2);
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			add_file(in, full);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* ---- the engine's way ---------------------------------------------- */

/* one input as kernel_diff_fuzz runs it; false: diverged or failed */
static bool run_engine(const struct input *x, unsigned long *ops)
{
	struct kcompare_config cfg = { { 0 }, false };
	struct op_stream s;
	struct kcompare c;
	char why[256] = "";
	bool ok = true;
	int err;

	if (op_stream_init(&s))
		return false;
	if (kfuzz_decode(x->data, x->len, &s) || s.nops == 0)
		goto out;
	*ops += s.nops;
	err = kcompare_stream(&c, &s, &cfg, why, sizeof(why));
	if (err) {
		fprintf(stderr, "kernel_speed: kernel runner: %s\n", why);
		ok = false;
		if (c.model)
			kcompare_stop(&c);
		goto out;
	}
	if (c.diverged) {
		fprintf(stderr, "kernel_speed: an input diverged: %s\n",
			c.div.signature);
		ok = false;
	}
	kcompare_stop(&c);
out:
	op_stream_free(&s);
	return ok;
}

/* ---- the floor ------------------------------------------------------- */

static sigjmp_buf floor_jmp;
static volatile uint8_t floor_sink;

static void floor_fault(int sig)
{
	siglongjmp(floor_jmp, sig);
}

static void floor_touch(uint64_t addr, bool write)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;

	if (sigsetjmp(floor_jmp, 1))
		return;
	if (write)
		*p = 0x5a;
	else
		floor_sink = *p;
}

/* what a snapshot of one process reads: its maps, a pread per VMA */
static void floor_read_proc(void)
{
	static char text[1 << 16];
	uint64_t buf[512];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	text[n > 0 ? n : 0] = '\0';
	for (char *line = text; line && *line; ) {
		unsigned long long a, b;

		if (sscanf(line, "%llx-%llx", &a, &b) == 2 &&
		    a < KWORLD_WIN_HI && b > KWORLD_WIN_LO && pm >= 0) {
			uint64_t np = (b - a) / PAGE;

			if (pread(pm, buf, (np > 512 ? 512 : np) * 8,
				  (off_t)(a / PAGE * 8)) < 0)
				break;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (fd >= 0)
		close(fd);
	if (pm >= 0)
		close(pm);
}

/* the memfds of the input's files, made by p0 as the controller makes them */
static void floor_op(const struct op *op, int *files, uint32_t *live)
{
	int prot = (int)op->prot, flags;

	switch (op->kind) {
	case OP_FILE:
		if (op->file < 8 && files[op->file] < 0)
			files[op->file] = memfd_create("kspeed", MFD_CLOEXEC);
		if (op->file < 8 && files[op->file] >= 0 &&
		    ftruncate(files[op->file], (off_t)op->len))
			break;
		break;
	case OP_MMAP:
		flags = MAP_FIXED |
			(op->flags & OPF_SHARED ? MAP_SHARED : MAP_PRIVATE) |
			(op->flags & OPF_ANON ? MAP_ANONYMOUS : 0);
		mmap((void *)(uintptr_t)op->addr, op->len, prot, flags,
		     op->flags & OPF_ANON || op->file >= 8 ? -1 :
		     files[op->file], (off_t)op->off);
		break;
	case OP_MUNMAP:
		munmap((void *)(uintptr_t)op->addr, op->len);
		break;
	case OP_MPROTECT:
		mprotect((void *)(uintptr_t)op->addr, op->len, prot);
		break;
	case OP_MADVISE:
		madvise((void *)(uintptr_t)op->addr, op->len, MADV_DONTNEED);
		break;
	case OP_MREMAP:
		/* a move would leave the floor's own address space: in place */
		mremap((void *)(uintptr_t)op->addr, op->len, op->newlen, 0);
		break;
	case OP_READ:
	case OP_WRITE:
		if (op->addr >= KWORLD_WIN_LO && op->addr < KWORLD_WIN_HI)
			floor_touch(op->addr, op->kind == OP_WRITE);
		break;
	case OP_FORK: {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		(*live)++;
		break;
	}
	case OP_EXIT:
		if (*live)
			(*live)--;
		break;
	default:
		break;
	}
}

static _Noreturn void floor_p0(const struct op_stream *s)
{
	int files[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	uint32_t live = 1, since = 0;
	struct sigaction sa;

	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = floor_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (uint32_t i = 0; i < s->nops; i++) {
		floor_op(&s->ops[i], files, &live);
		if (++since >= KCOMPARE_SAMPLE) {
			since = 0;
			for (uint32_t p = 0; p < live; p++)
				floor_read_proc();
		}
	}
	for (uint32_t p = 0; p < live; p++)
		floor_read_proc();
	_exit(0);
}

static bool run_floor(const struct input *x, unsigned long *ops)
{
	struct op_stream s;
	pid_t pid;

	if (op_stream_init(&s))
		return false;
	if (!kfuzz_decode(x->data, x->len, &s) && s.nops) {
		*ops += s.nops;
		pid = fork();
		if (pid == 0)
			floor_p0(&s);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	op_stream_free(&s);
	return true;
}

/* ---- report -------------------------------------------------------- */

static void print_profile(double wall, unsigned long execs)
{
	const struct kworld_profile *p = kworld_profile();
	double rest = wall * 1e3;

	printf("%-18s %10s %13s %9s\n", "phase", "total ms", "per exec us",
	       "calls");
	for (int i = 0; i < KPHASE_COUNT; i++) {
		double ms = (double)p->ns[i] / 1e6;

		rest -= ms;
		printf("%-18s %10.1f %13.1f %9llu\n",
		       kworld_phase_name((enum kworld_phase)i), ms,
		       execs ? ms * 1e3 / (double)execs : 0.0,
		       (unsigned long long)p->count[i]);
	}
	printf("%-18s %10.1f %13.1f\n", "model+compare", rest,
	       execs ? rest * 1e3 / (double)execs : 0.0);
	printf("snapshots read again: %llu\n", (unsigned long long)p->retries);
}

static _Noreturn void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: kernel_speed [--floor] [--repeat N] INPUT...\n"
		"  the kernel engine's execs/s over INPUT (fuzz inputs, files or\n"
		"  directories) and where its time goes; --floor: the bare forks\n"
		"  and system calls of the same inputs (kernel/kspeed_main.c)\n");
	exit(status);
}

int main(int argc, char **argv)
{
	struct inputs in = { 0 };
	unsigned long repeat = 1, execs = 0, ops = 0;
	bool floor = false, ok = true;
	char why[256];
	double t0, wall;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--floor"))
			floor = true;
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			usage(0);
		else
			usage(2);
	}
	if (i == argc || repeat == 0)
		usage(2);
	for (; i < argc; i++) {
		if (add_path(&in, argv[i])) {
			fprintf(stderr, "kernel_speed: %s: %s\n", argv[i],
				strerror(errno));
			return 2;
		}
	}
	if (kworld_host_check(why, sizeof(why))) {
		fprintf(stderr, "kernel_speed: this host cannot run the kernel "
			"world: %s\n", why);
		return 2;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	kworld_host_zero_page();      /* asked once, not timed per input */
	kworld_profile_reset();
	t0 = now_s();
	for (unsigned long r = 0; r < repeat; r++) {
		for (size_t j = 0; j < in.n; j++) {
			ok &= floor ? run_floor(&in.v[j], &ops) :
				      run_engine(&in.v[j], &ops);
			execs++;
		}
	}
	wall = now_s() - t0;
	printf("%s: inputs %zu, execs %lu, ops %lu, wall %.2f s: %.1f execs/s\n",
	       floor ? "floor" : "engine", in.n, execs, ops, wall,
	       wall > 0 ? (double)execs / wall : 0.0);
	if (!floor)
		print_profile(wall, execs);
	for (size_t j = 0; j < in.n; j++)
		free(in.v[j].data);
	free(in.v);
	return ok ? 0 : 1;
}
