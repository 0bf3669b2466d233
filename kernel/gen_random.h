/*
 * gen_random.h - random traces the kernel world can run: every address
 * inside the kernel runner's default window (kworld.h), no simulator-only
 * op (migrate, pageout, age), so the model and the kernel can be compared
 * on each (kcompare.h, tools/kernel_compare.sh).
 *
 * The mix aims at the places where the model's mm can part from Linux's:
 * deep fork trees whose parents exit first; mremap shrinking, growing in
 * place, growing blocked (with and without MREMAP_MAYMOVE), fixed moves
 * next to and overlapping the source, moves of several VMAs, DONTUNMAP on
 * anonymous, shared anonymous and file mappings, duplication of shared
 * mappings (old_len 0); mprotect splits and merges back; files truncated
 * down and up (to partial pages too) under COWed pages; addresses around a
 * 2 MiB page-table boundary; unaligned and huge addresses, lengths and
 * offsets.  Most addresses land in or next to what was mapped before.
 *
 * Deterministic: the same seed and length give the same trace, on every
 * host (a private PRNG, no libc rand).
 */
#ifndef RMAP_KERNEL_GEN_RANDOM_H
#define RMAP_KERNEL_GEN_RANDOM_H

#include <stdint.h>

#include "trace/trace.h"

/*
 * OUT (fresh from op_stream_init) := a trace of NOPS random ops from SEED,
 * after a few ops of setup and before a closing dump; op I on line I + 1
 * of its printed text.  0 or -ENOMEM.
 */
int gen_random_trace(uint64_t seed, uint32_t nops, struct op_stream *out);

/*
 * The same with options.  GEN_LINEAR adds issue 20's ops (madvise's fork
 * advices, growsdown mappings and faults below them, uffd-move) to a quarter of the
 * draws; without it (OPTS 0) a seed gives exactly gen_random_trace()'s
 * trace, as before the option existed.
 */
#define GEN_LINEAR 0x1
/*
 * GEN_THP (issue 19): large folios: hugepage regions (2 MiB-aligned, 4 to
 * 8 MiB) and faults, splits across PMD lines, whole-PMD moves, collapse,
 * forks, and now and then a thp-sizes line; OPTS without it give the
 * same trace as before the option existed.
 */
#define GEN_THP 0x2
int gen_random_trace_opts(uint64_t seed, uint32_t nops, unsigned opts,
			  struct op_stream *out);

#endif /* RMAP_KERNEL_GEN_RANDOM_H */
