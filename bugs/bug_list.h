/*
 * bug_list.h - the injected-bug suite, the whole of it: one entry per bug,
 * each a real mistake of reverse mapping or of the mm code that feeds it.
 *
 *   INJECTED_BUG(name, class, check, site, history, what)
 *
 *   name     the switch (--bug NAME, RMAP_BUG=NAME) and the injection point
 *            BUG_INJECTED(name, cond) in core (bugs.h)
 *   class    BACKEND      one backend's walk is wrong: the walks disagree
 *            SHARED_MM    code both worlds run: both agree, only an
 *                         invariant of the oracle can see it
 *            KERNEL_ONLY  both agree and every invariant holds: only a
 *                         comparison with the kernel's answers sees it (a
 *                         trace's expectations: kernel-checked, or derived
 *                         by hand from the kernel's code when the kernel
 *                         cannot run the trace: its "# checked:" line)
 *   check    what should catch it first, as the first word of the finding's
 *            signature: "invariant-CATEGORY", "walk" (an rmap event
 *            broke the backend's state), "walk-KIND" (the walk itself is
 *            wrong about state no event touched: walk-misses, walk-extra),
 *            "bug" (a core BUG_ON), or "expect" (a failed expectation)
 *   site     where the injection point is
 *   history  the Linux (or LegoOS) mistake it echoes, with commit ids
 *   what     what it breaks
 *
 * The bugs compile into core only under --config=bugs (-DRMAP_BUGS); each
 * has a trace under bugs/traces/NAME.rmt that the suite test replays.  This
 * file is an X-macro list, included with INJECTED_BUG defined: no guard.
 */

/* ---- shared mm code: only the invariants can see these ------------------ */

INJECTED_BUG(ksm_reuse_keeps_index, SHARED_MM, "invariant-linearity",
	"core/fault.c do_wp_page (ksm_reuse_page)",
	"Linux 5.1's \"mm: reuse only-pte-mapped KSM page in do_wp_page()\" "
	"(Kirill Tkhai; reuse_ksm_page() sets page->index = "
	"linear_page_index(vma, address) after page_move_anon_rmap(); the "
	"reuse went with 5.8's 09854ba94c6a do_wp_page() simplification)",
	"a write to a KSM page mapped by one PTE reuses it as that VMA's own "
	"page but keeps the index it had in the process it was first merged "
	"in: the object walk then looks for it at another address")

INJECTED_BUG(expand_downwards_keeps_pgoff, SHARED_MM, "invariant-linearity",
	"core/fault.c expand_downwards",
	"expand_downwards() (expand_stack() before 3.x) must move vm_pgoff "
	"with vm_start (\"vma->vm_start = address; vma->vm_pgoff -= grow;\"): "
	"the line the object-based anon rmap needs since 2.6.7, when "
	"page->index became an anonymous page's linear index (commit id not "
	"confirmed); issue 20 names the mistake",
	"a stack that grows down keeps its vm_pgoff: every page already in "
	"it is then as many pages off where the formula puts it as the stack "
	"grew, and the object walk looks for it at the wrong address")

INJECTED_BUG(uffd_move_keeps_index, SHARED_MM, "invariant-linearity",
	"core/userfaultfd.c move_present_pte",
	"UFFDIO_MOVE (adef440691ba \"userfaultfd: UFFDIO_MOVE uABI\", 6.8) "
	"rewrites the moved folio's mapping and index for dst "
	"(folio_move_anon_rmap; folio->index = linear_page_index(dst_vma, "
	"dst_addr)); d7a08838ab74 (\"mm: userfaultfd: fix unexpected change "
	"to src_folio when UFFDIO_MOVE fails\", 6.8) fixed the same pair of "
	"stores made before a check that could still fail, which left a "
	"folio at src with dst's index",
	"a page moved by uffd-move takes dst's anon_vma but keeps the index "
	"it had at src: in dst the formula puts it where src's base would, "
	"and the object walk misses it")

