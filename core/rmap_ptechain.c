/*
 * rmap_ptechain.c - PTE chains, the reverse map of Linux 2.5 (mm/rmap.c
 * before 2.6.7) and of LegoOS's pcache: every page lists the PTEs that map
 * it, so a walk visits exactly the mappings and nothing else, paid for by
 * memory per mapping and work at every fault, fork, mremap and unmap.
 *
 *   page->rmap
 *     NULL                    not mapped (or only by the zero page's rules)
 *     entry | PG_DIRECT       mapped once: the one PTE address, inline
 *     struct pte_chain *      mapped twice or more:
 *       head  [e e e 0 0 0 0] -> [e e e e e e e] -> [e e e e e e e]
 *
 * An entry is a pte_addr_t, the physical address of the PTE slot (its
 * table's frame << 12 | slot * 8), as 2.5 stored it on highpte machines.
 * It is turned back into (mm, va) through the table page's struct page
 * (pte_at_paddr), so an entry needs no mm or VMA pointer and survives
 * everything that does not move the PTE itself: VMA split, merge and
 * mprotect cost nothing here; mremap rewrites it (move); migration keeps it.
 *
 * Invariants (the checker compares every walk with a page-table scan):
 *   - one entry per present PTE that maps the page, zero page excluded;
 *   - PTE addresses are 8-byte aligned and never 0, which is what frees the
 *     low bit for PG_DIRECT and lets 0 mark an empty slot;
 *   - a chain holds at least two entries (one entry is always direct);
 *   - only the head block has empty slots, and they are its tail: remove
 *     fills a hole with the head's last entry, so blocks stay dense and a
 *     page of N mappings uses ceil(N / 7) blocks;
 *   - add() allocates only when it must (direct -> chain, or the head is
 *     full); when that fails it returns -ENOMEM with nothing changed.
 *
 * world->rmap_priv counts blocks and direct pages for the memory figures.
 */
#include <errno.h>
#include <stdint.h>

#include "bugs/bugs.h"
#include "core/alloc.h"
#include "core/bug.h"
#include "core/pgtable.h"
#include "core/rmap.h"
#include "core/vma.h"
#include "core/rmap_ptechain.h"

#define NRPTE     7          /* entries per block: one 64-byte cache line */
#define PG_DIRECT 1ULL       /* page->rmap tag: an entry, not a chain */

typedef uint64_t pte_addr_t;

struct pte_chain {
	struct pte_chain *next;  /* the older, full blocks */
	pte_addr_t ptes[NRPTE];  /* 0 = empty; only the head has empties */
};

_Static_assert(sizeof(struct pte_chain) == 64, "a chain block is a cache line");

static struct ptechain_stats *pc_stats(const struct world *w)
{
	return w->rmap_priv;
}

/* ---- page->rmap encoding --------------------------------------------- */

static bool page_direct(const struct page *page)
{
	return ((uintptr_t)page->rmap & PG_DIRECT) != 0;
}

static pte_addr_t direct_entry(const struct page *page)
{
	return (pte_addr_t)((uintptr_t)page->rmap & ~(uintptr_t)PG_DIRECT);
}

static void set_direct(struct page *page, pte_addr_t entry)
{
	page->rmap = (void *)(uintptr_t)(entry | PG_DIRECT);
}

static struct pte_chain *page_chain(const struct page *page)
{
	return page_direct(page) ? NULL : page->rmap;
}

/* ---- blocks ------------------------------------------------------------ */

/*
 * The sleeping allocation of a block (GFP_KERNEL): world_fail_nth reaches
 * it, and add() then fails with -ENOMEM.  A trace's fail-nth N backend
 * fails the GFP_ATOMIC attempt before it instead (see ptechain_add).
 */
static struct pte_chain *chain_alloc(struct world *w)
{
	struct pte_chain *pc = backend_zalloc(w, sizeof(*pc));
	struct ptechain_stats *st = pc_stats(w);

	if (!pc)
		return NULL;
	st->blocks++;
	st->bytes += sizeof(*pc);
	if (st->bytes > st->peak_bytes)
		st->peak_bytes = st->bytes;
	return pc;
}

static void chain_free(struct world *w, struct pte_chain *pc)
{
	struct ptechain_stats *st = pc_stats(w);

	st->blocks--;
	st->bytes -= sizeof(*pc);
	core_free(pc);
}

/* entries in the head block: its used slots come first */
static unsigned head_count(const struct pte_chain *head)
{
	unsigned n = 0;

	while (n < NRPTE && head->ptes[n])
		n++;
	return n;
}

/* the slot holding entry, or NULL */
static pte_addr_t *chain_find(struct pte_chain *pc, pte_addr_t entry)
{
	for (; pc; pc = pc->next)
		for (unsigned i = 0; i < NRPTE && pc->ptes[i]; i++)
			if (pc->ptes[i] == entry)
				return &pc->ptes[i];
	return NULL;
}

