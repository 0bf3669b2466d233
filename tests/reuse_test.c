/*
 * reuse_test.c - the fuzz target makes its worlds once and resets them for
 * every input (fuzz/diff_run.h: diff_run_again, oracle/lockstep.h:
 * lockstep_reset).  The property: on one reused lockstep, input A, then B,
 * then A again each give exactly what they give on new worlds:
 *
 *   every op's result, the divergence (none, or the same signature, check
 *   and report), the frames the checker walked, and the final state of
 *   both worlds: every page-table entry (frame numbers included), frames
 *   in use, allocations counted (fault injection's clock), walk costs.
 *
 * Inputs: every scenario trace given as arguments, each with the next as B;
 * the results and signature on new worlds are also those of diff_run.  In
 * fast mode (the fuzz target's), full and signing mode (its replays);
 * and again with the 3rd allocation of one world failing, which makes most
 * inputs diverge, so a divergence's report is compared too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm_types.h"
#include "trace/file_io.h"
#include "fuzz/diff_run.h"
#include "trace/trace.h"
#include "oracle/lockstep.h"
#include "oracle/scan.h"
#include "tests/test_util.h"

#define MAX_INPUTS 256
#define FAIL_NTH   3

static struct op_stream inputs[MAX_INPUTS];
static unsigned ninputs;
static int res[4096];

/* what a run left, as text: results, divergence, both worlds' state */
static char *outcome(const struct lockstep *ls, int diverged, uint32_t nrun)
{
	struct scan sc = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fprintf(f, "diverged %d, %u ops run, %llu frames checked\n", diverged,
		nrun, (unsigned long long)ls->frames_checked);
	if (diverged)
		fprintf(f, "%s / %s / %u\n%s\n", ls->div.signature, ls->div.check,
			ls->div.op_index, ls->div.detail);
	for (uint32_t i = 0; i < nrun; i++)
		fprintf(f, "%d ", res[i]);
	for (unsigned i = 0; i < ls->nworlds; i++) {
		const struct world *w = ls->w[i];
		struct walk_stats st;

		world_walk_stats(w, &st);
		fprintf(f, "\nworld %u: %llu frames used of %llu, %llu allocations, "
			"walks %llu %llu %llu\n", i, (unsigned long long)w->phys.used,
			(unsigned long long)w->phys.nframes,
			(unsigned long long)world_alloc_count(w),
			(unsigned long long)st.walks, (unsigned long long)st.vmas_visited,
			(unsigned long long)st.ptes_checked);
		scan_world(w, &sc);
		for (uint32_t k = 0; k < sc.nall; k++)
			fprintf(f, "p%u:%llx=%llx ", sc.all[k].pid,
				(unsigned long long)sc.all[k].addr,
				(unsigned long long)sc.all[k].pte);
	}
	scan_free(&sc);
	fclose(f);
	return text;
}

/*
 * S on LS as it is (new, or just reset), as diff_run runs it (FAST or
 * full), with world 1's FAIL_NTH-th allocation failing when INJECT:
 * diverged?
 */
static int run_on(struct lockstep *ls, const struct op_stream *s,
		  enum diff_mode mode,
		  bool inject, uint32_t *nrun)
{
	if (inject)
		world_fail_nth(ls->w[1], FAIL_NTH);
	ls->fast = mode == DIFF_FAST;
	ls->sign_events = mode == DIFF_SIGN;
	for (*nrun = 0; *nrun < s->nops && !ls->diverged; (*nrun)++)
		res[*nrun] = lockstep_apply(ls, &s->ops[*nrun], *nrun);
	if (!ls->diverged && s->nops)
		lockstep_check_all(ls, &s->ops[s->nops - 1], s->nops - 1);
	return ls->diverged;
}

/* input I on new worlds, never reset */
static char *fresh(unsigned i, enum diff_mode mode, bool inject)
{
	struct lockstep ls;
	uint32_t nrun;
	char *text;
	int diverged;

	if (diff_init(&ls))
		abort();
	diverged = run_on(&ls, &inputs[i], mode, inject, &nrun);
	text = outcome(&ls, diverged, nrun);
	lockstep_fini(&ls);
	return text;
}

