/*
 * arena_test.c - a world's memory (core/arena.h): objects come zeroed,
 * aligned and apart; a freed object waits behind ARENA_QUARANTINE others
 * before it is handed out again; a reset keeps the memory and hands it out
 * again without asking the host, and a world reset gives the frame numbers
 * a new world gives.
 *
 * Under ASan, an access inside the arena that no live object covers is
 * reported: past an object's end (into its slot's slack or the next slot's
 * header), into a freed object, into an object from before a reset, past
 * the entries of a page-table page, and into a VMA core has freed.  Each
 * such access runs in a child process, which must die with an
 * AddressSanitizer "use-after-poison" report (a death test); without ASan
 * these tests check the access is poisoned only where ASan can tell.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/pgtable.h"
#include "tests/test_util.h"

#define BASE 0x10000000ULL

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#endif

static bool test_objects_zeroed_aligned_apart(void)
{
	static const size_t sizes[] = { 1, 8, 16, 17, 40, 100, 136, 500, 4000,
					9000, 16000, 40000, 300000 };
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	struct arena a;
	unsigned char *p[N];

	arena_init(&a);
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < N; i++) {
			p[i] = arena_alloc(&a, sizes[i]);
			ASSERT_EQ((uintptr_t)p[i] % 16, 0);
			for (size_t k = 0; k < sizes[i]; k++)
				ASSERT_EQ(p[i][k], 0);
			memset(p[i], (int)i + 1, sizes[i]);
		}
		for (unsigned i = 0; i < N; i++)   /* no object wrote over another */
			for (size_t k = 0; k < sizes[i]; k++)
				ASSERT_EQ(p[i][k], i + 1);
		for (unsigned i = 0; i < N; i++)
			arena_free(p[i]);
		arena_reset(&a);
	}
	arena_release(&a);
	return true;
}

/* a freed slot is handed out again only behind ARENA_QUARANTINE others */
static bool test_freed_objects_wait(void)
{
	struct arena a;
	void *first, *p[ARENA_QUARANTINE + 1];

	arena_init(&a);
	first = arena_alloc(&a, 64);
	arena_free(first);
	for (unsigned i = 0; i <= ARENA_QUARANTINE; i++) {
		p[i] = arena_alloc(&a, 64);
		ASSERT_NE(p[i], first);
	}
	for (unsigned i = 0; i <= ARENA_QUARANTINE; i++)
		arena_free(p[i]);
	/* now ARENA_QUARANTINE + 2 wait: the oldest, first, goes out first */
	ASSERT_EQ(arena_alloc(&a, 64), first);
	arena_release(&a);
	return true;
}

static bool test_aligned_blocks(void)
{
	struct arena a;
	uint64_t *t[3];

	arena_init(&a);
	for (int i = 0; i < 3; i++) {
		t[i] = arena_alloc_aligned(&a, PT_ALLOC, PT_META_END * sizeof(uint64_t));
		ASSERT_EQ((uintptr_t)t[i] % PT_ALLOC, 0);
		for (unsigned k = 0; k < PT_META_END; k++)
			ASSERT_EQ(t[i][k], 0);
		t[i][0] = 1;
		t[i][PT_META_END - 1] = 2;
	}
	for (int i = 0; i < 3; i++)
		arena_free_aligned(&a, t[i], PT_ALLOC);
	arena_release(&a);
	return true;
}

/* the second round of the same work asks the host for nothing */
static bool test_reset_reuses_memory(void)
{
	struct arena a;
	struct arena_stats first, second;

	arena_init(&a);
	for (int round = 0; round < 2; round++) {
		void *big = arena_alloc(&a, 200000);

		for (unsigned i = 0; i < 5000; i++) {
			void *p = arena_alloc(&a, 24 + i % 700);

			if (i % 3)
				arena_free(p);
		}
		arena_free(big);
		big = arena_alloc(&a, 150000);   /* fits the freed big block */
		arena_alloc_aligned(&a, PT_ALLOC, 64);
		arena_stats(&a, round ? &second : &first);
		arena_reset(&a);
	}
	ASSERT_EQ(second.host_allocs, first.host_allocs);
	ASSERT_EQ(second.slabs, first.slabs);
	ASSERT_EQ(second.big, first.big);
	ASSERT_EQ(first.big, 1);
	arena_release(&a);
	return true;
}

