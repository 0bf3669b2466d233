/*
 * op_interleave.c - the names of op_interleave.h's values, as the trace
 * format spells them (docs/trace-format.md, Extensions: interleave).
 */
#include <stddef.h>

#include "core/op_interleave.h"

static const char *const walker_names[ILV_WALKER_MAX] = {
	[ILV_WALKER_MIGRATE] = "migrate",
	[ILV_WALKER_UNMAP] = "unmap",
	[ILV_WALKER_AGE] = "age",
	[ILV_WALKER_COLLAPSE] = "collapse",
	[ILV_WALKER_STALLED] = "stalled",
};

static const char *const point_names[YP_MAX] = {
	[YP_MREMAP_BETWEEN_TABLES] = "mremap_between_tables",
	[YP_MREMAP_MOVED] = "mremap_moved",
	[YP_FORK_LINK_COPY] = "fork_link_copy",
	[YP_FORK_BETWEEN_VMAS] = "fork_between_vmas",
	[YP_UNMAP_ZAPPED] = "unmap_zapped",
	[YP_UNMAP_BETWEEN_VMAS] = "unmap_between_vmas",
	[YP_WP_BEFORE_REPLACE] = "wp_before_replace",
	[YP_WP_AFTER_REPLACE] = "wp_after_replace",
	[YP_TRUNCATE_BETWEEN_VMAS] = "truncate_between_vmas",
	[YP_MIGRATE_UNMAPPED] = "migrate_unmapped",
	[YP_MREMAP_MOVE_PTE] = "mremap_move_pte",
	[YP_VMA_ADJUST] = "vma_adjust",
	[YP_MREMAP_MOVE_PMD] = "mremap_move_pmd",
	[YP_COLLAPSE_FLUSHED] = "collapse_flushed",
	[YP_PTE_SET] = "pte_set",
	[YP_MREMAP_MOVE_TABLE] = "mremap_move_table",
	[YP_MREMAP_TABLE_CHOSEN] = "mremap_table_chosen",
};

static const char *const status_names[INTERLEAVE_STATUS_MAX] = {
	[INTERLEAVE_UNREACHED] = "unreached",
	[INTERLEAVE_RAN] = "ran",
	[INTERLEAVE_IMPOSSIBLE] = "impossible",
	[INTERLEAVE_NO_PAGE] = "no-page",
	[INTERLEAVE_FRAME_GONE] = "frame-gone",
	[INTERLEAVE_UNMODELLED] = "unmodelled",
};

const char *ilv_walker_name(unsigned walker)
{
	return walker < ILV_WALKER_MAX ? walker_names[walker] : NULL;
}

const char *yield_point_name(unsigned point)
{
	return point < YP_MAX ? point_names[point] : NULL;
}

const char *ilv_status_name(unsigned status)
{
	return status < INTERLEAVE_STATUS_MAX ? status_names[status] : NULL;
}

