/*
 * Unit test of the .rmt parser and printer (trace/trace.h): every command
 * parses into the fields the spec gives it, every error names its line and
 * token, numbers are decimal or 0x hex and nothing else, and printed streams
 * parse back to the same stream.  Garbage must never crash the parser.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/op_interleave.h"
#include "trace/trace.h"
#include "tests/assert.h"

/* Parse TEXT into a fresh *S; the parse's return value. */
static int parse(const char *text, struct op_stream *s, struct trace_error *e)
{
	if (op_stream_init(s))
		abort();
	return trace_parse("t.rmt", text, strlen(text), s, e);
}

/* TEXT parses; S holds it. */
static bool parses(const char *text, struct op_stream *s)
{
	struct trace_error e;
	char msg[256];

	if (parse(text, s, &e) == 0)
		return true;
	trace_error_format(&e, msg, sizeof(msg));
	fprintf(stderr, "unexpected parse error: %s\n", msg);
	op_stream_free(s);
	return false;
}

/* TEXT fails at LINE near TOKEN with a message containing MSG. */
static bool fails(const char *text, unsigned line, const char *token,
		  const char *msg)
{
	struct op_stream s;
	struct trace_error e;
	int rc = parse(text, &s, &e);

	op_stream_free(&s);
	if (rc == -1 && e.line == line && !strcmp(e.token, token) &&
	    strstr(e.msg, msg))
		return true;
	fprintf(stderr, "text: %s\n  want %u '%s' '%s'\n  got rc %d %u '%s' "
		"'%s'\n", text, line, token, msg, rc, e.line, e.token, e.msg);
	return false;
}

/* Print S, parse the text, compare; also print twice gives one text. */
static bool round_trips(const struct op_stream *s)
{
	char *text = NULL, *text2 = NULL, why[128];
	size_t len = 0, len2 = 0;
	struct op_stream back;
	struct trace_error e;
	FILE *f = open_memstream(&text, &len);
	bool ok;

	ASSERT_TRUE(f && trace_print(f, s) == 0);
	fclose(f);
	ok = parse(text, &back, &e) == 0;
	if (!ok)
		fprintf(stderr, "reparse: line %u '%s' %s\n%s", e.line,
			e.token, e.msg, text);
	ok = ok && op_stream_equal(s, &back, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "round trip differs: %s\n%s", why, text);
	f = open_memstream(&text2, &len2);
	ok = ok && f && trace_print(f, &back) == 0;
	if (f)
		fclose(f);
	ok = ok && len == len2 && !memcmp(text, text2, len);
	op_stream_free(&back);
	free(text);
	free(text2);
	return ok;
}

static const char every_command[] =
	"# every command of the spec\n"
	"file f0 0x8000\n"
	"mmap p0 0x10000000 0x4000 rw anon private\n"
	"mmap p0 0x20000000 8192 r f0@0x1000 shared => ok\n"
	"munmap p0 0x10003000 0x1000\n"
	"mprotect p0 0x10000000 0x1000 none => EINVAL\n"
	"mremap p0 0x10000000 0x2000 0x3000\n"
	"mremap p0 0x10000000 0x2000 0x2000 dontunmap fixed 0x30000000 "
	"maymove\n"
	"madvise p0 0x10000000 0x1000 dontneed\n"
	"fork p0 p1\n"
	"read p1 0x10000000 => SIGSEGV\n"
	"write p1 0x10000000\n"
	"migrate p1 0x10000000\n"
	"pageout p1 0x10000000\n"
	"age p0 0x10000000 => referenced=2\n"
	"expect-map p0:0x10000000 = p0:0x10000000 p1:0x10000000\n"
	"expect-same p0:0x10000000 p1:0x10000000\n"
	"expect-diff p0:0x10000000 p1:0x10001000\n"
	"expect-zero p0:0x10002000\n"
	"expect-none p1:0x10003000\n"
	"exit p1\n"
	"dump\n";

/*
 * thp-sizes (issue 19): sizes in any order print smallest first, only
 * before the first op, each a power of two from 16K to 2M, once
 */
static bool test_thp_sizes(void)
{
	static const char *const bad[] = {
		"thp-sizes 8K\n", "thp-sizes 4M\n", "thp-sizes 48K\n",
		"thp-sizes 16K,16K\n", "thp-sizes 16K,\n", "thp-sizes\n",
		"thp-sizes 2M;16K\n",
		"mmap p0 0x10000000 0x1000 rw anon private\nthp-sizes 2M\n",
	};
	char buf[96];
	struct op_stream s;

	ASSERT_TRUE(parses("# sizes\nthp-sizes 2M,16K,64K\n", &s));
	ASSERT_TRUE(s.ops[0].kind == OP_THP_SIZES);
	ASSERT_EQ(s.ops[0].len, 1u << 9 | 1u << 4 | 1u << 2);
	trace_print_op(&s, &s.ops[0], buf, sizeof(buf));
	ASSERT_TRUE(!strcmp(buf, "thp-sizes 16K,64K,2M"));
	op_stream_free(&s);
	ASSERT_TRUE(parses("thp-sizes 1M\n", &s));
	ASSERT_EQ(s.ops[0].len, 1u << 8);
	op_stream_free(&s);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trace_error e;

		ASSERT_TRUE(parse(bad[i], &s, &e) != 0);
		op_stream_free(&s);
	}
	return true;
}

