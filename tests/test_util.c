/*
 * test_util.c - the runner, world bookkeeping and op builders of
 * test_util.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/vma.h"
#include "oracle/invariants.h"
#include "oracle/scan.h"
#include "tests/test_util.h"

#define TU_MAX_WORLDS 64

static struct world *tu_worlds[TU_MAX_WORLDS];
static unsigned tu_nworlds;

static const struct rmap_ops *tu_backend;   /* the one tu_world_new uses */

const char *tu_backend_name(void)
{
	return tu_backend ? tu_backend->name : "scan";
}

static void run_one(struct tu_state *st, const char *name, bool (*fn)(void))
{
	bool ok;

	tu_nworlds = 0;
	ok = fn();
	if (ok) {
		st->passed++;
		for (unsigned i = 0; i < tu_nworlds; i++)
			world_free(tu_worlds[i]);
	} else {
		st->failed++;
		if (tu_backend)
			fprintf(stderr, "Test %s [%s] FAILED\n", name, tu_backend_name());
		else
			fprintf(stderr, "Test %s FAILED\n", name);
		/* its worlds are left alone (see test_util.h) */
	}
	tu_nworlds = 0;
	fflush(stderr);
}

void tu_run(struct tu_state *st, const char *name, bool (*fn)(void))
{
	tu_backend = NULL;
	run_one(st, name, fn);
}

void tu_run_backends(struct tu_state *st, const char *name, bool (*fn)(void))
{
	const char *list = getenv("TU_BACKENDS");

	if (!list || !*list)
		list = "scan,obj,ptechain,anonvma2004";
	while (*list) {
		size_t n = strcspn(list, ",");
		char bk[32];

		snprintf(bk, sizeof(bk), "%.*s", (int)n, list);
		tu_backend = rmap_backend(bk);
		if (!tu_backend) {
			fprintf(stderr, "TU_BACKENDS: unknown backend '%s'\n", bk);
			abort();
		}
		run_one(st, name, fn);
		list += n + (list[n] == ',');
	}
	tu_backend = NULL;
}

int tu_report(const struct tu_state *st)
{
	printf("%u passed, %u failed\n", st->passed, st->failed);
	fflush(stdout);
	return st->failed ? 1 : 0;
}

struct world *tu_world_new(uint64_t max_frames)
{
	struct world_config cfg = { .max_frames = max_frames };

	return tu_world_new_cfg(&cfg);
}

struct world *tu_world_new_cfg(const struct world_config *c)
{
	struct world_config cfg = *c;
	struct world *w;

	cfg.rmap = tu_backend;
	w = world_new(&cfg);

	if (!w) {
		fprintf(stderr, "world_new failed\n");
		abort();
	}
	if (tu_nworlds == TU_MAX_WORLDS) {
		fprintf(stderr, "too many worlds in one test\n");
		abort();
	}
	tu_worlds[tu_nworlds++] = w;
	return w;
}

int tu_world_check(const struct world *w, char *msg, size_t len)
{
	struct scan s = { 0 };
	int err = scan_world(w, &s);

	if (err) {
		snprintf(msg, len, "scan_world: %d", err);
		scan_free(&s);
		return -1;
	}
	err = invariants_check(w, &s, msg, len);
	scan_free(&s);
	return err ? -1 : 0;
}

/* ---- op builders ------------------------------------------------------------ */

static struct op op_new(uint8_t kind, unsigned proc)
{
	struct op op;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.proc = (uint16_t)proc;
	return op;
}

struct op op_mmap_off(unsigned proc, uint64_t addr, uint64_t len, int prot,
		      int file, uint64_t off, bool shared)
{
	struct op op = op_new(OP_MMAP, proc);

	op.addr = addr;
	op.len = len;
	op.prot = (uint8_t)prot;
	op.off = off;
	if (file < 0)
		op.flags |= OPF_ANON;
	else
		op.file = (uint16_t)file;
	if (shared)
		op.flags |= OPF_SHARED;
	return op;
}

