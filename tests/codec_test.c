/*
 * The fuzz codec's properties (trace/codec.h):
 *
 *	decode never fails          any byte string becomes a valid stream: it
 *	                            prints and parses back to itself, within
 *	                            the limits
 *	encode inverts decode       decode(encode(s)) == canonical(s): on
 *	                            10,000 random inputs and on every scenario
 *	                            file named on the command line (tests/BUILD
 *	                            passes every tests/scenarios .rmt)
 *	structure                   decoded streams use every op kind, every
 *	                            mremap flag combination, file mappings,
 *	                            forks up to max_procs and name reuse,
 *	                            fail-nth at both allocation sites, and
 *	                            every madvise advice (the extended kinds),
 *	                            every interleave walker and yield point
 *
 * Independent of the simulator: only //fuzz:codec and //fuzz:trace.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/file_io.h"
#include "core/op_interleave.h"
#include "trace/codec.h"
#include "trace/trace.h"
#include "tests/assert.h"

#define NRANDOM 10000
#define MAX_RANDOM_LEN 4096

static int g_argc;
static char **g_argv;

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)      /* xorshift64*, fixed seed */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* a random input in a buffer of exactly its length (ASan sees overreads) */
static uint8_t *random_input(size_t *len)
{
	size_t n = (size_t)(rnd() % (MAX_RANDOM_LEN + 1));
	uint8_t *p = malloc(n ? n : 1);

	for (size_t i = 0; p && i < n; i++)
		p[i] = (uint8_t)rnd();
	*len = n;
	return p;
}

static bool parse_text(const char *text, struct op_stream *s)
{
	struct trace_error e;
	char msg[256];

	ASSERT_TRUE(op_stream_init(s) == 0);
	if (trace_parse("text", text, strlen(text), s, &e)) {
		trace_error_format(&e, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return false;
	}
	return true;
}

static bool same(const struct op_stream *a, const struct op_stream *b)
{
	char why[160];

	if (op_stream_equal(a, b, why, sizeof(why)))
		return true;
	fprintf(stderr, "streams differ: %s\n", why);
	return false;
}

/* S prints, and the text parses back to S. */
static bool prints_and_parses_back(const struct op_stream *s)
{
	struct op_stream back;
	struct trace_error e;
	size_t len = 0;
	char *text = trace_print_text(s, &len), msg[256];
	bool ok;

	ASSERT_TRUE(text);
	ASSERT_TRUE(op_stream_init(&back) == 0);
	ok = trace_parse("printed", text, len, &back, &e) == 0;
	if (!ok) {
		trace_error_format(&e, msg, sizeof(msg));
		fprintf(stderr, "%s\n--- text:\n%s", msg, text);
	}
	ok = ok && same(s, &back);
	op_stream_free(&back);
	free(text);
	return ok;
}

/*
 * Every field of every op of S equals its parse back from the printed text,
 * the fields its kind does not use included: the stream the fuzz target runs
 * is the very stream repro and minimize run (they skip the text).
 */
static bool runs_as_printed(const struct op_stream *s)
{
	struct op_stream back;
	size_t len = 0;
	char *text = trace_print_text(s, &len);
	struct trace_error e;

	ASSERT_TRUE(text && op_stream_init(&back) == 0);
	ASSERT_TRUE(trace_parse("printed", text, len, &back, &e) == 0);
	ASSERT_EQ(back.nops, s->nops);
	for (uint32_t i = 0; i < s->nops; i++) {
		const struct op *a = &s->ops[i], *b = &back.ops[i];

		if (a->kind != b->kind || a->prot != b->prot ||
		    a->flags != b->flags || a->proc != b->proc ||
		    a->proc2 != b->proc2 || a->file != b->file ||
		    a->addr != b->addr || a->len != b->len ||
		    a->newlen != b->newlen || a->addr2 != b->addr2 ||
		    a->off != b->off || a->expect != b->expect ||
		    a->line != b->line || a->refs != b->refs ||
		    a->nrefs != b->nrefs || a->fail_nth != b->fail_nth ||
		    a->ilv_walker != b->ilv_walker ||
		    a->ilv_point != b->ilv_point ||
		    a->ilv_expect != b->ilv_expect ||
		    a->ilv_proc != b->ilv_proc || a->ilv_nth != b->ilv_nth ||
		    a->ilv_line != b->ilv_line || a->ilv_addr != b->ilv_addr) {
			fprintf(stderr, "op %u runs differently from its printed "
				"line %u\n", i, b->line);
			op_stream_free(&back);
			free(text);
			return false;
		}
	}
	op_stream_free(&back);
	free(text);
	return true;
}

static bool within(const struct op_stream *s, const struct decode_limits *l)
{
	ASSERT_TRUE(s->nops <= l->max_ops);
	ASSERT_TRUE(s->nprocs <= (l->max_procs ? l->max_procs : 1));
	ASSERT_TRUE(s->nfiles <= l->max_files);
	return true;
}

/* encode(S) under LIM decodes to canonical(S); its bytes into *BYTES. */
static bool encodes_back(const struct op_stream *s,
			 const struct decode_limits *lim, uint8_t **bytes,
			 size_t *blen)
{
	struct op_stream canon, back;
	char why[256] = "";
	int err;
	bool ok;

	ASSERT_TRUE(op_stream_init(&canon) == 0 && op_stream_init(&back) == 0);
	err = codec_canonical(s, &canon, why, sizeof(why));
	if (err)
		fprintf(stderr, "canonical: %d %s\n", err, why);
	ok = err == 0;
	err = encode_ops(s, lim, bytes, blen, why, sizeof(why));
	if (err)
		fprintf(stderr, "encode: %d %s\n", err, why);
	ok = ok && err == 0;
	ok = ok && decode_ops(*bytes, *blen, lim, &back) == 0;
	ok = ok && same(&canon, &back) && prints_and_parses_back(&canon);
	op_stream_free(&canon);
	op_stream_free(&back);
	return ok;
}

static bool text_is(const struct op_stream *s, const char *want)
{
	size_t len = 0;
	char *text = trace_print_text(s, &len);
	bool ok = text && !strcmp(text, want);

	if (!ok)
		fprintf(stderr, "--- got:\n%s--- want:\n%s", text ? text : "(null)",
			want);
	free(text);
	return ok;
}

/* decode BYTES[0..N) under LIM (NULL: default) and compare the text */
static bool decodes_to(const uint8_t *bytes, size_t n,
		       const struct decode_limits *lim, const char *want)
{
	struct op_stream s;
	uint8_t *copy = malloc(n ? n : 1);
	bool ok;

	ASSERT_TRUE(copy && op_stream_init(&s) == 0);
	memcpy(copy, bytes, n);
	ok = decode_ops(copy, n, lim, &s) == 0 && text_is(&s, want) &&
	     prints_and_parses_back(&s) && runs_as_printed(&s);
	op_stream_free(&s);
	free(copy);
	return ok;
}

/* ---- tests ---------------------------------------------------------------- */

static bool test_kind_table(void)
{
	for (unsigned k = OP_MMAP; k <= OP_AGE; k++)
		ASSERT_TRUE(codec_kind_byte(k) >= 0 && codec_kind_byte(k) < 64);
	for (unsigned k = OP_EXPECT_MAP; k <= OP_DUMP; k++)
		ASSERT_EQ(codec_kind_byte(k), (unsigned long long)-1);
	/* issue 20's kinds have extended bytes only */
	ASSERT_EQ(codec_kind_byte(OP_UFFD_MOVE), (unsigned long long)-1);
	ASSERT_EQ(codec_kind_byte(OP_WRITE), 0);
	ASSERT_EQ(codec_kind_byte(OP_MMAP), 2);
	ASSERT_EQ(codec_kind_byte(OP_FORK), 7);
	return true;
}

static bool test_empty_input_is_empty_stream(void)
{
	struct op_stream s;

	ASSERT_TRUE(op_stream_init(&s) == 0);
	ASSERT_EQ(decode_ops(NULL, 0, NULL, &s), 0);
	ASSERT_EQ(s.nops, 0);
	ASSERT_EQ(s.nprocs, 1);
	op_stream_free(&s);
	return true;
}

/* a lone KIND byte: the rest of the op comes from the producer's zeros */
static bool test_truncated_op_gets_defaults(void)
{
	static const uint8_t mmap1[] = { 0x02 };
	static const uint8_t write1[] = { 0x00, 0x80 };

	ASSERT_TRUE(decodes_to(mmap1, sizeof(mmap1), NULL,
			       "mmap p0 0xff00000 0x1000 none anon private\n"));
	ASSERT_TRUE(decodes_to(write1, sizeof(write1), NULL,
			       "write p0 0xff00000\n"));
	return true;
}

/* an mmap of a file before any file op: the decoder creates the file */
static bool test_mmap_creates_missing_file(void)
{
	static const uint8_t in[] = {
		0x02, 0x80, 0x01, 0x00, 0x03, 0x0a, 0x00, 0x03, 0x00, /* mmap */
		0x02, 0x80, 0x01, 0x00, 0x03, 0x0e, 0x00, 0x00,       /* f0 */
		0x09, 0x01, 0xf0,                 /* file: a new f1, size 0 */
		0x09, 0x00, 0xe1, 0x00,           /* truncate f0 to 0x1001 */
	};

	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "file f0 0x4000\n"
			       "mmap p0 0x10000000 0x4000 rw f0@0x0 private\n"
			       "mmap p0 0x10000000 0x4000 rw f0@0x0 shared\n"
			       "file f1 0x0\n"
			       "file f0 0x1001\n"));
	return true;
}