/* madvise's advices (version 1's dontneed, issue 20's fork advices) */
static bool test_madvise_advices(void)
{
	static const char *const names[ADV_MAX] = {
		"dontneed", "dontfork", "dofork", "wipeonfork", "keeponfork",
		[ADV_HUGEPAGE] = "hugepage", [ADV_NOHUGEPAGE] = "nohugepage",
		[ADV_COLLAPSE] = "collapse",
	};
	char line[96], buf[96];
	struct op_stream s;

	for (unsigned a = 0; a < ADV_MAX; a++) {
		if (!names[a]) {        /* a number no advice has (yet) */
			ASSERT_TRUE(op_advice_name(a) == NULL);
			continue;
		}
		snprintf(line, sizeof(line), "madvise p0 0x10000000 0x2000 %s\n",
			 names[a]);
		ASSERT_TRUE(parses(line, &s));
		ASSERT_TRUE(s.ops[0].kind == OP_MADVISE && s.ops[0].advice == a);
		trace_print_op(&s, &s.ops[0], buf, sizeof(buf));
		line[strlen(line) - 1] = '\0';
		ASSERT_TRUE(!strcmp(buf, line));
		op_stream_free(&s);
	}
	return true;
}

static bool test_every_command_parses(void)
{
	struct op_stream s;
	const struct op *o;

	ASSERT_TRUE(parses(every_command, &s));
	ASSERT_TRUE(s.nops == 21 && s.nprocs == 2 && s.nfiles == 1);
	o = s.ops;
	ASSERT_TRUE(o[0].kind == OP_FILE && o[0].file == 0 &&
		    o[0].len == 0x8000 && o[0].line == 2);
	ASSERT_TRUE(o[1].kind == OP_MMAP && o[1].proc == 0 &&
		    o[1].addr == 0x10000000 && o[1].len == 0x4000 &&
		    o[1].prot == PROT_RW && o[1].flags == OPF_ANON);
	ASSERT_TRUE(o[2].kind == OP_MMAP && o[2].len == 8192 &&
		    o[2].prot == PROT_R && o[2].file == 0 &&
		    o[2].off == 0x1000 &&
		    o[2].flags == (OPF_SHARED | OPF_HAS_EXPECT) &&
		    o[2].expect == RES_OK);
	ASSERT_TRUE(o[3].kind == OP_MUNMAP && o[3].addr == 0x10003000 &&
		    o[3].len == 0x1000);
	ASSERT_TRUE(o[4].kind == OP_MPROTECT && o[4].prot == PROT_NONE_ &&
		    o[4].expect == -EINVAL && o[4].flags == OPF_HAS_EXPECT);
	ASSERT_TRUE(o[5].kind == OP_MREMAP && o[5].len == 0x2000 &&
		    o[5].newlen == 0x3000 && o[5].flags == 0);
	ASSERT_TRUE(o[6].flags == (OPF_DONTUNMAP | OPF_FIXED | OPF_MAYMOVE) &&
		    o[6].addr2 == 0x30000000);
	ASSERT_TRUE(o[7].kind == OP_MADVISE && o[7].len == 0x1000);
	ASSERT_TRUE(o[8].kind == OP_FORK && o[8].proc == 0 && o[8].proc2 == 1);
	ASSERT_TRUE(o[9].kind == OP_READ && o[9].proc == 1 &&
		    o[9].expect == RES_SIGSEGV);
	ASSERT_TRUE(o[10].kind == OP_WRITE && o[11].kind == OP_MIGRATE &&
		    o[12].kind == OP_PAGEOUT);
	ASSERT_TRUE(o[13].kind == OP_AGE && o[13].expect == 2);
	ASSERT_TRUE(o[14].kind == OP_EXPECT_MAP && o[14].nrefs == 2 &&
		    s.refs[o[14].refs].proc == 0 &&
		    s.refs[o[14].refs + 1].proc == 1 &&
		    s.refs[o[14].refs + 1].addr == 0x10000000);
	ASSERT_TRUE(o[15].kind == OP_EXPECT_SAME && o[15].proc2 == 1 &&
		    o[15].addr2 == 0x10000000);
	ASSERT_TRUE(o[16].kind == OP_EXPECT_DIFF && o[16].addr2 == 0x10001000);
	ASSERT_TRUE(o[17].kind == OP_EXPECT_ZERO && o[18].kind == OP_EXPECT_NONE);
	ASSERT_TRUE(o[19].kind == OP_EXIT && o[19].proc == 1);
	ASSERT_TRUE(o[20].kind == OP_DUMP && o[20].line == 22);
	ASSERT_TRUE(!strcmp(s.proc_names[1], "p1") &&
		    !strcmp(s.file_names[0], "f0"));
	ASSERT_TRUE(round_trips(&s));
	op_stream_free(&s);
	return true;
}

static bool test_mremap_options_any_order(void)
{
	static const char *const lines[] = {
		"maymove", "fixed 0x5000", "dontunmap",
		"fixed 0x5000 maymove", "dontunmap maymove",
		"dontunmap fixed 0x5000", "fixed 0x5000 dontunmap maymove",
	};
	static const unsigned flags[] = {
		OPF_MAYMOVE, OPF_FIXED, OPF_DONTUNMAP,
		OPF_FIXED | OPF_MAYMOVE, OPF_DONTUNMAP | OPF_MAYMOVE,
		OPF_DONTUNMAP | OPF_FIXED,
		OPF_FIXED | OPF_DONTUNMAP | OPF_MAYMOVE,
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char text[128];
		struct op_stream s;

		snprintf(text, sizeof(text), "mremap p0 0x1000 4096 4096 %s",
			 lines[i]);
		ASSERT_TRUE(parses(text, &s));
		ASSERT_TRUE(s.ops[0].flags == flags[i]);
		ASSERT_TRUE(!(flags[i] & OPF_FIXED) ||
			    s.ops[0].addr2 == 0x5000);
		ASSERT_TRUE(round_trips(&s));
		op_stream_free(&s);
	}
	ASSERT_TRUE(fails("mremap p0 0x1000 4096 4096 maymove maymove", 1,
			  "maymove", "twice"));
	ASSERT_TRUE(fails("mremap p0 0x1000 4096 4096 fixed 1 fixed 2", 1,
			  "fixed", "twice"));
	ASSERT_TRUE(fails("mremap p0 0x1000 4096 4096 dontunmap dontunmap", 1,
			  "dontunmap", "twice"));
	ASSERT_TRUE(fails("mremap p0 0x1000 4096 4096 fixed", 1, "fixed",
			  "missing argument NEWADDR"));
	ASSERT_TRUE(fails("mremap p0 0x1000 4096 4096 fixed maymove", 1,
			  "maymove", "bad number"));
	ASSERT_TRUE(fails("mremap p0 0x1000 4096 4096 move", 1, "move",
			  "unknown mremap option"));
	ASSERT_TRUE(fails("mremap p0 0x1000 4096", 1, "mremap",
			  "missing argument NEWLEN"));
	return true;
}