struct op op_mmap(unsigned proc, uint64_t addr, uint64_t len, int prot,
		  int file, bool shared)
{
	return op_mmap_off(proc, addr, len, prot, file, 0, shared);
}

struct op op_munmap(unsigned proc, uint64_t addr, uint64_t len)
{
	struct op op = op_new(OP_MUNMAP, proc);

	op.addr = addr;
	op.len = len;
	return op;
}

struct op op_mprotect(unsigned proc, uint64_t addr, uint64_t len, int prot)
{
	struct op op = op_new(OP_MPROTECT, proc);

	op.addr = addr;
	op.len = len;
	op.prot = (uint8_t)prot;
	return op;
}

struct op op_mremap(unsigned proc, uint64_t addr, uint64_t old_len,
		    uint64_t new_len, unsigned flags, uint64_t new_addr)
{
	struct op op = op_new(OP_MREMAP, proc);

	op.addr = addr;
	op.len = old_len;
	op.newlen = new_len;
	op.flags = (uint8_t)flags;
	op.addr2 = new_addr;
	return op;
}

struct op op_madvise(unsigned proc, uint64_t addr, uint64_t len)
{
	struct op op = op_new(OP_MADVISE, proc);

	op.addr = addr;
	op.len = len;
	return op;
}

struct op op_fork(unsigned parent, unsigned child)
{
	struct op op = op_new(OP_FORK, parent);

	op.proc2 = (uint16_t)child;
	return op;
}

struct op op_exit(unsigned proc)
{
	return op_new(OP_EXIT, proc);
}

static struct op op_at(uint8_t kind, unsigned proc, uint64_t addr)
{
	struct op op = op_new(kind, proc);

	op.addr = addr;
	return op;
}

struct op op_read(unsigned proc, uint64_t addr) { return op_at(OP_READ, proc, addr); }
struct op op_write(unsigned proc, uint64_t addr) { return op_at(OP_WRITE, proc, addr); }
struct op op_migrate(unsigned proc, uint64_t addr) { return op_at(OP_MIGRATE, proc, addr); }
struct op op_pageout(unsigned proc, uint64_t addr) { return op_at(OP_PAGEOUT, proc, addr); }
struct op op_age(unsigned proc, uint64_t addr) { return op_at(OP_AGE, proc, addr); }

struct op op_file(unsigned file, uint64_t size)
{
	struct op op = op_new(OP_FILE, 0);

	op.file = (uint16_t)file;
	op.len = size;
	return op;
}

int apply(struct world *w, struct op op)
{
	return world_apply(w, &op);
}

/* ---- inspection ----------------------------------------------------------- */

struct mm *tu_mm(const struct world *w, unsigned pid)
{
	return mm_get(w, pid);
}

uint64_t tu_pte(const struct world *w, unsigned pid, uint64_t addr)
{
	const struct mm *mm = mm_get(w, pid);
	const uint64_t *pte = mm ? pte_lookup(w, mm, addr & PAGE_MASK) : NULL;

	return pte ? *pte : 0;
}

uint64_t tu_pfn(const struct world *w, unsigned pid, uint64_t addr)
{
	uint64_t pfn;

	return world_frame_at(w, pid, addr, &pfn) ? pfn : 0;
}

struct vma *tu_vma(const struct world *w, unsigned pid, uint64_t addr)
{
	const struct mm *mm = mm_get(w, pid);

	return mm ? vma_lookup(mm, addr) : NULL;
}

uint32_t tu_nvmas(const struct world *w, unsigned pid)
{
	const struct mm *mm = mm_get(w, pid);

	return mm ? mm->nvmas : 0;
}

unsigned tu_count_anon_vmas(const struct world *w)
{
	unsigned n = 0;

	for (const struct anon_vma *av = w->anon_vmas; av; av = av->next_all)
		n++;
	return n;
}
