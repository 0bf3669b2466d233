/*
 * anon_vma_rules.c - the rules of anon_vma_rules.h.  One pass over the
 * VMAs of every live process checks each chain and counts what the
 * anon_vmas and files should say about themselves; a pass over the live
 * anon_vmas and one over the files compare.  A pointer met on the way is
 * looked up among the live anon_vmas before it is read, so a dangling one
 * is reported, not followed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/anon_vma.h"
#include "core/interval_tree.h"
#include "core/mm_types.h"
#include "oracle/anon_vma_rules.h"
#include "oracle/invariant_fail.h"

/* what the VMAs and the other anon_vmas say about one live anon_vma */
struct av_tally {
	const struct anon_vma *av;
	uint32_t active;     /* VMAs whose anon_vma it is */
	uint32_t avcs;       /* AVCs naming it */
	uint32_t children;   /* live anon_vmas whose parent it is */
	uint32_t rooted;     /* other live anon_vmas whose root it is */
	const struct vma *first;   /* the first VMA met whose anon_vma it is */
};

/* the same for the address_space of a file VMA */
struct file_tally {
	const struct address_space *mapping;
	uint32_t vmas;
};

/* the usual worlds' tallies fit here: no malloc per check */
#define LOCAL_AV   40
#define LOCAL_FILE 8

struct tallies {
	struct av_tally *av;           /* sorted by address, for lookups */
	uint32_t nav;
	struct file_tally *file;       /* in order of first VMA */
	uint32_t nfile, cap_file;
	struct av_tally av_local[LOCAL_AV];
	struct file_tally file_local[LOCAL_FILE];
};

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const void *const *)a;
	uintptr_t y = (uintptr_t)*(const void *const *)b;

	return x < y ? -1 : x > y;
}

/* the tally of a live anon_vma, NULL when AV is not one (freed, garbage) */
static struct av_tally *av_find(const struct tallies *t, const struct anon_vma *av)
{
	struct av_tally key = { av, 0, 0, 0, 0, NULL };

	return bsearch(&key, t->av, t->nav, sizeof(key), by_address);
}

static void tally_anon_vmas(const struct world *w, struct tallies *t)
{
	uint32_t n = 0;

	for (const struct anon_vma *av = w->anon_vmas; av; av = av->next_all)
		n++;
	t->av = n <= LOCAL_AV ? t->av_local : xcalloc(n, sizeof(*t->av));
	memset(t->av, 0, (n ? n : 1) * sizeof(*t->av));
	for (const struct anon_vma *av = w->anon_vmas; av; av = av->next_all)
		t->av[t->nav++].av = av;
	qsort(t->av, t->nav, sizeof(*t->av), by_address);
}

static void tally_file(struct tallies *t, const struct address_space *mapping)
{
	for (uint32_t i = 0; i < t->nfile; i++)
		if (t->file[i].mapping == mapping) {
			t->file[i].vmas++;
			return;
		}
	if (t->nfile == t->cap_file) {   /* full: on the heap, twice as big */
		struct file_tally *more = xcalloc(2 * t->cap_file, sizeof(*more));

		memcpy(more, t->file, t->nfile * sizeof(*more));
		if (t->file != t->file_local)
			free(t->file);
		t->file = more;
		t->cap_file *= 2;
	}
	t->file[t->nfile++] = (struct file_tally){ mapping, 1 };
}

struct node_search {
	const struct itree_node *node;
	bool found;
};

static bool is_node(struct itree_node *n, void *arg)
{
	struct node_search *ns = arg;

	ns->found |= n == ns->node;
	return !ns->found;
}

/* node in tree, keyed by vma's current page-offset range? */
static int check_key(const struct itree *tree, const struct itree_node *node,
		     const struct vma *vma, const char *what,
		     char *msg, size_t len)
{
	struct node_search ns = { node, false };

	if (node->start != vma->pgoff || node->last != vma_last_pgoff(vma))
		return invariant_fail(msg, len, "itree-key",
			"p%u [0x%llx,0x%llx): its %s node is keyed [%llu,%llu], "
			"the VMA covers page offsets [%llu,%llu]", vma->mm->pid,
			(unsigned long long)vma->start, (unsigned long long)vma->end,
			what, (unsigned long long)node->start,
			(unsigned long long)node->last, (unsigned long long)vma->pgoff,
			(unsigned long long)vma_last_pgoff(vma));
	itree_query(tree, node->start, node->last, is_node, &ns);
	if (!ns.found)
		return invariant_fail(msg, len, "itree-key",
			"p%u [0x%llx,0x%llx): its %s node is not in the tree",
			vma->mm->pid, (unsigned long long)vma->start,
			(unsigned long long)vma->end, what);
	return 0;
}

