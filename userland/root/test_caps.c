/* Untyped retype, CNode operations, the derivation tree and revoke. */
#include "suite.h"

#define ALL_RW (RIGHT_READ | RIGHT_WRITE)

static void t_retype_every_type(void)
{
	static const struct { uint64_t type, bits; } types[] = {
		{ OBJ_TCB, 0 }, { OBJ_ENDPOINT, 0 }, { OBJ_NOTIFICATION, 0 }, { OBJ_REPLY, 0 },
		{ OBJ_FRAME_4K, 0 }, { OBJ_FRAME_2M, 0 }, { OBJ_PAGE_TABLE, 0 },
		{ OBJ_PAGE_DIRECTORY, 0 }, { OBJ_PDPT, 0 }, { OBJ_PML4, 0 }, { OBJ_CNODE, 4 },
		{ OBJ_UNTYPED, 16 },
	};
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		EXPECT(new_obj(types[i].type, types[i].bits) != 0);
}

/* A private untyped of 2^bits bytes for tests that need exact accounting. */
static cptr_t small_untyped(unsigned bits)
{
	return new_obj(OBJ_UNTYPED, bits);
}

static void t_retype_errors(void)
{
	cptr_t ut = small_untyped(16), s = slot_alloc(), busy = new_obj(OBJ_ENDPOINT, 0);

	EXPECT_EQ(atoll_untyped_retype(ut, 99, 0, ROOT_CNODE, s, 1), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_IRQ_CONTROL, 0, ROOT_CNODE, s, 1), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT_CNODE, s, 0), E_RANGE_ERROR);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT_CNODE, s, 1000), E_RANGE_ERROR);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_CNODE, 0, ROOT_CNODE, s, 1), E_RANGE_ERROR);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_UNTYPED, 3, ROOT_CNODE, s, 1), E_RANGE_ERROR);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT_CNODE, busy, 1), E_DELETE_FIRST);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT_CNODE, 1u << 12, 1), E_RANGE_ERROR);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT_TCB, s, 1), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_2M, 0, ROOT_CNODE, s, 1), E_NOT_ENOUGH_MEMORY);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_UNTYPED, 17, ROOT_CNODE, s, 1), E_NOT_ENOUGH_MEMORY);
	slot_free(s);
}

static void t_retype_exhaustion_and_reuse(void)
{
	cptr_t ut = small_untyped(16), base = slot_alloc();
	unsigned i;

	for (i = 1; i < 32; i++)
		slot_alloc(); /* 32 consecutive slots */
	/* 2^16 bytes hold exactly 16 frames, in two batches of 8. */
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, base, 8), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, base + 8, 8), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, base + 16, 1), E_NOT_ENOUGH_MEMORY);
	/* Revoke deletes the children; the memory is then reused from the start. */
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
	EXPECT_EQ(atoll_invoke(ROOT_CNODE, INV_CNODE_COPY, 3, base + 16, base, ALL_RW, 0).err,
		  E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, base, 16), E_OK);
}

static void t_retype_alignment(void)
{
	cptr_t ut = small_untyped(22), s = slot_alloc(), s2 = slot_alloc();
	uint64_t a, b;

	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT_CNODE, s, 1), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_2M, 0, ROOT_CNODE, s2, 1), E_OK);
	a = atoll_invoke(s2, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	EXPECT_EQ(a & ((1ull << 21) - 1), 0);
	/* The endpoint took the start; the 2 MiB frame the next aligned 2 MiB. */
	b = suite_bi->untyped[0].paddr;
	(void)b;
	EXPECT(a != 0);
}

static void t_cnode_copy_and_delete(void)
{
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), c = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, c, ep, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, c, ep, RIGHTS_ALL), E_DELETE_FIRST);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, c), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, c), E_OK); /* deleting an empty slot is fine */
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, c, 4000, RIGHTS_ALL), E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, 1u << 12, ep, RIGHTS_ALL), E_RANGE_ERROR);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, 1u << 12), E_RANGE_ERROR);
}

