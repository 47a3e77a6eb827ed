/* Interrupts: device lines as notifications (the user-mode serial driver),
 * IRQ capability rules, and timeslices from the timer. */
#include "atoll/serial.h"
#include "suite.h"

static void t_serial_driver_irq(void)
{
	struct serial_dev d;
	cptr_t n = new_obj(OBJ_NOTIFICATION, 0), badged = slot_alloc();
	static const char msg[] = "# serial: written by the user-mode driver, one interrupt per byte\n";
	bool uart;

	REQUIRE_OK(serial_probe(0x3F8, slot_alloc(), &uart));
	if (!uart) {
		ut_skip("no UART at 0x3F8 (COM1): line status reads 0xFF or scratch register does not keep");
		return;
	}
	REQUIRE_OK(atoll_cnode_mint(ROOT_CNODE, badged, n, RIGHTS_ALL, 0x4));
	REQUIRE_OK(serial_open(&d, 0x3F8, 4, badged, slot_alloc(), slot_alloc()));
	d.ntfn = n;
	EXPECT_EQ(serial_write(&d, msg, sizeof(msg) - 1), E_OK);
	EXPECT_EQ(d.irqs, sizeof(msg) - 1);
	serial_close(&d);
}

static void t_irq_handler_rules(void)
{
	cptr_t h = slot_alloc(), h2 = slot_alloc(), n = new_obj(OBJ_NOTIFICATION, 0), ro = slot_alloc();

	EXPECT_EQ(atoll_irq_control_get(ROOT_IRQ_CONTROL, 1000, ROOT_CNODE, h), E_RANGE_ERROR);
	EXPECT_EQ(atoll_irq_control_get(ROOT_IRQ_CONTROL, 5, ROOT_TCB, h), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_irq_control_get(ROOT_IRQ_CONTROL, 5, ROOT_CNODE, h), E_OK);
	EXPECT_EQ(atoll_irq_control_get(ROOT_IRQ_CONTROL, 5, ROOT_CNODE, h2), E_REVOKE_FIRST); /* once only */
	EXPECT_EQ(atoll_irq_ack(h), E_ILLEGAL_OPERATION); /* nothing bound yet */
	EXPECT_EQ(atoll_irq_set_notification(h, ROOT_TCB), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, ro, n, RIGHT_READ), E_OK);
	EXPECT_EQ(atoll_irq_set_notification(h, ro), E_INVALID_CAPABILITY); /* needs write */
	EXPECT_EQ(atoll_irq_set_notification(h, n), E_OK);
	EXPECT_EQ(atoll_irq_ack(h), E_OK);
	EXPECT_EQ(atoll_irq_clear(h), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, h), E_OK);
	EXPECT_EQ(atoll_irq_control_get(ROOT_IRQ_CONTROL, 5, ROOT_CNODE, h2), E_OK); /* free again */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, h2), E_OK);
}

/* Control capabilities may be copied (delegation, docs/capabilities.md):
 * a copy issues like the original, a line still has one handler whichever
 * copy issued it, a copy cannot revoke what it issued, and revoking the
 * original takes back the copies and what they issued. The IRQ tests run
 * last, alone, so revoking ROOT_IRQ_CONTROL takes nothing from another test. */
static void t_control_copies(void)
{
	cptr_t ic = slot_alloc(), pc = slot_alloc(), h = slot_alloc(), h2 = slot_alloc(), io = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, ic, ROOT_IRQ_CONTROL, RIGHT_READ), E_OK);
	EXPECT_EQ(atoll_irq_control_get(ic, 5, ROOT_CNODE, h), E_OK);
	EXPECT_EQ(atoll_irq_control_get(ROOT_IRQ_CONTROL, 5, ROOT_CNODE, h2), E_REVOKE_FIRST);
	EXPECT_EQ(atoll_irq_ack(h), E_ILLEGAL_OPERATION); /* a handler, nothing bound */
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ic), E_OK);
	EXPECT_EQ(atoll_irq_ack(h), E_ILLEGAL_OPERATION); /* the copy took nothing back */
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ROOT_IRQ_CONTROL), E_OK);
	EXPECT_EQ(atoll_irq_ack(h), E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_irq_control_get(ic, 5, ROOT_CNODE, h2), E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_irq_control_get(ROOT_IRQ_CONTROL, 5, ROOT_CNODE, h2), E_OK); /* the line is free */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, h2), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, pc, ROOT_IOPORT_CONTROL, RIGHT_READ), E_OK);
	EXPECT_EQ(atoll_ioport_issue(pc, 0x80, 0x80, ROOT_CNODE, io), E_OK);
	EXPECT_EQ(atoll_ioport_out8(io, 0x80, 0), E_OK);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, pc), E_OK);
	EXPECT_EQ(atoll_ioport_out8(io, 0x80, 0), E_OK); /* the copy took nothing back */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, io), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, pc), E_OK);
}

static volatile uint64_t spins;

static void spinner_fn(uint64_t unused)
{
	for (;;)
		spins++;
}

static void t_timeslice_preempts(void)
{
	struct uthread th;

	spins = 0;
	REQUIRE_OK(thread_create(&th, spinner_fn, 0, 255)); /* same priority as the root task */
	atoll_yield(); /* the spinner never yields: only the timer gives us the CPU back */
	EXPECT(spins > 0);
	EXPECT_EQ(atoll_tcb_suspend(th.tcb), E_OK);
	uint64_t seen = spins;
	atoll_yield();
	EXPECT_EQ(spins, seen);
}

const struct utest irq_tests[] = {
	{ "an IRQ is delivered as a notification (user serial driver)", t_serial_driver_irq },
	{ "IRQ control and handler rules", t_irq_handler_rules },
	{ "IRQ and I/O port control copies: delegated, revoked with the original", t_control_copies },
	{ "timeslices preempt a thread that never yields", t_timeslice_preempts },
};
const unsigned irq_tests_count = sizeof(irq_tests) / sizeof(irq_tests[0]);