/*
 * An mmap of a file with no file to name and no room to create one maps
 * anonymous memory: its OFF is read but not kept, as the printed line has
 * none (an unaligned offset would make the world say EINVAL).
 */
static bool test_mmap_without_file_is_anon(void)
{
	static const uint8_t in[] = {
		0x02, 0x80, 0x01, 0x00, 0x03, 0x0a, 0x00, 0xf0, 0x01,
	};
	struct decode_limits one = DECODE_LIMITS_DEFAULT;

	one.max_ops = 1;
	ASSERT_TRUE(decodes_to(in, sizeof(in), &one,
			       "mmap p0 0x10000000 0x4000 rw anon private\n"));
	return true;
}

/* fresh names up to max_procs, then names of exited processes, else skip */
static bool test_fork_names_and_reuse(void)
{
	struct decode_limits lim = DECODE_LIMITS_DEFAULT;
	uint8_t in[64];
	size_t n = 0;

	lim.max_procs = 3;
	for (int i = 0; i < 4; i++) {          /* fork p0 (child: auto) */
		in[n++] = 0x07;
		in[n++] = 0x80;
		in[n++] = 0x00;
	}
	in[n++] = 0x08;                        /* exit p1 */
	in[n++] = 0x81;
	in[n++] = 0x07;                        /* fork p2, auto: reuses p1 */
	in[n++] = 0x82;
	in[n++] = 0x00;
	in[n++] = 0x07;                        /* fork p0 into p0: skipped */
	in[n++] = 0x80;
	in[n++] = 0xc0;
	in[n++] = 0x07;                        /* fork p0 into p2 (alive) */
	in[n++] = 0x80;
	in[n++] = 0xc2;
	ASSERT_TRUE(decodes_to(in, n, &lim,
			       "fork p0 p1\n"
			       "fork p0 p2\n"
			       "exit p1\n"
			       "fork p2 p1\n"
			       "fork p0 p2\n"));
	return true;
}

/* mremap: every flag combination, NEWLEN = OLDLEN, fixed NEWADDR */
static bool test_mremap_flags(void)
{
	static const uint8_t in[] = {
		0x05, 0x80, 0x01, 0x00, 0x03, 0x0b, 0x01, 0x80,
		0x05, 0x80, 0x01, 0x00, 0x03, 0x04, 0x00,
		0x05, 0x80, 0x01, 0x00, 0xf0, 0x02, 0x07, 0xe0, 0x01, 0x00,
	};

	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "mremap p0 0x10000000 0x4000 0x4000 maymove "
			       "fixed 0x10080000\n"
			       "mremap p0 0x10000000 0x4000 0x1000 dontunmap\n"
			       "mremap p0 0x10000000 0x0 0x8000 fixed "
			       "0xff01001\n"));
	return true;
}

/* ADDR forms: recent, near recent, low, high, raw */
static bool test_address_forms(void)
{
	static const uint8_t in[] = {
		0x00, 0x80, 0x80,              /* no recent yet: 0x10000000 */
		0x00, 0x80, 0x01, 0x23,        /* window page 0x123 */
		0x00, 0x80, 0x81,              /* recent[1]: 0x10000000 */
		0x00, 0x80, 0xc0, 0x7f,        /* recent[0] - 1 page */
		0x00, 0x80, 0xf0, 0x02,        /* 2 pages from 0 */
		0x00, 0x80, 0xf8, 0x01,        /* TASK_SIZE edge - 1 page */
		0x00, 0x80, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08,
	};

	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "write p0 0x10000000\n"
			       "write p0 0x10023000\n"
			       "write p0 0x10000000\n"
			       "write p0 0xffff000\n"
			       "write p0 0x2000\n"
			       "write p0 0x7fffffffe000\n"
			       "write p0 0x807060504030201\n"));
	return true;
}

