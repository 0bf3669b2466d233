/*
 * invariants.c - what must hold in a world after every operation, checked
 * against the page-table scan (see invariants.h for the list).  Each check
 * reports the first violation it finds with the frame, process and address.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/address_space.h"
#include "core/alloc.h"
#include "core/anon_vma.h"
#include "core/interval_tree.h"
#include "core/ksm.h"
#include "core/mm_types.h"
#include "core/pgtable.h"
#include "core/vma.h"
#include "oracle/anon_vma_rules.h"
#include "oracle/folio_rules.h"
#include "oracle/invariant_fail.h"
#include "oracle/invariants.h"
#include "oracle/ksm_rules.h"
#include "oracle/page_rules.h"

int invariant_fail(char *msg, size_t len, const char *category,
		   const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(msg, len, "%s: ", category);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < len)
		vsnprintf(msg + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* references the page cache and the swap cache hold on pfn */
static int32_t cache_refs(const struct world *w, pfn_t pfn, const struct page *pg)
{
	int32_t n = 0;

	if (pg->kind == PAGE_FILE && pg->mapping &&
	    page_cache_lookup(pg->mapping, pg->index) == pfn)
		n++;
	if ((pg->flags & PG_SWAPCACHE) && w->swap.slots[pg->swap].cache == pfn)
		n++;
	return n;
}

static const uint64_t no_entries[64];

/* the used-slot word that entries [64 * word, 64 * word + 64) call for */
static uint64_t used_word_of(const uint64_t *table, unsigned word)
{
	const uint64_t *e = table + 64 * word;
	uint64_t bits = 0;

	/* most words of a table have no entry: one memcmp answers for 64 */
	if (!memcmp(e, no_entries, sizeof(no_entries)))
		return 0;
	for (unsigned j = 0; j < 64; j++)
		bits |= (uint64_t)(e[j] != 0) << j;
	return bits;
}

/*
 * every page table's used-slot bitmap marks exactly its entries that are
 * not none: the scan skips unmarked slots, so it must not take the bitmap
 * on trust (a lost bit would hide a PTE from every check after it).
 * Compared a word of 64 slots at a time; the lowest wrong slot is reported.
 */
static int check_pt_bitmaps(const struct world *w, char *msg, size_t len)
{
	for (pfn_t pfn = 1; pfn < w->phys.nframes; pfn++) {
		const struct page *pt = pfn_page(w, pfn);

		if (pt->kind != PAGE_PGTABLE)
			continue;
		for (unsigned word = 0; word < PTRS_PER_PT / 64; word++) {
			uint64_t wrong = used_word_of(pt->table, word) ^
					 pt_used(pt->table)[word];
			unsigned i;

			if (!wrong)
				continue;
			i = word * 64 + (unsigned)__builtin_ctzll(wrong);
			return invariant_fail(msg, len, "pgtable-bitmap",
				    "table frame %llu (level %u) slot %u: entry "
				    "0x%llx but the used-slot bit is %s",
				    (unsigned long long)pfn, pt->pt_level, i,
				    (unsigned long long)pt->table[i],
				    pt_slot_used(pt->table, i) ? "set" : "clear");
		}
	}
	return 0;
}

