/*
 * mm_types.h - the structures of one simulated machine, as Linux's
 * include/linux/mm_types.h has them, cut down to what reverse mapping needs.
 *
 * Ownership:
 *   world
 *     phys            frames and their struct page, the zero page
 *     mms[pid]        processes: VMAs (sorted array), page tables in frames
 *       vma           -> address_space (i_mmap membership), -> anon_vma
 *                     (+ chain)
 *     files[id]       the trace's named files, as address_spaces; the
 *                     shmem address_space of a shared anonymous mapping is
 *                     owned by its VMAs (refcounted)
 *     swap            slots of the simulated swap device, with swap cache
 *     rmap            the backend (rmap.h); its data hangs off page->rmap
 *                     and world->rmap_priv, nowhere else
 *     arena           the host memory of all of the above (arena.h)
 *
 * Only core/, oracle/ and the unit tests include this; everything else
 * uses world.h.
 */
#ifndef RMAP_CORE_MM_TYPES_H
#define RMAP_CORE_MM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/interleave.h"
#include "core/interval_tree.h"
#include "core/world.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096ULL
#define PAGE_MASK  (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
/* x86-64 4-level: user addresses below 2^47, less one guard page */
#define TASK_SIZE  ((1ULL << 47) - PAGE_SIZE)
/* top of the area where mremap(MAYMOVE) without a fixed address lands */
#define MMAP_BASE  0x7f0000000000ULL
/* the largest file tmpfs holds (MAX_LFS_FILESIZE on 64-bit) */
#define MAX_LFS_FILESIZE 0x7fffffffffffffffULL
/*
 * Stack growth (expand_downwards): the gap kept below a growing stack
 * (stack_guard_gap, 256 pages by default), the stack's size limit
 * (RLIMIT_STACK, 8 MiB: the kernel runner sets it so in its workers) and
 * the lowest address a mapping may have (mmap_min_addr: x86's
 * DEFAULT_MMAP_MIN_ADDR; hosts differ, and no kernel-run trace comes near).
 */
#define STACK_GUARD_GAP (256ULL << PAGE_SHIFT)
#define RLIMIT_STACK_BYTES (8ULL << 20)
#define MMAP_MIN_ADDR 65536ULL

typedef uint64_t pfn_t;

enum page_kind {
	PAGE_FREE = 0,
	PAGE_ZERO,      /* the shared zero page */
	PAGE_ANON,      /* anonymous: mapping is a struct anon_vma (or NULL) */
	PAGE_FILE,      /* page cache: mapping is a struct address_space */
	PAGE_PGTABLE,   /* a page-table page: table[] holds 512 entries */
};

/* page.flags */
#define PG_SWAPCACHE      0x01  /* in the swap cache under page.swap */
#define PG_ANON_EXCLUSIVE 0x02  /* PageAnonExclusive: one mapper, may reuse */
#define PG_PARTIALLY_MAPPED 0x04 /* head of a large anon folio: on the
				  * deferred split queue (partially mapped) */
/*
 * folio_test_ksm (issue 20): a KSM page, merged by ksm-scan (core/ksm.c);
 * its mapping is a struct ksm_stable_node, not an anon_vma (Linux tags the
 * pointer with PAGE_MAPPING_KSM), and its index says nothing about where
 * it is mapped: each rmap_item of the stable node names (mm, address).
 */
#define PG_KSM            0x80

struct mm;

