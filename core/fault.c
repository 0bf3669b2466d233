/*
 * fault.c - a load or store by a process: the hardware walk, then Linux's
 * fault handling (mm/memory.c: handle_pte_fault, do_anonymous_page,
 * do_read_fault + do_fault_around, do_cow_fault, do_shared_fault,
 * do_swap_page, do_wp_page with wp_can_reuse_anon_folio), and the growth of
 * a VM_GROWSDOWN stack VMA down to a fault below it (expand_downwards).
 *
 * Hardware sets A on every access and D on every store through a writable
 * PTE; every PTE Linux creates on x86 starts young (protection_map has A).
 */
#include <errno.h>

#include "bugs/bugs.h"
#include "core/address_space.h"
#include "core/bug.h"
#include "core/fault.h"
#include "core/folio.h"
#include "core/huge_memory.h"
#include "core/interleave.h"
#include "core/ksm.h"
#include "core/op.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/pte_ops.h"
#include "core/rmap.h"
#include "core/swap.h"
#include "core/vma.h"

#define FAULT_AROUND_PAGES 16   /* fault_around_bytes = 65536 */

/* A new anonymous page for vma at addr (folio_add_new_anon_rmap). */
static pfn_t new_anon_page(struct world *w, struct vma *vma, uint64_t addr)
{
	pfn_t pfn = frame_alloc(w, PAGE_ANON);
	struct page *page;

	if (!pfn)
		return 0;
	page = pfn_page(w, pfn);
	page->mapping = vma->anon_vma;
	page->index = linear_page_index(vma, addr);
	page->flags = PG_ANON_EXCLUSIVE;
	return pfn;
}

/* Install a fresh anon page; on failure the frame is freed again. */
static int install_new(struct world *w, struct vma *vma, uint64_t addr,
		       uint64_t *pte, pfn_t pfn, uint64_t bits)
{
	int err = pte_install(w, vma, addr, pte, pfn, bits);

	if (err)
		frame_free(w, pfn);
	return err;
}

/*
 * thp_vma_allowable_orders() for a page fault (mm/huge_memory.c), the
 * host's way: transparent_hugepage/enabled = madvise and each
 * hugepages-<size>kB/enabled = madvise for the trace's thp-sizes, so only
 * a private anonymous VMA with VM_HUGEPAGE (and not VM_NOHUGEPAGE) may get
 * a large folio.  Here only the orders below PMD_ORDER, as
 * alloc_anon_folio() asks for them: the PMD order is
 * do_huge_pmd_anonymous_page()'s (huge_memory.c), tried first.
 */
static uint32_t anon_fault_orders(const struct world *w, const struct vma *vma)
{
	if (!vma_is_anonymous(vma) || (vma->flags & VM_SHARED) ||
	    !(vma->flags & VM_HUGEPAGE) || (vma->flags & VM_NOHUGEPAGE))
		return 0;
	return w->thp_orders & ((1u << THP_PMD_ORDER) - 1);
}

/*
 * alloc_anon_folio() + the large-folio half of do_anonymous_page()
 * (mm/memory.c, 6.18): the largest allowed order whose aligned range lies
 * inside the VMA (thp_vma_suitable_order: no vm_pgoff check for anonymous
 * memory) and has only none PTEs (pte_range_none), then the next smaller
 * order when the allocation fails; the folio is mapped whole by one batch
 * of PTEs (set_ptes), every page PageAnonExclusive, young, and writable
 * and dirty in a VM_WRITE VMA.  -ENOENT: no large folio here, the caller
 * maps a small page (the fallback), as after every failed large try.
 */
