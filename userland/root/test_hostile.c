/*
 * Targeted hostile input, and regressions the random stress test found:
 * every label on every object type, a thread without an IPC buffer,
 * garbage extra capabilities and over-long messages, CNode guards, sibling
 * I/O port capabilities, a CNode holding its own last capability, a thread
 * moved on while its fault message waits. Cases that could make the kernel
 * loop run under a watchdog (run_bounded).
 */
#include "kstring.h"
#include "suite.h"

/* Two I/O port capabilities issued one after the other for the same port
 * are siblings: revoking one must not delete the other. */
static void t_ioport_siblings(void)
{
	cptr_t a, b, c;

	if (!suite_has_devices()) {
		ut_skip("I/O ports belong to cluster 0");
		return;
	}
	a = slot_alloc();
	b = slot_alloc();
	c = slot_alloc();
	REQUIRE_OK(atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0x80, 0x80, ROOT_CNODE, a));
	REQUIRE_OK(atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0x80, 0x80, ROOT_CNODE, b));
	REQUIRE_OK(atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0x00, 0xFFFF, ROOT_CNODE, c));
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, c), E_OK);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, b), E_OK);
	EXPECT_EQ(atoll_ioport_in8(b, 0x80).err, E_OK);
	EXPECT_EQ(atoll_ioport_in8(a, 0x80).err, E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, c), E_OK);
	EXPECT_EQ(atoll_ioport_in8(a, 0x80).err, E_OK);
}

/* A thread whose fault message still waits on its fault endpoint is
 * suspended, given new registers and resumed: its next send is an ordinary
 * message from its registers, not the stale fault. */
static volatile uint64_t stale_reached;
static cptr_t stale_self;

static void stale_reader_fn(uint64_t addr)
{
	stale_reached = *(volatile uint64_t *)addr; /* faults: nobody maps it */
}

static void stale_sender_fn(uint64_t ep)
{
	atoll_ipc_send(ep, msginfo(5, 0, 0, 2), 11, 22, 0, 0);
	atoll_tcb_suspend(stale_self);
}

static void t_fault_then_new_registers(void)
{
	struct uthread th;
	cptr_t fault_ep = new_obj(OBJ_ENDPOINT, 0), ep = new_obj(OBJ_ENDPOINT, 0);
	uint64_t regs[REG_COUNT];

	REQUIRE_OK(thread_create_ex(&th, stale_reader_fn, 0x72000000ull, 100, fault_ep, true));
	stale_self = th.tcb;
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 50), E_OK); /* it runs and faults */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	REQUIRE_OK(atoll_tcb_suspend(th.tcb));
	REQUIRE_OK(atoll_tcb_read_registers(th.tcb, regs));
	regs[REG_RIP] = (uint64_t)(uintptr_t)stale_sender_fn;
	regs[REG_RSP] = th.area + ABI_THREAD_AREA - 8;
	regs[REG_RDI] = ep;
	REQUIRE_OK(atoll_tcb_write_registers(th.tcb, true, REG_RDI + 1, regs));
	struct ipc_result r = atoll_ipc_recv(ep, 0);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(MSGINFO_LABEL(r.info), 5);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 2);
	EXPECT_EQ(r.mr[0], 11);
	EXPECT_EQ(r.mr[1], 22);
	EXPECT_EQ(atoll_ipc_nbrecv(fault_ep, 0).info, 0); /* and no fault is left queued */
}

/* Deleting a CNode whose last capability sits in one of its own slots
 * (seL4's "cyclic zombie"): the revoke must finish. */
static volatile uint64_t self_err;

static void self_revoke_fn(uint64_t ut)
{
	self_err = atoll_cnode_revoke(ROOT_CNODE, ut);
}

static void t_cnode_holds_itself(void)
{
	cptr_t ut = new_obj(OBJ_UNTYPED, 12), cn = slot_alloc();

	REQUIRE_OK(atoll_untyped_retype(ut, OBJ_CNODE, 2, ROOT_CNODE, cn, 1));
	REQUIRE_OK(atoll_cnode_copy(cn, 1, cn, RIGHTS_ALL));
	REQUIRE_OK(atoll_cnode_delete(ROOT_CNODE, cn)); /* the copy inside is now the last one */
	self_err = ~0ull;
	EXPECT(run_bounded(self_revoke_fn, ut, 1000));
	EXPECT_EQ(self_err, E_OK);
}

/* --- targeted hostile input ------------------------------------------------- */

