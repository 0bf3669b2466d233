/*
 * pgtable.c - x86-64 4-level page tables stored in simulated frames.
 *
 * Each table is a frame of kind PAGE_PGTABLE holding 512 eight-byte entries
 * in the hardware format: an upper-level entry is _PAGE_TABLE plus the frame
 * number of the next table in bits 51..12; a PTE is a frame number plus
 * P/RW/US/A/D/NX, or a swap entry with P clear.  Walking a table reads the
 * frame it points to.  Tables are allocated on the first PTE below them and
 * freed where Linux frees them: by an unmap when no VMA's span touches them
 * any more (free_pgtables), by MADV_DONTNEED of a whole 2 MiB
 * (pgtable_reclaim_pte), at exit (pgtable_prune); a zap alone keeps them.
 *
 * Levels: 4 = PGD (va bits 47..39), 3 = PUD, 2 = PMD, 1 = PTE table.
 */
#include <errno.h>

#include "core/bug.h"
#include "core/phys.h"
#include "core/pgtable.h"

static inline unsigned level_shift(int level)
{
	return PAGE_SHIFT + 9 * (unsigned)(level - 1);
}

static inline unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)(va >> level_shift(level)) & (PTRS_PER_PT - 1);
}

static inline uint64_t *table_of(const struct world *w, pfn_t pfn)
{
	return w->phys.pages[pfn].table;
}

uint64_t swp_pte(unsigned type, uint64_t offset)
{
	return ((~offset) << SWP_OFFSET_SHIFT >> SWP_TYPE_BITS) |
	       ((uint64_t)type << (64 - SWP_TYPE_BITS));
}

unsigned swp_type(uint64_t pte)
{
	return (unsigned)(pte >> (64 - SWP_TYPE_BITS));
}

uint64_t swp_offset(uint64_t pte)
{
	uint64_t off = ~pte << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT;

	return off;
}

uint64_t *pmd_lookup(const struct world *w, const struct mm *mm, uint64_t va)
{
	pfn_t table = mm->pgd;

	if (!table)
		return NULL;
	for (int level = 4; level > 2; level--) {
		uint64_t e = table_of(w, table)[pt_index(va, level)];

		if (!pgd_table(e))
			return NULL;
		table = pte_pfn(e);
	}
	return &table_of(w, table)[pt_index(va, 2)];
}

/* the PTE slot for va under the PMD slot *PMD (a table, not a leaf) */
static uint64_t *pte_under(const struct world *w, const uint64_t *pmd,
			   uint64_t va)
{
	return &table_of(w, pte_pfn(*pmd))[pt_index(va, 1)];
}

uint64_t *pte_lookup(const struct world *w, const struct mm *mm, uint64_t va)
{
	uint64_t *pmd = pmd_lookup(w, mm, va);

	return pmd && pgd_table(*pmd) ? pte_under(w, pmd, va) : NULL;
}

uint64_t *pmd_lookup_leaf(const struct world *w, const struct mm *mm,
			  uint64_t va)
{
	uint64_t *pmd = pmd_lookup(w, mm, va);

	return pmd && pmd_leaf(*pmd) ? pmd : NULL;
}

/* one walk: the PMD leaf, or the PTE under the PMD's table */
uint64_t *mapped_slot(const struct world *w, const struct mm *mm, uint64_t va,
		      bool *is_pmd)
{
	uint64_t *pmd = pmd_lookup(w, mm, va);

	*is_pmd = pmd && pmd_leaf(*pmd);
	if (*is_pmd)
		return pmd;
	return pmd && pgd_table(*pmd) ? pte_under(w, pmd, va) : NULL;
}

static pfn_t table_alloc(struct world *w, struct mm *mm, int level, uint64_t va)
{
	pfn_t pfn = frame_alloc(w, PAGE_PGTABLE);
	struct page *page;

	if (!pfn)
		return 0;
	page = pfn_page(w, pfn);
	page->pt_level = (uint8_t)level;
	page->pt_mm = mm;
	page->pt_va = va & ~((1ULL << level_shift(level + 1)) - 1);
	page->refcount = 1;
	return pfn;
}

pfn_t pte_table_alloc(struct world *w, struct mm *mm, uint64_t va)
{
	return table_alloc(w, mm, 1, va);
}

/* the slot at LEVEL (1: PTE, 2: PMD) for va, allocating the tables above */
static int slot_alloc(struct world *w, struct mm *mm, uint64_t va, int last,
		      uint64_t **slotp)
{
	pfn_t table;

	if (!mm->pgd) {
		mm->pgd = table_alloc(w, mm, 4, 0);
		if (!mm->pgd)
			return -ENOMEM;
	}
	table = mm->pgd;
	for (int level = 4; level > last; level--) {
		uint64_t *e = &table_of(w, table)[pt_index(va, level)];

		BUG_ON(pmd_leaf(*e) && level == 2);     /* split it first */
		if (!(*e & PTE_P)) {
			/* a table left empty by a failure here is pruned later */
			pfn_t next = table_alloc(w, mm, level - 1, va);

			if (!next)
				return -ENOMEM;
			set_pte(w, e, pfn_pte(next, PTE_TABLE));
		}
		table = pte_pfn(*e);
	}
	*slotp = &table_of(w, table)[pt_index(va, last)];
	return 0;
}

