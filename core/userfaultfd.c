/*
 * userfaultfd.c - UFFDIO_MOVE (Linux 6.8+, mm/userfaultfd.c move_pages),
 * as a program does it: register the destination range with a userfaultfd
 * (fs/userfaultfd.c userfaultfd_register), move, unregister.
 *
 * It is the one place where Linux rewrites an anonymous page's index and
 * anon_vma in place (move_present_pte: folio_move_anon_rmap(), then
 * folio->index = linear_page_index(dst_vma, dst_addr)), so that the page
 * stays linear in the VMA it moves to.  It can only do that for a page
 * mapped once: a page that is not PageAnonExclusive (shared with a fork
 * child, or maybe) is EBUSY, since one index cannot serve two VMAs at two
 * bases.  docs/linearity.md.
 *
 *   register     every VMA in [dst, dst + len) is split at the range's
 *                ends and takes VM_UFFD_MISSING (vma_modify_flags_uffd, which
 *                merges as mprotect does); no VMA in the range: EINVAL; one
 *                that is not anonymous or shmem (never here): EINVAL
 *   move         the checks of userfaultfd_move / move_pages /
 *                validate_move_areas, then page by page from the start:
 *                no PTE table at src: ENOENT (a hole allowed: the table
 *                allocated, the hole skipped); dst PTE in use: EEXIST;
 *                src PTE none: ENOENT (or skipped);
 *                not exclusive: EBUSY; a swap entry: EBUSY (not modelled);
 *                the pages moved before an error stay moved, and the
 *                result is then EAGAIN (a short move)
 *   unregister   the flag cleared again, merging with the neighbours
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/folio.h"
#include "core/huge_memory.h"
#include "core/pgtable.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/rmap_consumers.h"
#include "core/syscalls.h"
#include "core/vma.h"

/* userfaultfd's validate_range(): the same for register and move */
static int uffd_validate_range(uint64_t start, uint64_t len)
{
	if ((start & ~PAGE_MASK) || (len & ~PAGE_MASK) || !len)
		return -EINVAL;
	if (start < MMAP_MIN_ADDR || start >= TASK_SIZE + PAGE_SIZE ||
	    len > TASK_SIZE + PAGE_SIZE - start)
		return -EINVAL;
	return 0;
}

/* vma_modify_flags_uffd over every VMA of [start, end): set or clear */
static int uffd_set_range(struct world *w, struct mm *mm, uint64_t start,
			  uint64_t end, bool set)
{
	uint64_t pos = start;

	while (pos < end) {
		struct vma *vma = vma_find(mm, pos, NULL);
		uint32_t flags;
		int err;

		if (!vma || vma->start >= end)
			break;
		pos = vma->start > pos ? vma->start : pos;
		flags = set ? vma->flags | VM_UFFD_MISSING
			    : vma->flags & ~(uint32_t)VM_UFFD_MISSING;
		if (flags != vma->flags) {
			err = vma_split_at(w, mm, pos);
			vma = vma_lookup(mm, pos);
			if (!err)
				err = vma_split_at(w, mm, vma->end < end ? vma->end : end);
			if (err)
				return err;
			vma = vma_lookup(mm, pos);
			vma->flags = flags;
			vma = vma_merge_neighbours(w, vma);
		}
		pos = vma->end;
	}
	return 0;
}

/* userfaultfd_register (UFFDIO_REGISTER_MODE_MISSING) */
static int uffd_register(struct world *w, struct mm *mm, uint64_t start,
			 uint64_t len)
{
	struct vma *vma;
	int err = uffd_validate_range(start, len);

	if (err)
		return err;
	vma = vma_find(mm, start, NULL);
	if (!vma || vma->start >= start + len)
		return -EINVAL;
	/* vma_can_userfault: anonymous or shmem (every file here is tmpfs) */
	return uffd_set_range(w, mm, start, start + len, true);
}

/* validate_move_areas */
static int validate_move_areas(const struct vma *src, const struct vma *dst)
{
	const uint32_t access = VM_READ | VM_WRITE;

	if ((src->flags & access) != (dst->flags & access))
		return -EINVAL;
	if (!(src->flags & VM_WRITE))
		return -EINVAL;
	if (!(dst->flags & VM_UFFD_MISSING))
		return -EINVAL;         /* dst not registered with this ctx */
	if (!vma_is_anonymous(src) || !vma_is_anonymous(dst) ||
	    (src->flags & VM_SHARED) || (dst->flags & VM_SHARED))
		return -EINVAL;
	return 0;
}