/* The main property, on random bytes. */
static bool test_random_inputs_round_trip(void)
{
	struct decode_limits lim = DECODE_LIMITS_DEFAULT;
	uint64_t total_ops = 0;

	for (int i = 0; i < NRANDOM; i++) {
		struct op_stream s, canon;
		uint8_t *bytes = NULL, *again = NULL;
		size_t len, blen = 0, alen = 0;
		uint8_t *in = random_input(&len);
		bool ok;

		ASSERT_TRUE(in && op_stream_init(&s) == 0 &&
			    op_stream_init(&canon) == 0);
		ok = decode_ops(in, len, &lim, &s) == 0 && within(&s, &lim) &&
		     prints_and_parses_back(&s) && runs_as_printed(&s);
		/* decoded streams are canonical already */
		ok = ok && codec_canonical(&s, &canon, NULL, 0) == 0 &&
		     same(&canon, &s);
		ok = ok && encodes_back(&s, &lim, &bytes, &blen);
		/* encoding is deterministic: decode(encode) encodes the same */
		if (ok) {
			struct op_stream back;

			ASSERT_TRUE(op_stream_init(&back) == 0);
			ok = decode_ops(bytes, blen, &lim, &back) == 0 &&
			     encode_ops(&back, &lim, &again, &alen, NULL, 0) == 0 &&
			     alen == blen && !memcmp(again, bytes, blen);
			op_stream_free(&back);
		}
		total_ops += s.nops;
		op_stream_free(&s);
		op_stream_free(&canon);
		free(bytes);
		free(again);
		free(in);
		if (!ok) {
			fprintf(stderr, "random input %d failed\n", i);
			return false;
		}
	}
	/* most inputs are long enough to reach many ops */
	ASSERT_TRUE(total_ops > (uint64_t)NRANDOM * 50);
	return true;
}

/* What the decoder produces covers the format. */
static bool test_decoded_streams_cover_the_format(void)
{
	bool kinds[OP_KIND_MAX] = { false }, mremap[8] = { false };
	bool mmap_kind[4] = { false }, prots[4] = { false };
	bool advices[ADV_MAX] = { false }, growsdown = false;
	bool reuse = false, unaligned = false, zero_len = false;
	bool across = false, raw = false, fail[2] = { false, false };
	bool walkers[ILV_WALKER_MAX] = { false }, points[YP_MAX] = { false };
	uint32_t max_procs = 0, max_files = 0, created;

	rng_state = 0x1234567;
	for (int i = 0; i < 2000; i++) {
		struct op_stream s;
		size_t len;
		uint8_t *in = random_input(&len);

		ASSERT_TRUE(in && op_stream_init(&s) == 0);
		ASSERT_EQ(decode_ops(in, len, NULL, &s), 0);
		created = 1;
		for (uint32_t k = 0; k < s.nops; k++) {
			const struct op *op = &s.ops[k];

			kinds[op->kind] = true;
			if (op->kind == OP_MREMAP)
				mremap[(op->flags & OPF_MAYMOVE ? 1 : 0) |
				       (op->flags & OPF_FIXED ? 2 : 0) |
				       (op->flags & OPF_DONTUNMAP ? 4 : 0)] = true;
			if (op->kind == OP_MMAP) {
				mmap_kind[(op->flags & OPF_ANON ? 1 : 0) |
					  (op->flags & OPF_SHARED ? 2 : 0)] = true;
				prots[op->prot] = true;
				across |= op->addr < 0x10000000 &&
					  op->addr + op->len > 0x10000000;
			}
			/* a fork whose child name an earlier fork created */
			if (op->kind == OP_FORK && op->proc2 < created)
				reuse = true;
			else if (op->kind == OP_FORK)
				created = op->proc2 + 1u;
			unaligned |= op->kind != OP_FILE && op->addr % 4096 != 0;
			zero_len |= op->kind == OP_MUNMAP && op->len == 0;
			raw |= op->addr > 0x7fffffffffffull;
			if (op->fail_nth)
				fail[op->flags & OPF_FAIL_BACKEND ? 1 : 0] = true;
			if (op->kind == OP_MADVISE)
				advices[op->advice] = true;
			growsdown |= op->kind == OP_MMAP &&
				     op->flags & OPF_GROWSDOWN;
			walkers[op->ilv_walker] = true;
			points[op->ilv_point] = true;
		}
		if (s.nprocs > max_procs)
			max_procs = s.nprocs;
		if (s.nfiles > max_files)
			max_files = s.nfiles;
		op_stream_free(&s);
		free(in);
	}
	for (unsigned k = OP_MMAP; k <= OP_AGE; k++)
		ASSERT_TRUE(kinds[k]);
	for (unsigned k = OP_EXPECT_MAP; k <= OP_DUMP; k++)
		ASSERT_TRUE(!kinds[k]);
	ASSERT_TRUE(kinds[OP_UFFD_MOVE]);
	ASSERT_TRUE(kinds[OP_FILL] && kinds[OP_KSM_SCAN]);
	for (unsigned f = 0; f < 8; f++)
		ASSERT_TRUE(mremap[f]);
	for (unsigned m = 0; m < 4; m++)
		ASSERT_TRUE(mmap_kind[m]);
	ASSERT_TRUE(prots[PROT_NONE_] && prots[PROT_R] && prots[PROT_RW]);
	ASSERT_EQ(max_procs, 16);
	ASSERT_EQ(max_files, 4);
	ASSERT_TRUE(reuse && unaligned && zero_len && across && raw);
	ASSERT_TRUE(fail[0] && fail[1]);
	/* every advice with a name (5, 6: KSM's, not yet) */
	for (unsigned a = 0; a < ADV_MAX; a++)
		ASSERT_TRUE(advices[a] || !op_advice_name(a));
	ASSERT_TRUE(growsdown);
	ASSERT_TRUE(kinds[OP_THP_SIZES]);     /* 8d first: 1 in 256 */
	/* every interleave walker and point, the escape form's included */
	for (unsigned v = 0; v < ILV_WALKER_MAX; v++)
		ASSERT_TRUE(walkers[v]);
	for (unsigned v = 0; v < YP_MAX; v++)
		ASSERT_TRUE(points[v]);
	return true;
}