int pmd_alloc(struct world *w, struct mm *mm, uint64_t va, uint64_t **pmdp)
{
	return slot_alloc(w, mm, va, 2, pmdp);
}

int pte_alloc_under(struct world *w, struct mm *mm, uint64_t va,
		    uint64_t *pmd, uint64_t **ptep)
{
	BUG_ON(pmd_leaf(*pmd));                 /* split it first */
	if (!(*pmd & PTE_P)) {
		pfn_t next = table_alloc(w, mm, 1, va);

		if (!next)
			return -ENOMEM;
		set_pte(w, pmd, pfn_pte(next, PTE_TABLE));
	}
	*ptep = pte_under(w, pmd, va);
	return 0;
}

int pte_alloc(struct world *w, struct mm *mm, uint64_t va, uint64_t **ptep)
{
	uint64_t *pmd;
	int err = slot_alloc(w, mm, va, 2, &pmd);

	return err ? err : pte_alloc_under(w, mm, va, pmd, ptep);
}


static bool table_empty(uint64_t *t)
{
	for (int i = 0; i < PTRS_PER_PT / 64; i++)
		if (pt_used(t)[i])
			return false;
	return true;
}

/* the first used slot at or after i, or PTRS_PER_PT */
static unsigned next_used(const uint64_t *t, unsigned i)
{
	const uint64_t *used = t + PTRS_PER_PT;

	while (i < PTRS_PER_PT) {
		uint64_t word = used[i >> 6] >> (i & 63);

		if (word)
			return i + (unsigned)__builtin_ctzll(word);
		i = (i | 63) + 1;
	}
	return PTRS_PER_PT;
}

static void table_free(struct world *w, pfn_t pfn)
{
	pfn_page(w, pfn)->refcount = 0;
	frame_free(w, pfn);
}

/*
 * Prune below table (at level) within [start, end): free each empty table
 * whose span [lo, lo + span) lies in [floor, ceiling); true if table is
 * empty.
 */
static bool prune(struct world *w, pfn_t table, int level, uint64_t base,
		  uint64_t start, uint64_t end, uint64_t floor, uint64_t ceiling)
{
	uint64_t *t = table_of(w, table);
	uint64_t span = 1ULL << level_shift(level);

	if (level > 1) {
		for (unsigned i = next_used(t, 0); i < PTRS_PER_PT; i = next_used(t, i + 1)) {
			uint64_t lo = base + i * span, hi = lo + span;

			if (hi <= start || lo >= end || !pgd_table(t[i]))
				continue;
			if (prune(w, pte_pfn(t[i]), level - 1, lo, start, end,
				  floor, ceiling) &&
			    lo >= floor && hi <= ceiling) {
				table_free(w, pte_pfn(t[i]));
				set_pte(w, &t[i], 0);
			}
		}
	}
	return table_empty(t);
}

void free_pgtables(struct world *w, struct mm *mm, uint64_t start,
		   uint64_t end, uint64_t floor, uint64_t ceiling)
{
	if (!mm->pgd)
		return;
	if (prune(w, mm->pgd, 4, 0, start, end, floor, ceiling)) {
		table_free(w, mm->pgd);
		mm->pgd = 0;
	}
}

/* no VMA bounds it: every emptied table in the range goes */
void pgtable_prune(struct world *w, struct mm *mm, uint64_t start, uint64_t end)
{
	free_pgtables(w, mm, start, end, 0, UINT64_MAX);
}

uint64_t pgtable_detach_pte_table(struct world *w, struct mm *mm,
				  uint64_t old_haddr)
{
	uint64_t *opmd = pmd_lookup(w, mm, old_haddr), e;

	if (!opmd || !pgd_table(*opmd))
		return 0;
	e = *opmd;
	set_pte(w, opmd, 0);
	return e;
}

void pgtable_attach_pte_table(struct world *w, struct mm *mm,
			      uint64_t new_haddr, uint64_t pmd_entry)
{
	uint64_t *npmd = pmd_lookup(w, mm, new_haddr);

	BUG_ON(!npmd || !pte_none(*npmd) || !pgd_table(pmd_entry));
	set_pte(w, npmd, pmd_entry);
	w->phys.pages[pte_pfn(pmd_entry)].pt_va = new_haddr;
}

