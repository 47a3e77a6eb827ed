/*
 * Isolation holes, tried as an attacker would with the root task's own API
 * (issue 10): each test names what it shows. Mappings are made in fresh
 * address spaces (a PML4 with its own PDPT, directory and tables), so the
 * tests need no room in the root task's own.
 */
#include "suite.h"

#define PRIO_LOW 100
#define PRIO_ROOT 255 /* the root task's: a thread there runs when the root task yields */
#define VA 0x40000000ull /* 1 GiB: PML4 slot 0, PDPT slot 1 */
#define VA2 (VA + (2ull << 20)) /* the next page table's range in the same directory */

static uint64_t paddr_of(cptr_t frame)
{
	return atoll_invoke(frame, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
}

/* A fresh address space with a PDPT and a page directory covering VA. */
struct space {
	cptr_t pml4, pdpt, pd;
};

static bool space_new(struct space *s)
{
	s->pml4 = new_obj(OBJ_PML4, 0);
	s->pdpt = new_obj(OBJ_PDPT, 0);
	s->pd = new_obj(OBJ_PAGE_DIRECTORY, 0);
	return s->pml4 && s->pdpt && s->pd && atoll_page_table_map(s->pdpt, s->pml4, VA) == E_OK &&
	       atoll_page_table_map(s->pd, s->pml4, VA) == E_OK;
}

/* --- untyped derivation ---------------------------------------------------- */

/* The sequence from issue 10: a copy of an untyped with children used to
 * retype the same memory as the original. */
static void t_untyped_copy_with_children_refused(void)
{
	cptr_t ut = new_obj(OBJ_UNTYPED, 14), a = slot_alloc(), cp = slot_alloc(), b = slot_alloc();

	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, a, 1), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, cp, ut, RIGHTS_ALL), E_REVOKE_FIRST);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, cp, ut, RIGHTS_ALL, 0), E_REVOKE_FIRST);
	EXPECT_EQ(atoll_untyped_retype(cp, OBJ_FRAME_4K, 0, ROOT_CNODE, b, 1), E_FAILED_LOOKUP);
}

/* A copy of an untyped without children: the copy retypes, the original
 * hands out nothing until the copy and its objects are gone. */
static void t_untyped_copy_and_original_never_overlap(void)
{
	cptr_t ut = new_obj(OBJ_UNTYPED, 14), cp = slot_alloc(), b = slot_alloc(), c = slot_alloc();
	uint64_t pb;

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, cp, ut, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_untyped_retype(cp, OBJ_FRAME_4K, 0, ROOT_CNODE, b, 1), E_OK);
	pb = paddr_of(b);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, c, 1), E_NOT_ENOUGH_MEMORY);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, cp), E_OK);
	/* b still lives (now under ut): ut still hands out nothing over it. */
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, c, 1), E_NOT_ENOUGH_MEMORY);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, b), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, c, 1), E_OK);
	EXPECT_EQ(paddr_of(c), pb); /* reused only once nothing else has it */
}

/* Move and mutate keep one capability: the watermark goes with it. */
static void t_untyped_move_keeps_the_watermark(void)
{
	cptr_t ut = new_obj(OBJ_UNTYPED, 13), m = slot_alloc(), a = slot_alloc(), b = slot_alloc();

	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, a, 1), E_OK);
	EXPECT_EQ(atoll_cnode_move(ROOT_CNODE, m, ut), E_OK);
	EXPECT_EQ(atoll_untyped_retype(m, OBJ_FRAME_4K, 0, ROOT_CNODE, b, 1), E_OK);
	EXPECT(paddr_of(a) != paddr_of(b));
	EXPECT_EQ(atoll_cnode_mutate(ROOT_CNODE, ut, m, 0), E_REVOKE_FIRST); /* it has children */
}

/* --- mappings cannot outlive what they map -------------------------------- */

/* Issue 10's second sequence: mutate used to drop the record of a live
 * mapping, so deleting the frame left its page-table entry behind. */
static void t_mutated_frame_keeps_its_mapping(void)
{
	struct space s;
	cptr_t ut = new_obj(OBJ_UNTYPED, 12), f = slot_alloc(), g = slot_alloc(), h = slot_alloc();
	cptr_t pt = new_obj(OBJ_PAGE_TABLE, 0);

	REQUIRE_OK(space_new(&s) ? E_OK : E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, f, 1), E_OK);
	EXPECT_EQ(atoll_frame_map(f, s.pml4, VA, RIGHT_READ | RIGHT_WRITE, 0), E_OK);
	EXPECT_EQ(atoll_cnode_mutate(ROOT_CNODE, g, f, 0), E_OK);
	EXPECT_EQ(atoll_frame_map(g, s.pml4, VA + 4096, RIGHT_READ, 0), E_ILLEGAL_OPERATION); /* still mapped */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, g), E_OK); /* the last capability: the mapping goes */
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, h, 1), E_OK);
	EXPECT_EQ(atoll_frame_map(h, s.pml4, VA, RIGHT_READ, 0), E_OK);
}

