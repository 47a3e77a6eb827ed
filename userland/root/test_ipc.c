/* Endpoints, reply objects, notifications, threads, address spaces, I/O ports. */
#include "atoll/serial.h"
#include "suite.h"

#define PRIO_LOW 100
#define PRIO_HIGH 254 /* below the root task's 255 */

static volatile uint64_t shared[16];
static cptr_t g_ep, g_reply, g_ntfn;

static cptr_t new_ep(void) { return new_obj(OBJ_ENDPOINT, 0); }

/* --- send / receive ------------------------------------------------------ */

static void sender_fn(uint64_t badge_slot)
{
	atoll_ipc_send(badge_slot, msginfo(7, 0, 0, 2), 11, 22, 0, 0);
}

static void t_send_recv_badge(void)
{
	struct uthread th;
	cptr_t ep = new_ep(), b = slot_alloc();

	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, b, ep, RIGHTS_ALL, 0xBADB), E_OK);
	REQUIRE_OK(thread_create(&th, sender_fn, b, PRIO_LOW));
	struct ipc_result r = atoll_ipc_recv(ep, 0);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(r.badge, 0xBADB);
	EXPECT_EQ(MSGINFO_LABEL(r.info), 7);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 2);
	EXPECT_EQ(r.mr[0], 11);
	EXPECT_EQ(r.mr[1], 22);
	EXPECT_EQ(r.mr[2], 0);
}

static void server_fn(uint64_t n)
{
	cptr_t ep = g_ep, reply = g_reply;
	struct ipc_result r = atoll_ipc_recv(ep, reply);

	for (uint64_t i = 0; i < n; i++)
		r = atoll_ipc_replyrecv(ep, reply, msginfo(0, 0, 0, 4), r.mr[0] + 1, r.mr[1] * 2, r.badge, i);
}

static void t_call_reply_roundtrip(void)
{
	struct uthread th;
	bool ok = true;

	g_ep = new_ep();
	g_reply = new_obj(OBJ_REPLY, 0);
	REQUIRE_OK(thread_create(&th, server_fn, 100, PRIO_LOW));
	for (uint64_t i = 0; i < 100; i++) {
		struct ipc_result r = atoll_ipc_call(g_ep, msginfo(1, 0, 0, 2), i, i + 5, 0, 0);
		ok &= r.err == E_OK && r.mr[0] == i + 1 && r.mr[1] == 2 * (i + 5) && r.mr[3] == i &&
		      MSGINFO_LENGTH(r.info) == 4;
	}
	EXPECT(ok);
}

static void long_server_fn(uint64_t unused)
{
	struct ipc_result r = atoll_ipc_recv(g_ep, g_reply);
	struct ipc_buffer *b = atoll_ipcbuf;
	uint64_t sum = r.mr[0] + r.mr[1] + r.mr[2] + r.mr[3];

	for (unsigned i = 4; i < MSGINFO_LENGTH(r.info); i++)
		sum += b->mr[i];
	for (unsigned i = 4; i < 10; i++)
		b->mr[i] = 1000 + i;
	atoll_ipc_reply(g_reply, msginfo(0, 0, 0, 10), sum, MSGINFO_LENGTH(r.info), 0, 0);
}

static void t_long_message(void)
{
	struct uthread th;
	struct ipc_buffer *b = atoll_ipcbuf;

	g_ep = new_ep();
	g_reply = new_obj(OBJ_REPLY, 0);
	REQUIRE_OK(thread_create(&th, long_server_fn, 0, PRIO_LOW));
	for (unsigned i = 4; i < 10; i++)
		b->mr[i] = i;
	struct ipc_result r = atoll_ipc_call(g_ep, msginfo(0, 0, 0, 10), 0, 1, 2, 3);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(r.mr[0], 45); /* 0 + 1 + ... + 9 */
	EXPECT_EQ(r.mr[1], 10);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 10);
	EXPECT_EQ(b->mr[9], 1009);
}

static void t_nonblocking(void)
{
	cptr_t ep = new_ep();

	EXPECT_EQ(atoll_ipc_nbsend(ep, 0, 1, 2, 3, 4).err, E_OK); /* nobody waits: dropped */
	struct ipc_result r = atoll_ipc_nbrecv(ep, 0);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(r.info, 0);
	EXPECT_EQ(r.badge, 0);
}