/* every PTE: a live frame of the right kind, linear in its VMA */
static int check_ptes(const struct world *w, const struct scan *s,
		      char *msg, size_t len)
{
	for (uint32_t i = 0; i < s->n; i++) {
		const struct scan_entry *e = &s->e[i];
		const struct mm *mm = w->mms[e->pid];
		const struct vma *vma = vma_lookup(mm, e->addr);
		const struct page *pg;

		if (e->pfn == 0 || e->pfn >= w->phys.nframes)
			return invariant_fail(msg, len, "pte-frame",
				    "p%u:0x%llx maps frame %llu beyond memory",
				    e->pid, (unsigned long long)e->addr,
				    (unsigned long long)e->pfn);
		pg = pfn_page(w, e->pfn);
		if (pg->kind == PAGE_FREE || pg->kind == PAGE_PGTABLE)
			return invariant_fail(msg, len, "pte-frame",
				    "p%u:0x%llx maps %s frame %llu", e->pid,
				    (unsigned long long)e->addr,
				    pg->kind == PAGE_FREE ? "free" : "page-table",
				    (unsigned long long)e->pfn);
		if (!vma)
			return invariant_fail(msg, len, "pte-vma",
				    "p%u:0x%llx has a PTE outside any VMA",
				    e->pid, (unsigned long long)e->addr);
		if (pg->kind == PAGE_ZERO)
			continue;
		/*
		 * A KSM page is where Linux gives the formula up: its mapping is
		 * a stable node and each rmap_item names (mm, address) itself
		 * (ksm_rules.c checks those instead).
		 */
		if (page_is_ksm(pg))
			continue;
		/* the seed's question: vm_start + ((index - vm_pgoff) << 12) */
		if (vma->start + ((pg->index - vma->pgoff) << PAGE_SHIFT) != e->addr)
			return invariant_fail(msg, len, "linearity",
				    "p%u:0x%llx maps index %llu but its VMA "
				    "[0x%llx,0x%llx) pgoff %llu puts it at 0x%llx",
				    e->pid, (unsigned long long)e->addr,
				    (unsigned long long)pg->index,
				    (unsigned long long)vma->start,
				    (unsigned long long)vma->end,
				    (unsigned long long)vma->pgoff,
				    (unsigned long long)(vma->start +
					((pg->index - vma->pgoff) << PAGE_SHIFT)));
		if (pg->kind == PAGE_ANON &&
		    (!pg->mapping || !vma_links_anon_vma(vma, pg->mapping)))
			return invariant_fail(msg, len, "anon_vma",
				    "anon page %llu mapped at p%u:0x%llx: its anon_vma "
				    "is not linked to the VMA", (unsigned long long)e->pfn,
				    e->pid, (unsigned long long)e->addr);
		/*
		 * page_cache_remove() clears the mapping; the kernel removes a
		 * folio from the cache only once unmapped (truncate_inode_folio
		 * after unmap_mapping_range, __remove_mapping after
		 * try_to_unmap): a mapped page without a file is what a
		 * truncate or a pageout left mapped, not a VMA of another file.
		 */
		if (pg->kind == PAGE_FILE && !pg->mapping)
			return invariant_fail(msg, len, "file-dropped",
				    "file page %llu mapped at p%u:0x%llx left its "
				    "file's page cache while still mapped (truncate "
				    "and reclaim unmap it first)",
				    (unsigned long long)e->pfn, e->pid,
				    (unsigned long long)e->addr);
		if (pg->kind == PAGE_FILE && pg->mapping != vma->mapping)
			return invariant_fail(msg, len, "file-mapping",
				    "file page %llu mapped at p%u:0x%llx "
				    "through a VMA of another file",
				    (unsigned long long)e->pfn, e->pid,
				    (unsigned long long)e->addr);
	}
	return 0;
}

/*
 * Swap entry E (of a swap slot, not a migration entry) whose slot has a
 * frame in the swap cache, that frame already anonymous: E's VMA links the
 * frame's anon_vma.  A swap-in there maps the cached folio as it is
 * (do_swap_page, folio_add_anon_rmap_ptes), so a VMA not linked to its
 * anon_vma would hold a mapping rmap cannot find.  It holds in the kernel
 * because __folio_set_anon() gives a folio that is not exclusive to the
 * faulting VMA the oldest anon_vma, the root, which every VMA of the
 * family links, and swap entries spread only by fork and by VMA copies,
 * which clone the chain.  In full mode this sees a wrong anon_vma at the
 * swap-in that sets it; in fast mode at the end of the stream, if a
 * sharer's swap entry is still there.
 */
