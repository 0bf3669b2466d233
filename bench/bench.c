/*
 * bench.c - the shared part of the trade-off benchmark (bench.h): worlds,
 * op builders, timed walks, forked measurements, number formatting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "core/rmap.h"
#include "core/world_memory.h"

const char *const bench_backends[] = { "obj", "anonvma2004", "ptechain", "scan" };
const unsigned bench_nbackends = sizeof(bench_backends) / sizeof(bench_backends[0]);

struct world *bench_world(const char *backend)
{
	struct world_config cfg = { .max_frames = 1ULL << 40,
				    .rmap = rmap_backend(backend) };
	struct world *w = cfg.rmap ? world_new(&cfg) : NULL;

	if (!w) {
		fprintf(stderr, "bench: cannot create a %s world\n", backend);
		exit(1);
	}
	return w;
}

void bench_apply(struct world *w, const struct op *op, int expect,
		 const char *what)
{
	int res = world_apply(w, op);

	if (res != expect) {
		fprintf(stderr, "bench: %s: %s p%u 0x%llx returned %d (wanted %d)\n",
			what, op_kind_name(op->kind), op->proc,
			(unsigned long long)op->addr, res, expect);
		exit(1);
	}
}

double bench_exit_tasks(struct world *w, unsigned tasks)
{
	double t0 = bench_now();

	for (unsigned t = 1; t <= tasks; t++) {
		struct op op = bop_exit(t);

		bench_apply(w, &op, RES_OK, "exit");
	}
	return bench_now() - t0;
}

static struct op bop(enum op_kind kind, unsigned proc, uint64_t addr)
{
	struct op op;

	memset(&op, 0, sizeof(op));
	op.kind = (uint8_t)kind;
	op.proc = (uint16_t)proc;
	op.addr = addr;
	return op;
}

struct op bop_mmap(unsigned proc, uint64_t addr, uint64_t len, bool shared,
		   int file)
{
	struct op op = bop(OP_MMAP, proc, addr);

	op.len = len;
	op.prot = PROT_RW;
	op.flags = (uint8_t)((shared ? OPF_SHARED : 0) | (file < 0 ? OPF_ANON : 0));
	op.file = (uint16_t)(file < 0 ? 0 : file);
	return op;
}

struct op bop_touch(unsigned proc, uint64_t addr, bool write)
{
	return bop(write ? OP_WRITE : OP_READ, proc, addr);
}

struct op bop_fork(unsigned parent, unsigned child)
{
	struct op op = bop(OP_FORK, parent, 0);

	op.proc2 = (uint16_t)child;
	return op;
}

struct op bop_exit(unsigned proc) { return bop(OP_EXIT, proc, 0); }
struct op bop_pageout(unsigned proc, uint64_t addr) { return bop(OP_PAGEOUT, proc, addr); }

struct op bop_file(unsigned file, uint64_t size)
{
	struct op op = bop(OP_FILE, 0, 0);

	op.file = (uint16_t)file;
	op.len = size;
	return op;
}

uint64_t bench_frame(const struct world *w, unsigned pid, uint64_t addr)
{
	uint64_t pfn;

	if (!world_frame_at(w, pid, addr, &pfn)) {
		fprintf(stderr, "bench: nothing mapped at p%u:0x%llx\n", pid,
			(unsigned long long)addr);
		exit(1);
	}
	return pfn;
}

#define LIST_HEAD_BYTES 16   /* 2.6.7's vma->anon_vma_node */

double bench_rmap_bytes(const char *backend, const struct world_memory *m)
{
	double anon_vma_size = m->anon_vmas ?
		(double)m->anon_vma_bytes / (double)m->anon_vmas : 0;

	if (!strcmp(backend, "ptechain"))
		return (double)m->chain_bytes;
	if (!strcmp(backend, "obj"))
		return (double)(m->anon_vma_bytes + m->avc_bytes + m->i_mmap_node_bytes);
	if (!strcmp(backend, "anonvma2004"))
		return (double)m->root_anon_vmas * anon_vma_size +
		       (double)(m->anon_vma_vmas * LIST_HEAD_BYTES + m->i_mmap_node_bytes);
	return 0;
}

#define BYTES_TAG " (formula)"
#define MM_TAG " (AVC model)"

const char *bench_bytes_tag(const char *backend)
{
	return strcmp(backend, "anonvma2004") ? "" : BYTES_TAG;
}

const char *bench_mm_tag(const char *backend)
{
	return strcmp(backend, "anonvma2004") ? "" : MM_TAG;
}

