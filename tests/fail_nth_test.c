/*
 * fail_nth_test.c - a trace's fail-nth (README, "Allocation failure") on
 * every scenario of tests/scenarios, through the lockstep checker as the
 * fuzz target runs it (obj and ptechain, every check after every op).
 *
 * For each scenario, each of its operations in turn is given
 *
 *	fail-nth N          N = 1, 2, ... while the failure still fires
 *	fail-nth N backend  N = 1, 2
 *
 * (at most FN_PER_OP values of N each; FN_BUDGET bounds the ops a scenario
 * replays), and the whole scenario runs again.  Oracle:
 *   - no divergence: both worlds fail at the same logical allocation and
 *     every invariant, page table and walk agrees after it;
 *   - an mm-site failure that fired made the op return ENOMEM;
 *   - a backend-site failure changes nothing a trace can see: the op's
 *     result is the plain run's (a PTE-chain block is retried sleeping).
 * A core BUG_ON aborts; the SIGABRT handler names the replay first.
 *
 * Usage: fail_nth_test FILE.rmt...   (tests/BUILD passes every scenario)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/world.h"
#include "trace/file_io.h"
#include "trace/trace.h"
#include "oracle/lockstep.h"

static char current[512];   /* the replay under way, for the abort handler */

static void on_abort(int sig)
{
	if (write(2, current, strlen(current)) < 0)
		_exit(134);
}

struct outcome {
	int res;                /* the op's result in world 0 */
	bool fired;             /* its injected failure fired */
	bool fell_back;         /* ... where the op falls back (a large folio) */
	bool diverged;
	char signature[96];
};

/* S through obj and ptechain; RES[i] gets each op's result (may be NULL).
 * With AT < nops, OUT describes op AT. */
static int run(const struct op_stream *s, uint32_t at, int *res,
	       struct outcome *out)
{
	const struct rmap_ops *b[2] = { rmap_backend("obj"),
					rmap_backend("ptechain") };
	struct world_config cfg = { .max_frames = 4096 };
	struct lockstep ls;

	if (lockstep_init(&ls, b, 2, &cfg))
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < s->nops && !ls.diverged; i++) {
		int r = lockstep_apply(&ls, &s->ops[i], i);

		if (res)
			res[i] = r;
		if (i == at) {   /* fired in a world (backend: ptechain's) */
			out->res = r;
			for (unsigned k = 0; k < ls.nworlds; k++) {
				out->fired |= world_fail_fired(ls.w[k]);
				out->fell_back |= world_fail_fell_back(ls.w[k]);
			}
		}
	}
	if (!ls.diverged && s->nops)
		lockstep_check_all(&ls, &s->ops[s->nops - 1], s->nops - 1);
	out->diverged = ls.diverged;
	if (ls.diverged)
		snprintf(out->signature, sizeof(out->signature), "%s",
			 ls.div.signature);
	lockstep_fini(&ls);
	return 0;
}

struct counts {
	unsigned replays, fired, fired_backend, failures;
};

/* op AT of S with fail-nth N (BACKEND: at the backend's site) */
static bool replay(const char *path, struct op_stream *s, uint32_t at,
		   uint32_t n, bool backend, const int *plain,
		   struct counts *c)
{
	struct op *op = &s->ops[at];
	uint8_t flags = op->flags;
	struct outcome o;
	bool ok = true;

	op->fail_nth = n;
	op->flags |= backend ? OPF_FAIL_BACKEND : 0;
	snprintf(current, sizeof(current), "fail_nth_test: aborted in %s, "
		 "line %u with fail-nth %u%s\n", path, op->line, n,
		 backend ? " backend" : "");
	if (run(s, at, NULL, &o))
		abort();
	c->replays++;
	c->fired += o.fired && !backend;
	c->fired_backend += o.fired && backend;
	if (o.diverged) {
		fprintf(stderr, "FAIL %s line %u, fail-nth %u%s: divergence %s\n",
			path, op->line, n, backend ? " backend" : "", o.signature);
		ok = false;
	} else if (!backend && o.fired && !o.fell_back && o.res != -ENOMEM) {
		fprintf(stderr, "FAIL %s line %u, fail-nth %u: fired, but the op "
			"returned %d, not ENOMEM\n", path, op->line, n, o.res);
		ok = false;
	} else if (backend && o.res != plain[at]) {
		fprintf(stderr, "FAIL %s line %u, fail-nth %u backend: the op "
			"returned %d, the plain run %d\n", path, op->line, n,
			o.res, plain[at]);
		ok = false;
	}
	c->failures += !ok;
	op->fail_nth = 0;
	op->flags = flags;
	/* go on with N + 1 while this one fired */
	return ok && o.fired;
}

static void scenario(const char *path, struct counts *c)
{
	unsigned per_op = 4, budget = 6000;
	const char *e = getenv("FN_PER_OP");
	struct trace_error perr;
	struct op_stream s;
	struct outcome o;
	size_t len;
	char *text = read_whole_file(path, &len);
	int *plain;

	if (e)
		per_op = (unsigned)atoi(e);
	if ((e = getenv("FN_BUDGET")))
		budget = (unsigned)atoi(e);
	if (!text || op_stream_init(&s) ||
	    trace_parse(path, text, len, &s, &perr)) {
		fprintf(stderr, "FAIL %s: cannot read or parse\n", path);
		c->failures++;
		free(text);
		return;
	}
	plain = calloc(s.nops + 1, sizeof(*plain));
	if (!plain || run(&s, s.nops, plain, &o))
		abort();
	/* every op, while the budget of replayed ops lasts */
	for (uint32_t i = 0; i < s.nops && budget >= s.nops; i++) {
		if (op_is_check(&s.ops[i]) || s.ops[i].fail_nth)
			continue;
		for (uint32_t n = 1; n <= per_op && budget >= s.nops; n++) {
			budget -= s.nops;
			if (!replay(path, &s, i, n, false, plain, c))
				break;
		}
		for (uint32_t n = 1; n <= 2 && budget >= s.nops; n++) {
			budget -= s.nops;
			if (!replay(path, &s, i, n, true, plain, c))
				break;
		}
	}
	free(plain);
	free(text);
	op_stream_free(&s);
}

int main(int argc, char **argv)
{
	struct counts c = { 0, 0, 0, 0 };

	signal(SIGABRT, on_abort);
	if (argc < 2) {
		fprintf(stderr, "usage: fail_nth_test FILE.rmt...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		scenario(argv[i], &c);
	printf("%d scenarios: %u replays, %u mm and %u backend failures "
	       "fired, %u failed\n", argc - 1, c.replays, c.fired,
	       c.fired_backend, c.failures);
	/* the injection must have reached both sites */
	if (c.fired == 0 || c.fired_backend == 0)
		c.failures++;
	return c.failures ? 1 : 0;
}