static const struct {
	uint64_t label;
	const char *obj, *args;
} label_table[] = {
#define X(name, num, obj, args) { num, #obj, args },
#include "abi/labels.def"
#undef X
};

/* Labels no object type knows. */
static const uint64_t unknown_labels[] = { 0, 2, 9, 16, 30, 39, 43, 59, 64, 77, 89, 91, 4095,
					   1ull << 40, (1ull << 52) - 1 };

struct typed_cap {
	cptr_t cap;
	const char *obj; /* the object column of labels.def ("" for none) */
};

static unsigned make_typed_caps(struct typed_cap *c)
{
	unsigned n = 0;
	cptr_t io = slot_alloc();

	c[n++] = (struct typed_cap){ new_obj(OBJ_UNTYPED, 12), "UNTYPED" };
	c[n++] = (struct typed_cap){ new_obj(OBJ_CNODE, 2), "CNODE" };
	c[n++] = (struct typed_cap){ new_obj(OBJ_TCB, 0), "TCB" };
	c[n++] = (struct typed_cap){ new_obj(OBJ_FRAME_4K, 0), "FRAME" };
	c[n++] = (struct typed_cap){ new_obj(OBJ_PAGE_TABLE, 0), "PAGING" };
	c[n++] = (struct typed_cap){ new_obj(OBJ_PAGE_DIRECTORY, 0), "PAGING" };
	c[n++] = (struct typed_cap){ new_obj(OBJ_PDPT, 0), "PAGING" };
	c[n++] = (struct typed_cap){ new_obj(OBJ_PML4, 0), "" };
	if (!suite_has_devices())
		return n; /* the device capabilities belong to cluster 0 */
	c[n++] = (struct typed_cap){ ROOT_IRQ_CONTROL, "IRQ_CONTROL" };
	c[n++] = (struct typed_cap){ ROOT_IOPORT_CONTROL, "IOPORT_CONTROL" };
	if (atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0x80, 0x80, ROOT_CNODE, io) == E_OK)
		c[n++] = (struct typed_cap){ io, "IOPORT" };
	return n;
}

/* One line per unexpected answer (the first few), and the count. */
static unsigned label_mismatch(unsigned bad, const char *obj, uint64_t label, unsigned len, uint64_t got,
			       uint64_t want)
{
	if (bad < 4)
		printf("# labels: %s label %llu len %u: error %llu, expected %llu\n", obj[0] ? obj : "PML4",
		       (unsigned long long)label, len, (unsigned long long)got, (unsigned long long)want);
	return bad + 1;
}

static void t_every_label_every_type(void)
{
	struct typed_cap caps[12];
	unsigned n = make_typed_caps(caps), bad = 0, nl = sizeof(label_table) / sizeof(label_table[0]);

	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < nl; j++) {
			bool own = strcmp(label_table[j].obj, caps[i].obj) == 0;
			uint64_t e0 = atoll_invoke(caps[i].cap, label_table[j].label, 0, 0, 0, 0, 0).err;
			if (!own) {
				uint64_t e4 = atoll_invoke(caps[i].cap, label_table[j].label, 4, 0, 0, 0, 0).err;
				if (e0 == E_OK)
					bad = label_mismatch(bad, caps[i].obj, label_table[j].label, 0, e0, E_ILLEGAL_OPERATION);
				if (e4 != E_ILLEGAL_OPERATION)
					bad = label_mismatch(bad, caps[i].obj, label_table[j].label, 4, e4, E_ILLEGAL_OPERATION);
			} else if (label_table[j].args[0] != '-' && strncmp(label_table[j].args, "buf", 3) != 0 &&
				   e0 != E_TRUNCATED_MESSAGE) {
				bad = label_mismatch(bad, caps[i].obj, label_table[j].label, 0, e0, E_TRUNCATED_MESSAGE);
			}
		}
		for (unsigned j = 0; j < sizeof(unknown_labels) / sizeof(unknown_labels[0]); j++) {
			uint64_t e = atoll_invoke(caps[i].cap, unknown_labels[j], 127, 0, 0, 0, 0).err;
			if (e != E_ILLEGAL_OPERATION)
				bad = label_mismatch(bad, caps[i].obj, unknown_labels[j], 127, e, E_ILLEGAL_OPERATION);
		}
	}
	EXPECT_EQ(n, suite_has_devices() ? 11 : 8);
	EXPECT_EQ(bad, 0);
}

/* A thread the kernel knows no IPC buffer for: its message is its four
 * message registers, whatever length it claims. */