/* Small limits hold whatever the input. */
static bool test_decode_respects_limits(void)
{
	static const struct decode_limits lims[] = {
		{ 0, 16, 4, 64 }, { 1, 1, 0, 1 }, { 5, 2, 1, 3 },
		{ 40, 0, 0, 0 }, { 256, 3, 2, 8 }, { 1000, 40, 9, 200 },
	};

	rng_state = 0xabcdef;
	for (size_t l = 0; l < sizeof(lims) / sizeof(lims[0]); l++) {
		for (int i = 0; i < 500; i++) {
			struct op_stream s;
			uint8_t *bytes = NULL;
			size_t len, blen = 0;
			uint8_t *in = random_input(&len);

			ASSERT_TRUE(in && op_stream_init(&s) == 0);
			ASSERT_EQ(decode_ops(in, len, &lims[l], &s), 0);
			ASSERT_TRUE(within(&s, &lims[l]));
			ASSERT_TRUE(prints_and_parses_back(&s));
			ASSERT_TRUE(encodes_back(&s, &lims[l], &bytes, &blen));
			op_stream_free(&s);
			free(bytes);
			free(in);
		}
	}
	return true;
}

/* Hand-written names come back canonical, checks and results dropped. */
static bool test_encode_renames_and_drops_checks(void)
{
	static const char text[] =
		"# a comment\n"
		"file data 0x2000\n"
		"fork p0 child\n"
		"fork child zz\n"
		"mmap child 0x20000000 0x2000 r data@0x1000 shared => ok\n"
		"expect-none child:0x20000000\n"
		"write zz 0x20000000 => SIGSEGV\n"
		"file other 0x0\n"
		"mmap p0 0x30000000 0x1000 rw other@0x0 private\n"
		"age zz 0x20000000 => referenced=0\n"
		"exit child\n"
		"fork zz child\n"
		"dump\n";
	struct op_stream s, back;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_TRUE(parse_text(text, &s));
	ASSERT_EQ(encode_ops(&s, NULL, &bytes, &blen, NULL, 0), 0);
	ASSERT_TRUE(op_stream_init(&back) == 0);
	ASSERT_EQ(decode_ops(bytes, blen, NULL, &back), 0);
	ASSERT_TRUE(text_is(&back,
			    "file f0 0x2000\n"
			    "fork p0 p1\n"
			    "fork p1 p2\n"
			    "mmap p1 0x20000000 0x2000 r f0@0x1000 shared\n"
			    "write p2 0x20000000\n"
			    "file f1 0x0\n"
			    "mmap p0 0x30000000 0x1000 rw f1@0x0 private\n"
			    "age p2 0x20000000\n"
			    "exit p1\n"
			    "fork p2 p1\n"));
	free(bytes);
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	op_stream_free(&s);
	op_stream_free(&back);
	free(bytes);
	return true;
}

/* KIND bits 6-7 set: a FAIL field, short or raw, at either site */
static bool test_fail_nth_forms(void)
{
	static const uint8_t in[] = {
		0xc0, 0x02, 0x80, 0x80,                 /* fail-nth 3 write */
		0xc0, 0x85, 0x80, 0x80,                 /* backend, 6 */
		0xc0, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x80, 0x80,   /* raw */
		0x51, 0x80, 0x80,                       /* bit 6 alone, slot 17 (a
		                                         * write), no ILV slot: none */
	};
	static const char text[] =
		"fail-nth 1 mmap p0 0x10000000 0x1000 rw anon private\n"
		"fail-nth 127 write p0 0x10000000\n"
		"fail-nth 128 backend fork p0 p1\n"
		"fail-nth 4294967295 backend exit p1\n"
		"file f 0x1000 => ok\n"
		"expect-none p0:0x0\n";
	struct op_stream s;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "fail-nth 3 write p0 0x10000000\n"
			       "fail-nth 6 backend write p0 0x10000000\n"
			       "fail-nth 65536 write p0 0x10000000\n"
			       "write p0 0x10000000\n"));
	ASSERT_TRUE(parse_text(text, &s));
	ASSERT_EQ(s.ops[2].fail_nth, 128);
	ASSERT_TRUE(s.ops[2].flags & OPF_FAIL_BACKEND);
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	op_stream_free(&s);
	free(bytes);
	return true;
}

/*
 * KIND bits 6-7 == 01: an ILV field (walker, point, [N], PROC, ADDR,
 * [FAIL]); a trace's interleave lines encode and decode back, fail-nth on
 * the same op included.
 */
static bool test_interleave_forms(void)
{
	const uint8_t w = (uint8_t)codec_kind_byte(OP_WRITE);
	const uint8_t in[] = {
		/* interleave age p0:0x10000000 at fork_link_copy, then write */
		(uint8_t)(w | CODEC_KIND_ILV), (ILV_WALKER_AGE - 1) |
		(YP_FORK_LINK_COPY - 1) << 2, 0x80, CODEC_IADDR_ADDR, 0x01,
		0x00, 0x80, 0x01, 0x01,
		/* walker 0 is migrate (3 is the escape: test_interleave_
		 * escape_form); point 15 is mremap_move_table (it wrapped to
		 * 1 + 15 % 10 before); N 1 + 4; FAIL; the page: the newest
		 * recent address (0x10001000) */
		(uint8_t)(w | CODEC_KIND_ILV), 0x3c | CODEC_ILV_NTH |
		CODEC_ILV_FAIL, 0x04, 0x80, 0x00, 0x01, 0x80, 0x01, 0x00,
	};
	static const char text[] =
		"mmap p0 0x10000000 0x1000 rw anon private\n"
		"interleave migrate p0:0x10000000 at fork_link_copy:7 => ran\n"
		"fork p0 child\n"
		"interleave unmap child:0x10000000 at unmap_zapped\n"
		"fail-nth 2 exit child\n"
		"interleave age p0:0x10000000 at migrate_unmapped:256\n"
		"migrate p0 0x10000000\n";
	struct op_stream s;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "interleave age p0:0x10000000 at fork_link_copy\n"
			       "write p0 0x10001000\n"
			       "interleave migrate p0:0x10001000 at "
			       "mremap_move_table:5\n"
			       "fail-nth 2 write p0 0x10000000\n"));
	ASSERT_TRUE(parse_text(text, &s));
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	op_stream_free(&s);
	free(bytes);
	/* N past what the codec carries is refused, not cut */
	ASSERT_TRUE(parse_text("interleave age p0:0 at unmap_zapped:257\n"
			       "exit p0\n", &s));
	ASSERT_EQ(encode_ops(&s, NULL, &bytes, &blen, NULL, 0), -EINVAL);
	op_stream_free(&s);
	return true;
}

/*
 * Point value 10 is mremap_move_pte (it wrapped to 1 + 10 % 10 before),
 * and 15 mremap_move_table (it wrapped to 6 before).  With no_interleave the ILV
 * bytes are read and dropped: the same ops, no interleave line.
 */
