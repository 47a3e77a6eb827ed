/* Host tests of the capability derivation tree (kernel/cap/cdt.c). */
#include <string.h>
#include "cap.h"
#include "check.h"

static struct cte slots[4096] __attribute__((aligned(32)));

static struct cap ut(uint64_t base, unsigned bits) { return cap_make(OBJ_UNTYPED, RIGHTS_ALL, bits, false, base, 0); }
static struct cap ep(uint64_t base, uint64_t badge) { return cap_make(OBJ_ENDPOINT, RIGHTS_ALL, 0, false, base, badge); }
static struct cap frame(uint64_t base) { return cap_make(OBJ_FRAME_4K, RIGHTS_ALL, 0, false, base, 0); }

/* Descendants of s per the list rule. */
static unsigned count_descendants(struct cte *s)
{
	unsigned n = 0;
	for (struct cte *c = mdb_next(s); c && cdt_is_parent_of(s, c); c = mdb_next(c))
		n++;
	return n;
}

/* Child-of-s test by scanning: c is a descendant of s if it follows s in the run. */
static bool is_descendant(struct cte *s, struct cte *x)
{
	for (struct cte *c = mdb_next(s); c && cdt_is_parent_of(s, c); c = mdb_next(c))
		if (c == x)
			return true;
	return false;
}

static void test_fields(void)
{
	struct cap c = cap_make(OBJ_CNODE, RIGHT_READ | RIGHT_WRITE, 8, false, 0x123450, (5ull << 6) | 3);
	CHECK(cap_type(c) == OBJ_CNODE);
	CHECK(cap_rights(c) == (RIGHT_READ | RIGHT_WRITE));
	CHECK(cap_size_bits(c) == 8);
	CHECK(cap_paddr(c) == 0x123450);
	CHECK(cap_guard(c) == 5 && cap_guard_size(c) == 3);
	CHECK(cap_region_size(c) == 32u << 8);
	CHECK(cap_rights(cap_with_rights(c, RIGHT_READ)) == RIGHT_READ);
	CHECK(cap_paddr(cap_make(OBJ_UNTYPED, 15, 63, true, (1ull << 48) - 16, 0)) == (1ull << 48) - 16);
	CHECK(cap_is_device(cap_make(OBJ_UNTYPED, 15, 12, true, 0x1000, 0)));
}

static void test_untyped_tree(void)
{
	struct cte *u = &slots[0], *e1 = &slots[1], *e2 = &slots[2], *f = &slots[3], *copy = &slots[4];
	memset(slots, 0, sizeof(slots));
	cdt_insert(u, ut(0x100000, 20), NULL, MDB_REVOCABLE);
	CHECK(!cdt_has_children(u));
	cdt_insert(e1, ep(0x100000, 0), u, MDB_REVOCABLE);
	cdt_insert(e2, ep(0x100020, 0), u, MDB_REVOCABLE);
	cdt_insert(f, frame(0x101000), u, MDB_REVOCABLE);
	CHECK(cdt_has_children(u));
	CHECK(count_descendants(u) == 3);
	/* A copy of e1 is its child, not revocable; e1 is then not final. */
	CHECK(!cdt_derived_revocable(e1->cap, e1->cap));
	cdt_insert(copy, e1->cap, e1, 0);
	CHECK(is_descendant(e1, copy) && is_descendant(u, copy));
	CHECK(!cdt_is_final(e1) && !cdt_is_final(copy));
	CHECK(cdt_is_final(e2) && cdt_is_final(f));
	/* Removing the copy makes e1 final again. */
	cdt_remove(copy);
	CHECK(cap_is_null(copy->cap) && cdt_is_final(e1));
	/* Frames outside the untyped are not its children. */
	CHECK(!cap_same_region(u->cap, frame(0x200000)));
	CHECK(!cap_same_region(u->cap, frame(0x100000 + (1 << 20) - 0x800)));
	CHECK(count_descendants(u) == 3);
	cdt_remove(e1);
	cdt_remove(e2);
	cdt_remove(f);
	CHECK(!cdt_has_children(u));
}