INJECTED_BUG(mremap_skips_ksm_unmerge, SHARED_MM, "invariant-ksm-rmap_item",
	"core/mremap.c move_vma (prep_move_vma)",
	"before 1ff829957316 (\"ksm: prevent mremap move poisoning\", Hugh "
	"Dickins, 2.6.32) mremap moved a VM_MERGEABLE area's KSM pages as "
	"they were, while KSM's rmap_items kept their old addresses; the fix "
	"unmerges the area first (ksm_madvise(MADV_UNMERGEABLE), today in "
	"prep_move_vma)",
	"mremap of a mergeable VMA moves its KSM pages without unmerging: "
	"their rmap_items still name the old addresses, where nothing maps "
	"them, and rmap_walk_ksm() misses the moved PTEs")

INJECTED_BUG(vma_expand_no_dup_anon_vma, SHARED_MM, "invariant-anon_vma",
	"core/vma.c merge_around (vma_merge_copy)",
	"CVE-2026-23077: vma_expand() skipped dup_anon_vma() when mremap's copy "
	"merged into an unfaulted next VMA (after 879bca0a2c4f; fixed in "
	"6.18.8 by 61f67c230a5e)",
	"a faulted VMA merging into the unfaulted VMA after it hands over the "
	"anon_vma pointer without its chain: once the source goes, the "
	"anon_vma is freed under its pages")

INJECTED_BUG(anon_vma_reuse_degree, SHARED_MM, "invariant-anon_vma-chain",
	"core/anon_vma.c anon_vma_clone",
	"CVE-2022-42703: one anon_vma->degree counted child anon_vmas and VMAs "
	"together, so fork reused an anon_vma still some VMA's own (fixed by "
	"2555283eb40d)",
	"fork reuses an anon_vma when children + VMAs < 2: two VMAs share an "
	"anon_vma with different chains, and a merge then maps pages in a VMA "
	"not linked to their anon_vma")

INJECTED_BUG(vma_merge_next_pgoff, SHARED_MM, "invariant-linearity",
	"core/vma.c merge_around",
	"vma_merge() case 3 kept next's vm_pgoff when next grew downwards "
	"(0503ea8f5ba7; fixed by 7e7757876f25, rpm's mremap of its db)",
	"a range that merges with the next VMA only keeps next's vm_pgoff for "
	"the new start: every page of the merged VMA sits at the wrong offset")

INJECTED_BUG(anon_vma_clone_error_keeps_anon_vma, SHARED_MM,
	"invariant-anon_vma-count",
	"core/anon_vma.c anon_vma_clone",
	"anon_vma_clone()'s error path freed the chain but left vma->anon_vma "
	"set, and num_active_vmas underflowed at teardown (fixed by "
	"3a206a8649f8)",
	"a clone that fails (split, mremap; fail-nth) unlinks its half-built "
	"VMA with dst->anon_vma still set: the source's anon_vma loses an "
	"active VMA it never gained")

INJECTED_BUG(mremap_dontunmap_no_anon_vma, SHARED_MM, "invariant-anon_vma",
	"core/mremap.c copy_vma",
	"MREMAP_DONTUNMAP (e346b3813067) leaves the source mapped; the moved "
	"VMA must still take the source's anon_vma state along (the 2026 fix "
	"of 879bca0a2c4f's DONTUNMAP merge)",
	"mremap with MREMAP_DONTUNMAP gives the moved VMA no anon_vma chain: "
	"its pages point at an anon_vma it is not linked to")

INJECTED_BUG(truncate_skips_vma, SHARED_MM, "invariant-file-dropped",
	"core/address_space.c truncate_setsize",
	"unmap_mapping_range() must reach every VMA of i_mmap, or truncate "
	"leaves disconnected pages: freed from the page cache, still mapped "
	"(16a100190d39)",
	"truncate zaps every VMA of i_mmap but the last: its PTEs keep pages "
	"the page cache dropped")

