/*
 * sharing_test.c - the sharing snapshot's text (oracle/sharing.h) is
 * `./rmapfuzz run`'s: frames numbered by first mapping in (process name,
 * address) order (so p10 sorts before p2), the zero page last, one empty
 * line when nothing is mapped, expectation details as oracle/expect.c writes
 * them; and sharing_same() compares structures up to frame renaming, or,
 * after sharing_reduce_partial(), up to presence.
 * Oracle: texts written by hand from spec/trace-format.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "oracle/sharing.h"
#include "tests/assert.h"

static struct op_stream names;

/* dump of S into a malloc'd string */
static char *dump_text(const struct sharing *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f || sharing_dump(f, s, &names)) {
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	return text;
}

static bool dump_is(const struct sharing *s, const char *want)
{
	char *got = dump_text(s);
	bool same = got && !strcmp(got, want);

	if (!same)
		fprintf(stderr, "dump:\n%s--- want:\n%s", got ? got : "(null)",
			want);
	free(got);
	return same;
}

static bool test_dump_numbers_by_name_order(void)
{
	struct sharing s = { 0 };
	unsigned p2 = (unsigned)op_stream_proc_id(&names, "p2");
	unsigned p10 = (unsigned)op_stream_proc_id(&names, "p10");

	/* added in id order; frame ids are arbitrary host numbers */
	ASSERT_EQ(sharing_add(&s, 0, 0x2000, 900, 0), 0);
	ASSERT_EQ(sharing_add(&s, 0, 0x3000, SHARING_ZERO, 0), 0);
	ASSERT_EQ(sharing_add(&s, p2, 0x1000, 900, 0), 0);
	ASSERT_EQ(sharing_add(&s, p10, 0x5000, 7, 0), 0);
	ASSERT_EQ(sharing_add(&s, p10, 0x1000, SHARING_ZERO, 0), 0);
	sharing_sort(&s);
	ASSERT_TRUE(dump_is(&s,
		"frame 1: p0:0x2000 p2:0x1000\n"
		"frame 2: p10:0x5000\n"
		"zero: p0:0x3000 p10:0x1000\n"));
	sharing_free(&s);
	return true;
}

static bool test_dump_empty_is_one_blank_line(void)
{
	struct sharing s = { 0 };

	ASSERT_TRUE(dump_is(&s, "\n"));
	return true;
}

static char *expect_text(const struct sharing *s, const struct op *op,
			 bool *passed)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err = f ? sharing_expect(s, &names, op, passed, f) : -1;

	if (f)
		fclose(f);
	if (err) {
		free(text);
		return NULL;
	}
	return text;
}

static bool test_expectations(void)
{
	struct sharing s = { 0 };
	struct mref r[2] = { { 0, 0x1000 }, { 1, 0x9000 } };
	struct op map = { .kind = OP_EXPECT_MAP, .proc = 0, .addr = 0x1800 };
	struct op same = { .kind = OP_EXPECT_SAME, .proc = 0, .addr = 0x1000,
			   .proc2 = 1, .addr2 = 0x4000 };
	struct op zero = { .kind = OP_EXPECT_ZERO, .proc = 1, .addr = 0x4000 };
	struct op none = { .kind = OP_EXPECT_NONE, .proc = 0, .addr = 0x1000 };
	bool passed;
	char *t;

	ASSERT_EQ(op_stream_proc_id(&names, "p1"), 1);
	ASSERT_EQ(sharing_add(&s, 0, 0x1000, 42, 0), 0);
	ASSERT_EQ(sharing_add(&s, 1, 0x9000, 42, 0), 0);
	sharing_sort(&s);
	map.refs = names.nrefs;
	map.nrefs = 2;
	ASSERT_EQ(op_stream_push_ref(&names, &r[1]), 0);   /* any order */
	ASSERT_EQ(op_stream_push_ref(&names, &r[0]), 0);
	t = expect_text(&s, &map, &passed);
	ASSERT_TRUE(t && passed && !strcmp(t, "passed"));
	free(t);
	map.nrefs = 1;
	t = expect_text(&s, &map, &passed);
	ASSERT_TRUE(t && !passed &&
		    !strcmp(t, "FAILED: got p0:0x1000 p1:0x9000"));
	free(t);
	t = expect_text(&s, &same, &passed);
	ASSERT_TRUE(t && !passed && !strcmp(t, "FAILED: frames 42 None"));
	free(t);
	t = expect_text(&s, &zero, &passed);
	ASSERT_TRUE(t && !passed && !strcmp(t, "FAILED: frame None"));
	free(t);
	t = expect_text(&s, &none, &passed);
	ASSERT_TRUE(t && !passed && !strcmp(t, "FAILED: frame 42"));
	free(t);
	sharing_free(&s);
	return true;
}