static int do_anonymous_large(struct world *w, struct vma *vma, uint64_t addr,
			      uint64_t *pte)
{
	uint32_t orders = anon_fault_orders(w, vma);
	uint64_t bits = vma_pte_bits(vma) |
			(vma->flags & VM_WRITE ? PTE_RW | PTE_D : 0);
	uint64_t *table = pt_of_slot(pte);
	unsigned idx = (unsigned)(pte - table);
	int order;

	for (order = THP_PMD_ORDER - 1; order >= THP_MIN_ORDER; order--) {
		uint64_t nr = 1ULL << order;
		uint64_t haddr = addr & ~((nr << PAGE_SHIFT) - 1);
		unsigned first = idx & ~(unsigned)(nr - 1);
		bool none = true;

		if (!(orders & (1u << order)))
			continue;
		if (haddr < vma->start || haddr + (nr << PAGE_SHIFT) > vma->end)
			continue;
		for (unsigned i = first; i < first + nr && none; i++)
			none = pte_none(table[i]);
		if (none)
			break;
	}
	for (; order >= THP_MIN_ORDER; order--) {
		uint64_t nr = 1ULL << order;
		uint64_t haddr = addr & ~((nr << PAGE_SHIFT) - 1);
		unsigned first = idx & ~(unsigned)(nr - 1);
		pfn_t head;
		uint64_t i;
		int err = 0;

		if (!(orders & (1u << order)))
			continue;
		head = folio_alloc_anon(w, (unsigned)order, true);
		if (!head)
			continue;       /* MTHP_STAT_ANON_FAULT_FALLBACK */
		/* folio_add_new_anon_rmap(RMAP_EXCLUSIVE), then set_ptes() */
		for (i = 0; i < nr; i++) {
			struct page *page = pfn_page(w, head + i);

			page->mapping = vma->anon_vma;
			page->index = linear_page_index(vma, haddr +
							(i << PAGE_SHIFT));
			page->flags = PG_ANON_EXCLUSIVE;
		}
		for (i = 0; i < nr && !err; i++)
			err = pte_install(w, vma, haddr + (i << PAGE_SHIFT),
					  &table[first + i], head + i, bits);
		if (!err)
			return 0;
		/*
		 * a backend's add failed at page i - 1: undo the batch; the
		 * last zap frees the folio, or nothing was mapped at all
		 */
		if (i == 1)
			for (uint64_t j = 0; j < nr; j++)
				frame_free(w, head + j);
		while (--i > 0)
			pte_zap(w, vma, haddr + ((i - 1) << PAGE_SHIFT),
				&table[first + i - 1]);
		return err;
	}
	return -ENOENT;
}

/*
 * do_anonymous_page: the zero page on a read (unless mm_forbids_zeropage()),
 * else a new page, writable and dirty when the VMA is VM_WRITE, read fault
 * or not (mm/memory.c: "if (vma->vm_flags & VM_WRITE) entry =
 * pte_mkwrite(pte_mkdirty(entry), vma)").
 */
static int do_anonymous_page(struct world *w, struct vma *vma, uint64_t addr,
			     uint64_t *pte, bool write)
{
	pfn_t pfn;
	int err;

	if (!write && !w->no_zero_page)
		return pte_install(w, vma, addr, pte, w->phys.zero_pfn,
				   vma_pte_bits(vma));
	err = anon_vma_prepare(w, vma);
	if (err)
		return err;
	err = do_anonymous_large(w, vma, addr, pte);
	if (err != -ENOENT)
		return err;
	pfn = new_anon_page(w, vma, addr);
	if (!pfn)
		return -ENOMEM;
	return install_new(w, vma, addr, pte, pfn, vma_pte_bits(vma) |
			   (vma->flags & VM_WRITE ? PTE_RW | PTE_D : 0));
}

/*
 * do_fault_around: map the pages already in the page cache within the
 * 16-PTE window around addr, clamped to the VMA, the PTE table and the end
 * of the file; PTEs already present stay as they are.
 */