/* Deleting a copy that made a mapping removes that mapping even though
 * other capabilities to the frame remain. */
static void t_deleted_frame_copy_takes_its_mapping(void)
{
	struct space s;
	cptr_t f = new_obj(OBJ_FRAME_4K, 0), c = slot_alloc(), pt = new_obj(OBJ_PAGE_TABLE, 0);
	cptr_t g = new_obj(OBJ_FRAME_4K, 0);

	REQUIRE_OK(space_new(&s) ? E_OK : E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, c, f, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_frame_map(c, s.pml4, VA, RIGHT_READ, 0), E_OK);
	EXPECT_EQ(atoll_frame_map(f, s.pml4, VA + 4096, RIGHT_READ, 0), E_OK); /* each copy maps once */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, c), E_OK);
	EXPECT_EQ(atoll_frame_map(g, s.pml4, VA, RIGHT_READ, 0), E_OK); /* VA is free again */
	EXPECT_EQ(atoll_frame_map(g, s.pml4, VA + 8192, RIGHT_READ, 0), E_ILLEGAL_OPERATION);
}

/* Issue 10's third sequence: an unmapped page table used to keep its
 * entries, so a deleted frame came back when the table was linked again. */
static void t_unmapped_page_table_is_cleared(void)
{
	struct space s;
	cptr_t ut = new_obj(OBJ_UNTYPED, 12), f = slot_alloc(), g = slot_alloc();
	cptr_t pt = new_obj(OBJ_PAGE_TABLE, 0);

	REQUIRE_OK(space_new(&s) ? E_OK : E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, f, 1), E_OK);
	EXPECT_EQ(atoll_frame_map(f, s.pml4, VA, RIGHT_READ | RIGHT_WRITE, 0), E_OK);
	EXPECT_EQ(atoll_page_table_unmap(pt), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, f), E_OK);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA2), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, g, 1), E_OK);
	EXPECT_EQ(atoll_frame_map(g, s.pml4, VA2, RIGHT_READ, 0), E_OK);
}

/* The same one level up: after a directory is unmapped and linked again,
 * the page table it held is not reachable through it. */
static void t_unmapped_directory_is_cleared(void)
{
	struct space s;
	cptr_t pt = new_obj(OBJ_PAGE_TABLE, 0), f = new_obj(OBJ_FRAME_4K, 0), g = new_obj(OBJ_FRAME_4K, 0);

	REQUIRE_OK(space_new(&s) ? E_OK : E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA), E_OK);
	EXPECT_EQ(atoll_frame_map(f, s.pml4, VA, RIGHT_READ, 0), E_OK);
	EXPECT_EQ(atoll_page_table_unmap(s.pd), E_OK);
	EXPECT_EQ(atoll_page_table_map(s.pd, s.pml4, VA + (1ull << 30)), E_OK);
	EXPECT_EQ(atoll_frame_map(g, s.pml4, VA + (1ull << 30), RIGHT_READ, 0), E_FAILED_LOOKUP);
	/* The page table itself must be unmapped (and so cleared) before it
	 * can be linked anywhere again. */
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA + (1ull << 30)), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_page_table_unmap(pt), E_OK);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA + (1ull << 30)), E_OK);
	EXPECT_EQ(atoll_frame_map(g, s.pml4, VA + (1ull << 30), RIGHT_READ, 0), E_OK);
}

/* A paging structure is linked into one place: an unmapped one cannot be
 * copied, a copy of a mapped one cannot map it again, and unmap needs the
 * last capability (the copies share the record). */
static void t_page_table_links_once(void)
{
	struct space s, s2;
	cptr_t pt = new_obj(OBJ_PAGE_TABLE, 0), c = slot_alloc(), m = slot_alloc();

	REQUIRE_OK(space_new(&s) && space_new(&s2) ? E_OK : E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, c, pt, RIGHTS_ALL), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, c, pt, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_page_table_map(c, s2.pml4, VA), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_page_table_map(c, s.pml4, VA2), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_page_table_unmap(c), E_REVOKE_FIRST);
	EXPECT_EQ(atoll_cnode_mutate(ROOT_CNODE, m, c, 0), E_OK); /* mutate keeps the record */
	EXPECT_EQ(atoll_page_table_map(m, s2.pml4, VA), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, m), E_OK);
	EXPECT_EQ(atoll_page_table_unmap(pt), E_OK);
	EXPECT_EQ(atoll_page_table_map(pt, s2.pml4, VA), E_OK);
}

/* --- capability transfer over IPC: the rules of copy ----------------------- */

static volatile cptr_t g_xfer_cap;
static cptr_t g_xfer_ep;

