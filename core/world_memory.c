/*
 * world_memory.c - the host-memory census of world_memory.h: one pass over
 * the frames, the processes' VMAs and the anon_vma list.
 */
#include <string.h>

#include "core/address_space.h"
#include "core/anon_vma.h"
#include "core/mm_types.h"
#include "core/pgtable.h"
#include "core/phys.h"
#include "core/rmap_ptechain.h"
#include "core/world_memory.h"

/* phys.c grows the page array by doubling from 64 entries */
static uint64_t page_array_capacity(uint64_t nframes)
{
	uint64_t cap = 64;

	while (cap < nframes)
		cap *= 2;
	return cap;
}

static void count_frames(const struct world *w, struct world_memory *m)
{
	const struct phys *ph = &w->phys;

	m->frames = ph->used;
	m->page_bytes = page_array_capacity(ph->nframes) * sizeof(struct page) +
			ph->cap_free * sizeof(pfn_t);
	for (pfn_t pfn = 1; pfn < ph->nframes; pfn++) {
		const struct page *page = pfn_page(w, pfn);

		if (page->kind == PAGE_PGTABLE)
			m->pgtables++;
		else if (page->mapcount > 0)
			m->mapped_ptes += (uint64_t)page->mapcount;
	}
	m->pgtable_bytes = m->pgtables * PT_ALLOC;
}

static void count_vma(const struct vma *v, struct world_memory *m)
{
	m->vmas++;
	m->vma_bytes += sizeof(*v);
	m->avcs += v->navc;
	m->avc_bytes += v->navc * sizeof(struct anon_vma_chain) +
			v->cap_avc * sizeof(void *);
	if (v->anon_vma)
		m->anon_vma_vmas++;
	if (!v->mapping)
		return;
	m->file_vmas++;
	m->i_mmap_node_bytes += sizeof(v->shared);
	/* a shmem file has no name: its tree's root VMA counts its cache */
	if (v->mapping->shmem_anon && v->mapping->i_mmap.root == &v->shared)
		m->cache_bytes += v->mapping->cap_cache * sizeof(struct cache_ent);
}

static void count_processes(const struct world *w, struct world_memory *m)
{
	m->vma_bytes += w->nmms * sizeof(void *);
	for (uint32_t pid = 0; pid < w->nmms; pid++) {
		const struct mm *mm = mm_get(w, pid);

		if (!mm)
			continue;
		m->vma_bytes += sizeof(*mm) + mm->cap_vmas * sizeof(void *);
		for (uint32_t i = 0; i < mm->nvmas; i++)
			count_vma(mm->vmas[i], m);
	}
	for (uint32_t i = 0; i < w->nfiles; i++)
		if (w->files[i])
			m->cache_bytes += w->files[i]->cap_cache * sizeof(struct cache_ent);
}

void world_memory(const struct world *w, struct world_memory *out)
{
	struct ptechain_stats ps;

	memset(out, 0, sizeof(*out));
	count_frames(w, out);
	count_processes(w, out);
	for (const struct anon_vma *av = w->anon_vmas; av; av = av->next_all) {
		out->anon_vmas++;
		out->root_anon_vmas += av->root == av;
	}
	out->anon_vma_bytes = out->anon_vmas * sizeof(struct anon_vma);
	rmap_ptechain_stats(w, &ps);
	out->chain_bytes = ps.bytes;
	out->chain_peak_bytes = ps.peak_bytes;
	out->total_bytes = out->page_bytes + out->pgtable_bytes +
			   out->vma_bytes + out->cache_bytes +
			   out->anon_vma_bytes + out->avc_bytes + out->chain_bytes;
}
