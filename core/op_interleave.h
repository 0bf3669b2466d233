/*
 * op_interleave.h - the values of an op's interleave fields (op.h,
 * ilv_*) and their names in the trace language: the walkers, the yield
 * points and the outcomes.  What they mean, and the lock model, is
 * core/interleave.h's; these are here so that the trace language and the
 * codec need no simulator (//core:op_hdr).
 */
#ifndef RMAP_CORE_OP_INTERLEAVE_H
#define RMAP_CORE_OP_INTERLEAVE_H

/* the walkers of a trace's "interleave WALKER ..." line (0: none) */
enum ilv_walker {
	ILV_WALKER_NONE = 0,
	ILV_WALKER_MIGRATE,     /* try_to_migrate + remove_migration_ptes */
	ILV_WALKER_UNMAP,       /* try_to_unmap, then pageout */
	ILV_WALKER_AGE,         /* folio_referenced */
	/*
	 * another task's MADV_COLLAPSE (or khugepaged) of the tmpfs range
	 * around the frame: mm/khugepaged.c hpage_collapse_scan_file ->
	 * collapse_file -> retract_page_tables, which takes no mmap_lock of
	 * the mms whose page tables it frees (CVE-2024-50066's other side)
	 */
	ILV_WALKER_COLLAPSE,
	/*
	 * folio_referenced() preempted inside its walk (munmap's order,
	 * issue 21): at the point it takes its locks (the folio lock, the
	 * anon_vma root or i_mmap_rwsem for read) and page_vma_mapped_walk()
	 * reads the PMD of each VMA the rmap walk visits; it maps the PTE
	 * tables those PMDs named only when it resumes: when the op takes for
	 * write a lock it holds (free_pgtables()'s unlink_anon_vmas(),
	 * unlink_file_vma()), or when the unmap is done
	 * (core/interleave_run.c, stalled_*)
	 */
	ILV_WALKER_STALLED,
	ILV_WALKER_MAX
};

/*
 * The yield points, in the order of the ops that pass them.  The names are
 * the trace language's (docs/trace-format.md, Extensions); never renumber:
 * op.ilv_point stores the value.
 */