static bool num(const char *tok, unsigned long long want)
{
	char text[128];
	struct op_stream s;
	bool ok;

	snprintf(text, sizeof(text), "read p0 %s", tok);
	if (!parses(text, &s))
		return false;
	ok = s.ops[0].addr == want;
	op_stream_free(&s);
	return ok;
}

static bool bad_num(const char *tok, const char *msg)
{
	char text[128];

	snprintf(text, sizeof(text), "read p0 %s", tok);
	return fails(text, 1, tok, msg);
}

static bool test_numbers_hex_and_decimal(void)
{
	ASSERT_TRUE(num("0", 0));
	ASSERT_TRUE(num("4096", 4096));
	ASSERT_TRUE(num("0x1000", 0x1000));
	ASSERT_TRUE(num("0X1000", 0x1000));
	ASSERT_TRUE(num("0xABCdef", 0xabcdef));
	ASSERT_TRUE(num("0x0", 0));
	ASSERT_TRUE(num("0x00000000000000000001", 1));
	ASSERT_TRUE(num("0xffffffffffffffff", 0xffffffffffffffffull));
	ASSERT_TRUE(num("18446744073709551615", 0xffffffffffffffffull));
	ASSERT_TRUE(bad_num("0x10000000000000000", "too large"));
	ASSERT_TRUE(bad_num("18446744073709551616", "too large"));
	ASSERT_TRUE(bad_num("99999999999999999999999", "too large"));
	ASSERT_TRUE(bad_num("0x", "bad number"));
	ASSERT_TRUE(bad_num("0xg", "bad number"));
	ASSERT_TRUE(bad_num("0x10z", "bad number"));
	ASSERT_TRUE(bad_num("12a", "bad number"));
	ASSERT_TRUE(bad_num("-1", "bad number"));
	ASSERT_TRUE(bad_num("+1", "bad number"));
	ASSERT_TRUE(bad_num("010", "bad number"));
	ASSERT_TRUE(bad_num("1_000", "bad number"));
	ASSERT_TRUE(bad_num("0o17", "bad number"));
	ASSERT_TRUE(bad_num("0b1", "bad number"));
	ASSERT_TRUE(bad_num("x10", "bad number"));
	ASSERT_TRUE(fails("mmap p0 0x1000 0x1000 rw anon private\n"
			  "file f 10\nmmap p0 0 1 r f@0x1g shared", 3,
			  "f@0x1g", "bad file offset"));
	ASSERT_TRUE(fails("expect-none p0:0x", 1, "p0:0x", "bad address"));
	ASSERT_TRUE(fails("expect-none p0:0x10000000000000000", 1,
			  "p0:0x10000000000000000", "too large"));
	return true;
}

static bool test_names(void)
{
	struct op_stream s;
	const char *longest = "fork p0 a234567890123456789012345678901";

	ASSERT_TRUE(parses("fork p0 a_b_9\nfork a_b_9 z\nexit z", &s));
	ASSERT_TRUE(s.nprocs == 3 && !strcmp(s.proc_names[2], "z"));
	op_stream_free(&s);
	ASSERT_TRUE(parses(longest, &s));
	op_stream_free(&s);
	ASSERT_TRUE(fails("fork p0 a2345678901234567890123456789012", 1,
			  "a2345678901234567890123456789012", "bad process"));
	ASSERT_TRUE(fails("fork p0 P1", 1, "P1", "bad process name"));
	ASSERT_TRUE(fails("fork p0 1p", 1, "1p", "bad process name"));
	ASSERT_TRUE(fails("fork p0 _p", 1, "_p", "bad process name"));
	ASSERT_TRUE(fails("fork p0 p-1", 1, "p-1", "bad process name"));
	ASSERT_TRUE(fails("read P0 0", 1, "P0", "bad process name"));
	ASSERT_TRUE(fails("file F 0", 1, "F", "bad file name"));
	ASSERT_TRUE(fails("file f.x 0", 1, "f.x", "bad file name"));
	ASSERT_TRUE(fails("expect-zero P0:0x1000", 1, "P0:0x1000",
			  "bad process name"));
	ASSERT_TRUE(fails("expect-zero :0x1000", 1, ":0x1000",
			  "bad process name"));
	ASSERT_TRUE(fails("expect-zero p0", 1, "p0", "bad mapping reference"));
	ASSERT_TRUE(fails("mmap p0 0 1 r @0 shared", 1, "@0", "bad file name"));
	ASSERT_TRUE(fails("mmap p0 0 1 r f0 shared", 1, "f0",
			  "bad mapping source"));
	/* process and file names are separate tables */
	ASSERT_TRUE(parses("file p0 0x1000\nfork p0 f0\n"
			   "mmap f0 0 0x1000 r p0@0 private", &s));
	ASSERT_TRUE(s.nprocs == 2 && s.nfiles == 1 && s.ops[2].proc == 1 &&
		    s.ops[2].file == 0);
	op_stream_free(&s);
	return true;
}