/* ---- the chain of one page --------------------------------------------- */

/*
 * the page's second mapping: its direct entry and the new one share PC, a
 * new block; with DROP (the injected bug) the direct entry is not carried
 */
static void direct_to_chain(struct world *w, struct page *page,
			    struct pte_chain *pc, pte_addr_t entry, bool drop)
{
	pc->ptes[0] = direct_entry(page);
	pc->ptes[1] = entry;
	if (drop) {
		pc->ptes[0] = entry;
		pc->ptes[1] = 0;
	}
	page->rmap = pc;
	pc_stats(w)->direct--;
}

/* new entries go into the head; a full head gets PC, a new block, in front */
static void chain_push(struct page *page, struct pte_chain *pc,
		       pte_addr_t entry)
{
	struct pte_chain *head = page->rmap;

	if (!pc) {
		head->ptes[head_count(head)] = entry;
		return;
	}
	pc->next = head;
	pc->ptes[0] = entry;
	page->rmap = pc;
}

/* a chain down to one entry goes back inline: a chain always holds two */
static void chain_maybe_direct(struct world *w, struct page *page)
{
	struct pte_chain *head = page->rmap;

	if (head->next || head->ptes[1])
		return;
	set_direct(page, head->ptes[0]);
	chain_free(w, head);
	pc_stats(w)->direct++;
}

/*
 * Take entry out of the chain: the head's last entry fills the hole (the
 * order of a chain means nothing), and a head left empty is freed, so
 * every block but the head stays full.
 */
static bool chain_remove(struct world *w, struct page *page, pte_addr_t entry)
{
	struct pte_chain *head = page->rmap;
	pte_addr_t *slot = chain_find(head, entry);
	unsigned n = head_count(head);

	if (!slot)
		return false;
	*slot = head->ptes[n - 1];
	/* the moved entry left where it was too */
	if (!BUG_INJECTED(ptechain_remove_leaves_duplicate,
			  slot != &head->ptes[n - 1]))
		head->ptes[n - 1] = 0;
	if (n == 1) {
		page->rmap = head->next;
		chain_free(w, head);
	}
	chain_maybe_direct(w, page);
	return true;
}

/* false when the page has no such entry */
static bool entry_remove(struct world *w, struct page *page, pte_addr_t entry)
{
	if (!page->rmap)
		return false;
	if (!page_direct(page))
		return chain_remove(w, page, entry);
	if (direct_entry(page) != entry)
		return false;
	page->rmap = NULL;
	pc_stats(w)->direct--;
	return true;
}

/* ---- the ops --------------------------------------------------------------- */

/* no fini: the stats and the chains go with the world's arena */
static int ptechain_init(struct world *w)
{
	w->rmap_priv = core_xalloc(w, sizeof(struct ptechain_stats));
	return 0;
}

/* the PTE address of (vma, addr); its table exists whenever core calls us */
static pte_addr_t vma_pte_addr(struct world *w, const struct vma *vma,
			       uint64_t addr)
{
	pte_addr_t entry = pte_paddr(w, vma->mm, addr);

	BUG_ON(entry == 0);
	return entry;
}

/* does a new entry need a new block (direct -> chain, or a full head)? */
static bool needs_block(const struct page *page)
{
	return page_direct(page) || head_count(page->rmap) == NRPTE;
}

/*
 * A new block is asked for twice, as 2.5's copy_page_range() and fault
 * paths did: GFP_ATOMIC under the page-table lock, and when that fails
 * (a trace's fail-nth N backend), GFP_KERNEL with the lock dropped
 * (chain_alloc).  The first failure changes nothing for a correct caller.
 */
static int add_entry(struct world *w, struct page *page, pte_addr_t entry)
{
	struct pte_chain *pc = NULL;
	bool drop;

	if (!page->rmap) {
		set_direct(page, entry);
		pc_stats(w)->direct++;
		return 0;
	}
	if (needs_block(page)) {
		bool atomic_failed = backend_atomic_fails(w);

		if (BUG_INJECTED(ptechain_alloc_fail_drops, atomic_failed))
			return 0;   /* the entry is lost; the PTE is written */
		pc = chain_alloc(w);
		if (!pc)
			return -ENOMEM;
	}
	/*
	 * 2.5's page_add_rmap() with its block in hand (the caller's
	 * pte_chain_alloc) adds to a mapped page: the injection point of
	 * ptechain_direct_conversion_drops, whose lost entry changes something
	 * only when the page's one entry is inline, to be carried into the
	 * new block.
	 */
	drop = BUG_INJECTED(ptechain_direct_conversion_drops, page_direct(page));
	if (page_direct(page))
		direct_to_chain(w, page, pc, entry, drop);
	else
		chain_push(page, pc, entry);
	return 0;
}

