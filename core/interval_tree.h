/*
 * interval_tree.h - an augmented balanced tree of closed intervals
 * [start, last], as Linux keeps the VMAs of a file (i_mmap) and of an
 * anon_vma (rb_root of anon_vma_chains), keyed by page offset.
 *
 * A treap ordered by (start, id) whose priorities are a hash of id, each
 * node carrying the largest `last` of its subtree, so a stabbing query
 * visits O(log n + hits) nodes.  Deterministic: no randomness, no address
 * comparisons.  Nodes are embedded in their owners; the tree allocates
 * nothing.
 */
#ifndef RMAP_CORE_INTERVAL_TREE_H
#define RMAP_CORE_INTERVAL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct itree_node {
	struct itree_node *left, *right;
	uint64_t start, last;     /* the interval, inclusive */
	uint64_t id;              /* unique within the tree: orders equal starts */
	uint64_t subtree_last;    /* max last below and including this node */
};

struct itree {
	struct itree_node *root;
	uint32_t count;
};

void itree_insert(struct itree *t, struct itree_node *n, uint64_t start,
		  uint64_t last, uint64_t id);
/* Remove n; false (and nothing changed) if n is not in t. */
bool itree_remove(struct itree *t, struct itree_node *n);
/* Call fn(node, arg) for each node intersecting [start, last], in order of
 * (start, id); fn returns false to stop.  Returns false if stopped. */
typedef bool (*itree_fn)(struct itree_node *n, void *arg);
bool itree_query(const struct itree *t, uint64_t start, uint64_t last,
		 itree_fn fn, void *arg);
/* Self-check of ordering and augmentation (tests, oracle): 0 if sound. */
int itree_check(const struct itree *t);

#define itree_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* RMAP_CORE_INTERVAL_TREE_H */
