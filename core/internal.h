/*
 * internal.h - functions core's files share with each other (and the
 * oracle reads through).  Grouped by the file that defines them.
 */
#ifndef RMAP_CORE_INTERNAL_H
#define RMAP_CORE_INTERNAL_H

#include <errno.h>
#include <stddef.h>

#include "core/mm_types.h"
#include "core/rmap.h"

/* Always-on assertion: a broken core invariant is a bug, never a result. */
#define BUG_ON(cond) do { if (cond) core_bug(__FILE__, __LINE__, #cond); } while (0)
_Noreturn void core_bug(const char *file, int line, const char *what);

/* ---- alloc.c: every allocation that can be made to fail ---------------- */
/* Counts one allocation; true when fault injection says it must fail. */
bool alloc_should_fail(struct world *w);
/* calloc that honours fault injection (NULL = -ENOMEM) */
void *core_zalloc(struct world *w, size_t size);
void core_free(void *p);
/* Grow *arr (of elem bytes) to hold n+1 entries; aborts on real OOM only. */
void array_reserve(void **arr, uint32_t *cap, uint32_t n, size_t elem);
void *xcalloc(size_t n, size_t size);

/* ---- phys.c: frames ----------------------------------------------------- */
void phys_init(struct world *w, uint64_t limit);
void phys_fini(struct world *w);
/* A free frame of the given kind (refcount 0), or 0 for -ENOMEM. */
pfn_t frame_alloc(struct world *w, enum page_kind kind);
void frame_free(struct world *w, pfn_t pfn);
/* Drop one reference; frees the frame when the last goes. */
void page_put(struct world *w, pfn_t pfn);

/* ---- pgtable.c: x86-64 4-level page tables ------------------------------ */
#define PTE_P        (1ULL << 0)
#define PTE_RW       (1ULL << 1)
#define PTE_US       (1ULL << 2)
#define PTE_A        (1ULL << 5)
#define PTE_D        (1ULL << 6)
#define PTE_PROTNONE (1ULL << 8)   /* Linux's _PAGE_PROTNONE (= global bit) */
#define PTE_NX       (1ULL << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ULL
#define PTE_TABLE    (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)  /* _PAGE_TABLE */
#define PTRS_PER_PT  512

/*
 * A table frame's memory: the 512 hardware entries, then a bitmap of the
 * slots that are not none (simulator bookkeeping, like struct page: it lets
 * walks skip the empty slots instead of reading all 512).  Allocated
 * PT_ALLOC-aligned, so a slot pointer finds its bitmap.  Every write of an
 * entry goes through set_pte().
 */
#define PT_ALLOC 8192
#define PT_PFN (PTRS_PER_PT + PTRS_PER_PT / 64)   /* the table's own frame */
#define PT_META_END (PT_PFN + 1)
static inline uint64_t *pt_used(uint64_t *table) { return table + PTRS_PER_PT; }

/*
 * A journal of entry writes, for the checker's fast mode (oracle/lockstep.c):
 * while pte_journal points at one, every set_pte() appends (table frame,
 * slot, old, new).  NULL (no journal) in normal runs.
 */
struct pte_write {
	uint64_t table;       /* frame of the table written */
	uint32_t slot;
	uint64_t old, new;
};

struct pte_journal {
	struct pte_write *w;
	uint32_t n, cap;
	bool overflow;        /* a write could not be recorded: check everything */
};

extern struct pte_journal *pte_journal;
/* Room for one more write (grows the journal); false sets overflow. */
bool pte_journal_reserve(struct pte_journal *j);

static inline void set_pte(uint64_t *slot, uint64_t v)
{
	uint64_t *table = (uint64_t *)((uintptr_t)slot & ~(uintptr_t)(PT_ALLOC - 1));
	unsigned i = (unsigned)(slot - table);

	if (pte_journal) {
		struct pte_journal *j = pte_journal;

		if (j->n < j->cap || pte_journal_reserve(j))
			j->w[j->n++] = (struct pte_write){ table[PT_PFN], i, *slot, v };
	}
	if (v)
		pt_used(table)[i >> 6] |= 1ULL << (i & 63);
	else
		pt_used(table)[i >> 6] &= ~(1ULL << (i & 63));
	*slot = v;
}

