/*
 * rmap_consumers.c - the users of the reverse map, written once against
 * rmap_walk() so every backend runs the same code (mm/rmap.c:
 * folio_referenced, try_to_unmap, try_to_migrate + remove_migration_ptes).
 *
 * A consumer first collects the mappings through the walk, then acts on
 * them: the walk itself never sees a half-changed rmap.
 */
#include <errno.h>
#include <string.h>

#include "bugs/bugs.h"
#include "core/address_space.h"
#include "core/alloc.h"
#include "core/bug.h"
#include "core/folio.h"
#include "core/huge_memory.h"
#include "core/interleave.h"
#include "core/ksm.h"
#include "core/phys.h"
#include "core/pgtable.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/rmap_consumers.h"
#include "core/swap.h"
#include "core/vma.h"

/* one PTE that maps the page, as the walk reported it */
struct mapped_pte {
	struct vma *vma;
	uint64_t addr;
	uint64_t *pte;
};

/* every PTE that maps the page, in the backend's walk order */
struct mapped_ptes {
	struct mapped_pte *at;
	uint32_t n, cap;
};

static bool collect_one(struct world *w, pfn_t pfn, struct vma *vma,
			uint64_t addr, uint64_t *pte, void *arg)
{
	struct mapped_ptes *mp = arg;

	core_array_reserve(w, (void **)&mp->at, &mp->cap, mp->n,
			   sizeof(struct mapped_pte));
	mp->at[mp->n++] = (struct mapped_pte){ vma, addr, pte };
	return true;
}

static int collect(struct world *w, pfn_t pfn, struct mapped_ptes *mp)
{
	struct rmap_walk_control rwc = { collect_one, mp, NULL };

	memset(mp, 0, sizeof(*mp));
	return rmap_walk(w, pfn, &rwc);
}

/*
 * try_to_map_unused_to_zeropage() (mm/migrate.c, b1f202060afe, 6.12), as
 * remove_migration_pte() calls it for each mapping of a page of a folio
 * __folio_split() split to order 0 (remap_page with RMP_USE_SHARED_
 * ZEROPAGE, for an anonymous folio): a page that holds only zeroes is
 * mapped by the zero page instead (pte_mkspecial of vm_page_prot: read
 * only), and freed with its last mapping.  Not for a KSM page
 * (never part of a large folio here).  The 6.18 host remaps so although
 * it is booted with pvm_no_zero_page=1, which keeps only the read fault
 * off the zero page (seen: corpus/regressions/split_remaps_zero_pages.rmt,
 * kernel-checked), so the model's no_zero_page does not stop it; the
 * model has no mlock, so no VM_LOCKED exception either.
 */
static void remap_unused_to_zeropage(struct world *w, pfn_t pfn)
{
	struct page *page = pfn_page(w, pfn);
	struct mapped_ptes mp;

	if (page->kind != PAGE_ANON || page->content != 0 ||
	    page->mapcount == 0 || collect(w, pfn, &mp))
		return;
	for (uint32_t i = 0; i < mp.n; i++) {
		struct mapped_pte *m = &mp.at[i];

		pte_zap(w, m->vma, m->addr, m->pte);
		BUG_ON(pte_install(w, m->vma, m->addr, m->pte, w->phys.zero_pfn,
				   vma_pte_bits(m->vma)));
	}
	core_free(mp.at);
}

void split_folio_remap(struct world *w, uint64_t pfn)
{
	pfn_t head = folio_head(w, pfn);
	uint32_t nr = page_folio_nr(pfn_page(w, pfn));

	folio_split(w, pfn);
	/* a file folio's pages (and pages freed by the split) are skipped */
	for (uint32_t i = 0; i < nr; i++)
		remap_unused_to_zeropage(w, head + i);
}