static bool test_processes_must_be_created_first(void)
{
	struct op_stream s;

	ASSERT_TRUE(fails("read p1 0x1000", 1, "p1", "unknown process"));
	ASSERT_TRUE(fails("\n\nfork p1 p2", 3, "p1", "unknown process"));
	ASSERT_TRUE(fails("read p0 0\nfork p0 p1\nexpect-same p1:0 p2:0", 3,
			  "p2:0", "unknown process"));
	ASSERT_TRUE(fails("fork p0 p1\nexpect-map p0:0 = p0:0 p1:0 p3:0x1000",
			  2, "p3:0x1000", "unknown process"));
	ASSERT_TRUE(fails("expect-map q:0 = p0:0", 1, "q:0",
			  "unknown process"));
	/* used before the fork line that creates it */
	ASSERT_TRUE(fails("exit p1\nfork p0 p1", 1, "p1", "unknown process"));
	ASSERT_TRUE(fails("fork p0 p0", 1, "p0", "fork into itself"));
	ASSERT_TRUE(fails("fork p0 p1\nfork p1 p1 => ok", 2, "p1",
			  "fork into itself"));
	ASSERT_TRUE(fails("mmap p0 0 0x1000 r f0@0 private", 1, "f0@0",
			  "unknown file"));
	ASSERT_TRUE(fails("file f0 0\nmmap p0 0 0x1000 r f1@0 private", 2,
			  "f1@0", "unknown file"));
	/* a later fork line does not create a name for earlier lines */
	ASSERT_TRUE(fails("fork p0 p1 extra\nread p1 0", 1, "extra",
			  "extra argument"));
	/* exited processes stay known: the world answers ESRCH */
	ASSERT_TRUE(parses("fork p0 p1\nexit p1\nread p1 0 => ESRCH\n"
			   "fork p0 p1\nfork p1 p2\nexit p0\nfork p2 p0\n"
			   "expect-none p0:0", &s));
	ASSERT_TRUE(s.nprocs == 3 && s.ops[3].proc2 == 1 &&
		    s.ops[6].proc2 == 0 && s.ops[2].expect == -ESRCH);
	op_stream_free(&s);
	return true;
}

/* "fail-nth N [backend]" before an op: its fields, its errors, its text */
static bool test_fail_nth(void)
{
	struct op_stream s;

	ASSERT_TRUE(parses("fail-nth 2 fork p0 p1 => ENOMEM\n"
			   "fail-nth 0x10 backend write p0 0x1000\n"
			   "write p0 0x1000\n", &s));
	ASSERT_EQ(s.ops[0].kind, OP_FORK);
	ASSERT_EQ(s.ops[0].fail_nth, 2);
	ASSERT_TRUE(!(s.ops[0].flags & OPF_FAIL_BACKEND));
	ASSERT_EQ(s.ops[1].fail_nth, 16);
	ASSERT_TRUE(s.ops[1].flags & OPF_FAIL_BACKEND);
	ASSERT_EQ(s.ops[2].fail_nth, 0);
	ASSERT_TRUE(round_trips(&s));
	op_stream_free(&s);
	ASSERT_TRUE(fails("fail-nth", 1, "fail-nth", "missing argument N"));
	ASSERT_TRUE(fails("fail-nth 0 exit p0", 1, "fail-nth", "from 1"));
	ASSERT_TRUE(fails("fail-nth 4294967296 exit p0", 1, "fail-nth",
			  "from 1"));
	ASSERT_TRUE(fails("fail-nth 3", 1, "fail-nth", "an operation after"));
	ASSERT_TRUE(fails("fail-nth 3 backend", 1, "backend",
			  "an operation after"));
	ASSERT_TRUE(fails("fail-nth 3 dump", 1, "dump", "not to an expectation"));
	ASSERT_TRUE(fails("fail-nth 3 fail-nth 2 exit p0", 1, "fail-nth",
			  "unknown command"));
	return true;
}

/*
 * "interleave WALKER P:ADDR at POINT[:N] [=> OUTCOME]" on a line before an
 * op (issue 21): its fields land on the next operation, comments and blank
 * lines between are allowed, and it prints and parses back to itself.
 */
static bool test_interleave(void)
{
	struct op_stream s;

	ASSERT_TRUE(parses("mmap p0 0x1000 0x1000 rw anon private\n"
			   "interleave migrate p0:0x1000 at fork_link_copy => ran\n"
			   "# the walker runs between anon_vma_fork and the copy\n"
			   "\n"
			   "fork p0 p1 => ok\n"
			   "interleave unmap p1:0x1000 at unmap_zapped:3\n"
			   "fail-nth 2 munmap p0 0x1000 0x1000\n"
			   "interleave age p0:0x1000 at migrate_unmapped => impossible\n"
			   "migrate p1 0x1000\n"
			   "write p0 0x1000\n", &s));
	ASSERT_EQ(s.ops[1].kind, OP_FORK);
	ASSERT_EQ(s.ops[1].ilv_walker, ILV_WALKER_MIGRATE);
	ASSERT_EQ(s.ops[1].ilv_point, YP_FORK_LINK_COPY);
	ASSERT_EQ(s.ops[1].ilv_nth, 1);
	ASSERT_EQ(s.ops[1].ilv_expect, INTERLEAVE_RAN);
	ASSERT_EQ(s.ops[1].ilv_line, 2);
	ASSERT_EQ(s.ops[1].ilv_addr, 0x1000);
	ASSERT_EQ(s.ops[2].ilv_walker, ILV_WALKER_UNMAP);
	ASSERT_EQ(s.ops[2].ilv_proc, 1);
	ASSERT_EQ(s.ops[2].ilv_nth, 3);
	ASSERT_EQ(s.ops[2].fail_nth, 2);
	ASSERT_EQ(s.ops[3].ilv_walker, ILV_WALKER_AGE);
	ASSERT_EQ(s.ops[3].ilv_expect, INTERLEAVE_IMPOSSIBLE);
	ASSERT_EQ(s.ops[4].ilv_walker, ILV_WALKER_NONE);
	ASSERT_TRUE(round_trips(&s));
	op_stream_free(&s);
	ASSERT_TRUE(fails("interleave migrate p0:0 at fork_link_copy\n", 1, "",
			  "needs an operation"));
	ASSERT_TRUE(fails("interleave migrate p0:0 at fork_link_copy\ndump\n",
			  2, "dump", "not to an expectation"));
	ASSERT_TRUE(fails("interleave walk p0:0 at fork_link_copy\nexit p0", 1,
			  "walk", "unknown walker"));
	ASSERT_TRUE(fails("interleave age p0:0 at nowhere\nexit p0", 1,
			  "nowhere", "unknown yield point"));
	ASSERT_TRUE(fails("interleave age p0:0 at unmap_zapped:0\nexit p0", 1,
			  "unmap_zapped:0", "N is 1 to"));
	ASSERT_TRUE(fails("interleave age p1:0 at unmap_zapped\nexit p0", 1,
			  "p1:0", "unknown process"));
	ASSERT_TRUE(fails("interleave age p0:0 on unmap_zapped\nexit p0", 1,
			  "on", "expected 'at"));
	ASSERT_TRUE(fails("interleave age p0:0 at unmap_zapped => done\nexit p0",
			  1, "done", "unknown outcome"));
	ASSERT_TRUE(fails("interleave age p0:0 at unmap_zapped\n"
			  "interleave age p0:0 at unmap_zapped\nexit p0", 2,
			  "interleave", "two interleave lines"));
	return true;
}