static int do_fault_around(struct world *w, struct vma *vma, uint64_t addr)
{
	uint64_t pte_off = (addr >> PAGE_SHIFT) & (PTRS_PER_PT - 1);
	uint64_t vma_off = (addr - vma->start) >> PAGE_SHIFT;
	uint64_t from = pte_off & ~(uint64_t)(FAULT_AROUND_PAGES - 1);
	uint64_t to, npages = mapping_pages(vma->mapping);

	if (pte_off - (pte_off < vma_off ? pte_off : vma_off) > from)
		from = pte_off - (pte_off < vma_off ? pte_off : vma_off);
	to = from + FAULT_AROUND_PAGES;
	if (to > PTRS_PER_PT)
		to = PTRS_PER_PT;
	if (to > pte_off + vma_pages(vma) - vma_off)
		to = pte_off + vma_pages(vma) - vma_off;
	for (uint64_t i = from; i < to; i++) {
		uint64_t va = addr - ((pte_off - i) << PAGE_SHIFT);
		uint64_t pgoff = linear_page_index(vma, va);
		pfn_t pfn = pgoff < npages ? page_cache_lookup(vma->mapping, pgoff) : 0;
		uint64_t *pte;
		int err;

		if (!pfn)
			continue;
		pte = pte_lookup(w, vma->mm, va);
		if (!pte || !pte_none(*pte))
			continue;
		err = pte_install(w, vma, va, pte, pfn, vma_pte_bits(vma) |
				  ((vma->flags & VM_SHARED) && (vma->flags & VM_WRITE) ? PTE_RW : 0));
		if (err)
			return err;
	}
	return 0;
}

static int do_file_fault(struct world *w, struct vma *vma, uint64_t addr,
			 uint64_t *pte, bool write)
{
	uint64_t pgoff = linear_page_index(vma, addr);
	uint64_t bits = vma_pte_bits(vma);
	pfn_t cpfn, pfn;
	int err;

	if (!write) {
		/*
		 * do_read_fault: do_fault_around() first, which maps the cached
		 * pages below i_size around addr even when addr itself is past
		 * it; only then does __do_fault() (shmem_fault) say SIGBUS.
		 */
		err = do_fault_around(w, vma, addr);
		if (err || !pte_none(*pte))
			return err;
		if (pgoff >= mapping_pages(vma->mapping))
			return RES_SIGBUS;
		err = page_cache_get(w, vma->mapping, pgoff, &cpfn);
		if (err)
			return err;
		if ((vma->flags & VM_SHARED) && (vma->flags & VM_WRITE))
			bits |= PTE_RW;
		return pte_install(w, vma, addr, pte, cpfn, bits);
	}
	if (vma->flags & VM_SHARED) {
		/* do_shared_fault: __do_fault (shmem_fault) says SIGBUS first */
		if (pgoff >= mapping_pages(vma->mapping))
			return RES_SIGBUS;
		err = page_cache_get(w, vma->mapping, pgoff, &cpfn);
		if (err)
			return err;
		return pte_install(w, vma, addr, pte, cpfn, bits | PTE_RW | PTE_D);
	}
	/*
	 * do_cow_fault: the cache page is read in and stays; a copy is mapped.
	 * vmf_anon_prepare() comes before __do_fault(), so even a write past
	 * the end of the file (SIGBUS) leaves the VMA with an anon_vma, and
	 * fork then copies its PTEs (vma_needs_copy).
	 */
	err = anon_vma_prepare(w, vma);
	if (err)
		return err;
	if (pgoff >= mapping_pages(vma->mapping))
		return RES_SIGBUS;
	err = page_cache_get(w, vma->mapping, pgoff, &cpfn);
	if (err)
		return err;
	pfn = new_anon_page(w, vma, addr);
	if (!pfn)
		return -ENOMEM;
	pfn_page(w, pfn)->content = pfn_page(w, cpfn)->content;
	return install_new(w, vma, addr, pte, pfn, bits | PTE_RW | PTE_D);
}

/*
 * do_wp_page on a present, write-protected PTE of a writable VMA: a shared
 * mapping just becomes writable; an anonymous page nothing else references
 * is reused (wp_can_reuse_anon_folio + folio_move_anon_rmap), never a KSM
 * page (folio_test_ksm); otherwise the page (the zero page, a page cache
 * page, a shared anon page, a KSM page) is copied, contents and all.
 * UNSHARE: FAULT_FLAG_UNSHARE (break_ksm): the copy is mapped as the old
 * page was, read-only and clean (wp_page_copy).
 */
