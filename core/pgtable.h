/*
 * pgtable.h - x86-64 4-level page tables stored in simulated frames
 * (pgtable.c): the entry format, the one function that writes an entry
 * (set_pte), swap entries, and lookups and walks over an mm's tables.
 *
 * Levels: 4 = PGD (va bits 47..39), 3 = PUD, 2 = PMD, 1 = PTE table.  An
 * upper-level entry is _PAGE_TABLE plus the frame of the next table; a PTE
 * is a frame number plus P/RW/US/A/D/NX, or a swap entry with P clear.
 *
 * Invariant: a table's used-slot bitmap has bit i set iff entry i is not
 * none, because every entry write goes through set_pte().
 */
#ifndef RMAP_CORE_PGTABLE_H
#define RMAP_CORE_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mm_types.h"

#define PTE_P        (1ULL << 0)
#define PTE_RW       (1ULL << 1)
#define PTE_US       (1ULL << 2)
#define PTE_A        (1ULL << 5)
#define PTE_D        (1ULL << 6)
#define PTE_PSE      (1ULL << 7)   /* in a PMD: a leaf mapping 2 MiB (_PAGE_PSE) */
#define PTE_PROTNONE (1ULL << 8)   /* Linux's _PAGE_PROTNONE (= global bit) */
#define PTE_NX       (1ULL << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ULL
#define PTE_TABLE    (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)  /* _PAGE_TABLE */
#define PTRS_PER_PT  512

/*
 * A table frame's memory: the 512 hardware entries, then a bitmap of the
 * slots that are not none (simulator bookkeeping, like struct page: it lets
 * walks skip the empty slots instead of reading all 512).  Allocated
 * PT_ALLOC-aligned, so a slot pointer finds its bitmap.
 */
#define PT_ALLOC 8192
#define PT_PFN (PTRS_PER_PT + PTRS_PER_PT / 64)   /* the table's own frame */
#define PT_META_END (PT_PFN + 1)
static inline uint64_t *pt_used(uint64_t *table) { return table + PTRS_PER_PT; }
/* the table an entry slot belongs to (its first entry) */
static inline uint64_t *pt_of_slot(uint64_t *slot)
{
	return (uint64_t *)((uintptr_t)slot & ~(uintptr_t)(PT_ALLOC - 1));
}
/* does the bitmap mark slot i of table as not none? */
static inline bool pt_slot_used(const uint64_t *table, unsigned i)
{
	return (table[PTRS_PER_PT + (i >> 6)] >> (i & 63)) & 1;
}

/*
 * The one way an entry is written, at any level: it keeps the used-slot
 * bitmap and tells the world's PTE observer (world_set_pte_observer), the
 * checker's view of every change, A/D/RW-only ones included.
 */
static inline void set_pte(struct world *w, uint64_t *slot, uint64_t v)
{
	uint64_t *table = pt_of_slot(slot);
	unsigned i = (unsigned)(slot - table);

	if (w->pte_observer)
		w->pte_observer(w->pte_observer_arg, table[PT_PFN], i, *slot, v);
	if (v)
		pt_used(table)[i >> 6] |= 1ULL << (i & 63);
	else
		pt_used(table)[i >> 6] &= ~(1ULL << (i & 63));
	*slot = v;
}

static inline bool pte_none(uint64_t e) { return e == 0; }
/* the level (1 PTE, 2 PMD, ...) of the table a slot is in */
static inline unsigned pt_level_of_slot(const struct world *w,
					const uint64_t *slot)
{
	return w->phys.pages[pt_of_slot((uint64_t *)slot)[PT_PFN]].pt_level;
}
/*
 * A PMD entry that maps a 2 MiB folio itself (pmd_trans_huge: PSE with P,
 * or with PROTNONE for a PROT_NONE mapping, as x86's pmd_present has it)
 * rather than pointing at a PTE table (issue 19)
 */