static bool test_syntax_errors(void)
{
	ASSERT_TRUE(fails("mmap p0 0 1 rw anon private\nfrobnicate p0", 2,
			  "frobnicate", "unknown command"));
	ASSERT_TRUE(fails("MMAP p0 0 1 rw anon private", 1, "MMAP",
			  "unknown command"));
	ASSERT_TRUE(fails("expect_map p0:0 = p0:0", 1, "expect_map",
			  "unknown command"));
	ASSERT_TRUE(fails("mmap p0 0 1 rw anon", 1, "mmap",
			  "missing argument private|shared"));
	ASSERT_TRUE(fails("mmap", 1, "mmap", "missing argument P"));
	ASSERT_TRUE(fails("munmap p0 0", 1, "munmap", "missing argument LEN"));
	ASSERT_TRUE(fails("mprotect p0 0 1", 1, "mprotect",
			  "missing argument PROT"));
	ASSERT_TRUE(fails("madvise p0 0 1", 1, "madvise",
			  "missing argument ADVICE"));
	ASSERT_TRUE(fails("fork p0", 1, "fork", "missing argument Q"));
	ASSERT_TRUE(fails("exit", 1, "exit", "missing argument P"));
	ASSERT_TRUE(fails("read p0", 1, "read", "missing argument ADDR"));
	ASSERT_TRUE(fails("file f0", 1, "file", "missing argument SIZE"));
	ASSERT_TRUE(fails("expect-map p0:0", 1, "expect-map",
			  "missing argument '='"));
	ASSERT_TRUE(fails("expect-same p0:0", 1, "expect-same",
			  "missing argument Q:ADDR"));
	ASSERT_TRUE(fails("expect-none", 1, "expect-none",
			  "missing argument P:ADDR"));
	ASSERT_TRUE(fails("mmap p0 0 1 rw anon private now", 1, "now",
			  "extra argument"));
	ASSERT_TRUE(fails("exit p0 p1", 1, "p1", "extra argument"));
	ASSERT_TRUE(fails("dump all", 1, "all", "extra argument"));
	ASSERT_TRUE(fails("expect-zero p0:0 p0:0x1000", 1, "p0:0x1000",
			  "extra argument"));
	ASSERT_TRUE(fails("mmap p0 0 1 r anon shared growsdown", 1,
			  "growsdown", "anon private"));
	ASSERT_TRUE(fails("file f 0\nmmap p0 0 1 r f@0 private growsdown", 2,
			  "growsdown", "anon private"));
	ASSERT_TRUE(fails("mmap p0 0 1 r anon private growsup", 1, "growsup",
			  "extra argument"));
	ASSERT_TRUE(fails("uffd-move p0 0 0x1000 0x1000 nohole", 1, "nohole",
			  "extra argument"));
	ASSERT_TRUE(fails("uffd-move p0 0 0x1000", 1, "uffd-move",
			  "missing argument LEN"));
	ASSERT_TRUE(fails("madvise p0 0 1 willneed", 1, "willneed",
			  "unsupported advice"));
	ASSERT_TRUE(fails("mprotect p0 0 1 rwx", 1, "rwx", "bad PROT"));
	ASSERT_TRUE(fails("mmap p0 0 1 w anon private", 1, "w", "bad PROT"));
	ASSERT_TRUE(fails("mmap p0 0 1 r anon copy", 1, "copy",
			  "private or shared"));
	ASSERT_TRUE(fails("expect-map p0:0 p0:0", 1, "p0:0", "expected '='"));
	ASSERT_TRUE(fails("expect-map p0:0 = p0:0 = p0:0", 1, "=",
			  "bad mapping reference"));
	return true;
}