static void t_cnode_move(void)
{
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), m = slot_alloc();

	EXPECT_EQ(atoll_cnode_move(ROOT_CNODE, m, ep), E_OK);
	EXPECT_EQ(atoll_ipc_nbsend(ep, 0, 0, 0, 0, 0).err, E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_ipc_nbsend(m, 0, 0, 0, 0, 0).err, E_OK);
	EXPECT_EQ(atoll_cnode_move(ROOT_CNODE, m, m), E_DELETE_FIRST);
}

static void t_mint_badge_rules(void)
{
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), b = slot_alloc(), bb = slot_alloc(), cp = slot_alloc();

	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, b, ep, RIGHTS_ALL, 42), E_OK);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, bb, b, RIGHTS_ALL, 43), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, cp, b, RIGHTS_ALL), E_OK);
	/* Minting a badge on a TCB is not allowed. */
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, bb, ROOT_TCB, RIGHTS_ALL, 1), E_ILLEGAL_OPERATION);
}

static void t_mutate(void)
{
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), m = slot_alloc(), c = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, c, ep, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_cnode_mutate(ROOT_CNODE, m, ep, 7), E_REVOKE_FIRST);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, c), E_OK);
	EXPECT_EQ(atoll_cnode_mutate(ROOT_CNODE, m, ep, 7), E_OK);
	EXPECT_EQ(atoll_ipc_nbsend(ep, 0, 0, 0, 0, 0).err, E_FAILED_LOOKUP);
}

static void t_rights_only_shrink(void)
{
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), ro = slot_alloc(), back = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, ro, ep, RIGHT_READ), E_OK);
	EXPECT_EQ(atoll_ipc_nbsend(ro, 0, 0, 0, 0, 0).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, back, ro, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_ipc_nbsend(back, 0, 0, 0, 0, 0).err, E_INVALID_CAPABILITY);
}

static void t_revoke_copies(void)
{
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), a = slot_alloc(), b = slot_alloc(), m = slot_alloc();

	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, m, ep, RIGHTS_ALL, 5), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, a, m, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, b, ep, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, m), E_OK); /* removes a only */
	EXPECT_EQ(atoll_ipc_nbsend(a, 0, 0, 0, 0, 0).err, E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_ipc_nbsend(m, 0, 0, 0, 0, 0).err, E_OK);
	EXPECT_EQ(atoll_ipc_nbsend(b, 0, 0, 0, 0, 0).err, E_OK);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ep), E_OK); /* removes m and b */
	EXPECT_EQ(atoll_ipc_nbsend(m, 0, 0, 0, 0, 0).err, E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_ipc_nbsend(b, 0, 0, 0, 0, 0).err, E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_ipc_nbsend(ep, 0, 0, 0, 0, 0).err, E_OK);
}

/* Revoke of a large derivation tree: many more than one kernel entry's
 * budget of steps, so the call is preempted and restarted several times. */
static void t_revoke_large_tree(void)
{
	cptr_t cn = new_obj(OBJ_CNODE, 10), ep = new_obj(OBJ_ENDPOINT, 0), src = ep;
	unsigned ok = 0;

	for (unsigned i = 0; i < 1024; i++) {
		ok += atoll_cnode_copy(cn, i, src, RIGHTS_ALL) == E_OK;
		src = ep;
	}
	EXPECT_EQ(ok, 1024);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ep), E_OK);
	ok = 0;
	for (unsigned i = 0; i < 1024; i++)
		ok += atoll_cnode_copy(cn, i, ep, RIGHTS_ALL) == E_OK; /* all slots empty again */
	EXPECT_EQ(ok, 1024);
}

/* Deleting the last capability to a CNode that holds CNodes that hold
 * capabilities: zombies, preemption and restart. */