static bool test_same_renames_frames(void)
{
	struct sharing a = { 0 }, b = { 0 };
	char why[256];

	ASSERT_EQ(op_stream_proc_id(&names, "p1"), 1);
	ASSERT_EQ(sharing_add(&a, 0, 0x1000, 5, 0), 0);
	ASSERT_EQ(sharing_add(&a, 1, 0x2000, 5, 0), 0);
	ASSERT_EQ(sharing_add(&a, 1, 0x3000, SHARING_ZERO, 0), 0);
	ASSERT_EQ(sharing_add(&b, 0, 0x1000, 77, SHARING_EXCLUSIVE), 0);
	ASSERT_EQ(sharing_add(&b, 1, 0x2000, 77, 0), 0);
	ASSERT_EQ(sharing_add(&b, 1, 0x3000, SHARING_ZERO, 0), 0);
	ASSERT_TRUE(sharing_same(&a, &b, &names, why, sizeof(why)));
	b.e[1].frame = 78;     /* p1's copy is its own frame now */
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	ASSERT_TRUE(strstr(why, "p1:0x2000 maps a frame mapped by "
			   "p0:0x1000 p1:0x2000; p1:0x2000 maps a frame "
			   "mapped by p1:0x2000") != NULL);
	b.n--;                 /* and one mapping fewer */
	b.e[1].frame = 77;
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	ASSERT_TRUE(strstr(why, "nothing more mapped") != NULL);
	sharing_free(&a);
	sharing_free(&b);
	return true;
}

/*
 * Two views that differ only in frame identity (p1's page its own frame in
 * B, a zero page a plain page) differ in full, agree once reduced to
 * presence; a missing page, or the zero page when it is known, still
 * differs.
 */
static bool test_partial_keeps_presence_only(void)
{
	struct sharing a = { 0 }, b = { 0 };
	struct op none = { .kind = OP_EXPECT_NONE };
	struct op zero = { .kind = OP_EXPECT_ZERO };
	struct op same = { .kind = OP_EXPECT_SAME };
	char why[256];

	ASSERT_EQ(op_stream_proc_id(&names, "p1"), 1);
	ASSERT_EQ(sharing_add(&a, 0, 0x1000, 5, 0), 0);
	ASSERT_EQ(sharing_add(&a, 1, 0x2000, 5, 0), 0);
	ASSERT_EQ(sharing_add(&a, 1, 0x3000, SHARING_ZERO, 0), 0);
	ASSERT_EQ(sharing_add(&b, 0, 0x1000, 77, 0), 0);
	ASSERT_EQ(sharing_add(&b, 1, 0x2000, 78, 0), 0);
	ASSERT_EQ(sharing_add(&b, 1, 0x3000, 79, 0), 0);
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	sharing_reduce_partial(&a, false);
	sharing_reduce_partial(&b, false);
	ASSERT_TRUE(sharing_same(&a, &b, &names, why, sizeof(why)));
	b.n--;                 /* a page present in one view only */
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	sharing_clear(&a);
	sharing_clear(&b);
	/* with /proc/kpageflags the zero page stays told apart */
	ASSERT_EQ(sharing_add(&a, 0, 0x1000, SHARING_ZERO, 0), 0);
	ASSERT_EQ(sharing_add(&b, 0, 0x1000, 9, 0), 0);
	sharing_reduce_partial(&a, true);
	sharing_reduce_partial(&b, true);
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	ASSERT_TRUE(sharing_expect_partial_ok(&none, false));
	ASSERT_FALSE(sharing_expect_partial_ok(&zero, false));
	ASSERT_TRUE(sharing_expect_partial_ok(&zero, true));
	ASSERT_FALSE(sharing_expect_partial_ok(&same, true));
	sharing_free(&a);
	sharing_free(&b);
	return true;
}

/*
 * Large folios (issue 19): a 2 MiB folio PMD-mapped in p0 and PTE-mapped in
 * p1 prints one "frames" line and one "folio" line, not 512 lines; a 16 KiB
 * folio with a page unmapped and a page mapped elsewhere breaks its run.
 */
static bool test_dump_large_folios(void)
{
	struct sharing s = { 0 };
	unsigned p1 = (unsigned)op_stream_proc_id(&names, "p1");

	for (uint64_t i = 0; i < 512; i++) {
		ASSERT_EQ(sharing_add_folio(&s, 0, 0x10000000 + i * 4096,
					    0x400 + i, SHARING_PMD, 0x400, 512),
			  0);
		ASSERT_EQ(sharing_add_folio(&s, p1, 0x20000000 + i * 4096,
					    0x400 + i, 0, 0x400, 512), 0);
	}
	sharing_sort(&s);
	ASSERT_TRUE(dump_is(&s,
		"frames 1-512: p0:0x10000000 p1:0x20000000\n"
		"folio 2M frames 1-512: p0:0x10000000 pmd "
		"p1:0x20000000 pte[0-511]\n"));
	sharing_clear(&s);
	/* 16K folio at 0x80: pages 0, 1, 3 at p0:0x1000.. (2 unmapped), page
	 * 1 also at p1:0x9000; a small page between */
	ASSERT_EQ(sharing_add_folio(&s, 0, 0x1000, 0x80, 0, 0x80, 4), 0);
	ASSERT_EQ(sharing_add_folio(&s, 0, 0x2000, 0x81, 0, 0x80, 4), 0);
	ASSERT_EQ(sharing_add_folio(&s, 0, 0x4000, 0x83, 0, 0x80, 4), 0);
	ASSERT_EQ(sharing_add(&s, 0, 0x5000, 0x99, 0), 0);
	ASSERT_EQ(sharing_add_folio(&s, p1, 0x9000, 0x81, 0, 0x80, 4), 0);
	ASSERT_EQ(sharing_add_folio(&s, 0, 0x3000, 0x84, 0, 0x80, 4),
		  -EINVAL);
	sharing_sort(&s);
	ASSERT_TRUE(dump_is(&s,
		"frame 1: p0:0x1000\n"
		"frame 2: p0:0x2000 p1:0x9000\n"
		"frame 3: p0:0x4000\n"
		"frame 4: p0:0x5000\n"
		"folio 16K frames 1-3: p0:0x1000 pte[0-1] p0:0x4000 pte[3] "
		"p1:0x9000 pte[1]\n"));
	sharing_free(&s);
	return true;
}