static bool test_results(void)
{
	static const struct {
		const char *tok;
		int res;
	} ok[] = {
		{ "ok", RES_OK }, { "EINVAL", -EINVAL }, { "ENOMEM", -ENOMEM },
		{ "EFAULT", -EFAULT }, { "EBUSY", -EBUSY }, { "ESRCH", -ESRCH },
		{ "EAGAIN", -EAGAIN }, { "EWOULDBLOCK", -EAGAIN },
		{ "SIGSEGV", RES_SIGSEGV }, { "SIGBUS", RES_SIGBUS },
		{ "errno=4000", -4000 },
	};
	struct op_stream s;
	char buf[32], text[64];
	int res;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "read p0 0 => %s", ok[i].tok);
		ASSERT_TRUE(parses(text, &s));
		ASSERT_TRUE(s.ops[0].flags & OPF_HAS_EXPECT &&
			    s.ops[0].expect == ok[i].res);
		ASSERT_TRUE(round_trips(&s));
		op_stream_free(&s);
	}
	ASSERT_TRUE(parses("age p0 0 => referenced=0\nage p0 0 =>referenced=7"
			   "\nage p0 0 => ESRCH\nread p0 0=>ok", &s));
	ASSERT_TRUE(s.ops[0].expect == 0 && s.ops[1].expect == 7 &&
		    s.ops[2].expect == -ESRCH && s.ops[3].expect == 0);
	ASSERT_TRUE(round_trips(&s));
	op_stream_free(&s);

	/* Python's names, as kernel_run.py prints them */
	ASSERT_TRUE(!strcmp(trace_result_name(OP_READ, 0, buf), "ok"));
	ASSERT_TRUE(!strcmp(trace_result_name(OP_AGE, 0, buf),
			    "referenced=0"));
	ASSERT_TRUE(!strcmp(trace_result_name(OP_AGE, 12, buf),
			    "referenced=12"));
	ASSERT_TRUE(!strcmp(trace_result_name(OP_MMAP, -EAGAIN, buf),
			    "EAGAIN"));
	ASSERT_TRUE(!strcmp(trace_result_name(OP_MMAP, -EDEADLK, buf),
			    "EDEADLOCK"));
	ASSERT_TRUE(!strcmp(trace_result_name(OP_MMAP, -EOPNOTSUPP, buf),
			    "ENOTSUP"));
	ASSERT_TRUE(!strcmp(trace_result_name(OP_READ, RES_SIGBUS, buf),
			    "SIGBUS"));
	ASSERT_TRUE(!strcmp(trace_result_name(OP_READ, -4000, buf),
			    "errno=4000"));
	for (int e = 1; e < 5000; e++) {
		ASSERT_TRUE(trace_result_parse(trace_result_name(OP_MMAP, -e,
								 buf),
					       &res) == 0);
		ASSERT_TRUE(res == -e || (e == 1011 && res == RES_SIGSEGV) ||
			    (e == 1007 && res == RES_SIGBUS));
	}
	ASSERT_TRUE(trace_result_parse("EFOO", &res) == -1);
	ASSERT_TRUE(trace_result_parse("errno=0", &res) == -1);
	ASSERT_TRUE(trace_result_parse("referenced=", &res) == -1);
	ASSERT_TRUE(trace_result_parse("referenced=-1", &res) == -1);
	ASSERT_TRUE(trace_result_parse("referenced=2147483648", &res) == -1);
	ASSERT_TRUE(trace_result_parse("Ok", &res) == -1);

	ASSERT_TRUE(fails("read p0 0 =>", 1, "=>", "missing result"));
	ASSERT_TRUE(fails("read p0 0 => ", 1, "=>", "missing result"));
	ASSERT_TRUE(fails("read p0 0 => EFOO", 1, "EFOO", "bad result"));
	ASSERT_TRUE(fails("read p0 0 => ok ok", 1, "ok", "extra argument"));
	ASSERT_TRUE(fails("read p0 0 => ok => ok", 1, "=>", "extra argument"));
	ASSERT_TRUE(fails("read p0 0 => referenced=1", 1, "referenced=1",
			  "age only"));
	ASSERT_TRUE(fails("age p0 0 => ok", 1, "ok", "referenced=N"));
	ASSERT_TRUE(fails("dump => ok", 1, "=>", "no '=> RESULT'"));
	ASSERT_TRUE(fails("expect-none p0:0 => ok", 1, "=>",
			  "no '=> RESULT'"));
	ASSERT_TRUE(fails("=> ok", 1, "=>", "missing command"));
	ASSERT_TRUE(fails("read => ok", 1, "read", "missing argument P"));
	return true;
}

static bool test_lines_comments_blanks(void)
{
	const char text[] = "# head\r\n\r\n  \t\n"
			    "read p0 0x1000 # a comment => SIGBUS\r"
			    "\v write\tp0  4096=>ok  #\n"
			    "# end without newline: dump";
	struct trace_lines tl;
	struct op_stream s;
	const char *p;
	size_t n;

	ASSERT_TRUE(parses(text, &s));
	ASSERT_TRUE(s.nops == 2);
	ASSERT_TRUE(s.ops[0].line == 4 && !(s.ops[0].flags & OPF_HAS_EXPECT));
	ASSERT_TRUE(s.ops[1].line == 5 && s.ops[1].addr == 4096 &&
		    s.ops[1].flags & OPF_HAS_EXPECT);
	op_stream_free(&s);

	ASSERT_TRUE(trace_lines_init(&tl, text, strlen(text)) == 0);
	ASSERT_TRUE(tl.n == 6);
	n = trace_lines_get(&tl, 4, &p);
	ASSERT_TRUE(n == 14 && !memcmp(p, "read p0 0x1000", n));
	n = trace_lines_get(&tl, 5, &p);
	ASSERT_TRUE(n == 18 && !memcmp(p, "write\tp0  4096=>ok", n));
	ASSERT_TRUE(trace_lines_get(&tl, 1, &p) == 0);
	ASSERT_TRUE(trace_lines_get(&tl, 6, &p) == 0);
	ASSERT_TRUE(trace_lines_get(&tl, 7, &p) == 0);
	ASSERT_TRUE(trace_lines_get(&tl, 0, &p) == 0);
	trace_lines_free(&tl);

	ASSERT_TRUE(fails("\n\r\n\rbogus", 4, "bogus", "unknown command"));
	ASSERT_TRUE(fails("read p0 0\n\n\n# x\nread p0 0 0 # y", 5, "0",
			  "extra argument"));
	ASSERT_TRUE(parses("", &s) && s.nops == 0);
	op_stream_free(&s);
	return true;
}

