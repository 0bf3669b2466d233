/*
 * bench.h - what the trade-off benchmark's workloads share (bench.c): the
 * backends they run, worlds driven through the public API only (world.h,
 * op.h, world_memory.h), timed rmap walks, one measurement per forked child
 * (so each configuration's peak RSS is its own), and the Markdown and data
 * files every workload writes under the output directory.
 *
 * A workload is one file (arcangeli.c, vanriel.c, morton.c, forkexit.c,
 * scaling.c) with one entry point; bench_main.c picks them by name.
 */
#ifndef RMAP_BENCH_BENCH_H
#define RMAP_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/op.h"
#include "core/world.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define PAGE 4096ULL

/* where mappings go: far from each other, below the mremap area */
#define BENCH_BASE 0x100000000ULL

struct bench_opts {
	bool quick;             /* small sizes, for CI */
	const char *out_dir;    /* tables and data files go here */
	double walk_budget;     /* seconds of walks per timed sample set */
	double walk_cap;        /* ... at most, for the hopeless ones */
};

/* ---- backends ------------------------------------------------------------ */

/* every backend the benchmark runs, in table order */
extern const char *const bench_backends[];
extern const unsigned bench_nbackends;

/* ---- worlds -------------------------------------------------------------- */

/* A world of BACKEND with no practical frame limit; exits on failure. */
struct world *bench_world(const char *backend);
/*
 * Apply OP; any result but EXPECT exits the child with a message naming
 * WHAT (a benchmark whose setup failed measures nothing).
 */
void bench_apply(struct world *w, const struct op *op, int expect,
		 const char *what);

/*
 * Exit processes 1 .. TASKS in that order (fork order: the teardown of a
 * workload); the seconds it took.
 */
double bench_exit_tasks(struct world *w, unsigned tasks);

/* op builders (the fields world_apply reads) */
struct op bop_mmap(unsigned proc, uint64_t addr, uint64_t len, bool shared,
		   int file);          /* file < 0: anonymous */
struct op bop_touch(unsigned proc, uint64_t addr, bool write);
struct op bop_fork(unsigned parent, unsigned child);
struct op bop_exit(unsigned proc);
struct op bop_file(unsigned file, uint64_t size);
struct op bop_pageout(unsigned proc, uint64_t addr);

/* the frame at pid:addr (exits when nothing is mapped there) */
uint64_t bench_frame(const struct world *w, unsigned pid, uint64_t addr);

/*
 * What the rmap design itself keeps, from a census of the world
 * (world_memory.h): ptechain its chain blocks; obj its anon_vmas, AVCs and
 * i_mmap nodes; anonvma2004 what 2.6.7 kept, one anon_vma per fork tree, a
 * 16-byte list link per anonymous VMA (vma->anon_vma_node) and the i_mmap
 * nodes; scan nothing.
 */
struct world_memory;
double bench_rmap_bytes(const char *backend, const struct world_memory *m);

/*
 * What a cell measured.  Every figure is measured in the run except two of
 * anonvma2004's, which the tables tag and bench_provenance() explains under
 * each table: its rmap bytes are computed (bench_rmap_bytes: no 2004 data
 * structure is allocated), and its set-up, fork, exit and tear-down times
 * (and its world bookkeeping) are the model's, which keeps the anon_vma
 * chains of 2.6.34 in every world (core/rmap_anonvma2004.c): only its walks
 * are the 2004 design's own.  Each returns the tag to print after the cell
 * ("" when measured).
 */
const char *bench_bytes_tag(const char *backend);
const char *bench_mm_tag(const char *backend);
/* the legend of the tags under a table (nothing when it has none) */
void bench_provenance(FILE *f, bool bytes, bool mm);

/* ---- timing -------------------------------------------------------------- */

double bench_now(void);

struct walk_result {
	uint64_t walks;
	double seconds;           /* all the walks together */
	double vmas_per_walk;     /* candidate VMAs examined (world_walk_stats) */
	double ptes_per_walk;     /* page-table entries read */
	double hits_per_walk;     /* mappings found */
};

/*
 * Walk the frames PFNS[0..n) round and round (world_rmap_walk) until at
 * least one pass and the budget are done, or the cap is reached (one walk
 * at least).  Walk-cost counters are deltas over these walks only.
 */
void bench_time_walks(struct world *w, const uint64_t *pfns, size_t n,
		      const struct bench_opts *o, struct walk_result *r);

/* ---- one measurement per child -------------------------------------------- */

struct bench_usage {
	double wall_s;
	double cpu_s;             /* the child's user + system time: wall
	                           * well above it means a busy machine */
	uint64_t peak_rss_kib;    /* the child's ru_maxrss (the parent's few
	                           * MiB it inherits included) */
};

/*
 * Run fn(arg, result) in a forked child and copy its RESULT_SIZE bytes of
 * result back; 0, or -1 when the child failed (its stderr says why).
 */
typedef void (*bench_fn)(const void *arg, void *result);
int bench_fork(bench_fn fn, const void *arg, void *result, size_t result_size,
	       struct bench_usage *u);

/* ---- output ---------------------------------------------------------------- */

/* DIR/NAME opened for writing; exits on failure */
FILE *bench_open(const struct bench_opts *o, const char *name);
/* "123 B", "4.5 KiB", "0.53 GiB": into buf, returned */
const char *fmt_bytes(char *buf, size_t len, double bytes);
/* "950", "41.0K", "70.8M" */
const char *fmt_count(char *buf, size_t len, double n);
/* "812 ns", "3.1 us", "4.2 ms", "1.9 s" (wall clock everywhere) */
const char *fmt_secs(char *buf, size_t len, double s);
/* a configuration's wall time and, beside it, its CPU time */
const char *fmt_wall(char *buf, size_t len, const struct bench_usage *u);

/* one entry point per workload: 0, or -1 when a configuration failed */
int bench_arcangeli(const struct bench_opts *o);
int bench_vanriel(const struct bench_opts *o);
int bench_morton(const struct bench_opts *o);
int bench_forkexit(const struct bench_opts *o);
int bench_scaling(const struct bench_opts *o);
int bench_thp(const struct bench_opts *o);

#endif /* RMAP_BENCH_BENCH_H */
