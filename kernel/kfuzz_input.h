/*
 * kfuzz_input.h - fuzz input bytes as a kernel-runnable op stream: the
 * project's decoder (trace/codec.h), then every address folded into
 * the kernel runner's window and every op dropped that the kernel world
 * would not run (kwindow_op_ok: a range reaching outside the window;
 * migrate, pageout, age).  The kernel-differential fuzz target and its
 * repro (`kernel_repro`) decode the same bytes the same way.
 *
 * Folding keeps an address's offset in its page (the window is page
 * aligned), so unaligned addresses stay unaligned; addresses already in
 * the window, as the decoder's window forms are, do not move.
 */
#ifndef RMAP_KERNEL_KFUZZ_INPUT_H
#define RMAP_KERNEL_KFUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

/* Small worlds: every trace process is a real process, every op a syscall. */
#define KFUZZ_LIMITS \
	((struct decode_limits){ .max_ops = 96, .max_procs = 8, \
				 .max_files = 3, .max_pages = 64 })

/*
 * OUT (fresh from op_stream_init) := DATA[0..LEN) decoded (KFUZZ_LIMITS)
 * and made kernel-runnable in the default window (kworld.h); op I on line
 * I + 1.  0 or -ENOMEM.
 */
int kfuzz_decode(const uint8_t *data, size_t len, struct op_stream *out);

#endif /* RMAP_KERNEL_KFUZZ_INPUT_H */