/*
 * move_present_pte: the page leaves src for dst; folio_move_anon_rmap()
 * points it at dst's anon_vma and its index follows dst's base, so the
 * formula finds it there.  The new PTE is made from dst's vm_page_prot
 * (young), dirty when the old one was, writable in a VM_WRITE VMA
 * (pte_mkwrite).
 */
static void move_present_pte(struct world *w, struct vma *src_vma,
			     struct vma *dst_vma, uint64_t src_addr,
			     uint64_t dst_addr, uint64_t *src_pte,
			     uint64_t *dst_pte)
{
	uint64_t e = *src_pte;
	pfn_t pfn = pte_pfn(e);
	struct page *page = pfn_page(w, pfn);

	set_pte(w, src_pte, 0);
	page->mapping = dst_vma->anon_vma;
	/* the bug: the folio keeps the index it had at src */
	if (!BUG_INJECTED(uffd_move_keeps_index,
			  page->index != linear_page_index(dst_vma, dst_addr)))
		page->index = linear_page_index(dst_vma, dst_addr);
	e = pfn_pte(pfn, vma_pte_bits(dst_vma) | (e & PTE_D) |
		    (dst_vma->flags & VM_WRITE ? PTE_RW : 0));
	set_pte(w, dst_pte, e);
	/*
	 * for signatures (oracle/differ.c vma_cause): the change dst saw last
	 * is this move, the op's own, not the split its UFFDIO_REGISTER made
	 */
	dst_vma->event = VMA_EV_NONE;
	dst_vma->event_op = w->op_seq;
	rmap_move(w, pfn, src_vma, src_addr, dst_vma, dst_addr);
	rmap_event_move(w, pfn, dst_vma, src_addr, dst_addr);
}