static void t_delete_nested_cnodes(void)
{
	uint64_t err;
	cptr_t top = new_obj(OBJ_CNODE, 6), ut = new_obj(OBJ_UNTYPED, 20);
	unsigned ok = 0;

	for (unsigned i = 0; i < 8; i++) {
		cptr_t inner = slot_alloc();
		ok += atoll_untyped_retype(ut, OBJ_CNODE, 6, ROOT_CNODE, inner, 1) == E_OK;
		for (unsigned j = 0; j < 64; j++)
			ok += atoll_cnode_copy(inner, j, ROOT_TCB, RIGHTS_ALL) == E_OK;
		ok += atoll_cnode_move(top, i, inner) == E_OK;
	}
	EXPECT_EQ(ok, 8 * 66);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, top), E_OK);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
	cptr_t again = obj_alloc(OBJ_CNODE, 6, &err);
	EXPECT(again != 0);
}

/* CNodes that hold each other's last capability (a 2-cycle, a 3-cycle and
 * one holding its own): unreachable, so only revoke of their untyped can
 * delete them; it must end, and leave the whole untyped free. */
static void t_delete_cnode_cycles(void)
{
	cptr_t ut = new_obj(OBJ_UNTYPED, 16), c[6], again = slot_alloc();
	unsigned ok = 0;

	for (unsigned i = 0; i < 6; i++) {
		c[i] = slot_alloc();
		ok += atoll_untyped_retype(ut, OBJ_CNODE, 4, ROOT_CNODE, c[i], 1) == E_OK;
		ok += atoll_cnode_copy(c[i], 1, ROOT_TCB, RIGHTS_ALL) == E_OK; /* something to clear */
	}
	ok += atoll_cnode_copy(c[0], 0, c[1], RIGHTS_ALL) == E_OK; /* 0 <-> 1 */
	ok += atoll_cnode_copy(c[1], 0, c[0], RIGHTS_ALL) == E_OK;
	ok += atoll_cnode_copy(c[2], 0, c[3], RIGHTS_ALL) == E_OK; /* 2 -> 3 -> 4 -> 2 */
	ok += atoll_cnode_copy(c[3], 0, c[4], RIGHTS_ALL) == E_OK;
	ok += atoll_cnode_copy(c[4], 0, c[2], RIGHTS_ALL) == E_OK;
	ok += atoll_cnode_copy(c[5], 0, c[5], RIGHTS_ALL) == E_OK; /* 5 -> 5 */
	for (unsigned i = 0; i < 6; i++)
		ok += atoll_cnode_delete(ROOT_CNODE, c[i]) == E_OK; /* not the last ones */
	EXPECT_EQ(ok, 6 * 2 + 6 + 6);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_UNTYPED, 16, ROOT_CNODE, again, 1), E_OK); /* all of it is free */
}

/* Retype of several PML4s that would run out of ASIDs part way fails
 * before it makes any (decode, then invoke), and the watermark stays where
 * the PML4s made before end (later objects must not overlap them). 32 MiB
 * of untyped is 8192 pages: PML4s made plus frames made afterwards must be
 * exactly that. */
static void t_retype_partial_failure(void)
{
	uint64_t free_asids = 0, made = 0, frames = 0, e;
	cptr_t ut = obj_alloc(OBJ_UNTYPED, 25, &e), cn, f;

	if (!ut) { /* clusters of a small machine have no 32 MiB piece */
		ut_skip("no 32 MiB of untyped memory in one piece here");
		return;
	}
	cn = new_obj(OBJ_CNODE, 13);
	f = slot_alloc();
	if (!cn)
		return;
	while (atoll_untyped_retype(ut, OBJ_PML4, 0, cn, free_asids, 1) == E_OK) /* how many ASIDs are left */
		free_asids++;
	EXPECT(free_asids > 20 && free_asids < 4096);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK); /* they come back */
	for (; made < free_asids - 10; made++)
		if (atoll_untyped_retype(ut, OBJ_PML4, 0, cn, made, 1) != E_OK)
			break;
	EXPECT_EQ(made, free_asids - 10);
	e = atoll_untyped_retype(ut, OBJ_PML4, 0, cn, made, 20); /* room for 10: none made */
	EXPECT_EQ(e, E_NOT_ENOUGH_MEMORY);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_PML4, 0, cn, made, 10), E_OK); /* the slots were empty */
	made += 10;
	while (atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, f, 1) == E_OK) {
		frames++;
		atoll_cnode_delete(ROOT_CNODE, f); /* the frame goes; the watermark stays */
	}
	EXPECT_EQ(made + frames, 8192);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
}

