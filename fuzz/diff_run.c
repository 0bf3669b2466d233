/*
 * diff_run.c - see diff_run.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/world.h"
#include "fuzz/diff_run.h"

int diff_init(struct lockstep *ls)
{
	const struct rmap_ops *backends[2] = {
		rmap_backend("obj"), rmap_backend("ptechain"),
	};
	struct world_config cfg = { .max_frames = FUZZ_MAX_FRAMES };

	return lockstep_init(ls, backends, 2, &cfg);
}

/*
 * S on LS as lockstep_init or lockstep_reset left it, in MODE, with HOOK
 * called on the first divergence (NULL: none): 1 diverged, 0 not
 */
static int run_stream(struct lockstep *ls, const struct op_stream *s,
		      enum diff_mode mode, int *res, uint32_t *nrun,
		      void (*hook)(struct lockstep *ls))
{
	uint32_t i;

	ls->fast = mode == DIFF_FAST;
	ls->sign_events = mode == DIFF_SIGN;
	ls->on_divergence = hook;
	for (i = 0; i < s->nops && !ls->diverged; i++) {
		int r = lockstep_apply(ls, &s->ops[i], i);

		if (res)
			res[i] = r;
	}
	if (!ls->diverged && s->nops)
		lockstep_check_all(ls, &s->ops[s->nops - 1], s->nops - 1);
	if (nrun)
		*nrun = i;
	return ls->diverged ? 1 : 0;
}

/* diff_run, with HOOK called on the first divergence (NULL: none) */
static int run_hooked(const struct op_stream *s, enum diff_mode mode,
		      struct lockstep *ls, int *res, uint32_t *nrun,
		      void (*hook)(struct lockstep *ls))
{
	if (diff_init(ls))
		return -1;
	if (run_stream(ls, s, mode, res, nrun, hook))
		return 1;
	lockstep_fini(ls);
	return 0;
}

int diff_run(const struct op_stream *s, enum diff_mode mode,
	     struct lockstep *ls, int *res, uint32_t *nrun)
{
	return run_hooked(s, mode, ls, res, nrun, NULL);
}

int diff_run_again(struct lockstep *ls, const struct op_stream *s,
		   enum diff_mode mode, int *res, uint32_t *nrun)
{
	lockstep_reset(ls);
	return run_stream(ls, s, mode, res, nrun, NULL);
}

/* the token after KEY in TEXT, up to a blank or a newline */
static bool after(const char *text, const char *key, char *out, size_t len)
{
	const char *p = strstr(text, key);
	size_t n;

	if (!p)
		return false;
	p += strlen(key);
	n = strcspn(p, " \n");
	snprintf(out, len, "%.*s", (int)n, p);
	return true;
}

/* TOK without one ':' at its end ("core/vma.c:184:" of a BUG line) */
static void drop_colon(char *tok)
{
	size_t n = strlen(tok);

	if (n && tok[n - 1] == ':')
		tok[n - 1] = '\0';
}

/*
 * The function of the report's first stack frame after FROM that is not
 * the allocator's or the sanitizer's ("    #1 0x4f2 in ptechain_walk
 * core/..."), into OUT; "?" when there is none.
 */
static void top_frame(const char *from, char *out, size_t len)
{
	static const char *const skip[] = {
		"malloc", "calloc", "realloc", "free", "__interceptor_", "__asan",
		"__sanitizer", "__lsan", "__ubsan", "xcalloc", "xmalloc",
		"xrealloc", "array_reserve",
	};
	const char *line = from;

	snprintf(out, len, "?");
	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *fn = line + strspn(line, " \t");
		const char *eol = strchr(fn, '\n');
		bool alloc = false;
		size_t n;

		/* a frame: "#N 0xADDR in FUNCTION FILE:LINE" */
		if (*fn != '#' || !(fn = strstr(fn, " in ")) || (eol && fn > eol))
			continue;
		fn += 4;
		n = strcspn(fn, " \n(");
		for (size_t k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
			alloc |= !strncmp(fn, skip[k], strlen(skip[k]));
		if (!alloc && n) {
			snprintf(out, len, "%.*s", (int)n, fn);
			return;
		}
	}
}

/* "PREFIX:KIND:FUNCTION" of a sanitizer report starting at KEY */
static bool sanitizer_sig(const char *text, const char *key,
			  const char *prefix, char sig[SIGNATURE_SIZE])
{
	const char *p = strstr(text, key);
	char kind[40], fn[40];   /* with the prefix, within a signature */

	if (!p)
		return false;
	after(p, key, kind, sizeof(kind));
	top_frame(p, fn, sizeof(fn));
	snprintf(sig, SIGNATURE_SIZE, "%s:%s:%s", prefix, kind, fn);
	return true;
}