static int do_wp_page(struct world *w, struct vma *vma, uint64_t addr,
		      uint64_t *pte, bool unshare)
{
	pfn_t old = pte_pfn(*pte), pfn;
	struct page *page = pfn_page(w, old);
	uint64_t bits = vma_pte_bits(vma) | (unshare ? 0 : PTE_RW | PTE_D);
	uint64_t orig = *pte, content = page->content;
	int err;

	if (vma->flags & VM_SHARED) {
		set_pte(w, pte, *pte | PTE_RW | PTE_D | PTE_A);
		return 0;
	}
	/*
	 * The bug: Linux 5.1-5.7 reused a KSM page mapped by one PTE
	 * (reuse_ksm_page, "mm: reuse only-pte-mapped KSM page in
	 * do_wp_page()"), giving it the index of its address; this reuse
	 * forgets that line, so the page keeps the index of the process it was
	 * first merged in.
	 */
	if (BUG_INJECTED(ksm_reuse_keeps_index, !unshare && page_is_ksm(page) &&
			 page->refcount == 1)) {
		ksm_reuse_page(w, old, vma, addr, true);
		set_pte(w, pte, *pte | PTE_RW | PTE_D | PTE_A);
		return 0;
	}
	/*
	 * do_wp_page for a page of a large anonymous folio (6.18): reuse when
	 * the page is PageAnonExclusive or wp_can_reuse_anon_folio ->
	 * __wp_can_reuse_large_anon_folio says the folio is this MM's alone;
	 * the anon_vma is not moved (no folio_move_anon_rmap for large ones)
	 */
	if (page->kind == PAGE_ANON && page_is_large(page)) {
		if ((page->flags & PG_ANON_EXCLUSIVE) ||
		    folio_can_reuse_large_anon(w, old, vma->mm)) {
			page->flags |= PG_ANON_EXCLUSIVE;
			set_pte(w, pte, *pte | PTE_A |
				(unshare ? 0 : PTE_RW | PTE_D));
			return 0;
		}
	} else if (page->kind == PAGE_ANON && page->refcount == 1 &&
		   !page_is_ksm(page)) {
		page->mapping = vma->anon_vma;
		page->flags |= PG_ANON_EXCLUSIVE;
		set_pte(w, pte, *pte | PTE_RW | PTE_D | PTE_A);
		return 0;
	}
	err = anon_vma_prepare(w, vma);
	if (err)
		return err;
	pfn = new_anon_page(w, vma, addr);
	if (!pfn)
		return -ENOMEM;
	/* __wp_page_copy_user (page may have moved: the frame array grows) */
	pfn_page(w, pfn)->content = content;
	/*
	 * wp_page_copy(): the copy is made without the PTL; it is taken for
	 * the replacement, and a PTE changed meanwhile (a walker migrated or
	 * unmapped the page: !pte_same) drops the copy and the fault is
	 * retried.
	 */
	MM_YIELD(w, YP_WP_BEFORE_REPLACE);
	if (*pte != orig) {
		frame_free(w, pfn);
		return -EAGAIN;
	}
	/* the new mapping is recorded before the old one is dropped */
	err = rmap_add(w, pfn, vma, addr);
	if (err) {
		frame_free(w, pfn);
		return err;
	}
	pte_zap_quiet(w, vma, addr, pte);
	pfn_page(w, pfn)->refcount++;
	pfn_page(w, pfn)->mapcount++;
	set_pte(w, pte, pfn_pte(pfn, bits));
	/* the old frame's mapping went, the copy's came: both now agree */
	rmap_event(w, RMAP_EVENT_REMOVE, old, vma, addr);
	rmap_event(w, RMAP_EVENT_ADD, pfn, vma, addr);
	/* wp_page_copy() after pte_unmap_unlock(): both folios' rmap done */
	MM_YIELD(w, YP_WP_AFTER_REPLACE);
	return 0;
}

/*
 * do_swap_page: the frame comes from the swap cache if another process
 * already read it in, else a new frame is read in and added to the cache.
 * A page still shared through other swap PTEs takes the root anon_vma
 * (__folio_set_anon with exclusive == false); a write then goes through
 * do_wp_page like any write-protected anonymous page.
 */
