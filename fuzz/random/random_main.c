/*
 * random_main.c - the bug benchmark's baseline engine: op streams from a
 * plain PRNG through the same fuzz target (LLVMFuzzerTestOneInput), with no
 * coverage feedback and no corpus.  Each input is LEN bytes of splitmix64
 * output (LEN uniform in 1..max-len) decoded by trace/codec.h like any other.
 *
 *	rmap_random [--seed S] [--runs N] [--time SECONDS] [--max-len L]
 *	            [--artifact-prefix P]
 *	rmap_random --list-bugs
 *
 * Stops after N inputs or SECONDS (0: no limit), exit 0, printing how many
 * inputs ran.  A finding aborts inside the target (or is an ASan/UBSan
 * report: run with ASAN_OPTIONS=abort_on_error=1); before the abort goes on, the input is written to
 * P"crash-random-S-I" so it replays with the other engines' crash files.
 * Deterministic: the same seed gives the same inputs in the same order.
 *
 * --list-bugs prints the injected-bug table (bugs/bug_list.h), one bug a
 * line: name, class, the check that should catch it, site; the bug
 * benchmark's tests read each bug's expected check there.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bugs/bugs.h"
#include "build_defs/fuzz_entry.h"

#define RANDOM_MAX_LEN 4096u    /* as rmap_diff_fuzz.options's max_len */

static uint8_t input[RANDOM_MAX_LEN];
static size_t input_len;
static unsigned long long seed, iteration;
static const char *artifact_prefix = "";

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The finding's input, written with async-signal-safe calls only. */
static void save_input(int sig)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%scrash-random-%llu-%llu",
		 artifact_prefix, seed, iteration);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		ssize_t written = write(fd, input, input_len);

		close(fd);
		if (written != (ssize_t)input_len)
			unlink(path);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: rmap_random [--seed S] [--runs N] [--time SECONDS] "
		"[--max-len L] [--artifact-prefix P]\n"
		"       rmap_random --list-bugs\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long long runs = 0, max_len = RANDOM_MAX_LEN;
	double budget = 0, start;
	uint64_t state;

	if (argc == 2 && !strcmp(argv[1], "--list-bugs")) {
		bug_list_print(stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--runs"))
			runs = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--time"))
			budget = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--max-len"))
			max_len = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--artifact-prefix"))
			artifact_prefix = argv[++i];
		else
			return usage();
	}
	if (max_len == 0 || max_len > RANDOM_MAX_LEN)
		max_len = RANDOM_MAX_LEN;
	LLVMFuzzerInitialize(&argc, &argv);
	signal(SIGABRT, save_input);
	state = seed;
	start = now();
	for (iteration = 0; !runs || iteration < runs; iteration++) {
		if (budget > 0 && (iteration & 15) == 0 && now() - start >= budget)
			break;
		input_len = 1 + splitmix64(&state) % max_len;
		for (size_t j = 0; j < input_len; j += 8) {
			uint64_t r = splitmix64(&state);

			memcpy(input + j, &r, input_len - j < 8 ? input_len - j : 8);
		}
		LLVMFuzzerTestOneInput(input, input_len);
	}
	printf("rmap_random: seed %llu, %llu inputs, %.1f s, no finding\n",
	       seed, iteration, now() - start);
	return 0;
}