void bench_provenance(FILE *f, bool bytes, bool mm)
{
	if (bytes)
		fprintf(f, "%s: computed, not measured: what 2.6.7 kept for this "
			"world (one anon_vma per fork tree, a %d-byte list link per "
			"anonymous VMA, the i_mmap nodes; bench_rmap_bytes), no 2004 "
			"structure being allocated.  ", BYTES_TAG + 1,
			LIST_HEAD_BYTES);
	if (mm)
		fprintf(f, "%s: measured on the model the 2004 walk runs on, "
			"which keeps 2.6.34's anon_vma chains (anon_vma_fork, "
			"unlink_anon_vmas) in every world: the 2004 design's own "
			"set-up, fork and exit costs were not measured, only its "
			"walks.  ", MM_TAG + 1);
	if (bytes || mm)
		fprintf(f, "Every other cell was measured in this run.\n\n");
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* one walk; the hits are counted and dropped */
static int walk_once(struct world *w, uint64_t pfn)
{
	struct rmap_hit *hits = NULL;
	int n = world_rmap_walk(w, pfn, &hits);

	free(hits);
	if (n < 0) {
		fprintf(stderr, "bench: walk of frame %llu failed: %d\n",
			(unsigned long long)pfn, n);
		exit(1);
	}
	return n;
}

void bench_time_walks(struct world *w, const uint64_t *pfns, size_t n,
		      const struct bench_opts *o, struct walk_result *r)
{
	struct walk_stats before, after;
	double start = bench_now(), elapsed = 0;
	uint64_t hits = 0, done = 0;

	uint64_t batch = 1;

	/* the clock is read once a batch: a walk can take less than a read */
	world_walk_stats(w, &before);
	while (n) {
		for (uint64_t k = 0; k < batch; k++, done++)
			hits += (uint64_t)walk_once(w, pfns[done % n]);
		elapsed = bench_now() - start;
		if ((done >= n && elapsed >= o->walk_budget) || elapsed >= o->walk_cap)
			break;
		if (elapsed < o->walk_budget / 16)
			batch *= 2;
	}
	world_walk_stats(w, &after);
	memset(r, 0, sizeof(*r));
	r->walks = done;
	r->seconds = elapsed;
	if (!done)
		return;
	r->vmas_per_walk = (double)(after.vmas_visited - before.vmas_visited) / (double)done;
	r->ptes_per_walk = (double)(after.ptes_checked - before.ptes_checked) / (double)done;
	r->hits_per_walk = (double)hits / (double)done;
}

/* read exactly len bytes, or fail */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t got = read(fd, p, len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		len -= (size_t)got;
	}
	return 0;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t put = write(fd, p, len);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			_exit(1);
		p += put;
		len -= (size_t)put;
	}
}

int bench_fork(bench_fn fn, const void *arg, void *result, size_t result_size,
	       struct bench_usage *u)
{
	int fds[2], status = 0, err;
	double start = bench_now();
	struct rusage ru;
	pid_t pid;

	fflush(NULL);
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		fn(arg, result);
		write_all(fds[1], result, result_size);
		fflush(NULL);
		exit(0);
	}
	close(fds[1]);
	err = read_all(fds[0], result, result_size);
	close(fds[0]);
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	u->wall_s = bench_now() - start;
	u->cpu_s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	u->peak_rss_kib = (uint64_t)ru.ru_maxrss;
	if (err || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

FILE *bench_open(const struct bench_opts *o, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", o->out_dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

const char *fmt_bytes(char *buf, size_t len, double bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned i = 0;

	while (bytes >= 1024 && i < 4) {
		bytes /= 1024;
		i++;
	}
	snprintf(buf, len, i && bytes < 10 ? "%.2f %s" : "%.0f %s", bytes, unit[i]);
	return buf;
}

const char *fmt_count(char *buf, size_t len, double n)
{
	if (n < 1e4)
		snprintf(buf, len, "%.0f", n);
	else if (n < 1e6)
		snprintf(buf, len, "%.1fK", n / 1e3);
	else
		snprintf(buf, len, "%.1fM", n / 1e6);
	return buf;
}

const char *fmt_secs(char *buf, size_t len, double s)
{
	if (s < 1e-6)
		snprintf(buf, len, "%.0f ns", s * 1e9);
	else if (s < 1e-3)
		snprintf(buf, len, "%.1f us", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.2f s", s);
	return buf;
}

const char *fmt_wall(char *buf, size_t len, const struct bench_usage *u)
{
	char wall[32], cpu[32];

	snprintf(buf, len, "%s (CPU %s)", fmt_secs(wall, sizeof(wall), u->wall_s),
		 fmt_secs(cpu, sizeof(cpu), u->cpu_s));
	return buf;
}
