/*
 * broken_backend.h - a deliberately broken reverse map, for the tests that
 * prove a bug in a backend is caught, filed once under the event that
 * caused it, minimized and turned into a regression.
 *
 * It is ptechain with one bug: remove() forgets the mapping of every
 * page whose virtual page number is 3 modulo 4, leaving a stale chain
 * entry (as a slip in ptechain_remove would).  Whatever syscall removes
 * such a mapping (munmap, madvise, exit, mremap's unmap, a COW break),
 * the first walk that disagrees with the page tables is the one right
 * after that remove: its signature is walk:remove:failed:ptechain.
 *
 * Linked with -Wl,--wrap=rmap_backend, every rmap_backend("ptechain") of
 * the program (the fuzz target's, repro's, minimize's) gets it: the build
 * with a broken backend, without touching core/.
 */
#ifndef RMAP_TESTS_BROKEN_BACKEND_H
#define RMAP_TESTS_BROKEN_BACKEND_H

#include "core/rmap.h"

/* ptechain with the bug above, named "ptechain" */
const struct rmap_ops *broken_ptechain(void);

/* rmap_backend() under -Wl,--wrap=rmap_backend: the broken ptechain */
const struct rmap_ops *__wrap_rmap_backend(const char *name);
const struct rmap_ops *__real_rmap_backend(const char *name);

#endif /* RMAP_TESTS_BROKEN_BACKEND_H */
