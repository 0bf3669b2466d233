/*
 * sharing.c - dump, expectations and structural comparison over a sharing
 * snapshot (sharing.h).
 *
 * The dump numbers frames so that it does not depend on which physical
 * frames a world picked:
 *
 *	sort every mapping by (process name, address)
 *	number the frames 1, 2, ... in the order of their first mapping
 *	print each frame's mappings in that same order, the zero page last
 *
 * Structural comparison renames frames the same way, over process ids.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "oracle/sharing.h"

#define PAGE_MASK_ (~(uint64_t)0xfff)

int sharing_add(struct sharing *s, uint32_t proc, uint64_t addr,
		uint64_t frame, uint32_t flags)
{
	return sharing_add_folio(s, proc, addr, frame, flags, frame, 1);
}

int sharing_add_folio(struct sharing *s, uint32_t proc, uint64_t addr,
		      uint64_t frame, uint32_t flags, uint64_t folio,
		      uint32_t folio_nr)
{
	if (folio_nr == 0 || frame < folio || frame - folio >= folio_nr)
		return -EINVAL;
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 256;
		struct sharing_entry *e = realloc(s->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n++] = (struct sharing_entry){ proc, flags, addr, frame,
						folio, folio_nr };
	return 0;
}

void sharing_clear(struct sharing *s)
{
	s->n = 0;
}

void sharing_free(struct sharing *s)
{
	free(s->e);
	*s = (struct sharing){ 0 };
}

static int by_proc_addr(const void *a, const void *b)
{
	const struct sharing_entry *x = a, *y = b;

	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void sharing_sort(struct sharing *s)
{
	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), by_proc_addr);
}

bool sharing_frame_at(const struct sharing *s, uint32_t proc, uint64_t addr,
		      uint64_t *frame)
{
	struct sharing_entry key = { proc, 0, addr & PAGE_MASK_, 0, 0, 1 };
	const struct sharing_entry *hit = s->n ? bsearch(&key, s->e, s->n,
				sizeof(*s->e), by_proc_addr) : NULL;

	if (hit)
		*frame = hit->frame;
	return hit != NULL;
}

static const char *proc_name(const struct op_stream *names, uint32_t proc)
{
	const char *n = op_stream_proc_name(names, proc);

	return n ? n : "?";
}

/* ---- frame numbering ------------------------------------------------- */

/* one mapping, in the dump's order */
struct ment {
	const char *name;
	uint64_t addr, frame;
	uint32_t number;      /* frame number in the dump; 0: the zero page */
	uint64_t folio;       /* sharing_entry's folio, folio_nr, flags */
	uint32_t folio_nr;
	uint32_t flags;
};

/* (frame, position in the dump's order): finds each frame's first mapping */
struct fpos {
	uint64_t frame;
	uint32_t pos;
};