struct page {
	uint8_t  kind;        /* enum page_kind */
	uint8_t  flags;       /* PG_* */
	uint8_t  pt_level;    /* PAGE_PGTABLE: 4 PGD, 3 PUD, 2 PMD, 1 PTE */
	int32_t  mapcount;    /* present PTEs that map this frame */
	int32_t  refcount;    /* mapcount + page cache + swap cache holds */
	void    *mapping;     /* anon: struct anon_vma *; file: address_space * */
	uint64_t index;       /* page offset: in the file, or the anon linear one */
	uint64_t swap;        /* PG_SWAPCACHE: the slot */
	void    *rmap;        /* backend-private per frame (PTE chain head) */
	struct mm *pt_mm;     /* PAGE_PGTABLE: the owner ... */
	uint64_t pt_va;       /* ... and the first address the table covers */
	uint64_t *table;      /* PAGE_PGTABLE: the 512 entries */
	/*
	 * Large folios (issue 19, core/folio.h): every page of one knows its
	 * folio's order and its own index in it (head = pfn - folio_idx);
	 * the rest is the head's, as Linux keeps it in the folio's first
	 * tail pages: _large_mapcount, the two MM ids with their mapcounts
	 * and the "maybe mapped shared" bit (CONFIG_MM_ID, 6.15+).  Linux's
	 * one folio refcount is the sum of the pages' refcounts here; the
	 * folio is freed when that sum reaches 0.
	 */
	uint8_t  folio_order; /* 0: a small folio, the page alone */
	uint32_t folio_idx;
	int32_t  large_mapcount;  /* PTE mappings + PMD mappings */
	int32_t  entire_mapcount; /* PMD mappings (each holds a head ref) */
	uint32_t mm_id[2];    /* MM_ID_DUMMY (0) or pid + 1 */
	int32_t  mm_id_mapcount[2];
	bool     mm_ids_shared;
	/*
	 * What the page holds, as far as KSM can tell pages apart (issue 20):
	 * 0-255 for a page whose every byte is that value (a fresh page is 0,
	 * "fill" stores one), above 255 a value no other page has (each
	 * "write" makes one, so nothing merges by accident).  Copied by COW,
	 * migration and swap; nothing but core/ksm.c decides by it.
	 */
	uint64_t content;
};

struct phys {
	struct page *pages;   /* [0, nframes); frame 0 is never handed out */
	uint64_t nframes;     /* frames that exist (the array's length) */
	uint64_t limit;       /* at most this many frames in use */
	uint64_t used;        /* frames in use, the zero page included */
	pfn_t   *free;        /* stack of freed frames, reused last-in first */
	uint64_t nfree;
	uint32_t cap_free;
	pfn_t    zero_pfn;
};

/* vma.flags (Linux's VM_* values) */
#define VM_READ      0x00000001
#define VM_WRITE     0x00000002
#define VM_SHARED    0x00000008
#define VM_MAYREAD   0x00000010
#define VM_MAYWRITE  0x00000020
#define VM_MAYSHARE  0x00000080
#define VM_GROWSDOWN 0x00000100  /* MAP_GROWSDOWN: faults below it grow it */
#define VM_UFFD_MISSING 0x00000200 /* registered with a userfaultfd (uffd-move) */
#define VM_DONTCOPY  0x00020000  /* MADV_DONTFORK: fork skips the VMA */
#define VM_ACCOUNT   0x00100000
#define VM_WIPEONFORK 0x02000000 /* MADV_WIPEONFORK: the child's copy is empty */
#define VM_HUGEPAGE  0x20000000  /* MADV_HUGEPAGE: large folios allowed */
#define VM_NOHUGEPAGE 0x40000000 /* MADV_NOHUGEPAGE */
#define VM_MERGEABLE 0x80000000  /* MADV_MERGEABLE: ksm-scan may merge here */

struct address_space;
struct anon_vma;
struct anon_vma_chain;
struct ksm_rmap_item;
struct ksm_stable_node;

struct vma {
	struct mm *mm;
	uint64_t start, end;          /* [start, end), page aligned */
	uint64_t pgoff;               /* page offset of start (file or anon) */
	uint32_t flags;               /* VM_* */
	/* vm_file->f_mapping: page cache and i_mmap; NULL for private anon */
	struct address_space *mapping;
	/*
	 * Stands for the open file, Linux's vma->vm_file (a struct file), which
	 * the simulator does not model: a number, new for each mmap of a file,
	 * kept by split, fork and mremap.  VMAs merge only when it is the same
	 * (is_mergeable_vma compares vm_file).  0 for anonymous memory.
	 */
	uint64_t open_file_id;
	struct anon_vma *anon_vma;    /* set by anon_vma_prepare, fork, clone */
	struct anon_vma_chain **avc;  /* vma->anon_vma_chain: every anon_vma */
	uint32_t navc, cap_avc;       /*   this VMA's pages may point at */
	struct itree_node shared;     /* in mapping->i_mmap */
	uint64_t serial;              /* creation order: deterministic walks */
	/*
	 * The last structural change an mm operation made to this VMA (enum
	 * vma_event) and the world's op_seq when it made it.  Nothing in core
	 * decides by it: it lets a finding name the VMA-level cause (a merge,
	 * a split, mremap's copy) that several system calls share, instead of
	 * the call (oracle/differ.c).
	 */
	uint8_t event;
	uint64_t event_op;
};