static int ptechain_add(struct world *w, pfn_t pfn, struct vma *vma,
			uint64_t addr)
{
	return add_entry(w, pfn_page(w, pfn), vma_pte_addr(w, vma, addr));
}

/*
 * Huge mappings (issue 19), which 2.5 and LegoOS never had.  The design: a
 * PMD leaf is ONE chain entry, the physical address of the PMD slot, on
 * the chain of the folio's head page; it stands for all 512 pages.  A walk
 * of page i of the folio reads its own chain (its PTE mappings, after a
 * split) and then the head's PMD entries, each at the PMD's address plus
 * i pages.  The alternative, 512 entries per PMD mapping (one per page),
 * would cost 512 times the chain memory of a PMD mapping and make every
 * PMD map, unmap and fork 512 chain operations; the price of this one is
 * that a walk of a tail page reads the head's chain too (its PTE entries
 * skipped).  A PMD entry is told from a PTE entry by the level of the
 * table it points into (pte_at_paddr).
 */
static pte_addr_t vma_pmd_addr(struct world *w, const struct vma *vma,
			       uint64_t addr)
{
	pte_addr_t entry = pmd_paddr(w, vma->mm, addr);

	BUG_ON(entry == 0);
	return entry;
}

/* the entry OLD of PAGE becomes NEW (STALE: an injected bug keeps OLD) */
static void move_entry(struct page *page, pte_addr_t old, pte_addr_t new,
		       bool stale)
{
	pte_addr_t *slot;

	BUG_ON(!page->rmap);
	if (page_direct(page)) {
		BUG_ON(direct_entry(page) != old);
		set_direct(page, new);
		return;
	}
	slot = chain_find(page->rmap, old);
	BUG_ON(!slot);
	if (!stale)
		*slot = new;
}

static int ptechain_add_pmd(struct world *w, pfn_t head, struct vma *vma,
			    uint64_t addr)
{
	return add_entry(w, pfn_page(w, head), vma_pmd_addr(w, vma, addr));
}

static void ptechain_remove_pmd(struct world *w, pfn_t head, struct vma *vma,
				uint64_t addr)
{
	BUG_ON(!entry_remove(w, pfn_page(w, head), vma_pmd_addr(w, vma, addr)));
}

static void ptechain_move_pmd(struct world *w, pfn_t head, struct vma *ovma,
			      uint64_t oaddr, struct vma *nvma, uint64_t naddr)
{
	move_entry(pfn_page(w, head), vma_pmd_addr(w, ovma, oaddr),
		   vma_pmd_addr(w, nvma, naddr), false);
}

/*
 * core removes only what it added: a missing entry means core and the chain
 * disagree, and carrying on would free the frame with a stale entry left.
 */
static void ptechain_remove(struct world *w, pfn_t pfn, struct vma *vma,
			    uint64_t addr)
{
	pte_addr_t entry = vma_pte_addr(w, vma, addr);

	BUG_ON(!entry_remove(w, pfn_page(w, pfn), entry));
}

/* mremap: the entry follows its PTE; both tables exist during the move */
static void ptechain_move(struct world *w, pfn_t pfn, struct vma *ovma,
			  uint64_t oaddr, struct vma *nvma, uint64_t naddr)
{
	struct page *page = pfn_page(w, pfn);
	/* LegoOS's pcache_move_pte, done for an inline entry only */
	bool stale = BUG_INJECTED(ptechain_stale_after_mremap,
				  page->rmap && !page_direct(page));

	move_entry(page, vma_pte_addr(w, ovma, oaddr),
		   vma_pte_addr(w, nvma, naddr), stale);
}

/*
 * Migration keeps every PTE where it is, so entries stay valid; core has
 * copied page->rmap to the new frame and clears the old one itself.
 */
static void ptechain_move_frame(struct world *w, pfn_t from, pfn_t to)
{
	BUG_ON(pfn_page(w, to)->rmap != pfn_page(w, from)->rmap);
}

/*
 * One entry of a walk: 0 go on, 1 the callback stopped the walk, -EIO the
 * entry is stale (no PTE table there, the PTE maps something else, or no
 * VMA covers it).  Stale entries are reported, never skipped, so that a
 * broken chain shows up as a failed walk instead of a silently short one.
 */