static bool test_interleave_point_values_and_off(void)
{
	const uint8_t w = (uint8_t)codec_kind_byte(OP_WRITE);
	const uint8_t in[] = {
		(uint8_t)(w | CODEC_KIND_ILV), (ILV_WALKER_AGE - 1) | 10 << 2,
		0x80, CODEC_IADDR_ADDR, 0x01, 0x00, 0x80, 0x01, 0x01,
		(uint8_t)(w | CODEC_KIND_ILV), 0x3c | CODEC_ILV_NTH |
		CODEC_ILV_FAIL, 0x04, 0x80, 0x00, 0x01, 0x80, 0x01, 0x00,
	};
	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "interleave age p0:0x10000000 at mremap_move_pte\n"
			       "write p0 0x10001000\n"
			       "interleave migrate p0:0x10001000 at "
			       "mremap_move_table:5\n"
			       "fail-nth 2 write p0 0x10000000\n"));
	decode_set_no_interleave(true);
	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "write p0 0x10001000\n"
			       "fail-nth 2 write p0 0x10000000\n"));
	decode_set_no_interleave(false);
	return true;
}

/*
 * Point values 12 and 13 are mremap_move_pmd and collapse_flushed (the PMD
 * slice; they wrapped to 3 and 4 before: no committed input has either,
 * its decoded text names neither point); 14 is pte_set (PTE chains'
 * window; no committed input decodes differently); 15 is
 * mremap_move_table (move_normal_pmd's window; it wrapped to 6 before: all
 * 246 committed inputs decode as they did).
 * Extended slot 8e carries an ILV on madvise collapse.
 */
static bool test_interleave_point_values_pmd(void)
{
	const uint8_t w = (uint8_t)codec_kind_byte(OP_WRITE);
	const uint8_t in[] = {
		(uint8_t)(w | CODEC_KIND_ILV), (ILV_WALKER_AGE - 1) | 12 << 2,
		0x80, 0x00, 0x80, 0x01, 0x00,
		(uint8_t)(w | CODEC_KIND_ILV), (ILV_WALKER_AGE - 1) | 13 << 2,
		0x80, 0x00, 0x80, 0x01, 0x00,
		(uint8_t)(w | CODEC_KIND_ILV), (ILV_WALKER_AGE - 1) | 14 << 2,
		0x80, 0x00, 0x80, 0x01, 0x00,
	};
	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "interleave age p0:0x10000000 at mremap_move_pmd\n"
			       "write p0 0x10000000\n"
			       "interleave age p0:0x10000000 at collapse_flushed\n"
			       "write p0 0x10000000\n"
			       "interleave age p0:0x10000000 at pte_set\n"
			       "write p0 0x10000000\n"));
	/*
	 * Extended slot 8e: madvise collapse with an ILV (the one extended
	 * kind that carries one); 8c stays the plain collapse, and an
	 * interleave on another extended kind still has no byte form.
	 */
	const uint8_t ext[] = {
		0x8e, (ILV_WALKER_MIGRATE - 1) | (YP_COLLAPSE_FLUSHED - 1) << 2,
		0x80, 0x00, 0x80, 0x01, 0x00, 0x00,
		0x8c, 0x80, 0x80, 0x00,
	};
	ASSERT_TRUE(decodes_to(ext, sizeof(ext), NULL,
			       "interleave migrate p0:0x10000000 at "
			       "collapse_flushed\n"
			       "madvise p0 0x10000000 0x1000 collapse\n"
			       "madvise p0 0x10000000 0x1000 collapse\n"));
	struct op_stream s;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_TRUE(parse_text("mmap p0 0x40000000 0x200000 rw anon private\n"
			       "write p0 0x40001000\n"
			       "interleave unmap p0:0x40001000 at "
			       "collapse_flushed:2\n"
			       "madvise p0 0x40000000 0x200000 collapse\n"
			       "madvise p0 0x40000000 0x200000 collapse\n", &s));
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	op_stream_free(&s);
	free(bytes);
	ASSERT_TRUE(parse_text("interleave age p0:0x10000000 at vma_adjust\n"
			       "madvise p0 0x10000000 0x1000 dontfork\n", &s));
	ASSERT_EQ(encode_ops(&s, NULL, &bytes, &blen, NULL, 0), -EINVAL);
	op_stream_free(&s);
	return true;
}

/*
 * w & 3 == 3 is the escape: a byte x follows w (before w's n), walker
 * 1 + (x & 3) (migrate, unmap, age, collapse), point 1 + (x >> 2) for the
 * points there are, above that 1 + (x >> 2) % 17; w's bits 2-5 are ignored,
 * its NTH and FAIL bits are as in the short form.  The encoder writes the
 * escape only for what the short form cannot say (collapse, a point past
 * 16), the short form byte for byte as before otherwise; no_interleave
 * reads x and drops it with the rest.
 */