/*
 * sharing_same() tells apart what the folio structure differs in: a page
 * of a different index, a folio of another size, PMD against PTE, two
 * pages of one folio against two folios.
 */
static bool test_same_compares_folios(void)
{
	struct sharing a = { 0 }, b = { 0 };
	char why[256];

	ASSERT_EQ(sharing_add_folio(&a, 0, 0x1000, 0x80, 0, 0x80, 4), 0);
	ASSERT_EQ(sharing_add_folio(&a, 0, 0x2000, 0x81, 0, 0x80, 4), 0);
	ASSERT_EQ(sharing_add_folio(&b, 0, 0x1000, 0x180, 0, 0x180, 4), 0);
	ASSERT_EQ(sharing_add_folio(&b, 0, 0x2000, 0x181, 0, 0x180, 4), 0);
	ASSERT_TRUE(sharing_same(&a, &b, &names, why, sizeof(why)));
	b.e[1].folio = 0x181;           /* two folios, same frames */
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	b.e[1].folio = 0x180;
	b.e[1].folio_nr = b.e[0].folio_nr = 8;  /* another size */
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	ASSERT_TRUE(strstr(why, "of a 32K folio, by pte") != NULL);
	b.e[1].folio_nr = b.e[0].folio_nr = 4;
	b.e[1].flags = SHARING_PMD;     /* by PMD in one view only */
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	b.e[1].flags = 0;
	b.e[0].frame = 0x182;           /* another page of the folio */
	b.e[1].frame = 0x183;
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	sharing_free(&a);
	sharing_free(&b);
	return true;
}

/*
 * issue 20: a KSM page's dump line says "(ksm)", and two views that differ
 * only in whether a frame is a KSM page are not the same (run --kernel
 * and the kernel engine compare the model's PageKsm with KPF_KSM)
 */
static bool test_ksm_mark(void)
{
	struct sharing a = { 0 }, b = { 0 };
	char why[256];

	ASSERT_EQ(op_stream_proc_id(&names, "p1"), 1);
	ASSERT_EQ(sharing_add(&a, 0, 0x1000, 5, SHARING_KSM), 0);
	ASSERT_EQ(sharing_add(&a, 1, 0x2000, 5, SHARING_KSM), 0);
	ASSERT_EQ(sharing_add(&a, 1, 0x3000, 6, 0), 0);
	ASSERT_TRUE(dump_is(&a,
		"frame 1 (ksm): p0:0x1000 p1:0x2000\n"
		"frame 2: p1:0x3000\n"));
	ASSERT_EQ(sharing_add(&b, 0, 0x1000, 9, SHARING_KSM), 0);
	ASSERT_EQ(sharing_add(&b, 1, 0x2000, 9, SHARING_KSM), 0);
	ASSERT_EQ(sharing_add(&b, 1, 0x3000, 8, 0), 0);
	ASSERT_TRUE(sharing_same(&a, &b, &names, why, sizeof(why)));
	b.e[0].flags = b.e[1].flags = 0;   /* the same sharing, not merged */
	ASSERT_FALSE(sharing_same(&a, &b, &names, why, sizeof(why)));
	ASSERT_TRUE(strstr(why, "p0:0x1000 maps a KSM page mapped by p0:0x1000 "
			   "p1:0x2000; p0:0x1000 maps a frame mapped by") !=
		    NULL);
	sharing_free(&a);
	sharing_free(&b);
	return true;
}

int main(void)
{
	static bool (*const tests[])(void) = {
		test_dump_numbers_by_name_order,
		test_dump_empty_is_one_blank_line,
		test_expectations,
		test_same_renames_frames,
		test_partial_keeps_presence_only,
		test_dump_large_folios,
		test_same_compares_folios,
		test_ksm_mark,
	};
	unsigned failed = 0, n = sizeof(tests) / sizeof(tests[0]);

	for (unsigned i = 0; i < n; i++) {
		op_stream_free(&names);
		if (op_stream_init(&names))
			return 1;
		failed += !tests[i]();
	}
	op_stream_free(&names);
	printf("%u passed, %u failed\n", n - failed, failed);
	return failed != 0;
}