INJECTED_BUG(remove_migration_ptes_misses, SHARED_MM, "invariant-mapcount",
	"core/rmap_consumers.c page_migrate",
	"remove_migration_ptes() failed to find one of the migration entries "
	"it had inserted (remap_file_pages racing migration, 7e09e738afd2)",
	"migration restores every migration entry but the last: a stale "
	"migration entry stays, and the new page counts a mapping it lacks")

INJECTED_BUG(swapin_exclusive_anon_vma, SHARED_MM, "invariant-anon_vma",
	"core/fault.c do_swap_page",
	"a page not exclusive to the faulting VMA must take the oldest "
	"anon_vma, the root, which every sharer is linked to (288468c334e9; "
	"the exclusive case ad8c2ee801ad)",
	"swap-in of a page other swap entries still share gives it the "
	"faulting VMA's own anon_vma: the other sharers are not linked to it")

INJECTED_BUG(anon_vma_reuse_not_singular, SHARED_MM, "invariant-anon_vma-chain",
	"core/vma.c reusable_anon_vma",
	"anon_vma_prepare() reused a neighbour's anon_vma whatever its chain; "
	"d0e9fe1758f2 allows only a single-entry chain, so VMAs that share an "
	"anon_vma share their whole chain",
	"a faulting VMA reuses the anon_vma of a forked neighbour: merged, the "
	"parent's pages sit in a VMA not linked to the parent's anon_vma")

INJECTED_BUG(anon_itree_stale_on_grow, SHARED_MM, "invariant-itree-key",
	"core/vma.c vma_set_range",
	"the anon_vma interval tree is keyed by [vm_pgoff, last pgoff] and "
	"must be re-keyed whenever a VMA's range changes (vma_adjust's "
	"anon_vma_interval_tree_pre/post_update_vma, Linux 3.7)",
	"a VMA that grows at its end keeps its old key in its anon_vmas' "
	"trees: the object walk misses pages in the grown part (mm state: "
	"the itree-key invariant sees it first)")

INJECTED_BUG(fork_keeps_parent_writable, SHARED_MM, "invariant-ptc-anon-rw",
	"core/fork.c copy_one",
	"copy_present_pte() write-protects a COW page in the parent as well "
	"as in the child (ptep_set_wrprotect on the source PTE)",
	"fork leaves a private anonymous PTE writable in the parent: the "
	"parent's writes land in the page its child still maps")

INJECTED_BUG(truncate_spares_cow, SHARED_MM, "invariant-truncate",
	"core/address_space.c truncate_setsize",
	"truncate must unmap private COW copies too: truncate_pagecache() "
	"calls unmap_mapping_range() with even_cows = 1 (0 is for "
	"invalidation only)",
	"truncate zaps only page-cache pages of private mappings: COW copies "
	"past the new end stay mapped where the kernel raises SIGBUS")

/* ---- large folios (issue 19): shared mm code ------------------------------ */

INJECTED_BUG(huge_pmd_wp_reuse_pmd_mapcount, SHARED_MM, "invariant-ptc-anon-rw",
	"core/huge_memory.c do_huge_pmd_wp_page",
	"CVE-2020-29368: do_huge_pmd_wp_page() read the THP's mapcount while "
	"__split_huge_pmd_locked() moved it from the PMD to the 512 PTEs, saw "
	"the split side's mappings missing and reused a shared THP (fixed by "
	"c444eb564fb1, Fixes: 6d0a07edd17c)",
	"a write fault on a write-protected PMD reuses the folio when it has "
	"one PMD mapping, not counting the PTE mappings of a process that split "
	"its PMD: parent and child share a page the parent now writes")

INJECTED_BUG(large_folio_reuse_ignores_shared, SHARED_MM,
	"invariant-ptc-anon-rw",
	"core/folio.c folio_can_reuse_large_anon",
	"COW reuse of a PTE-mapped large folio (1da190f4d0a6) is safe only with "
	"the MM-id owner tracking of 6af8cb80d3a9: folio_maybe_mapped_shared() "
	"comes first in __wp_can_reuse_large_anon_folio(); mapcount == refcount "
	"alone is true of a folio two processes map",
	"a write fault on a page of an mTHP shared after fork reuses it when "
	"every reference is a mapping, whoever maps it: the writer's PTE is "
	"writable while the other process still maps the page")

