/*
 * Plain main for the self-test fuzz target: feeds each file named on the
 * command line to LLVMFuzzerTestOneInput once. The project's real replay
 * driver lives in fuzz/; this one only proves the no-engine build links.
 */
#include <stdio.h>
#include <stdlib.h>

#include "build_defs/fuzz_entry.h"

static int replay_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	printf("replayed %s (%zu bytes)\n", path, n);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (replay_file(argv[i]))
			rc = 1;
	return rc;
}
