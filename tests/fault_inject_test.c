/*
 * fault_inject_test.c - allocation-failure injection over every scenario of
 * tests/scenarios/ (every .rmt file).
 *
 * For each scenario and each rmap backend (scan, obj, ptechain): one plain
 * run counts the allocations (world_alloc_count) and checks the invariants
 * after every op; then for N = 1..total (all of them, or an even spread when
 * there are too many: see run_scenario) a new world replays the scenario
 * with world_fail_nth(w, N), and after every op from the one where the
 * failure fires (before it, the replay is the plain run)
 *   - scan_world + invariants_check must pass,
 *   - the backend's rmap walk of every mapped frame must find exactly the
 *     (process, address) pairs the page-table scan finds, and
 *   - the op during which the injected failure fired must return -ENOMEM.
 * The replays of one scenario and backend run in a child process, so that a
 * BUG_ON() (abort) in core is reported with the scenario, N and line, and
 * the others still run.
 *
 * Usage: fault_inject_test [DIR]   (default: the runfiles' tests/scenarios)
 * Env:   FI_MAX (most injection points per scenario, default 600),
 *        FI_BUDGET (checked ops per scenario, default 12000), FI_MIN (24),
 *        FI_BACKENDS (default "scan,obj,ptechain"),
 *        FI_VERBOSE=1 (one line per scenario and backend).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace/file_io.h"
#include "trace/trace.h"
#include "oracle/invariants.h"
#include "oracle/scan.h"
#include "oracle/walk_check.h"
#include "tests/test_util.h"

#define MAX_REPORTS 4         /* failure messages printed per scenario */

struct progress {             /* shared with the child */
	uint64_t n;           /* injection point replayed now (0: plain run) */
	uint32_t line;        /* source line of the op being applied */
	uint64_t total;       /* allocations of the plain run */
	uint64_t exercised;   /* injection points replayed */
	uint64_t fired;       /* ... of which the failure fired */
	uint32_t failures;
	uint32_t mismatches;  /* plain run: results that differ from "=> X" */
};

struct scenario {
	const char *path;
	const char *name;
	struct op_stream s;
	const struct rmap_ops *rmap;
	const char *backend;
	bool walks;           /* compare rmap walks with the scan (not for "scan") */
};

/* "walk: frame N: page tables: p0:0x1000; walk: p1:0x1000" */
static void walk_report(const struct walk_check *c, char *msg, size_t len)
{
	char want[200], saw[200];

	rmap_hits_format(want, sizeof(want), c->scan, c->nscan);
	if (c->walk_err)
		snprintf(saw, sizeof(saw), " failed (%d)", c->walk_err);
	else
		rmap_hits_format(saw, sizeof(saw), c->walk, c->nwalk);
	/* a cut-short message is fine: it only explains a failure */
	if (snprintf(msg, len, "walk: frame %llu: page tables:%s; rmap walk:%s",
		     (unsigned long long)c->pfn, want, saw) >= (int)len)
		msg[len - 1] = '\0';
}

/*
 * Invariants, then the backend's walk of every mapped frame against the scan
 * (oracle/walk_check.h).  0, or -1 with msg.
 */
static int check(struct world *w, char *msg, size_t len, bool walks)
{
	struct scan s = { 0 };
	int ret = -1;

	if (scan_world(w, &s)) {
		snprintf(msg, len, "scan_world failed");
		goto out;
	}
	if (invariants_check(w, &s, msg, len))
		goto out;
	for (uint32_t i = 0, first, n; walks && i < s.n; i += n) {
		uint64_t pfn = s.e[i].pfn;
		struct walk_check c;
		bool agree;

		n = scan_frame(&s, pfn, &first);
		if (pfn == world_zero_pfn(w))
			continue;
		if (walk_check(w, &s, pfn, &c)) {
			snprintf(msg, len, "walk_check: out of memory");
			goto out;
		}
		agree = c.agree;
		if (!agree)
			walk_report(&c, msg, len);
		walk_check_free(&c);
		if (!agree)
			goto out;
	}
	ret = 0;
out:
	scan_free(&s);
	return ret;
}

static struct world *new_world(const struct scenario *sc)
{
	struct world_config cfg = { .rmap = sc->rmap };
	struct world *w = world_new(&cfg);