INJECTED_BUG(copy_huge_pmd_keeps_exclusive, SHARED_MM, "invariant-anon-exclusive",
	"core/huge_memory.c copy_huge_pmd",
	"copy_huge_pmd() must clear PageAnonExclusive when fork shares a "
	"PMD-mapped THP (folio_try_dup_anon_rmap_pmd; page_try_dup_anon_rmap "
	"since 6c287605fd56, whose fixes of the flag's handling followed for "
	"two years), or a later write fault reuses the shared THP",
	"fork shares a PMD-mapped THP but leaves its pages PageAnonExclusive: "
	"the parent's next write reuses the folio the child maps")

/* ---- one backend's walk: the two walks disagree --------------------------- */

INJECTED_BUG(ptechain_alloc_fail_drops, BACKEND, "walk",
	"core/rmap_ptechain.c ptechain_add",
	"2.5's copy_page_range() asked pte_chain_alloc(GFP_ATOMIC) under the "
	"page-table lock and on failure dropped the lock to sleep for one "
	"(GFP_KERNEL); LegoOS adds an rmap per PTE at fork (pcache_copy_pte)",
	"when the GFP_ATOMIC chain-block allocation fails (fail-nth N backend) "
	"the entry is dropped instead of retried: the PTE is written, the "
	"chain never holds it")

INJECTED_BUG(ptechain_direct_conversion_drops, BACKEND, "walk",
	"core/rmap_ptechain.c direct_to_chain",
	"2.5's page_add_rmap() turned a page's direct pte pointer (PG_direct) "
	"into a pte_chain on its second mapping, carrying the direct entry "
	"into the new block (Andrew Morton's direct-pte optimisation, 2.5.3x)",
	"a page's second mapping turns its inline entry into a chain block "
	"without carrying the inline entry over: the first mapping is lost")

INJECTED_BUG(ptechain_stale_after_mremap, BACKEND, "walk",
	"core/rmap_ptechain.c ptechain_move",
	"LegoOS rewrites a page's rmap (page_table, owner_mm, address) in "
	"pcache_move_pte() when mremap moves its PTE "
	"(managers/processor/pcache/rmap.c)",
	"mremap rewrites a page's entry only when the page is mapped once "
	"(direct): a chained entry keeps the old PTE address")

INJECTED_BUG(ptechain_remove_leaves_duplicate, BACKEND, "walk",
	"core/rmap_ptechain.c chain_remove",
	"2.5's page_remove_rmap() kept chains dense by moving one entry of the "
	"head block into the hole and freeing a head left empty (mm/rmap.c, "
	"2.5.27 onwards)",
	"removing an entry moves the head's last entry into the hole but "
	"leaves it in its old slot too: the chain lists one mapping twice")

INJECTED_BUG(obj_vma_address_skips_last, BACKEND, "walk-misses",
	"core/rmap_obj.c rmap_one_vma",
	"vma_address() decides whether a page offset falls in a VMA; a wrong "
	"bound there hides mappings (mm/thp: fix vma_address() if virtual "
	"address below file offset, 2021)",
	"the object walk takes [vm_pgoff, last) as a VMA's range: the page at "
	"its last offset is never found")

/* ---- large folios (issue 19): one backend's walk -------------------------- */

INJECTED_BUG(thp_vma_address_below_pgoff, BACKEND, "walk-misses",
	"core/rmap_obj.c rmap_one_vma",
	"vma_address() computed from a THP's head gave -EFAULT when the head "
	"lies below the VMA's vm_pgoff although some of its pages are inside "
	"(mm/thp: fix vma_address() if virtual address below file offset, "
	"494334e43c16)",
	"the object walk of a page of a large folio skips a VMA that starts "
	"inside the folio (an mprotect or munmap split it): the pages there "
	"are never found")