static void once_server_fn(uint64_t unused)
{
	atoll_ipc_recv(g_ep, g_reply);
	shared[0] = atoll_ipc_reply(g_reply, msginfo(0, 0, 0, 1), 1, 0, 0, 0).err;
	shared[1] = atoll_ipc_reply(g_reply, 0, 2, 0, 0, 0).err; /* one-shot: nobody waits now */
}

static void t_reply_one_shot(void)
{
	struct uthread th;

	g_ep = new_ep();
	g_reply = new_obj(OBJ_REPLY, 0);
	REQUIRE_OK(thread_create(&th, once_server_fn, 0, PRIO_HIGH));
	struct ipc_result r = atoll_ipc_call(g_ep, 0, 0, 0, 0, 0);
	EXPECT_EQ(r.mr[0], 1);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 100), E_OK); /* let the server finish */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	EXPECT_EQ(shared[0], E_OK);
	EXPECT_EQ(shared[1], E_ILLEGAL_OPERATION);
}

static void t_rights_no_write_no_read(void)
{
	cptr_t ep = new_ep(), ro = slot_alloc(), wo = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, ro, ep, RIGHT_READ), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, wo, ep, RIGHT_WRITE), E_OK);
	EXPECT_EQ(atoll_ipc_send(ro, 0, 0, 0, 0, 0).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_ipc_nbrecv(wo, 0).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_ipc_nbrecv(ro, 0).err, E_OK);
}

static void t_recv_with_bad_reply(void)
{
	cptr_t ep = new_ep();

	EXPECT_EQ(atoll_ipc_nbrecv(ep, ROOT_TCB).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_ipc_nbrecv(ep, 4000).err, E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_ipc_reply(ROOT_TCB, 0, 0, 0, 0, 0).err, E_INVALID_CAPABILITY);
}

/* --- capability transfer --------------------------------------------------- */

static void grant_sender_fn(uint64_t ep)
{
	atoll_ipcbuf->caps[0] = g_ntfn;
	atoll_ipc_send(ep, msginfo(0, 0, 1, 0), 0, 0, 0, 0);
}

static void t_cap_transfer(void)
{
	struct uthread th;
	cptr_t ep = new_ep(), nogrant = slot_alloc(), dst = slot_alloc();

	g_ntfn = new_obj(OBJ_NOTIFICATION, 0);
	atoll_ipcbuf->receive_cnode = ROOT_CNODE;
	atoll_ipcbuf->receive_index = dst;
	REQUIRE_OK(thread_create(&th, grant_sender_fn, ep, PRIO_LOW));
	struct ipc_result r = atoll_ipc_recv(ep, 0);
	EXPECT_EQ(MSGINFO_EXTRA_CAPS(r.info), 1);
	EXPECT_EQ(atoll_ntfn_signal(dst), E_OK); /* the received capability works */
	EXPECT_EQ(atoll_ntfn_poll(g_ntfn).badge, 0); /* unbadged signal: word stays 0 */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, dst), E_OK);
	/* Without the grant right the capability does not travel. */
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, nogrant, ep, RIGHT_READ | RIGHT_WRITE), E_OK);
	REQUIRE_OK(thread_create(&th, grant_sender_fn, nogrant, PRIO_LOW));
	r = atoll_ipc_recv(ep, 0);
	EXPECT_EQ(MSGINFO_EXTRA_CAPS(r.info), 0);
	EXPECT_EQ(atoll_ntfn_signal(dst), E_FAILED_LOOKUP);
	atoll_ipcbuf->receive_cnode = 0;
}

/* --- notifications ---------------------------------------------------------- */

static void t_notification_or_semantics(void)
{
	cptr_t n = new_obj(OBJ_NOTIFICATION, 0), a = slot_alloc(), b = slot_alloc();

	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, a, n, RIGHTS_ALL, 1), E_OK);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, b, n, RIGHTS_ALL, 4), E_OK);
	EXPECT_EQ(atoll_ntfn_poll(n).badge, 0);
	EXPECT_EQ(atoll_ntfn_signal(a), E_OK);
	EXPECT_EQ(atoll_ntfn_signal(b), E_OK);
	EXPECT_EQ(atoll_ntfn_signal(a), E_OK);
	EXPECT_EQ(atoll_ntfn_poll(n).badge, 5);
	EXPECT_EQ(atoll_ntfn_poll(n).badge, 0);
}