void pgtable_reclaim_pte(struct world *w, struct mm *mm, uint64_t start,
			 uint64_t end)
{
	uint64_t haddr = (start + PMD_SIZE - 1) & ~(PMD_SIZE - 1);

	for (; haddr + PMD_SIZE <= end && haddr >= start; haddr += PMD_SIZE) {
		uint64_t *pmd = pmd_lookup(w, mm, haddr);

		/* pgd_table: a PTE table, not a THP's PMD leaf */
		if (pmd && pgd_table(*pmd) &&
		    table_empty(table_of(w, pte_pfn(*pmd)))) {
			table_free(w, pte_pfn(*pmd));
			set_pte(w, pmd, 0);
		}
	}
}

static void each(struct world *w, struct mm *mm, pfn_t table, int level,
		 uint64_t base, uint64_t start, uint64_t end, pte_fn fn,
		 pmd_fn leaf, void *arg)
{
	uint64_t *t = table_of(w, table);
	uint64_t span = 1ULL << level_shift(level);
	unsigned first = start > base ? (unsigned)((start - base) / span) : 0;

	for (unsigned i = next_used(t, first); i < PTRS_PER_PT; i = next_used(t, i + 1)) {
		uint64_t lo = base + i * span;

		if (lo >= end)
			break;
		if (level == 1) {
			if (t[i])
				fn(w, mm, lo, &t[i], arg);
		} else if (pmd_leaf(t[i])) {
			BUG_ON(!leaf);  /* the caller splits or handles it first */
			leaf(w, mm, lo, &t[i], arg);
		} else if (t[i] & PTE_P) {
			each(w, mm, pte_pfn(t[i]), level - 1, lo, start, end, fn,
			     leaf, arg);
		}
	}
}

void pte_range_each(struct world *w, struct mm *mm, uint64_t start,
		    uint64_t end, pte_fn fn, void *arg)
{
	if (mm->pgd && start < end)
		each(w, mm, mm->pgd, 4, 0, start, end, fn, NULL, arg);
}

void pgtable_range_each(struct world *w, struct mm *mm, uint64_t start,
			uint64_t end, pte_fn fn, pmd_fn leaf, void *arg)
{
	if (mm->pgd && start < end)
		each(w, mm, mm->pgd, 4, 0, start, end, fn, leaf, arg);
}

uint64_t *pvmw_slot(const struct world *w, const struct mm *mm, uint64_t va,
		    pfn_t pfn)
{
	bool pmd;
	uint64_t *slot = mapped_slot(w, mm, va, &pmd);

	if (!slot || !pte_present(*slot))
		return NULL;
	if (pmd)
		return pte_pfn(*slot) + ((va & ~PMD_MASK) >> PAGE_SHIFT) == pfn ?
		       slot : NULL;
	return pte_pfn(*slot) == pfn ? slot : NULL;
}

static uint64_t count(const struct world *w, pfn_t table, int level)
{
	const uint64_t *t = table_of(w, table);
	uint64_t n = 1;

	if (level > 1)
		for (unsigned i = next_used(t, 0); i < PTRS_PER_PT; i = next_used(t, i + 1))
			if (pgd_table(t[i]))
				n += count(w, pte_pfn(t[i]), level - 1);
	return n;
}

uint64_t pgtable_count(const struct world *w, const struct mm *mm)
{
	return mm->pgd ? count(w, mm->pgd, 4) : 0;
}

uint64_t pte_paddr(const struct world *w, const struct mm *mm, uint64_t va)
{
	pfn_t table = mm->pgd;

	if (!table)
		return 0;
	for (int level = 4; level > 1; level--) {
		uint64_t e = table_of(w, table)[pt_index(va, level)];

		if (!pgd_table(e))
			return 0;
		table = pte_pfn(e);
	}
	return (table << PAGE_SHIFT) | ((uint64_t)pt_index(va, 1) * sizeof(uint64_t));
}

uint64_t pmd_paddr(const struct world *w, const struct mm *mm, uint64_t va)
{
	uint64_t *pmd = pmd_lookup(w, mm, va);
	uint64_t *t;

	if (!pmd)
		return 0;
	t = pt_of_slot(pmd);
	return (t[PT_PFN] << PAGE_SHIFT) | (uint64_t)(pmd - t) * sizeof(uint64_t);
}

uint64_t *pte_at_paddr(const struct world *w, uint64_t paddr, struct mm **mm,
		       uint64_t *va)
{
	pfn_t table = paddr >> PAGE_SHIFT;
	unsigned slot = (unsigned)(paddr & ~PAGE_MASK) / sizeof(uint64_t);
	const struct page *pt;

	if (table == 0 || table >= w->phys.nframes)
		return NULL;
	pt = &w->phys.pages[table];
	if (pt->kind != PAGE_PGTABLE || pt->pt_level > 2)
		return NULL;
	*mm = pt->pt_mm;
	*va = pt->pt_va + ((uint64_t)slot << level_shift(pt->pt_level));
	return &pt->table[slot];
}
