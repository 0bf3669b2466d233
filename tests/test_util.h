/*
 * test_util.h - a tiny unit-test framework in the style of Linux's
 * tools/testing/vma, plus helpers to drive a world without the trace parser.
 *
 * A test is `static bool test_<behaviour>(void)`: it returns true when it
 * passes; the ASSERT_* macros print file:line:function, the expression and
 * (for the comparisons) both values, then return false.  main() is
 *
 *	int main(void)
 *	{
 *		TEST_BEGIN();
 *		TEST(behaviour);          // runs test_behaviour()
 *		...
 *		TEST_END();               // prints "N passed, M failed", returns
 *	}                                 // nonzero when anything failed
 *
 * TEST_EACH_BACKEND(behaviour) instead runs it once per rmap backend (scan,
 * obj, ptechain, anonvma2004); "N passed, M failed" then counts test x
 * backend runs.
 *
 * Worlds made with tu_world_new() are freed by the runner after the test,
 * and only when it passed: a failed test may have left the world broken, and
 * tearing it down could trip one of core's BUG_ON()s and hide the report.
 */
#ifndef RMAP_TESTS_TEST_UTIL_H
#define RMAP_TESTS_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/mm_types.h"
#include "core/op.h"
#include "core/world.h"

#include "tests/assert.h"

/* ---- runner ---------------------------------------------------------------- */

struct tu_state {
	unsigned passed, failed;
};

/* Runs one test (its worlds get the default backend, scan); reports a failure. */
void tu_run(struct tu_state *st, const char *name, bool (*fn)(void));
/*
 * Runs one test once per rmap backend (TU_BACKENDS, default
 * "scan,obj,ptechain,anonvma2004": the worlds of tu_world_new() get that
 * backend) and reports each failing run as "Test NAME [BACKEND] FAILED".
 */
void tu_run_backends(struct tu_state *st, const char *name, bool (*fn)(void));
/* The backend the running test's worlds use. */
const char *tu_backend_name(void);
/* Prints "N passed, M failed"; the exit status for main(). */
int tu_report(const struct tu_state *st);

#define TEST_BEGIN() struct tu_state tu_state_ = { 0, 0 }
#define TEST(name) tu_run(&tu_state_, #name, test_##name)
/* the same, once per rmap backend */
#define TEST_EACH_BACKEND(name) tu_run_backends(&tu_state_, #name, test_##name)
#define TEST_END() return tu_report(&tu_state_)

/* ---- worlds ---------------------------------------------------------------- */

/* A world with the given frame limit (0: default), freed after the test. */
struct world *tu_world_new(uint64_t max_frames);
/* The same with CFG's settings (its backend is the running test's). */
struct world *tu_world_new_cfg(const struct world_config *cfg);

/* 0 when scan_world + invariants_check pass, else -1 with the reason in msg */
int tu_world_check(const struct world *w, char *msg, size_t len);

/* Fails the running test when an invariant of W is broken. */
#define check_world(w)							\
	do {								\
		char tu_msg_[256];					\
		if (tu_world_check((w), tu_msg_, sizeof(tu_msg_))) {	\
			tu_fail_at(__FILE__, __LINE__, __func__,	\
				   "invariant broken: %s", tu_msg_);	\
			return false;					\
		}							\
	} while (0)

/* ---- ops without the parser ------------------------------------------------ */

#define ANON (-1)           /* op_mmap's FILE for anonymous memory */
#define PRIVATE false
#define SHARED true

#ifndef RES_REFERENCED
#define RES_REFERENCED(n) (n)   /* what OP_AGE returns: the referenced count */
#endif

struct op op_mmap(unsigned proc, uint64_t addr, uint64_t len, int prot,
		  int file, bool shared);
struct op op_mmap_off(unsigned proc, uint64_t addr, uint64_t len, int prot,
		      int file, uint64_t off, bool shared);
struct op op_munmap(unsigned proc, uint64_t addr, uint64_t len);
struct op op_mprotect(unsigned proc, uint64_t addr, uint64_t len, int prot);
/* FLAGS: OPF_MAYMOVE, OPF_FIXED, OPF_DONTUNMAP */
struct op op_mremap(unsigned proc, uint64_t addr, uint64_t old_len,
		    uint64_t new_len, unsigned flags, uint64_t new_addr);
struct op op_madvise(unsigned proc, uint64_t addr, uint64_t len);
struct op op_fork(unsigned parent, unsigned child);
struct op op_exit(unsigned proc);
struct op op_read(unsigned proc, uint64_t addr);
struct op op_write(unsigned proc, uint64_t addr);
struct op op_file(unsigned file, uint64_t size);
struct op op_migrate(unsigned proc, uint64_t addr);
struct op op_pageout(unsigned proc, uint64_t addr);
struct op op_age(unsigned proc, uint64_t addr);

/* world_apply of an op built by value */
int apply(struct world *w, struct op op);

/* Apply OP, assert its result, then check every invariant. */
#define APPLY_EXPECT(w, op, res)					\
	do {								\
		ASSERT_EQ(apply((w), (op)), (res));			\
		check_world(w);						\
	} while (0)
#define APPLY_OK(w, op) APPLY_EXPECT(w, op, RES_OK)

/* ---- looking inside (core/mm_types.h) -------------------------------------- */

struct mm *tu_mm(const struct world *w, unsigned pid);
/* the raw PTE of pid:addr, 0 when there is none (or no table, no process) */
uint64_t tu_pte(const struct world *w, unsigned pid, uint64_t addr);
/* the frame a present PTE maps at pid:addr, 0 when none */
uint64_t tu_pfn(const struct world *w, unsigned pid, uint64_t addr);
/* the VMA containing pid:addr, or NULL */
struct vma *tu_vma(const struct world *w, unsigned pid, uint64_t addr);
/* VMAs of pid (0 for a dead process) */
uint32_t tu_nvmas(const struct world *w, unsigned pid);
/* live anon_vmas of the world */
unsigned tu_count_anon_vmas(const struct world *w);

#endif /* RMAP_TESTS_TEST_UTIL_H */
