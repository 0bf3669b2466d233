/*
 * canary_dump.c - print the canaries a run left in a canary file
 * (RMAP_BUG_CANARIES=FILE, bugs/bugs.h), one line per bug:
 *
 *	canary NAME reached=R triggered=T
 *
 * For the benchmark and the tests: a fuzzing campaign's processes all add
 * to the file, and this reads it once they are done.
 *
 * Usage: canary_dump FILE [NAME]   (NAME: that bug's line only)
 * Exit status: 0, 1 no such bug, 2 the file cannot be read or is not a
 * canary file of this suite.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bugs/bugs.h"

int main(int argc, char **argv)
{
	struct bug_canary c[BUG_COUNT];
	int err, only = -1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: canary_dump FILE [NAME]\n");
		return 2;
	}
	if (argc == 3 && (only = bug_lookup(argv[2])) < 0) {
		fprintf(stderr, "canary_dump: no such bug '%s'\n", argv[2]);
		return 1;
	}
	err = bug_canaries_read(argv[1], c);
	if (err) {
		fprintf(stderr, "canary_dump: %s: %s\n", argv[1],
			err == -EINVAL ? "not a canary file of this bug suite"
				   : strerror(-err));
		return 2;
	}
	for (int i = 0; i < BUG_COUNT; i++)
		if (only < 0 || i == only)
			printf("canary %s reached=%llu triggered=%llu\n",
			       bug_info((enum bug_id)i)->name,
			       (unsigned long long)c[i].reached,
			       (unsigned long long)c[i].triggered);
	return 0;
}