static int walk_entry(struct world *w, pfn_t pfn, pte_addr_t entry,
		      bool head_only, struct rmap_walk_control *rwc)
{
	struct mm *mm;
	uint64_t va;
	uint64_t *pte = pte_at_paddr(w, entry, &mm, &va);
	struct vma *vma;
	uint64_t idx = pfn_page(w, pfn)->folio_idx;

	w->stats.ptes_checked++;
	/* 2.5's order: the PTE set, its entry not yet added (rmap.h) */
	if (w->rmap->add_after_set && pte && pte == w->ilv.pending)
		return 0;
	if (pte && pt_level_of_slot(w, pte) == 2) {
		/* a PMD entry: the head's, standing for page idx too */
		if (!pmd_leaf(*pte) || pte_pfn(*pte) + idx != pfn)
			return -EIO;
		/* the entry's address taken for every page's, not the head's */
		if (!BUG_INJECTED(ptechain_pmd_entry_head_address, idx != 0))
			va += idx << PAGE_SHIFT;
	} else if (head_only) {
		return 0;       /* the head's own PTE mapping */
	} else if (!pte || !pte_present(*pte) || pte_pfn(*pte) != pfn) {
		return -EIO;
	}
	vma = vma_lookup(mm, va);
	if (!vma)
		return -EIO;
	return rwc->rmap_one(w, pfn, vma, va, pte, rwc->arg) ? 0 : 1;
}

static int ptechain_walk(struct world *w, pfn_t pfn,
			 struct rmap_walk_control *rwc)
{
	struct page *page = pfn_page(w, pfn);
	int ret = 0;

	if (page_direct(page))
		ret = walk_entry(w, pfn, direct_entry(page), false, rwc);
	for (struct pte_chain *pc = page_chain(page); pc && !ret; pc = pc->next)
		for (unsigned i = 0; i < NRPTE && pc->ptes[i] && !ret; i++)
			ret = walk_entry(w, pfn, pc->ptes[i], false, rwc);
	if (page->folio_order && page->folio_idx && !ret) {
		/* the PMD mappings, on the head's chain (see add_pmd) */
		const struct page *h = pfn_page(w, pfn - page->folio_idx);

		if (page_direct(h))
			ret = walk_entry(w, pfn, direct_entry(h), true, rwc);
		for (struct pte_chain *pc = page_chain(h); pc && !ret;
		     pc = pc->next)
			for (unsigned i = 0; i < NRPTE && pc->ptes[i] && !ret;
			     i++)
				ret = walk_entry(w, pfn, pc->ptes[i], true, rwc);
	}
	return ret < 0 ? ret : 0;
}

/* ---- debug hooks ---------------------------------------------------------- */

static void ptechain_chain_stats(const struct world *w, struct ptechain_stats *out)
{
	static const struct ptechain_stats none;

	*out = w->rmap_priv ? *pc_stats(w) : none;
}

/* the newest entry: the direct one, or the head's last */
static int ptechain_drop_entry(struct world *w, pfn_t pfn)
{
	struct page *page;
	pte_addr_t entry;

	if (pfn == 0 || pfn >= w->phys.nframes)
		return -ENOENT;
	page = pfn_page(w, pfn);
	if (!page->rmap)
		return -ENOENT;
	if (page_direct(page))
		entry = direct_entry(page);
	else
		entry = page_chain(page)->ptes[head_count(page->rmap) - 1];
	BUG_ON(!entry_remove(w, page, entry));
	return 0;
}

static const struct rmap_debug_ops ptechain_debug_ops = {
	.chain_stats = ptechain_chain_stats,
	.drop_entry = ptechain_drop_entry,
};

/* the chain's operations, the same in both designs below */
#define PTECHAIN_OPS                                                     \
	.walk_by_pte = true, .init = ptechain_init, .add = ptechain_add,  \
	.remove = ptechain_remove, .move = ptechain_move,                 \
	.move_frame = ptechain_move_frame, .add_pmd = ptechain_add_pmd,   \
	.remove_pmd = ptechain_remove_pmd, .move_pmd = ptechain_move_pmd, \
	.walk = ptechain_walk, .debug = &ptechain_debug_ops

const struct rmap_ops rmap_ptechain_ops = {
	.name = "ptechain",
	PTECHAIN_OPS,
};

/*
 * 2.5's PTE chains with their window (rmap.h add_after_set): the chain
 * as above; only the walk at YP_PTE_SET differs.
 */
const struct rmap_ops rmap_ptechain25_ops = {
	.name = "ptechain25",
	.add_after_set = true,
	PTECHAIN_OPS,
};

/* ---- rmap_ptechain.h: through the world's debug hooks, whatever its backend */

void rmap_ptechain_stats(const struct world *w, struct ptechain_stats *out)
{
	static const struct ptechain_stats none;
	const struct rmap_debug_ops *d = rmap_debug(w);

	if (d && d->chain_stats)
		d->chain_stats(w, out);
	else
		*out = none;
}

int rmap_ptechain_drop_entry(struct world *w, uint64_t pfn)
{
	const struct rmap_debug_ops *d = rmap_debug(w);

	return d && d->drop_entry ? d->drop_entry(w, pfn) : -ENOENT;
}