INJECTED_BUG(pvmw_thp_stops_at_table_gap, BACKEND, "walk-misses",
	"core/rmap_obj.c rmap_one_vma",
	"page_vma_mapped_walk() returned false prematurely when the page table "
	"for the start of a PTE-mapped THP was missing, though the THP's later "
	"pages were mapped in the next table (mm/thp: fix "
	"page_vma_mapped_walk() if THP mapped by ptes, a9a7504d9bea)",
	"a PTE-mapped folio that crosses a 2 MiB boundary, its first part "
	"unmapped and its page table freed: the object walk misses the pages "
	"in the next table")

INJECTED_BUG(ptechain_pmd_entry_head_address, BACKEND, "walk",
	"core/rmap_ptechain.c walk_entry",
	"no Linux commit: this project's PTE-chain design keeps one entry per "
	"PMD mapping, on the head page's chain (2.5 and LegoOS had no huge "
	"mappings); the entry is the PMD slot's address, which names the "
	"head's virtual address: page i of the folio is i pages further",
	"a walk of a tail page of a PMD-mapped folio reports the PMD entry at "
	"the head's address: every tail page is listed where the head is "
	"mapped, and missed where it is")

/* ---- races: reachable only through an interleaving (core/interleave.h) ---- */

INJECTED_BUG(fork_copy_before_anon_vma_fork, SHARED_MM, "interleave-walk",
	"core/fork.c dup_vma",
	"dup_mmap() links the child's VMA into the anon_vma (anon_vma_link(), "
	"2.6.7's object-based anon rmap; anon_vma_fork() since 5beb49305251) "
	"before copy_page_range(), so that an rmap walk during the copy finds "
	"the child's PTEs (remove_migration_ptes() must restore a migration "
	"entry copied into the child)",
	"fork copies the PTEs before anon_vma_fork(): a walker that runs "
	"between the two (interleave ... at fork_link_copy) misses the child's "
	"copies; migration then frees a frame the child still maps")

INJECTED_BUG(mremap_merge_skips_rmap_locks, SHARED_MM, "interleave-walk",
	"core/mremap.c move_vma (need_rmap_locks)",
	"Arcangeli, \"mremap: enforce rmap src/dst vma ordering in case of "
	"vma_merge() succeeding in copy_vma()\" (linux-mm, Nov 2011): an rmap "
	"walk must visit the destination VMA after the source; since "
	"38a76013ad80 copy_vma() sets need_rmap_locks when a merged "
	"destination may come first, and move_ptes() then takes the rmap "
	"locks (and, since Shutemov's 2014 \"mm, thp: close race between "
	"mremap() and split_huge_page()\", around move_huge_pmd)",
	"mremap into a neighbour with a lower vm_pgoff moves PTEs without the "
	"rmap locks: a walker that runs inside move_ptes() (interleave ... at "
	"mremap_move_pte) finds the PTE in neither VMA")

INJECTED_BUG(remove_migration_pte_peeks, SHARED_MM, "interleave-ptl",
	"core/interleave_run.c blocking_lock (the walker's PTL rule)",
	"Hugh Dickins, \"mm: fix race between mremap and removing migration "
	"entry\" (linux-mm, 19 Oct 2011, for 3.1): remove_migration_pte() "
	"peeked at is_swap_pte() before taking the PTL, so a migration entry "
	"that move_ptes() moved was \"in the old location when looking at the "
	"new, then in the new location when looking at the old\"; today "
	"PVMW_SYNC in remove_migration_pte()'s page_vma_mapped_walk",
	"the migrate walker looks at a PTE before taking its PTL: inside "
	"move_ptes() (interleave migrate ... at mremap_move_pte) it passes "
	"the old VMA while the PTE is in flight and misses it even when the "
	"walk visits the old VMA first")

