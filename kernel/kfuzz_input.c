/*
 * kfuzz_input.c - fuzz bytes to a kernel-runnable stream (kfuzz_input.h).
 * Decoded streams hold no expect-map references, so ops can be dropped in
 * place; forks and file ops are never dropped, so every name is still
 * created before it is used.
 */
#include "kernel/kfuzz_input.h"
#include "trace/codec.h"
#include "kernel/kworld.h"
#include "kernel/window.h"

static uint64_t fold(uint64_t addr, uint64_t lo, uint64_t hi)
{
	return addr >= lo && addr < hi ? addr : lo + addr % (hi - lo);
}

/* the op with its addresses in the window (lengths are kept) */
static void fold_op(struct op *op, uint64_t lo, uint64_t hi)
{
	switch (op->kind) {
	case OP_MREMAP:
		if (op->flags & OPF_FIXED)
			op->addr2 = fold(op->addr2, lo, hi);
		op->addr = fold(op->addr, lo, hi);
		break;
	case OP_UFFD_MOVE:
		op->addr2 = fold(op->addr2, lo, hi);
		op->addr = fold(op->addr, lo, hi);
		break;
	case OP_MMAP:
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MADVISE:
	case OP_READ:
	case OP_WRITE:
	case OP_FILL:
		op->addr = fold(op->addr, lo, hi);
		break;
	default:
		break;
	}
}

static bool runs_on_kernel(const struct kwindow *w, const struct op *op)
{
	switch (op->kind) {
	case OP_MIGRATE:
	case OP_PAGEOUT:
	case OP_AGE:
		return false;
	default:
		return kwindow_op_ok(w, op);
	}
}

int kfuzz_decode(const uint8_t *data, size_t len, struct op_stream *out)
{
	const struct decode_limits lim = KFUZZ_LIMITS;
	struct kwindow w = { KWORLD_WIN_LO, KWORLD_WIN_HI, kwindow_user_top() };
	uint32_t kept = 0;
	int err = decode_ops(data, len, &lim, out);

	if (err)
		return err;
	for (uint32_t i = 0; i < out->nops; i++) {
		struct op op = out->ops[i];

		fold_op(&op, w.lo, w.hi);
		/*
		 * The host kernel cannot fail an allocation on demand, so a
		 * decoded fail-nth would make the model's ENOMEM a false
		 * disagreement: the op runs as it would without it.
		 */
		op.fail_nth = 0;
		op.flags &= ~OPF_FAIL_BACKEND;
		/* nor put an rmap walker inside a system call (interleave) */
		op.ilv_walker = 0;
		if (!runs_on_kernel(&w, &op))
			continue;
		op.line = kept + 1;
		out->ops[kept++] = op;
	}
	out->nops = kept;
	return 0;
}