/* the page a consumer acts on: present, not the zero page */
static int target_page(struct world *w, struct mm *mm, uint64_t addr, pfn_t *pfn)
{
	bool pmd = false;
	uint64_t *pte = vma_lookup(mm, addr) ?
			mapped_slot(w, mm, addr & PAGE_MASK, &pmd) : NULL;

	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (!pte || !pte_present(*pte))
		return -EFAULT;
	*pfn = pte_pfn(*pte) + (pmd ? (addr & ~PMD_MASK) >> PAGE_SHIFT : 0);
	if (*pfn == w->phys.zero_pfn)
		return -EINVAL;
	return 0;
}

/* folio_referenced: count and clear the young PTEs */
int page_age(struct world *w, struct mm *mm, uint64_t addr)
{
	pfn_t pfn;
	int err = target_page(w, mm, addr, &pfn);

	return err ? err : folio_age(w, pfn);
}

int folio_age(struct world *w, uint64_t pfn)
{
	struct mapped_ptes mp;
	int err, n = 0;

	err = collect(w, pfn, &mp);
	for (uint32_t i = 0; !err && i < mp.n; i++) {
		if (*mp.at[i].pte & PTE_A) {
			/* the walk stopped after the first young mapping */
			if (!BUG_INJECTED(folio_referenced_clears_one, n > 0))
				set_pte(w, mp.at[i].pte, *mp.at[i].pte & ~PTE_A);
			n++;
		}
	}
	core_free(mp.at);
	return err ? err : n;
}

/*
 * try_to_unmap, then the page leaves memory: an anonymous page goes to a
 * swap slot (every PTE becomes a swap entry for it), a file page is dropped
 * from its page cache (written back to the file).
 */
int page_pageout(struct world *w, struct mm *mm, uint64_t addr)
{
	pfn_t pfn;
	int err = target_page(w, mm, addr, &pfn);

	if (err)
		return err;
	/*
	 * madvise_cold_or_pageout_pte_range() on one page of a large folio:
	 * a folio maybe mapped by another process is left alone, any other
	 * is split first (split_folio) and the page then paged out alone
	 */
	if (page_is_large(pfn_page(w, pfn))) {
		if (folio_maybe_mapped_shared(w, pfn))
			return 0;
		split_huge_pmd_address(w, vma_lookup(mm, addr), addr);
		split_folio_remap(w, pfn);
		/* a page of zeroes the split remapped: nothing left to page out */
		if (target_page(w, mm, addr, &pfn))
			return 0;
	}
	return folio_pageout(w, pfn);
}

int folio_unmap_all(struct world *w, uint64_t pfn)
{
	struct mapped_ptes mp;
	int err = collect(w, pfn, &mp);

	for (uint32_t i = 0; !err && i < mp.n; i++) {
		struct mapped_pte *m = &mp.at[i];

		if (pt_level_of_slot(w, m->pte) == 2)
			zap_huge_pmd(w, m->vma, m->addr & PMD_MASK, m->pte);
		else
			pte_zap(w, m->vma, m->addr, m->pte);
	}
	core_free(mp.at);
	return err;
}

int folio_pageout(struct world *w, uint64_t pfn)
{
	struct mapped_ptes mp;
	struct page *page;
	uint64_t slot = 0;
	int err;

	page = pfn_page(w, pfn);
	/*
	 * Not modelled: a KSM page's way through swap (the swap-in would need
	 * ksm_might_need_to_copy(), which copies a page whose index does not
	 * fit the faulting address).  The model refuses, leaving the page
	 * mapped: EBUSY, so no walker or trace takes it for a page-out done.
	 */
	if (page_is_ksm(page))
		return -EBUSY;
	if (page->kind == PAGE_ANON && !(page->flags & PG_SWAPCACHE)) {
		/* add_to_swap: the swap cache holds the page meanwhile */
		err = swap_alloc(w, &slot);
		if (err)
			return err;
		w->swap.slots[slot].index = page->index;
		w->swap.slots[slot].content = page->content;
		w->swap.slots[slot].cache = pfn;
		page->flags |= PG_SWAPCACHE;
		page->swap = slot;
		page->refcount++;
	}
	if (page->kind == PAGE_ANON)
		slot = page->swap;
	err = collect(w, pfn, &mp);
	if (BUG_INJECTED(try_to_unmap_stops_early, !err && mp.n >= 2))
		mp.n = 1;
	for (uint32_t i = 0; !err && i < mp.n; i++) {
		struct mapped_pte *m = &mp.at[i];

		pte_zap(w, m->vma, m->addr, m->pte);
		if (slot) {
			set_pte(w, m->pte, swp_pte(SWP_TYPE_SWAP, slot));
			w->swap.slots[slot].count++;
		}
	}
	core_free(mp.at);
	if (slot)
		swap_cache_release(w, slot);   /* written out: the frame goes */
	else if (!err && page->mapping)
		page_cache_remove(w, page->mapping, page->index);
	return err;
}