/* Memory handed out again after a revoke is zero: a frame is filled, the
 * untyped (16 MiB: its clearing is preempted and restarted many times) is
 * revoked, and the frame retyped at the same address reads zero. */
#define REUSE_VA 0x66000000ull
static void t_retype_reuse_is_zero(void)
{
	uint64_t e, pa1, pa2, sum = 0;
	cptr_t ut = obj_alloc(OBJ_UNTYPED, 24, &e), f = slot_alloc();
	volatile uint64_t *p = (volatile uint64_t *)REUSE_VA;

	if (!ut) {
		ut_skip("no 16 MiB of untyped memory in one piece here");
		return;
	}
	REQUIRE_OK(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, f, 1));
	pa1 = atoll_invoke(f, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	REQUIRE_OK(map_frame_anywhere(f, ROOT_VSPACE, REUSE_VA, RIGHTS_ALL));
	for (unsigned i = 0; i < 512; i++) {
		sum |= p[i];
		p[i] = 0xA5A5A5A5A5A5A5A5ull ^ i;
	}
	EXPECT_EQ(sum, 0); /* fresh memory */
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK); /* the frame goes, unmapped */
	/* Fill the untyped so its whole 16 MiB is below the watermark... */
	cptr_t big = slot_alloc();
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_UNTYPED, 24, ROOT_CNODE, big, 1), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, big), E_OK);
	/* ...then the next retype clears all of it before handing out the frame. */
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, f, 1), E_OK);
	pa2 = atoll_invoke(f, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	EXPECT_EQ(pa2, pa1);
	REQUIRE_OK(map_frame_anywhere(f, ROOT_VSPACE, REUSE_VA, RIGHTS_ALL));
	sum = 0;
	for (unsigned i = 0; i < 512; i++)
		sum |= p[i];
	EXPECT_EQ(sum, 0);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
	/* Its 16 MiB back to the allocator: the boot untyped it came from
	 * cannot take it back while it exists, and the later tests need it. */
	if (!alloc_give_untyped(ut))
		EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, ut), E_OK);
	slot_free(f);
	slot_free(big);
}

static void t_untyped_children_block_nothing(void)
{
	/* Retype continues from the watermark while children exist. */
	cptr_t ut = small_untyped(14), a = slot_alloc(), b = slot_alloc();

	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, a, 1), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, b, 1), E_OK);
	uint64_t pa = atoll_invoke(a, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	uint64_t pb = atoll_invoke(b, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	EXPECT_EQ(pb, pa + 4096);
}

const struct utest caps_tests[] = {
	{ "retype every object type", t_retype_every_type },
	{ "retype rejects bad type, size, count, slot and destination", t_retype_errors },
	{ "retype exhausts an untyped and reuses it after revoke", t_retype_exhaustion_and_reuse },
	{ "retype aligns objects to their size", t_retype_alignment },
	{ "retype continues from the watermark", t_untyped_children_block_nothing },
	{ "memory retyped again after revoke reads zero (clearing is preemptible)", t_retype_reuse_is_zero },
	{ "retype that would run out of ASIDs part way makes nothing", t_retype_partial_failure },
	{ "CNode copy and delete, with their errors", t_cnode_copy_and_delete },
	{ "CNode move", t_cnode_move },
	{ "mint: badges, and no re-badging", t_mint_badge_rules },
	{ "mutate needs a capability without children", t_mutate },
	{ "rights only shrink", t_rights_only_shrink },
	{ "revoke removes exactly the derived copies", t_revoke_copies },
	{ "revoke of 1024 copies is preempted and restarted", t_revoke_large_tree },
	{ "delete of nested CNodes through zombies", t_delete_nested_cnodes },
	{ "revoke deletes CNodes holding each other's last capabilities", t_delete_cnode_cycles },
};
const unsigned caps_tests_count = sizeof(caps_tests) / sizeof(caps_tests[0]);