static int by_frame_pos(const void *a, const void *b)
{
	const struct fpos *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Python's sorted() on (name, address) */
static int by_name_addr(const void *a, const void *b)
{
	const struct ment *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * S's mappings in dump order, each with its frame number: frames are
 * numbered in the order of their first mapping.  Frame ids are arbitrary
 * 64-bit values, so the first mapping of each is found by sorting on
 * (frame, position), not with a table indexed by frame.  Returns the
 * malloc'd array (*nframes set) or NULL.
 */
static struct ment *number_frames(const struct sharing *s,
				  const struct op_stream *names,
				  uint32_t *nframes)
{
	struct ment *m = malloc((s->n ? s->n : 1) * sizeof(*m));
	struct fpos *f = malloc((s->n ? s->n : 1) * sizeof(*f));
	uint32_t *first = malloc((s->n ? s->n : 1) * sizeof(*first));

	*nframes = 0;
	if (!m || !f || !first) {
		free(m);
		m = NULL;
		goto out;
	}
	for (uint32_t i = 0; i < s->n; i++)
		m[i] = (struct ment){ proc_name(names, s->e[i].proc),
				      s->e[i].addr, s->e[i].frame, 0,
				      s->e[i].folio, s->e[i].folio_nr,
				      s->e[i].flags };
	qsort(m, s->n, sizeof(*m), by_name_addr);
	for (uint32_t i = 0; i < s->n; i++)
		f[i] = (struct fpos){ m[i].frame, i };
	qsort(f, s->n, sizeof(*f), by_frame_pos);
	for (uint32_t i = 0; i < s->n; i++)
		first[f[i].pos] = i && f[i].frame == f[i - 1].frame ?
				  first[f[i - 1].pos] : f[i].pos;
	for (uint32_t i = 0; i < s->n; i++) {
		if (m[i].frame == SHARING_ZERO)
			m[i].number = 0;
		else if (first[i] == i)
			m[i].number = ++*nframes;
		else
			m[i].number = m[first[i]].number;
	}
out:
	free(f);
	free(first);
	return m;
}

static void put_line(FILE *out, const char *head, const struct ment *m,
		     const uint32_t *idx, uint32_t n)
{
	fputs(head, out);
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, "%s%s:0x%" PRIx64, i ? " " : "", m[idx[i]].name,
			m[idx[i]].addr);
	fputc('\n', out);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* ---- large folios in the dump ------------------------------------------ */

/*
 * How many frames, from the one whose N mappings start at order[I], print
 * as one "frames K-L:" line: consecutive frame numbers that are consecutive
 * pages of one large folio, each mapped exactly where the first is plus its
 * distance in pages.  1 when there is no such run (every small page).
 */
static uint32_t folio_run(const struct ment *m, const uint32_t *order,
			  uint32_t total, uint32_t i, uint32_t n)
{
	const struct ment *first = &m[order[i]];
	uint32_t run = 1;

	if (first->number == 0 || first->folio_nr < 2)
		return 1;
	for (;;) {
		uint32_t at = i + run * n;

		if (at + n > total || (at + n < total &&
		    m[order[at + n]].number == first->number + run))
			break;
		for (uint32_t x = 0; x < n; x++) {
			const struct ment *a = &m[order[i + x]];
			const struct ment *b = &m[order[at + x]];

			if (b->number != first->number + run ||
			    b->folio != first->folio ||
			    b->frame != a->frame + run ||
			    strcmp(a->name, b->name) != 0 ||
			    b->addr != a->addr + (uint64_t)run * 4096)
				return run;
		}
		run++;
	}
	return run;
}

/* "2M", "64K": a folio's size */
static void put_size(FILE *out, uint32_t nr)
{
	uint64_t kib = (uint64_t)nr * 4;

	if (kib % 1024 == 0)
		fprintf(out, "%" PRIu64 "M", kib / 1024);
	else
		fprintf(out, "%" PRIu64 "K", kib);
}

/* dump order of a folio's mappings: by its first frame number, then as ever */
static int by_folio_name_addr(const void *a, const void *b)
{
	const struct ment *x = *(const struct ment *const *)a;
	const struct ment *y = *(const struct ment *const *)b;

	if (x->folio != y->folio)
		return x->folio < y->folio ? -1 : 1;
	return by_name_addr(x, y);
}

static int by_frame(const void *a, const void *b)
{
	const struct ment *x = *(const struct ment *const *)a;
	const struct ment *y = *(const struct ment *const *)b;

	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/*
 * One folio's line, from its N mappings F (in name, address order):
 *
 *	folio 2M frames 1-512: p0:0x10000000 pmd p1:0x20000000 pte[0-255]
 *
 * "frames" lists the dump numbers of its mapped pages in page order (runs
 * of consecutive numbers as K-L); each mapping is a run of pages mapped at
 * consecutive addresses by one process, alike (pmd or pte), with the pages'
 * indexes in the folio: "pmd" alone for a PMD mapping the whole folio.
 */
static int put_folio(FILE *out, const struct ment **f, uint32_t n)
{
	const struct ment **byf = malloc(n * sizeof(*byf));
	uint32_t prev = 0, start = 0;

	if (!byf)
		return -ENOMEM;
	fputs("folio ", out);
	put_size(out, f[0]->folio_nr);
	fputs(" frames ", out);
	memcpy(byf, f, n * sizeof(*byf));
	qsort(byf, n, sizeof(*byf), by_frame);
	for (uint32_t i = 0, any = 0; i <= n; i++) {
		uint32_t num = i < n ? byf[i]->number : 0;

		if (i < n && i && byf[i]->frame == byf[i - 1]->frame)
			continue;       /* the same page, mapped again */
		if (i < n && any && num == prev + 1) {
			prev = num;
			continue;
		}
		if (any)
			fprintf(out, start == prev ? "%u" : "%u-%u", start,
				prev);
		if (i < n)
			fputs(any ? "," : "", out);
		start = prev = num;
		any = 1;
	}
	free(byf);
	fputc(':', out);
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;
		bool pmd = f[i]->flags & SHARING_PMD;
		uint64_t a = f[i]->frame - f[i]->folio, b;

		while (j < n && strcmp(f[j]->name, f[i]->name) == 0 &&
		       f[j]->addr == f[j - 1]->addr + 4096 &&
		       f[j]->frame == f[j - 1]->frame + 1 &&
		       !(f[j]->flags & SHARING_PMD) == !pmd)
			j++;
		b = f[j - 1]->frame - f[i]->folio;
		fprintf(out, " %s:0x%" PRIx64 " %s", f[i]->name, f[i]->addr,
			pmd ? "pmd" : "pte");
		if (!pmd || a != 0 || b + 1 != f[i]->folio_nr)
			fprintf(out, a == b ? "[%" PRIu64 "]" :
				"[%" PRIu64 "-%" PRIu64 "]", a, b);
		i = j;
	}
	fputc('\n', out);
	return 0;
}

/*
 * After every frame line, one line per large folio, in the order of their
 * lowest frame numbers.  Nothing when no mapping is of a large folio.
 */
static int put_folios(FILE *out, const struct ment *m, uint32_t n)
{
	const struct ment **f;
	uint32_t nf = 0, *lowest, nfol = 0;
	int err = 0;

	for (uint32_t i = 0; i < n; i++)
		nf += m[i].folio_nr > 1 && m[i].number != 0;
	if (!nf)
		return 0;
	f = malloc(nf * sizeof(*f));
	lowest = malloc(nf * sizeof(*lowest) * 2);
	if (!f || !lowest) {
		free(f);
		free(lowest);
		return -ENOMEM;
	}
	nf = 0;
	for (uint32_t i = 0; i < n; i++)
		if (m[i].folio_nr > 1 && m[i].number != 0)
			f[nf++] = &m[i];
	qsort(f, nf, sizeof(*f), by_folio_name_addr);
	/* (lowest number, first index) per folio, then print in that order */
	for (uint32_t i = 0; i < nf;) {
		uint32_t j = i, low = f[i]->number;

		while (j < nf && f[j]->folio == f[i]->folio) {
			if (f[j]->number < low)
				low = f[j]->number;
			j++;
		}
		lowest[2 * nfol] = low;
		lowest[2 * nfol + 1] = i;
		nfol++;
		i = j;
	}
	qsort(lowest, nfol, 2 * sizeof(*lowest), cmp_u32);
	for (uint32_t k = 0; k < nfol && !err; k++) {
		uint32_t i = lowest[2 * k + 1], j = i;

		while (j < nf && f[j]->folio == f[i]->folio)
			j++;
		err = put_folio(out, f + i, j - i);
	}
	free(f);
	free(lowest);
	return err;
}

int sharing_dump(FILE *out, const struct sharing *s,
		 const struct op_stream *names)
{
	uint32_t nframes, *pos = NULL, *order = NULL;
	struct ment *m = number_frames(s, names, &nframes);
	int err = -ENOMEM;

	if (!m)
		return err;
	/* a stable counting sort by frame number; the zero page (0) last */
	pos = calloc((size_t)nframes + 2, sizeof(*pos));
	order = malloc((s->n ? s->n : 1) * sizeof(*order));
	if (!pos || !order)
		goto out;
	for (uint32_t i = 0; i < s->n; i++)
		pos[m[i].number ? m[i].number : nframes + 1]++;
	for (uint32_t k = 1, sum = 0; k <= nframes + 1; k++) {
		uint32_t c = pos[k];

		pos[k] = sum;
		sum += c;
	}
	for (uint32_t i = 0; i < s->n; i++)
		order[pos[m[i].number ? m[i].number : nframes + 1]++] = i;
	for (uint32_t k = 1, i = 0; k <= nframes;) {
		uint32_t j = i, run;
		char head[48];

		while (j < s->n && m[order[j]].number == k)
			j++;
		run = folio_run(m, order, s->n, i, j - i);
		if (run > 1)
			snprintf(head, sizeof(head), "frames %u-%u: ", k,
				 k + run - 1);
		else
			snprintf(head, sizeof(head), "frame %u%s: ", k,
				 s->e[order[i]].flags & SHARING_KSM ?
				 " (ksm)" : "");
		put_line(out, head, m, order + i, j - i);
		i += run * (j - i);
		k += run;
	}
	if (s->n && m[order[s->n - 1]].number == 0) {
		uint32_t z = s->n;

		while (z > 0 && m[order[z - 1]].number == 0)
			z--;
		put_line(out, "zero: ", m, order + z, s->n - z);
	}
	if (!s->n)
		fputc('\n', out);   /* Python's print("\n".join([])), as ever */
	err = put_folios(out, m, s->n);
out:
	free(pos);
	free(order);
	free(m);
	return err;
}

/* ---- expectations ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * " p0:0x1000 p1:0x2000" for the mappings of FRAME (none when !MAPPED):
 * sorted as strings, as oracle/expect.c sorts the walk's.
 */
static int put_frame_set(FILE *f, const struct sharing *s,
			 const struct op_stream *names, bool mapped,
			 uint64_t frame)
{
	uint32_t n = 0;
	char **str = malloc((s->n ? s->n : 1) * sizeof(*str));
	int err = 0;

	if (!str)
		return -ENOMEM;
	for (uint32_t i = 0; mapped && i < s->n && !err; i++) {
		if (s->e[i].frame != frame)
			continue;
		if (asprintf(&str[n], "%s:0x%" PRIx64,
			     proc_name(names, s->e[i].proc), s->e[i].addr) < 0)
			err = -ENOMEM;
		else
			n++;
	}
	if (!err) {
		qsort(str, n, sizeof(*str), cmp_str);
		for (uint32_t i = 0; i < n; i++)
			fprintf(f, " %s", str[i]);
	}
	for (uint32_t i = 0; i < n; i++)
		free(str[i]);
	free(str);
	return err;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct mref *x = a, *y = b;

	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Are the mappings of FRAME exactly WANT (sorted by process, address)? */
static bool frame_set_is(const struct sharing *s, bool mapped, uint64_t frame,
			 const struct mref *want, uint32_t nwant)
{
	uint32_t k = 0;

	for (uint32_t i = 0; mapped && i < s->n; i++) {
		if (s->e[i].frame != frame)
			continue;
		if (k == nwant || want[k].proc != s->e[i].proc ||
		    want[k].addr != s->e[i].addr)
			return false;
		k++;
	}
	return k == nwant;
}

static int expect_map(const struct sharing *s, const struct op_stream *st,
		      const struct op *op, bool *passed, FILE *detail)
{
	struct mref *want;
	uint64_t frame = 0;
	bool mapped = sharing_frame_at(s, op->proc, op->addr, &frame);
	int err = 0;

	if ((uint64_t)op->refs + op->nrefs > st->nrefs)
		return -EINVAL;
	want = malloc((op->nrefs ? op->nrefs : 1) * sizeof(*want));
	if (!want)
		return -ENOMEM;
	memcpy(want, st->refs + op->refs, op->nrefs * sizeof(*want));
	qsort(want, op->nrefs, sizeof(*want), ref_cmp);
	*passed = frame_set_is(s, mapped, frame, want, op->nrefs);
	if (*passed) {
		fputs("passed", detail);
	} else {
		fputs("FAILED: got", detail);
		err = put_frame_set(detail, s, st, mapped, frame);
	}
	free(want);
	return err;
}

/* the frame at PROC:ADDR as a detail prints it: pfn, "zero", "None" */
static void frame_text(const struct sharing *s, uint32_t proc, uint64_t addr,
		       char buf[32])
{
	uint64_t frame;

	if (!sharing_frame_at(s, proc, addr, &frame))
		snprintf(buf, 32, "None");
	else if (frame == SHARING_ZERO)
		snprintf(buf, 32, "zero");
	else
		snprintf(buf, 32, "%" PRIu64, frame);
}

int sharing_expect(const struct sharing *s, const struct op_stream *st,
		   const struct op *op, bool *passed, FILE *detail)
{
	uint64_t f1 = 0, f2 = 0;
	bool m1 = sharing_frame_at(s, op->proc, op->addr, &f1), m2;
	char t1[32], t2[32];

	switch (op->kind) {
	case OP_EXPECT_MAP:
		return expect_map(s, st, op, passed, detail);
	case OP_EXPECT_SAME:
	case OP_EXPECT_DIFF:
		m2 = sharing_frame_at(s, op->proc2, op->addr2, &f2);
		*passed = m1 && m2 &&
			  (f1 == f2) == (op->kind == OP_EXPECT_SAME);
		frame_text(s, op->proc, op->addr, t1);
		frame_text(s, op->proc2, op->addr2, t2);
		if (*passed)
			fputs("passed", detail);
		else
			fprintf(detail, "FAILED: frames %s %s", t1, t2);
		return 0;
	case OP_EXPECT_ZERO:
	case OP_EXPECT_NONE:
		*passed = op->kind == OP_EXPECT_ZERO ?
			  m1 && f1 == SHARING_ZERO : !m1;
		frame_text(s, op->proc, op->addr, t1);
		if (*passed)
			fputs("passed", detail);
		else
			fprintf(detail, "FAILED: frame %s", t1);
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- partial views (no frame numbers) ------------------------------------ */

void sharing_reduce_partial(struct sharing *s, bool zero_known)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (!zero_known || s->e[i].frame != SHARING_ZERO) {
			/* without frame numbers, no folio structure either */
			s->e[i].frame = s->e[i].folio = SHARING_PRESENT;
			s->e[i].folio_nr = 1;
			s->e[i].flags &= ~(uint32_t)(SHARING_PMD |
						     SHARING_KSM);
		}
}

bool sharing_expect_partial_ok(const struct op *op, bool zero_known)
{
	return op->kind == OP_EXPECT_NONE ||
	       (op->kind == OP_EXPECT_ZERO && zero_known);
}

/* ---- structural comparison ----------------------------------------------- */

/*
 * canon[i]: the index of the first entry (in S's order) mapping the same
 * frame as entry i (BY_FOLIO: a page of the same folio); SHARING_ZERO
 * stays apart as UINT32_MAX.  NULL on -ENOMEM.
 */
static uint32_t *canonical_ids(const struct sharing *s, bool by_folio)
{
	struct fpos *f = malloc((s->n ? s->n : 1) * sizeof(*f));
	uint32_t *canon = malloc((s->n ? s->n : 1) * sizeof(*canon));

	if (!f || !canon) {
		free(f);
		free(canon);
		return NULL;
	}
	for (uint32_t i = 0; i < s->n; i++)
		f[i] = (struct fpos){ by_folio && s->e[i].frame != SHARING_ZERO ?
				      s->e[i].folio : s->e[i].frame, i };
	qsort(f, s->n, sizeof(*f), by_frame_pos);
	for (uint32_t i = 0; i < s->n; i++)
		canon[f[i].pos] = f[i].frame == SHARING_ZERO ? UINT32_MAX :
				  i && f[i].frame == f[i - 1].frame ?
				  canon[f[i - 1].pos] : f[i].pos;
	free(f);
	return canon;
}

/* "p1:0x2000 -> frame of p0:0x1000 p1:0x2000" into a memstream */
static void describe(FILE *f, const struct sharing *s, uint32_t i,
		     const struct op_stream *names)
{
	if (i >= s->n) {
		fputs("nothing more mapped", f);
		return;
	}
	fprintf(f, "%s:0x%" PRIx64 " maps ", proc_name(names, s->e[i].proc),
		s->e[i].addr);
	if (s->e[i].frame == SHARING_ZERO) {
		fputs("the zero page", f);
		return;
	}
	fputs(s->e[i].flags & SHARING_KSM ? "a KSM page mapped by" :
	      "a frame mapped by", f);
	put_frame_set(f, s, names, true, s->e[i].frame);
	if (s->e[i].folio_nr > 1) {
		fprintf(f, " (page %" PRIu64 " of a ",
			s->e[i].frame - s->e[i].folio);
		put_size(f, s->e[i].folio_nr);
		fprintf(f, " folio, by %s)",
			s->e[i].flags & SHARING_PMD ? "pmd" : "pte");
	}
}

static void why_differ(const struct sharing *a, const struct sharing *b,
		       uint32_t i, const struct op_stream *names, char *why,
		       size_t whylen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!why || !whylen)
		return;
	f = open_memstream(&text, &len);
	if (!f) {
		snprintf(why, whylen, "differ at mapping %u", i);
		return;
	}
	describe(f, a, i, names);
	fputs("; ", f);
	describe(f, b, i, names);
	fclose(f);
	snprintf(why, whylen, "%s", text ? text : "");
	free(text);
}

bool sharing_same(const struct sharing *a, const struct sharing *b,
		  const struct op_stream *names, char *why, size_t whylen)
{
	uint32_t *ca = canonical_ids(a, false), *cb = canonical_ids(b, false);
	uint32_t *fa = canonical_ids(a, true), *fb = canonical_ids(b, true);
	uint32_t n = a->n < b->n ? a->n : b->n, at = n;
	bool same = ca && cb && fa && fb;

	for (uint32_t i = 0; same && i < n; i++) {
		const struct sharing_entry *x = &a->e[i], *y = &b->e[i];

		if (x->proc != y->proc || x->addr != y->addr ||
		    ca[i] != cb[i] || fa[i] != fb[i] ||
		    x->folio_nr != y->folio_nr ||
		    x->frame - x->folio != y->frame - y->folio ||
		    (x->flags ^ y->flags) & (SHARING_PMD | SHARING_KSM)) {
			same = false;
			at = i;
		}
	}
	if (same && a->n != b->n)
		same = false;
	if ((!ca || !cb || !fa || !fb) && why && whylen)
		snprintf(why, whylen, "out of memory");
	else if (!same)
		why_differ(a, b, at, names, why, whylen);
	free(ca);
	free(cb);
	free(fa);
	free(fb);
	return same;
}