static void xfer_sender_fn(uint64_t unused)
{
	(void)unused;
	atoll_ipcbuf->caps[0] = g_xfer_cap;
	atoll_ipc_send(g_xfer_ep, msginfo(0, 0, 1, 0), 0, 0, 0, 0);
}

/* Send g_xfer_cap = cap to the root task; returns how many capabilities
 * arrived in slot dst. */
static unsigned transfer(cptr_t cap, cptr_t dst)
{
	struct uthread th;
	struct ipc_result r;

	g_xfer_cap = cap;
	atoll_ipcbuf->receive_cnode = ROOT_CNODE;
	atoll_ipcbuf->receive_index = dst;
	if (thread_create(&th, xfer_sender_fn, 0, PRIO_LOW) != E_OK)
		return 99;
	r = atoll_ipc_recv(g_xfer_ep, 0);
	atoll_ipcbuf->receive_cnode = 0;
	return r.err == E_OK ? (unsigned)MSGINFO_EXTRA_CAPS(r.info) : 98;
}

static void t_transfer_obeys_copy_rules(void)
{
	struct space s;
	cptr_t pt = new_obj(OBJ_PAGE_TABLE, 0), pt2 = new_obj(OBJ_PAGE_TABLE, 0), f = new_obj(OBJ_FRAME_4K, 0);
	cptr_t ut = new_obj(OBJ_UNTYPED, 13), a = slot_alloc(), d = slot_alloc(), d2 = slot_alloc();

	g_xfer_ep = new_obj(OBJ_ENDPOINT, 0);
	REQUIRE_OK(space_new(&s) ? E_OK : E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_page_table_map(pt, s.pml4, VA), E_OK);
	/* A mapped frame arrives unmapped: it maps once more, elsewhere. */
	EXPECT_EQ(atoll_frame_map(f, s.pml4, VA, RIGHT_READ, 0), E_OK);
	EXPECT_EQ(transfer(f, d), 1);
	EXPECT_EQ(atoll_frame_map(d, s.pml4, VA + 4096, RIGHT_READ, 0), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, d), E_OK);
	/* An unmapped page table does not travel (no second link). */
	EXPECT_EQ(transfer(pt2, d), 0);
	EXPECT_EQ(atoll_page_table_unmap(d), E_FAILED_LOOKUP);
	/* An untyped with children does not travel; one without does, and
	 * the original then hands out nothing. */
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, a, 1), E_OK);
	EXPECT_EQ(transfer(ut, d), 0);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, a), E_OK);
	EXPECT_EQ(transfer(ut, d), 1);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT_CNODE, a, 1), E_NOT_ENOUGH_MEMORY);
	EXPECT_EQ(atoll_untyped_retype(d, OBJ_FRAME_4K, 0, ROOT_CNODE, a, 1), E_OK);
	EXPECT_EQ(atoll_untyped_retype(d, OBJ_FRAME_4K, 0, ROOT_CNODE, d2, 1), E_OK);
	EXPECT(paddr_of(a) != paddr_of(d2));
}

/* --- reply objects --------------------------------------------------------- */

static cptr_t g_rep_ep, g_rep_reply;
static volatile uint64_t g_rep_err;

static void rep_receiver_fn(uint64_t unused)
{
	(void)unused;
	g_rep_err = atoll_ipc_recv(g_rep_ep, g_rep_reply).err;
}

/* A thread at the root task's priority that receives on a new endpoint
 * with a new reply object: when this returns, it waits there. */
static uint64_t start_receiver(struct uthread *th)
{
	uint64_t e;

	g_rep_ep = new_obj(OBJ_ENDPOINT, 0);
	g_rep_reply = new_obj(OBJ_REPLY, 0);
	g_rep_err = 77;
	if ((e = thread_create(th, rep_receiver_fn, 0, PRIO_ROOT)) == E_OK)
		atoll_yield(); /* it runs and blocks in its receive */
	return e;
}

/* While one thread waits with a reply object, no other receive may use it. */
static void t_reply_object_serves_one_receiver(void)
{
	struct uthread th;
	cptr_t other = new_obj(OBJ_ENDPOINT, 0);

	REQUIRE_OK(start_receiver(&th));
	EXPECT_EQ(g_rep_err, 77);
	EXPECT_EQ(atoll_ipc_nbrecv(other, g_rep_reply).err, E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_ipc_replyrecv(other, g_rep_reply, 0, 0, 0, 0, 0).err, E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_tcb_suspend(th.tcb), E_OK); /* it lets go of the reply object */
	EXPECT_EQ(atoll_ipc_nbrecv(other, g_rep_reply).err, E_OK);
}

/* An endpoint deleted under a waiting receiver: the receiver gets an error
 * and its reply object is free again (no pointer to either is left). */
