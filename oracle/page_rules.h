/*
 * page_rules.h - the kernel's own rules about how a page may be mapped,
 * checked one frame at a time against the PTEs that map it (page_rules.c).
 * Bugs in the mm code that both rmap backends share leave the two worlds
 * in agreement, so only rules like these can see them.  Each is one Linux
 * asserts or relies on, and each is a category of invariants.h:
 *
 *   ptc-anon-rw     an anonymous page mapped by more than one PTE is
 *                   mapped writable by none (CONFIG_PAGE_TABLE_CHECK,
 *                   page_table_check_set: anon_map_count > 1 && rw)
 *   truncate        no present PTE of a file VMA maps a page offset at or
 *                   past the file's end: truncate_pagecache() zaps with
 *                   unmap_mapping_range(even_cows = 1), so private COW
 *                   copies go too (their swap entries: invariants.c)
 *   ptc-anon-file   no page is mapped both as anonymous and as file-backed
 *                   (page_table_check_set: anon_map_count vs
 *                   file_map_count): an anonymous page is never mapped
 *                   through a shared mapping nor is it its file's page-cache
 *                   page at that offset; a page-cache page is never in the
 *                   swap cache
 *   cow-wp          a writable PTE of a private mapping maps the process's
 *                   own anonymous copy: never the zero page nor a page-cache
 *                   page (do_wp_page copies them; fork write-protects, see
 *                   copy_present_pte).  An anonymous page shared by several
 *                   PTEs is ptc-anon-rw's, which is checked first.
 *   anon-exclusive  a writable PTE of a private mapping maps a page marked
 *                   PageAnonExclusive (do_swap_page: VM_BUG_ON(pte_write(pte)
 *                   && !PageAnonExclusive(page)); wp_page_reuse), and a page
 *                   so marked is mapped by exactly one PTE (fork clears it:
 *                   folio_try_dup_anon_rmap_pte) and shares its swap slot
 *                   with no swap PTE (do_swap_page: a swap PTE never points
 *                   at an exclusive page in the swap cache): nothing else
 *                   maps or holds it but that PTE and the swap cache (the
 *                   refcount rule of invariants.c counts the holders)
 *
 * The checks run in a fixed order, so a frame that breaks several rules
 * always reports the same one: ptc-anon-rw (the frame as a whole), then
 * each PTE in (pid, address) order against truncate, ptc-anon-file and
 * cow-wp, then anon-exclusive.
 */
#ifndef RMAP_ORACLE_PAGE_RULES_H
#define RMAP_ORACLE_PAGE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/world.h"
#include "oracle/scan.h"

/*
 * Check every rule above on frame PFN of W, mapped by the N present PTEs
 * MAP[0..n) (pid, addr and the raw entry; pfn is ignored).  A PTE outside
 * any VMA is skipped (invariants.c reports it).  Returns 0 when all hold,
 * else -1 with "CATEGORY: details" in msg.
 */
int page_rules_check(const struct world *w, uint64_t pfn,
		     const struct scan_entry *map, uint32_t n,
		     char *msg, size_t len);

/*
 * The truncate rule for one page-table entry, present or swap (pid, addr,
 * pte of E): 0, or -1 with "truncate: ..." in msg.
 */
int page_rules_check_offset(const struct world *w, const struct scan_entry *e,
			    char *msg, size_t len);

#endif /* RMAP_ORACLE_PAGE_RULES_H */