INJECTED_BUG(vma_adjust_without_anon_vma_lock, SHARED_MM, "interleave-walk",
	"core/vma.c vma_adjust_range",
	"Mel Gorman, \"mm,migration: Prevent rmap_walk_[anon|ksm] seeing the "
	"wrong VMA information\" (linux-mm, Apr-May 2010, 2.6.34): "
	"vma_adjust() changed an anonymous VMA's range without the anon_vma "
	"lock, so a migration walk missed a page and left a migration entry; "
	"today vma_prepare() takes anon_vma_lock_write() before "
	"anon_vma_interval_tree_pre_update_vma()",
	"a split, merge or growth takes the VMA out of its anon_vma's tree "
	"without the anon_vma lock: a walker that runs then (interleave ... "
	"at vma_adjust) misses the VMA's pages (object-based designs only)")

INJECTED_BUG(move_huge_pmd_skips_rmap_locks, SHARED_MM, "interleave-pmd",
	"core/mremap.c move_leaf (take_rmap_locks around move_huge_pmd)",
	"Kirill A. Shutemov, \"mm, thp: close race between mremap() and "
	"split_huge_page()\" (dd18dbc2d42a, 2014, stable 3.7+; Fixes: "
	"108d6642ad81): 38a76013ad80's need_rmap_locks made move_ptes() take "
	"the rmap locks when a merged destination may come first in the "
	"walk, but move_page_tables() called move_huge_pmd() without them, so "
	"split_huge_page()'s rmap walk could miss the PMD in flight; today "
	"take_rmap_locks() is around move_pgt_entry(HPAGE_PMD)",
	"mremap of a PMD-mapped THP into a neighbour with a lower vm_pgoff "
	"moves the PMD without the rmap locks: a walker that runs inside "
	"move_huge_pmd() (interleave ... at mremap_move_pmd) finds the folio "
	"in neither VMA (object-based designs only)")

INJECTED_BUG(move_normal_pmd_skips_rmap_locks, SHARED_MM, "interleave-table",
	"core/mremap.c move_table (take_rmap_locks around move_normal_pmd)",
	"Aneesh Kumar K.V, \"mm/mremap: hold the rmap lock in write mode "
	"when moving page table entries.\" (97113eb39fa7, 2021, stable 5.4+; "
	"Fixes: 2c91bd4a4e2e \"mm: speed up mremap by 20x on large "
	"regions\"): move_normal_pmd() moves a whole PTE table holding only "
	"the PMD locks, so need_rmap_locks' walk-order argument does not "
	"hold for it; move_pgt_entry(NORMAL_PMD) now always takes the rmap "
	"locks (Jann Horn's Project Zero 2347, a stale TLB entry to a freed "
	"page)",
	"mremap of a whole 2 MiB-aligned PTE table moves it without the rmap "
	"locks: a walker that runs inside move_normal_pmd() (interleave ... "
	"at mremap_move_table) finds its PTEs under neither PMD "
	"(object-based designs only)")

INJECTED_BUG(move_normal_pmd_skips_recheck, SHARED_MM,
	"invariant-pgtable-entry",
	"core/mremap.c move_table (move_normal_pmd's recheck of the old PMD)",
	"Jann Horn, \"mm/mremap: fix move_normal_pmd/retract_page_tables "
	"race\" (6fa1066fc5d0, 2024, CVE-2024-50066; Fixes: "
	"1d65b771bc08 \"mm/khugepaged: retract_page_tables() without "
	"mmap or vma lock\"): move_page_tables() decides to move a whole "
	"PTE table from get_old_pmd() holding only mmap_lock, and "
	"retract_page_tables() (another process's MADV_COLLAPSE of the "
	"tmpfs file) may free that table before move_normal_pmd() takes its "
	"locks; move_normal_pmd() then moved the none PMD it read, "
	"pmd_populate() of pmd_pgtable(0): physical page 0 as a page table",
	"a collapse of a shared tmpfs range that runs inside mremap between "
	"the table decision and move_normal_pmd() (interleave collapse ... "
	"at mremap_table_chosen) leaves the new PMD naming frame 0 as its "
	"PTE table")