static int chain_fail(const struct vma *vma, char *msg, size_t len,
		      const char *what, unsigned long long serial)
{
	return invariant_fail(msg, len, "anon_vma-chain",
		"p%u [0x%llx,0x%llx): %s (anon_vma %llu)", vma->mm->pid,
		(unsigned long long)vma->start, (unsigned long long)vma->end,
		what, serial);
}

/* the index of av in vma's chain, or navc */
static uint32_t chain_pos(const struct vma *vma, const struct anon_vma *av)
{
	uint32_t i = 0;

	while (i < vma->navc && vma->avc[i]->anon_vma != av)
		i++;
	return i;
}

/* one AVC (the I-th of vma's chain), whose anon_vma ROOT is shared */
static int check_avc(struct tallies *t, const struct vma *vma, uint32_t i,
		     const struct anon_vma *root, char *msg, size_t len)
{
	const struct anon_vma_chain *avc = vma->avc[i];
	struct av_tally *at = av_find(t, avc->anon_vma);
	const struct anon_vma *av = avc->anon_vma;

	if (!at)
		return chain_fail(vma, msg, len, "an AVC names a freed anon_vma", 0);
	at->avcs++;
	if (avc->vma != vma)
		return chain_fail(vma, msg, len, "an AVC of its chain names "
				  "another VMA", av->serial);
	if (av->root != root)
		return chain_fail(vma, msg, len, "an AVC's anon_vma has another "
				  "root than the VMA's anon_vma", av->serial);
	if (chain_pos(vma, av) != i)
		return chain_fail(vma, msg, len, "the chain links an anon_vma "
				  "twice", av->serial);
	if (av->parent != av && (chain_pos(vma, av->parent) <= i ||
				 chain_pos(vma, av->parent) == vma->navc))
		return chain_fail(vma, msg, len, "the chain lacks an anon_vma's "
				  "parent after it (newest to oldest)", av->serial);
	return check_key(&av->rb_root, &avc->rb, vma, "anon_vma_chain", msg, len);
}

/*
 * Do A and B link the same anon_vmas?  VMAs that share their anon_vma got
 * it by a split, a copy or a merge, each of which clones the whole chain
 * (anon_vma_clone, dup_anon_vma), or by anon_vma_prepare reusing a
 * neighbour's whose chain is that anon_vma alone (reusable_anon_vma,
 * d0e9fe1758f2); fork reuses only an anon_vma no VMA has as its own
 * (num_active_vmas == 0, 2555283eb40d).  So their chains hold the same set.
 */
static bool same_chain(const struct vma *a, const struct vma *b)
{
	if (a->navc != b->navc)
		return false;
	for (uint32_t i = 0; i < b->navc; i++)
		if (!vma_links_anon_vma(a, b->avc[i]->anon_vma))
			return false;
	return true;
}

static int check_vma(struct tallies *t, const struct vma *vma,
		     char *msg, size_t len)
{
	struct av_tally *own;

	if (vma->mapping) {
		tally_file(t, vma->mapping);
		if (check_key(&vma->mapping->i_mmap, &vma->shared, vma, "i_mmap",
			      msg, len))
			return -1;
	}
	if (!vma->anon_vma && vma->navc)
		return invariant_fail(msg, len, "anon_vma-chain",
			"p%u [0x%llx,0x%llx): no anon_vma but a chain of %u AVCs",
			vma->mm->pid, (unsigned long long)vma->start,
			(unsigned long long)vma->end, vma->navc);
	if (!vma->anon_vma)
		return 0;
	own = av_find(t, vma->anon_vma);
	if (!own)
		return chain_fail(vma, msg, len, "its anon_vma is freed", 0);
	own->active++;
	if (!own->first)
		own->first = vma;
	else if (!same_chain(own->first, vma))
		return chain_fail(vma, msg, len, "shares its anon_vma with a VMA "
				  "whose chain links other anon_vmas",
				  vma->anon_vma->serial);
	if (chain_pos(vma, vma->anon_vma) == vma->navc)
		return chain_fail(vma, msg, len, "its anon_vma is not in its chain",
				  vma->anon_vma->serial);
	if (!av_find(t, vma->anon_vma->root))
		return chain_fail(vma, msg, len, "its anon_vma's root is freed",
				  vma->anon_vma->serial);
	for (uint32_t i = 0; i < vma->navc; i++)
		if (check_avc(t, vma, i, vma->anon_vma->root, msg, len))
			return -1;
	return 0;
}