static bool test_interleave_escape_form(void)
{
	const uint8_t w = (uint8_t)codec_kind_byte(OP_WRITE);
	const uint8_t in[] = {
		/* collapse at mremap_table_chosen:5, fail-nth 2; w's point
		 * bits (15) ignored; PROC p0, IADDR 0x10000000 */
		(uint8_t)(w | CODEC_KIND_ILV), 0x3c | CODEC_ILV_X |
		CODEC_ILV_NTH | CODEC_ILV_FAIL,
		(ILV_WALKER_COLLAPSE - 1) | (YP_MREMAP_TABLE_CHOSEN - 1) << 2,
		0x04, 0x80, CODEC_IADDR_ADDR, 0x01, 0x00, 0x01,
		0x80, 0x01, 0x00,
		/* w == 3 alone: x 0x16 is unmap at point 6 */
		(uint8_t)(w | CODEC_KIND_ILV), CODEC_ILV_X,
		(ILV_WALKER_UNMAP - 1) | (YP_UNMAP_BETWEEN_VMAS - 1) << 2,
		0x80, 0x00, 0x80, 0x01, 0x00,
		/* x 0xff: walker bits 3 | bit 7's 4 = 7, 1 + 7 % 5: age;
		 * x >> 2 & 31 == 31 wraps: 1 + 31 % 17, point 15 */
		(uint8_t)(w | CODEC_KIND_ILV), CODEC_ILV_X, 0xff,
		0x80, 0x00, 0x80, 0x01, 0x00,
		/* x bit 7 with walker bits 0: the fifth walker, stalled */
		(uint8_t)(w | CODEC_KIND_ILV), CODEC_ILV_X,
		0x80 | (YP_UNMAP_ZAPPED - 1) << 2,
		0x80, 0x00, 0x80, 0x01, 0x00,
		/* extended 8e (madvise collapse): its FAIL bit ignored */
		0x8e, CODEC_ILV_X | CODEC_ILV_FAIL,
		(ILV_WALKER_AGE - 1) | (YP_COLLAPSE_FLUSHED - 1) << 2,
		0x80, 0x00, 0x80, 0x01, 0x00, 0x00,
	};
	static const char decoded[] =
		"interleave collapse p0:0x10000000 at mremap_table_chosen:5\n"
		"fail-nth 2 write p0 0x10000000\n"
		"interleave unmap p0:0x10000000 at unmap_between_vmas\n"
		"write p0 0x10000000\n"
		"interleave age p0:0x10000000 at pte_set\n"
		"write p0 0x10000000\n"
		"interleave stalled p0:0x10000000 at unmap_zapped\n"
		"write p0 0x10000000\n"
		"interleave age p0:0x10000000 at collapse_flushed\n"
		"madvise p0 0x10000000 0x1000 collapse\n";
	struct op_stream s;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_EQ(YP_MREMAP_MOVE_PMD, 13);
	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL, decoded));
	decode_set_no_interleave(true);
	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "fail-nth 2 write p0 0x10000000\n"
			       "write p0 0x10000000\n"
			       "write p0 0x10000000\n"
			       "write p0 0x10000000\n"
			       "madvise p0 0x10000000 0x1000 collapse\n"));
	decode_set_no_interleave(false);

	/* what the short form says is written in it, as before */
	ASSERT_TRUE(parse_text("interleave age p0:0x10000000 at "
			       "mremap_move_table\nwrite p0 0x10000000\n", &s));
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	/* KIND w PROC c0 ADDR ADDR, then the write's PROC ADDR ADDR */
	ASSERT_EQ(blen, 9);
	ASSERT_EQ(bytes[1], (unsigned long long)((ILV_WALKER_AGE - 1) |
			    (YP_MREMAP_MOVE_TABLE - 1) << 2));
	op_stream_free(&s);
	free(bytes);

	/* collapse, or a point past 16: the escape, x before n */
	ASSERT_TRUE(parse_text("interleave collapse p0:0x10000000 at "
			       "unmap_zapped:3\n"
			       "fail-nth 4 write p0 0x10000000\n"
			       "interleave migrate p0:0x10000000 at "
			       "mremap_table_chosen\n"
			       "mremap p0 0x10000000 0x200000 0x200000 "
			       "maymove\n", &s));
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	ASSERT_EQ(bytes[1], (unsigned long long)(CODEC_ILV_X | CODEC_ILV_NTH |
						 CODEC_ILV_FAIL));
	ASSERT_EQ(bytes[2], (unsigned long long)((ILV_WALKER_COLLAPSE - 1) |
			    (YP_UNMAP_ZAPPED - 1) << 2));
	ASSERT_EQ(bytes[3], 2);
	/* KIND w x n PROC c0 ADDR ADDR FAIL, then the write's PROC ADDR */
	ASSERT_EQ(bytes[12], (unsigned long long)
		  (codec_kind_byte(OP_MREMAP) | CODEC_KIND_ILV));
	ASSERT_EQ(bytes[13], (unsigned long long)CODEC_ILV_X);
	ASSERT_EQ(bytes[14], (unsigned long long)((ILV_WALKER_MIGRATE - 1) |
			    (YP_MREMAP_TABLE_CHOSEN - 1) << 2));
	op_stream_free(&s);
	free(bytes);

	/* every walker at every point: written and read back */
	for (unsigned wk = 1; wk < ILV_WALKER_MAX; wk++) {
		for (unsigned p = 1; p < YP_MAX; p++) {
			char text[160];

			snprintf(text, sizeof(text), "interleave %s "
				 "p0:0x10000000 at %s\nwrite p0 0x10000000\n",
				 ilv_walker_name(wk), yield_point_name(p));
			ASSERT_TRUE(parse_text(text, &s));
			ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
			ASSERT_EQ((bytes[1] & CODEC_ILV_WALKER) == CODEC_ILV_X,
				  wk > ILV_WALKER_AGE ||
				  p > CODEC_ILV_SHORT_POINTS);
			op_stream_free(&s);
			free(bytes);
		}
	}
	return true;
}

/* Values outside every compact form go through the raw escapes. */
static bool test_raw_values_round_trip(void)
{
	static const char text[] =
		"mmap p0 0xffffffffffffffff 0x0 none anon shared\n"
		"munmap p0 0x1001 0x7fffffffffffffff\n"
		"mremap p0 0x123 0x0 0x5 fixed 0x10000000 dontunmap\n"
		"mremap p0 0x10000000 0x41000 0x41000 maymove\n"
		"file f 0x1001\n"
		"mmap p0 0x10000000 0x1000 r f@0xfff shared\n"
		"mmap p0 0x101ff000 0x40000 r f@0x40000 shared\n"
		"mmap p0 0x0 0xe0000 r f@0x3f000 private\n"
		"mprotect p0 0x7ffffffff000 0x1000 none\n"
		"mprotect p0 0x7fffffeff000 0x1000 none\n"
		"madvise p0 0x800000000000 0x1 dontneed\n"
		"migrate p0 0xfffff000\n"
		"pageout p0 0xff000\n"
		"age p0 0x100000\n";
	struct op_stream s;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_TRUE(parse_text(text, &s));
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	op_stream_free(&s);
	free(bytes);
	return true;
}

/* Many processes and files need the u16 escapes: big limits take them. */
static bool test_many_names_round_trip(void)
{
	struct decode_limits big = { 100000, 1000, 600, 64 };
	struct op_stream s;
	struct op op;
	uint8_t *bytes = NULL;
	size_t blen = 0;
	char name[OP_NAME_MAX];

	ASSERT_TRUE(op_stream_init(&s) == 0);
	for (unsigned i = 1; i < 400; i++) {
		/* fork p(i/2) c<i>, write there; file g<i>, map it */
		snprintf(name, sizeof(name), "c%u", i);
		op = (struct op){ .kind = OP_FORK, .proc = (uint16_t)(i / 2) };
		op.proc2 = (uint16_t)op_stream_proc_id(&s, name);
		ASSERT_EQ(op.proc2, i);
		ASSERT_EQ(op_stream_push(&s, &op), 0);
		op = (struct op){ .kind = OP_WRITE, .proc = (uint16_t)(i / 3),
				  .addr = 0x10000000 };
		ASSERT_EQ(op_stream_push(&s, &op), 0);
		snprintf(name, sizeof(name), "g%u", i);
		op = (struct op){ .kind = OP_FILE, .len = i * 4096ull };
		op.file = (uint16_t)op_stream_file_id(&s, name);
		ASSERT_EQ(op_stream_push(&s, &op), 0);
		op = (struct op){ .kind = OP_MMAP, .proc = (uint16_t)i,
				  .addr = 0x10000000, .len = 4096,
				  .prot = PROT_R, .file = (uint16_t)(i / 2) };
		ASSERT_EQ(op_stream_push(&s, &op), 0);
		op = (struct op){ .kind = OP_FORK, .proc = (uint16_t)i,
				  .proc2 = (uint16_t)(i - 1 + (i == 1)) };
		if (op.proc2 != op.proc)
			ASSERT_EQ(op_stream_push(&s, &op), 0);
	}
	ASSERT_TRUE(prints_and_parses_back(&s));
	ASSERT_TRUE(encodes_back(&s, &big, &bytes, &blen));
	op_stream_free(&s);
	free(bytes);
	return true;
}

