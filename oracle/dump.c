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

/* D[0..sc->n): the scan's mappings, named, grouped by frame, sorted by name */
static void collect(struct dent *d, const struct scan *sc,
		    const struct op_stream *s)
{
	uint32_t n = sc->n;

	for (uint32_t i = 0; i < n; i++) {
		const char *name = op_stream_proc_name(s, sc->e[i].pid);

		d[i] = (struct dent){ name ? name : "?", sc->e[i].addr,
				      sc->e[i].pfn, 0, 0 };
	}
	qsort(d, n, sizeof(*d), by_pfn);
	for (uint32_t i = 0; i < n; i++)
		d[i].group = i && d[i].pfn == d[i - 1].pfn ? d[i - 1].group : i;
	qsort(d, n, sizeof(*d), by_name_addr);
}

/*
 * Number the frames in the order of their first mapping (FIRST: n + 2
 * zeroes, per group the number given at its first dent).  Returns how many
 * frames; *NZERO gets how many mappings are of the zero page (frame 0).
 */
static uint32_t number_frames(struct dent *d, uint32_t n, uint64_t zero_pfn,
			      uint32_t *first, uint32_t *nzero)
{
	uint32_t nframes = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (d[i].pfn == zero_pfn) {
			(*nzero)++;
			continue;
		}
		if (!first[d[i].group])
			first[d[i].group] = ++nframes;
		d[i].frame = first[d[i].group];
	}
	return nframes;
}

/*
 * ORDER: D's indexes by frame number, stably, the zero page's last (a
 * counting sort; POS: n + 2 zeroes).
 */
static void order_by_frame(const struct dent *d, uint32_t n, uint32_t nframes,
			   uint32_t *pos, uint32_t *order)
{
	for (uint32_t i = 0; i < n; i++)
		pos[d[i].frame ? d[i].frame : nframes + 1]++;
	for (uint32_t f = 1, sum = 0; f <= nframes + 1; f++) {
		uint32_t c = pos[f];

		pos[f] = sum;
		sum += c;
	}
	for (uint32_t i = 0; i < n; i++)
		order[pos[d[i].frame ? d[i].frame : nframes + 1]++] = i;
}

static void print_frames(FILE *out, const struct dent *d,
			 const uint32_t *order, uint32_t n, uint32_t nframes,
			 uint32_t nzero)
{
	char head[32];

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
}

int check_dump(FILE *out, const struct scan *sc, uint64_t zero_pfn,
	       const struct op_stream *s)
{
	uint32_t n = sc->n, nframes, nzero = 0;
	struct dent *d = calloc(n ? n : 1, sizeof(*d));
	uint32_t *first = calloc((size_t)n + 2, sizeof(*first));
	uint32_t *pos = calloc((size_t)n + 2, sizeof(*pos));
	uint32_t *order = calloc(n ? n : 1, sizeof(*order));
	int err = -ENOMEM;

	if (d && first && pos && order) {
		collect(d, sc, s);
		nframes = number_frames(d, n, zero_pfn, first, &nzero);
		order_by_frame(d, n, nframes, pos, order);
		print_frames(out, d, order, n, nframes, nzero);
		err = 0;
	}
	free(d);
	free(first);
	free(pos);
	free(order);
	return err;
}