INJECTED_BUG(free_pgtables_before_unlink, SHARED_MM, "interleave-freed-table",
	"core/mmap.c unmap_range (free_pgtables' order)",
	"Hugh Dickins, \"mm: unlink_file_vma, remove_vma\" (a8fb5618dab7, "
	"2.6.15) and its series: free_pgtables() unlinks each VMA from the "
	"anon_vma and i_mmap (anon_vma_unlink, unlink_file_vma; today "
	"unlink_anon_vmas, unlink_file_vma_batch_add: \"Hide vma from rmap "
	"and truncate_pagecache before freeing pgtables\") before "
	"free_pgd_range() frees its page tables, \"so we can be sure that "
	"any page tables traversed by rmap and vmtruncate are stable\"; "
	"before, the page tables went under page_table_lock while the VMA "
	"was still on the rmap's lists",
	"munmap frees a VMA's page tables before it unlinks the VMA from "
	"its anon_vma and i_mmap: a walker that found the VMA and read its "
	"PMD before the free (interleave stalled ... at unmap_zapped) maps "
	"a freed PTE table when it resumes (object-based designs only)")

INJECTED_BUG(collapse_skips_anon_vma_lock, SHARED_MM, "interleave-walk",
	"core/khugepaged.c collapse_huge_page",
	"Andrea Arcangeli, \"thp: khugepaged\" (ba76149f47d8, 2.6.38): "
	"collapse_huge_page() takes the anon_vma lock for write before "
	"pmdp_collapse_flush() detaches the PTE table (\"Prevent all access "
	"to pagetables with the exception of gup_fast later handled by the "
	"ptep_clear_flush and the VM handled by the anon_vma lock + "
	"PG_lock\"), anon_vma_lock_write() today, and drops it only once the "
	"pages are isolated and locked",
	"MADV_COLLAPSE detaches the PTE table without the anon_vma lock: a "
	"walker that runs before the huge PMD is set (interleave ... at "
	"collapse_flushed) finds the small pages mapped nowhere (object-based "
	"designs only)")

/* ---- kernel-visible only: both agree and every invariant holds ----------- */

INJECTED_BUG(mremap_unfaulted_keeps_pgoff, KERNEL_ONLY, "expect",
	"core/mremap.c copy_vma",
	"copy_vma() gives an anonymous VMA that never faulted the vm_pgoff "
	"of its new address, \"to increase its chance of merging\" there "
	"(mm/vma.c; anon_vma-less VMAs index no page yet)",
	"an unfaulted anonymous VMA moved by mremap keeps its old vm_pgoff: "
	"it no longer merges with a new neighbour, and a resize across both "
	"fails (EFAULT) where the kernel's succeeds")

INJECTED_BUG(stack_guard_gap_one_page, KERNEL_ONLY, "expect",
	"core/fault.c expand_downwards",
	"Stack Clash (CVE-2017-1000364): until 1be7107fbe18 (\"mm: larger "
	"stack guard gap, between vmas\", 4.12) one guard page was all that "
	"kept a growing stack from the mapping below it",
	"a stack grows to within one page of an accessible VMA below it, where "
	"stack_guard_gap (256 pages) makes the kernel refuse with SIGSEGV")

INJECTED_BUG(try_to_unmap_stops_early, KERNEL_ONLY, "expect",
	"core/rmap_consumers.c page_pageout",
	"try_to_unmap() unmaps every mapping or the page stays; 2.6.7's "
	"try_to_unmap_one() backed out part-way on a raised page_count "
	"(replaced by c475a8ab625d)",
	"pageout stops after the first mapping the walk reports: a page shared "
	"after fork goes to swap in one process and stays mapped in the other")

INJECTED_BUG(folio_referenced_clears_one, KERNEL_ONLY, "expect",
	"core/rmap_consumers.c page_age",
	"folio_referenced_one() ends the walk once pra->mapcount reaches 0: a "
	"miscounted mapcount stops it after one mapping (mm/rmap.c)",
	"age clears the accessed bit in the first young mapping only: the "
	"next age counts the others again")