static int check_swap_entry(const struct world *w, const struct scan_entry *e,
			    char *msg, size_t len)
{
	uint64_t off = swp_offset(e->pte);
	const struct page *pg;
	const struct vma *vma;

	if (swp_type(e->pte) != SWP_TYPE_SWAP || off >= w->swap.nslots ||
	    !w->swap.slots[off].cache)
		return 0;
	pg = pfn_page(w, w->swap.slots[off].cache);
	vma = vma_lookup(w->mms[e->pid], e->addr);
	if (pg->kind != PAGE_ANON || !pg->mapping || !vma ||
	    vma_links_anon_vma(vma, pg->mapping))
		return 0;
	return invariant_fail(msg, len, "anon_vma",
		"swap entry at p%u:0x%llx (slot %llu): the swap-cache page "
		"%llu's anon_vma is not linked to the VMA, so a swap-in there "
		"maps it where rmap cannot find it (__folio_set_anon: a page "
		"not exclusive to one VMA takes the root anon_vma)", e->pid,
		(unsigned long long)e->addr, (unsigned long long)off,
		(unsigned long long)w->swap.slots[off].cache);
}

/* every frame: mapcount = scan count, refcount = mapcount + caches */
static int check_counts(const struct world *w, const struct scan *s,
			bool refcounts, char *msg, size_t len)
{
	uint32_t k = 0;   /* cursor into the scan, which is sorted by pfn */

	for (pfn_t pfn = 1; pfn < w->phys.nframes; pfn++) {
		const struct page *pg = pfn_page(w, pfn);
		uint32_t n = 0, m = 0;
		int32_t entire = pg->folio_idx == 0 ? pg->entire_mapcount : 0;

		while (k < s->n && s->e[k].pfn < pfn)
			k++;
		while (k + m < s->n && s->e[k + m].pfn == pfn)
			n += !s->e[k + m++].pmd;   /* a page's own: PTEs */

		if (pg->kind == PAGE_PGTABLE || pg->kind == PAGE_FREE)
			continue;
		if ((uint32_t)pg->mapcount != n)
			return invariant_fail(msg, len, "mapcount",
				    "frame %llu: mapcount %d but %u PTEs map it",
				    (unsigned long long)pfn, pg->mapcount, n);
		if (pg->kind == PAGE_ZERO || !refcounts)
			continue;
		/* a PMD mapping's one folio reference is the head's */
		if (pg->refcount != pg->mapcount + entire + cache_refs(w, pfn, pg))
			return invariant_fail(msg, len, "refcount",
				    "frame %llu: refcount %d, mapcount %d, "
				    "cache references %d, PMD mappings %d",
				    (unsigned long long)pfn, pg->refcount,
				    pg->mapcount, cache_refs(w, pfn, pg), entire);
		if (pg->refcount == 0 && !folio_page_held(w, pfn))
			return invariant_fail(msg, len, "leak",
				    "frame %llu is leaked: in use with no "
				    "reference", (unsigned long long)pfn);
	}
	return 0;
}

int invariants_check_table_entry(const struct world *w, uint32_t pid,
				 uint64_t va, int level, uint64_t e,
				 char *msg, size_t len)
{
	static const char *const kinds[] = {
		[PAGE_FREE] = "a free frame", [PAGE_ZERO] = "the zero page",
		[PAGE_ANON] = "an anonymous page", [PAGE_FILE] = "a file page",
		[PAGE_PGTABLE] = "a page table of another level",
	};
	static const char *const levels[] = { "", "PTE", "PMD", "PUD", "PGD" };
	uint64_t pfn = pte_pfn(e);
	const struct page *p;

	if (level < 2 || level > 4 || !(e & PTE_P) ||
	    (level == 2 && pmd_leaf(e)))
		return 0;
	if (pfn >= w->phys.nframes)
		return invariant_fail(msg, len, "pgtable-entry",
				      "p%u:%#llx: the %s entry %#llx names frame "
				      "%llu as its page table: beyond memory",
				      pid, (unsigned long long)va, levels[level],
				      (unsigned long long)e,
				      (unsigned long long)pfn);
	p = pfn_page(w, pfn);
	if (p->kind == PAGE_PGTABLE && p->pt_level == level - 1)
		return 0;
	return invariant_fail(msg, len, "pgtable-entry",
			      "p%u:%#llx: the %s entry %#llx names frame %llu "
			      "as its page table: %s", pid,
			      (unsigned long long)va, levels[level],
			      (unsigned long long)e, (unsigned long long)pfn,
			      p->kind <= PAGE_PGTABLE ? kinds[p->kind] : "?");
}