static void test_badges(void)
{
	struct cte *orig = &slots[10], *b1 = &slots[11], *b1c = &slots[12], *b2 = &slots[13];
	memset(slots, 0, sizeof(slots));
	cdt_insert(orig, ep(0x5000, 0), NULL, MDB_REVOCABLE);
	CHECK(cdt_derived_revocable(ep(0x5000, 7), orig->cap));
	cdt_insert(b1, ep(0x5000, 7), orig, MDB_REVOCABLE | MDB_FIRST_BADGED);
	cdt_insert(b1c, ep(0x5000, 7), b1, 0);
	cdt_insert(b2, ep(0x5000, 9), orig, MDB_REVOCABLE | MDB_FIRST_BADGED);
	/* list: orig, b2, b1, b1c */
	CHECK(count_descendants(orig) == 3);
	CHECK(count_descendants(b1) == 1 && is_descendant(b1, b1c));
	CHECK(count_descendants(b2) == 0); /* b1 (first_badged, other badge) is not b2's */
	/* Revoking b1 leaves b2 and orig untouched. */
	while (cdt_has_children(b1))
		cdt_remove(mdb_next(b1));
	CHECK(cap_is_null(b1c->cap) && !cap_is_null(b2->cap));
	CHECK(count_descendants(orig) == 2);
}

static void test_move_swap(void)
{
	struct cte *a = &slots[20], *b = &slots[21], *c = &slots[22], *d = &slots[23], *m = &slots[30];
	memset(slots, 0, sizeof(slots));
	cdt_insert(a, ut(0x400000, 16), NULL, MDB_REVOCABLE);
	cdt_insert(b, frame(0x400000), a, MDB_REVOCABLE);
	cdt_insert(c, frame(0x401000), a, MDB_REVOCABLE); /* a, c, b */
	cdt_move(m, c, c->cap);
	CHECK(cap_is_null(c->cap) && mdb_next(a) == m && mdb_prev(b) == m);
	CHECK(mdb_flags(m) == MDB_REVOCABLE);
	/* swap adjacent a and m */
	cdt_swap(a, m);
	CHECK(cap_type(a->cap) == OBJ_FRAME_4K && cap_type(m->cap) == OBJ_UNTYPED);
	CHECK(mdb_next(m) == a && mdb_prev(a) == m && mdb_next(a) == b && mdb_prev(b) == a);
	/* swap non-adjacent m and b */
	cdt_insert(d, frame(0x402000), b, MDB_REVOCABLE); /* m, a, b, d */
	cdt_swap(m, d);
	CHECK(cap_type(d->cap) == OBJ_UNTYPED && mdb_next(d) == a && mdb_prev(m) == b && mdb_next(b) == m);
	CHECK(count_descendants(d) == 3);
}

/* Random derivation trees: revoke by the list rule removes exactly the
 * model's descendants. */
static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static int parent_of[4096];
static bool model_desc(int x, int anc)
{
	for (int p = parent_of[x]; p >= 0; p = parent_of[p])
		if (p == anc)
			return true;
	return false;
}

static void test_random(void)
{
	for (int round = 0; round < 200; round++) {
		int n = 1;
		memset(slots, 0, sizeof(slots));
		cdt_insert(&slots[0], ep(0x9000, 0), NULL, MDB_REVOCABLE);
		parent_of[0] = -1;
		for (int i = 1; i < 300; i++) {
			int p = (int)(rnd() % (uint64_t)n);
			uint64_t badge = cap_badge(slots[p].cap);
			uint64_t nb = badge ? badge : (rnd() % 3 ? 0 : 1 + rnd() % 5);
			unsigned fl = cdt_derived_revocable(ep(0x9000, nb), slots[p].cap) ? MDB_REVOCABLE : 0;
			if (nb != badge)
				fl |= MDB_FIRST_BADGED;
			/* Unbadged non-revocable copies are only made from... any slot. */
			cdt_insert(&slots[n], ep(0x9000, nb), &slots[p], fl);
			/* Model: parent is the list parent if that relation holds, else p's parent. */
			parent_of[n] = cdt_is_parent_of(&slots[p], &slots[n]) ? p : parent_of[p];
			n++;
		}
		int victim = (int)(rnd() % (uint64_t)n);
		bool expect_gone[4096];
		for (int i = 0; i < n; i++)
			expect_gone[i] = model_desc(i, victim);
		while (cdt_has_children(&slots[victim]))
			cdt_remove(mdb_next(&slots[victim]));
		int bad = 0;
		for (int i = 0; i < n; i++)
			if (cap_is_null(slots[i].cap) != expect_gone[i])
				bad++;
		CHECK(bad == 0);
	}
}

int main(void)
{
	test_fields();
	test_untyped_tree();
	test_badges();
	test_move_swap();
	test_random();
	return check_summary("test_cdt");
}
