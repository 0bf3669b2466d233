/*
 * bug.h - core's always-on assertion.  A broken core invariant is a bug in
 * the simulator, never a result: BUG_ON() prints "BUG at FILE:LINE: COND"
 * and aborts whatever NDEBUG says, as Linux's BUG_ON() does.  The crash
 * tools read that line for a crash's signature.
 */
#ifndef RMAP_CORE_BUG_H
#define RMAP_CORE_BUG_H

#define BUG_ON(cond) do { if (cond) core_bug(__FILE__, __LINE__, #cond); } while (0)

_Noreturn void core_bug(const char *file, int line, const char *what);

#endif /* RMAP_CORE_BUG_H */