/*
 * every non-leaf entry names a page table of the level below (the scan
 * does not walk one that does not: scan.h, bad_tables)
 */
static int check_table_entries(const struct world *w, const struct scan *s,
			       char *msg, size_t len)
{
	if (!s->bad_tables)
		return 0;
	return invariants_check_table_entry(w, s->bad.pid, s->bad.addr,
					    s->bad_level, s->bad.pte, msg, len);
}

/* page tables: owned by a live process; none left for exited ones */
static int check_tables(const struct world *w, const struct scan *s,
			char *msg, size_t len)
{
	uint64_t tables = 0;

	for (uint32_t pid = 0; pid < w->nmms; pid++) {
		const struct mm *mm = w->mms[pid];

		if (mm && !mm->alive && mm->pgd)
			return invariant_fail(msg, len, "pgtable",
				    "p%u exited but its page tables remain", pid);
	}
	for (pfn_t pfn = 1; pfn < w->phys.nframes; pfn++)
		if (pfn_page(w, pfn)->kind == PAGE_PGTABLE)
			tables++;
	if (s->tables != tables)
		return invariant_fail(msg, len, "pgtable",
			    "%llu page-table frames exist, %llu reachable",
			    (unsigned long long)tables, (unsigned long long)s->tables);
	return 0;
}

/* with no process left, only named files' page caches hold frames */
static int check_no_leak(const struct world *w, char *msg, size_t len)
{
	uint64_t cached = 0;

	for (uint32_t pid = 0; pid < w->nmms; pid++)
		if (w->mms[pid] && w->mms[pid]->alive)
			return 0;
	for (uint32_t i = 0; i < w->nfiles; i++) {
		const struct address_space *file = w->files[i];

		cached += file ? file->ncache : 0;
	}
	if (w->phys.used != 1 + cached)
		return invariant_fail(msg, len, "leak",
				    "all processes exited, yet %llu frames are in "
			    "use and only %llu are page cache",
			    (unsigned long long)(w->phys.used - 1),
			    (unsigned long long)cached);
	if (w->anon_vmas)
		return invariant_fail(msg, len, "leak",
				    "all processes exited, yet anon_vmas remain");
	return 0;
}

/* the interval trees the object walk relies on are well formed */
static int check_trees(const struct world *w, char *msg, size_t len)
{
	for (const struct anon_vma *av = w->anon_vmas; av; av = av->next_all)
		if (itree_check(&av->rb_root))
			return invariant_fail(msg, len, "itree", "anon_vma %llu: interval tree "
				    "broken", (unsigned long long)av->serial);
	for (uint32_t i = 0; i < w->nfiles; i++)
		if (w->files[i] && itree_check(&w->files[i]->i_mmap))
			return invariant_fail(msg, len, "itree", "file %u: i_mmap broken", i);
	return 0;
}

/* page_rules.h on every frame in use, mapped or not, and every swap entry */
static int check_page_rules(const struct world *w, const struct scan *s,
			    char *msg, size_t len)
{
	uint32_t k = 0;   /* cursor into the scan, which is sorted by pfn */

	for (pfn_t pfn = 1; pfn < w->phys.nframes; pfn++) {
		uint8_t kind = pfn_page(w, pfn)->kind;
		uint32_t n = 0;

		while (k < s->n && s->e[k].pfn < pfn)
			k++;
		while (k + n < s->n && s->e[k + n].pfn == pfn)
			n++;
		/* s->e is NULL while nothing is mapped */
		if (kind != PAGE_FREE && kind != PAGE_PGTABLE &&
		    page_rules_check(w, pfn, n ? &s->e[k] : NULL, n, msg, len))
			return -1;
	}
	/* the swap entries: truncate, and the anon_vma a swap-in will map */
	for (uint32_t i = 0; i < s->nall; i++)
		if (!pte_present(s->all[i].pte) &&
		    (page_rules_check_offset(w, &s->all[i], msg, len) ||
		     check_swap_entry(w, &s->all[i], msg, len)))
			return -1;
	return 0;
}

