/*
 * bench_core.c - throughput of the simulated machine: N random ops (default
 * 100000) from a fixed seed, applied to one world, with or without the
 * oracle's invariant check after each op.  Prints ops/s and peak RSS.
 *
 * The op mix is that of shared/tools/gen_random.py: mappings that collide in
 * a small window, forks and exits bounded to 16 live processes, faults,
 * mremap moves, truncates, and the rmap consumers (age, pageout, migrate).
 *
 *   bench_core [--ops N] [--seed S] [--backend NAME] [--check]
 *              [--lockstep | --lockstep-fast]
 *
 * --check runs the invariants after each op on the one world; --lockstep
 * runs obj and ptechain side by side with every check of oracle/lockstep.h
 * (what `./rmapfuzz run` does), and stops at the first divergence;
 * --lockstep-fast uses the fuzz target's per-op checks instead (and no
 * final full check: the stream never ends).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/world.h"
#include "oracle/invariants.h"
#include "oracle/lockstep.h"
#include "oracle/scan.h"

#define MAX_PROCS 16
#define NFILES 3
#define WINDOW 0x10000000ULL
#define SPAN   0x100000ULL   /* 256 pages: mappings collide */

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? rng_state % n : 0;
}

static uint64_t rnd_addr(void) { return WINDOW + (rnd(SPAN >> 12) << 12); }
static uint64_t rnd_len(void) { return (1 + rnd(16)) << 12; }

/* a random live process, or -1 */
static int rnd_proc(struct world *w)
{
	unsigned n = world_nprocs(w), alive = 0, pick;

	for (unsigned i = 0; i < n && i < MAX_PROCS; i++)
		alive += world_proc_alive(w, i);
	if (!alive)
		return -1;
	pick = (unsigned)rnd(alive);
	for (unsigned i = 0; i < n && i < MAX_PROCS; i++)
		if (world_proc_alive(w, i) && pick-- == 0)
			return (int)i;
	return -1;
}

static void make_op(struct world *w, struct op *op)
{
	int p = rnd_proc(w);
	unsigned r = (unsigned)rnd(100);

	memset(op, 0, sizeof(*op));
	op->proc = (uint16_t)(p < 0 ? 0 : p);
	op->addr = rnd_addr();
	op->len = rnd_len();
	if (r < 12) {
		op->kind = OP_MMAP;
		op->prot = rnd(8) ? PROT_RW : (rnd(2) ? PROT_R : PROT_NONE_);
		op->flags = (rnd(3) ? OPF_ANON : 0) | (rnd(4) ? 0 : OPF_SHARED);
		op->file = (uint16_t)rnd(NFILES);
		op->off = rnd(8) << 12;
	} else if (r < 16) {
		op->kind = OP_MUNMAP;
	} else if (r < 20) {
		op->kind = OP_MPROTECT;
		op->prot = rnd(2) ? PROT_RW : PROT_R;
	} else if (r < 26) {
		op->kind = OP_MREMAP;
		op->newlen = rnd(2) ? op->len : rnd_len();
		op->flags = rnd(2) ? OPF_FIXED : OPF_MAYMOVE;
		op->addr2 = rnd_addr();
	} else if (r < 28) {
		op->kind = OP_MADVISE;
	} else if (r < 32) {
		unsigned n = world_nprocs(w), c = MAX_PROCS;

		for (unsigned i = 1; i < MAX_PROCS; i++)
			if (i >= n || !world_proc_alive(w, i)) {
				c = i;
				break;
			}
		op->kind = c < MAX_PROCS ? OP_FORK : OP_EXIT;
		op->proc2 = (uint16_t)c;
		if (op->kind == OP_EXIT && op->proc == 0)
			op->kind = OP_READ;
	} else if (r < 34) {
		op->kind = op->proc ? OP_EXIT : OP_READ;
	} else if (r < 60) {
		op->kind = OP_WRITE;
	} else if (r < 84) {
		op->kind = OP_READ;
	} else if (r < 88) {
		op->kind = OP_FILE;
		op->file = (uint16_t)rnd(NFILES);
		op->len = rnd(64) << 12;
	} else if (r < 92) {
		op->kind = OP_AGE;
	} else if (r < 96) {
		op->kind = OP_PAGEOUT;
	} else {
		op->kind = OP_MIGRATE;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	uint64_t nops = 100000, seed = 1;
	bool check = false, lock = false, fast = false;
	const char *backend = "scan";
	struct lockstep ls;
	struct scan sc = { 0 };
	struct world *w;
	struct rusage ru;
	double t0, t;
	char msg[256];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			nops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--check"))
			check = true;
		else if (!strcmp(argv[i], "--lockstep"))
			lock = true;
		else if (!strcmp(argv[i], "--lockstep-fast"))
			lock = fast = true;
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			backend = argv[++i];
		else {
			fprintf(stderr, "usage: bench_core [--ops N] [--seed S] "
				"[--backend obj|ptechain|scan] [--check] [--lockstep | --lockstep-fast]\n");
			return 2;
		}
	}
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (lock) {
		const struct rmap_ops *b[2] = { rmap_backend("obj"), rmap_backend("ptechain") };

		if (lockstep_init(&ls, b, 2, NULL))
			return 1;
		w = ls.w[0];
		ls.fast = fast;
		backend = fast ? "obj+ptechain lockstep, fast checks" : "obj+ptechain lockstep";
	} else {
		struct world_config cfg = { .rmap = rmap_backend(backend) };

		if (!cfg.rmap) {
			fprintf(stderr, "bench_core: unknown backend %s\n", backend);
			return 2;
		}
		w = world_new(&cfg);
	}
	for (uint16_t f = 0; f < NFILES; f++) {
		struct op op = { .kind = OP_FILE, .file = f, .len = 32 << 12 };

		if (lock)
			lockstep_apply(&ls, &op, 0);
		else
			world_apply(w, &op);
	}
	t0 = now();
	for (uint64_t i = 0; i < nops; i++) {
		struct op op;

		make_op(w, &op);
		if (lock) {
			lockstep_apply(&ls, &op, (uint32_t)i);
			if (ls.diverged) {
				fprintf(stderr, "op %llu (%s): divergence [%s]: %s\n",
					(unsigned long long)i, op_kind_name(op.kind),
					ls.div.signature, ls.div.detail);
				return 1;
			}
			continue;
		}
		world_apply(w, &op);
		if (check && (scan_world(w, &sc) || invariants_check(w, &sc, msg, sizeof(msg)))) {
			fprintf(stderr, "op %llu: %s\n", (unsigned long long)i, msg);
			return 1;
		}
	}
	t = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("%s: %llu ops in %.3f s: %.0f ops/s%s, peak RSS %ld KiB\n",
	       backend, (unsigned long long)nops, t, (double)nops / t,
	       check ? " (invariants checked after every op)" : "", ru.ru_maxrss);
	scan_free(&sc);
	if (lock)
		lockstep_fini(&ls);
	else
		world_free(w);
	return 0;
}