static bool rejects(const struct op_stream *s, const struct decode_limits *lim,
		    const char *reason)
{
	uint8_t *bytes = (uint8_t *)"x";
	size_t blen = 1;
	char why[256] = "";

	ASSERT_EQ(encode_ops(s, lim, &bytes, &blen, why, sizeof(why)),
		  (unsigned long long)-EINVAL);
	ASSERT_TRUE(bytes == NULL && blen == 0);
	if (!strstr(why, reason)) {
		fprintf(stderr, "why '%s' lacks '%s'\n", why, reason);
		return false;
	}
	return true;
}

static bool test_encode_rejects_what_it_cannot_express(void)
{
	struct decode_limits lim = DECODE_LIMITS_DEFAULT;
	struct op_stream s;
	struct op op;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	/* 17 processes with max_procs 16 */
	ASSERT_TRUE(op_stream_init(&s) == 0);
	for (unsigned i = 1; i <= 16; i++) {
		char name[16];

		snprintf(name, sizeof(name), "q%u", i);
		op = (struct op){ .kind = OP_FORK, .proc = 0 };
		op.proc2 = (uint16_t)op_stream_proc_id(&s, name);
		ASSERT_EQ(op_stream_push(&s, &op), 0);
	}
	ASSERT_TRUE(rejects(&s, &lim, "max_procs"));
	lim.max_procs = 17;
	ASSERT_TRUE(encodes_back(&s, &lim, &bytes, &blen));
	free(bytes);
	op_stream_free(&s);

	/* more ops than max_ops; checks do not count */
	lim = DECODE_LIMITS_DEFAULT;
	lim.max_ops = 2;
	ASSERT_TRUE(parse_text("write p0 0x1000\ndump\nread p0 0x1000\n"
			       "expect-none p0:0x1000\nage p0 0x1000\n", &s));
	ASSERT_TRUE(rejects(&s, &lim, "max_ops"));
	op_stream_free(&s);

	/* files */
	lim = DECODE_LIMITS_DEFAULT;
	lim.max_files = 1;
	ASSERT_TRUE(parse_text("file a 0\nfile a 1\nfile b 0\n", &s));
	ASSERT_TRUE(rejects(&s, &lim, "max_files"));
	op_stream_free(&s);

	/* a process used before it is created (built by hand) */
	ASSERT_TRUE(op_stream_init(&s) == 0);
	op = (struct op){ .kind = OP_WRITE, .addr = 0x1000 };
	op.proc = (uint16_t)op_stream_proc_id(&s, "ghost");
	ASSERT_EQ(op_stream_push(&s, &op), 0);
	ASSERT_TRUE(rejects(&s, NULL, "ghost"));
	op_stream_free(&s);

	/* a file mapped before a file op creates it */
	ASSERT_TRUE(op_stream_init(&s) == 0);
	op = (struct op){ .kind = OP_MMAP, .len = 4096, .prot = PROT_R };
	op.file = (uint16_t)op_stream_file_id(&s, "nofile");
	ASSERT_EQ(op_stream_push(&s, &op), 0);
	ASSERT_TRUE(rejects(&s, NULL, "nofile"));
	op_stream_free(&s);

	/* a fork into itself, a bad PROT, an unknown kind */
	ASSERT_TRUE(op_stream_init(&s) == 0);
	op = (struct op){ .kind = OP_FORK, .proc = 0, .proc2 = 0 };
	ASSERT_EQ(op_stream_push(&s, &op), 0);
	ASSERT_TRUE(rejects(&s, NULL, "itself"));
	s.ops[0] = (struct op){ .kind = OP_MPROTECT, .prot = 2 };
	ASSERT_TRUE(rejects(&s, NULL, "PROT"));
	s.ops[0] = (struct op){ .kind = 0 };
	ASSERT_TRUE(rejects(&s, NULL, "kind"));
	op_stream_free(&s);
	return true;
}

/*
 * KIND bits 6-7 == 10: the extended table (codec.h), slots 80-83 the fork
 * advices of madvise, 84 mmap growsdown (MODE's file and shared bits
 * ignored), 85 uffd-move; a slot not yet taken (0x97) decodes as the weighted table's kind
 * did before (mprotect); bit 6 alone past the 16 ILV slots is ignored.
 */
