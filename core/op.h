/*
 * op.h - one operation of the trace format (shared/spec/trace-format.md) as
 * data: what world_apply() executes.  Streams of ops, with the names of
 * their processes and files, are the trace language's (trace/trace.h).
 *
 * Processes and files are small integer ids; process 0 is alive at the
 * start.
 */
#ifndef RMAP_CORE_OP_H
#define RMAP_CORE_OP_H

#include <stdbool.h>
#include <stdint.h>

enum op_kind {
	OP_MMAP = 1,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MREMAP,
	OP_MADVISE,     /* op.advice: MADV_DONTNEED (0) or an extension's */
	OP_FORK,
	OP_EXIT,
	OP_READ,
	OP_WRITE,
	OP_FILE,        /* create or truncate */
	OP_MIGRATE,
	OP_PAGEOUT,
	OP_AGE,
	/* expectations and dump: they read the world, they change nothing */
	OP_EXPECT_MAP,
	OP_EXPECT_SAME,
	OP_EXPECT_DIFF,
	OP_EXPECT_ZERO,
	OP_EXPECT_NONE,
	OP_DUMP,
	/* appended after the checks (op_is_check() takes the range above) */
	OP_UFFD_MOVE,   /* issue 20: UFFDIO_MOVE; addr DST, addr2 SRC, len */
	/*
	 * issue 19: "thp-sizes SIZE,..." before the first op: the anonymous
	 * folio orders a fault in a hugepage VMA may allocate, len a mask
	 * (bit N: order N, 2 to 9); without the line, 2M alone
	 */
	OP_THP_SIZES,
	/* issue 20 (KSM): "fill P ADDR BYTE" (len: BYTE), "ksm-scan" */
	OP_FILL,
	OP_KSM_SCAN,
	OP_KIND_MAX
};

/* PROT as the spec knows it */
enum op_prot { PROT_NONE_ = 0, PROT_R = 1, PROT_RW = 3 };

/*
 * madvise advice.  dontneed is version 1's; the fork advices are the
 * extension of issue 20 (docs/trace-format.md): what dup_mmap() copies.
 */
enum op_advice {
	ADV_DONTNEED = 0,
	ADV_DONTFORK,      /* MADV_DONTFORK: VM_DONTCOPY */
	ADV_DOFORK,        /* MADV_DOFORK: clear VM_DONTCOPY */
	ADV_WIPEONFORK,    /* MADV_WIPEONFORK: VM_WIPEONFORK */
	ADV_KEEPONFORK,    /* MADV_KEEPONFORK: clear VM_WIPEONFORK */
	ADV_MERGEABLE = 5, /* issue 20: MADV_MERGEABLE: VM_MERGEABLE (KSM) */
	ADV_UNMERGEABLE,   /* MADV_UNMERGEABLE: unmerge, clear VM_MERGEABLE */
	ADV_HUGEPAGE = 7,  /* issue 19: MADV_HUGEPAGE: VM_HUGEPAGE */
	ADV_NOHUGEPAGE,    /* MADV_NOHUGEPAGE: VM_NOHUGEPAGE */
	ADV_COLLAPSE,      /* MADV_COLLAPSE: collapse_huge_page() now */
	ADV_MAX
};

/* the large-folio orders (issue 19): PMD_ORDER, and what thp-sizes takes */
#define THP_PMD_ORDER 9
#define THP_MIN_ORDER 2         /* THP_ORDERS_ALL_ANON has no order 0, 1 */
#define THP_ORDERS_DEFAULT (1u << THP_PMD_ORDER)

/* "dontneed", "dontfork", ...; NULL for one that does not exist (op.c) */
const char *op_advice_name(unsigned advice);

/* op.flags */
#define OPF_SHARED      0x01  /* mmap: MAP_SHARED (else MAP_PRIVATE) */
#define OPF_ANON        0x02  /* mmap: anonymous (else file) */
#define OPF_MAYMOVE     0x04  /* mremap */
#define OPF_FIXED       0x08  /* mremap: MREMAP_FIXED (implies maymove) */
#define OPF_DONTUNMAP   0x10  /* mremap */
#define OPF_FAIL_BACKEND 0x20 /* fail-nth N backend: the backend's own site */
#define OPF_GROWSDOWN   0x40  /* mmap: MAP_GROWSDOWN (anonymous private) */
#define OPF_SRC_HOLES   0x01  /* uffd-move: UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES
                               * (the bit of mmap's OPF_SHARED) */
#define OPF_HAS_EXPECT  0x80  /* the line ends in "=> RESULT" */

/*
 * Results.  0 is "ok"; -errno (-ENOMEM, -EINVAL, ...) an error; the two
 * signals have their own codes below every errno; age returns N >= 0 for
 * "referenced=N" (the op's kind tells it from "ok").
 */
#define RES_OK        0
#define RES_SIGSEGV   (-1011)
#define RES_SIGBUS    (-1007)

struct op {
	uint8_t  kind;            /* enum op_kind */
	uint8_t  prot;            /* enum op_prot: mmap, mprotect */
	uint8_t  flags;           /* OPF_* */
	uint16_t proc;            /* the acting process; expect-*: first ref's */
	uint16_t proc2;           /* fork: child; expect-same/diff: second ref */
	uint16_t file;            /* mmap of a file, file op */
	uint64_t addr;            /* mmap/munmap/...: ADDR; mremap: OLD */
	uint64_t len;             /* LEN; mremap: OLDLEN; file: SIZE */
	uint64_t newlen;          /* mremap: NEWLEN */
	uint64_t addr2;           /* mremap: fixed NEWADDR; expect-same/diff */
	uint64_t off;             /* mmap of a file: byte offset */
	int32_t  expect;          /* with OPF_HAS_EXPECT: the asserted result */
	uint32_t line;            /* source line in the .rmt, 0 if none */
	uint32_t refs;            /* expect-map: first index in the stream's refs */
	uint32_t nrefs;           /* expect-map: how many */
	/*
	 * "fail-nth N" before the op: its Nth allocation at one site fails
	 * (world.h, enum alloc_site: the mm code's, or with OPF_FAIL_BACKEND
	 * the backend's own).  0: none.  Any op but a check may carry it.
	 */
	uint32_t fail_nth;
	/*
	 * "interleave WALKER P:ADDR at POINT[:N]" on the line before the op
	 * (core/interleave.h): during the op, at the Nth pass of yield point
	 * ilv_point, run walker ilv_walker on the frame ilv_proc:ilv_addr
	 * mapped when the op started.  ilv_walker 0: none.  ilv_expect: the
	 * asserted outcome ("=> ran", enum ilv_status), 0 none; ilv_line: the
	 * interleave line.  Any op but a check may carry one.
	 */
	uint8_t  ilv_walker;
	uint8_t  ilv_point;
	uint8_t  ilv_expect;
	uint16_t ilv_proc;
	uint32_t ilv_nth;
	uint32_t ilv_line;
	uint64_t ilv_addr;
	/* madvise: enum op_advice (0, dontneed, is version 1's only one) */
	uint8_t  advice;
};

/* "mmap", "expect-map", ...; NULL for a kind that does not exist (op.c) */
const char *op_kind_name(unsigned kind);

/* true for the kinds that only read the world (expect-*, dump) */
static inline bool op_is_check(const struct op *op)
{
	return op->kind >= OP_EXPECT_MAP && op->kind <= OP_DUMP;
}

#endif /* RMAP_CORE_OP_H */
