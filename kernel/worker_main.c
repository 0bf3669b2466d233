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
 * places a PIE, far above it; kworld.c checks it once).
 *
 * Started by kworld.c with its command pipe on fd 3 and its reply pipe on
 * fd 4 and nothing else open (proto.h); it serves until EOF.
 */
#include "kernel/proto.h"

int main(void)
{
	kworker_main();
}