/*
 * REFCOUNTS false: in the middle of an op, where the refcounts and the
 * page rules (page_rules.h) are in flux: a page unmapped is put later, as
 * Linux's TLB batching does; truncate cuts i_size before it zaps
 * (truncate_setsize() before truncate_pagecache()); fork and zap change a
 * page's PTEs one at a time while its exclusive and write bits follow.
 */
static int check_all(const struct world *w, const struct scan *s,
		     bool refcounts, char *msg, size_t msglen)
{
	if (check_table_entries(w, s, msg, msglen) ||
	    check_pt_bitmaps(w, msg, msglen) ||
	    check_ptes(w, s, msg, msglen) ||
	    check_counts(w, s, refcounts, msg, msglen) ||
	    (refcounts && folio_rules_check(w, s, msg, msglen)) ||
	    check_tables(w, s, msg, msglen) || check_trees(w, msg, msglen) ||
	    check_no_leak(w, msg, msglen) ||
	    /* before the page rules: a writable KSM PTE is ksm-wp first */
	    ksm_rules_check(w, s, msg, msglen) ||
	    (refcounts && check_page_rules(w, s, msg, msglen)) ||
	    anon_vma_rules_check(w, msg, msglen))
		return -1;
	return 0;
}

int invariants_check(const struct world *w, const struct scan *s,
		     char *msg, size_t msglen)
{
	return check_all(w, s, true, msg, msglen);
}

int invariants_check_midop(const struct world *w, const struct scan *s,
			   char *msg, size_t msglen)
{
	return check_all(w, s, false, msg, msglen);
}

int invariants_check_frame(const struct world *w, uint64_t pfn,
			   const struct rmap_hit *maps, uint32_t n,
			   char *msg, size_t msglen)
{
	struct scan_entry local[16], *e = n <= 16 ? local : xcalloc(n, sizeof(*e));
	uint32_t k = 0;
	int err;

	if (pfn == 0 || pfn >= w->phys.nframes)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct mm *mm = mm_get(w, maps[i].pid);
		/* a PTE, or a PMD leaf mapping pfn there (as the scan's push_leaf) */
		const uint64_t *pte = mm ? pvmw_slot(w, mm, maps[i].addr, pfn) : NULL;

		/* an entry that does not map pfn is the walk check's finding */
		if (pte)
			e[k++] = (struct scan_entry){
				pfn, maps[i].pid, maps[i].addr, *pte,
				pt_level_of_slot(w, pte) == 2 };
	}
	err = page_rules_check(w, pfn, e, k, msg, msglen);
	if (e != local)
		free(e);
	return err;
}

/*
 * truncate: the PTEs a file's VMAs still have at or past its end, present
 * or swap, found by walking only that part of each VMA's page tables
 */
static int check_file_end(const struct world *w, uint32_t file,
			  char *msg, size_t len)
{
	const struct address_space *m = file < w->nfiles ? w->files[file] : NULL;
	struct scan s = { 0 };
	int err = 0;

	for (uint32_t pid = 0; m && pid < w->nmms && !err; pid++) {
		const struct mm *mm = mm_get(w, pid);

		for (uint32_t i = 0; mm && i < mm->nvmas && !err; i++) {
			const struct vma *vma = mm->vmas[i];
			uint64_t end_pg = mapping_pages(m), from = vma->start;

			if (vma->mapping != m || vma_last_pgoff(vma) < end_pg)
				continue;
			if (end_pg > vma->pgoff)
				from += (end_pg - vma->pgoff) << PAGE_SHIFT;
			if (scan_range(w, pid, from, vma->end, &s))
				break;
			for (uint32_t k = 0; k < s.nall && !err; k++)
				err = page_rules_check_offset(w, &s.all[k], msg, len);
		}
	}
	scan_free(&s);
	return err;
}

int invariants_check_op(const struct world *w, const struct op *op,
			char *msg, size_t msglen)
{
	if (op->kind == OP_FILE)
		return check_file_end(w, op->file, msg, msglen);
	return 0;
}