static bool test_error_format(void)
{
	struct op_stream s;
	struct trace_error e;
	char buf[256], cut[sizeof(e.token)];

	ASSERT_TRUE(parse("dump\nfork p0 p0", &s, &e) == -1);
	op_stream_free(&s);
	trace_error_format(&e, buf, sizeof(buf));
	ASSERT_TRUE(!strcmp(buf, "t.rmt:2: error: a process cannot fork into "
			    "itself near 'p0'"));
	/* tokens are made printable and cut */
	ASSERT_TRUE(fails("read p0 0x1\x01'", 1, "0x1??", "bad number"));
	memset(buf, 'x', 60);
	buf[60] = '\0';
	memset(cut, 'x', sizeof(e.token) - 4);
	memcpy(cut + sizeof(e.token) - 4, "...", 4);
	ASSERT_TRUE(fails(buf, 1, cut, "unknown command"));
	return true;
}

static bool test_print_canonical(void)
{
	struct op_stream s;
	char buf[256];
	const char *want[] = {
		"file f0 0x8000",
		"mmap p0 0x10000000 0x4000 rw anon private",
		"mmap p0 0x20000000 0x2000 r f0@0x1000 shared",
		"munmap p0 0x10003000 0x1000",
		"mprotect p0 0x10000000 0x1000 none",
		"mremap p0 0x10000000 0x2000 0x3000",
		("mremap p0 0x10000000 0x2000 0x2000 maymove fixed 0x30000000 "
		 "dontunmap"),
		"madvise p0 0x10000000 0x1000 dontneed",
		"fork p0 p1",
		"read p1 0x10000000",
	};

	ASSERT_TRUE(parses(every_command, &s));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ASSERT_TRUE(trace_print_op(&s, &s.ops[i], buf, sizeof(buf)) ==
			    (int)strlen(want[i]));
		if (strcmp(buf, want[i]))
			fprintf(stderr, "got  %s\nwant %s\n", buf, want[i]);
		ASSERT_TRUE(!strcmp(buf, want[i]));
	}
	trace_print_op(&s, &s.ops[14], buf, sizeof(buf));
	ASSERT_TRUE(!strcmp(buf, "expect-map p0:0x10000000 = p0:0x10000000 "
			    "p1:0x10000000"));
	trace_print_op(&s, &s.ops[20], buf, sizeof(buf));
	ASSERT_TRUE(!strcmp(buf, "dump"));
	/* a short buffer: snprintf's contract */
	ASSERT_TRUE(trace_print_op(&s, &s.ops[1], buf, 5) == 41 &&
		    !strcmp(buf, "mmap"));
	ASSERT_TRUE(trace_print_op(&s, &s.ops[1], NULL, 0) == 41);
	/* ops that cannot be printed */
	s.ops[9].proc = 7;
	ASSERT_TRUE(trace_print_op(&s, &s.ops[9], buf, sizeof(buf)) == -1);
	s.ops[9].kind = 0;
	ASSERT_TRUE(trace_print_op(&s, &s.ops[9], buf, sizeof(buf)) == -1);
	s.ops[9].kind = OP_KIND_MAX;
	ASSERT_TRUE(trace_print_op(&s, &s.ops[9], buf, sizeof(buf)) == -1);
	s.ops[14].nrefs = 100;
	ASSERT_TRUE(trace_print_op(&s, &s.ops[14], buf, sizeof(buf)) == -1);
	op_stream_free(&s);
	return true;
}