void crash_signature(const char *text, char sig[SIGNATURE_SIZE])
{
	const char *p = strstr(text, "runtime error:");
	char tok[80];   /* leaves room for the prefix */

	if (after(text, SIGNATURE_LINE, tok, sizeof(tok))) {
		snprintf(sig, SIGNATURE_SIZE, "%s", tok);
	} else if (after(text, "BUG at ", tok, sizeof(tok))) {
		drop_colon(tok);
		snprintf(sig, SIGNATURE_SIZE, "bug:%s", tok);
	} else if (strstr(text, "ERROR: libFuzzer: out-of-memory") ||
		   strstr(text, "allocation-size-too-big")) {
		/* before the ASan branch: ASan reports a too big malloc too */
		snprintf(sig, SIGNATURE_SIZE, "oom");
	} else if (sanitizer_sig(text, "ERROR: AddressSanitizer: ", "asan", sig) ||
		   sanitizer_sig(text, "ERROR: LeakSanitizer: ", "leak", sig)) {
		return;
	} else if (strstr(text, "ERROR: libFuzzer: timeout") ||
		   strstr(text, "ALARM: working on the last Unit")) {
		snprintf(sig, SIGNATURE_SIZE, "timeout");
	} else if (p) {
		/* "FILE:LINE:COL: runtime error: ...": the line's first token */
		while (p > text && p[-1] != '\n')
			p--;
		snprintf(sig, SIGNATURE_SIZE, "ubsan:%.*s", (int)strcspn(p, " "), p);
		drop_colon(sig);
	} else {
		snprintf(sig, SIGNATURE_SIZE, "crash");
	}
}

static char *read_all(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	if (!buf)
		return NULL;
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 == cap) {
			char *p = realloc(buf, cap *= 2);

			if (!p)
				break;
			buf = p;
		}
	}
	buf[n] = '\0';
	return buf;
}

/*
 * LeakSanitizer's check, where the build has it (ASan builds): the fuzz
 * target reports a leak as a finding (libFuzzer -detect_leaks), so a child
 * does too.  Weak: NULL in builds without it.
 */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* where a signing child writes its signature (child only) */
static int child_out = -1;

/*
 * The first divergence of a signing child is its answer: written at once,
 * before the broken state can crash the rest of the op.
 */
static void answer_now(struct lockstep *ls)
{
	if (child_out >= 0 &&
	    write(child_out, ls->div.signature, strlen(ls->div.signature)) >= 0)
		_exit(0);
}

/* The child of signature_in_child: never returns. */
static void child(int (*run)(void *arg, char *sig), void *arg, int out,
		  int err)
{
	char sig[SIGNATURE_SIZE] = "";

	child_out = out;
	dup2(err, 2);
	if (run(arg, sig) < 0)
		_exit(3);
	/* the first finding counts: no teardown that could crash later */
	if (!sig[0] && __lsan_do_recoverable_leak_check &&
	    __lsan_do_recoverable_leak_check())
		_exit(4);   /* the report is on stderr */
	if (write(out, sig, strlen(sig)) < 0)
		_exit(3);
	_exit(0);
}

int signature_in_child(int (*run)(void *arg, char *sig), void *arg,
		       char sig[SIGNATURE_SIZE])
{
	int out[2], err[2], status;
	char *o, *e;
	pid_t pid;

	if (pipe(out))
		return -1;
	if (pipe(err)) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(out[0]);
		close(err[0]);
		child(run, arg, out[1], err[1]);
	}
	close(out[1]);
	close(err[1]);
	o = pid < 0 ? NULL : read_all(out[0]);
	e = pid < 0 ? NULL : read_all(err[0]);
	close(out[0]);
	close(err[0]);
	if (pid < 0)
		return -1;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(sig, SIGNATURE_SIZE, "%s", o ? o : "");
	else
		crash_signature(e ? e : "", sig);
	free(o);
	free(e);
	return 0;
}

/* a signing run of S, without the teardown (the child just exits) */
static int full_run(void *arg, char *sig)
{
	struct lockstep ls;
	int r = run_hooked(arg, DIFF_SIGN, &ls, NULL, NULL, answer_now);

	if (r == 1)
		snprintf(sig, SIGNATURE_SIZE, "%s", ls.div.signature);
	return r < 0 ? -1 : 0;
}

int diff_signature_isolated(const struct op_stream *s,
			    char sig[SIGNATURE_SIZE])
{
	return signature_in_child(full_run, (void *)s, sig);
}

int run_in_child(int (*run)(void *arg), void *arg, char sig[SIGNATURE_SIZE])
{
	int err[2], status;
	char *e;
	pid_t pid;

	if (pipe(err))
		return -2;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(err[0]);
		dup2(err[1], 2);
		int rc = run(arg);

		fflush(NULL);
		_exit(rc & 255);
	}
	close(err[1]);
	e = pid < 0 ? NULL : read_all(err[0]);
	close(err[0]);
	if (pid < 0)
		return -2;
	waitpid(pid, &status, 0);
	if (e) {
		fputs(e, stderr);
		fflush(stderr);
	}
	/* sanitizers exit 1 after their report: the report tells */
	if (WIFEXITED(status) && !(e && (strstr(e, "ERROR: AddressSanitizer") ||
					 strstr(e, "ERROR: LeakSanitizer") ||
					 strstr(e, "runtime error:")))) {
		free(e);
		return WEXITSTATUS(status);
	}
	/* a signal, or a sanitizer's own exit status */
	crash_signature(e ? e : "", sig);
	free(e);
	return -1;
}