static void signaller_fn(uint64_t cap)
{
	shared[2] = 1;
	atoll_ntfn_signal(cap);
}

static void t_notification_wait_blocks(void)
{
	struct uthread th;
	cptr_t n = new_obj(OBJ_NOTIFICATION, 0), a = slot_alloc();

	shared[2] = 0;
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, a, n, RIGHTS_ALL, 0x80), E_OK);
	REQUIRE_OK(thread_create(&th, signaller_fn, a, PRIO_LOW));
	struct ipc_result r = atoll_ntfn_wait(n);
	EXPECT_EQ(shared[2], 1); /* we slept until the lower-priority thread ran */
	EXPECT_EQ(r.badge, 0x80);
}

/* A Signal through an unbadged capability while nobody waits is kept: the
 * next Wait returns at once (badge 0). A lower-priority thread would signal
 * badge 0x2 if the first signal were lost, so the test cannot hang. */
static void t_unbadged_signal_kept(void)
{
	struct uthread th;
	cptr_t n = new_obj(OBJ_NOTIFICATION, 0), late = slot_alloc();

	shared[2] = 0;
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, late, n, RIGHTS_ALL, 0x2), E_OK);
	EXPECT_EQ(atoll_ntfn_signal(n), E_OK);
	REQUIRE_OK(thread_create(&th, signaller_fn, late, PRIO_LOW));
	struct ipc_result r = atoll_ntfn_wait(n);
	EXPECT_EQ(shared[2], 0); /* returned at once: the rescuer never ran */
	EXPECT_EQ(r.badge, 0);
	atoll_tcb_suspend(th.tcb);
}

static void t_bound_notification(void)
{
	struct uthread th;
	cptr_t n = new_obj(OBJ_NOTIFICATION, 0), a = slot_alloc(), ep = new_ep();

	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, a, n, RIGHTS_ALL, 0x10), E_OK);
	EXPECT_EQ(atoll_tcb_bind_notification(ROOT_TCB, n), E_OK);
	EXPECT_EQ(atoll_tcb_bind_notification(ROOT_TCB, n), E_ILLEGAL_OPERATION);
	REQUIRE_OK(thread_create(&th, signaller_fn, a, PRIO_LOW));
	struct ipc_result r = atoll_ipc_recv(ep, 0); /* woken by the signal, not a message */
	EXPECT_EQ(r.badge, 0x10);
	EXPECT_EQ(r.info, 0);
	EXPECT_EQ(atoll_tcb_unbind_notification(ROOT_TCB), E_OK);
	EXPECT_EQ(atoll_tcb_unbind_notification(ROOT_TCB), E_ILLEGAL_OPERATION);
}

/* --- threads and scheduling --------------------------------------------------- */

static void mark_fn(uint64_t i)
{
	shared[3] = shared[3] * 10 + i;
}

static void t_priority_order(void)
{
	struct uthread a, b, c;
	cptr_t n = new_obj(OBJ_NOTIFICATION, 0);

	shared[3] = 0;
	REQUIRE_OK(thread_create(&a, mark_fn, 1, 10));
	REQUIRE_OK(thread_create(&b, mark_fn, 3, 30));
	REQUIRE_OK(thread_create(&c, mark_fn, 2, 20));
	EXPECT_EQ(shared[3], 0); /* none ran: the root task has the highest priority */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK);
	EXPECT_EQ(shared[3], 321); /* they ran highest first before we came back */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	(void)n;
}

static void rr_fn(uint64_t id)
{
	for (int i = 0; i < 3; i++) {
		shared[4] = shared[4] * 10 + id;
		atoll_yield();
	}
}

static void t_round_robin_yield(void)
{
	struct uthread a, b;

	shared[4] = 0;
	REQUIRE_OK(thread_create(&a, rr_fn, 1, 50));
	REQUIRE_OK(thread_create(&b, rr_fn, 2, 50));
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	EXPECT_EQ(shared[4], 121212);
}