static void t_endpoint_deleted_mid_receive_frees_reply(void)
{
	struct uthread th;
	cptr_t other = new_obj(OBJ_ENDPOINT, 0);

	REQUIRE_OK(start_receiver(&th));
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, g_rep_ep), E_OK);
	atoll_yield(); /* it sees its error and ends */
	EXPECT_EQ(g_rep_err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_ipc_nbrecv(other, g_rep_reply).err, E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, th.tcb), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, g_rep_reply), E_OK);
}

/* --- TCB configure ----------------------------------------------------------- */

static void t_ipc_buffer_must_be_writable(void)
{
	cptr_t tcb = new_obj(OBJ_TCB, 0), f = new_obj(OBJ_FRAME_4K, 0), ro = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, ro, f, RIGHT_READ), E_OK);
	EXPECT_EQ(atoll_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, 0x70000000ull, ro), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, 0x70000000ull, ROOT_BOOTINFO),
		  E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, 0x70000000ull, f), E_OK);
}

/* A configure that fails changes nothing: the CSpace it named is not
 * installed. Seen through the CNode: deleting our capability to it must
 * destroy it (it is the last one), and with it the endpoint copy inside. */
static void t_failed_configure_changes_nothing(void)
{
	cptr_t tcb = new_obj(OBJ_TCB, 0), cn = new_obj(OBJ_CNODE, 2), ep = new_obj(OBJ_ENDPOINT, 0);
	cptr_t m = slot_alloc();

	EXPECT_EQ(atoll_invoke(cn, INV_CNODE_COPY, 3, 0, ep, RIGHTS_ALL, 0).err, E_OK);
	EXPECT_EQ(atoll_tcb_configure(tcb, 0, cn, ROOT_TCB, 0x70000000ull, 0), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, cn), E_OK);
	EXPECT_EQ(atoll_cnode_mutate(ROOT_CNODE, m, ep, 5), E_OK); /* the copy in cn went with it */
}

/* --- fastpath and slowpath agree --------------------------------------------- */

static void short_server_fn(uint64_t unused)
{
	struct ipc_result r;

	(void)unused;
	r = atoll_ipc_recv(g_rep_ep, g_rep_reply);
	for (;;) /* echo what arrived: words beyond the length must read zero */
		r = atoll_ipc_replyrecv(g_rep_ep, g_rep_reply, msginfo(0, 0, 0, 4), r.mr[0], r.mr[1], r.mr[2], r.mr[3]);
}

static void t_words_beyond_length_read_zero(void)
{
	struct uthread th;
	struct ipc_result r;
	bool ok = true;

	g_rep_ep = new_obj(OBJ_ENDPOINT, 0);
	g_rep_reply = new_obj(OBJ_REPLY, 0);
	/* At the root task's priority: after the first call (slowpath) the
	 * fastpath takes Call and ReplyRecv (unless fastpath=off). */
	REQUIRE_OK(thread_create(&th, short_server_fn, 0, PRIO_ROOT));
	for (unsigned len = 0; len <= 4; len++) {
		r = atoll_ipc_call(g_rep_ep, msginfo(1, 0, 0, len), 11, 22, 33, 44);
		for (unsigned i = 0; i < 4; i++)
			ok &= r.err == E_OK && r.mr[i] == (i < len ? 11 * (i + 1) : 0);
	}
	EXPECT(ok);
	EXPECT_EQ(atoll_tcb_suspend(th.tcb), E_OK);
}

const struct utest isolation_tests[] = {
	{ "untyped with children cannot be copied", t_untyped_copy_with_children_refused },
	{ "untyped copy and original never hand out the same memory", t_untyped_copy_and_original_never_overlap },
	{ "untyped move keeps the watermark", t_untyped_move_keeps_the_watermark },
	{ "mutated frame keeps its mapping record", t_mutated_frame_keeps_its_mapping },
	{ "deleting a frame copy removes its mapping", t_deleted_frame_copy_takes_its_mapping },
	{ "unmapped page table is cleared", t_unmapped_page_table_is_cleared },
	{ "unmapped page directory is cleared", t_unmapped_directory_is_cleared },
	{ "a page table is linked into one place only", t_page_table_links_once },
	{ "capability transfer obeys the rules of copy", t_transfer_obeys_copy_rules },
	{ "a reply object serves one receiver at a time", t_reply_object_serves_one_receiver },
	{ "endpoint deleted mid-receive frees the reply object", t_endpoint_deleted_mid_receive_frees_reply },
	{ "IPC buffer must be writable", t_ipc_buffer_must_be_writable },
	{ "failed TCB configure changes nothing", t_failed_configure_changes_nothing },
	{ "message words beyond the length read zero", t_words_beyond_length_read_zero },
};
const unsigned isolation_tests_count = sizeof(isolation_tests) / sizeof(isolation_tests[0]);
