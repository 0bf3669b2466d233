/*
 * walk_check.c - see walk_check.h.  The scan's view is read off the scan's
 * entries of the frame (already in pid, address order); the walk's comes
 * from world_rmap_walk, which sorts it the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/walk_check.h"

static int hit_cmp(const void *a, const void *b)
{
	const struct rmap_hit *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void rmap_hits_sort(struct rmap_hit *h, uint32_t n)
{
	if (n > 1)
		qsort(h, n, sizeof(*h), hit_cmp);
}

bool rmap_hits_equal(const struct rmap_hit *a, uint32_t na,
		     const struct rmap_hit *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (a[i].pid != b[i].pid || a[i].addr != b[i].addr)
			return false;
	return true;
}

int walk_check(struct world *w, const struct scan *s, uint64_t pfn,
	       struct walk_check *out)
{
	uint32_t first = 0, n = scan_frame(s, pfn, &first);
	int got;

	memset(out, 0, sizeof(*out));
	out->pfn = pfn;
	out->scan = malloc((n ? n : 1) * sizeof(*out->scan));
	if (!out->scan)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		out->scan[i] = (struct rmap_hit){ s->e[first + i].pid,
						  s->e[first + i].addr };
	out->nscan = n;
	got = world_rmap_walk(w, pfn, &out->walk);
	if (got < 0) {
		free(out->walk);
		out->walk = NULL;
		out->walk_err = got;
		return 0;
	}
	out->nwalk = (uint32_t)got;
	out->agree = rmap_hits_equal(out->scan, out->nscan, out->walk, out->nwalk);
	return 0;
}

void walk_check_free(struct walk_check *c)
{
	free(c->scan);
	free(c->walk);
	c->scan = c->walk = NULL;
	c->nscan = c->nwalk = 0;
}

int rmap_hits_format(char *buf, size_t len, const struct rmap_hit *h,
		     uint32_t n)
{
	int off = 0;

	for (uint32_t i = 0; i < n && off >= 0 && (size_t)off < len; i++)
		off += snprintf(buf + off, len - (size_t)off, " p%u:0x%llx",
				h[i].pid, (unsigned long long)h[i].addr);
	if (n == 0)
		off = snprintf(buf, len, " (none)");
	return off;
}