/* vma->event: changes that several system calls make through one path */
enum vma_event {
	VMA_EV_NONE = 0,   /* made by its own op (mmap, fork), or untouched */
	VMA_EV_SPLIT,      /* __split_vma: one of the two halves */
	VMA_EV_MERGE,      /* vma_merge_new_range / vma_merge_existing_range /
	                    * vma_merge_extend: took a neighbour or a range in */
	VMA_EV_COPY,       /* copy_vma: mremap's new VMA, not merged */
	VMA_EV_GROW,       /* expand_downwards: a stack grown by a fault (read,
	                    * write, fill, ...) */
	VMA_EV_CLONE_FAILED, /* anon_vma_clone ran out of memory (split, copy,
	                      * fork): world->vma_event only, and it stays */
};

struct mm {
	uint32_t pid;
	bool alive;
	pfn_t pgd;                    /* root page table (0 until first use) */
	struct vma **vmas;            /* sorted by start, non-overlapping */
	uint32_t nvmas, cap_vmas;
	/*
	 * KSM (core/ksm.c): the mm's place in ksmd's list of mm_slots (0: not
	 * entered; __ksm_enter at its first MADV_MERGEABLE or ksm_fork gives
	 * it the world's next serial, the order ksmd scans them in) and its
	 * rmap_list, the rmap_items of the addresses scanned, by address.
	 */
	uint64_t ksm_slot;
	struct ksm_rmap_item *ksm_rmap_list;
};

/*
 * anon_vma / anon_vma_chain as Linux has them since 2.6.34 (mm/rmap.c).
 * An anon_vma is the set of VMAs that may map a set of anonymous pages:
 * every AVC in its interval tree links one such VMA.  They live in core (not in a
 * backend) because VMA merging, fork and mremap decide by them.
 */
struct anon_vma {
	struct anon_vma *root;        /* all of a fork tree share one root */
	struct anon_vma *parent;      /* the anon_vma this one was forked from */
	int32_t refcount;             /* self (while linked) + children + pages? */
	int32_t num_children;         /* anon_vmas with this one as parent */
	int32_t num_active_vmas;      /* VMAs with vma->anon_vma == this */
	struct itree rb_root;         /* AVCs of the VMAs linked, by pgoff range */
	uint64_t serial;
	struct anon_vma *next_all;    /* world's list of live anon_vmas */
};

struct anon_vma_chain {
	struct vma *vma;
	struct anon_vma *anon_vma;
	struct itree_node rb;         /* in anon_vma->rb_root */
};

struct cache_ent {
	uint64_t pgoff;
	pfn_t pfn;
};

/*
 * Linux's address_space (with the inode's size): the page cache and i_mmap
 * of one file, a named file of the trace or the shmem file behind one
 * shared anonymous mapping.
 */
struct address_space {
	uint32_t id;                  /* named files: index in world->files */
	bool shmem_anon;              /* backs one shared anonymous mapping */
	int32_t refcount;             /* VMAs (+1 while named) */
	uint64_t size;                /* bytes (the inode's i_size) */
	struct cache_ent *cache;      /* page cache, sorted by pgoff (sparse: */
	uint32_t ncache, cap_cache;   /*   offsets reach 2^51, as in the xarray) */
	struct itree i_mmap;          /* VMAs mapping it, by pgoff range */
};

struct swap_slot {
	int32_t count;                /* swap PTEs referring to it; 0 = free */
	pfn_t cache;                  /* frame in the swap cache, 0 if none */
	uint64_t index;               /* page->index to restore on swap-in */
	uint64_t content;             /* page->content, written out with it */
};

