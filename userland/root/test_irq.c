/* Interrupts: device lines as notifications (the user-mode serial driver),
 * IRQ capability rules, and timeslices from the timer. */
#include "atoll/serial.h"
#include "suite.h"

static void t_serial_driver_irq(void)
{
	struct serial_dev d;
	cptr_t n = new_obj(OBJ_NOTIFICATION, 0), badged = slot_alloc();
	static const char msg[] = "# serial: written by the user-mode driver, one interrupt per byte\n";

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
	{ "timeslices preempt a thread that never yields", t_timeslice_preempts },
};
const unsigned irq_tests_count = sizeof(irq_tests) / sizeof(irq_tests[0]);