static int do_swap_page(struct world *w, struct vma *vma, uint64_t addr,
			uint64_t *pte, bool write)
{
	uint64_t slot = swp_offset(*pte);
	struct swap_slot *s = &w->swap.slots[slot];
	pfn_t pfn = s->cache;
	struct page *page;
	uint64_t e;
	int err;

	BUG_ON(swp_type(*pte) != SWP_TYPE_SWAP || !vma->anon_vma);
	if (!pfn) {
		pfn = frame_alloc(w, PAGE_ANON);
		if (!pfn)
			return -ENOMEM;
		page = pfn_page(w, pfn);
		page->index = s->index;
		page->content = s->content;
		page->flags = PG_SWAPCACHE;
		page->swap = slot;
		page->refcount = 1;          /* the swap cache's reference */
		s->cache = pfn;
	}
	page = pfn_page(w, pfn);
	if (!page->mapping) {
		bool shared = s->count > 1;

		/* __folio_set_anon as if the page were exclusive */
		if (BUG_INJECTED(swapin_exclusive_anon_vma,
				 shared && vma->anon_vma != vma->anon_vma->root))
			shared = false;
		page->mapping = shared ? vma->anon_vma->root : vma->anon_vma;
	}
	e = *pte;
	set_pte(w, pte, 0);
	err = pte_install(w, vma, addr, pte, pfn, vma_pte_bits(vma));
	if (err) {
		set_pte(w, pte, e);
		if (page->mapcount == 0)
			page->mapping = NULL;
		return err;
	}
	swap_put(w, slot);       /* may drop the page from the swap cache */
	if (write)
		return do_wp_page(w, vma, addr, pte, false);
	return 0;
}

/*
 * expand_downwards (mm/mmap.c, through lock_mm_and_find_vma ->
 * expand_stack_locked): a fault below a VM_GROWSDOWN VMA moves its vm_start
 * down to the faulting page and vm_pgoff with it, so every page already
 * there keeps its linear index and address.  Refused (the fault is then
 * SIGSEGV) below mmap_min_addr, within stack_guard_gap of an accessible
 * VMA below that does not grow down itself, past vm_pgoff 0, or past
 * RLIMIT_STACK (acct_stack_growth: the whole VMA's size).  The anon_vma is
 * prepared before the size checks, so a refused growth may leave one.
 * 0, RES_SIGSEGV, or -ENOMEM (an allocation of anon_vma_prepare).
 */
static int expand_downwards(struct world *w, struct vma *vma, uint64_t address)
{
	struct mm *mm = vma->mm;
	struct vma *prev = NULL;
	uint64_t grow;
	uint32_t i;
	int err;

	address &= PAGE_MASK;
	if (address < MMAP_MIN_ADDR)
		return RES_SIGSEGV;             /* -EPERM */
	vma_find(mm, vma->start, &i);
	if (i > 0)
		prev = mm->vmas[i - 1];
	if (prev && !(prev->flags & VM_GROWSDOWN) &&
	    (prev->flags & (VM_READ | VM_WRITE))) {     /* vma_is_accessible */
		uint64_t gap = address - prev->end;
		/* the bug: one page of gap, the guard page of before Stack Clash */
		bool one_page = BUG_INJECTED(stack_guard_gap_one_page,
					     gap >= PAGE_SIZE &&
					     gap < STACK_GUARD_GAP);

		if (gap < (one_page ? PAGE_SIZE : STACK_GUARD_GAP))
			return RES_SIGSEGV;     /* -ENOMEM */
	}
	err = anon_vma_prepare(w, vma);
	if (err)
		return err;
	grow = (vma->start - address) >> PAGE_SHIFT;
	if (grow > vma->pgoff || vma->end - address > RLIMIT_STACK_BYTES)
		return RES_SIGSEGV;             /* -ENOMEM */
	/*
	 * the bug: vm_start moves down and vm_pgoff stays, the expand_stack()
	 * of before the object-based anon rmap (2.6.7): every page already in
	 * the stack is then `grow` pages off where the formula puts it
	 */
	if (BUG_INJECTED(expand_downwards_keeps_pgoff, grow > 0))
		grow = 0;
	vma_adjust_range(w, vma, address, vma->end, vma->pgoff - grow);
	vma_note_event(w, vma, VMA_EV_GROW);
	return 0;
}