	if (!w)
		abort();
	return w;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static const char *op_text(const struct scenario *sc, const struct op *op,
			   char *buf, size_t len)
{
	if (trace_print_op(&sc->s, op, buf, len) < 0)
		snprintf(buf, len, "(op kind %u)", op->kind);
	return buf;
}

static const char *res_text(const struct op *op, int res, char *buf)
{
	const char *s = trace_result_name(op->kind, res, buf);

	if (!s) {
		snprintf(buf, 32, "%d", res);
		s = buf;
	}
	return s;
}

static void report(struct progress *pg, const struct scenario *sc,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(struct progress *pg, const struct scenario *sc,
		   const char *fmt, ...)
{
	va_list ap;

	if (pg->failures++ >= MAX_REPORTS)
		return;
	fprintf(stderr, "FAIL %s [%s]: ", sc->name, sc->backend);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* the plain run: results against "=> X", invariants, the allocation count */
static void plain_run(const struct scenario *sc, struct progress *pg)
{
	struct world *w = new_world(sc);
	char msg[256], a[32], b[32], text[160];

	pg->n = 0;
	for (uint32_t i = 0; i < sc->s.nops; i++) {
		const struct op *op = &sc->s.ops[i];
		int res;

		pg->line = op->line;
		res = world_apply(w, op);
		if ((op->flags & OPF_HAS_EXPECT) && res != op->expect) {
			pg->mismatches++;
			fprintf(stderr, "NOTE %s:%u [%s]: %s => %s, the trace "
				"expects %s\n", sc->name, op->line, sc->backend, op_text(sc, op, text, sizeof(text)),
				res_text(op, res, a), res_text(op, op->expect, b));
		}
		if (check(w, msg, sizeof(msg), sc->walks)) {
			report(pg, sc, "line %u (%s), no injection: invariant: %s",
			       op->line, op_text(sc, op, text, sizeof(text)), msg);
			return;    /* the world is leaked: tearing it down may BUG */
		}
	}
	pg->total = world_alloc_count(w);
	world_free(w);
}

/* one replay with the Nth allocation failing; false when it found a bug */
static bool replay(const struct scenario *sc, struct progress *pg, uint64_t n)
{
	struct world *w = new_world(sc);
	uint32_t fired_line = 0;
	char msg[256], a[32], text[160];
	bool ok = true;

	pg->n = n;
	world_fail_nth(w, n);
	for (uint32_t i = 0; i < sc->s.nops; i++) {
		const struct op *op = &sc->s.ops[i];
		bool before = world_fail_fired(w);
		int res;

		pg->line = op->line;
		res = world_apply(w, op);
		if (!before && world_fail_fired(w)) {
			fired_line = op->line;
			/* a large folio's failed allocation falls back */
			if (res != -ENOMEM && !world_fail_fell_back(w)) {
				report(pg, sc, "line %u (%s) with fail_nth=%llu: the "
				       "injected failure fired but the op returned "
				       "%s, not ENOMEM", op->line,
				       op_text(sc, op, text, sizeof(text)),
				       (unsigned long long)n, res_text(op, res, a));
				ok = false;
			}
		}
		/*
		 * Until the failure fires, the replay is op for op the plain
		 * run, which was checked after every op: check from here on.
		 */
		if (!fired_line)
			continue;
		if (check(w, msg, sizeof(msg), sc->walks)) {
			if (fired_line)
				report(pg, sc, "line %u (%s) with fail_nth=%llu "
				       "(fired at line %u): invariant: %s", op->line,
				       op_text(sc, op, text, sizeof(text)),
				       (unsigned long long)n, fired_line, msg);
			else
				report(pg, sc, "line %u (%s) with fail_nth=%llu "
				       "(not fired yet): invariant: %s", op->line,
				       op_text(sc, op, text, sizeof(text)),
				       (unsigned long long)n, msg);
			return false;      /* leaked on purpose, see plain_run */
		}
	}
	pg->exercised++;
	if (fired_line)
		pg->fired++;
	else {
		report(pg, sc, "fail_nth=%llu never fired although the plain run "
		       "made %llu allocations", (unsigned long long)n,
		       (unsigned long long)pg->total);
		ok = false;
	}
	world_free(w);
	return ok;
}

/*
 * Which injection points to replay: all of them when there are at most
 * FI_MAX (600) and their checks fit the budget; else that many spread
 * evenly over 1..total (first and last included).  A replay checks every op
 * from the one where the failure fires to the end, about nops / 2 checks,
 * and FI_BUDGET (12000) bounds the checks per scenario and backend, so that a
 * long trace (hundreds of ops, a hundred processes) does not take minutes
 * under ASan; at least FI_MIN (24) points are always replayed.
 */
static void run_scenario(const struct scenario *sc, struct progress *pg)
{
	uint64_t max = env_u64("FI_MAX", 600), budget = env_u64("FI_BUDGET", 12000);
	uint64_t min = env_u64("FI_MIN", 24), per = sc->s.nops / 2 + 1, want;

	plain_run(sc, pg);
	if (pg->failures || !pg->total)
		return;
	want = budget / per;
	if (want > max)
		want = max;
	if (want < min)
		want = min;
	if (want >= pg->total) {
		for (uint64_t n = 1; n <= pg->total; n++)
			replay(sc, pg, n);
		return;
	}
	for (uint64_t k = 0; k < want; k++)
		replay(sc, pg, 1 + k * (pg->total - 1) / (want - 1));
}

static int is_rmt(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".rmt");
}

static char *scenario_dir(int argc, char **argv)
{
	const char *srcdir = getenv("TEST_SRCDIR"), *ws = getenv("TEST_WORKSPACE");
	char *dir;

	if (argc > 1)
		return strdup(argv[1]);
	if (srcdir && ws) {
		size_t n = strlen(srcdir) + strlen(ws) + 32;

		dir = malloc(n);
		snprintf(dir, n, "%s/%s/tests/scenarios", srcdir, ws);
		if (access(dir, R_OK) == 0)
			return dir;
		free(dir);
	}
	return strdup("tests/scenarios");
}

struct totals {
	uint64_t points, fired, allocs;
	unsigned mismatches;
};

/* The replays of one scenario with one backend, in a child process. */
static bool run_child(struct scenario *sc, struct progress *pg,
		      struct totals *t, bool verbose)
{
	pid_t pid;
	int status = 0;
	bool ok;

	memset(pg, 0, sizeof(*pg));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		run_scenario(sc, pg);
		fflush(stderr);
		exit(pg->failures ? 1 : 0);   /* exit(), not _exit(): LSan runs */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("fork/waitpid");
		exit(2);
	}
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !pg->failures;
	if (WIFSIGNALED(status))
		fprintf(stderr, "FAIL %s [%s]: crashed (signal %d) at line %u with "
			"fail_nth=%llu%s\n", sc->name, sc->backend, WTERMSIG(status),
			pg->line, (unsigned long long)pg->n,
			pg->n ? "" : " (plain run)");
	else if (WIFEXITED(status) && WEXITSTATUS(status) && !pg->failures)
		fprintf(stderr, "FAIL %s [%s]: exit status %d (a leak? see above)\n",
			sc->name, sc->backend, WEXITSTATUS(status));
	if (pg->failures > MAX_REPORTS)
		fprintf(stderr, "FAIL %s [%s]: ... %u failures in all\n", sc->name,
			sc->backend, pg->failures);
	if (verbose || !ok)
		fprintf(stderr, "%s %s [%s]: %llu allocations, %llu injection points "
			"replayed (%llu fired)\n", ok ? "ok" : "FAILED", sc->name,
			sc->backend, (unsigned long long)pg->total,
			(unsigned long long)pg->exercised,
			(unsigned long long)pg->fired);
	t->points += pg->exercised;
	t->fired += pg->fired;
	t->allocs += pg->total;
	t->mismatches += pg->mismatches;
	return ok;
}

int main(int argc, char **argv)
{
	char *dir = scenario_dir(argc, argv);
	const char *names = getenv("FI_BACKENDS");
	struct dirent **ents = NULL;
	struct tu_state st = { 0, 0 };
	struct totals t = { 0, 0, 0, 0 };
	struct progress *pg;
	bool verbose = env_u64("FI_VERBOSE", 0) != 0;
	char backends[8][16];
	unsigned nb = 0;
	int n = scandir(dir, &ents, is_rmt, alphasort);

	if (!names || !*names)
		names = "scan,obj,ptechain";
	for (const char *p = names; *p && nb < 8;) {
		size_t l = strcspn(p, ",");

		snprintf(backends[nb], sizeof(backends[nb]), "%.*s", (int)l, p);
		if (!rmap_backend(backends[nb])) {
			fprintf(stderr, "unknown backend '%s'\n", backends[nb]);
			return 2;
		}
		nb++;
		p += l + (p[l] == ',');
	}
	if (n <= 0) {
		fprintf(stderr, "no scenarios (*.rmt) in %s: %s\n", dir,
			n < 0 ? strerror(errno) : "empty");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pg == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct scenario sc;
		struct trace_error terr;
		char path[4096], buf[256];
		size_t len = 0;
		char *text;

		memset(&sc, 0, sizeof(sc));
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		sc.path = path;
		sc.name = ents[i]->d_name;
		text = read_whole_file(path, &len);
		if (!text || op_stream_init(&sc.s)) {
			fprintf(stderr, "FAIL %s: cannot read it\n", sc.name);
			st.failed++;
			free(text);
			continue;
		}
		if (trace_parse(path, text, len, &sc.s, &terr)) {
			trace_error_format(&terr, buf, sizeof(buf));
			fprintf(stderr, "FAIL %s: %s\n", sc.name, buf);
			st.failed++;
			op_stream_free(&sc.s);
			free(text);
			continue;
		}
		free(text);
		for (unsigned b = 0; b < nb; b++) {
			sc.backend = backends[b];
			sc.rmap = rmap_backend(backends[b]);
			/* the scan backend's walk is a page-table scan itself */
			sc.walks = strcmp(backends[b], "scan") != 0;
			if (run_child(&sc, pg, &t, verbose))
				st.passed++;
			else
				st.failed++;
		}
		op_stream_free(&sc.s);
	}
	fprintf(stderr, "%d scenarios x %u backends: %llu allocations, %llu "
		"injection points exercised (%llu fired)", n, nb,
		(unsigned long long)t.allocs, (unsigned long long)t.points,
		(unsigned long long)t.fired);
	if (t.mismatches)
		fprintf(stderr, "; %u results of plain runs differ from the "
			"traces' expectations (NOTE lines)", t.mismatches);
	fputc('\n', stderr);
	printf("injection points exercised: %llu\n", (unsigned long long)t.points);
	munmap(pg, sizeof(*pg));
	for (int k = 0; k < n; k++)
		free(ents[k]);
	free(ents);
	free(dir);
	return tu_report(&st);
}