static void t_priority_limits(void)
{
	struct uthread a;

	REQUIRE_OK(thread_create_suspended(&a, mark_fn, 0, 10));
	EXPECT_EQ(atoll_tcb_set_priority(a.tcb, 256), E_RANGE_ERROR);
	EXPECT_EQ(atoll_tcb_set_mcp(a.tcb, 300), E_RANGE_ERROR);
	EXPECT_EQ(atoll_tcb_set_mcp(a.tcb, 200), E_OK);
}

static void counter_fn(uint64_t unused)
{
	for (;;) {
		shared[5]++;
		atoll_yield();
	}
}

static void t_suspend_resume(void)
{
	struct uthread a;

	shared[5] = 0;
	REQUIRE_OK(thread_create(&a, counter_fn, 0, 50));
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 50), E_OK);
	atoll_yield();
	atoll_yield();
	EXPECT(shared[5] > 0);
	EXPECT_EQ(atoll_tcb_suspend(a.tcb), E_OK);
	uint64_t seen = shared[5];
	atoll_yield();
	atoll_yield();
	EXPECT_EQ(shared[5], seen);
	EXPECT_EQ(atoll_tcb_resume(a.tcb), E_OK);
	atoll_yield();
	EXPECT(shared[5] > seen);
	EXPECT_EQ(atoll_tcb_suspend(a.tcb), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
}

static void t_read_write_registers(void)
{
	struct uthread a;
	uint64_t regs[REG_COUNT], w[REG_COUNT] = { 0 };

	REQUIRE_OK(thread_create_suspended(&a, mark_fn, 9, 10));
	EXPECT_EQ(atoll_tcb_read_registers(a.tcb, regs), E_OK);
	EXPECT_EQ(regs[REG_RSI], 9);
	EXPECT(regs[REG_RIP] != 0);
	w[REG_RIP] = 0x800000000000ull; /* non-canonical: refused */
	EXPECT_EQ(atoll_tcb_write_registers(a.tcb, false, 1, w), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_tcb_read_registers(ROOT_TCB, regs), E_ILLEGAL_OPERATION);
	for (unsigned i = 0; i < REG_COUNT; i++)
		w[i] = regs[i];
	w[REG_RSI] = 4;
	w[REG_R15] = 0x1234;
	EXPECT_EQ(atoll_tcb_write_registers(a.tcb, false, REG_COUNT, w), E_OK);
	EXPECT_EQ(atoll_tcb_read_registers(a.tcb, regs), E_OK);
	EXPECT_EQ(regs[REG_RSI], 4);
	EXPECT_EQ(regs[REG_R15], 0x1234);
}

/* --- address spaces ----------------------------------------------------------- */

static void t_map_unmap(void)
{
	cptr_t f = new_obj(OBJ_FRAME_4K, 0), f2 = slot_alloc();
	volatile uint64_t *p = (volatile uint64_t *)0x50000000ull, *q = (volatile uint64_t *)0x50001000ull;

	EXPECT_EQ(map_frame_anywhere(f, ROOT_VSPACE, (uint64_t)p, RIGHT_READ | RIGHT_WRITE), E_OK);
	*p = 0x5151;
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, f2, f, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_VSPACE, (uint64_t)q, RIGHT_READ, 0), E_OK);
	EXPECT_EQ(*q, 0x5151); /* same frame, two mappings */
	EXPECT_EQ(atoll_frame_map(f, ROOT_VSPACE, 0x50002000ull, RIGHT_READ, 0), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_frame_unmap(f2), E_OK);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_VSPACE, (uint64_t)p, RIGHT_READ, 0), E_DELETE_FIRST);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_VSPACE, 0x50000800ull, RIGHT_READ, 0), E_ALIGNMENT_ERROR);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_VSPACE, 0x7FFFFFFFF000ull, RIGHT_READ, 0), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_VSPACE, 0xFFFF800000000000ull, RIGHT_READ, 0), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_VSPACE, 0x6000000000ull, RIGHT_READ, 0), E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_TCB, 0x50003000ull, RIGHT_READ, 0), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_frame_map(f2, ROOT_VSPACE, 0x50003000ull, 0, 0), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_frame_unmap(f), E_OK);
	EXPECT_EQ(atoll_frame_map(f, ROOT_VSPACE, (uint64_t)p, RIGHT_READ | RIGHT_WRITE, 0), E_OK);
	EXPECT_EQ(*p, 0x5151); /* remapped, contents kept */
}