/* move_pages_pte for one page: 0 (moved or a hole skipped), or -errno */
static int move_one_page(struct world *w, struct mm *mm, struct vma *src_vma,
			 struct vma *dst_vma, uint64_t src, uint64_t dst,
			 bool holes)
{
	uint64_t *src_pte, *dst_pte, *src_pmd, *dst_pmd, *leaf;
	struct page *page;
	int err;

	/*
	 * move_pages() (mm/userfaultfd.c, 6.18), in its order.  The source's
	 * PMD slot (mm_find_pmd): none, with no PMD table there, is ENOENT,
	 * or with allow-src-holes one is allocated (mm_alloc_pmd)
	 */
	src_pmd = pmd_lookup(w, mm, src);
	if (!src_pmd) {
		if (!holes)
			return -ENOENT;
		err = pmd_alloc(w, mm, src, &src_pmd);
		if (err)
			return err;
	}
	/* the destination's PMD table, allocated if missing (mm_alloc_pmd) */
	err = pmd_alloc(w, mm, dst, &dst_pmd);
	if (err)
		return err;
	/*
	 * a PMD leaf at dst: EEXIST, before the source's PMD is looked at or
	 * split (seen on the 6.18 host:
	 * corpus/regressions/uffd_move_onto_pmd_leaf.rmt)
	 */
	if (pmd_leaf(*dst_pmd))
		return -EEXIST;
	/*
	 * A source PMD leaf: a folio not PageAnonExclusive is EBUSY; else the
	 * PMD is split and the page moved by PTE (the folio split below).
	 * Not modelled: the whole-PMD move (move_pages_huge_pmd) of a
	 * 2 MiB-aligned range at both ends.
	 */
	leaf = pmd_lookup_leaf(w, mm, src);
	if (leaf) {
		if (!(pfn_page(w, pte_pfn(*leaf))->flags & PG_ANON_EXCLUSIVE))
			return -EBUSY;
		split_huge_pmd_address(w, src_vma, src);
	}
	/*
	 * No PTE table at src (pmd_none(*src_pmd)): ENOENT, or with
	 * allow-src-holes one is allocated (__pte_alloc) and the hole found
	 * in it below, so that a later move from there finds a table
	 * (corpus/regressions/uffd_move_holes_allocate_src_table.rmt).  The
	 * model keeps and frees PTE tables where Linux does (pgtable.h
	 * free_pgtables, pgtable_reclaim_pte): a source emptied by a zap still
	 * has its table and says EEXIST for a taken dst, as the host does
	 * (corpus/regressions/uffd_move_kept_table.rmt).
	 */
	if (pte_none(*src_pmd) && !holes)
		return -ENOENT;
	err = pte_alloc_under(w, mm, src, src_pmd, &src_pte);
	if (err)
		return err;
	err = pte_alloc_under(w, mm, dst, dst_pmd, &dst_pte);
	if (err)
		return err;
	/* move_pages_pte(): dst first, then src */
	if (!pte_none(*dst_pte))
		return -EEXIST;
	if (pte_none(*src_pte))
		return holes ? 0 : -ENOENT;
	if (!pte_present(*src_pte))
		return -EBUSY;          /* move_swap_pte: not modelled */
	page = pfn_page(w, pte_pfn(*src_pte));
	/*
	 * move_pages_pte() looks at the folio's first page
	 * (PageAnonExclusive(&folio->page)), and splits a large folio before
	 * it moves anything (split_folio, then retry with the small one: the
	 * split may have remapped the page to the zero page, moved below)
	 */
	if (page_is_large(page)) {
		pfn_t head = folio_head(w, pte_pfn(*src_pte));

		if (page->kind != PAGE_ANON ||
		    !(pfn_page(w, head)->flags & PG_ANON_EXCLUSIVE))
			return -EBUSY;
		split_folio_remap(w, head);
		page = pfn_page(w, pte_pfn(*src_pte));
	}
	/*
	 * move_zeropage_pte(): the zero page's PTE leaves src, dst gets one
	 * made from dst's vm_page_prot (pte_mkspecial); no rmap to move
	 */
	if (pte_pfn(*src_pte) == w->phys.zero_pfn) {
		set_pte(w, src_pte, 0);
		set_pte(w, dst_pte, pfn_pte(w->phys.zero_pfn,
					    vma_pte_bits(dst_vma)));
		return 0;
	}
	if (page->kind != PAGE_ANON || !(page->flags & PG_ANON_EXCLUSIVE))
		return -EBUSY;
	move_present_pte(w, src_vma, dst_vma, src, dst, src_pte, dst_pte);
	return 0;
}

/* userfaultfd_move + move_pages, on a registered dst */
static int uffd_move_pages(struct world *w, struct mm *mm, uint64_t dst,
			   uint64_t src, uint64_t len, bool holes)
{
	struct vma *dst_vma, *src_vma;
	int err;

	err = uffd_validate_range(src, len);
	if (!err)
		err = uffd_validate_range(dst, len);
	if (err)
		return err;
	/* find_vmas_mm_locked: find_vma_and_prepare_anon(dst), then src */
	dst_vma = vma_lookup(mm, dst);
	if (!dst_vma)
		return -ENOENT;
	if (!(dst_vma->flags & VM_SHARED)) {
		err = anon_vma_prepare(w, dst_vma);
		if (err)
			return err;
	}
	src_vma = vma_lookup(mm, src);
	if (!src_vma)
		return -ENOENT;
	if (dst + len > dst_vma->end || src + len > src_vma->end)
		return -EINVAL;
	err = validate_move_areas(src_vma, dst_vma);
	if (err)
		return err;
	/*
	 * move_pages returns the bytes moved, holes skipped included, when
	 * any were; userfaultfd_move says EAGAIN for a short move
	 */
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		err = move_one_page(w, mm, src_vma, dst_vma, src + off,
				    dst + off, holes);
		if (err)
			return off ? -EAGAIN : err;
	}
	return 0;
}

int do_uffd_move(struct world *w, struct mm *mm, uint64_t dst, uint64_t src,
		 uint64_t len, bool allow_src_holes)
{
	int err = uffd_register(w, mm, dst, len), uerr;

	if (err)
		return err;
	err = uffd_move_pages(w, mm, dst, src, len, allow_src_holes);
	uerr = uffd_set_range(w, mm, dst, dst + len, false);
	return err ? err : uerr;
}
