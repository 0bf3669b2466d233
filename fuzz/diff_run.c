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

/* S on LS as lockstep_init or lockstep_reset left it: 1 diverged, 0 not */
static int run_stream(struct lockstep *ls, const struct op_stream *s, bool fast,
		      int *res, uint32_t *nrun)
{
	uint32_t i;

	ls->fast = fast;
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

int diff_run(const struct op_stream *s, bool fast, struct lockstep *ls,
	     int *res, uint32_t *nrun)
{
	if (diff_init(ls))
		return -1;
	if (run_stream(ls, s, fast, res, nrun))
		return 1;
	lockstep_fini(ls);
	return 0;
}

int diff_run_again(struct lockstep *ls, const struct op_stream *s, bool fast,
		   int *res, uint32_t *nrun)
{
	lockstep_reset(ls);
	return run_stream(ls, s, fast, res, nrun);
}

int diff_signature(const struct op_stream *s, char *sig)
{
	struct lockstep ls;
	int r = diff_run(s, false, &ls, NULL, NULL);

	sig[0] = '\0';
	if (r < 0)
		return -1;
	if (r == 1) {
		snprintf(sig, sizeof(ls.div.signature), "%s", ls.div.signature);
		lockstep_fini(&ls);
	}
	return 0;
}

/* the token after KEY in TEXT, up to a blank, a ':' at the end, or newline */
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

void crash_signature(const char *text, char *sig)
{
	char tok[80];

	if (after(text, "DIVERGENCE SIGNATURE: ", tok, sizeof(tok)))
		snprintf(sig, 96, "%s", tok);
	else if (after(text, "BUG at ", tok, sizeof(tok)))   /* "FILE:LINE:" */
		snprintf(sig, 96, "bug:%.*s", (int)strlen(tok) - (tok[0] &&
			 tok[strlen(tok) - 1] == ':'), tok);
	else if (after(text, "ERROR: AddressSanitizer: ", tok, sizeof(tok)))
		snprintf(sig, 96, "asan:%s", tok);
	else if (after(text, "ERROR: LeakSanitizer: ", tok, sizeof(tok)))
		snprintf(sig, 96, "leak:%s", tok);
	else if (strstr(text, "runtime error:")) {
		const char *p = strstr(text, "runtime error:");

		while (p > text && p[-1] != '\n')
			p--;
		snprintf(sig, 96, "ubsan:%.*s", (int)strcspn(p, " "), p);
		if (sig[strlen(sig) - 1] == ':')
			sig[strlen(sig) - 1] = '\0';
	} else
		snprintf(sig, 96, "crash");
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

int diff_signature_isolated(const struct op_stream *s, char *sig)
{
	int out[2], err[2], status;
	char *o, *e;
	pid_t pid;

	if (pipe(out) || pipe(err))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct lockstep ls;
		int r;

		close(out[0]);
		close(err[0]);
		dup2(err[1], 2);
		r = diff_run(s, false, &ls, NULL, NULL);
		if (r < 0)
			_exit(3);
		/* the first finding counts: no teardown that could crash later */
		if (r == 1 && write(out[1], ls.div.signature, strlen(ls.div.signature)) < 0)
			_exit(3);
		_exit(0);
	}
	close(out[1]);
	close(err[1]);
	o = read_all(out[0]);
	e = read_all(err[0]);
	close(out[0]);
	close(err[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(sig, 96, "%s", o ? o : "");
	else
		crash_signature(e ? e : "", sig);
	free(o);
	free(e);
	return 0;
}
