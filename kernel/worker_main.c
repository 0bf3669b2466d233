/*
 * worker_main.c - the kernel world's worker as a program of its own
 * (`kworker`): a static, position-independent executable with no
 * sanitizer and no coverage instrumentation, which kworld.c embeds
 * (kworker_image.h) and starts once per controller process as the
 * zygote: every trace's p0 is then one fork of this small process, not
 * of the controller.
 *
 * Why: a fork and an exit cost what the forking process has mapped.  The
 * controller is an ASan + libFuzzer process (hundreds of MiB, a long
 * /proc/PID/maps); forked per input, p0 and its children carried all of it
 * (kernel_speed measured 12 ms per start and 11 ms per kill and reap under
 * ASan, docs/bench/kernel-speed.md).  This program maps a few pages of its
 * own, none of them in the window (static-pie: loaded where the kernel
 * places a PIE, far above it; kworld.c checks it once).  Its processes
 * are named rmapfuzz-worker.
 *
 * Started by kworld.c with its command pipe on fd 3 and its reply pipe on
 * fd 4 and nothing else open (proto.h); it serves until EOF.
 */
#include <sys/prctl.h>

#include "kernel/proto.h"

int main(void)
{
	/* a name to find them by (ps, .ci/checks/kernel_jobs.sh): executed
	 * from a memfd, the program would be called by its fd number */
	prctl(PR_SET_NAME, "rmapfuzz-worker", 0, 0, 0);
	kworker_main();
}