/* Streams built through the API, as the fuzz decoder builds them. */
static bool test_handwritten_streams_round_trip(void)
{
	struct op_stream s;
	struct op op;
	struct mref r;
	int p1, p2, f;

	ASSERT_TRUE(op_stream_init(&s) == 0);
	ASSERT_TRUE(s.nprocs == 1 && !strcmp(s.proc_names[0], "p0"));
	ASSERT_TRUE(round_trips(&s));
	p1 = op_stream_proc_id(&s, "p1");
	p2 = op_stream_proc_id(&s, "child_2");
	f = op_stream_file_id(&s, "data");
	ASSERT_TRUE(p1 == 1 && p2 == 2 && f == 0);
	ASSERT_TRUE(op_stream_proc_id(&s, "p1") == 1);
	ASSERT_TRUE(op_stream_proc_id(&s, "Bad") == -EINVAL);
	ASSERT_TRUE(op_stream_find_proc(&s, "child_2") == 2);
	ASSERT_TRUE(op_stream_find_file(&s, "nope") == -1);
	ASSERT_TRUE(op_stream_proc_name(&s, 3) == NULL);

	op = (struct op){ .kind = OP_FILE, .file = 0, .len = 0x123456 };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	op = (struct op){ .kind = OP_MMAP, .proc = 0, .addr = 0x7f0000000000,
			  .len = 0xffffffffffffffffull, .prot = PROT_R,
			  .file = 0, .off = 0x5000, .flags = OPF_HAS_EXPECT,
			  .expect = -ENOMEM };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	op = (struct op){ .kind = OP_FORK, .proc = 0, .proc2 = 1 };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	op = (struct op){ .kind = OP_FORK, .proc = 1, .proc2 = 2,
			  .flags = OPF_HAS_EXPECT, .expect = -EEXIST };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	/* unused fields hold junk: not printed, not compared */
	op = (struct op){ .kind = OP_MREMAP, .proc = 2, .addr = 0, .len = 1,
			  .newlen = 2, .addr2 = 99, .off = 5, .file = 9,
			  .flags = OPF_MAYMOVE | OPF_SHARED };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	op = (struct op){ .kind = OP_AGE, .proc = 1, .addr = 0x1000,
			  .flags = OPF_HAS_EXPECT, .expect = 0 };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	op = (struct op){ .kind = OP_EXPECT_MAP, .proc = 1, .addr = 0x1000,
			  .refs = s.nrefs, .nrefs = 0 };
	for (int i = 0; i < 40; i++) {
		r = (struct mref){ .proc = (uint16_t)(i % 3),
				   .addr = 0x1000 * (uint64_t)i };
		ASSERT_TRUE(op_stream_push_ref(&s, &r) == 0);
		op.nrefs++;
	}
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);  /* a line > 256 chars */
	op = (struct op){ .kind = OP_EXPECT_MAP, .proc = 2, .addr = 0,
			  .refs = s.nrefs, .nrefs = 0 };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);  /* "=" and nothing */
	op = (struct op){ .kind = OP_EXPECT_DIFF, .proc = 0, .addr = 1,
			  .proc2 = 2, .addr2 = 2 };
	ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	for (unsigned k = OP_MMAP; k < OP_KIND_MAX; k++) {
		op = (struct op){ .kind = (uint8_t)k, .proc = 1, .proc2 = 2,
				  .addr = k, .len = k << 12, .newlen = 1,
				  .addr2 = 3, .prot = PROT_RW,
				  .flags = OPF_ANON | OPF_FIXED };
		if (k == OP_FORK)
			op.proc2 = 0;
		if (k == OP_THP_SIZES)  /* before the first op only: below */
			continue;
		ASSERT_TRUE(op_stream_push(&s, &op) == 0);
	}
	ASSERT_TRUE(round_trips(&s));

	/* and op_stream_equal sees a change in any used field */
	{
		struct op_stream t;
		struct trace_error e;
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);

		ASSERT_TRUE(out && trace_print(out, &s) == 0);
		fclose(out);
		ASSERT_TRUE(parse(text, &t, &e) == 0);
		free(text);
		ASSERT_TRUE(op_stream_equal(&s, &t, NULL, 0));
		t.ops[1].off++;
		ASSERT_TRUE(!op_stream_equal(&s, &t, NULL, 0));
		t.ops[1].off--;
		t.ops[3].expect = -EINVAL;
		ASSERT_TRUE(!op_stream_equal(&s, &t, NULL, 0));
		t.ops[3].expect = -EEXIST;
		t.refs[t.ops[6].refs + 5].addr++;
		ASSERT_TRUE(!op_stream_equal(&s, &t, NULL, 0));
		t.refs[t.ops[6].refs + 5].addr--;
		t.nops--;
		ASSERT_TRUE(!op_stream_equal(&s, &t, NULL, 0));
		t.nops++;
		ASSERT_TRUE(op_stream_equal(&s, &t, NULL, 0));
		op_stream_free(&t);
	}
	/* an expectation the text cannot hold: referenced=N on a fork */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);

		s.ops[2].expect = 3;
		s.ops[2].flags |= OPF_HAS_EXPECT;
		ASSERT_TRUE(out && trace_print(out, &s) == -1);
		fclose(out);
		free(text);
	}
	op_stream_free(&s);
	return true;
}

/* xorshift: the same garbage on every run */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static bool test_garbage_never_crashes(void)
{
	static const char alphabet[] = "abpf0x19:@=># \n\r\t-_emaprdw";
	static const char *const words[] = {
		"mmap", "munmap", "mremap", "fork", "exit", "read", "write",
		"file", "expect-map", "expect-same", "dump", "p0", "p1", "f0",
		"f0@0", "p0:0x1000", "p1:0", "0x1000", "4096", "anon",
		"private", "shared", "rw", "r", "none", "=", "=>", "ok",
		"maymove", "fixed", "dontunmap", "\n", "\n", "\n", "#",
		"dontneed", "age", "referenced=1",
	};
	uint64_t x = 88172645463325252ull;
	char text[512];
	unsigned parsed = 0;

	for (int round = 0; round < 20000; round++) {
		struct op_stream s;
		struct trace_error e;
		size_t n = rnd(&x) % sizeof(text);
		char buf[64];

		for (size_t i = 0; i < n; i++) {
			unsigned kind = rnd(&x) % 4;

			if (kind == 0)
				text[i] = (char)rnd(&x);
			else
				text[i] = alphabet[rnd(&x) %
						   (sizeof(alphabet) - 1)];
		}
		if (round % 2) {   /* word salad, closer to valid lines */
			size_t len = 0;

			while (len + 16 < sizeof(text)) {
				const char *w = words[rnd(&x) % (sizeof(words) /
							      sizeof(words[0]))];
				size_t wl = strlen(w);

				if (len + wl + 1 >= sizeof(text) ||
				    rnd(&x) % 40 == 0)
					break;
				memcpy(text + len, w, wl);
				len += wl;
				text[len++] = ' ';
			}
			n = len;
		}
		ASSERT_TRUE(op_stream_init(&s) == 0);
		if (trace_parse("g", text, n, &s, &e) == 0) {
			parsed++;
			ASSERT_TRUE(round_trips(&s));
		} else {
			ASSERT_TRUE(e.line >= 1 && e.msg[0]);
			ASSERT_TRUE(trace_error_format(&e, buf, sizeof(buf)) >
				    0);
		}
		op_stream_free(&s);
	}
	ASSERT_TRUE(parsed > 0);
	return true;
}

int main(void)
{
	static const struct {
		const char *name;
		bool (*fn)(void);
	} tests[] = {
#define T(x) { #x, x }
		T(test_every_command_parses),
		T(test_madvise_advices),
		T(test_thp_sizes),
		T(test_mremap_options_any_order),
		T(test_numbers_hex_and_decimal),
		T(test_names),
		T(test_processes_must_be_created_first),
		T(test_fail_nth),
		T(test_interleave),
		T(test_syntax_errors),
		T(test_results),
		T(test_lines_comments_blanks),
		T(test_error_format),
		T(test_print_canonical),
		T(test_handwritten_streams_round_trip),
		T(test_garbage_never_crashes),
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
