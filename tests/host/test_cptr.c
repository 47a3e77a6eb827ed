/* Host tests of capability address decoding (kernel/include/cptr.h). */
#include "check.h"
#include "cptr.h"

static struct cap cnode(unsigned radix, unsigned gsize, uint64_t guard)
{
	return cap_make(OBJ_CNODE, RIGHTS_ALL, radix, false, 0x1000, guard << 6 | gsize);
}

static void test_single_level(void)
{
	unsigned left = 64;
	uint64_t idx = 0;

	/* Root CNode: radix 12, guard 52 zero bits: cptr is the slot index. */
	CHECK(cptr_step(cnode(12, 52, 0), 4095, &left, &idx) == 0 && left == 0 && idx == 4095);
	left = 64;
	CHECK(cptr_step(cnode(12, 52, 0), 1ull << 40 | 7, &left, &idx) == LOOKUP_GUARD_MISMATCH);
	left = 64;
	CHECK(cptr_step(cnode(12, 52, 0), 1ull << 63, &left, &idx) == LOOKUP_GUARD_MISMATCH);
	/* Non-zero guard value. */
	left = 64;
	CHECK(cptr_step(cnode(8, 56, 0xABCD), (0xABCDull << 8) | 0x42, &left, &idx) == 0 && idx == 0x42);
	left = 64;
	CHECK(cptr_step(cnode(8, 56, 0xABCD), (0xABCEull << 8) | 0x42, &left, &idx) == LOOKUP_GUARD_MISMATCH);
}

static void test_two_levels(void)
{
	/* Level 1: radix 4, guard 0 bits; level 2: radix 8, guard 52 bits. */
	uint64_t cptr = (0x5ull << 60) | 0x77, idx;
	unsigned left = 64;

	CHECK(cptr_step(cnode(4, 0, 0), cptr, &left, &idx) == 0 && left == 60 && idx == 5);
	CHECK(cptr_step(cnode(8, 52, 0), cptr, &left, &idx) == 0 && left == 0 && idx == 0x77);
	/* A second level that wants more bits than are left: depth mismatch. */
	left = 64;
	CHECK(cptr_step(cnode(4, 0, 0), cptr, &left, &idx) == 0);
	CHECK(cptr_step(cnode(8, 56, 0), cptr, &left, &idx) == LOOKUP_DEPTH_MISMATCH);
}

static void test_edges(void)
{
	unsigned left = 64;
	uint64_t idx;

	/* A CNode that resolves no bits would loop forever: refused. */
	CHECK(cptr_step(cnode(0, 0, 0), 0, &left, &idx) == LOOKUP_DEPTH_MISMATCH);
	/* Guard of 63 bits and radix 1: the top bits are all guard. */
	left = 64;
	CHECK(cptr_step(cnode(1, 63, 0), 1, &left, &idx) == 0 && idx == 1 && left == 0);
	left = 3;
	CHECK(cptr_step(cnode(2, 2, 0), 0, &left, &idx) == LOOKUP_DEPTH_MISMATCH);
	/* Exhaustive small case against a direct computation. */
	unsigned bad = 0;
	for (unsigned radix = 1; radix <= 6; radix++)
		for (unsigned g = 0; g + radix <= 10; g++)
			for (uint64_t c = 0; c < 1024; c++) {
				unsigned l = 10;
				uint64_t i = 0;
				unsigned f = cptr_step(cnode(radix, g, 1 % (1u << g ? 1u << g : 1)), c, &l, &i);
				uint64_t want_guard = g ? (1 % (1u << g)) : 0;
				bool guard_ok = !g || ((c >> (10 - g)) & ((1u << g) - 1)) == want_guard;
				uint64_t want_idx = (c >> (10 - g - radix)) & ((1u << radix) - 1);
				if (guard_ok ? (f || i != want_idx || l != 10 - g - radix) : f != LOOKUP_GUARD_MISMATCH)
					bad++;
			}
	CHECK(bad == 0);
}

int main(void)
{
	test_single_level();
	test_two_levels();
	test_edges();
	return check_summary("test_cptr");
}