static inline bool pte_none(uint64_t e) { return e == 0; }
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

/* The PTE slot for va, or NULL when a table on the way is missing. */
uint64_t *pte_lookup(const struct world *w, const struct mm *mm, uint64_t va);
/* The PTE slot for va, allocating missing tables (-ENOMEM, nothing leaked). */
int pte_alloc(struct world *w, struct mm *mm, uint64_t va, uint64_t **ptep);
/* Free every table in [start, end) that holds no entry any more. */
void pgtable_prune(struct world *w, struct mm *mm, uint64_t start, uint64_t end);
/* Visit the non-none PTEs in [start, end) in address order. */
typedef void (*pte_fn)(struct world *w, struct mm *mm, uint64_t va,
		       uint64_t *pte, void *arg);
void pte_range_each(struct world *w, struct mm *mm, uint64_t start,
		    uint64_t end, pte_fn fn, void *arg);
/* Read-only variant for the oracle. */
typedef void (*pte_cfn)(const struct world *w, const struct mm *mm,
			uint64_t va, uint64_t pte, void *arg);
void pte_range_each_const(const struct world *w, const struct mm *mm,
			  uint64_t start, uint64_t end, pte_cfn fn, void *arg);
/*
 * The physical address of the PTE slot for va (frame of the PTE table << 12
 * | slot * 8), 0 when a table on the way is missing; and back: the slot at a
 * PTE physical address, with its owner and virtual address taken from the
 * table page's struct page (NULL if paddr is not in a live PTE table).
 */
uint64_t pte_paddr(const struct world *w, const struct mm *mm, uint64_t va);
uint64_t *pte_at_paddr(const struct world *w, uint64_t paddr, struct mm **mm,
		       uint64_t *va);
/* Number of page-table frames of mm (0 once freed). */
uint64_t pgtable_count(const struct world *w, const struct mm *mm);