int handle_access(struct world *w, struct mm *mm, uint64_t addr, bool write)
{
	struct vma *vma = vma_lookup(mm, addr);
	uint64_t *pte, *pmd;
	bool had_table;
	int err;

	if (!vma) {
		/* lock_mm_and_find_vma: find_vma, then grow a stack to ADDR */
		vma = vma_find(mm, addr, NULL);
		if (!vma || !(vma->flags & VM_GROWSDOWN))
			return RES_SIGSEGV;
		err = expand_downwards(w, vma, addr);
		if (err)
			return err;
	}
	/* access_error() comes after the growth, which stays */
	if (!(vma->flags & (write ? VM_WRITE : VM_READ)))
		return RES_SIGSEGV;
	addr &= PAGE_MASK;
	/*
	 * __handle_mm_fault(): one walk to the PMD; a PMD leaf takes the
	 * fault at PMD level, a none PMD where a 2 MiB folio may be had gets
	 * one (huge_memory.c), anything else goes on to the PTE
	 */
	err = pmd_alloc(w, mm, addr, &pmd);
	if (err)
		return err;
	/*
	 * A fault that fails keeps the upper tables __handle_mm_fault
	 * allocated (pud_alloc, pmd_alloc) and the PTE table of an anonymous
	 * fault (do_anonymous_page's pte_alloc comes first); a file fault's
	 * PTE table is __do_fault's prealloc_pte, installed only by
	 * finish_fault and freed by do_fault on an error.
	 */
	if (pmd_leaf(*pmd) || (vma->flags & VM_HUGEPAGE)) {
		err = huge_pmd_fault(w, vma, addr, pmd, write);
		if (err != -ENOENT)
			return err;
	}
	had_table = pgd_table(*pmd);
	err = pte_alloc_under(w, mm, addr, pmd, &pte);
	if (err)
		return err;
	if (pte_none(*pte)) {
		if (vma_is_anonymous(vma))
			return do_anonymous_page(w, vma, addr, pte, write);
		err = do_file_fault(w, vma, addr, pte, write);
		if (err && !had_table)
			free_pgtables(w, mm, addr, addr + PAGE_SIZE,
				      addr & PMD_MASK, (addr & PMD_MASK) + PMD_SIZE);
		return err;
	}
	if (!pte_present(*pte))
		return do_swap_page(w, vma, addr, pte, write);
	/* present: the access retries after any protection fix-up */
	if (write && !(*pte & PTE_RW)) {
		err = do_wp_page(w, vma, addr, pte, false);
		if (err == -EAGAIN)     /* the PTE changed under the fault */
			return handle_access(w, mm, addr, write);
		if (err)
			return err;
	}
	set_pte(w, pte, *pte | PTE_A | (write ? PTE_D : 0));
	return 0;
}

int handle_store(struct world *w, struct mm *mm, uint64_t addr,
		 uint64_t content)
{
	int err = handle_access(w, mm, addr, true);

	if (!err) {
		bool pmd;
		uint64_t *pte = mapped_slot(w, mm, addr & PAGE_MASK, &pmd);

		BUG_ON(!pte || !pte_present(*pte) || !(*pte & PTE_RW));
		/* a PMD leaf: the page at addr's offset in its 2 MiB */
		pfn_page(w, pte_pfn(*pte) + (pmd ? (addr & ~PMD_MASK) >>
					      PAGE_SHIFT : 0))->content = content;
	}
	return err;
}

int fault_unshare(struct world *w, struct vma *vma, uint64_t addr)
{
	uint64_t *pte = pte_lookup(w, vma->mm, addr);
	int err;

	if (!pte || !pte_present(*pte) || !page_is_ksm(pfn_page(w, pte_pfn(*pte))))
		return 0;
	err = do_wp_page(w, vma, addr, pte, true);
	if (err == -EAGAIN)     /* the PTE changed under the fault: again */
		return fault_unshare(w, vma, addr);
	return err;
}
