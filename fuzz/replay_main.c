/*
 * replay_main.c - the plain (no fuzzing engine) main of every fuzz target,
 * zstd's regression_driver: runs each file named on the command line, and
 * every file under each directory named (recursively, entries sorted by
 * name so the order is the same on every machine), once through
 * LLVMFuzzerTestOneInput.  A target that finds a bug aborts, so reaching
 * the end means every input passed:
 *
 *	replayed N inputs                  (stdout; exit 0)
 *
 * An argument or file that cannot be read is reported on stderr, the others
 * still run, and the exit status is 1; a dangling symbolic link is skipped
 * with a note.  No arguments: usage, exit 2.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build_defs/fuzz_entry.h"
#include "trace/file_io.h"

/* A target may define it; the replay calls it when it does. */
#pragma weak LLVMFuzzerInitialize

struct replay {
	unsigned long inputs;
	bool failed;
};
static void replay_file(struct replay *r, const char *path)
{
	size_t len = 0;
	uint8_t *data = (uint8_t *)read_whole_file(path, &len);

	if (!data) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		r->failed = true;
		return;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	r->inputs++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_path(struct replay *r, const char *path);

static void replay_dir(struct replay *r, const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char **names = NULL, **p;
	size_t n = 0, cap = 0;

	if (!dir) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		r->failed = true;
		return;
	}
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			p = realloc(names, cap * sizeof(*names));
			if (!p)
				goto nomem;
			names = p;
		}
		if (asprintf(&names[n], "%s/%s", path, e->d_name) < 0)
			goto nomem;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		replay_path(r, names[i]);
		free(names[i]);
	}
	free(names);
	return;
nomem:
	fprintf(stderr, "%s: out of memory\n", path);
	r->failed = true;
	closedir(dir);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void replay_path(struct replay *r, const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		struct stat lst;

		/* a link to an input since removed: nothing to replay */
		if (errno == ENOENT && !lstat(path, &lst) &&
		    S_ISLNK(lst.st_mode)) {
			fprintf(stderr, "%s: skipped: a dangling symbolic "
				"link\n", path);
			return;
		}
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		r->failed = true;
	} else if (S_ISDIR(st.st_mode)) {
		replay_dir(r, path);
	} else {
		replay_file(r, path);
	}
}

int main(int argc, char **argv)
{
	struct replay r = { 0, false };

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n"
			"Runs every file (directories recursively, in name "
			"order) through the fuzz target once.\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		replay_path(&r, argv[i]);
	printf("replayed %lu inputs\n", r.inputs);
	return r.failed ? 1 : 0;
}
