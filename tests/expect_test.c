/*
 * Unit test of oracle/expect.h: the dump text (the spec's format, numbered
 * and sorted exactly as kernel_run.py does, from hand-made scans), and the
 * outcome and detail text of each expectation on a small real world,
 * including a scan that disagrees with the backend's walk (a divergence).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/world.h"
#include "trace/trace.h"
#include "oracle/expect.h"
#include "oracle/scan.h"
#include "tests/assert.h"

/* a scan entry of a small page (or the zero page): pfn, pid, address */
#define E(pfn, pid, addr) { (pfn), (pid), (addr), 0, false }

#define ZERO 1000   /* the zero page of the hand-made scans */

/* The dump of the N entries E (any order), compared with WANT. */
static bool dump_is(const struct op_stream *s, struct scan_entry *e,
		    uint32_t n, const char *want)
{
	struct scan sc = { .e = e, .n = n, .cap = n };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok;

	ASSERT_TRUE(f && check_dump(f, NULL, &sc, ZERO, s) == 0);
	fclose(f);
	ok = !strcmp(text, want);
	if (!ok)
		fprintf(stderr, "got:\n%swant:\n%s", text, want);
	free(text);
	return ok;
}

static bool test_dump_spec_example(void)
{
	struct op_stream s;
	/* pfn order is not frame order: numbers come from the sort */
	struct scan_entry e[] = {
		E(5, 0, 0x10001000), E(ZERO, 1, 0x20002000),
		E(9, 1, 0x20000000), E(ZERO, 0, 0x10002000),
		E(9, 0, 0x10000000),
	};

	ASSERT_TRUE(op_stream_init(&s) == 0);
	ASSERT_TRUE(op_stream_proc_id(&s, "p1") == 1);
	ASSERT_TRUE(dump_is(&s, e, 5,
			    "frame 1: p0:0x10000000 p1:0x20000000\n"
			    "frame 2: p0:0x10001000\n"
			    "zero: p0:0x10002000 p1:0x20002000\n"));
	op_stream_free(&s);
	return true;
}

static bool test_dump_python_order(void)
{
	struct op_stream s;
	/* "p10" < "p2" as strings; frames numbered by first mapping */
	struct scan_entry e[] = {
		E(3, 2, 0x1000), E(4, 1, 0x2000), E(3, 1, 0x5000),
		E(4, 2, 0x0),    E(8, 0, 0x9000), E(2, 3, 0x1000),
	};

	ASSERT_TRUE(op_stream_init(&s) == 0);
	ASSERT_TRUE(op_stream_proc_id(&s, "p2") == 1);
	ASSERT_TRUE(op_stream_proc_id(&s, "p10") == 2);
	ASSERT_TRUE(op_stream_proc_id(&s, "a") == 3);
	ASSERT_TRUE(dump_is(&s, e, 6,
			    "frame 1: a:0x1000\n"
			    "frame 2: p0:0x9000\n"
			    "frame 3: p10:0x0 p2:0x2000\n"
			    "frame 4: p10:0x1000 p2:0x5000\n"));
	op_stream_free(&s);
	return true;
}

static bool test_dump_empty_and_zero_only(void)
{
	struct op_stream s;
	struct scan_entry e[] = { E(ZERO, 0, 0xfff000) };

	ASSERT_TRUE(op_stream_init(&s) == 0);
	ASSERT_TRUE(dump_is(&s, e, 0, "\n"));   /* print("") in Python */
	ASSERT_TRUE(dump_is(&s, e, 1, "zero: p0:0xfff000\n"));
	op_stream_free(&s);
	return true;
}

/* A world that ran TEXT, its stream and a fresh scan. */
struct fixture {
	struct op_stream s;
	struct world *w;
	struct scan sc;
};

static bool setup(struct fixture *fx, const char *text)
{
	struct trace_error e;
	struct world_config cfg = { 0 };

	memset(fx, 0, sizeof(*fx));
	ASSERT_TRUE(op_stream_init(&fx->s) == 0);
	ASSERT_TRUE(trace_parse("t", text, strlen(text), &fx->s, &e) == 0);
	fx->w = world_new(&cfg);
	ASSERT_TRUE(fx->w);
	for (uint32_t i = 0; i < fx->s.nops; i++)
		if (!op_is_check(&fx->s.ops[i]))
			ASSERT_TRUE(world_apply(fx->w, &fx->s.ops[i]) == 0);
	ASSERT_TRUE(scan_world(fx->w, &fx->sc) == 0);
	return true;
}

static void teardown(struct fixture *fx)
{
	scan_free(&fx->sc);
	world_free(fx->w);
	op_stream_free(&fx->s);
}

/* Check op I of the fixture: passed?, detail, divergences. */
static bool outcome(struct fixture *fx, uint32_t i, bool passed,
		    const char *detail, unsigned divergences)
{
	struct check_outcome o;
	bool ok;

	ASSERT_TRUE(check_expect(fx->w, &fx->sc, &fx->s, &fx->s.ops[i], &o) ==
		    0);
	ok = o.passed == passed && o.divergences == divergences &&
	     !strncmp(o.detail, detail, strlen(detail));
	if (!ok)
		fprintf(stderr, "op %u: passed %d divergences %u '%s'\n%s", i,
			o.passed, o.divergences, o.detail, o.report);
	check_outcome_free(&o);
	return ok;
}

