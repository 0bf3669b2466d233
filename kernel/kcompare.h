/*
 * kcompare.h - the model and the host kernel side by side on one op
 * stream.  The first op whose result differs, or after which the sharing
 * structure differs (oracle/sharing.h sharing_same: the same mappings, and
 * frames shared alike, up to renaming) or, with the sharing alike, the
 * VMA boundaries do (the model's VMAs against /proc/PID/maps, both inside
 * the window: a VMA that merges in one world and not in the other changes
 * no page), is a divergence, reported as the lockstep reports one between
 * backends (oracle/lockstep.h): the op, both views, and the signature
 * "kernel:OP:result", "kernel:OP:sharing" or "kernel:OP:vmas"
 * ("kernel:end:..." for the last comparison after the stream).
 *
 * The model is one world with the object-based backend (Linux's own rmap;
 * the backends are compared with each other by the lockstep, not here).
 * Its sharing is taken inside the kernel runner's window only, which is
 * what the kernel world can see: a mapping a non-fixed mremap moved out of
 * the window is in neither view.  With cfg.kworld.partial both views are
 * reduced alike to present pages (oracle/sharing.h sharing_reduce_partial).
 *
 * An op the kernel runner does not run (outside the window; migrate,
 * pageout, age) ends the comparison: the worlds are not the same from
 * there on.  That is not a divergence: kcompare.stopped says so, with why.
 *
 * A sharing difference while the host fell back from a large folio it
 * should have allocated (fragmentation) or khugepaged collapsed pages
 * (kworld_thp_disturbed) stops the comparison too, with thp_disturbed set
 * and the host's reason in stop_note: never a divergence.
 * Sharing is compared after every op with every_op; otherwise at the
 * stream's dump and expect-* lines, every KCOMPARE_SAMPLE ops and at the
 * end.  kcompare_stream() runs a stream fast and, when it differs, again
 * op by op to name the first op.  A difference that run does not show
 * again is not reported as a divergence but as flaky: the kernel is not
 * always deterministic (fault-around skips a page cache folio that
 * compaction or reclaim holds locked at that moment: filemap_map_pages ->
 * next_uptodate_folio's folio_trylock).  kcompare_confirm() is that rerun,
 * for a caller that ran the op-by-op pass itself (kernel_run --compare).
 *
 * Flaky is counted, not forgiven: every summary of a batch (kernel_run
 * --compare, compare_random, the kernel fuzz target and its campaign) says
 * how many traces were flaky, and the batch fails when more than
 * KCOMPARE_FLAKY_MAX_PERCENT percent of the traces it compared were
 * (kcompare_flaky_over): a kernel that often shows what it does not do
 * again would hide a real difference among the chance ones.
 *
 * Test seam: RMAP_KCOMPARE_INJECT_FLAKY=N in the environment leaves one
 * mapping out of the kernel's view at the first comparison that sees one,
 * in the first pass of every Nth stream this process starts (N = 1: every
 * stream), never in a rerun: a flaky difference made on purpose, said on
 * stderr ("kcompare: injected ..."), to test the counting
 * (//tests:kcompare_flaky_test).
 */
#ifndef RMAP_KERNEL_KCOMPARE_H
#define RMAP_KERNEL_KCOMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/world.h"
#include "trace/trace.h"
#include "kernel/kworld.h"
#include "oracle/lockstep.h"
#include "oracle/scan.h"
#include "oracle/sharing.h"

/* ops between two comparisons of the sharing when not every_op */
#define KCOMPARE_SAMPLE 16

/*
 * A batch fails when more than this percentage of the traces it compared
 * were flaky (the default of every --max-flaky).  1%: on the host kernel
 * (6.18) none was in 8 runs of the 137 scenarios and patterns and in 2000
 * random traces; a few in a thousand could be fault-around's chance, more
 * is not chance.
 */
#define KCOMPARE_FLAKY_MAX_PERCENT 1

struct kcompare_config {
	struct kworld_config kworld;  /* window, timeout; names: the stream */
	bool every_op;                /* compare the sharing after every op */
};

