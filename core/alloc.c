/*
 * alloc.c - the allocation points of core and their fault injection.
 *
 * Every object allocation (frames, VMAs, anon_vmas, AVCs, files, swap slots,
 * backend objects) goes through alloc_should_fail(), so a test can make the
 * Nth one fail and check that the operation returns -ENOMEM with every
 * structure consistent.  Growing the bookkeeping arrays is not an object
 * allocation and is not injected (it aborts on real exhaustion).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

struct pte_journal *pte_journal;

bool pte_journal_reserve(struct pte_journal *j)
{
	uint32_t cap = j->cap ? 2 * j->cap : 256;
	struct pte_write *w = cap > (1u << 20) ? NULL : realloc(j->w, cap * sizeof(*w));

	if (!w) {
		j->overflow = true;
		return false;
	}
	j->w = w;
	j->cap = cap;
	return true;
}

_Noreturn void core_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "BUG at %s:%d: %s\n", file, line, what);
	abort();
}

bool alloc_should_fail(struct world *w)
{
	w->alloc_count++;
	if (w->fail_at && w->alloc_count == w->fail_at) {
		w->fail_fired = true;
		return true;
	}
	return false;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		core_bug(__FILE__, __LINE__, "out of host memory");
	return p;
}

void *core_zalloc(struct world *w, size_t size)
{
	if (alloc_should_fail(w))
		return NULL;
	return xcalloc(1, size);
}

void core_free(void *p)
{
	free(p);
}

void array_reserve(void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap <= n)
		ncap *= 2;
	p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		core_bug(__FILE__, __LINE__, "out of host memory");
	memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
	*arr = p;
	*cap = ncap;
}
