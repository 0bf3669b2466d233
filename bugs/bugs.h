/*
 * bugs.h - the injected-bug switch and its canaries (bugs.c; the suite
 * itself, one entry per bug, is bug_list.h).
 *
 * An injection point in core reads
 *
 *	if (BUG_INJECTED(truncate_skips_vma, l.n >= 2))
 *		...the buggy way...
 *
 * Without --config=bugs (no -DRMAP_BUGS) the macro is (0 && (cond)): the
 * default build carries no injected-bug code, yet the name and the
 * condition still compile, so a site cannot rot.  With it, the macro
 * counts the site's canaries, as Magma's are counted:
 *
 *	reached     the injection point ran
 *	triggered   ... with COND true: the bug, when on, changed state there
 *
 * and is true when COND holds and the bug is the one switched on.  A miss
 * is then told apart from a bug never reached.  The canaries count for
 * every bug whether it is on or not, in every world of a lockstep run (two
 * worlds: each point counts twice).
 *
 * One bug at a time is on, process-wide: bug_enable() (--bug NAME) or
 * bug_setup_from_env() (RMAP_BUG=NAME, for the fuzz targets).  The
 * counters live in this process, or, with bug_canaries_share(PATH)
 * (RMAP_BUG_CANARIES=PATH), in a file every process that maps it adds to:
 * fuzzing engines fork and run many processes, and the benchmark reads the
 * file afterwards (bug_canaries_read).
 */
#ifndef RMAP_BUGS_BUGS_H
#define RMAP_BUGS_BUGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum bug_class {
	BUG_CLASS_BACKEND,       /* one backend's walk: the walks disagree */
	BUG_CLASS_SHARED_MM,     /* both worlds agree: only an invariant sees it */
	BUG_CLASS_KERNEL_ONLY,   /* only a comparison with the kernel sees it */
};

enum bug_id {
#define INJECTED_BUG(name, class, check, site, history, what) BUG_ID_##name,
#include "bugs/bug_list.h"
#undef INJECTED_BUG
	BUG_COUNT
};

struct bug_info {
	const char *name;
	enum bug_class class;
	const char *check;       /* the first word of the expected signature */
	const char *site;
	const char *history;
	const char *what;
};

struct bug_canary {
	uint64_t reached;
	uint64_t triggered;
};

#ifdef RMAP_BUGS
#define BUG_INJECTED(name, cond) bug_fires(BUG_ID_##name, (cond))
#else
#define BUG_INJECTED(name, cond) (0 && BUG_ID_##name != 0 && (cond))
#endif

/* The injection point ID ran, COND says whether it triggered: on?
 * (defined in the bugs build only) */
bool bug_fires(enum bug_id id, bool cond);

/* Was the suite compiled in (--config=bugs)? */
bool bugs_compiled_in(void);
/* The table: BUG_COUNT entries, in bug_list.h's order. */
const struct bug_info *bug_info(enum bug_id id);
/* The bug called NAME, or -1. */
int bug_lookup(const char *name);
/* "backend", "shared-mm", "kernel-only" */
const char *bug_class_name(enum bug_class class);

/*
 * Switch bug NAME on (and any other off); NULL or "" switches all off.
 * 0, -ENOENT (no such bug) or -ENOTSUP (not compiled in).
 */
int bug_enable(const char *name);
/* The bug that is on, or -1. */
int bug_enabled(void);

/* The canaries of bug ID so far (zeros when not compiled in). */
void bug_canary(enum bug_id id, struct bug_canary *out);
/*
 * Keep the counters in the file PATH (created, or added to when it holds
 * counters already), mapped shared: every process that does the same adds
 * to them.  PATH NULL: in shared memory of no file, which the children
 * this process forks from now on add to (repro, minimize).  0 or -errno.
 */
int bug_canaries_share(const char *path);
/*
 * Read the counters a run left in PATH into OUT[BUG_COUNT]: 0, or -errno
 * (-ENOENT: no such file; -EINVAL: not a canary file of this suite).
 */
int bug_canaries_read(const char *path, struct bug_canary out[BUG_COUNT]);
/*
 * "canary NAME reached=R triggered=T", one line for the bug that is on, or
 * for every bug with ALL.
 */
void bug_canaries_print(FILE *f, bool all);

/*
 * The command lines' switch, --bug NAME for PROG: NAME on, the canaries
 * shared with the children PROG forks, and printed on stderr should the
 * run end in a crash (SIGABRT, a sanitizer's death); "list" prints the
 * table to stdout.  0 (on), 1 (listed), or -1 with the reason on stderr.
 */
int bug_switch(const char *prog, const char *name);
/* The table, one bug a line: name, class, check, site. */
void bug_list_print(FILE *f);

/*
 * The fuzz targets' switch: RMAP_BUG=NAME switches NAME on and
 * RMAP_BUG_CANARIES=PATH shares the counters (bug_canaries_share).  0, or
 * -1 with the reason on stderr (unknown bug, not compiled in, bad file).
 */
int bug_setup_from_env(void);

#endif /* RMAP_BUGS_BUGS_H */