#define NOBUF_AREA 0x71000000ull
static volatile uint64_t nobuf_res[6];
static cptr_t nobuf_ut, nobuf_other, nobuf_ep, nobuf_slot, nobuf_self;

static void nobuf_fn(void)
{
	uint64_t w[1] = { 0x1000000 };
	struct ipc_result r;

	nobuf_res[0] = atoll_untyped_retype(nobuf_ut, OBJ_ENDPOINT, 0, ROOT_CNODE, nobuf_slot, 1);
	nobuf_res[1] = atoll_cnode_copy(ROOT_CNODE, nobuf_slot, nobuf_ep, RIGHTS_ALL);
	r = atoll_invoke(nobuf_other, INV_TCB_READ_REGISTERS, 0, 0, 0, 0, 0);
	nobuf_res[2] = r.err;
	nobuf_res[3] = MSGINFO_LENGTH(r.info);
	nobuf_res[4] = atoll_tcb_write_registers(nobuf_other, false, 1, w);
	nobuf_res[5] = atoll_invoke(nobuf_other, INV_DEBUG_NAME, 2, 0, 0, 0, 0).err;
	atoll_ipc_send(nobuf_ep, msginfo(5, 0, 0, 10), 1, 2, 3, 4);
	atoll_tcb_suspend(nobuf_self);
}

static uint64_t nobuf_thread(uint64_t prio)
{
	uint64_t regs[REG_COUNT] = { 0 }, err;

	if (!page_alloc_at(NOBUF_AREA)) /* the runtime still writes "buffer" words here */
		return E_NOT_ENOUGH_MEMORY;
	for (uint64_t i = 1; i <= 2; i++)
		if (!page_alloc_at(NOBUF_AREA + ABI_THREAD_AREA - i * 4096))
			return E_NOT_ENOUGH_MEMORY;
	if (!(nobuf_self = obj_alloc(OBJ_TCB, 0, &err)))
		return err;
	if ((err = atoll_tcb_configure(nobuf_self, 0, ROOT_CNODE, ROOT_VSPACE, NOBUF_AREA, 0)) ||
	    (err = atoll_tcb_set_priority(nobuf_self, prio)))
		return err;
	regs[REG_RIP] = (uint64_t)(uintptr_t)nobuf_fn;
	regs[REG_RSP] = NOBUF_AREA + ABI_THREAD_AREA - 8;
	regs[REG_RFLAGS] = 0x202;
	return atoll_tcb_write_registers(nobuf_self, true, REG_RFLAGS + 1, regs);
}

static void idle_fn(uint64_t unused) {}

static void t_no_ipc_buffer(void)
{
	struct uthread other;

	nobuf_ut = new_obj(OBJ_UNTYPED, 12);
	nobuf_ep = new_obj(OBJ_ENDPOINT, 0);
	nobuf_slot = slot_alloc();
	REQUIRE_OK(thread_create_suspended(&other, idle_fn, 0, 10));
	nobuf_other = other.tcb;
	for (unsigned i = 0; i < 6; i++)
		nobuf_res[i] = 0xFF;
	REQUIRE_OK(nobuf_thread(100));
	struct ipc_result r = atoll_ipc_recv(nobuf_ep, 0); /* it runs while we wait */
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(MSGINFO_LABEL(r.info), 5);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 4); /* 10 claimed, 4 in registers */
	EXPECT_EQ(r.mr[3], 4);
	EXPECT_EQ(nobuf_res[0], E_TRUNCATED_MESSAGE); /* retype needs a fifth word */
	EXPECT_EQ(nobuf_res[1], E_OK);                /* three words fit in registers */
	EXPECT_EQ(nobuf_res[2], E_OK);
	EXPECT_EQ(nobuf_res[3], 4); /* 18 registers read, 4 delivered */
	EXPECT_EQ(nobuf_res[4], E_TRUNCATED_MESSAGE);
	EXPECT_EQ(nobuf_res[5], E_TRUNCATED_MESSAGE);
}

/* Extra capabilities with garbage addresses, an unwrapped badge, a full
 * receive slot, and a message longer than the 120 words there are. */
static cptr_t xc_ep, xc_caps[3];
static uint64_t xc_info;

static void xc_sender_fn(uint64_t ep)
{
	struct ipc_buffer *b = atoll_ipcbuf;

	for (unsigned i = 0; i < 3; i++)
		b->caps[i] = xc_caps[i];
	for (unsigned i = MSG_REG_WORDS; i < MSG_MAX_WORDS; i++)
		b->mr[i] = i * 3;
	atoll_ipc_send(ep, xc_info, 0, 3, 6, 9);
}