/* ---- vma.c: the VMA set of an mm and split/merge ------------------------ */
/* First VMA with end > addr (Linux find_vma), or NULL; its index in *idx. */
struct vma *vma_find(const struct mm *mm, uint64_t addr, uint32_t *idx);
/* The VMA containing addr, or NULL (vma_lookup). */
struct vma *vma_lookup(const struct mm *mm, uint64_t addr);
struct vma *vma_alloc(struct world *w);
void vma_insert(struct mm *mm, struct vma *vma);
/* Remove from the mm, unlink anon_vmas and the file, free (no PTE work). */
void vma_destroy(struct world *w, struct vma *vma);
/* Split so that a VMA boundary lies at addr (no-op if one does). */
int vma_split_at(struct world *w, struct mm *mm, uint64_t addr);
/* Undo a vma_split_at(addr) of ours: the two halves become one again. */
void vma_unsplit(struct world *w, struct mm *mm, uint64_t addr);
/* Merge vma with its neighbours where Linux would (mm/vma.c rules). */
struct vma *vma_merge_neighbours(struct world *w, struct vma *vma);
static inline uint64_t vma_pages(const struct vma *v) { return (v->end - v->start) >> PAGE_SHIFT; }
static inline uint64_t vma_last_pgoff(const struct vma *v) { return v->pgoff + vma_pages(v) - 1; }
/* Change a linked VMA's range, re-keying it in i_mmap and its anon_vmas. */
void vma_set_range(struct vma *vma, uint64_t start, uint64_t end, uint64_t pgoff);
static inline uint64_t linear_page_index(const struct vma *v, uint64_t addr)
{
	return v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
}
static inline bool vma_is_anonymous(const struct vma *v) { return v->file == NULL; }
static inline bool is_cow_mapping(uint32_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* ---- anon_vma.c: anon_vma and anon_vma_chain (mm/rmap.c) ---------------- */
int anon_vma_prepare(struct world *w, struct vma *vma);
int anon_vma_clone(struct world *w, struct vma *dst, struct vma *src, bool fork);
int anon_vma_fork(struct world *w, struct vma *vma, struct vma *pvma);
void unlink_anon_vmas(struct world *w, struct vma *vma);
/* Is vma linked to anon_vma (through its chain)? */
bool vma_links_anon_vma(const struct vma *vma, const struct anon_vma *av);
/* A VMA of a fork child that still has its parents' anon_vmas linked */
bool vma_is_fork_child(const struct vma *vma);

/* ---- file.c: files, page cache, i_mmap ---------------------------------- */
struct file *file_new(struct world *w, uint64_t size, bool shmem_anon);
void file_get(struct file *f);
void file_put(struct world *w, struct file *f);
void i_mmap_insert(struct file *f, struct vma *vma);
void i_mmap_remove(struct file *f, struct vma *vma);
pfn_t file_cache_lookup(const struct file *f, uint64_t pgoff);
/* The cache page at pgoff, reading it in (allocating) when missing. */
int file_cache_get(struct world *w, struct file *f, uint64_t pgoff, pfn_t *pfn);
void file_cache_remove(struct world *w, struct file *f, uint64_t pgoff);
/* migration: the cache slot at pgoff now holds pfn */
void file_cache_replace(struct file *f, uint64_t pgoff, pfn_t pfn);
static inline uint64_t file_pages(const struct file *f) { return (f->size + PAGE_SIZE - 1) >> PAGE_SHIFT; }
int file_truncate(struct world *w, struct file *f, uint64_t size);

/* ---- swap.c: the swap device and its cache ------------------------------ */
int swap_alloc(struct world *w, uint64_t *slot);
void swap_dup(struct world *w, uint64_t slot);
/* One swap PTE of slot is gone; frees the slot (and cache) at zero. */
void swap_put(struct world *w, uint64_t slot);
/* Drop the swap cache's frame; frees the slot too if no PTE refers to it. */
void swap_cache_release(struct world *w, uint64_t slot);
void swap_fini(struct world *w);

/* ---- pte_ops.c: installing and zapping PTEs with rmap and counts -------- */
/* Map pfn at (vma, addr) through *pte with bits; rmap add first. */
int pte_install(struct world *w, struct vma *vma, uint64_t addr,
		uint64_t *pte, pfn_t pfn, uint64_t bits);
/* Clear one PTE (present or swap), drop its counts and rmap. */
void pte_zap(struct world *w, struct vma *vma, uint64_t addr, uint64_t *pte);
/* Zap every PTE of vma in [start, end) and prune empty tables. */
void zap_vma_range(struct world *w, struct vma *vma, uint64_t start, uint64_t end);
/* The PTE bits a new mapping of vma gets (vm_page_prot), without write */
uint64_t vma_pte_bits(const struct vma *vma);

/* ---- fault.c ------------------------------------------------------------ */
int handle_access(struct world *w, struct mm *mm, uint64_t addr, bool write);

/* ---- mmap.c / mprotect.c / madvise.c / mremap.c / fork.c ---------------- */
int do_mmap(struct world *w, struct mm *mm, uint64_t addr, uint64_t len,
	    int prot, struct file *file, uint64_t off, bool shared);
int do_munmap(struct world *w, struct mm *mm, uint64_t addr, uint64_t len);
int do_mprotect(struct world *w, struct mm *mm, uint64_t addr, uint64_t len, int prot);
int do_madvise_dontneed(struct world *w, struct mm *mm, uint64_t addr, uint64_t len);
int do_mremap(struct world *w, struct mm *mm, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, unsigned flags, uint64_t new_addr);
int do_fork(struct world *w, struct mm *parent, uint32_t child_pid);
void do_exit(struct world *w, struct mm *mm);
struct mm *mm_get(const struct world *w, uint32_t pid);

/* ---- rmap_consumers.c: age, pageout, migrate through rmap_walk ---------- */
int page_age(struct world *w, struct mm *mm, uint64_t addr);
int page_pageout(struct world *w, struct mm *mm, uint64_t addr);
int page_migrate(struct world *w, struct mm *mm, uint64_t addr);

#endif /* RMAP_CORE_INTERNAL_H */