static bool test_extended_kinds(void)
{
	static const uint8_t in[] = {
		0x80, 0x80, 0x01, 0x00, 0x00,           /* dontfork */
		0x83, 0x80, 0x01, 0x00, 0x01,           /* keeponfork */
		0x84, 0x80, 0x01, 0x00, 0x00, 0x0e,     /* mmap growsdown */
		0x85, 0x80, 0x01, 0x00, 0x01, 0x10, 0x03, 0x01,   /* uffd-move */
		0x97, 0x80, 0x01, 0x00, 0x00, 0x01,     /* free slot 23: mprotect */
		0x51, 0x80, 0x80,                       /* write (slot 17, bit 6:
		                                         * past the ILV slots) */
	};
	static const char text[] =
		"madvise p0 0x10000000 0x1000 dontneed\n"
		"madvise p0 0x10000000 0x1000 dontfork\n"
		"madvise p0 0x10001000 0x2000 dofork\n"
		"madvise p0 0x7ffffffff000 0x1 wipeonfork\n"
		"madvise p0 0x0 0x0 keeponfork\n"
		"mmap p0 0x10000000 0x1000 r anon private growsdown\n"
		"mmap p0 0x10000000 0x1000 r anon private\n"
		"uffd-move p0 0x20000000 0x10000000 0x1000\n"
		"uffd-move p0 0x1 0x7fffffffffff 0x0 allow-src-holes\n";
	struct op_stream s;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "madvise p0 0x10000000 0x1000 dontfork\n"
			       "madvise p0 0x10000000 0x2000 keeponfork\n"
			       "mmap p0 0x10000000 0x1000 rw anon private "
			       "growsdown\n"
			       "uffd-move p0 0x10000000 0x10010000 0x4000 "
			       "allow-src-holes\n"
			       "mprotect p0 0x10000000 0x1000 r\n"
			       "write p0 0x10000000\n"));
	ASSERT_TRUE(parse_text(text, &s));
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	ASSERT_EQ(bytes[0], (unsigned long long)codec_kind_byte(OP_MADVISE));
	free(bytes);
	op_stream_free(&s);

	/* an extended kind has no FAIL field: fail-nth on one is refused */
	ASSERT_TRUE(parse_text("fail-nth 2 madvise p0 0x0 0x1000 dofork\n", &s));
	ASSERT_TRUE(rejects(&s, NULL, "extended kind"));
	s.ops[0].advice = ADV_MAX;
	ASSERT_TRUE(rejects(&s, NULL, "advice"));
	s.ops[0] = (struct op){ .kind = OP_MMAP, .len = 4096, .prot = PROT_R,
				.flags = OPF_ANON | OPF_SHARED | OPF_GROWSDOWN };
	ASSERT_TRUE(rejects(&s, NULL, "growsdown"));
	op_stream_free(&s);
	return true;
}

/*
 * Issue 19's slots: 8a hugepage, 8b nohugepage, 8c collapse, 8d MASK
 * thp-sizes as the first op only (later, 8d is kind_table[13]'s write, as
 * before: old inputs decode as they did); 86-89 are issue 20's KSM kinds
 * (86: madvise mergeable).
 */
static bool test_thp_kinds(void)
{
	static const uint8_t in[] = {
		0x8d, 0x85,                             /* 16K,64K,2M */
		0x8a, 0x80, 0x01, 0x00, 0x00,           /* hugepage */
		0x8b, 0x80, 0x01, 0x00, 0x00,           /* nohugepage */
		0x8c, 0x80, 0x01, 0x00, 0x00,           /* collapse */
		0x8d, 0x80, 0x01, 0x00,                 /* not first: write */
		0x86, 0x80, 0x01, 0x00, 0x00,           /* KSM's: mergeable */
	};
	static const uint8_t zero_mask[] = { 0x8d, 0x00 };
	struct op_stream s;
	uint8_t *bytes = NULL;
	size_t blen = 0;

	ASSERT_TRUE(decodes_to(in, sizeof(in), NULL,
			       "thp-sizes 16K,64K,2M\n"
			       "madvise p0 0x10000000 0x1000 hugepage\n"
			       "madvise p0 0x10000000 0x1000 nohugepage\n"
			       "madvise p0 0x10000000 0x1000 collapse\n"
			       "write p0 0x10000000\n"
			       "madvise p0 0x10000000 0x1000 mergeable\n"));
	/* no size is no thp-sizes line: 2M alone, the default */
	ASSERT_TRUE(decodes_to(zero_mask, sizeof(zero_mask), NULL,
			       "thp-sizes 2M\n"));
	ASSERT_TRUE(parse_text("thp-sizes 32K,1M\n"
			       "mmap p0 0x10000000 0x400000 rw anon private\n"
			       "madvise p0 0x10000000 0x400000 hugepage\n"
			       "madvise p0 0x10200000 0x200000 collapse\n"
			       "madvise p0 0x10000000 0x1000 nohugepage\n", &s));
	ASSERT_TRUE(encodes_back(&s, NULL, &bytes, &blen));
	ASSERT_EQ(bytes[0], 0x8dULL);
	ASSERT_EQ(bytes[1], (unsigned long long)((1u << 3 | 1u << 8) >> 2));
	free(bytes);
	/* a thp-sizes that is not the first op has no byte form */
	s.ops[1] = s.ops[0];
	ASSERT_TRUE(rejects(&s, NULL, "first op"));
	op_stream_free(&s);
	return true;
}

/* Every scenario: parse, encode, decode == canonical. */
static bool test_scenarios_round_trip(void)
{
	struct decode_limits big = { 1u << 20, 4096, 4096, 64 };
	unsigned fit = 0, n = 0;

	for (int i = 1; i < g_argc; i++) {
		const char *path = g_argv[i];
		struct op_stream s;
		struct trace_error e;
		uint8_t *bytes = NULL;
		size_t len = 0, blen = 0;
		char *text = read_whole_file(path, &len), msg[256];
		bool ok;

		ASSERT_TRUE(text && op_stream_init(&s) == 0);
		ok = trace_parse(path, text, len, &s, &e) == 0;
		if (!ok) {
			trace_error_format(&e, msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
		}
		ok = ok && encodes_back(&s, &big, &bytes, &blen);
		free(bytes);
		bytes = NULL;
		if (ok && encode_ops(&s, NULL, &bytes, &blen, NULL, 0) == 0) {
			fit++;
			free(bytes);
			ok = encodes_back(&s, NULL, &bytes, &blen);
		}
		free(bytes);
		op_stream_free(&s);
		free(text);
		if (!ok) {
			fprintf(stderr, "scenario %s failed\n", path);
			return false;
		}
		n++;
	}
	printf("scenarios: %u round-tripped, %u of them within the default "
	       "limits\n", n, fit);
	ASSERT_TRUE(n >= 80);
	return true;
}

int main(int argc, char **argv)
{
	struct { const char *name; bool (*fn)(void); } tests[] = {
#define T(x) { #x, test_##x }
		T(kind_table),
		T(empty_input_is_empty_stream),
		T(truncated_op_gets_defaults),
		T(mmap_creates_missing_file),
		T(mmap_without_file_is_anon),
		T(fork_names_and_reuse),
		T(mremap_flags),
		T(address_forms),
		T(random_inputs_round_trip),
		T(decoded_streams_cover_the_format),
		T(decode_respects_limits),
		T(encode_renames_and_drops_checks),
		T(fail_nth_forms),
		T(interleave_forms),
		T(interleave_point_values_and_off),
		T(interleave_point_values_pmd),
		T(interleave_escape_form),
		T(raw_values_round_trip),
		T(many_names_round_trip),
		T(encode_rejects_what_it_cannot_express),
		T(extended_kinds),
		T(thp_kinds),
		T(scenarios_round_trip),
#undef T
	};
	unsigned passed = 0, failed = 0;

	g_argc = argc;
	g_argv = argv;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (tests[i].fn()) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "Test %s FAILED\n", tests[i].name);
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
