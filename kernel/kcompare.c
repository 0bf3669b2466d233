/*
 * kcompare.c - the model and the host kernel side by side (kcompare.h).
 *
 * Per op: both apply it; a different result is a divergence at once.  The
 * sharing is compared after the op when it is due (every op, a check line,
 * KCOMPARE_SAMPLE ops since the last time): the kernel's snapshot
 * (kworld_snapshot) against the model's scan taken as a sharing snapshot
 * (scan_sharing) cut to the window.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm_types.h"
#include "kernel/kcompare.h"
#include "oracle/expect.h"

static void diverge(struct kcompare *c, const struct op *op, uint32_t index,
		    const char *what, const char *detail)
{
	struct divergence *d = &c->div;
	const char *name = op ? op_kind_name(op->kind) : NULL;

	c->diverged = true;
	memset(d, 0, sizeof(*d));
	d->op_index = index;
	d->line = op ? op->line : 0;
	d->op_kind = op ? op->kind : 0;
	snprintf(d->check, sizeof(d->check), "kernel");
	snprintf(d->backend, sizeof(d->backend), "%s", what);
	snprintf(d->signature, sizeof(d->signature), "kernel:%s:%s",
		 name ? name : "end", what);
	snprintf(d->detail, sizeof(d->detail), "%s", detail);
}

int kcompare_start(struct kcompare *c, const struct op_stream *s,
		   const struct kcompare_config *cfg, char *why, size_t whylen)
{
	struct world_config wcfg = { .rmap = rmap_backend("obj") };
	int err;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->cfg = *cfg;
	c->cfg.kworld.names = s;
	c->win_lo = cfg->kworld.win_lo ? cfg->kworld.win_lo : KWORLD_WIN_LO;
	c->win_hi = cfg->kworld.win_hi ? cfg->kworld.win_hi : KWORLD_WIN_HI;
	c->model = world_new(&wcfg);
	if (!c->model) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	err = kworld_start(&c->cfg.kworld, &c->kernel, why, whylen);
	if (err) {
		world_free(c->model);
		c->model = NULL;
	}
	return err;
}

/* the model's mappings inside the window, as the kernel world sees its own */
static int model_view(struct kcompare *c)
{
	struct sharing *v = &c->model_view;
	uint32_t kept = 0;
	int err = scan_world(c->model, &c->scan);

	if (!err)
		err = scan_sharing(&c->scan, world_zero_pfn(c->model), v);
	if (err)
		return err;
	for (uint32_t i = 0; i < v->n; i++)
		if (v->e[i].addr >= c->win_lo && v->e[i].addr < c->win_hi)
			v->e[kept++] = v->e[i];
	v->n = kept;
	if (c->cfg.kworld.partial)
		sharing_reduce_partial(v, kworld_sees_zero_page(c->kernel));
	return 0;
}

static int compare_vmas(struct kcompare *c, const struct op *op,
			uint32_t index);

/*
 * Compare both views now; OP (NULL: the end) is blamed.  sharing_same's
 * WHY is "<first view>; <second view>", neither containing "; ".
 */
static int compare_sharing(struct kcompare *c, const struct op *op,
			   uint32_t index)
{
	char why[700], detail[1024];
	const char *sep;
	int err = model_view(c);

	if (!err)
		err = kworld_snapshot(c->kernel, &c->kernel_view);
	if (err)
		return err;
	c->since_compared = 0;
	if (sharing_same(&c->model_view, &c->kernel_view, c->s, why, sizeof(why)))
		return compare_vmas(c, op, index);
	sep = strstr(why, "; ");
	if (sep)
		snprintf(detail, sizeof(detail), "sharing differs: model: %.*s; "
			 "kernel: %s", (int)(sep - why), why, sep + 2);
	else
		snprintf(detail, sizeof(detail), "sharing differs: %s", why);
	diverge(c, op, index, "sharing", detail);
	return 0;
}

/*
 * The VMA boundaries of process PROC inside the window, the model's and the
 * kernel's (/proc/PID/maps): the first difference in DETAIL, or "" when
 * they are the same.  VMA merging is Linux's (vma_merge_new_range,
 * vma_merge_existing_range, copy_vma's vm_pgoff for a moved VMA); a VMA
 * that merges in one and not in the other changes no page, so the sharing
 * cannot see it.
 */
static int vmas_differ(struct kcompare *c, uint32_t proc, char *detail,
		       size_t len)
{
	const struct mm *mm = world_proc_alive(c->model, proc) ?
			      mm_get(c->model, proc) : NULL;
	uint64_t *kv, ms = 0, me = 0;
	uint32_t kn, mi = 0, ki = 0;
	int err = kworld_vmas(c->kernel, proc, &kv, &kn);

	detail[0] = 0;
	if (err)
		return err;
	for (;;) {
		/* the model's next VMA that reaches into the window */
		while (mm && mi < mm->nvmas && (mm->vmas[mi]->end <= c->win_lo ||
					       mm->vmas[mi]->start >= c->win_hi))
			mi++;
		bool mhas = mm && mi < mm->nvmas, khas = ki < kn;

		if (!mhas && !khas)
			break;
		if (mhas) {
			ms = mm->vmas[mi]->start < c->win_lo ? c->win_lo : mm->vmas[mi]->start;
			me = mm->vmas[mi]->end > c->win_hi ? c->win_hi : mm->vmas[mi]->end;
		}
		if (!mhas || !khas || ms != kv[2 * ki] || me != kv[2 * ki + 1]) {
			char m[64] = "none", k[64] = "none";

			if (mhas)
				snprintf(m, sizeof(m), "[0x%llx,0x%llx)",
					 (unsigned long long)ms, (unsigned long long)me);
			if (khas)
				snprintf(k, sizeof(k), "[0x%llx,0x%llx)",
					 (unsigned long long)kv[2 * ki],
					 (unsigned long long)kv[2 * ki + 1]);
			snprintf(detail, len, "VMAs differ in %s: model %s, kernel %s",
				 op_stream_proc_name(c->s, proc), m, k);
			break;
		}
		mi++;
		ki++;
	}
	free(kv);
	return 0;
}