static int count_fail(const struct anon_vma *av, char *msg, size_t len,
		      const char *field, long long has, long long want)
{
	return invariant_fail(msg, len, "anon_vma-count",
		"anon_vma %llu: %s is %lld, %lld expected",
		(unsigned long long)av->serial, field, has, want);
}

/*
 * parent and root live and in one tree; what each anon_vma counts.  In
 * the world's list order, as every report here, not by host address.
 */
static int tally_family(const struct world *w, struct tallies *t,
			char *msg, size_t len)
{
	for (const struct anon_vma *av = w->anon_vmas; av; av = av->next_all) {
		struct av_tally *parent = av_find(t, av->parent);
		struct av_tally *root = av_find(t, av->root);

		if (!parent || !root)
			return invariant_fail(msg, len, "anon_vma-count",
				"anon_vma %llu: its %s is freed",
				(unsigned long long)av->serial, parent ? "root" : "parent");
		if (av->root->root != av->root || av->root->parent != av->root ||
		    av->parent->root != av->root)
			return invariant_fail(msg, len, "anon_vma-count",
				"anon_vma %llu: root %llu, parent %llu (root %llu): not "
				"one tree", (unsigned long long)av->serial,
				(unsigned long long)av->root->serial,
				(unsigned long long)av->parent->serial,
				(unsigned long long)av->parent->root->serial);
		parent->children++;
		if (av->root != av)
			root->rooted++;
	}
	return 0;
}

/* each live anon_vma, in the world's list order: its counters */
static int check_counts(const struct world *w, struct tallies *t,
			char *msg, size_t len)
{
	if (tally_family(w, t, msg, len))
		return -1;
	for (const struct anon_vma *av = w->anon_vmas; av; av = av->next_all) {
		const struct av_tally *at = av_find(t, av);

		if (at->avcs == 0)
			return invariant_fail(msg, len, "anon_vma-count",
				"anon_vma %llu is alive but no VMA links it "
				"(unlink_anon_vmas frees it)",
				(unsigned long long)av->serial);
		if ((uint32_t)av->rb_root.count != at->avcs)
			return count_fail(av, msg, len, "its tree's AVC count",
					  av->rb_root.count, at->avcs);
		if (av->num_active_vmas != (int32_t)at->active)
			return count_fail(av, msg, len, "num_active_vmas",
					  av->num_active_vmas, at->active);
		if (av->num_children != (int32_t)at->children)
			return count_fail(av, msg, len, "num_children",
					  av->num_children, at->children);
		if (av->refcount != 1 + (int32_t)at->rooted)
			return count_fail(av, msg, len, "refcount", av->refcount,
					  1 + (long long)at->rooted);
	}
	return 0;
}

static int imap_fail(const struct address_space *m, uint32_t vmas,
		     char *msg, size_t len)
{
	return invariant_fail(msg, len, "itree-key",
		"%s %u: i_mmap holds %u VMAs, %u map it",
		m->shmem_anon ? "shmem file" : "file", m->id, m->i_mmap.count, vmas);
}

/* each file's i_mmap holds exactly the VMAs that map it */
static int check_files(const struct world *w, const struct tallies *t,
		       char *msg, size_t len)
{
	for (uint32_t i = 0; i < t->nfile; i++)
		if (t->file[i].mapping->i_mmap.count != t->file[i].vmas)
			return imap_fail(t->file[i].mapping, t->file[i].vmas, msg, len);
	for (uint32_t f = 0; f < w->nfiles; f++) {
		const struct address_space *m = w->files[f];
		bool mapped = false;

		for (uint32_t i = 0; m && i < t->nfile; i++)
			mapped |= t->file[i].mapping == m;
		if (m && !mapped && m->i_mmap.count)
			return imap_fail(m, 0, msg, len);
	}
	return 0;
}

int anon_vma_rules_check(const struct world *w, char *msg, size_t len)
{
	struct tallies t;
	int err = 0;

	t.nav = t.nfile = 0;
	t.file = t.file_local;
	t.cap_file = LOCAL_FILE;
	tally_anon_vmas(w, &t);
	for (uint32_t pid = 0; pid < w->nmms && !err; pid++) {
		const struct mm *mm = mm_get(w, pid);

		for (uint32_t i = 0; mm && i < mm->nvmas && !err; i++)
			err = check_vma(&t, mm->vmas[i], msg, len);
	}
	if (!err)
		err = check_counts(w, &t, msg, len);
	if (!err)
		err = check_files(w, &t, msg, len);
	if (t.av != t.av_local)
		free(t.av);
	if (t.file != t.file_local)
		free(t.file);
	return err;
}