struct kcompare {
	const struct op_stream *s;
	struct kcompare_config cfg;
	struct world *model;
	struct kworld *kernel;
	uint64_t win_lo, win_hi;
	struct scan scan;
	struct sharing model_view, kernel_view;   /* at the last comparison */
	struct proc_vmas model_vmas;  /* the model's VMAs in the window, then */
	uint32_t since_compared;      /* ops since the sharing was compared */
	/* the last op's results */
	int model_res;
	struct kworld_result kernel_res;
	/* the first divergence, or the op the kernel did not run */
	bool diverged;
	struct divergence div;
	bool stopped;
	uint32_t stop_index;
	const char *stop_note;
	/*
	 * issue 19: stopped because the sharing differed while the host was
	 * disturbed (kworld_thp_disturbed: a large folio it could not
	 * allocate, fragmentation; khugepaged): the op at stop_index ran,
	 * the views after it are not compared, and it is no divergence
	 */
	bool thp_disturbed;
	/*
	 * the op at stop_index ran on both and nothing from it on is
	 * compared: thp_disturbed, or the model took a path it does not
	 * model (world.unmodelled, the note says which); no divergence
	 */
	bool not_compared;
	/* kcompare_stream: the fast run differed (div), the rerun did not */
	bool flaky;
	/* test seam (above): leave a mapping out of the kernel's view once */
	bool inject_flaky;
};

/*
 * Start both worlds for stream S.  0, or -errno with the reason in WHY
 * (nothing left running).
 */
int kcompare_start(struct kcompare *c, const struct op_stream *s,
		   const struct kcompare_config *cfg, char *why, size_t whylen);

/*
 * Op INDEX of the stream (an op or a check) on both worlds, compared.
 * 0 (c->diverged or c->stopped may now be set; later steps do nothing), or
 * -errno when the kernel runner failed (kworld_error(c->kernel) says how).
 */
int kcompare_step(struct kcompare *c, uint32_t index);

/* The last comparison of the sharing, after the stream.  0 or -errno. */
int kcompare_finish(struct kcompare *c);

/* Both views at the last comparison as dumps (oracle/sharing.h), to OUT. */
void kcompare_print_views(const struct kcompare *c, FILE *out);

/*
 * The divergence as run prints one: "     DIVERGENCE [sig]: ... (after
 * line N)"; a flaky one "     flaky, not seen again: DIVERGENCE ...".
 */
void kcompare_print_divergence(const struct kcompare *c, FILE *out);

void kcompare_stop(struct kcompare *c);

/*
 * C ran S to its end and differed (c->diverged): run S again, op by op
 * (every_op), to see the difference again.  Seen again (anywhere): it
 * stands, and with NAME_FIRST the rerun's report replaces C's (it names
 * the first op, which a sampled pass may not).  Not seen again: when it
 * was a sharing difference (the only kind the kernel makes by chance) and
 * the rerun ran to its end, c->flaky is set instead of c->diverged (c->div
 * keeps the report); any other difference stands.  When the rerun cannot
 * start, the report stands.  C's worlds keep running.
 */
void kcompare_confirm(struct kcompare *c, bool name_first);

/*
 * Are FLAKY of COMPARED traces more than MAX_PERCENT percent
 * (KCOMPARE_FLAKY_MAX_PERCENT, or a --max-flaky)?  One flaky trace of
 * fewer than 100 is over 1%.
 */
bool kcompare_flaky_over(unsigned long flaky, unsigned long compared,
			 unsigned max_percent);

/*
 * The whole of S: fast (cfg->every_op as given), and when it differed
 * again op by op, to name the first op and to see it again
 * (kcompare_confirm): if that run does not differ, c->flaky is set instead
 * of c->diverged (c->div keeps the first run's report).  C's worlds are left running with the report
 * in it: read it, then kcompare_stop() (NULL-safe, also after an error).
 * 0 or -errno (WHY).
 */
int kcompare_stream(struct kcompare *c, const struct op_stream *s,
		    const struct kcompare_config *cfg, char *why, size_t whylen);

#endif /* RMAP_KERNEL_KCOMPARE_H */