/* every process's VMA boundaries; a divergence "vmas" on the first */
static int compare_vmas(struct kcompare *c, const struct op *op,
			uint32_t index)
{
	uint32_t n = world_nprocs(c->model);
	char detail[256];

	for (uint32_t proc = 0; proc < n; proc++) {
		int err = vmas_differ(c, proc, detail, sizeof(detail));

		if (err)
			return err;
		if (detail[0]) {
			diverge(c, op, index, "vmas", detail);
			return 0;
		}
	}
	return 0;
}

static int compare_result(struct kcompare *c, const struct op *op,
			  uint32_t index)
{
	char m[32], k[32], detail[128];

	if (c->kernel_res.res == c->model_res)
		return 0;
	snprintf(detail, sizeof(detail), "model (%s) returned %s, kernel returned %s",
		 world_backend_name(c->model),
		 trace_result_name(op->kind, c->model_res, m),
		 trace_result_name(op->kind, c->kernel_res.res, k));
	diverge(c, op, index, "result", detail);
	return 0;
}

int kcompare_step(struct kcompare *c, uint32_t index)
{
	const struct op *op = &c->s->ops[index];
	int err;

	if (c->diverged || c->stopped)
		return 0;
	if (op_is_check(op))
		return compare_sharing(c, op, index);
	err = kworld_apply(c->kernel, op, &c->kernel_res);
	if (err)
		return err;
	if (c->kernel_res.skipped) {
		c->stopped = true;
		c->stop_index = index;
		c->stop_note = c->kernel_res.note;
		return 0;
	}
	c->model_res = world_apply(c->model, op);
	compare_result(c, op, index);
	if (c->diverged) {
		/* both views as the op left them, for the report */
		err = model_view(c);
		return err ? err : kworld_snapshot(c->kernel, &c->kernel_view);
	}
	if ((c->cfg.every_op ||
			     ++c->since_compared >= KCOMPARE_SAMPLE))
		return compare_sharing(c, op, index);
	return 0;
}

int kcompare_finish(struct kcompare *c)
{
	if (c->diverged || c->stopped)
		return 0;
	return compare_sharing(c, NULL, c->s->nops);
}

void kcompare_print_views(const struct kcompare *c, FILE *out)
{
	fputs("     model:\n", out);
	sharing_dump(out, &c->model_view, c->s);
	fputs("     kernel:\n", out);
	sharing_dump(out, &c->kernel_view, c->s);
}

void kcompare_print_divergence(const struct kcompare *c, FILE *out)
{
	if (c->div.op_index >= c->s->nops)
		fprintf(out, "     DIVERGENCE [%s]: %s (at the end)\n",
			c->div.signature, c->div.detail);
	else
		fprintf(out, "     DIVERGENCE [%s]: %s (after line %u)\n",
			c->div.signature, c->div.detail,
			c->div.line ? c->div.line : c->div.op_index + 1);
}

void kcompare_stop(struct kcompare *c)
{
	kworld_stop(c->kernel);
	world_free(c->model);
	scan_free(&c->scan);
	sharing_free(&c->model_view);
	sharing_free(&c->kernel_view);
	c->kernel = NULL;
	c->model = NULL;
}

/* one pass over S; C started by the caller */
static int run_pass(struct kcompare *c)
{
	int err = 0;

	for (uint32_t i = 0; i < c->s->nops && !err; i++)
		err = kcompare_step(c, i);
	return err ? err : kcompare_finish(c);
}

int kcompare_stream(struct kcompare *c, const struct op_stream *s,
		    const struct kcompare_config *cfg, char *why, size_t whylen)
{
	struct kcompare_config exact = *cfg;
	struct kcompare again;
	int err = kcompare_start(c, s, cfg, why, whylen);

	if (!err)
		err = run_pass(c);
	if (err) {
		if (c->kernel)
			snprintf(why, whylen, "%s", kworld_error(c->kernel));
		return err;
	}
	if (!c->diverged)
		return 0;
	/* name the first op, and see it twice: compared after every op */
	exact.every_op = true;
	if (kcompare_start(&again, s, &exact, why, whylen))
		return 0;       /* the first report stands */
	if (!run_pass(&again) && again.diverged) {
		kcompare_stop(c);
		*c = again;
		return 0;
	}
	if (!again.stopped && !kworld_error(again.kernel)[0]) {
		c->diverged = false;
		c->flaky = true;
	}
	kcompare_stop(&again);
	return 0;
}