/* S on LS reused, as the fuzz target runs it (diff_run_again) */
static char *reused(struct lockstep *ls, const struct op_stream *s,
		    enum diff_mode mode,
		    bool inject)
{
	uint32_t nrun;
	int diverged;

	if (inject) {
		lockstep_reset(ls);
		diverged = run_on(ls, s, mode, true, &nrun);
	} else {
		diverged = diff_run_again(ls, s, mode, res, &nrun);
	}
	return outcome(ls, diverged, nrun);
}

static bool same(const char *what, unsigned i, const char *want,
		 const char *got)
{
	if (strcmp(want, got) == 0)
		return true;
	tu_fail_at(__FILE__, __LINE__, __func__,
		   "input %u %s differs from a run on new worlds:\n--- new\n%s\n"
		   "--- reused\n%s", i, what, want, got);
	return false;
}

/* A, B, A on one reused lockstep against each on new worlds */
static bool aba(enum diff_mode mode, bool inject)
{
	char *alone[MAX_INPUTS];
	struct lockstep ls;
	unsigned diverging = 0;

	ASSERT_TRUE(ninputs >= 2);
	for (unsigned i = 0; i < ninputs; i++) {
		alone[i] = fresh(i, mode, inject);
		diverging += strncmp(alone[i], "diverged 1", 10) == 0;
	}
	ASSERT_EQ(diff_init(&ls), 0);
	for (unsigned a = 0; a + 1 < ninputs; a++) {
		unsigned b = a + 1;
		char *got[3] = {
			reused(&ls, &inputs[a], mode, inject),
			reused(&ls, &inputs[b], mode, inject),
			reused(&ls, &inputs[a], mode, inject),
		};
		bool ok = same("A", a, alone[a], got[0]) &&
			  same("B", b, alone[b], got[1]) &&
			  same("A again", a, alone[a], got[2]);

		for (int k = 0; k < 3; k++)
			free(got[k]);
		if (!ok)
			return false;
	}
	lockstep_fini(&ls);
	for (unsigned i = 0; i < ninputs; i++)
		free(alone[i]);
	/* injection must have made divergences to compare, and only then */
	ASSERT_TRUE(inject ? diverging > ninputs / 2 : diverging == 0);
	return true;
}

static bool test_reused_worlds_give_what_new_ones_give(void)
{
	return aba(DIFF_FAST, false);
}

/* full and signing mode too: they compare each op's scan with the one before */
static bool test_reused_worlds_full_checks(void)
{
	return aba(DIFF_FULL, false) && aba(DIFF_SIGN, false);
}

static bool test_reused_worlds_diverge_as_new_ones_do(void)
{
	return aba(DIFF_FAST, true) && aba(DIFF_FULL, true);
}

/* and diff_run, on worlds made for the input alone, agrees */
static bool test_diff_run_agrees(void)
{
	struct lockstep ls, once;
	int once_res[4096];

	ASSERT_EQ(diff_init(&ls), 0);
	for (unsigned i = 0; i < ninputs; i++) {
		uint32_t n1 = 0, n2 = 0;
		int r1 = diff_run_again(&ls, &inputs[i], DIFF_FAST, res, &n1);
		int r2 = diff_run(&inputs[i], DIFF_FAST, &once, once_res, &n2);

		ASSERT_EQ(r1, r2);
		ASSERT_EQ(n1, n2);
		ASSERT_EQ(memcmp(res, once_res, n1 * sizeof(int)), 0);
		if (r2 == 1) {
			ASSERT_EQ(strcmp(ls.div.signature, once.div.signature), 0);
			lockstep_fini(&once);
		}
	}
	lockstep_fini(&ls);
	return true;
}

static void load(const char *path)
{
	struct trace_error err;
	size_t len;
	char *text = read_whole_file(path, &len);

	if (!text || ninputs == MAX_INPUTS || op_stream_init(&inputs[ninputs]) ||
	    trace_parse(path, text, len, &inputs[ninputs], &err) ||
	    inputs[ninputs].nops > sizeof(res) / sizeof(res[0])) {
		fprintf(stderr, "reuse_test: cannot use %s\n", path);
		exit(2);
	}
	free(text);
	ninputs++;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		load(argv[i]);
	TEST_BEGIN();
	TEST(reused_worlds_give_what_new_ones_give);
	TEST(reused_worlds_full_checks);
	TEST(reused_worlds_diverge_as_new_ones_do);
	TEST(diff_run_agrees);
	for (unsigned i = 0; i < ninputs; i++)
		op_stream_free(&inputs[i]);
	TEST_END();
}