/* fork, COW, swap, munmap: what a fuzz input does to a world */
static bool run_some_ops(struct world *w, uint64_t *pfns)
{
	APPLY_OK(w, op_mmap(0, BASE, 64 * PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	for (unsigned i = 0; i < 64; i++)
		APPLY_OK(w, op_write(0, BASE + i * PAGE_SIZE));
	for (unsigned c = 1; c <= 9; c++)
		APPLY_OK(w, op_fork(0, c));
	APPLY_OK(w, op_write(3, BASE + 5 * PAGE_SIZE));
	APPLY_OK(w, op_pageout(0, BASE + 7 * PAGE_SIZE));
	APPLY_OK(w, op_munmap(2, BASE, 32 * PAGE_SIZE));
	APPLY_OK(w, op_exit(4));
	pfns[0] = tu_pfn(w, 3, BASE + 5 * PAGE_SIZE);
	pfns[1] = tu_pfn(w, 1, BASE + 63 * PAGE_SIZE);
	pfns[2] = w->phys.used;
	return true;
}

static bool test_world_reset_same_frames_no_host_alloc(void)
{
	struct world *w = tu_world_new(0);
	uint64_t fresh[3], again[3];
	struct arena_stats after_first, after_second;

	ASSERT_TRUE(run_some_ops(w, fresh));
	arena_stats(&w->arena, &after_first);
	world_reset(w);
	ASSERT_EQ(w->phys.used, 1);
	ASSERT_EQ(world_alloc_count(w), 0);
	ASSERT_TRUE(world_proc_alive(w, 0));
	ASSERT_FALSE(world_proc_alive(w, 1));
	ASSERT_TRUE(run_some_ops(w, again));
	arena_stats(&w->arena, &after_second);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(again[i], fresh[i]);
	ASSERT_EQ(after_second.host_allocs, after_first.host_allocs);
	return true;
}

/* fault injection counts the same allocations after a reset */
static bool test_fail_nth_after_reset(void)
{
	struct world *w = tu_world_new(0);
	uint64_t pfns[3];

	ASSERT_TRUE(run_some_ops(w, pfns));
	world_reset(w);
	world_fail_nth(w, 1);
	ASSERT_EQ(apply(w, op_mmap(0, BASE, PAGE_SIZE, PROT_RW, ANON, PRIVATE)),
		  -ENOMEM);
	ASSERT_TRUE(world_fail_fired(w));
	check_world(w);
	return true;
}

/* ---- ASan death tests ----------------------------------------------- */

#ifdef ARENA_ASAN

/*
 * FN run in a child: true when the child died with an AddressSanitizer
 * "use-after-poison" report (stderr read back through a pipe).
 */
static bool dies_with_poison_report(void (*fn)(void))
{
	char out[16384];
	size_t n = 0;
	ssize_t r;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		return false;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (n < sizeof(out) - 1 &&
	       (r = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return false;
	return strstr(out, "ERROR: AddressSanitizer: use-after-poison") != NULL;
}

static struct arena death_arena;

static void write_past_object_end(void)
{
	volatile char *p = arena_alloc(&death_arena, 40);   /* slot 64: slack */

	p[40] = 1;
}

static void write_into_next_header(void)
{
	volatile char *p = arena_alloc(&death_arena, 32);   /* slot 48: exact */

	arena_alloc(&death_arena, 32);
	p[32] = 1;
}

static void write_before_object(void)
{
	volatile char *p = arena_alloc(&death_arena, 32);

	p[-1] = 1;
}

static void write_freed_object(void)
{
	volatile char *p = arena_alloc(&death_arena, 100);

	arena_free((void *)p);
	p[8] = 1;
}

static void write_object_from_before_reset(void)
{
	volatile char *p = arena_alloc(&death_arena, 100);

	arena_reset(&death_arena);
	p[0] = 1;
}

static void write_past_table_entries(void)
{
	volatile uint64_t *t = arena_alloc_aligned(&death_arena, PT_ALLOC,
						   PT_META_END * sizeof(uint64_t));

	t[PT_META_END] = 1;
}

static void write_past_big_block(void)
{
	volatile char *p = arena_alloc(&death_arena, 100000);

	p[100000] = 1;
}

/* a VMA of a world, core's own object, written one byte past its end */
static void write_past_a_vma(void)
{
	struct world *w = world_new(NULL);
	volatile char *v;

	apply(w, op_mmap(0, BASE, PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	v = (volatile char *)tu_vma(w, 0, BASE);
	v[sizeof(struct vma)] = 1;
}

/* a VMA core freed (munmap), read through the pointer kept to it */
static void read_a_freed_vma(void)
{
	struct world *w = world_new(NULL);
	volatile struct vma *v;

	apply(w, op_mmap(0, BASE, PAGE_SIZE, PROT_RW, ANON, PRIVATE));
	v = tu_vma(w, 0, BASE);
	apply(w, op_munmap(0, BASE, PAGE_SIZE));
	if (v->start == 0)
		abort();
}

static bool test_asan_reports_every_stray_access(void)
{
	void (*const strays[])(void) = {
		write_past_object_end, write_into_next_header, write_before_object,
		write_freed_object, write_object_from_before_reset,
		write_past_table_entries, write_past_big_block, write_past_a_vma,
		read_a_freed_vma,
	};

	arena_init(&death_arena);
	for (unsigned i = 0; i < sizeof(strays) / sizeof(strays[0]); i++) {
		if (!dies_with_poison_report(strays[i])) {
			tu_fail_at(__FILE__, __LINE__, __func__,
				   "stray access %u was not reported", i);
			return false;
		}
	}
	arena_release(&death_arena);
	return true;
}

/* and the live bytes of the same objects are not poisoned */
static bool test_asan_live_bytes_usable(void)
{
	struct arena a;
	char *p, *q;

	arena_init(&a);
	p = arena_alloc(&a, 40);
	q = arena_alloc(&a, 32);
	ASSERT_EQ(__asan_region_is_poisoned(p, 40), NULL);
	ASSERT_EQ(__asan_region_is_poisoned(q, 32), NULL);
	ASSERT_TRUE(__asan_address_is_poisoned(p + 40));
	ASSERT_TRUE(__asan_address_is_poisoned(q - 1));
	arena_release(&a);
	return true;
}
#endif

int main(void)
{
	TEST_BEGIN();
	TEST(objects_zeroed_aligned_apart);
	TEST(freed_objects_wait);
	TEST(aligned_blocks);
	TEST(reset_reuses_memory);
	TEST(world_reset_same_frames_no_host_alloc);
	TEST(fail_nth_after_reset);
#ifdef ARENA_ASAN
	TEST(asan_reports_every_stray_access);
	TEST(asan_live_bytes_usable);
#else
	fprintf(stderr, "arena_test: no ASan in this build, death tests skipped\n");
#endif
	TEST_END();
}
