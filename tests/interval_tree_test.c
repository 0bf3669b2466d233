/*
 * interval_tree_test.c - the augmented treap behind i_mmap and the anon_vma
 * trees (core/interval_tree.h) against a brute-force list: random inserts,
 * removals and stabbing / range queries agree, results come in (start, id)
 * order, the tree stays well formed, and removing a node twice is refused.
 */
#include <stdlib.h>

#include "core/interval_tree.h"
#include "tests/test_util.h"

#define N 400

struct item {
	struct itree_node node;
	bool in;
};

static struct item items[N];
static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

struct collect {
	uint64_t ids[N];
	unsigned n;
	bool sorted;
	uint64_t last_start, last_id;
};

static bool collect_one(struct itree_node *n, void *arg)
{
	struct collect *c = arg;

	if (c->n && (n->start < c->last_start ||
		     (n->start == c->last_start && n->id < c->last_id)))
		c->sorted = false;
	c->last_start = n->start;
	c->last_id = n->id;
	c->ids[c->n++] = n->id;
	return true;
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the query's ids equal the brute-force ones */
static bool query_matches(struct itree *t, uint64_t lo, uint64_t hi)
{
	struct collect c = { .sorted = true };
	uint64_t want[N];
	unsigned nw = 0;

	itree_query(t, lo, hi, collect_one, &c);
	for (unsigned i = 0; i < N; i++)
		if (items[i].in && items[i].node.start <= hi && items[i].node.last >= lo)
			want[nw++] = items[i].node.id;
	ASSERT_TRUE(c.sorted);
	ASSERT_EQ(c.n, nw);
	qsort(c.ids, c.n, sizeof(c.ids[0]), id_cmp);
	for (unsigned i = 0; i < nw; i++)
		ASSERT_EQ(c.ids[i], want[i]);
	return true;
}

static bool test_random_ops_match_brute_force(void)
{
	struct itree t = { 0 };

	for (unsigned step = 0; step < 20000; step++) {
		unsigned i = (unsigned)rnd(N);
		struct item *it = &items[i];

		if (it->in) {
			ASSERT_TRUE(itree_remove(&t, &it->node));
			it->in = false;
		} else {
			uint64_t start = rnd(1000), len = rnd(50);

			itree_insert(&t, &it->node, start, start + len, i);
			it->in = true;
		}
		if (step % 97 == 0) {
			uint64_t a = rnd(1100), b = a + rnd(30);

			ASSERT_EQ(itree_check(&t), 0);
			if (!query_matches(&t, a, a) || !query_matches(&t, a, b))
				return false;
		}
	}
	ASSERT_TRUE(query_matches(&t, 0, UINT64_MAX));
	return true;
}

static bool stop_after_one(struct itree_node *n, void *arg)
{
	++*(unsigned *)arg;
	return false;
}

static bool test_query_stops_when_asked(void)
{
	struct itree t = { 0 };
	struct itree_node a, b;
	unsigned calls = 0;

	itree_insert(&t, &a, 10, 20, 1);
	itree_insert(&t, &b, 15, 30, 2);
	ASSERT_FALSE(itree_query(&t, 16, 16, stop_after_one, &calls));
	ASSERT_EQ(calls, 1);
	return true;
}

static bool test_double_remove_is_refused(void)
{
	struct itree t = { 0 };
	struct itree_node a, b;

	itree_insert(&t, &a, 5, 9, 1);
	itree_insert(&t, &b, 5, 9, 2);   /* same interval, other id */
	ASSERT_TRUE(itree_remove(&t, &a));
	ASSERT_FALSE(itree_remove(&t, &a));
	ASSERT_EQ(t.count, 1);
	ASSERT_EQ(itree_check(&t), 0);
	return true;
}

int main(void)
{
	TEST_BEGIN();
	TEST(random_ops_match_brute_force);
	TEST(query_stops_when_asked);
	TEST(double_remove_is_refused);
	TEST_END();
}
