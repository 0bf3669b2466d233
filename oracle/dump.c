/*
 * dump.c - the spec's `dump` output from a page-table scan (expect.h).
 *
 * The numbering must not depend on which physical frames the simulator
 * picked, so that two worlds and the real kernel (kernel_run.py) print the
 * same text for the same sharing structure:
 *
 *	sort every mapping by (process name, address)
 *	number the frames 1, 2, ... in the order of their first mapping
 *	print each frame's mappings in that same order
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/trace/trace.h"
#include "oracle/expect.h"

struct dent {
	const char *name;
	uint64_t addr;
	uint64_t pfn;
	uint32_t group;       /* index of the first dent of the same pfn */
	uint32_t frame;       /* 1-based number in the dump; 0: zero page */
};

static int by_pfn(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return 0;
}

/* Python's sorted() on (name, address) */
static int by_name_addr(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void put_line(FILE *out, const char *head, const struct dent *d,
		     const uint32_t *idx, uint32_t n)
{
	fputs(head, out);
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, "%s%s:0x%" PRIx64, i ? " " : "",
			d[idx[i]].name, d[idx[i]].addr);
	fputc('\n', out);
}

int check_dump(FILE *out, const struct scan *sc, uint64_t zero_pfn,
	       const struct op_stream *s)
{
	uint32_t n = sc->n, nframes = 0, nzero = 0, *first, *pos, *order;
	struct dent *d = calloc(n ? n : 1, sizeof(*d));
	char head[32];

	first = calloc((size_t)n + 2, sizeof(*first));
	pos = calloc((size_t)n + 2, sizeof(*pos));
	order = calloc(n ? n : 1, sizeof(*order));
	if (!d || !first || !pos || !order) {
		free(d);
		free(first);
		free(pos);
		free(order);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *name = op_stream_proc_name(s, sc->e[i].pid);

		d[i] = (struct dent){ name ? name : "?", sc->e[i].addr,
				      sc->e[i].pfn, 0, 0 };
	}
	qsort(d, n, sizeof(*d), by_pfn);
	for (uint32_t i = 0; i < n; i++)
		d[i].group = i && d[i].pfn == d[i - 1].pfn ? d[i - 1].group : i;
	qsort(d, n, sizeof(*d), by_name_addr);

	/* first[group]: the frame number, given at the group's first dent */
	for (uint32_t i = 0; i < n; i++) {
		if (d[i].pfn == zero_pfn) {
			nzero++;
			continue;
		}
		if (!first[d[i].group])
			first[d[i].group] = ++nframes;
		d[i].frame = first[d[i].group];
	}
	/* a stable counting sort by frame number; the zero page goes last */
	for (uint32_t i = 0; i < n; i++)
		pos[d[i].frame ? d[i].frame : nframes + 1]++;
	for (uint32_t f = 1, sum = 0; f <= nframes + 1; f++) {
		uint32_t c = pos[f];

		pos[f] = sum;
		sum += c;
	}
	for (uint32_t i = 0; i < n; i++)
		order[pos[d[i].frame ? d[i].frame : nframes + 1]++] = i;

	for (uint32_t f = 1, i = 0; f <= nframes; f++) {
		uint32_t j = i;

		while (j < n && d[order[j]].frame == f)
			j++;
		snprintf(head, sizeof(head), "frame %u: ", f);
		put_line(out, head, d, order + i, j - i);
		i = j;
	}
	if (nzero)
		put_line(out, "zero: ", d, order + (n - nzero), nzero);
	if (!n)
		fputc('\n', out);   /* print("\n".join([])) */
	free(d);
	free(first);
	free(pos);
	free(order);
	return 0;
}