struct swap {
	struct swap_slot *slots;      /* slot 0 is never used */
	uint64_t nslots;
	uint64_t *free;
	uint64_t nfree, cap_free;
};

struct rmap_ops;

struct world {
	struct arena arena;           /* the memory of everything below */
	struct phys phys;
	struct mm **mms;              /* by pid; slots stay after exit */
	uint32_t nmms;
	struct address_space **files; /* the trace's named files by id (NULL
	                               * until created) */
	uint32_t nfiles;
	struct swap swap;
	struct anon_vma *anon_vmas;   /* every live anon_vma */
	uint64_t serial;              /* source of vma/anon_vma serials */
	uint64_t op_seq;              /* world_apply's count of ops: vma->event_op */
	/* the last VMA change tried (vma->event's kinds), done or failed */
	uint8_t vma_event;
	uint64_t vma_event_op;
	/* fault injection: allocation number fail_at fails (0: never) */
	uint64_t alloc_count, fail_at;
	bool fail_fired;
	bool fail_fallback;           /* it fired where the op falls back */
	/*
	 * the last op took a path the model knows it does not model (its
	 * result is the model's stand-in, e.g. EINVAL for collapse_file):
	 * why, for the kernel comparison, which stops there instead of
	 * calling it a difference; NULL otherwise
	 */
	const char *unmodelled;
	/* tmpfs THPs collapse_file made in this op (khugepaged_file.h) */
	uint32_t file_thps;
	/*
	 * > 0 while core does what Linux does without allocating: splitting
	 * a PMD into the page table deposited with the THP
	 * (pgtable_trans_huge_withdraw); no injected failure fires then
	 */
	uint32_t nofail;
	/* a trace's fail-nth, by site: site_count[s] == site_fail_at[s] fails */
	uint64_t site_count[ALLOC_NSITES], site_fail_at[ALLOC_NSITES];
	const struct rmap_ops *rmap;
	void *rmap_priv;
	bool no_zero_page;            /* world_config.no_zero_page */
	/*
	 * issue 19: the anonymous folio orders a fault in a hugepage VMA may
	 * allocate (bit N: order N; the trace's thp-sizes, else
	 * THP_ORDERS_DEFAULT), as hugepages-<size>kB/enabled = madvise sets
	 */
	uint32_t thp_orders;
	pte_observer_fn pte_observer; /* world_set_pte_observer: every set_pte */
	void *pte_observer_arg;
	rmap_observer_fn rmap_observer; /* world_set_rmap_observer */
	void *rmap_observer_arg;
	/* KSM (core/ksm.c): every stable node (one per merged content) and
	 * the source of the contents "write" makes unique */
	struct ksm_stable_node *ksm_stable;
	uint64_t content_seq;
	uint64_t ksm_slot_seq;        /* the last mm->ksm_slot given */
	struct walk_stats stats;      /* what rmap walks cost (world.h) */
	struct interleave ilv;        /* the op's interleaving (interleave.h) */
	interleave_observer_fn ilv_observer; /* world_set_interleave_observer */
	void *ilv_observer_arg;
};

static inline struct page *pfn_page(const struct world *w, pfn_t pfn)
{
	return &w->phys.pages[pfn];
}

/* The live process pid, or NULL (no such slot, or it exited). */
static inline struct mm *mm_get(const struct world *w, uint32_t pid)
{
	if (pid >= w->nmms || !w->mms[pid] || !w->mms[pid]->alive)
		return NULL;
	return w->mms[pid];
}

/* ---- one VMA's geometry and kind (Linux's include/linux/mm.h) ---------- */

static inline uint64_t vma_pages(const struct vma *v) { return (v->end - v->start) >> PAGE_SHIFT; }
static inline uint64_t vma_last_pgoff(const struct vma *v) { return v->pgoff + vma_pages(v) - 1; }
/* the page offset addr has in v's object (linear_page_index) */
static inline uint64_t linear_page_index(const struct vma *v, uint64_t addr)
{
	return v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
}
static inline bool vma_is_anonymous(const struct vma *v) { return v->mapping == NULL; }
static inline bool is_cow_mapping(uint32_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

#endif /* RMAP_CORE_MM_TYPES_H */