/*
 * try_to_migrate + remove_migration_ptes: every PTE first becomes a
 * migration entry naming the old frame, the page is copied, then every
 * migration entry becomes a PTE of the new frame with the same bits.
 */
int page_migrate(struct world *w, struct mm *mm, uint64_t addr)
{
	pfn_t pfn;
	int err = target_page(w, mm, addr, &pfn);

	if (err)
		return err;
	/*
	 * A page of a large folio: split first, as migrate_pages_batch()
	 * does when it cannot have a large destination folio.  Linux tries
	 * the whole folio first; this slice does not model that yet.
	 */
	if (page_is_large(pfn_page(w, pfn))) {
		/* every PMD mapping of it, too: migration here is per page */
		split_folio_pmds(w, pfn);
		split_folio_remap(w, pfn);
		/* a page of zeroes the split remapped: no page left to move */
		if (target_page(w, mm, addr, &pfn))
			return 0;
	}
	return folio_migrate(w, pfn);
}

int folio_migrate(struct world *w, uint64_t pfn)
{
	struct mapped_ptes mp;
	struct page *old, *new;
	pfn_t npfn;
	int err;

	npfn = frame_alloc(w, PAGE_ANON);
	if (!npfn)
		return -ENOMEM;
	err = collect(w, pfn, &mp);
	if (err) {
		frame_free(w, npfn);
		core_free(mp.at);
		return err;
	}
	old = pfn_page(w, pfn);
	new = pfn_page(w, npfn);
	uint64_t *bits = core_xalloc(w, (mp.n ? mp.n : 1) * sizeof(uint64_t));

	for (uint32_t i = 0; i < mp.n; i++) {
		bits[i] = *mp.at[i].pte & ~PTE_PFN_MASK;
		set_pte(w, mp.at[i].pte, swp_pte(SWP_TYPE_MIGRATION, pfn));
	}
	*new = *old;            /* kind, mapping, index, flags, counts, swap */
	rmap_move_frame(w, pfn, npfn);
	ksm_migrate(w, pfn, npfn);      /* folio_migrate_ksm */
	old->rmap = NULL;
	old->mapcount = 0;
	old->table = NULL;
	if (new->kind == PAGE_FILE)
		page_cache_replace(new->mapping, new->index, npfn);
	if (new->flags & PG_SWAPCACHE)
		w->swap.slots[new->swap].cache = npfn;
	/*
	 * migrate_folio_move(): between move_to_new_folio() and
	 * remove_migration_ptes() both folios are locked; every PTE of the
	 * old one is a migration entry, which a walker of another frame passes.
	 */
	MM_YIELD(w, YP_MIGRATE_UNMAPPED, .folio = { pfn, npfn });
	for (uint32_t i = 0; i < mp.n; i++) {
		/* remove_migration_ptes misses the last one */
		if (BUG_INJECTED(remove_migration_ptes_misses,
				 mp.n >= 2 && i == mp.n - 1))
			continue;
		set_pte(w, mp.at[i].pte, pfn_pte(npfn, bits[i]));
	}
	rmap_event_move_frame(w, pfn, npfn);
	core_free(bits);
	core_free(mp.at);
	frame_free(w, pfn);
	return 0;
}