/* Send with xc_info / xc_caps from a thread; receive into (rcnode, dst). */
static struct ipc_result xc_round(cptr_t rcnode, cptr_t dst)
{
	struct uthread th;

	if (thread_create(&th, xc_sender_fn, xc_ep, 100) != E_OK)
		return (struct ipc_result){ .err = ~0ull };
	atoll_ipcbuf->receive_cnode = rcnode;
	atoll_ipcbuf->receive_index = dst;
	struct ipc_result r = atoll_ipc_recv(xc_ep, 0); /* the sender runs while we wait */
	atoll_ipcbuf->receive_cnode = 0;
	return r;
}

static void t_extra_caps_garbage(void)
{
	cptr_t ntfn = new_obj(OBJ_NOTIFICATION, 0), badged = slot_alloc(), dst = slot_alloc();
	struct ipc_result r;

	xc_ep = new_obj(OBJ_ENDPOINT, 0);
	REQUIRE_OK(atoll_cnode_mint(ROOT_CNODE, badged, xc_ep, RIGHTS_ALL, 0x77));
	/* Garbage first: nothing travels; the 127-word message is cut to 120. */
	xc_caps[0] = 0xDEAD000000000000ull, xc_caps[1] = 4000, xc_caps[2] = ntfn;
	xc_info = msginfo(9, 7, 3, 127);
	r = xc_round(ROOT_CNODE, dst);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(r.info, msginfo(9, 0, 0, MSG_MAX_WORDS));
	EXPECT_EQ(atoll_ipcbuf->mr[MSG_MAX_WORDS - 1], (MSG_MAX_WORDS - 1) * 3);
	EXPECT_EQ(atoll_ntfn_signal(dst), E_FAILED_LOOKUP);
	/* Unwrapped badge, then one capability into the slot; the third finds it full. */
	xc_caps[0] = badged, xc_caps[1] = ntfn, xc_caps[2] = xc_ep;
	xc_info = msginfo(1, 0, 3, 2);
	r = xc_round(ROOT_CNODE, dst);
	EXPECT_EQ(r.info, msginfo(1, 1, 2, 2));
	EXPECT_EQ(atoll_ipcbuf->caps[0], 0x77);
	EXPECT_EQ(atoll_ntfn_signal(dst), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, dst), E_OK);
	/* A receive CNode address that does not resolve: nothing travels. */
	xc_caps[0] = ntfn;
	xc_info = msginfo(1, 0, 1, 0);
	r = xc_round(4000, dst);
	EXPECT_EQ(r.info, msginfo(1, 0, 0, 0));
	EXPECT_EQ(atoll_ntfn_signal(dst), E_FAILED_LOOKUP);
}

static void t_cnode_guard_rules(void)
{
	cptr_t cn = new_obj(OBJ_CNODE, 6), s = slot_alloc();

	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, s, cn, RIGHTS_ALL, 59), E_INVALID_ARGUMENT); /* 6 + 59 > 64 */
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, s, cn, RIGHTS_ALL, 1ull << 6), E_INVALID_ARGUMENT); /* guard 1 in 0 bits */
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, s, cn, RIGHTS_ALL, 3ull << 6 | 1), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_cnode_mutate(ROOT_CNODE, s, cn, ~0ull), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, s, cn, RIGHTS_ALL, 1ull << 6 | 58), E_OK);
	EXPECT_EQ(atoll_cnode_copy(s, 0, ROOT_TCB, RIGHTS_ALL), E_OK); /* still usable as a CNode */
	EXPECT_EQ(atoll_cnode_delete(cn, 0), E_OK);
}

const struct utest hostile_tests[] = {
	{ "every label on every object type: empty, foreign and unknown", t_every_label_every_type },
	{ "thread without an IPC buffer: messages are the 4 registers", t_no_ipc_buffer },
	{ "extra caps with garbage addresses, unwrapping, 127-word message", t_extra_caps_garbage },
	{ "CNode mint and mutate check the guard against the radix", t_cnode_guard_rules },
	{ "revoking an I/O port capability leaves separately issued ones", t_ioport_siblings },
	{ "a CNode holding the last capability to itself is deleted", t_cnode_holds_itself },
	{ "suspended with a fault pending, resumed elsewhere: sends its own message", t_fault_then_new_registers },
};
const unsigned hostile_tests_count = sizeof(hostile_tests) / sizeof(hostile_tests[0]);