static void t_page_table_errors(void)
{
	cptr_t pt = new_obj(OBJ_PAGE_TABLE, 0), pt2 = new_obj(OBJ_PAGE_TABLE, 0);

	EXPECT_EQ(atoll_page_table_map(pt, ROOT_VSPACE, 0x7000000000ull), E_FAILED_LOOKUP); /* no PDPT there */
	EXPECT_EQ(atoll_page_table_map(pt, ROOT_VSPACE, 0x52000000ull), E_OK);
	EXPECT_EQ(atoll_page_table_map(pt2, ROOT_VSPACE, 0x52000000ull), E_DELETE_FIRST);
	EXPECT_EQ(atoll_page_table_map(pt, ROOT_VSPACE, 0x54000000ull), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_page_table_unmap(pt), E_OK);
	EXPECT_EQ(atoll_page_table_map(pt2, ROOT_VSPACE, 0x52000000ull), E_OK);
}

static void t_ioport_range(void)
{
	cptr_t io, narrow;

	if (!suite_has_devices()) {
		ut_skip("I/O ports belong to cluster 0");
		return;
	}
	io = slot_alloc();
	narrow = slot_alloc();
	bool uart;
	REQUIRE_OK(serial_probe(0x3F8, io, &uart)); /* leaves io empty */
	EXPECT_EQ(atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0x3F8, 0x3FF, ROOT_CNODE, io), E_OK);
	EXPECT_EQ(atoll_ioport_out8(io, 0x3FF, 0xA5), E_OK); /* UART scratch register */
	if (uart) /* an empty bus reads 0xFF: the round trip needs the UART */
		EXPECT_EQ(atoll_ioport_in8(io, 0x3FF).mr[0], 0xA5);
	else
		ut_skip("no UART at 0x3F8 (COM1) for the port round trip; range checks done");
	EXPECT_EQ(atoll_ioport_out8(io, 0x3FF, 0x00), E_OK);
	EXPECT_EQ(atoll_ioport_out8(io, 0x400, 0), E_RANGE_ERROR);
	EXPECT_EQ(atoll_ioport_in8(io, 0x3F7).err, E_RANGE_ERROR);
	EXPECT_EQ(atoll_ioport_issue(ROOT_IOPORT_CONTROL, 5, 4, ROOT_CNODE, narrow), E_RANGE_ERROR);
	EXPECT_EQ(atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0, 0x10000, ROOT_CNODE, narrow), E_RANGE_ERROR);
	EXPECT_EQ(atoll_ioport_issue(ROOT_IOPORT_CONTROL, 1, 2, ROOT_CNODE, io), E_DELETE_FIRST);
	EXPECT_EQ(atoll_ioport_out8(ROOT_TCB, 0x3FF, 0), E_ILLEGAL_OPERATION);
}

const struct utest ipc_tests[] = {
	{ "send and receive with a badge", t_send_recv_badge },
	{ "call / reply-receive round trips, 4 words", t_call_reply_roundtrip },
	{ "long message through the IPC buffers (10 words)", t_long_message },
	{ "non-blocking send and receive", t_nonblocking },
	{ "reply objects are one-shot", t_reply_one_shot },
	{ "no send without write, no receive without read", t_rights_no_write_no_read },
	{ "receive and reply check the reply capability", t_recv_with_bad_reply },
	{ "capability transfer needs the grant right", t_cap_transfer },
	{ "notification signals OR together; poll clears", t_notification_or_semantics },
	{ "an unbadged signal before the wait is kept", t_unbadged_signal_kept },
	{ "notification wait blocks until a signal", t_notification_wait_blocks },
	{ "bound notification wakes an endpoint receive", t_bound_notification },
	{ "threads run in priority order", t_priority_order },
	{ "round robin within a priority by yield", t_round_robin_yield },
	{ "priority and MCP limits", t_priority_limits },
	{ "suspend and resume", t_suspend_resume },
	{ "read and write registers", t_read_write_registers },
	{ "map, unmap, remap frames and their errors", t_map_unmap },
	{ "page table map and unmap errors", t_page_table_errors },
	{ "I/O port capability is range-limited", t_ioport_range },
};
const unsigned ipc_tests_count = sizeof(ipc_tests) / sizeof(ipc_tests[0]);