static inline bool pmd_leaf(uint64_t e)
{
	return (e & PTE_PSE) && (e & (PTE_P | PTE_PROTNONE));
}
/* an upper-level entry that points at the next table */
static inline bool pgd_table(uint64_t e) { return (e & PTE_P) && !(e & PTE_PSE); }
#define PMD_SIZE     (1ULL << 21)
#define PMD_MASK     (~(PMD_SIZE - 1))
/* present for rmap: P, or a PROT_NONE entry (pte_present() on x86) */
static inline bool pte_present(uint64_t e) { return (e & (PTE_P | PTE_PROTNONE)) != 0; }
static inline bool pte_is_swap(uint64_t e) { return e && !pte_present(e); }
static inline pfn_t pte_pfn(uint64_t e) { return (e & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline uint64_t pfn_pte(pfn_t pfn, uint64_t bits) { return (pfn << PAGE_SHIFT) | bits; }

/* swap entries as x86-64 Linux encodes them (arch/x86/include/asm/pgtable_64.h) */
#define SWP_TYPE_BITS      5
#define SWP_OFFSET_SHIFT   (9 + SWP_TYPE_BITS)
#define SWP_TYPE_SWAP      0
#define SWP_TYPE_MIGRATION 31
uint64_t swp_pte(unsigned type, uint64_t offset);
unsigned swp_type(uint64_t pte);
uint64_t swp_offset(uint64_t pte);

/*
 * The PTE slot for va, or NULL when a table on the way is missing or a PMD
 * leaf maps va (pmd_lookup_leaf finds that one).
 */
uint64_t *pte_lookup(const struct world *w, const struct mm *mm, uint64_t va);
/* The PMD slot for va (mm_find_pmd), NULL when no PMD table is there. */
uint64_t *pmd_lookup(const struct world *w, const struct mm *mm, uint64_t va);
/* The PMD slot for va when it holds a leaf (pmd_leaf), else NULL. */
uint64_t *pmd_lookup_leaf(const struct world *w, const struct mm *mm,
			  uint64_t va);
/*
 * The slot that maps va, whatever its level: the PTE, or the PMD leaf; NULL
 * when neither (the page_vma_mapped_walk() of a single address).  *PMD is
 * set when it is a PMD leaf.
 */
uint64_t *mapped_slot(const struct world *w, const struct mm *mm, uint64_t va,
		      bool *pmd);
/* The PMD slot for va, allocating missing upper tables (-ENOMEM). */
int pmd_alloc(struct world *w, struct mm *mm, uint64_t va, uint64_t **pmdp);
/*
 * The PTE slot for va under the PMD slot *PMD that pmd_alloc gave (not a
 * leaf), allocating the PTE table when there is none (-ENOMEM): the second
 * half of pte_alloc, for a caller that looked at the PMD first.
 */
int pte_alloc_under(struct world *w, struct mm *mm, uint64_t va,
		    uint64_t *pmd, uint64_t **ptep);
/*
 * The page-table frame of a new PTE table for the PMD slot at va (pt_va
 * set), as pte_alloc would make it; 0 on -ENOMEM.
 */
pfn_t pte_table_alloc(struct world *w, struct mm *mm, uint64_t va);
/* The PTE slot for va, allocating missing tables (-ENOMEM, nothing leaked). */
int pte_alloc(struct world *w, struct mm *mm, uint64_t va, uint64_t **ptep);
/*
 * Free every table in [start, end) that holds no entry any more: what
 * exit_mmap()'s free_pgtables() leaves of an mm with no VMA, and the
 * model's own undoing of tables it allocated ahead of an op that failed.
 */
void pgtable_prune(struct world *w, struct mm *mm, uint64_t start, uint64_t end);
/*
 * free_pgtables() after an unmap of [start, end) (mm/memory.c
 * free_pgd_range): a table there is freed only when its whole span lies
 * in [floor, ceiling), floor the end of the VMA before the range (0 if
 * none), ceiling the start of the one after (UINT64_MAX if none): a table
 * that another VMA's span touches stays, empty or not, until that VMA goes
 * too.
 */
void free_pgtables(struct world *w, struct mm *mm, uint64_t start,
		   uint64_t end, uint64_t floor, uint64_t ceiling);
/*
 * move_normal_pmd() (mm/mremap.c; CONFIG_HAVE_MOVE_PMD on x86-64) in its
 * two steps, for the window between them (yield point mremap_move_table):
 * pmd_clear() of OLD_HADDR's PMD slot returns its entry (0, nothing done,
 * when the slot holds no PTE table: none, or a PMD leaf), and
 * pmd_populate() puts it in NEW_HADDR's slot, which must be none with its
 * PMD table present.  The PTEs keep their slots and the table its frame,
 * now covering NEW_HADDR.
 */
uint64_t pgtable_detach_pte_table(struct world *w, struct mm *mm,
				  uint64_t old_haddr);
void pgtable_attach_pte_table(struct world *w, struct mm *mm,
			      uint64_t new_haddr, uint64_t pmd_entry);
/*
 * CONFIG_PT_RECLAIM (mm/pt_reclaim.c, 6.14; on in the 6.18 host's config):
 * MADV_DONTNEED's zap (zap_pte_range with details->reclaim_pt) frees a PTE
 * table whose whole 2 MiB span it zapped (reclaim_pt_is_enabled: end -
 * start >= PMD_SIZE per PMD) once every entry in it is none
 * (try_to_free_pte).  Only PTE tables; the PMD and upper tables stay.
 */
void pgtable_reclaim_pte(struct world *w, struct mm *mm, uint64_t start,
			 uint64_t end);
/*
 * Visit the non-none PTEs in [start, end) in address order.  A PMD leaf in
 * the range is a bug of the caller, which splits or handles it first.
 */
typedef void (*pte_fn)(struct world *w, struct mm *mm, uint64_t va,
		       uint64_t *pte, void *arg);
void pte_range_each(struct world *w, struct mm *mm, uint64_t start,
		    uint64_t end, pte_fn fn, void *arg);
/*
 * The same, with LEAF called for each PMD leaf whose 2 MiB overlaps
 * [start, end) (at its first address), where the walk does not descend.
 */
typedef void (*pmd_fn)(struct world *w, struct mm *mm, uint64_t haddr,
		       uint64_t *pmd, void *arg);
void pgtable_range_each(struct world *w, struct mm *mm, uint64_t start,
			uint64_t end, pte_fn fn, pmd_fn leaf, void *arg);
/*
 * page_vma_mapped_walk() for one address: the slot through which MM maps
 * frame PFN at va, a present PTE or a PMD leaf mapping PFN's folio with
 * PFN at va; NULL if there is none.
 */
uint64_t *pvmw_slot(const struct world *w, const struct mm *mm, uint64_t va,
		    pfn_t pfn);
/*
 * The physical address of the PTE slot for va (frame of the PTE table << 12
 * | slot * 8), 0 when a table on the way is missing; and back: the slot at a
 * PTE physical address, with its owner and virtual address taken from the
 * table page's struct page (NULL if paddr is not in a live PTE table, or a
 * PMD table's slot: then the first address of its 2 MiB).
 */
uint64_t pte_paddr(const struct world *w, const struct mm *mm, uint64_t va);
/* the same for the PMD slot of va (a leaf's, for PTE chains), 0 if none */
uint64_t pmd_paddr(const struct world *w, const struct mm *mm, uint64_t va);
uint64_t *pte_at_paddr(const struct world *w, uint64_t paddr, struct mm **mm,
		       uint64_t *va);
/* Number of page-table frames of mm (0 once freed). */
uint64_t pgtable_count(const struct world *w, const struct mm *mm);

#endif /* RMAP_CORE_PGTABLE_H */
