/*
 * interval_tree.c - see interval_tree.h.  Rotations keep subtree_last
 * exact; insert and remove are recursive (trees are small and shallow).
 */
#include <stddef.h>

#include "core/interval_tree.h"

static uint64_t prio(uint64_t id)
{
	uint64_t x = id * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static bool less(const struct itree_node *a, const struct itree_node *b)
{
	return a->start != b->start ? a->start < b->start : a->id < b->id;
}

static void update(struct itree_node *n)
{
	uint64_t m = n->last;

	if (n->left && n->left->subtree_last > m)
		m = n->left->subtree_last;
	if (n->right && n->right->subtree_last > m)
		m = n->right->subtree_last;
	n->subtree_last = m;
}

static struct itree_node *rot_right(struct itree_node *n)
{
	struct itree_node *l = n->left;

	n->left = l->right;
	l->right = n;
	update(n);
	update(l);
	return l;
}

static struct itree_node *rot_left(struct itree_node *n)
{
	struct itree_node *r = n->right;

	n->right = r->left;
	r->left = n;
	update(n);
	update(r);
	return r;
}

static struct itree_node *insert(struct itree_node *root, struct itree_node *n)
{
	if (!root)
		return n;
	if (less(n, root)) {
		root->left = insert(root->left, n);
		if (prio(root->left->id) > prio(root->id))
			return rot_right(root);
	} else {
		root->right = insert(root->right, n);
		if (prio(root->right->id) > prio(root->id))
			return rot_left(root);
	}
	update(root);
	return root;
}

void itree_insert(struct itree *t, struct itree_node *n, uint64_t start,
		  uint64_t last, uint64_t id)
{
	n->left = n->right = NULL;
	n->start = start;
	n->last = last;
	n->id = id;
	n->subtree_last = last;
	t->root = insert(t->root, n);
	t->count++;
}

/* merge two treaps where every key of a < every key of b */
static struct itree_node *join(struct itree_node *a, struct itree_node *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (prio(a->id) > prio(b->id)) {
		a->right = join(a->right, b);
		update(a);
		return a;
	}
	b->left = join(a, b->left);
	update(b);
	return b;
}

static struct itree_node *remove_node(struct itree_node *root,
				      struct itree_node *n, bool *found)
{
	if (!root)
		return NULL;
	if (root == n) {
		*found = true;
		return join(root->left, root->right);
	}
	if (less(n, root))
		root->left = remove_node(root->left, n, found);
	else
		root->right = remove_node(root->right, n, found);
	update(root);
	return root;
}

bool itree_remove(struct itree *t, struct itree_node *n)
{
	bool found = false;

	t->root = remove_node(t->root, n, &found);
	if (found)
		t->count--;
	n->left = n->right = NULL;
	return found;
}

static bool query(const struct itree_node *n, uint64_t start, uint64_t last,
		  itree_fn fn, void *arg)
{
	if (!n || n->subtree_last < start)
		return true;
	if (!query(n->left, start, last, fn, arg))
		return false;
	if (n->start > last)
		return true;      /* everything to the right starts later still */
	if (n->last >= start && !fn((struct itree_node *)n, arg))
		return false;
	return query(n->right, start, last, fn, arg);
}

bool itree_query(const struct itree *t, uint64_t start, uint64_t last,
		 itree_fn fn, void *arg)
{
	return query(t->root, start, last, fn, arg);
}

static int check(const struct itree_node *n, const struct itree_node *lo,
		 const struct itree_node *hi, uint32_t *count)
{
	uint64_t m;

	if (!n)
		return 0;
	(*count)++;
	if ((lo && !less(lo, n)) || (hi && !less(n, hi)) || n->last < n->start)
		return -1;
	if ((n->left && prio(n->left->id) > prio(n->id)) ||
	    (n->right && prio(n->right->id) > prio(n->id)))
		return -1;
	m = n->last;
	if (n->left && n->left->subtree_last > m)
		m = n->left->subtree_last;
	if (n->right && n->right->subtree_last > m)
		m = n->right->subtree_last;
	if (m != n->subtree_last)
		return -1;
	return check(n->left, lo, n, count) || check(n->right, n, hi, count) ? -1 : 0;
}

int itree_check(const struct itree *t)
{
	uint32_t count = 0;

	if (check(t->root, NULL, NULL, &count))
		return -1;
	return count == t->count ? 0 : -1;
}
