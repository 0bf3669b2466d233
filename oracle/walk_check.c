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

int walk_check_again(struct world *w, const struct scan *s, uint64_t pfn,
		     struct walk_check *c)
{
	uint32_t first = 0, n = scan_frame(s, pfn, &first);
	int got;

	c->pfn = pfn;
	c->nscan = c->nwalk = 0;
	c->walk_err = 0;
	c->agree = false;
	if (n >= c->cap_scan) {
		struct rmap_hit *h = realloc(c->scan, (n + 1) * sizeof(*h));

		if (!h)
			return -ENOMEM;
		c->scan = h;
		c->cap_scan = n + 1;
	}
	for (uint32_t i = 0; i < n; i++)
		c->scan[i] = (struct rmap_hit){ s->e[first + i].pid,
						s->e[first + i].addr };
	c->nscan = n;
	got = world_rmap_walk_buf(w, pfn, &c->walk, &c->cap_walk);
	if (got < 0) {
		c->walk_err = got;
		return 0;
	}
	c->nwalk = (uint32_t)got;
	c->agree = rmap_hits_equal(c->scan, c->nscan, c->walk, c->nwalk);
	return 0;
}

int walk_check(struct world *w, const struct scan *s, uint64_t pfn,
	       struct walk_check *out)
{
	memset(out, 0, sizeof(*out));
	return walk_check_again(w, s, pfn, out);
}

void walk_check_free(struct walk_check *c)
{
	free(c->scan);
	free(c->walk);
	c->scan = c->walk = NULL;
	c->nscan = c->nwalk = 0;
	c->cap_scan = c->cap_walk = 0;
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