static const char fork_trace[] =
	"mmap p0 0x10000000 0x4000 rw anon private\n"
	"write p0 0x10000000\n"
	"read p0 0x10001000\n"
	"fork p0 p1\n"
	"expect-map p0:0x10000000 = p1:0x10000000 p0:0x10000000\n"  /* 4 */
	"expect-map p0:0x10000000 = p0:0x10000000\n"
	"expect-map p0:0x10003000 =\n"
	"expect-same p0:0x10000000 p1:0x10000000\n"
	"expect-diff p0:0x10000000 p1:0x10000000\n"
	"expect-same p0:0x10002000 p1:0x10000000\n"
	"expect-zero p1:0x10001000\n"                                /* 10 */
	"expect-zero p0:0x10000000\n"
	"expect-none p0:0x10002000\n"
	"expect-none p1:0x10001000\n"
	"dump\n";

static bool test_expectations(void)
{
	struct fixture fx;

	if (!setup(&fx, fork_trace))
		return false;
	ASSERT_TRUE(outcome(&fx, 4, true, "passed", 0));
	ASSERT_TRUE(outcome(&fx, 5, false,
			    "FAILED: got p0:0x10000000 p1:0x10000000", 0));
	ASSERT_TRUE(outcome(&fx, 6, true, "passed", 0));
	ASSERT_TRUE(outcome(&fx, 7, true, "passed", 0));
	ASSERT_TRUE(outcome(&fx, 8, false, "FAILED: frames ", 0));
	ASSERT_TRUE(outcome(&fx, 9, false, "FAILED: frames None ", 0));
	ASSERT_TRUE(outcome(&fx, 10, true, "passed", 0));
	ASSERT_TRUE(outcome(&fx, 11, false, "FAILED: frame ", 0));
	ASSERT_TRUE(outcome(&fx, 12, true, "passed", 0));
	ASSERT_TRUE(outcome(&fx, 13, false, "FAILED: frame zero", 0));
	teardown(&fx);
	return true;
}

/* A scan that disagrees with the walk: both views reach the report. */
static bool test_divergence_reported(void)
{
	struct fixture fx;
	struct check_outcome o;
	struct scan_entry *e;
	uint64_t pfn;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!setup(&fx, fork_trace))
		return false;
	ASSERT_TRUE(world_frame_at(fx.w, 0, 0x10000000, &pfn) == 1);
	/* forget p1's mapping in the scan: the walk still finds it */
	e = fx.sc.e;
	for (uint32_t i = 0; i < fx.sc.n; i++) {
		if (e[i].pfn == pfn && e[i].pid == 1) {
			memmove(&e[i], &e[i + 1],
				(fx.sc.n - i - 1) * sizeof(*e));
			fx.sc.n--;
			break;
		}
	}
	ASSERT_TRUE(check_expect(fx.w, &fx.sc, &fx.s, &fx.s.ops[4], &o) == 0);
	ASSERT_TRUE(!o.passed && o.divergences == 1);
	ASSERT_TRUE(!strcmp(o.detail, "FAILED: got p0:0x10000000"));
	ASSERT_TRUE(strstr(o.report, "DIVERGENCE: p0:0x10000000 frame ") &&
		    strstr(o.report, ": scan p0:0x10000000; walk(") &&
		    strstr(o.report, ") p0:0x10000000 p1:0x10000000\n"));
	check_outcome_free(&o);
	/* expect-same looks at the frame too; its verdict is the scan's, which
	 * no longer has p1 there */
	ASSERT_TRUE(check_expect(fx.w, &fx.sc, &fx.s, &fx.s.ops[7], &o) == 0);
	ASSERT_TRUE(!o.passed && o.divergences == 1);
	ASSERT_TRUE(!strncmp(o.detail, "FAILED: frames ", 15) &&
		    strstr(o.detail, " None"));
	check_outcome_free(&o);

	f = open_memstream(&text, &len);
	ASSERT_TRUE(f);
	ASSERT_TRUE(check_walk_vs_scan(fx.w, &fx.sc, &fx.s, pfn, "x", f) == 1);
	ASSERT_TRUE(check_walk_vs_scan(fx.w, &fx.sc, &fx.s,
				       world_zero_pfn(fx.w), "y", f) == 0);
	fclose(f);
	ASSERT_TRUE(!strncmp(text, "     DIVERGENCE: x frame ", 25));
	free(text);
	ASSERT_TRUE(check_expect(fx.w, &fx.sc, &fx.s, &fx.s.ops[0], &o) ==
		    -EINVAL);
	teardown(&fx);
	return true;
}

int main(void)
{
	static const struct {
		const char *name;
		bool (*fn)(void);
	} tests[] = {
#define T(x) { #x, x }
		T(test_dump_spec_example),
		T(test_dump_python_order),
		T(test_dump_empty_and_zero_only),
		T(test_expectations),
		T(test_divergence_reported),
#undef T
	};
	unsigned passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (tests[i].fn()) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL %s\n", tests[i].name);
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
