/*
 * op.c - the names of the op kinds and of madvise's advices, as the trace
 * format spells them: the printer, the checker's signatures and the tools
 * all use these tables.
 */
#include <stddef.h>

#include "core/op.h"

static const char *const kind_names[OP_KIND_MAX] = {
	[OP_MMAP] = "mmap",             [OP_MUNMAP] = "munmap",
	[OP_MPROTECT] = "mprotect",     [OP_MREMAP] = "mremap",
	[OP_MADVISE] = "madvise",       [OP_FORK] = "fork",
	[OP_EXIT] = "exit",             [OP_READ] = "read",
	[OP_WRITE] = "write",           [OP_FILE] = "file",
	[OP_MIGRATE] = "migrate",       [OP_PAGEOUT] = "pageout",
	[OP_AGE] = "age",               [OP_EXPECT_MAP] = "expect-map",
	[OP_EXPECT_SAME] = "expect-same", [OP_EXPECT_DIFF] = "expect-diff",
	[OP_EXPECT_ZERO] = "expect-zero", [OP_EXPECT_NONE] = "expect-none",
	[OP_DUMP] = "dump",             [OP_UFFD_MOVE] = "uffd-move",
	[OP_THP_SIZES] = "thp-sizes",
	[OP_FILL] = "fill",             [OP_KSM_SCAN] = "ksm-scan",
};

const char *op_kind_name(unsigned kind)
{
	return kind < OP_KIND_MAX ? kind_names[kind] : NULL;
}

static const char *const advice_names[ADV_MAX] = {
	[ADV_DONTNEED] = "dontneed",    [ADV_DONTFORK] = "dontfork",
	[ADV_DOFORK] = "dofork",        [ADV_WIPEONFORK] = "wipeonfork",
	[ADV_KEEPONFORK] = "keeponfork",
	[ADV_HUGEPAGE] = "hugepage",    [ADV_NOHUGEPAGE] = "nohugepage",
	[ADV_COLLAPSE] = "collapse",
	[ADV_MERGEABLE] = "mergeable",  [ADV_UNMERGEABLE] = "unmergeable",
};

const char *op_advice_name(unsigned advice)
{
	return advice < ADV_MAX ? advice_names[advice] : NULL;
}