enum yield_point {
	YP_NONE = 0,
	/* mremap, mm/mremap.c move_page_tables(): between two page tables'
	 * move_ptes() calls, where take_rmap_locks() (if need_rmap_locks) and
	 * both PTLs have been dropped */
	YP_MREMAP_BETWEEN_TABLES,
	/* mremap, move_vma(): the PTEs are in the new VMA (move_page_tables
	 * done), the old range not yet unmapped (do_vmi_munmap) */
	YP_MREMAP_MOVED,
	/* fork, kernel/fork.c dup_mmap(): between anon_vma_fork() (the child's
	 * VMA linked into the anon_vma tree) and copy_page_range() */
	YP_FORK_LINK_COPY,
	/* fork, dup_mmap(): after one VMA is copied, before the next */
	YP_FORK_BETWEEN_VMAS,
	/* munmap/exit, mm/vma.c vms_clear_ptes()/exit_mmap(): after
	 * unmap_vmas() zapped the VMA's PTEs, before free_pgtables() and
	 * unlink_anon_vmas()/unlink_file_vma() */
	YP_UNMAP_ZAPPED,
	/* munmap/exit: after one VMA is gone, before the next is zapped */
	YP_UNMAP_BETWEEN_VMAS,
	/* COW, mm/memory.c wp_page_copy(): the copy is made, the PTL not yet
	 * taken for the PTE replacement */
	YP_WP_BEFORE_REPLACE,
	/* wp_page_copy(): after pte_unmap_unlock(), the old page's mapping
	 * gone (folio_remove_rmap_pte) and the new one in */
	YP_WP_AFTER_REPLACE,
	/* truncate, mm/memory.c unmap_mapping_range_tree(): between two VMAs
	 * of i_mmap, i_mmap_rwsem held for read */
	YP_TRUNCATE_BETWEEN_VMAS,
	/* migrate, mm/migrate.c migrate_folio_move(): try_to_migrate() done
	 * and the folio copied (move_to_new_folio), remove_migration_ptes()
	 * not yet run; both folios locked */
	YP_MIGRATE_UNMAPPED,
	/* mremap, mm/mremap.c move_ptes(): one PTE taken from the old table
	 * (ptep_get_and_clear), not yet set in the new one (set_pte_at): it is
	 * in neither.  Both PTLs are held, and the rmap locks when
	 * need_rmap_locks (take_rmap_locks) */
	YP_MREMAP_MOVE_PTE,
	/* split, merge, mremap growth, stack growth, mm/vma.c vma_prepare() ..
	 * vma_complete() (expand_downwards() the same): the VMA is out of the
	 * rmap trees (anon_vma_interval_tree_pre_update_vma,
	 * vma_interval_tree_remove) while its range changes; i_mmap_rwsem and
	 * the anon_vma root held for write */
	YP_VMA_ADJUST,
	/* mremap, mm/huge_memory.c move_huge_pmd() (from move_page_tables()'s
	 * move_pgt_entry(HPAGE_PMD)): the PMD leaf of a THP taken from the old
	 * PMD table (pmdp_huge_get_and_clear), not yet set in the new one
	 * (set_pmd_at): its 512 pages are mapped in neither.  Both PMD locks
	 * are held, and the rmap locks when need_rmap_locks (take_rmap_locks
	 * around move_pgt_entry) */
	YP_MREMAP_MOVE_PMD,
	/* MADV_COLLAPSE, mm/khugepaged.c collapse_huge_page(): the PTE table
	 * detached from its PMD (pmdp_collapse_flush), the huge PMD not yet
	 * set (set_pmd_at): the small pages are mapped in no page table a walk
	 * can reach.  anon_vma_lock_write(vma->anon_vma) is held ("Prevent all
	 * access to pagetables with the exception of gup_fast later handled
	 * by the ptep_clear_flush and the VM handled by the anon_vma lock +
	 * PG_lock"); the folios are not yet locked (__collapse_huge_page_isolate
	 * comes next) */
	YP_COLLAPSE_FLUSHED,
	/* a fault, fork's copy, a swap-in: core/pte_ops.c install(), right
	 * after set_pte() (6.18: set_pte_at() in do_anonymous_page(),
	 * finish_fault(), wp_page_copy(), copy_present_pte(), do_swap_page(),
	 * the rmap added before it, folio_add_*_rmap_*(), all under the PTE
	 * table's PTL; copy_pte_range() holds the source table's too).  Linux
	 * 2.5 (PTE chains) set the PTE first and added its chain entry after
	 * (do_no_page(): set_pte(); page_add_rmap()), under mm->page_table_lock
	 * (both mms' in copy_page_range()): the one window a PTE-chain walk
	 * has (the rmap_ops.add_after_set design, ptechain25) */
	YP_PTE_SET,
	/* mremap, mm/mremap.c move_normal_pmd() (from move_page_tables()'s
	 * move_pgt_entry(NORMAL_PMD)): a whole PTE table taken off the old PMD
	 * (pmd_clear), not yet put in the new one (pmd_populate): its PTEs
	 * map their pages in no page table a walk from a VMA can reach.  Both
	 * PMD locks are held (pmd_lock; not the PTE table's own lock), and
	 * the rmap locks for write: take_rmap_locks() around every NORMAL_PMD
	 * move since 97113eb39fa7 (2021), whatever need_rmap_locks says */
	YP_MREMAP_MOVE_TABLE,
	/* mremap, move_page_tables(): get_old_pmd() found a PTE table under a
	 * PMD the extent covers whole, and the move chose move_pgt_entry(
	 * NORMAL_PMD): the rmap locks (take_rmap_locks) and the PMD locks not
	 * yet taken; only mmap_lock is held, which retract_page_tables()
	 * does not take.  Jann Horn's CVE-2024-50066 window: a collapse here
	 * frees the table, and move_normal_pmd() must recheck the PMD under
	 * its lock (6fa1066fc5d0, "mm/mremap: fix move_normal_pmd/
	 * retract_page_tables race", 2024) */
	YP_MREMAP_TABLE_CHOSEN,
	YP_MAX
};

/* what became of an op's interleave line */
enum ilv_status {
	INTERLEAVE_NONE = 0,        /* the op asked for none */
	INTERLEAVE_UNREACHED,       /* the op never passed POINT N times */
	INTERLEAVE_RAN,             /* the walker ran at the point */
	INTERLEAVE_IMPOSSIBLE,      /* the op held a lock the walker needs */
	INTERLEAVE_NO_PAGE,         /* P:ADDR mapped no page (or the zero
	                             * page) when the op started */
	INTERLEAVE_FRAME_GONE,      /* the frame was freed before the point */
	INTERLEAVE_UNMODELLED,      /* the model cannot run this walker at
	                             * this point (core/interleave_run.c,
	                             * collapse_unmodelled): not run, never
	                             * counted as survived */
	INTERLEAVE_STATUS_MAX
};

/* names: the trace language's; NULL for a value that does not exist */
const char *ilv_walker_name(unsigned walker);
const char *yield_point_name(unsigned point);
const char *ilv_status_name(unsigned status);

#endif /* RMAP_CORE_OP_INTERLEAVE_H */
