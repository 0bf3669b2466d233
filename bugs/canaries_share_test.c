/*
 * canaries_share_test.c - processes that share one canary file
 * (bug_canaries_share, RMAP_BUG_CANARIES) all get in while the first one
 * runs: libFuzzer's -fork children and AFL++'s -S instances open the file
 * of a process that has it mapped.  The file's lock must not outlive the
 * call (it did, through the mapping: every fork-mode child blocked).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bugs/bugs.h"

static int fails;

#define CHECK(cond, ...) do { if (!(cond)) { fails++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* a second process sharing PATH, as a fork-mode child does; 0 when it got in */
static int second_process(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		alarm(10);      /* blocked in flock: killed, and the test fails */
		_exit(bug_canaries_share(path) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(void)
{
	char path[] = "/tmp/canaries_share_test.XXXXXX";
	const char *dir = getenv("TEST_TMPDIR");
	char buf[4096];
	int fd, rc;

	if (dir) {
		snprintf(buf, sizeof(buf), "%s/canaries.XXXXXX", dir);
		fd = mkstemp(buf);
	} else {
		fd = mkstemp(path);
		snprintf(buf, sizeof(buf), "%s", path);
	}
	CHECK(fd >= 0, "mkstemp");
	close(fd);
	unlink(buf);    /* bug_canaries_share creates it */

	rc = bug_canaries_share(buf);
	CHECK(rc == 0, "the first process shares %s: %d", buf, rc);
	rc = second_process(buf);
	CHECK(rc == 0, "a second process shares it while the first runs: %s",
	      rc == 128 + SIGALRM ? "blocked in flock (killed after 10 s)"
				  : "failed");
	rc = second_process(buf);
	CHECK(rc == 0, "and a third");
	unlink(buf);
	printf("%s\n", fails ? "FAILED" : "PASSED");
	return fails ? 1 : 0;
}
